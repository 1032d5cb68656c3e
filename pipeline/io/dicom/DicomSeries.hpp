#pragma once
// DICOM input through ITK's GDCM IO: single files (2D X-ray sources, multi-frame files) and
// series of single-slice files in one folder (CT/MR series). Values are the physical values:
// Rescale Slope/Intercept applied, in a voxel type that holds them exactly (ITK widens int16 with
// intercept -1024 to int32; a non-integral slope gives double).
//
// MONOCHROME1 (low values display white) keeps its physical values: ITK 5.2 inverts such pixels
// to MONOCHROME2 before rescaling, which changes them, so samed2d decodes those pixels itself
// with GDCM, applies the rescale, marks the volume `monochrome1` (its 8-bit images are written
// inverted, SPEC section 4) and adds a warning.

#include <filesystem>
#include <string>
#include <vector>

#include "pipeline/core/Volume.hpp"

namespace samed2d {

// One DICOM file. A single-frame file is a 2D source (stored_dimensions 2, Nk == 1); a
// multi-frame file is a 3D volume with one slice per frame. Throws InputError (one line: file,
// what is wrong, what to do); appends to `warnings` e.g. a note for MONOCHROME1.
Volume read_dicom_file(const std::filesystem::path& file, std::vector<std::string>& warnings);

// One DICOM series of `folder` (not recursive; files that are not DICOM images are ignored),
// files grouped by Series Instance UID. `series` picks the series: a UID (exact), else a glob
// (`*`, `?`) on the Series Description; empty: the folder must hold exactly one series. None or
// several matching is an InputError listing the series found (UID, description, file count) and
// saying what to put into the config's "series".
//
// Slices are stacked by position along the slice normal (Image Position/Orientation (Patient)),
// never by file name; two slices at one position, a gap > 1.5x the median gap (missing slices),
// slices of another size or orientation are InputErrors naming the folder and the slices.
// A gap that varies less is a warning. Without positions: Instance Number order (or file names)
// with a warning. A series of one multi-frame file is read as that file's volume. When slices
// carry different rescale parameters the volume is Float64, so every slice keeps its exact
// physical values.
Volume read_dicom_series(const std::filesystem::path& folder, std::vector<std::string>& warnings,
                         const std::string& series = {});

// Single-frame DICOM slices stacked in the order given (not by position: CHAOS pairs its slices
// with per-slice masks by file name). Slices must have one size; values are physical (rescale
// applied; Float64 when the rescale differs between slices). `where` names the stack in
// messages (e.g. its folder). Geometry: dicom_stack_geometry(files).
Volume stack_dicom_slices(const std::vector<std::filesystem::path>& files, const std::string& where,
                          std::vector<std::string>& warnings);

// The geometry of those slices stacked in the given order, from their headers alone: the first
// slice's position, pixel spacing and in-plane axes; the third axis points from the first slice
// towards the second, spaced by their distance along the normal. Throws InputError for a file
// that is not a DICOM image.
Geometry dicom_stack_geometry(const std::vector<std::filesystem::path>& files);

}  // namespace samed2d
