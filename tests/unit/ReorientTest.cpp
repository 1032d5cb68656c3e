// reorient checked by physical position: the same voxel value must sit at the same physical point
// (origin + direction * (spacing * index)) before and after.

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "pipeline/core/Errors.hpp"
#include "pipeline/slicing/SliceOps.hpp"
#include "support/ErrorOf.hpp"
#include "support/SliceTable.hpp"

namespace samed2d {
namespace {

using Point = std::array<double, 3>;

Point physical(const Geometry& g, std::size_t i, std::size_t j, std::size_t k) {
  const double idx[3] = {static_cast<double>(i), static_cast<double>(j), static_cast<double>(k)};
  Point p = g.origin;
  for (int r = 0; r < 3; ++r)
    for (int d = 0; d < 3; ++d) p[r] += g.direction[r * 3 + d] * g.spacing[d] * idx[d];
  return p;
}

template <class T>
double element(const Volume& v, std::size_t c, std::size_t i, std::size_t j, std::size_t k) {
  const auto& n = v.size();
  return static_cast<double>(
      v.data<T>()[c * v.component_stride() + (i + n[0] * (j + n[1] * k)) * v.voxel_stride()]);
}

template <class T>
Volume make_volume(std::array<std::size_t, 3> n, std::size_t comps, bool interleaved,
                   const std::array<double, 9>& direction) {
  Volume v(voxel_type_of<T>(), n, comps, interleaved);
  T* p = v.data<T>();
  // distinct per element, small enough for int8
  for (std::size_t e = 0; e < v.element_count(); ++e)
    p[e] = static_cast<T>(static_cast<int>(e % 250) - (std::is_signed_v<T> ? 120 : 0));
  v.geometry.origin = {10, -20, 30};
  v.geometry.spacing = {0.5, 2, 3};
  v.geometry.direction = direction;
  v.stored_dimensions = comps > 1 && !interleaved ? 4 : 3;
  return v;
}

// For every voxel of `out`, the voxel of `in` at the same physical point holds the same values.
template <class T>
void expect_same_physical_content(const Volume& in, const Volume& out) {
  ASSERT_EQ(in.voxel_count(), out.voxel_count());
  ASSERT_EQ(in.components(), out.components());
  EXPECT_EQ(in.voxel_stride(), out.voxel_stride());
  EXPECT_EQ(in.stored_dimensions, out.stored_dimensions);
  const auto& n = in.size();
  const auto& m = out.size();
  std::size_t matched = 0;
  for (std::size_t k = 0; k < m[2]; ++k)
    for (std::size_t j = 0; j < m[1]; ++j)
      for (std::size_t i = 0; i < m[0]; ++i) {
        const Point p = physical(out.geometry, i, j, k);
        bool found = false;
        for (std::size_t c2 = 0; c2 < n[2] && !found; ++c2)
          for (std::size_t b = 0; b < n[1] && !found; ++b)
            for (std::size_t a = 0; a < n[0] && !found; ++a) {
              const Point q = physical(in.geometry, a, b, c2);
              if (std::fabs(p[0] - q[0]) + std::fabs(p[1] - q[1]) + std::fabs(p[2] - q[2]) > 1e-9)
                continue;
              found = true;
              for (std::size_t c = 0; c < in.components(); ++c)
                EXPECT_EQ(element<T>(out, c, i, j, k), element<T>(in, c, a, b, c2))
                    << "new (" << i << "," << j << "," << k << ") old (" << a << "," << b << ","
                    << c2 << ") component " << c;
            }
        EXPECT_TRUE(found) << "new voxel (" << i << "," << j << "," << k << ") not in the input";
        matched += found;
      }
  EXPECT_EQ(matched, out.voxel_count());
}

// Index axis 0 -> physical -y, axis 1 -> +z, axis 2 -> -x (columns of the row-major matrix).
constexpr std::array<double, 9> kPermutingFlip{0,  0, -1,  //
                                               -1, 0, 0,   //
                                               0,  1, 0};

// The dominant physical axis of each new index axis and its sign.
void expect_axes(const Volume& v, const std::array<double, 3>& signs) {
  for (int n = 0; n < 3; ++n) {
    for (int p = 0; p < 3; ++p) {
      if (p == n) continue;
      EXPECT_LT(std::fabs(v.geometry.direction[p * 3 + n]),
                std::fabs(v.geometry.direction[n * 3 + n]))
          << "axis " << n;
    }
    EXPECT_GT(v.geometry.direction[n * 3 + n] * signs[n], 0) << "axis " << n;
  }
}

TEST(ReorientTest, PermutesAndFlipsToRas) {
  const Volume in = make_volume<std::int16_t>({3, 4, 5}, 1, true, kPermutingFlip);
  const Volume out = reorient(in, Orientation::RAS);
  // new axis 0 (R, -x) is old axis 2; new 1 (A, -y) old 0; new 2 (S, +z) old 1
  EXPECT_EQ(out.size(), (std::array<std::size_t, 3>{5, 3, 4}));
  EXPECT_EQ(out.geometry.spacing, (std::array<double, 3>{3, 0.5, 2}));
  EXPECT_EQ(out.geometry.direction, (std::array<double, 9>{-1, 0, 0, 0, -1, 0, 0, 0, 1}));
  expect_axes(out, {-1, -1, 1});
  expect_same_physical_content<std::int16_t>(in, out);
}

TEST(ReorientTest, PermutesAndFlipsToLps) {
  const Volume in = make_volume<std::int16_t>({3, 4, 5}, 1, true, kPermutingFlip);
  const Volume out = reorient(in, Orientation::LPS);
  EXPECT_EQ(out.size(), (std::array<std::size_t, 3>{5, 3, 4}));
  EXPECT_EQ(out.geometry.direction, (std::array<double, 9>{1, 0, 0, 0, 1, 0, 0, 0, 1}));
  // old axes 2 and 0 are flipped: the new first voxel is old (2, 0, 4)
  const Point first = physical(in.geometry, 2, 0, 4);
  for (int p = 0; p < 3; ++p) EXPECT_DOUBLE_EQ(out.geometry.origin[p], first[p]);
  expect_same_physical_content<std::int16_t>(in, out);
}

TEST(ReorientTest, ObliqueDirectionUsesDominantAxes) {
  // Rotation by 20 degrees about z, then the permutation above.
  const double c = std::cos(0.349066), s = std::sin(0.349066);
  const std::array<double, 9> rot{c, -s, 0, s, c, 0, 0, 0, 1};
  std::array<double, 9> dir{};
  for (int r = 0; r < 3; ++r)
    for (int d = 0; d < 3; ++d)
      for (int m = 0; m < 3; ++m) dir[r * 3 + d] += rot[r * 3 + m] * kPermutingFlip[m * 3 + d];
  const Volume in = make_volume<float>({4, 3, 2}, 1, true, dir);
  const Volume out = reorient(in, Orientation::RAS);
  EXPECT_EQ(out.size(), (std::array<std::size_t, 3>{2, 4, 3}));
  expect_axes(out, {-1, -1, 1});
  expect_same_physical_content<float>(in, out);
}

TEST(ReorientTest, KeepsInterleavedAndPlanarComponents) {
  for (bool interleaved : {true, false}) {
    const Volume in = make_volume<std::uint16_t>({3, 2, 4}, 2, interleaved, kPermutingFlip);
    const Volume out = reorient(in, Orientation::RAS);
    EXPECT_EQ(out.component_stride(), interleaved ? 1u : out.voxel_count());
    expect_same_physical_content<std::uint16_t>(in, out);
  }
}

template <class T>
class ReorientTypedTest : public ::testing::Test {};
TYPED_TEST_SUITE(ReorientTypedTest, test::AllVoxelTypes);

TYPED_TEST(ReorientTypedTest, EveryVoxelTypeMoves) {
  const Volume in = make_volume<TypeParam>({2, 3, 4}, 1, true, {-1, 0, 0, 0, 1, 0, 0, 0, -1});
  const Volume out = reorient(in, Orientation::LPS);
  EXPECT_EQ(out.type(), in.type());
  EXPECT_EQ(out.size(), in.size());
  EXPECT_EQ(element<TypeParam>(out, 0, 0, 0, 0), element<TypeParam>(in, 0, 1, 0, 3));
  expect_same_physical_content<TypeParam>(in, out);
}

TEST(ReorientTest, AsStoredIsAnIdenticalCopy) {
  const Volume in = make_volume<double>({3, 4, 5}, 2, false, kPermutingFlip);
  const Volume out = reorient(in, Orientation::AsStored);
  EXPECT_EQ(out.size(), in.size());
  EXPECT_EQ(out.type(), in.type());
  EXPECT_EQ(out.components(), in.components());
  EXPECT_EQ(out.voxel_stride(), in.voxel_stride());
  EXPECT_EQ(out.stored_dimensions, in.stored_dimensions);
  EXPECT_EQ(out.geometry.direction, in.geometry.direction);
  EXPECT_EQ(out.geometry.origin, in.geometry.origin);
  EXPECT_EQ(out.geometry.spacing, in.geometry.spacing);
  EXPECT_NE(out.raw(), in.raw());
  EXPECT_EQ(std::memcmp(out.raw(), in.raw(), in.byte_size()), 0);
}

TEST(ReorientTest, AlreadyCanonicalIsUnchanged) {
  const Volume in = make_volume<std::int32_t>({3, 4, 5}, 1, true, {1, 0, 0, 0, 1, 0, 0, 0, 1});
  const Volume out = reorient(in, Orientation::LPS);
  EXPECT_EQ(out.size(), in.size());
  EXPECT_EQ(out.geometry.origin, in.geometry.origin);
  EXPECT_EQ(std::memcmp(out.raw(), in.raw(), in.byte_size()), 0);
}

TEST(ReorientTest, DegenerateDirectionIsAnInputError) {
  // Index axes 0 and 1 both mostly along physical x.
  const Volume in = make_volume<std::uint8_t>({2, 2, 2}, 1, true, {1, 0.9, 0, 0, 0.1, 0, 0, 0, 1});
  const std::string error = test::error_of<InputError>(
      [&] { reorient(in, Orientation::RAS, "ct/case1.nii.gz"); }, "degenerate direction accepted");
  EXPECT_EQ(error.rfind("ct/case1.nii.gz: direction matrix", 0), 0u) << error;
  const Volume zero = make_volume<std::uint8_t>({2, 2, 2}, 1, true, {0, 0, 0, 0, 1, 0, 0, 0, 1});
  EXPECT_THROW(reorient(zero, Orientation::LPS), InputError);
}

}  // namespace
}  // namespace samed2d
