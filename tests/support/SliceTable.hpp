#pragma once
// SPEC 3's slice table read one voxel at a time, for the brute-force checks of the slicing and
// label code, and the voxel types a Volume holds, for typed tests over all of them.

#include <gtest/gtest.h>

#include <array>
#include <cstddef>
#include <cstdint>

#include "pipeline/core/Axis.hpp"

namespace samed2d::test {

// Every voxel type a Volume holds.
using AllVoxelTypes =
    ::testing::Types<std::uint8_t, std::int8_t, std::uint16_t, std::int16_t, std::uint32_t,
                     std::int32_t, std::uint64_t, std::int64_t, float, double>;

// How many slices a volume of size n has along `axis`, and their rows and columns: x_s is
// Nj x Ni, y_s Nk x Ni, z_s Nk x Nj.
struct SliceShape {
  std::size_t count, rows, columns;
};
inline SliceShape slice_shape(const std::array<std::size_t, 3>& n, Axis axis) {
  if (axis == Axis::X) return {n[2], n[1], n[0]};
  if (axis == Axis::Y) return {n[1], n[2], n[0]};
  return {n[0], n[2], n[1]};
}

// The voxel (i, j, k) at row r, column c of slice s along `axis`.
inline std::array<std::size_t, 3> voxel_at(Axis axis, std::size_t s, std::size_t r, std::size_t c) {
  if (axis == Axis::X) return {c, r, s};
  if (axis == Axis::Y) return {c, s, r};
  return {s, c, r};
}

// Where voxel (i, j, k) of a volume of size n lies in memory order (i fastest).
inline std::size_t voxel_offset(const std::array<std::size_t, 3>& n,
                                const std::array<std::size_t, 3>& ijk) {
  return ijk[0] + n[0] * (ijk[1] + n[1] * ijk[2]);
}

}  // namespace samed2d::test
