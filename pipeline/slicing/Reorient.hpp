#pragma once
// Canonical orientation by permuting and flipping voxel axes (SPEC section 3, profile option
// `orientation`).

#include <string>

#include "pipeline/core/Profile.hpp"
#include "pipeline/core/Volume.hpp"

namespace samed2d {

// A copy of `v` with its bytes, layout, geometry and stored dimensions.
Volume copy_volume(const Volume& v);

// Permutes and flips a volume so that its index axes point to the orientation's directions
// (nibabel's convention: "RAS" = axis 0 toward Right, 1 toward Anterior, 2 toward Superior;
// "LPS" = Left, Posterior, Superior), reading the ITK direction matrix (LPS physical space,
// column d = physical direction of index axis d). Each index axis goes to its dominant physical
// axis; voxels are moved, never interpolated; size, spacing, direction and origin follow.
// AsStored returns an identical copy. Throws InputError when two index axes share a dominant
// physical axis (a degenerate or too oblique direction matrix); the message names `file`.
Volume reorient(const Volume& v, Orientation orientation, const std::string& file = "volume");

}  // namespace samed2d
