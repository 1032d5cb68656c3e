// LabelIndex against a brute-force reading of label volumes: slices with labels, per-class masks
// (unions included), unmapped values, float labels, and a value range too wide for a dense table.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include "pipeline/core/Errors.hpp"
#include "pipeline/slicing/SliceOps.hpp"
#include "support/ErrorOf.hpp"
#include "support/SliceTable.hpp"

namespace samed2d {
namespace {

ClassDef make_class(const std::string& name, int id, std::vector<std::int64_t> values) {
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  char text[8];
  std::snprintf(text, sizeof text, "%04d", id);
  return {name, id, text, values};
}

template <class T>
Volume make_label(std::array<std::size_t, 3> n, const std::vector<std::int64_t>& values) {
  Volume v(voxel_type_of<T>(), n, 1, true);
  std::transform(values.begin(), values.end(), v.data<T>(),
                 [](std::int64_t x) { return static_cast<T>(x); });
  return v;
}

struct Expected {
  std::vector<int> class_ids;
  std::vector<std::vector<std::uint8_t>> masks;
};

// Brute force: the SPEC 3 table voxel by voxel, and each class's value list.
Expected brute_slice(const std::vector<std::int64_t>& values, std::array<std::size_t, 3> n,
                     const LabelMapping& mapping, Axis axis, std::size_t s) {
  const auto [count, h, w] = test::slice_shape(n, axis);
  Expected e;
  for (const ClassDef& cls : mapping.classes) {
    std::vector<std::uint8_t> mask(h * w, 0);
    bool any = false;
    for (std::size_t r = 0; r < h; ++r) {
      for (std::size_t c = 0; c < w; ++c) {
        const std::int64_t x = values[test::voxel_offset(n, test::voxel_at(axis, s, r, c))];
        if (std::find(cls.values.begin(), cls.values.end(), x) != cls.values.end()) {
          mask[r * w + c] = 1;
          any = true;
        }
      }
    }
    if (any) {
      e.class_ids.push_back(cls.id);
      e.masks.push_back(std::move(mask));
    }
  }
  return e;
}

std::map<std::int64_t, std::uint64_t> brute_unmapped(const std::vector<std::int64_t>& values,
                                                     const LabelMapping& mapping) {
  std::set<std::int64_t> mapped;
  for (const ClassDef& cls : mapping.classes) mapped.insert(cls.values.begin(), cls.values.end());
  std::map<std::int64_t, std::uint64_t> out;
  for (const std::int64_t x : values)
    if (x != 0 && !mapped.count(x)) ++out[x];
  return out;
}

void check_against_brute(const LabelIndex& index, const std::vector<std::int64_t>& values,
                         std::array<std::size_t, 3> n, const LabelMapping& mapping) {
  EXPECT_EQ(index.size(), n);
  EXPECT_EQ(index.unmapped_counts(), brute_unmapped(values, mapping));
  for (Axis axis : {Axis::X, Axis::Y, Axis::Z}) {
    for (std::size_t s = 0; s < slice_count(n, axis); ++s) {
      const Expected e = brute_slice(values, n, mapping, axis, s);
      EXPECT_EQ(index.slice_has_labels(axis, s), !e.class_ids.empty())
          << axis_letter(axis) << "_" << s;
      const auto got = index.class_masks(axis, s);
      ASSERT_EQ(got.size(), e.class_ids.size()) << axis_letter(axis) << "_" << s;
      for (std::size_t c = 0; c < got.size(); ++c) {
        EXPECT_EQ(got[c].cls->id, e.class_ids[c]) << axis_letter(axis) << "_" << s;
        EXPECT_EQ(got[c].mask, e.masks[c])
            << axis_letter(axis) << "_" << s << " class " << e.class_ids[c];
      }
    }
  }
}

// Classes in ascending id: two single-value classes, one two-value class, a union of the first
// two, and a class sharing a value with another (a value in several classes).
LabelMapping mapping_for(const std::vector<std::int64_t>& v) {
  LabelMapping m;
  m.classes.push_back(make_class("a", 3, {v[0]}));
  m.classes.push_back(make_class("b", 7, {v[1]}));
  m.classes.push_back(make_class("c", 12, {v[2], v[3]}));
  m.classes.push_back(make_class("a_or_b", 40, {v[0], v[1]}));
  m.classes.push_back(make_class("d", 1234, {v[3]}));
  return m;
}

template <class T>
void random_volume_test(const std::vector<std::int64_t>& mapped,
                        const std::vector<std::int64_t>& unmapped, unsigned seed) {
  std::mt19937 rng(seed);
  const std::array<std::size_t, 3> n{7, 5, 6};
  std::vector<std::int64_t> pool = mapped;
  pool.insert(pool.end(), unmapped.begin(), unmapped.end());
  std::uniform_int_distribution<std::size_t> pick(0, pool.size() - 1);
  std::bernoulli_distribution background(0.6);
  std::vector<std::int64_t> values(n[0] * n[1] * n[2]);
  for (auto& x : values) x = background(rng) ? 0 : pool[pick(rng)];
  // Keep a whole slice of each family free of labels so that "no labels" is exercised.
  for (std::size_t j = 0; j < n[1]; ++j)
    for (std::size_t i = 0; i < n[0]; ++i) values[i + n[0] * (j + n[1] * 2)] = 0;
  const LabelMapping mapping = mapping_for(mapped);
  const Volume label = make_label<T>(n, values);
  const LabelIndex index(label, mapping, "label.nii.gz");
  check_against_brute(index, values, n, mapping);
  EXPECT_FALSE(index.slice_has_labels(Axis::X, 2));
  EXPECT_TRUE(index.class_masks(Axis::X, 2).empty());
}

TEST(LabelIndexTest, MatchesBruteForceForEveryIntegerType) {
  for (unsigned seed = 1; seed <= 5; ++seed) {
    random_volume_test<std::uint8_t>({1, 2, 3, 4}, {5, 200}, seed);
    random_volume_test<std::int8_t>({-3, 2, 1, 100}, {-128, 127}, seed);
    // MM-WHS values in uint16
    random_volume_test<std::uint16_t>({205, 420, 500, 850}, {550, 600, 65535}, seed);
    random_volume_test<std::int16_t>({-1000, 1, 2, 3000}, {-1, 4}, seed);
    random_volume_test<std::uint32_t>({1, 70000, 3, 4'000'000'000}, {2, 5}, seed);
    random_volume_test<std::int32_t>({-70000, 2, 3, 4}, {-2'000'000'000, 9}, seed);
    random_volume_test<std::uint64_t>({1, 2, 3, 4}, {1ll << 40, 5}, seed);
    random_volume_test<std::int64_t>({-5, 2, 3, 4}, {-(1ll << 50), 6}, seed);
  }
}

TEST(LabelIndexTest, WideValueRangeUsesNoDenseTable) {
  for (unsigned seed = 1; seed <= 5; ++seed) {
    random_volume_test<std::int64_t>({5'000'000'000, 1, -7'000'000'000, 2}, {3, 9'000'000'000},
                                     seed);
    random_volume_test<std::int64_t>(
        {std::numeric_limits<std::int64_t>::min(), 1, std::numeric_limits<std::int64_t>::max(), 2},
        {3, -1}, seed);
    random_volume_test<std::uint32_t>({0xFFFFFFFFu, 1, 2, 70000}, {3, 0x80000000u}, seed);
  }
}

TEST(LabelIndexTest, IntegralFloatLabelsAreAccepted) {
  for (unsigned seed = 1; seed <= 5; ++seed) {
    random_volume_test<float>({1, 2, -3, 16'777'216}, {4, 1000}, seed);
    random_volume_test<double>({1, 2, -3, 5'000'000'000}, {4, -1000}, seed);
  }
}

TEST(LabelIndexTest, NonIntegralFloatLabelIsAnInputError) {
  const LabelMapping mapping = mapping_for({1, 2, 3, 4});
  std::vector<float> values(2 * 3 * 4, 1.0f);
  values[1 + 2 * (2 + 3 * 3)] = 2.5f;  // voxel (1, 2, 3)
  Volume label(VoxelType::Float32, {2, 3, 4}, 1, true);
  std::copy(values.begin(), values.end(), label.data<float>());
  EXPECT_EQ(test::error_of<InputError>(
                [&] { LabelIndex index(label, mapping, "case7/seg.nii.gz"); }, "2.5 accepted"),
            "case7/seg.nii.gz: label map holds non-integral value 2.5 at voxel (1,2,3); "
            "labels must be integers");
  label.data<float>()[5] = std::numeric_limits<float>::quiet_NaN();
  const std::string nan_error = test::error_of<InputError>(
      [&] { LabelIndex index(label, mapping, "seg.nii"); }, "NaN accepted");
  EXPECT_NE(nan_error.find("seg.nii: label map holds non-integral value nan"), std::string::npos)
      << nan_error;
}

TEST(LabelIndexTest, ValuesBeyondInt64AreAnInputError) {
  const LabelMapping mapping = mapping_for({1, 2, 3, 4});
  Volume u(VoxelType::UInt64, {2, 1, 1}, 1, true);
  u.data<std::uint64_t>()[0] = 1;
  u.data<std::uint64_t>()[1] = 1ull << 63;
  EXPECT_THROW(LabelIndex(u, mapping, "big.nrrd"), InputError);
  Volume d(VoxelType::Float64, {2, 1, 1}, 1, true);
  d.data<double>()[0] = 1;
  d.data<double>()[1] = 1e30;
  EXPECT_THROW(LabelIndex(d, mapping, "big.nrrd"), InputError);
}

TEST(LabelIndexTest, MultiComponentLabelIsAnInputError) {
  const LabelMapping mapping = mapping_for({1, 2, 3, 4});
  Volume label(VoxelType::UInt8, {2, 2, 2}, 3, true);
  std::fill_n(label.data<std::uint8_t>(), label.element_count(), 0);
  const std::string error = test::error_of<InputError>(
      [&] { LabelIndex index(label, mapping, "rgb_label.png"); }, "3 components accepted");
  EXPECT_EQ(error.rfind("rgb_label.png: ", 0), 0u) << error;
}

TEST(LabelIndexTest, UnmappedValuesAreCountedNotClassed) {
  LabelMapping mapping;
  mapping.classes.push_back(make_class("liver", 3, {1}));
  // 0 is background, 2 and -4 are unmapped.
  const std::vector<std::int64_t> values{0, 1, 2, 2, -4, 0, 1, 2};
  const Volume label = make_label<std::int16_t>({2, 2, 2}, values);
  const LabelIndex index(label, mapping, "l.nii");
  EXPECT_EQ(index.unmapped_counts(), (std::map<std::int64_t, std::uint64_t>{{-4, 1}, {2, 3}}));
  // z_0 holds voxels (0, *, *) = values 0, 2, -4, 1 -> liver present
  EXPECT_TRUE(index.slice_has_labels(Axis::Z, 0));
  // y_1 holds j = 1: values 2, 2 (k=0), 1, 2 (k=1)
  const auto masks = index.class_masks(Axis::Y, 1);
  ASSERT_EQ(masks.size(), 1u);
  EXPECT_EQ(masks[0].mask, (std::vector<std::uint8_t>{0, 0, 1, 0}));
}

TEST(LabelIndexTest, AnEmptyMappingFindsNothing) {
  const LabelMapping mapping;
  const Volume label = make_label<std::uint8_t>({2, 1, 1}, {0, 5});
  const LabelIndex index(label, mapping, "l.nii");
  EXPECT_FALSE(index.slice_has_labels(Axis::X, 0));
  EXPECT_EQ(index.unmapped_counts(), (std::map<std::int64_t, std::uint64_t>{{5, 1}}));
}

TEST(LabelIndexTest, ConcurrentClassMasksAgree) {
  std::mt19937 rng(9);
  const std::array<std::size_t, 3> n{40, 30, 20};
  std::uniform_int_distribution<std::int64_t> val(0, 6);
  std::vector<std::int64_t> values(n[0] * n[1] * n[2]);
  for (auto& x : values) x = val(rng);
  const LabelMapping mapping = mapping_for({1, 2, 3, 4});
  const Volume label = make_label<std::uint16_t>(n, values);
  const LabelIndex index(label, mapping, "l.nii");
  std::vector<std::vector<std::vector<LabelIndex::ClassSlice>>> results(4);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < results.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 5; ++round)
        for (std::size_t s = 0; s < n[0]; ++s) {
          auto masks = index.class_masks(Axis::Z, s);
          if (round == 0) results[t].push_back(std::move(masks));
        }
    });
  }
  for (auto& th : threads) th.join();
  for (std::size_t s = 0; s < n[0]; ++s) {
    const Expected e = brute_slice(values, n, mapping, Axis::Z, s);
    for (const auto& r : results) {
      ASSERT_EQ(r[s].size(), e.masks.size());
      for (std::size_t c = 0; c < e.masks.size(); ++c) EXPECT_EQ(r[s][c].mask, e.masks[c]);
    }
  }
}

}  // namespace
}  // namespace samed2d
