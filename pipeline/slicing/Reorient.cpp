#include "pipeline/slicing/Reorient.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstring>

#include "pipeline/core/Errors.hpp"

namespace samed2d {

namespace {

bool is_interleaved(const Volume& v) {
  return v.components() == 1 || v.voxel_stride() != 1;
}

// Copies every component; new index a maps to old element offset start + sum a[n] * step[n].
template <class T>
void permute(const T* src, const Volume& from, T* dst, const Volume& to,
             const std::array<std::ptrdiff_t, 3>& step, std::ptrdiff_t start) {
  const auto& n = to.size();
  const auto vs_in = static_cast<std::ptrdiff_t>(from.voxel_stride());
  const std::size_t vs_out = to.voxel_stride();
  for (std::size_t c = 0; c < to.components(); ++c) {
    const T* s = src + c * from.component_stride();
    T* d = dst + c * to.component_stride();
    std::size_t out = 0;
    for (std::size_t k = 0; k < n[2]; ++k) {
      for (std::size_t j = 0; j < n[1]; ++j) {
        std::ptrdiff_t in = start + static_cast<std::ptrdiff_t>(k) * step[2] +
                            static_cast<std::ptrdiff_t>(j) * step[1];
        for (std::size_t i = 0; i < n[0]; ++i, ++out, in += step[0])
          d[out * vs_out] = s[in * vs_in];
      }
    }
  }
}

}  // namespace

Volume copy_volume(const Volume& v) {
  Volume out(v.type(), v.size(), v.components(), is_interleaved(v));
  std::memcpy(out.raw(), v.raw(), v.byte_size());
  out.geometry = v.geometry;
  out.stored_dimensions = v.stored_dimensions;
  out.monochrome1 = v.monochrome1;
  return out;
}

Volume reorient(const Volume& v, Orientation orientation, const std::string& file) {
  if (orientation == Orientation::AsStored) return copy_volume(v);
  // Target sign along each LPS physical axis (x: L, y: P, z: S).
  const std::array<double, 3> target = orientation == Orientation::RAS
                                           ? std::array<double, 3>{-1, -1, 1}
                                           : std::array<double, 3>{1, 1, 1};
  const auto& dir = v.geometry.direction;
  const auto& size = v.size();

  // old_axis[p]: the index axis whose dominant physical axis is p.
  std::array<int, 3> old_axis{-1, -1, -1};
  for (int d = 0; d < 3; ++d) {
    int best = 0;
    for (int p = 1; p < 3; ++p)
      if (std::fabs(dir[p * 3 + d]) > std::fabs(dir[best * 3 + d])) best = p;
    if (dir[best * 3 + d] == 0 || old_axis[best] >= 0)
      throw InputError(fmt::format(
          "{}: direction matrix [{}] has no distinct dominant physical axis for index axis {} "
          "(degenerate or too oblique); use orientation \"as-stored\" for this dataset",
          file, fmt::join(dir, ", "), d));
    old_axis[best] = d;
  }

  std::array<std::size_t, 3> new_size{};
  std::array<bool, 3> flip{};
  for (int n = 0; n < 3; ++n) {
    const int d = old_axis[n];
    new_size[n] = size[d];
    flip[n] = (dir[n * 3 + d] > 0) != (target[n] > 0);
  }
  Volume out(v.type(), new_size, v.components(), is_interleaved(v));
  out.stored_dimensions = v.stored_dimensions;
  out.monochrome1 = v.monochrome1;

  const std::array<std::ptrdiff_t, 3> old_stride{1, static_cast<std::ptrdiff_t>(size[0]),
                                                 static_cast<std::ptrdiff_t>(size[0] * size[1])};
  std::array<std::ptrdiff_t, 3> step{};
  std::ptrdiff_t start = 0;
  std::array<double, 3> first_old_index{};  // old index of the new voxel (0, 0, 0)
  for (int n = 0; n < 3; ++n) {
    const int d = old_axis[n];
    step[n] = flip[n] ? -old_stride[d] : old_stride[d];
    if (flip[n] && size[d] > 0) {
      start += static_cast<std::ptrdiff_t>(size[d] - 1) * old_stride[d];
      first_old_index[d] = static_cast<double>(size[d] - 1);
    }
  }

  const Geometry& g = v.geometry;
  Geometry& h = out.geometry;
  h.spacing_known = g.spacing_known;
  for (int n = 0; n < 3; ++n) {
    const int d = old_axis[n];
    h.spacing[n] = g.spacing[d];
    for (int p = 0; p < 3; ++p) h.direction[p * 3 + n] = flip[n] ? -dir[p * 3 + d] : dir[p * 3 + d];
  }
  for (int p = 0; p < 3; ++p) {
    double x = g.origin[p];
    for (int d = 0; d < 3; ++d) x += dir[p * 3 + d] * g.spacing[d] * first_old_index[d];
    h.origin[p] = x;
  }

  v.visit([&](const auto* src) {
    using T = std::remove_const_t<std::remove_pointer_t<decltype(src)>>;
    permute(src, v, out.data<T>(), out, step, start);
  });
  return out;
}

}  // namespace samed2d
