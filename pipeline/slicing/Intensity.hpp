#pragma once
// Intensity normalization to 8 bits (SPEC section 4).

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "pipeline/core/Axis.hpp"
#include "pipeline/core/Profile.hpp"
#include "pipeline/core/Volume.hpp"

namespace samed2d {

// Minimum and maximum of the finite values of one component; nullopt when there are none.
std::optional<std::pair<double, double>> finite_range(const Volume& v, std::size_t component);

// Maps values to 0..255 with an intensity mode (SPEC 4; a profile's intensity_for a modality).
// `volume_range` is the component's finite_range, used by "minmax-volume" only. Every mode clamps v
// into its [lo, hi] and computes min(255, max(0, floor((v - lo) * 255.0 / (hi - lo)))) in double
// precision in that order; a value that is not finite, or hi == lo, gives 0.
void normalize_to_u8(const std::vector<double>& values, const IntensityOptions& intensity,
                     const std::optional<std::pair<double, double>>& volume_range,
                     std::vector<std::uint8_t>& out);

// normalize_to_u8 of slice s (SPEC 3 table) of one component, read straight from the voxels:
// for 8- and 16-bit integer volumes and the modes minmax-slice, minmax-volume and window, where
// one table over the slice's value range gives every pixel's result. Returns false (and leaves
// `out` unspecified) for any other voxel type or mode; the caller then extracts the slice as
// doubles and calls normalize_to_u8, which gives the same bytes.
bool normalize_slice_direct(const Volume& v, std::size_t component, Axis axis, std::size_t s,
                            const IntensityOptions& intensity,
                            const std::optional<std::pair<double, double>>& volume_range,
                            std::vector<std::uint8_t>& out);

// The q-th percentile (0..100) of `values` as NumPy's default ("linear") method computes it:
// position q/100 * (n-1) between order statistics, NumPy's lerp. `values` must be finite and
// non-empty; it is reordered.
double percentile_linear(std::vector<double>& values, double q);

}  // namespace samed2d
