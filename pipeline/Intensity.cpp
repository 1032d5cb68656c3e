#include "Intensity.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace samed2d {

namespace {

template <class T>
std::optional<std::pair<double, double>> typed_range(const T* p, std::size_t count,
                                                     std::size_t stride) {
  if constexpr (std::is_floating_point_v<T>) {
    bool any = false;
    T lo = 0;
    T hi = 0;
    for (std::size_t n = 0; n < count; ++n) {
      const T x = p[n * stride];
      if (!std::isfinite(x)) continue;
      if (!any) {
        lo = hi = x;
        any = true;
      } else {
        lo = std::min(lo, x);
        hi = std::max(hi, x);
      }
    }
    if (!any) return std::nullopt;
    return std::pair{static_cast<double>(lo), static_cast<double>(hi)};
  } else {
    if (count == 0) return std::nullopt;
    T lo = p[0];
    T hi = p[0];
    for (std::size_t n = 0; n < count; ++n) {
      lo = std::min(lo, p[n * stride]);
      hi = std::max(hi, p[n * stride]);
    }
    return std::pair{static_cast<double>(lo), static_cast<double>(hi)};
  }
}

// Clamps v into [lo, hi] (hi > lo) and applies the SPEC 4 formula. floor() of a positive
// quotient below 255 equals truncation, which keeps the loop free of libm calls.
inline std::uint8_t to_u8(double v, double lo, double hi) {
  if (!std::isfinite(v)) return 0;
  const double c = v < lo ? lo : (v > hi ? hi : v);
  const double q = (c - lo) * 255.0 / (hi - lo);
  if (!(q > 0)) return 0;
  if (q >= 255.0) return 255;
  return static_cast<std::uint8_t>(static_cast<int>(q));
}

}  // namespace

std::optional<std::pair<double, double>> finite_range(const Volume& v, std::size_t component) {
  if (component >= v.components())
    throw std::out_of_range("finite_range: component beyond the volume's components");
  return v.visit([&](const auto* p) {
    return typed_range(p + component * v.component_stride(), v.voxel_count(), v.voxel_stride());
  });
}

double percentile_linear(std::vector<double>& values, double q) {
  const std::size_t n = values.size();
  if (n == 0) throw std::invalid_argument("percentile_linear: no values");
  // numpy: quantile = q / 100; virtual index = (n - 1) * quantile.
  const double pos = static_cast<double>(n - 1) * (q / 100.0);
  const double below = std::floor(pos);
  std::size_t i0 = 0;
  std::size_t i1 = 0;
  if (pos >= static_cast<double>(n - 1)) {
    i0 = i1 = n - 1;
  } else if (pos < 0) {
    i0 = i1 = 0;
  } else {
    i0 = static_cast<std::size_t>(below);
    i1 = i0 + 1;
  }
  const double t = pos - below;
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(i0), values.end());
  const double a = values[i0];
  const double b =
      i1 == i0 ? a
               : *std::min_element(values.begin() + static_cast<std::ptrdiff_t>(i1), values.end());
  // numpy's _lerp: interpolate from the nearer end, which keeps the result monotonic in t.
  const double diff = b - a;
  return t >= 0.5 ? b - diff * (1.0 - t) : a + diff * t;
}

void normalize_to_u8(const std::vector<double>& values, const Profile& profile,
                     const std::optional<std::pair<double, double>>& volume_range,
                     std::vector<std::uint8_t>& out) {
  out.assign(values.size(), 0);
  double lo = 0;
  double hi = 0;
  switch (profile.intensity) {
    case IntensityMode::MinMaxSlice: {
      bool any = false;
      for (const double x : values) {
        if (!std::isfinite(x)) continue;
        if (!any) {
          lo = hi = x;
          any = true;
        } else {
          lo = std::min(lo, x);
          hi = std::max(hi, x);
        }
      }
      if (!any) return;
      break;
    }
    case IntensityMode::MinMaxVolume:
      if (!volume_range) return;
      lo = volume_range->first;
      hi = volume_range->second;
      break;
    case IntensityMode::Window:
      lo = profile.window_level - profile.window_width / 2;
      hi = profile.window_level + profile.window_width / 2;
      break;
    case IntensityMode::Percentile: {
      std::vector<double> finite;
      finite.reserve(values.size());
      for (const double x : values)
        if (std::isfinite(x)) finite.push_back(x);
      if (finite.empty()) return;
      lo = percentile_linear(finite, profile.percentile_lower);
      hi = percentile_linear(finite, profile.percentile_upper);
      break;
    }
  }
  if (!(hi > lo)) return;
  const double* in = values.data();
  std::uint8_t* o = out.data();
  for (std::size_t n = 0; n < values.size(); ++n) o[n] = to_u8(in[n], lo, hi);
}

}  // namespace samed2d
