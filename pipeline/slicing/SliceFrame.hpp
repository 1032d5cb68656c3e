#pragma once
// Where a slice lands in its output image: square pixels (profile pixel_spacing "isotropic"), a
// fixed size (profile size + fit), or neither. One frame is computed per case and axis and is
// shared by the image path (linear interpolation) and the mask path (nearest neighbour), so the
// two sample the same points and a mask stays on its image.
//
// Output pixel r of a content of `content` rows samples the stored slice at row
//   y = (r + 0.5) * H / content - 0.5
// (pixel centres aligned, as OpenCV's INTER_LINEAR and PIL do): linear interpolation between
// rows floor(y) and floor(y) + 1, clamped at the edges; nearest neighbour takes stored row
// floor((r + 0.5) * H / content), computed in integers. Columns likewise.

#include <array>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "pipeline/core/Axis.hpp"
#include "pipeline/core/Profile.hpp"
#include "pipeline/core/Volume.hpp"

namespace samed2d {

struct SliceFrame {
  std::size_t stored_height = 0;  // the slice as sliced (SPEC 3 table)
  std::size_t stored_width = 0;
  std::size_t shape_height = 0;  // after pixel_spacing, before size: what min_aspect judges
  std::size_t shape_width = 0;
  std::size_t content_height = 0;  // the resampled slice
  std::size_t content_width = 0;
  std::size_t out_height = 0;  // the written PNG: content placed at (top, left) on a canvas of 0
  std::size_t out_width = 0;
  std::size_t top = 0;
  std::size_t left = 0;

  // No resampling and no canvas: the output is the stored slice, pixel for pixel.
  bool identity() const {
    return content_height == stored_height && content_width == stored_width &&
           out_height == content_height && out_width == content_width;
  }
};

// Rounds a positive quotient half up (x.5 goes up); the rule the README states for sizes.
std::size_t round_size(double x);

// The (row, column) spacing of a slice along `axis` of a volume of voxel spacing (si, sj, sk):
// x slices (k fixed) have rows j and columns i, y slices rows k and columns i, z slices rows k
// and columns j.
std::pair<double, double> slice_spacing(const std::array<double, 3>& spacing, Axis axis);

// The frame of an H x W slice with the given (row, column) spacing under the profile.
//   isotropic: target = min(row, column spacing); shape = round_size(H * row / target) x
//              round_size(W * column / target), each at least 1.
//   size N, fit "stretch": content N x N.
//   size N, fit "pad": L = the longer side of the shape; content round_size(h * N / L) x
//              round_size(w * N / L) (the longer side exactly N), at top (N - h') / 2 and left
//              (N - w') / 2, rounded down, on an N x N canvas.
SliceFrame slice_frame(std::size_t height, std::size_t width, std::pair<double, double> spacing,
                       const Profile& profile);

// Linear resampling of H x W values (row-major) onto the frame's content: content_height x
// content_width values. A sample that falls exactly on a stored pixel is that pixel's value.
void resample_linear(const double* in, const SliceFrame& frame, std::vector<double>& out);

// Nearest-neighbour resampling of an H x W mask onto the frame's whole output (out_height x
// out_width), 0 outside the content: the values stay exactly the stored ones.
void resample_nearest(const std::uint8_t* in, const SliceFrame& frame,
                      std::vector<std::uint8_t>& out);

// Places content_height x content_width pixels of `channels` interleaved samples on the frame's
// out_height x out_width canvas of 0.
void place_on_canvas(const std::vector<std::uint8_t>& content, std::size_t channels,
                     const SliceFrame& frame, std::vector<std::uint8_t>& out);

}  // namespace samed2d
