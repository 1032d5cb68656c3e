#pragma once
// Connected-component instances of a binary class mask (SPEC section 5, steps 2 to 5).

#include <cstddef>
#include <cstdint>
#include <vector>

#include "pipeline/core/Profile.hpp"

namespace samed2d {

struct Instance {
  std::size_t first_pixel = 0;  // row-major index of its first pixel
  std::size_t area = 0;
  std::vector<std::uint8_t> mask;  // H x W, 255 inside, 0 elsewhere
};

// Splits a binary mask (non-zero = inside) into connected components (profile.connectivity 4 or
// 8), keeps those profile.keeps_component keeps, ordered by first pixel in row-major order.
// Linear in the pixels plus the runs; no recursion.
std::vector<Instance> split_instances(const std::uint8_t* binary, std::size_t height,
                                      std::size_t width, const Profile& profile);

}  // namespace samed2d
