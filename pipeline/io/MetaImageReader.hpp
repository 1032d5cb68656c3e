#pragma once
// What samed2d does itself for MetaImage files (.mha, .mhd), which ITK's MetaImageIO reads: the
// checks that keep ITK 5.2's MetaIO from aborting the process or reading short, corrupt or
// missing data without an error, and the inflation of compressed data. ItkReader.cpp calls them
// when ITK's factories choose MetaImageIO. Internal to pipeline/io.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>

namespace samed2d {

// ITK 5.2's MetaIO copies header field names it does not know, and the values of its string
// fields (Comment, Name, ObjectType, ...), into 255-byte buffers with strcpy (MET_InitReadField,
// MetaObject::M_Read), so 255 or more characters overflow them: glibc's fortify check then aborts
// the process. The header is scanned here the way MET_Read splits it (the name up to '=', ':' or
// the line's end, the value to the line's end) up to its ElementDataFile line. Called before ITK
// reads the header; throws InputError.
void check_metaimage_header_lines(const std::filesystem::path& file);

// What a MetaImage header says about its voxel data, as far as samed2d reads it itself.
struct MetaImageData {
  bool compressed = false;
  bool msb = false;                           // BinaryDataByteOrderMSB / ElementByteOrderMSB
  std::optional<std::filesystem::path> file;  // one data file (the header itself for LOCAL)
  std::uintmax_t offset = 0;                  // where the data starts in `file`
};

// Checks a MetaImage's data before ITK reads it, because ITK's MetaIO reads short, corrupt or
// missing data without an error (for a short data file it only prints "data not read completely"
// to stderr and leaves the buffer as it was): uncompressed data must hold `needed` bytes, every
// LIST file must exist, and a data file must lie beside the header (a relative path that climbs
// out, or an absolute one, is refused rather than followed anywhere on the disk). Compressed data
// is inflated by inflate_metaimage.
MetaImageData check_metaimage(const std::filesystem::path& file, std::size_t needed);

// Inflates a compressed MetaImage's data (zlib or gzip stream) into `out`, which must be filled
// exactly; ITK's MetaIO reports a failure only on stderr and keeps going. `header` names the file
// in the message; `element_size` swaps the bytes of MSB data.
void inflate_metaimage(const std::filesystem::path& header, const MetaImageData& m, void* out,
                       std::size_t size, std::size_t element_size);

}  // namespace samed2d
