#pragma once
// The three slice families of SPEC section 3.

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace samed2d {

enum class Axis { X, Y, Z };

constexpr char axis_letter(Axis a) {
  return a == Axis::X ? 'x' : a == Axis::Y ? 'y' : 'z';
}

inline std::optional<Axis> parse_axis(std::string_view s) {
  if (s == "x") return Axis::X;
  if (s == "y") return Axis::Y;
  if (s == "z") return Axis::Z;
  return std::nullopt;
}

struct SliceShape {
  std::size_t height = 0;
  std::size_t width = 0;
};

// SPEC 3: x_s: k = s, rows j, columns i; y_s: j = s, rows k, columns i; z_s: i = s, rows k,
// columns j. The volume dimensions (0 = i, 1 = j, 2 = k) of a slice's rows and columns: what
// every per-axis quantity of a slice (its shape, its pixel spacing) is read through.
struct SliceDims {
  std::size_t row = 0;
  std::size_t column = 0;
};
constexpr SliceDims slice_dims(Axis a) {
  switch (a) {
    case Axis::X:
      return {1, 0};
    case Axis::Y:
      return {2, 0};
    case Axis::Z:
      break;
  }
  return {2, 1};
}

// Nj x Ni for x slices, Nk x Ni for y, Nk x Nj for z.
constexpr SliceShape slice_shape(const std::array<std::size_t, 3>& n, Axis a) {
  const SliceDims d = slice_dims(a);
  return {n[d.row], n[d.column]};
}

constexpr std::size_t slice_count(const std::array<std::size_t, 3>& n, Axis a) {
  return a == Axis::X ? n[2] : a == Axis::Y ? n[1] : n[0];
}

}  // namespace samed2d
