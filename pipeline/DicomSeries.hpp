#pragma once
// DICOM input through ITK's GDCM IO: single files (2D X-ray sources, multi-frame files) and
// series of single-slice files in one folder (CT/MR series). Values are the physical values:
// Rescale Slope/Intercept applied, in a voxel type that holds them exactly (ITK widens int16 with
// intercept -1024 to int32; a non-integral slope gives double).
//
// MONOCHROME1 (high values display dark) is NOT inverted: ITK 5.2 inverts such pixels to
// MONOCHROME2 before rescaling, which changes the physical values, so samed2d decodes those
// pixels itself with GDCM, applies the rescale and adds a warning.

#include <filesystem>
#include <string>
#include <vector>

#include "Volume.hpp"

namespace samed2d {

// One DICOM file. A single-frame file is a 2D source (stored_dimensions 2, Nk == 1); a
// multi-frame file is a 3D volume with one slice per frame. Throws InputError (one line: file,
// what is wrong, what to do); appends to `warnings` e.g. a note for MONOCHROME1.
Volume read_dicom_file(const std::filesystem::path& file, std::vector<std::string>& warnings);

// The one DICOM series in `folder` (not recursive; other files are ignored), slices in ITK's
// geometric order (along the slice normal by Image Position (Patient), else by Instance
// Number). Throws InputError when the folder holds no series, or several (naming their UIDs),
// or when the slices cannot be stacked. When slices carry different rescale parameters the
// volume is Float64, so that every slice keeps its exact physical values.
// `series` (when not empty) picks one of several series: its Series Instance UID.
Volume read_dicom_series(const std::filesystem::path& folder, std::vector<std::string>& warnings,
                         const std::string& series = {});

}  // namespace samed2d
