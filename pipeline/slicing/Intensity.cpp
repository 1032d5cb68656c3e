#include "pipeline/slicing/Intensity.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <type_traits>

#include "pipeline/slicing/Slicing.hpp"

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

// Without -ffast-math: inf - inf and NaN - NaN are NaN, so only finite values pass.
inline bool is_finite(double x) {
  return x - x == 0;
}

// Clamps v into [lo, hi] (hi > lo) and applies the SPEC 4 formula. floor() of a positive
// quotient below 255 equals truncation, which keeps the loop free of libm calls.
inline std::uint8_t to_u8(double v, double lo, double hi) {
  if (!is_finite(v)) return 0;
  const double c = v < lo ? lo : (v > hi ? hi : v);
  const double q = (c - lo) * 255.0 / (hi - lo);
  if (!(q > 0)) return 0;
  if (q >= 255.0) return 255;
  return static_cast<std::uint8_t>(static_cast<int>(q));
}

// Minimum and maximum of the finite values; false when there are none. Branch-free selects and
// two independent accumulator pairs keep the loop from waiting on its own results.
bool finite_minmax(const double* p, std::size_t count, double& lo, double& hi) {
  constexpr double inf = std::numeric_limits<double>::infinity();
  double lo0 = inf, lo1 = inf, hi0 = -inf, hi1 = -inf;
  std::size_t n = 0;
  for (; n + 2 <= count; n += 2) {
    const double a = p[n];
    const double b = p[n + 1];
    const bool fa = is_finite(a);
    const bool fb = is_finite(b);
    const double a_lo = fa ? a : inf, a_hi = fa ? a : -inf;
    const double b_lo = fb ? b : inf, b_hi = fb ? b : -inf;
    lo0 = a_lo < lo0 ? a_lo : lo0;
    hi0 = a_hi > hi0 ? a_hi : hi0;
    lo1 = b_lo < lo1 ? b_lo : lo1;
    hi1 = b_hi > hi1 ? b_hi : hi1;
  }
  if (n < count && is_finite(p[n])) {
    lo0 = p[n] < lo0 ? p[n] : lo0;
    hi0 = p[n] > hi0 ? p[n] : hi0;
  }
  lo = lo0 < lo1 ? lo0 : lo1;
  hi = hi0 > hi1 ? hi0 : hi1;
  return lo <= hi;
}

// Integral values (every integer voxel type) read the formula's result from a table built with
// the formula itself, one division per distinct value instead of one per pixel. A value is
// looked up only when it is exactly base + t, so the table holds exactly what to_u8 would
// return; anything else (fractions, values outside [lo, hi]) takes the formula.
void map_to_u8(const double* in, std::size_t count, double lo, double hi, std::uint8_t* out) {
  constexpr double kMaxTable = 65536;
  constexpr double kExactInt = 4503599627370496.0;  // 2^52: integers below are exact doubles
  const double base = std::floor(lo);
  const double span = std::floor(hi) - base + 1;
  const bool use_table = std::fabs(base) < kExactInt && std::fabs(hi) < kExactInt &&
                         span <= kMaxTable && span * 2 <= static_cast<double>(count);
  if (!use_table) {
    for (std::size_t n = 0; n < count; ++n) out[n] = to_u8(in[n], lo, hi);
    return;
  }
  const auto size = static_cast<std::size_t>(span);
  std::vector<std::uint8_t> table(size);
  for (std::size_t t = 0; t < size; ++t) table[t] = to_u8(base + static_cast<double>(t), lo, hi);
  // Values clamped to an end take that end's result (to_u8(hi) may floor to 254).
  const std::uint8_t at_lo = to_u8(lo, lo, hi);
  const std::uint8_t at_hi = to_u8(hi, lo, hi);
  for (std::size_t n = 0; n < count; ++n) {
    const double v = in[n];
    if (!is_finite(v)) {
      out[n] = 0;
    } else if (v <= lo) {
      out[n] = at_lo;
    } else if (v >= hi) {
      out[n] = at_hi;
    } else {
      // lo < v < hi: 0 <= v - base < span + 1, a safe conversion.
      const auto t = static_cast<std::size_t>(v - base);
      out[n] = t < size && base + static_cast<double>(t) == v ? table[t] : to_u8(v, lo, hi);
    }
  }
}

template <class T>
bool normalize_typed(const T* p, const SliceLayout& l, const IntensityOptions& o,
                     const std::optional<std::pair<double, double>>& volume_range,
                     std::vector<std::uint8_t>& out) {
  out.assign(l.height * l.width, 0);
  T mn = p[l.offset];
  T mx = mn;
  for (std::size_t r = 0; r < l.height; ++r) {
    const T* row = p + l.offset + r * l.row_stride;
    for (std::size_t c = 0; c < l.width; ++c) {
      const T x = row[c * l.col_stride];
      mn = x < mn ? x : mn;
      mx = x > mx ? x : mx;
    }
  }
  double lo = mn;
  double hi = mx;
  if (o.mode == IntensityMode::MinMaxVolume) {
    if (!volume_range) return true;
    lo = volume_range->first;
    hi = volume_range->second;
  } else if (o.mode == IntensityMode::Window) {
    lo = o.window_level - o.window_width / 2;
    hi = o.window_level + o.window_width / 2;
  }
  if (!(hi > lo)) return true;  // black, as normalize_to_u8
  // Every value the slice holds, through the formula once.
  thread_local std::vector<std::uint8_t> table;
  table.resize(static_cast<std::size_t>(static_cast<std::int64_t>(mx) - mn) + 1);
  for (std::size_t t = 0; t < table.size(); ++t)
    table[t] = to_u8(static_cast<double>(mn) + static_cast<double>(t), lo, hi);
  std::uint8_t* dst = out.data();
  for (std::size_t r = 0; r < l.height; ++r) {
    const T* row = p + l.offset + r * l.row_stride;
    for (std::size_t c = 0; c < l.width; ++c)
      *dst++ =
          table[static_cast<std::size_t>(static_cast<std::int64_t>(row[c * l.col_stride]) - mn)];
  }
  return true;
}

}  // namespace

bool normalize_slice_direct(const Volume& v, std::size_t component, Axis axis, std::size_t s,
                            const IntensityOptions& intensity,
                            const std::optional<std::pair<double, double>>& volume_range,
                            std::vector<std::uint8_t>& out) {
  if (intensity.mode == IntensityMode::Percentile) return false;
  const SliceLayout l = slice_layout(v, component, axis, s);
  if (l.height * l.width == 0) return false;
  return v.visit([&](const auto* p) {
    using T = std::remove_const_t<std::remove_pointer_t<decltype(p)>>;
    if constexpr (std::is_integral_v<T> && sizeof(T) <= 2)
      return normalize_typed(p, l, intensity, volume_range, out);
    else
      return false;
  });
}

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

void normalize_to_u8(const std::vector<double>& values, const IntensityOptions& profile,
                     const std::optional<std::pair<double, double>>& volume_range,
                     std::vector<std::uint8_t>& out) {
  out.assign(values.size(), 0);  // stays black when the range is empty
  double lo = 0;
  double hi = 0;
  switch (profile.mode) {
    case IntensityMode::MinMaxSlice:
      if (!finite_minmax(values.data(), values.size(), lo, hi)) return;
      break;
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
  map_to_u8(values.data(), values.size(), lo, hi, out.data());
}

}  // namespace samed2d
