// SliceFrame: square pixels, fixed sizes with padding or stretching, and the two resamplers that
// share one frame. Sizes are checked against the README's rule (half up), pixel values against
// the interpolation formula, masks for staying binary and on their image.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "pipeline/slicing/SliceFrame.hpp"

namespace samed2d {
namespace {

double d(std::size_t x) {
  return static_cast<double>(x);
}

Profile isotropic() {
  Profile p;
  p.pixel_spacing = PixelSpacing::Isotropic;
  return p;
}

Profile sized(std::size_t n, Fit fit, bool square = false) {
  Profile p = square ? isotropic() : Profile{};
  p.size = n;
  p.fit = fit;
  return p;
}

TEST(SliceFrameTest, SliceSpacingFollowsTheSpecTable) {
  const std::array<double, 3> s{0.5, 0.7, 3.0};                    // i, j, k
  EXPECT_EQ(slice_spacing(s, Axis::X), std::make_pair(0.7, 0.5));  // rows j, columns i
  EXPECT_EQ(slice_spacing(s, Axis::Y), std::make_pair(3.0, 0.5));  // rows k, columns i
  EXPECT_EQ(slice_spacing(s, Axis::Z), std::make_pair(3.0, 0.7));  // rows k, columns j
}

TEST(SliceFrameTest, AsStoredWithoutSizeIsTheIdentity) {
  const auto f = slice_frame(8, 216, {10.0, 1.5625}, Profile{});
  EXPECT_TRUE(f.identity());
  EXPECT_EQ(f.out_height, 8u);
  EXPECT_EQ(f.out_width, 216u);
}

TEST(SliceFrameTest, IsotropicKeepsTheFinerSpacingAndRoundsHalfUp) {
  // ACDC: 8 slices of 10 mm against pixels of 1.5625 mm: 80 / 1.5625 = 51.2 rows.
  const auto acdc = slice_frame(8, 216, {10.0, 1.5625}, isotropic());
  EXPECT_EQ(acdc.shape_height, 51u);
  EXPECT_EQ(acdc.shape_width, 216u);
  EXPECT_EQ(acdc.out_height, 51u);
  EXPECT_FALSE(acdc.identity());
  // Columns coarser than rows: the width grows. 10 x 2.25 / 1.5 = 15 exactly; 3 x 2.5 / 1 = 7.5
  // rounds up to 8.
  EXPECT_EQ(slice_frame(4, 10, {1.5, 2.25}, isotropic()).shape_width, 15u);
  EXPECT_EQ(slice_frame(4, 3, {1.0, 2.5}, isotropic()).shape_width, 8u);
  EXPECT_EQ(slice_frame(4, 3, {1.0, 2.5}, isotropic()).shape_height, 4u);
  // Square pixels already: nothing changes.
  EXPECT_TRUE(slice_frame(7, 9, {0.8, 0.8}, isotropic()).identity());
}

TEST(SliceFrameTest, PadScalesTheLongerSideToNAndCentres) {
  // 217 x 181 onto 256: the longer side 256, the other round(181 * 256 / 217) = round(213.5...)
  const auto f = slice_frame(217, 181, {1, 1}, sized(256, Fit::Pad));
  EXPECT_EQ(f.out_height, 256u);
  EXPECT_EQ(f.out_width, 256u);
  EXPECT_EQ(f.content_height, 256u);
  EXPECT_EQ(f.content_width, static_cast<std::size_t>(std::floor(181.0 * 256 / 217 + 0.5)));
  EXPECT_EQ(f.top, 0u);
  EXPECT_EQ(f.left, (256 - f.content_width) / 2);
  // A wide slice: content rows centred, rounding the offset down.
  const auto wide = slice_frame(51, 216, {1, 1}, sized(1024, Fit::Pad));
  EXPECT_EQ(wide.content_width, 1024u);
  EXPECT_EQ(wide.content_height, 242u);  // 51 * 1024 / 216 = 241.78
  EXPECT_EQ(wide.top, 391u);             // (1024 - 242) / 2
  EXPECT_EQ(wide.left, 0u);
  // Square pixels first, then the fit: the padded content keeps the physical proportions.
  const auto acdc = slice_frame(8, 216, {10.0, 1.5625}, sized(256, Fit::Pad, true));
  EXPECT_EQ(acdc.shape_height, 51u);
  EXPECT_EQ(acdc.content_height, 60u);  // 51 * 256 / 216 = 60.44
  EXPECT_EQ(acdc.content_width, 256u);
}

TEST(SliceFrameTest, StretchFillsTheCanvas) {
  const auto f = slice_frame(8, 216, {10.0, 1.5625}, sized(256, Fit::Stretch));
  EXPECT_EQ(f.content_height, 256u);
  EXPECT_EQ(f.content_width, 256u);
  EXPECT_EQ(f.top, 0u);
  EXPECT_EQ(f.left, 0u);
  // A slice already N x N is left alone.
  EXPECT_TRUE(slice_frame(256, 256, {1, 1}, sized(256, Fit::Stretch)).identity());
  EXPECT_TRUE(slice_frame(256, 256, {1, 1}, sized(256, Fit::Pad)).identity());
}

TEST(SliceFrameTest, LinearResamplingReproducesALinearRamp) {
  // v(r, c) = 3r + 5c is linear, so every interior sample is exactly the formula at the sample's
  // stored position; samples beyond the outer pixel centres are clamped to the edge.
  const std::size_t h = 6, w = 4;
  std::vector<double> in(h * w);
  for (std::size_t r = 0; r < h; ++r)
    for (std::size_t c = 0; c < w; ++c) in[r * w + c] = 3.0 * d(r) + 5.0 * d(c);
  Profile p;
  p.size = 15;
  p.fit = Fit::Stretch;
  const auto f = slice_frame(h, w, {1, 1}, p);
  std::vector<double> out;
  resample_linear(in.data(), f, out);
  ASSERT_EQ(out.size(), 15u * 15u);
  const auto at = [](std::size_t o, std::size_t n, std::size_t m) {
    const double y = (d(o) + 0.5) * d(n) / d(m) - 0.5;
    return std::clamp(y, 0.0, static_cast<double>(n - 1));
  };
  for (std::size_t r = 0; r < 15; ++r)
    for (std::size_t c = 0; c < 15; ++c)
      EXPECT_NEAR(out[r * 15 + c], 3.0 * at(r, h, 15) + 5.0 * at(c, w, 15), 1e-12) << r << "," << c;
}

TEST(SliceFrameTest, SamplesOnStoredPixelsKeepTheirValueEvenNextToNaN) {
  // Rows 8 -> 51 changes; columns keep their count, so every column sample sits on a stored
  // column and a NaN there must not leak sideways.
  const std::size_t h = 8, w = 5;
  std::vector<double> in(h * w, 7.0);
  for (std::size_t r = 0; r < h; ++r) in[r * w + 2] = std::nan("");
  const auto f = slice_frame(h, w, {10.0, 1.5625}, isotropic());
  ASSERT_EQ(f.content_width, 5u);
  std::vector<double> out;
  resample_linear(in.data(), f, out);
  for (std::size_t r = 0; r < f.content_height; ++r) {
    EXPECT_EQ(out[r * w + 1], 7.0);
    EXPECT_TRUE(std::isnan(out[r * w + 2]));
    EXPECT_EQ(out[r * w + 3], 7.0);
  }
}

TEST(SliceFrameTest, NearestMasksStayBinaryAndOnTheirImage) {
  // A box on a 20 x 30 slice with 3:1 rows, made square and padded to 128.
  const std::size_t h = 20, w = 30;
  std::vector<std::uint8_t> mask(h * w, 0);
  std::vector<double> image(h * w, 0);
  for (std::size_t r = 5; r < 11; ++r)
    for (std::size_t c = 12; c < 25; ++c) mask[r * w + c] = 1, image[r * w + c] = 100;
  const auto f = slice_frame(h, w, {3.0, 1.0}, sized(128, Fit::Pad, true));
  ASSERT_EQ(f.shape_height, 60u);
  std::vector<std::uint8_t> out;
  resample_nearest(mask.data(), f, out);
  ASSERT_EQ(out.size(), 128u * 128u);
  double sr = 0, sc = 0, n = 0;
  for (std::size_t r = 0; r < 128; ++r)
    for (std::size_t c = 0; c < 128; ++c) {
      ASSERT_TRUE(out[r * 128 + c] == 0 || out[r * 128 + c] == 1);
      if (out[r * 128 + c]) sr += d(r), sc += d(c), n += 1;
    }
  ASSERT_GT(n, 0);
  // The box's centre in output pixels: stored (7.5, 18) (pixel centres 5..10, 12..24) mapped by
  // the frame's scale and offset.
  const double sy = d(f.content_height) / d(h);
  const double sx = d(f.content_width) / d(w);
  EXPECT_NEAR(sr / n, d(f.top) + (7.5 + 0.5) * sy - 0.5, 1.0);
  EXPECT_NEAR(sc / n, d(f.left) + (18.0 + 0.5) * sx - 0.5, 1.0);
  // The resampled image is bright exactly where the mask is (up to the one-pixel blur of linear
  // interpolation at the edges): the image's bright centroid matches the mask's.
  std::vector<double> content;
  resample_linear(image.data(), f, content);
  std::vector<std::uint8_t> bytes(content.size());
  for (std::size_t p = 0; p < content.size(); ++p) bytes[p] = content[p] > 50 ? 1 : 0;
  std::vector<std::uint8_t> canvas;
  place_on_canvas(bytes, 1, f, canvas);
  double ir = 0, ic = 0, in = 0;
  for (std::size_t r = 0; r < 128; ++r)
    for (std::size_t c = 0; c < 128; ++c)
      if (canvas[r * 128 + c]) ir += d(r), ic += d(c), in += 1;
  EXPECT_NEAR(ir / in, sr / n, 1.0);
  EXPECT_NEAR(ic / in, sc / n, 1.0);
}

TEST(SliceFrameTest, CanvasKeepsPaddingZeroAndContentInPlace) {
  Profile p;
  p.size = 6;
  const auto f = slice_frame(2, 3, {1, 1}, p);  // content 4 x 6, top 1
  ASSERT_EQ(f.content_height, 4u);
  ASSERT_EQ(f.content_width, 6u);
  ASSERT_EQ(f.top, 1u);
  std::vector<std::uint8_t> content(4 * 6 * 3);
  std::iota(content.begin(), content.end(), 1);
  std::vector<std::uint8_t> out;
  place_on_canvas(content, 3, f, out);
  ASSERT_EQ(out.size(), 6u * 6u * 3u);
  for (std::size_t b = 0; b < 18; ++b) EXPECT_EQ(out[b], 0);           // row 0
  for (std::size_t b = 0; b < 18; ++b) EXPECT_EQ(out[5 * 18 + b], 0);  // row 5
  for (std::size_t b = 0; b < 72; ++b) EXPECT_EQ(out[18 + b], b + 1);  // rows 1..4
}

TEST(SliceFrameTest, RoundSizeIsHalfUpAndAtLeastOne) {
  EXPECT_EQ(round_size(51.2), 51u);
  EXPECT_EQ(round_size(7.5), 8u);
  EXPECT_EQ(round_size(7.49), 7u);
  EXPECT_EQ(round_size(0.2), 1u);
}

}  // namespace
}  // namespace samed2d
