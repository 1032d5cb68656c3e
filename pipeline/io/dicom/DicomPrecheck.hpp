#pragma once
// The one walk over a DICOM file's element headers before GDCM parses it.
//
// Debian's GDCM 3.0 is built with assertions on, and it allocates (and zero-fills) the length an
// element claims before it reads the value. So a damaged or hostile file of a few bytes that claims
// a 3 GB element costs 3 GB per read, and a file cut inside an element header (a truncated
// download) aborts the whole process ("Should not happen") instead of failing. Every rule here was
// added for an input that did one or the other; such a file fails its case with one line instead.

#include <filesystem>
#include <optional>
#include <string>

namespace samed2d {

// Whether `file` looks like DICOM: "DICM" at byte 128, or a first tag of a low group (0001 to
// 0008: a data set without the preamble; other formats' magic bytes are not such a tag). Only
// such a file is walked, and only such a file is offered to GDCM when ITK picks a reader.
bool looks_like_dicom(const std::filesystem::path& file);

// What the walk found wrong with a file.
struct DicomFault {
  enum class Kind {
    // An element GDCM must not parse: it claims more bytes than the file holds, pixel data beyond
    // --max-voxels, absurd sequence nesting, an impossible pixel description, an element without
    // a VR in an explicit VR data set, an item tag that is no item...
    Corrupt,
    // The file ends inside an element header, its meta group, a sequence or an item, or has
    // non-zero reserved bytes after a long VR.
    Cut,
  };
  Kind kind;
  std::string what;  // e.g. "element (0002,0001) claims 3640592452 bytes but only 3804 follow"
};

// Walks the element headers of `file` (file meta group, data set, nested sequences and items,
// encapsulated pixel data fragments) once, reading headers and skipping values, so its memory
// does not grow with the file. Nothing when every element is sound, when the file does not look
// like DICOM, or where the walk leaves the rest to GDCM: a deflated data set, or pixel data that is
// short but plausible (the pixel data checks say how much is missing). A Corrupt fault anywhere
// in the file comes before a Cut one.
std::optional<DicomFault> dicom_fault(const std::filesystem::path& file);

// Throws InputError naming `file` when dicom_fault finds something. Every path that lets GDCM read
// a file calls this first.
void check_dicom_before_gdcm(const std::filesystem::path& file);

}  // namespace samed2d
