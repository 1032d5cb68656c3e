#pragma once
// A check of a DICOM file's element lengths before GDCM parses it. GDCM allocates (and zero-fills)
// the length an element claims before it reads the value, so a damaged or hostile file of a few
// bytes that claims a 3 GB element costs 3 GB of memory per read, through ITK's GDCMImageIO as
// soon as ITK asks which reader takes the file.

#include <filesystem>

namespace samed2d {

// Whether `file` looks like DICOM to GDCM: "DICM" at byte 128, or a first tag of group 0002 or
// 0008 (a file without the preamble).
bool looks_like_dicom(const std::filesystem::path& file);

// Walks the element headers (file meta, data set, nested sequences and items, encapsulated pixel
// data fragments) without reading values. Throws InputError naming the file when an element
// claims more bytes than the file holds after it, when the pixel data claims more than
// --max-voxels allows (a short but plausible one is left to the pixel data checks, which say how
// much is missing), or when sequences nest absurdly deep. Stops quietly where the bytes stop
// looking like DICOM (GDCM then reports it) and at deflated data sets.
void check_dicom_element_lengths(const std::filesystem::path& file);

}  // namespace samed2d
