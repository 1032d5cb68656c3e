#include "pipeline/slicing/Slicing.hpp"

#include <stdexcept>
#include <string>

namespace samed2d {

SliceLayout slice_layout(const Volume& v, std::size_t component, Axis axis, std::size_t s) {
  const auto& n = v.size();
  if (component >= v.components())
    throw std::out_of_range("extract_slice: component " + std::to_string(component) +
                            " of a volume with " + std::to_string(v.components()));
  if (s >= slice_count(n, axis))
    throw std::out_of_range(std::string("extract_slice: slice ") + axis_letter(axis) + "_" +
                            std::to_string(s) + " out of range");
  const std::size_t vs = v.voxel_stride();
  const std::size_t base = component * v.component_stride();
  const std::size_t plane = n[0] * n[1];
  const SliceShape shape = slice_shape(n, axis);
  SliceLayout l;
  l.height = shape.height;
  l.width = shape.width;
  switch (axis) {
    case Axis::X:  // k = s: rows j, columns i
      l.offset = base + s * plane * vs;
      l.row_stride = n[0] * vs;
      l.col_stride = vs;
      break;
    case Axis::Y:  // j = s: rows k, columns i
      l.offset = base + s * n[0] * vs;
      l.row_stride = plane * vs;
      l.col_stride = vs;
      break;
    case Axis::Z:  // i = s: rows k, columns j
      l.offset = base + s * vs;
      l.row_stride = plane * vs;
      l.col_stride = n[0] * vs;
      break;
  }
  return l;
}

namespace {

template <class T>
void copy_slice(const T* src, const SliceLayout& l, double* dst) {
  for (std::size_t r = 0; r < l.height; ++r) {
    const T* row = src + l.offset + r * l.row_stride;
    double* out = dst + r * l.width;
    if (l.col_stride == 1) {
      // Separate loop so the compiler sees unit stride and vectorizes the conversion.
      for (std::size_t c = 0; c < l.width; ++c) out[c] = static_cast<double>(row[c]);
    } else {
      for (std::size_t c = 0; c < l.width; ++c) out[c] = static_cast<double>(row[c * l.col_stride]);
    }
  }
}

}  // namespace

void extract_slice(const Volume& v, std::size_t component, Axis axis, std::size_t s,
                   std::vector<double>& out) {
  const SliceLayout l = slice_layout(v, component, axis, s);
  out.resize(l.height * l.width);
  v.visit([&](const auto* p) { copy_slice(p, l, out.data()); });
}

}  // namespace samed2d
