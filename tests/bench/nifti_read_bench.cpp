// Cost of reading .nii.gz sources, which is a large share of a CT conversion's CPU time.
// Files: a synthetic 512x512x160 int16 CT-like volume with noise and its uint8 label map, written
// by ITK to temporary .nii.gz files (as the benchmark data of scripts/bench-pipeline.sh is), and
// Colin27 T1 (sample-data/colin27/ch2.nii.gz, 181x217x181 uint8).
//
//   build/tests/nifti_read_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only
//
// BM_ReadVolume is what a conversion pays per case (samed2d::read_volume: header probe, voxels,
// ITK placement); BM_NiftiRead only the voxels. The BM_Inflate* pairs time the two gzip decoders
// alone on the same bytes, into a buffer already faulted in, and BM_FreshCopy the price of one
// extra copy of the voxels into newly allocated memory.

#include <benchmark/benchmark.h>
#include <libdeflate.h>
#include <zlib.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "pipeline/io/NiftiReader.hpp"
#include "pipeline/io/VolumeReader.hpp"
#include "support/TestData.hpp"

namespace {

namespace fs = std::filesystem;

// An axial-CT-like int16 volume in HU: air around an elliptic body of soft tissue, two lungs, a
// spine, and Gaussian noise (sigma 15 HU inside the body, 5 in air), so that it compresses about
// as badly as real CT does.
std::vector<std::int16_t> synthetic_ct(std::size_t ni, std::size_t nj, std::size_t nk) {
  std::vector<std::int16_t> v(ni * nj * nk);
  std::mt19937 rng(20240611);
  std::normal_distribution<float> noise(0.0f, 1.0f);
  for (std::size_t k = 0; k < nk; ++k)
    for (std::size_t j = 0; j < nj; ++j)
      for (std::size_t i = 0; i < ni; ++i) {
        const double x = (double(i) + 0.5) / double(ni) - 0.5;
        const double y = (double(j) + 0.5) / double(nj) - 0.5;
        const double body = x * x / 0.17 + y * y / 0.11;
        const double lung_l = (x + 0.17) * (x + 0.17) / 0.012 + (y + 0.05) * (y + 0.05) / 0.03;
        const double lung_r = (x - 0.17) * (x - 0.17) / 0.012 + (y + 0.05) * (y + 0.05) / 0.03;
        const double spine = x * x / 0.002 + (y - 0.22) * (y - 0.22) / 0.002;
        double hu = -1000, sigma = 5;
        if (body <= 1) {
          hu = 40 + 20 * std::sin(double(k) * 0.05), sigma = 15;
          if (lung_l <= 1 || lung_r <= 1) hu = -820, sigma = 25;
          if (spine <= 1) hu = 700, sigma = 40;
        }
        v[i + ni * (j + nj * k)] = static_cast<std::int16_t>(std::lround(hu + sigma * noise(rng)));
      }
  return v;
}

// One fread, as a whole-buffer decoder needs the whole compressed file in memory.
// Its label map: uint8 organ-like ellipsoids on background, which compresses some 500:1 and so
// shows the fixed costs per voxel byte (allocation, page faults, copies) rather than decoding.
std::vector<std::uint8_t> synthetic_labels(std::size_t ni, std::size_t nj, std::size_t nk) {
  struct Organ {
    double ci, cj, ck, ri, rj, rk;
    std::uint8_t value;
  };
  const Organ organs[] = {{0.35, 0.45, 0.55, 0.14, 0.12, 0.25, 1},
                          {0.70, 0.50, 0.55, 0.06, 0.07, 0.12, 2},
                          {0.38, 0.65, 0.40, 0.04, 0.05, 0.10, 3},
                          {0.62, 0.65, 0.40, 0.04, 0.05, 0.10, 4},
                          {0.52, 0.55, 0.50, 0.08, 0.02, 0.04, 5}};
  std::vector<std::uint8_t> v(ni * nj * nk, 0);
  for (std::size_t k = 0; k < nk; ++k)
    for (std::size_t j = 0; j < nj; ++j)
      for (std::size_t i = 0; i < ni; ++i) {
        const double x = double(i) / double(ni), y = double(j) / double(nj),
                     z = double(k) / double(nk);
        for (const auto& o : organs) {
          const double d = (x - o.ci) * (x - o.ci) / (o.ri * o.ri) +
                           (y - o.cj) * (y - o.cj) / (o.rj * o.rj) +
                           (z - o.ck) * (z - o.ck) / (o.rk * o.rk);
          if (d <= 1) v[i + ni * (j + nj * k)] = o.value;
        }
      }
  return v;
}

std::vector<unsigned char> file_bytes(const fs::path& file) {
  std::vector<unsigned char> b(fs::file_size(file));
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(file.c_str(), "rb"), &std::fclose);
  if (!f || std::fread(b.data(), 1, b.size(), f.get()) != b.size())
    throw std::runtime_error("cannot read " + file.string());
  return b;
}

// The gzip trailer's ISIZE: the uncompressed size modulo 2^32.
std::size_t gzip_isize(const std::vector<unsigned char>& gz) {
  std::uint32_t isize = 0;
  std::memcpy(&isize, gz.data() + gz.size() - 4, 4);
  return isize;
}

void set_bytes(benchmark::State& state, std::size_t bytes) {
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(bytes));
}

void read_volume_bench(benchmark::State& state, const fs::path& file) {
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::vector<std::string> warnings;
    const samed2d::Volume v = samed2d::read_volume(file, warnings);
    bytes = v.byte_size();
    benchmark::DoNotOptimize(v.raw());
  }
  set_bytes(state, bytes);
}

void nifti_read_bench(benchmark::State& state, const fs::path& file) {
  std::size_t bytes = 0;
  for (auto _ : state) {
    const samed2d::Volume v = samed2d::NiftiReader(file).read();
    bytes = v.byte_size();
    benchmark::DoNotOptimize(v.raw());
  }
  set_bytes(state, bytes);
}

void inflate_zlib_bench(benchmark::State& state, const fs::path& file) {
  const std::size_t size = gzip_isize(file_bytes(file));
  std::vector<unsigned char> out(size);
  for (auto _ : state) {
    gzFile f = gzopen(file.c_str(), "rb");
    if (f == nullptr) throw std::runtime_error("cannot open " + file.string());
    gzbuffer(f, 1u << 20);
    const int got = gzread(f, out.data(), static_cast<unsigned>(size));
    gzclose(f);
    if (got != static_cast<int>(size)) throw std::runtime_error("short gzread");
    benchmark::DoNotOptimize(out.data());
  }
  set_bytes(state, size);
}

// Includes reading the compressed file into memory, which libdeflate needs and zlib does not.
void inflate_libdeflate_bench(benchmark::State& state, const fs::path& file) {
  const std::size_t size = gzip_isize(file_bytes(file));
  std::vector<unsigned char> out(size);
  libdeflate_decompressor* d = libdeflate_alloc_decompressor();
  for (auto _ : state) {
    const auto gz = file_bytes(file);
    std::size_t in_used = 0, out_used = 0;
    const auto r = libdeflate_gzip_decompress_ex(d, gz.data(), gz.size(), out.data(), out.size(),
                                                 &in_used, &out_used);
    if (r != LIBDEFLATE_SUCCESS || out_used != size) throw std::runtime_error("libdeflate failed");
    benchmark::DoNotOptimize(out.data());
  }
  libdeflate_free_decompressor(d);
  set_bytes(state, size);
}

void fresh_copy_bench(benchmark::State& state, std::size_t bytes) {
  std::vector<unsigned char> src(bytes, 7);
  for (auto _ : state) {
    samed2d::Volume v(samed2d::VoxelType::UInt8, {bytes, 1, 1}, 1, false);
    std::memcpy(v.raw(), src.data(), bytes);
    benchmark::DoNotOptimize(v.raw());
  }
  set_bytes(state, bytes);
}

void register_file(const std::string& name, const fs::path& file) {
  const auto reg = [&](const char* what, void (*fn)(benchmark::State&, const fs::path&)) {
    benchmark::RegisterBenchmark((std::string(what) + "/" + name).c_str(), fn, file)
        ->Unit(benchmark::kMillisecond);
  };
  reg("BM_ReadVolume", read_volume_bench);
  reg("BM_NiftiRead", nifti_read_bench);
  reg("BM_InflateZlib", inflate_zlib_bench);
  reg("BM_InflateLibdeflate", inflate_libdeflate_bench);
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

  samed2d::test::TempDir dir;
  const fs::path ct = dir / "ct512.nii.gz";
  const std::array<std::size_t, 3> size{512, 512, 160};
  samed2d::test::write_volume(ct, size, synthetic_ct(size[0], size[1], size[2]), 3,
                              {0.8, 0.8, 2.5});
  std::cerr << "ct512.nii.gz: " << fs::file_size(ct) << " bytes compressed, "
            << size[0] * size[1] * size[2] * 2 << " voxel bytes\n";
  register_file("ct512", ct);
  const fs::path seg = dir / "ct512_seg.nii.gz";
  samed2d::test::write_volume(seg, size, synthetic_labels(size[0], size[1], size[2]), 3,
                              {0.8, 0.8, 2.5});
  std::cerr << "ct512_seg.nii.gz: " << fs::file_size(seg) << " bytes compressed\n";
  register_file("ct512_seg", seg);

  const fs::path colin = samed2d::test::sample_data_dir() / "colin27" / "ch2.nii.gz";
  if (fs::exists(colin))
    register_file("colin27", colin);
  else
    std::cerr << colin.string() << " missing (scripts/fetch-sample-data.sh): skipped\n";

  benchmark::RegisterBenchmark("BM_FreshCopy/ct512", fresh_copy_bench,
                               size[0] * size[1] * size[2] * 2)
      ->Unit(benchmark::kMillisecond);

  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
