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

// x_s: k = s, rows j, columns i (Nj x Ni); y_s: j = s, rows k, columns i (Nk x Ni);
// z_s: i = s, rows k, columns j (Nk x Nj).
constexpr SliceShape slice_shape(const std::array<std::size_t, 3>& n, Axis a) {
  switch (a) {
    case Axis::X:
      return {n[1], n[0]};
    case Axis::Y:
      return {n[2], n[0]};
    case Axis::Z:
      break;
  }
  return {n[2], n[1]};
}

constexpr std::size_t slice_count(const std::array<std::size_t, 3>& n, Axis a) {
  return a == Axis::X ? n[2] : a == Axis::Y ? n[1] : n[0];
}

}  // namespace samed2d
