#pragma once
// A walk over a DICOM file's data elements that only checks that each one fits in the file.
//
// Debian's GDCM 3.0 is built with assertions on, and a file cut inside an element header (a
// truncated download) makes it abort the whole process ("Should not happen") instead of
// reporting an error. Every file is walked here before GDCM reads it, so such a file fails its
// case with one line instead.

#include <filesystem>
#include <optional>
#include <string>

namespace samed2d {

// Why `file` is cut short ("element (0028,0010) at byte 804 needs 10 bytes, 4 remain"), or
// nothing when every element fits, or when the file is not DICOM as far as the walk can tell
// (no "DICM" and no plausible first element) or uses a syntax it does not walk (deflate): those
// are left to GDCM.
std::optional<std::string> dicom_truncation(const std::filesystem::path& file);

}  // namespace samed2d
