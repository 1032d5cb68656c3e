// Per-slice costs of the slice worker on real data (Colin27 T1 and the AAL atlas, 181x217x181
// uint8): extract + normalize, LabelIndex construction, class masks + instance split; and slice
// extraction from a CT-sized volume (512x512x600 int16, 300 MB).

#include <benchmark/benchmark.h>
#include <itkImage.h>
#include <itkImageFileReader.h>

#include <cstring>
#include <stdexcept>
#include <string>

#include "pipeline/slicing/SliceOps.hpp"
#include "support/TestData.hpp"

namespace {

using samed2d::Axis;

samed2d::Volume read_u8(const std::string& name) {
  using Image = itk::Image<std::uint8_t, 3>;
  auto reader = itk::ImageFileReader<Image>::New();
  reader->SetFileName((samed2d::test::sample_data_dir() / "colin27" / name).string());
  reader->Update();
  const Image* img = reader->GetOutput();
  const auto size = img->GetLargestPossibleRegion().GetSize();
  samed2d::Volume v(samed2d::VoxelType::UInt8, {size[0], size[1], size[2]}, 1, true);
  std::memcpy(v.raw(), img->GetBufferPointer(), v.byte_size());
  return v;
}

const samed2d::Volume& t1() {
  static const samed2d::Volume v = read_u8("ch2.nii.gz");
  return v;
}
const samed2d::Volume& aal() {
  static const samed2d::Volume v = read_u8("aal.nii.gz");
  return v;
}

// AAL's 116 regions as classes 1..116, plus one union class holding all of them.
const samed2d::LabelMapping& aal_mapping() {
  static const samed2d::LabelMapping m = [] {
    samed2d::LabelMapping mapping;
    samed2d::ClassDef all{"brain", 500, "0500", {}};
    for (int v = 1; v <= 116; ++v) {
      mapping.classes.push_back({"region_" + std::to_string(v), v, "", {v}});
      all.values.push_back(v);
    }
    mapping.classes.push_back(all);
    return mapping;
  }();
  return m;
}

Axis axis_arg(const benchmark::State& state) {
  return static_cast<Axis>(state.range(0));
}

void BM_ExtractNormalize(benchmark::State& state) {
  const Axis axis = axis_arg(state);
  const auto& v = t1();
  const samed2d::Profile profile;
  const std::size_t count = samed2d::slice_count(v.size(), axis);
  std::vector<double> values;
  std::vector<std::uint8_t> out;
  std::size_t s = 0;
  for (auto _ : state) {
    samed2d::extract_slice(v, 0, axis, s, values);
    samed2d::normalize_to_u8(values, profile.intensity, std::nullopt, out);
    benchmark::DoNotOptimize(out.data());
    s = (s + 1) % count;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(std::string("per slice, axis ") + samed2d::axis_letter(axis));
}
BENCHMARK(BM_ExtractNormalize)->DenseRange(0, 2)->Unit(benchmark::kMicrosecond);

// Extracts consecutive slices of `v` along the benchmark's axis, as the pipeline plans them.
void extract_slices(benchmark::State& state, const samed2d::Volume& v) {
  const Axis axis = axis_arg(state);
  const std::size_t count = samed2d::slice_count(v.size(), axis);
  std::vector<double> values;
  std::size_t s = 0;
  for (auto _ : state) {
    samed2d::extract_slice(v, 0, axis, s, values);
    benchmark::DoNotOptimize(values.data());
    s = (s + 1) % count;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(std::string("per slice, axis ") + samed2d::axis_letter(axis));
}

// The two halves of the above, to see which one to optimize.
void BM_ExtractOnly(benchmark::State& state) {
  extract_slices(state, t1());
}
BENCHMARK(BM_ExtractOnly)->DenseRange(0, 2)->Unit(benchmark::kMicrosecond);

void BM_NormalizeOnly(benchmark::State& state) {
  const auto& v = t1();
  const samed2d::Profile profile;
  std::vector<double> values;
  samed2d::extract_slice(v, 0, Axis::X, v.size()[2] / 2, values);
  std::vector<std::uint8_t> out;
  for (auto _ : state) {
    samed2d::normalize_to_u8(values, profile.intensity, std::nullopt, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(values.size()));
}
BENCHMARK(BM_NormalizeOnly)->Unit(benchmark::kMicrosecond);

void BM_LabelIndexBuild(benchmark::State& state) {
  const auto& label = aal();
  for (auto _ : state) {
    samed2d::LabelIndex index(label, aal_mapping(), "aal.nii.gz");
    benchmark::DoNotOptimize(&index);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * label.byte_size()));
}
BENCHMARK(BM_LabelIndexBuild)->Unit(benchmark::kMillisecond);

void BM_MasksAndInstances(benchmark::State& state) {
  const Axis axis = axis_arg(state);
  const auto& label = aal();
  const samed2d::LabelIndex index(label, aal_mapping(), "aal.nii.gz");
  const samed2d::Profile profile;
  const std::size_t count = samed2d::slice_count(label.size(), axis);
  const auto shape = samed2d::slice_shape(label.size(), axis);
  std::size_t s = 0;
  std::size_t instances = 0;
  for (auto _ : state) {
    if (index.slice_has_labels(axis, s)) {
      for (const auto& cls : index.class_masks(axis, s)) {
        auto inst = samed2d::split_instances(cls.mask.data(), shape.height, shape.width, profile);
        instances += inst.size();
        benchmark::DoNotOptimize(inst.data());
      }
    }
    s = (s + 1) % count;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["instances_per_slice"] =
      static_cast<double>(instances) / static_cast<double>(state.iterations());
  state.SetLabel(std::string("per slice, axis ") + samed2d::axis_letter(axis));
}
BENCHMARK(BM_MasksAndInstances)->DenseRange(0, 2)->Unit(benchmark::kMicrosecond);

// A 512x512x600 int16 volume: the cost of y and z slices, whose voxels lie a row or a plane
// apart, against x slices, on a volume far larger than the caches.
const samed2d::Volume& ct_volume() {
  static const samed2d::Volume v = [] {
    samed2d::Volume ct(samed2d::VoxelType::Int16, {512, 512, 600}, 1, true);
    auto* p = ct.data<std::int16_t>();
    for (std::size_t n = 0; n < ct.voxel_count(); ++n) p[n] = static_cast<std::int16_t>(n % 2000);
    return ct;
  }();
  return v;
}

void BM_ExtractCt(benchmark::State& state) {
  extract_slices(state, ct_volume());
}
BENCHMARK(BM_ExtractCt)->DenseRange(0, 2)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
