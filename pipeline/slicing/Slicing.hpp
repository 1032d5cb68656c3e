#pragma once
// Slicing a volume by index (SPEC section 3).

#include <cstddef>
#include <vector>

#include "pipeline/core/Axis.hpp"
#include "pipeline/core/Volume.hpp"

namespace samed2d {

// Copies slice s (SPEC 3 table) of one component into `out` as doubles, H x W row-major, row 0
// first. `out` is resized. Throws std::out_of_range for a component or slice beyond the volume.
void extract_slice(const Volume& v, std::size_t component, Axis axis, std::size_t s,
                   std::vector<double>& out);

// Where slice s of one component lies in the element buffer: element (row r, column c) is
// offset + r * row_stride + c * col_stride. Shared by the label and image paths so that they
// cannot disagree about the SPEC 3 table.
struct SliceLayout {
  std::size_t height = 0;
  std::size_t width = 0;
  std::size_t offset = 0;
  std::size_t row_stride = 0;
  std::size_t col_stride = 0;
};
SliceLayout slice_layout(const Volume& v, std::size_t component, Axis axis, std::size_t s);

}  // namespace samed2d
