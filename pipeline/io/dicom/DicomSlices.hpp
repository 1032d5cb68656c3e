#pragma once
// The headers of a folder's DICOM files, read without their pixels (GDCM's scanner): grouping the
// files into series, picking one, ordering its slices along their normal, and the geometry of a
// stack of slices. DicomSeries.cpp reads the pixels of what these pick.

#include <array>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/core/Volume.hpp"

namespace samed2d {

using Vec3 = std::array<double, 3>;

// A DICOM text value without its padding (trailing spaces and NULs, leading spaces).
std::string dicom_text(std::string value);

// What the series reader needs of one file's header.
struct SliceHeader {
  std::string file;
  std::string uid;          // Series Instance UID
  std::string description;  // Series Description
  std::optional<Vec3> position;
  std::optional<std::array<double, 6>> orientation;
  std::optional<long long> instance;
  std::size_t rows = 0, columns = 0, frames = 1;
  std::array<double, 2> pixel_spacing{1, 1};  // (row spacing, column spacing) as in (0028,0030)
  bool pixel_spacing_given = false;
};

// The headers of `files` that GDCM can parse and that describe an image (rows and columns);
// other files (text, NIfTI, DICOMDIR) are left out. Keeps the order of `files`.
std::vector<SliceHeader> scan_slices(const std::vector<std::string>& files);

// The files of one Series Instance UID.
struct SeriesGroup {
  std::string uid, description;
  std::vector<SliceHeader> slices;
};

// `slices` grouped by Series Instance UID, the groups sorted by UID.
std::vector<SeriesGroup> group_series(std::vector<SliceHeader> slices);

// The group `series` names (see read_dicom_series); an InputError naming `folder` that lists the
// series when none or several match.
const SeriesGroup& pick_series(const std::vector<SeriesGroup>& groups,
                               const std::filesystem::path& folder, const std::string& series);

// Slice order along the normal of the first slice's orientation, checked for duplicate positions
// and missing slices (both InputError naming the folder, the positions and what to do).
// Without positions or orientations: Instance Number order, else file-name order, with a
// warning.
std::vector<SliceHeader> ordered_slices(std::vector<SliceHeader> slices,
                                        const std::filesystem::path& folder,
                                        std::vector<std::string>& warnings);

// Geometry of slices stacked in the order of `slices`: the first slice's position and in-plane
// axes; the third axis points from the first slice to the second (so it follows the stacking
// order, also when that is not the normal's direction), spaced by their distance along the normal.
Geometry stacked_geometry(const std::vector<SliceHeader>& slices);

// The file name of `file` without its folder, for messages.
std::string name_of(const std::string& file);

}  // namespace samed2d
