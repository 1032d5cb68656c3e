// normalize_to_u8 and finite_range against hand-derived values and an independent long double
// reference (SPEC 4).

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "pipeline/slicing/SliceOps.hpp"

namespace samed2d {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

std::vector<std::uint8_t> normalize(const std::vector<double>& values, const Profile& p,
                                    std::optional<std::pair<double, double>> range = {}) {
  std::vector<std::uint8_t> out;
  normalize_to_u8(values, p.intensity, range, out);
  return out;
}

using Bytes = std::vector<std::uint8_t>;

TEST(IntensityTest, MinMaxSliceOnHounsfieldValues) {
  // m = -1000, M = 3000: (v + 1000) * 255 / 4000.
  const std::vector<double> v{-1000, 0, 1000, 3000, -1000, 40};
  // 1000*255/4000 = 63.75, 2000*255/4000 = 127.5, 1040*255/4000 = 66.3
  EXPECT_EQ(normalize(v, Profile{}), (Bytes{0, 63, 127, 255, 0, 66}));
}

TEST(IntensityTest, MaxMapsTo255AndNegativesWork) {
  const std::vector<double> v{-7.5, -2.5, -0.5};
  // m = -7.5, M = -0.5: (v + 7.5) * 255 / 7; 5 * 255 / 7 = 182.14...
  EXPECT_EQ(normalize(v, Profile{}), (Bytes{0, 182, 255}));
}

// The literal order is the contract even where it rounds against the maximum: with a
// non-integral range, (M - m) * 255.0 / (M - m) can be 254.99999999999997, which floors to 254.
TEST(IntensityTest, MaximumFollowsTheLiteralFormula) {
  std::mt19937_64 rng(1);
  std::uniform_int_distribution<int> cents(1, 1'000'000);
  int below = 0;
  for (int n = 0; n < 10000; ++n) {
    const double m = -cents(rng) / 100.0;
    const double M = cents(rng) / 1000.0;
    const double q = (M - m) * 255.0 / (M - m);
    const Bytes out = normalize({m, M}, Profile{});
    EXPECT_EQ(out[1], q < 255 ? 254 : 255) << m << " " << M;
    below += q < 255;
  }
  EXPECT_GT(below, 0);
  // Integral ranges (all integer voxel types) always reach 255 exactly.
  for (int span = 1; span < 70000; span += 7)
    EXPECT_EQ(normalize({-1024, -1024.0 + span}, Profile{})[1], 255) << span;
}

TEST(IntensityTest, AllEqualSliceIsBlack) {
  EXPECT_EQ(normalize({42, 42, 42, 42}, Profile{}), (Bytes{0, 0, 0, 0}));
  EXPECT_EQ(normalize({-3}, Profile{}), (Bytes{0}));
  EXPECT_TRUE(normalize({}, Profile{}).empty());
}

TEST(IntensityTest, NonFiniteValuesAreBlackAndIgnoredForRange) {
  const std::vector<double> v{kNaN, 10, kInf, 20, -kInf, 15};
  // m = 10, M = 20 from the finite values only; 5 * 255 / 10 = 127.5
  EXPECT_EQ(normalize(v, Profile{}), (Bytes{0, 0, 0, 255, 0, 127}));
  EXPECT_EQ(normalize({kNaN, kInf, -kInf}, Profile{}), (Bytes{0, 0, 0}));
  EXPECT_EQ(normalize({kNaN, 5, kNaN}, Profile{}), (Bytes{0, 0, 0}));
}

// The spec's order, (v - m) * 255 / (M - m), differs in the last bit from multiplying by a
// precomputed 255 / (M - m); find slices where that flips the floor and check the spec wins.
TEST(IntensityTest, DividesLastNotByPrecomputedFactor) {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int> span_dist(1, 5000);
  std::uniform_real_distribution<double> frac(0, 1);
  int found = 0;
  for (int attempt = 0; attempt < 2'000'000 && found < 20; ++attempt) {
    const double m = -static_cast<double>(span_dist(rng)) / 8;
    const double big = m + static_cast<double>(span_dist(rng)) / 4;
    const double M = big;
    // v on an exact grid point k*(M-m)/255 tends to land on the boundary.
    const int k = std::uniform_int_distribution<int>(1, 254)(rng);
    const double v = m + (M - m) * k / 255.0 + (frac(rng) < 0.5 ? 0 : 1e-13);
    if (!(v > m && v < M)) continue;
    const double spec = std::floor((v - m) * 255.0 / (M - m));
    const double factor = std::floor((v - m) * (255.0 / (M - m)));
    if (spec == factor) continue;
    ++found;
    const Bytes out = normalize({m, v, M}, Profile{});
    EXPECT_EQ(out[1], static_cast<std::uint8_t>(spec)) << "m=" << m << " v=" << v << " M=" << M;
    EXPECT_EQ(out[0], 0);
    EXPECT_EQ(out[2], 255);
  }
  EXPECT_GT(found, 0) << "search found no value where the two orders differ";
}

// Independent reference in long double for values where rounding cannot flip the floor.
TEST(IntensityTest, MinMaxSliceMatchesLongDoubleReference) {
  std::mt19937_64 rng(11);
  std::normal_distribution<double> dist(-200, 700);
  for (int round = 0; round < 50; ++round) {
    std::vector<double> v(257);
    for (double& x : v) x = std::round(dist(rng) * 4) / 4;
    const Bytes out = normalize(v, Profile{});
    const long double m = *std::min_element(v.begin(), v.end());
    const long double M = *std::max_element(v.begin(), v.end());
    for (std::size_t n = 0; n < v.size(); ++n) {
      const long double q = (v[n] - m) * 255.0L / (M - m);
      if (std::fabs(q - std::round(q)) < 1e-9L && std::round(q) != 255) continue;
      EXPECT_EQ(out[n], static_cast<int>(std::floor(q))) << "value " << v[n];
    }
  }
}

// The SPEC 4 expression written out, for slices large enough that the implementation may take
// shortcuts for integral values.
std::uint8_t literal(double v, double lo, double hi) {
  if (!std::isfinite(v) || !(hi > lo)) return 0;
  const double c = std::min(hi, std::max(lo, v));
  return static_cast<std::uint8_t>(
      std::min(255.0, std::max(0.0, std::floor((c - lo) * 255.0 / (hi - lo)))));
}

TEST(IntensityTest, LargeIntegralSlicesMatchTheLiteralFormula) {
  std::mt19937_64 rng(23);
  std::uniform_int_distribution<int> hu(-1024, 3071);
  std::vector<double> v(512 * 512);
  for (double& x : v) x = hu(rng);
  v[10] = kNaN;
  v[11] = kInf;
  v[12] = -kInf;
  v[13] = 100.5;  // a fraction among integers
  v[14] = 4e15;   // beyond any table
  v[15] = -1024;
  v[16] = 3071;
  for (const auto& [level, width] : {std::pair{40.0, 400.0}, std::pair{40.5, 401.3},
                                     std::pair{-600.0, 1500.0}, std::pair{1e6, 3.0}}) {
    Profile p;
    p.intensity.mode = IntensityMode::Window;
    p.intensity.window_level = level;
    p.intensity.window_width = width;
    const Bytes out = normalize(v, p);
    const double lo = level - width / 2, hi = level + width / 2;
    for (std::size_t n = 0; n < v.size(); ++n)
      ASSERT_EQ(out[n], literal(v[n], lo, hi))
          << "value " << v[n] << " window " << level << "/" << width;
  }
  Profile p;
  const Bytes out = normalize(v, p);
  double lo = kInf, hi = -kInf;
  for (const double x : v)
    if (std::isfinite(x)) lo = std::min(lo, x), hi = std::max(hi, x);
  for (std::size_t n = 0; n < v.size(); ++n) ASSERT_EQ(out[n], literal(v[n], lo, hi)) << v[n];
  v[14] = 0;
  const Bytes out2 = normalize(v, p);
  EXPECT_EQ(out2[14], literal(0, -1024, 3071));
  for (std::size_t n = 0; n < v.size(); ++n) ASSERT_EQ(out2[n], literal(v[n], -1024, 3071)) << v[n];
}

TEST(IntensityTest, MinMaxVolumeUsesTheGivenRange) {
  Profile p;
  p.intensity.mode = IntensityMode::MinMaxVolume;
  // range -100..300: (v + 100) * 255 / 400; 100 -> 127.5, 0 -> 63.75, 300 -> 255
  EXPECT_EQ(normalize({0, 100, 300, kNaN}, p, std::pair{-100.0, 300.0}), (Bytes{63, 127, 255, 0}));
  // A slice that holds one value is not black in this mode.
  EXPECT_EQ(normalize({100, 100}, p, std::pair{-100.0, 300.0}), (Bytes{127, 127}));
  EXPECT_EQ(normalize({1, 2}, p, std::nullopt), (Bytes{0, 0}));
  EXPECT_EQ(normalize({1, 2}, p, std::pair{5.0, 5.0}), (Bytes{0, 0}));
}

TEST(IntensityTest, WindowClampsToLevelAndWidth) {
  Profile p;
  p.intensity.mode = IntensityMode::Window;
  p.intensity.window_level = 40;
  p.intensity.window_width = 400;  // [-160, 240]
  const std::vector<double> v{-1000, -160, 0, 40, 240, 1000, kInf, kNaN};
  // 160*255/400 = 102, 200*255/400 = 127.5
  EXPECT_EQ(normalize(v, p), (Bytes{0, 0, 102, 127, 255, 255, 0, 0}));
}

TEST(IntensityTest, PercentileInterpolatesLikeNumpy) {
  std::vector<double> four{30, 0, 20, 10};
  // numpy.percentile([0,10,20,30], 50) = 15 (position 1.5); 25 -> 7.5 (position 0.75)
  EXPECT_DOUBLE_EQ(percentile_linear(four, 50), 15);
  EXPECT_DOUBLE_EQ(percentile_linear(four, 25), 7.5);
  EXPECT_DOUBLE_EQ(percentile_linear(four, 0), 0);
  EXPECT_DOUBLE_EQ(percentile_linear(four, 100), 30);
  std::vector<double> one{4};
  EXPECT_DOUBLE_EQ(percentile_linear(one, 37), 4);
}

TEST(IntensityTest, PercentileModeClampsAtThePercentiles) {
  Profile p;
  p.intensity.mode = IntensityMode::Percentile;
  p.intensity.percentile_lower = 10;
  p.intensity.percentile_upper = 90;
  std::vector<double> v;
  for (int x = 0; x <= 100; ++x) v.push_back(x);
  std::shuffle(v.begin(), v.end(), std::mt19937(3));
  v.push_back(kNaN);  // ignored: 101 finite values give percentiles 10 and 90 exactly
  const Bytes out = normalize(v, p);
  for (std::size_t n = 0; n + 1 < v.size(); ++n) {
    const double c = std::clamp(v[n], 10.0, 90.0);
    EXPECT_EQ(out[n], static_cast<int>(std::floor((c - 10) * 255 / 80))) << v[n];
  }
  EXPECT_EQ(out.back(), 0);
}

// Random slices against a full sort and textbook interpolation in long double.
TEST(IntensityTest, PercentileMatchesSortedReference) {
  std::mt19937_64 rng(5);
  std::uniform_int_distribution<int> val(-1024, 3071);
  Profile p;
  p.intensity.mode = IntensityMode::Percentile;
  p.intensity.percentile_lower = 0.5;
  p.intensity.percentile_upper = 99.5;
  for (int round = 0; round < 30; ++round) {
    std::vector<double> v(100 + static_cast<std::size_t>(round) * 37);
    for (double& x : v) x = val(rng);
    std::vector<double> sorted = v;
    std::sort(sorted.begin(), sorted.end());
    auto ref = [&](long double q) {
      const long double pos = q / 100 * static_cast<long double>(sorted.size() - 1);
      const auto i0 = static_cast<std::size_t>(std::floor(pos));
      const std::size_t i1 = std::min(i0 + 1, sorted.size() - 1);
      return sorted[i0] + (sorted[i1] - sorted[i0]) * (pos - static_cast<long double>(i0));
    };
    const long double lo = ref(p.intensity.percentile_lower);
    const long double hi = ref(p.intensity.percentile_upper);
    std::vector<double> scratch = v;
    EXPECT_NEAR(percentile_linear(scratch, p.intensity.percentile_lower), static_cast<double>(lo),
                1e-9);
    scratch = v;
    EXPECT_NEAR(percentile_linear(scratch, p.intensity.percentile_upper), static_cast<double>(hi),
                1e-9);
    const Bytes out = normalize(v, p);
    for (std::size_t n = 0; n < v.size(); ++n) {
      const long double c = std::clamp<long double>(v[n], lo, hi);
      const long double q = (c - lo) * 255 / (hi - lo);
      if (q != 0 && std::fabs(q - std::round(q)) < 1e-7L) continue;
      EXPECT_EQ(out[n], static_cast<int>(std::floor(q))) << v[n];
    }
  }
}

TEST(IntensityTest, FiniteRangeSkipsNonFiniteAndReadsOneComponent) {
  Volume f(VoxelType::Float32, {2, 2, 1}, 2, true);
  float* p = f.data<float>();
  // interleaved: component 0 at even elements, component 1 at odd ones
  const float c0[] = {std::numeric_limits<float>::quiet_NaN(), -2.5f, 7,
                      std::numeric_limits<float>::infinity()};
  const float c1[] = {100, 200, -300, 50};
  for (int n = 0; n < 4; ++n) p[2 * n] = c0[n], p[2 * n + 1] = c1[n];
  EXPECT_EQ(finite_range(f, 0), (std::pair{-2.5, 7.0}));
  EXPECT_EQ(finite_range(f, 1), (std::pair{-300.0, 200.0}));

  Volume nan_only(VoxelType::Float64, {2, 1, 1}, 1, true);
  nan_only.data<double>()[0] = kNaN;
  nan_only.data<double>()[1] = -kInf;
  EXPECT_FALSE(finite_range(nan_only, 0).has_value());

  Volume planar(VoxelType::Int16, {3, 1, 1}, 2, false);
  const std::int16_t vals[] = {-1024, 5, 3071, 9, -9, 0};
  std::copy(std::begin(vals), std::end(vals), planar.data<std::int16_t>());
  EXPECT_EQ(finite_range(planar, 0), (std::pair{-1024.0, 3071.0}));
  EXPECT_EQ(finite_range(planar, 1), (std::pair{-9.0, 9.0}));

  Volume big(VoxelType::Int64, {2, 1, 1}, 1, true);
  big.data<std::int64_t>()[0] = -5'000'000'000;
  big.data<std::int64_t>()[1] = 5'000'000'000;
  EXPECT_EQ(finite_range(big, 0), (std::pair{-5e9, 5e9}));
}

// normalize_slice_direct reads 8- and 16-bit integer slices straight from the voxels; it must
// give exactly what extracting the slice as doubles and normalize_to_u8 give, on every axis and
// for every mode it takes, and decline the types and modes it does not take.
template <class T>
Volume random_volume(std::array<std::size_t, 3> size, std::size_t components, std::uint32_t seed,
                     long lo, long hi) {
  Volume v(voxel_type_of<T>(), size, components, true);
  std::mt19937 rng(seed);
  std::uniform_int_distribution<long> value(lo, hi);
  T* p = v.data<T>();
  for (std::size_t e = 0; e < v.element_count(); ++e) p[e] = static_cast<T>(value(rng));
  return v;
}

void expect_direct_equals_general(const Volume& v, const IntensityOptions& o) {
  for (std::size_t c = 0; c < v.components(); ++c) {
    const auto range = finite_range(v, c);
    for (Axis axis : {Axis::X, Axis::Y, Axis::Z})
      for (std::size_t s = 0; s < slice_count(v.size(), axis); ++s) {
        std::vector<double> values;
        Bytes general, direct;
        extract_slice(v, c, axis, s, values);
        normalize_to_u8(values, o, range, general);
        ASSERT_TRUE(normalize_slice_direct(v, c, axis, s, o, range, direct));
        ASSERT_EQ(direct, general) << "mode " << static_cast<int>(o.mode) << " axis "
                                   << axis_letter(axis) << " slice " << s << " component " << c;
      }
  }
}

TEST(IntensityTest, DirectIntegerSlicesEqualTheGeneralPath) {
  IntensityOptions window;
  window.mode = IntensityMode::Window;
  window.window_level = 40;
  window.window_width = 400;
  IntensityOptions volume;
  volume.mode = IntensityMode::MinMaxVolume;
  for (const IntensityOptions& o : {IntensityOptions{}, window, volume}) {
    expect_direct_equals_general(random_volume<std::int16_t>({9, 7, 5}, 1, 1, -1024, 3000), o);
    expect_direct_equals_general(random_volume<std::uint16_t>({6, 8, 4}, 2, 2, 0, 65535), o);
    expect_direct_equals_general(random_volume<std::uint8_t>({5, 5, 6}, 3, 3, 0, 255), o);
    expect_direct_equals_general(random_volume<std::int8_t>({4, 6, 5}, 1, 4, -128, 127), o);
    // A constant slice is black; values outside the window clamp.
    expect_direct_equals_general(random_volume<std::int16_t>({4, 4, 4}, 1, 5, 7, 7), o);
    expect_direct_equals_general(random_volume<std::int16_t>({5, 4, 3}, 1, 6, -2000, -1500), o);
  }
}

TEST(IntensityTest, DirectPathDeclinesWhatItDoesNotTake) {
  Bytes out;
  const Volume i16 = random_volume<std::int16_t>({4, 4, 4}, 1, 7, 0, 100);
  IntensityOptions percentile;
  percentile.mode = IntensityMode::Percentile;
  percentile.percentile_upper = 99;
  EXPECT_FALSE(normalize_slice_direct(i16, 0, Axis::X, 0, percentile, std::nullopt, out));
  const Volume i32 = random_volume<std::int32_t>({4, 4, 4}, 1, 8, 0, 100);
  EXPECT_FALSE(normalize_slice_direct(i32, 0, Axis::X, 0, IntensityOptions{}, std::nullopt, out));
  Volume f(VoxelType::Float32, {4, 4, 4}, 1, true);
  std::fill(f.data<float>(), f.data<float>() + 64, 1.5f);
  EXPECT_FALSE(normalize_slice_direct(f, 0, Axis::X, 0, IntensityOptions{}, std::nullopt, out));
}

}  // namespace
}  // namespace samed2d
