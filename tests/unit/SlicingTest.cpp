// extract_slice against a brute-force reading of the SPEC 3 table, for every voxel type and for
// interleaved and planar (4D-style) components.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "pipeline/slicing/SliceOps.hpp"
#include "support/SliceTable.hpp"

namespace samed2d {
namespace {

// A distinct value per (component, voxel), representable exactly in T; float volumes also get
// NaN and infinities at a few voxels.
template <class T>
T value_of(std::size_t c, std::size_t i, std::size_t j, std::size_t k,
           const std::array<std::size_t, 3>& n) {
  const auto serial = static_cast<std::int64_t>(i + n[0] * (j + n[1] * k) + c * n[0] * n[1] * n[2]);
  if constexpr (std::is_floating_point_v<T>) {
    if (serial == 7) return std::numeric_limits<T>::quiet_NaN();
    if (serial == 11) return std::numeric_limits<T>::infinity();
    if (serial == 13) return -std::numeric_limits<T>::infinity();
    return static_cast<T>(serial) * static_cast<T>(-1.5) + static_cast<T>(0.25);
  } else if constexpr (std::is_same_v<T, std::int8_t>) {
    return static_cast<T>(serial - 100);
  } else if constexpr (std::is_same_v<T, std::uint8_t>) {
    return static_cast<T>(serial + 3);
  } else if constexpr (std::is_same_v<T, std::int64_t>) {
    return static_cast<T>(-5'000'000'000'000 - serial * 1'000'003);
  } else if constexpr (std::is_same_v<T, std::uint64_t>) {
    return static_cast<T>(9'000'000'000'000 + serial * 999'983);
  } else if constexpr (std::is_signed_v<T>) {
    return static_cast<T>(-(serial * 97) + 1000);
  } else {
    return static_cast<T>(serial * 101 + 7);
  }
}

template <class T>
Volume make_volume(std::array<std::size_t, 3> n, std::size_t comps, bool interleaved) {
  Volume v(voxel_type_of<T>(), n, comps, interleaved);
  T* p = v.data<T>();
  for (std::size_t c = 0; c < comps; ++c)
    for (std::size_t k = 0; k < n[2]; ++k)
      for (std::size_t j = 0; j < n[1]; ++j)
        for (std::size_t i = 0; i < n[0]; ++i)
          p[c * v.component_stride() + (i + n[0] * (j + n[1] * k)) * v.voxel_stride()] =
              value_of<T>(c, i, j, k, n);
  return v;
}

bool same_double(double a, double b) {
  return std::memcmp(&a, &b, sizeof a) == 0 || (std::isnan(a) && std::isnan(b));
}

// Brute force: SPEC 3 table, one voxel at a time.
template <class T>
void check_all_slices(const Volume& v) {
  const auto& n = v.size();
  std::vector<double> out;
  for (std::size_t c = 0; c < v.components(); ++c) {
    for (Axis axis : {Axis::X, Axis::Y, Axis::Z}) {
      const auto [count, h, w] = test::slice_shape(n, axis);
      for (std::size_t s = 0; s < count; ++s) {
        extract_slice(v, c, axis, s, out);
        ASSERT_EQ(out.size(), h * w);
        for (std::size_t r = 0; r < h; ++r) {
          for (std::size_t col = 0; col < w; ++col) {
            const auto [i, j, k] = test::voxel_at(axis, s, r, col);
            const double expected = static_cast<double>(value_of<T>(c, i, j, k, n));
            ASSERT_TRUE(same_double(out[r * w + col], expected))
                << axis_letter(axis) << "_" << s << " c" << c << " row " << r << " col " << col
                << ": got " << out[r * w + col] << ", expected " << expected;
          }
        }
      }
    }
  }
}

template <class T>
class SlicingTest : public ::testing::Test {};
TYPED_TEST_SUITE(SlicingTest, test::AllVoxelTypes);

TYPED_TEST(SlicingTest, SingleComponentMatchesTable) {
  check_all_slices<TypeParam>(make_volume<TypeParam>({3, 4, 5}, 1, true));
}

TYPED_TEST(SlicingTest, InterleavedComponentsMatchTable) {
  check_all_slices<TypeParam>(make_volume<TypeParam>({4, 3, 5}, 2, true));
}

TYPED_TEST(SlicingTest, PlanarComponentsMatchTable) {
  check_all_slices<TypeParam>(make_volume<TypeParam>({5, 4, 3}, 2, false));
}

TEST(SlicingTest, ShapesFollowTheTable) {
  const Volume v = make_volume<std::int16_t>({6, 7, 8}, 1, true);
  std::vector<double> out;
  extract_slice(v, 0, Axis::X, 0, out);
  EXPECT_EQ(out.size(), 7u * 6u);
  extract_slice(v, 0, Axis::Y, 0, out);
  EXPECT_EQ(out.size(), 8u * 6u);
  extract_slice(v, 0, Axis::Z, 0, out);
  EXPECT_EQ(out.size(), 8u * 7u);
  // x_s row 1 starts at voxel (0, 1, s): the row is j, not k.
  extract_slice(v, 0, Axis::X, 2, out);
  EXPECT_EQ(out[6], static_cast<double>(value_of<std::int16_t>(0, 0, 1, 2, v.size())));
  // z_s column 1 is voxel (s, 1, 0): the column is j.
  extract_slice(v, 0, Axis::Z, 3, out);
  EXPECT_EQ(out[1], static_cast<double>(value_of<std::int16_t>(0, 3, 1, 0, v.size())));
}

TEST(SlicingTest, RejectsSliceOrComponentOutOfRange) {
  const Volume v = make_volume<std::uint8_t>({3, 4, 5}, 2, false);
  std::vector<double> out;
  EXPECT_THROW(extract_slice(v, 0, Axis::X, 5, out), std::out_of_range);
  EXPECT_THROW(extract_slice(v, 0, Axis::Y, 4, out), std::out_of_range);
  EXPECT_THROW(extract_slice(v, 0, Axis::Z, 3, out), std::out_of_range);
  EXPECT_THROW(extract_slice(v, 2, Axis::X, 0, out), std::out_of_range);
  EXPECT_NO_THROW(extract_slice(v, 1, Axis::Z, 2, out));
}

}  // namespace
}  // namespace samed2d
