#include "pipeline/slicing/SliceFrame.hpp"

#include <algorithm>
#include <cmath>

namespace samed2d {

namespace {

// Integer half-up rounding of a * b / c for positive c.
std::size_t scaled(std::size_t a, std::size_t b, std::size_t c) {
  return std::max<std::size_t>(1, (2 * a * b + c) / (2 * c));
}

// One interpolation tap: sample position `pos` lies between stored pixels i0 and i0 + 1 at
// fraction t (t == 0: exactly on i0).
struct Tap {
  std::size_t i0 = 0;
  std::size_t i1 = 0;
  double t = 0;
};

std::vector<Tap> linear_taps(std::size_t stored, std::size_t content) {
  std::vector<Tap> taps(content);
  const auto n = static_cast<double>(stored);
  const auto m = static_cast<double>(content);
  for (std::size_t r = 0; r < content; ++r) {
    const double pos = (2.0 * static_cast<double>(r) + 1.0) * n / (2.0 * m) - 0.5;
    Tap& tap = taps[r];
    if (!(pos > 0)) {
      tap.i0 = tap.i1 = 0;
    } else if (pos >= n - 1) {
      tap.i0 = tap.i1 = stored - 1;
    } else {
      tap.i0 = static_cast<std::size_t>(pos);
      tap.i1 = tap.i0 + 1;
      tap.t = pos - static_cast<double>(tap.i0);
    }
  }
  return taps;
}

// A value between a and b; exactly a where t is 0, so that a neighbour that is not finite does
// not spill onto a sample that sits on a stored pixel.
inline double lerp(double a, double b, double t) {
  return t == 0 ? a : a + (b - a) * t;
}

}  // namespace

std::size_t round_size(double x) {
  const double r = std::floor(x + 0.5);
  return r < 1 ? 1 : static_cast<std::size_t>(r);
}

std::pair<double, double> slice_spacing(const std::array<double, 3>& spacing, Axis axis) {
  const SliceDims d = slice_dims(axis);
  return {spacing[d.row], spacing[d.column]};
}

SliceFrame slice_frame(std::size_t height, std::size_t width, std::pair<double, double> spacing,
                       const Profile& profile) {
  SliceFrame f;
  f.stored_height = height;
  f.stored_width = width;
  f.shape_height = height;
  f.shape_width = width;
  const auto [row, col] = spacing;
  if (profile.pixel_spacing == PixelSpacing::Isotropic && row != col) {
    const double target = std::min(row, col);
    f.shape_height = round_size(static_cast<double>(height) * row / target);
    f.shape_width = round_size(static_cast<double>(width) * col / target);
  }
  f.content_height = f.out_height = f.shape_height;
  f.content_width = f.out_width = f.shape_width;
  if (profile.size) {
    const std::size_t n = *profile.size;
    f.out_height = f.out_width = n;
    if (profile.fit == Fit::Stretch) {
      f.content_height = f.content_width = n;
    } else {
      const std::size_t longer = std::max(f.shape_height, f.shape_width);
      f.content_height = std::min(n, scaled(f.shape_height, n, longer));
      f.content_width = std::min(n, scaled(f.shape_width, n, longer));
      f.top = (n - f.content_height) / 2;
      f.left = (n - f.content_width) / 2;
    }
  }
  return f;
}

void resample_linear(const double* in, const SliceFrame& f, std::vector<double>& out) {
  const std::size_t h = f.stored_height, w = f.stored_width;
  const std::size_t ch = f.content_height, cw = f.content_width;
  const auto cols = linear_taps(w, cw);
  const auto rows = linear_taps(h, ch);
  // Columns first: every stored row onto the content's width, then rows.
  std::vector<double> across(h * cw);
  for (std::size_t r = 0; r < h; ++r) {
    const double* src = in + r * w;
    double* dst = across.data() + r * cw;
    for (std::size_t c = 0; c < cw; ++c) dst[c] = lerp(src[cols[c].i0], src[cols[c].i1], cols[c].t);
  }
  out.resize(ch * cw);
  for (std::size_t r = 0; r < ch; ++r) {
    const Tap& t = rows[r];
    const double* a = across.data() + t.i0 * cw;
    const double* b = across.data() + t.i1 * cw;
    double* dst = out.data() + r * cw;
    for (std::size_t c = 0; c < cw; ++c) dst[c] = lerp(a[c], b[c], t.t);
  }
}

void resample_nearest(const std::uint8_t* in, const SliceFrame& f, std::vector<std::uint8_t>& out) {
  const std::size_t h = f.stored_height, w = f.stored_width;
  const std::size_t ch = f.content_height, cw = f.content_width;
  out.assign(f.out_height * f.out_width, 0);
  std::vector<std::size_t> source_col(cw);
  for (std::size_t c = 0; c < cw; ++c) source_col[c] = std::min(w - 1, (2 * c + 1) * w / (2 * cw));
  for (std::size_t r = 0; r < ch; ++r) {
    const std::uint8_t* src = in + std::min(h - 1, (2 * r + 1) * h / (2 * ch)) * w;
    std::uint8_t* dst = out.data() + (f.top + r) * f.out_width + f.left;
    for (std::size_t c = 0; c < cw; ++c) dst[c] = src[source_col[c]];
  }
}

void place_on_canvas(const std::vector<std::uint8_t>& content, std::size_t channels,
                     const SliceFrame& f, std::vector<std::uint8_t>& out) {
  out.assign(f.out_height * f.out_width * channels, 0);
  const std::size_t row_bytes = f.content_width * channels;
  for (std::size_t r = 0; r < f.content_height; ++r)
    std::copy_n(content.data() + r * row_bytes, row_bytes,
                out.data() + ((f.top + r) * f.out_width + f.left) * channels);
}

}  // namespace samed2d
