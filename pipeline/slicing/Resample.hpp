#pragma once
// Resampling an image onto a label map's physical grid, for sequences stored on another grid
// than the label (PI-CAI's ADC and HBV beside the T2W-grid labels, ISLES 2022's FLAIR).

#include <array>
#include <cstddef>
#include <string>

#include "pipeline/core/Volume.hpp"

namespace samed2d {

// Whether `image` already lies on the grid (same size, origin, spacing and direction up to
// rounding): such an image is used as it is.
bool on_grid(const Volume& image, const std::array<std::size_t, 3>& size, const Geometry& grid);

// `image` (one component, stored orientation) resampled with ITK's linear interpolation onto the
// grid of `size` voxels placed by `grid`, as a Float64 volume. Throws InputError naming both files
// when a voxel centre of the grid lies outside the image's physical extent (the image does not
// cover the label map, so part of its slices would be invented).
Volume resample_onto(const Volume& image, const std::array<std::size_t, 3>& size,
                     const Geometry& grid, const std::string& image_file,
                     const std::string& grid_file);

}  // namespace samed2d
