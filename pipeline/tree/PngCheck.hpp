#pragma once
// A PNG file decoded whole, as cv2.imread reads it (libpng with its default checks, on to the
// IEND chunk), for `samed2d validate`: a PNG cut short, with a CRC error in a critical chunk or
// without IEND is corrupt, and the words say where (the chunk the file ends in).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace samed2d {

// What the IHDR chunk says.
struct PngHeader {
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  int bit_depth = 0;
  int color_type = 0;  // PNG_COLOR_TYPE_*
};

// A decoded PNG. One is reused from file to file by a thread: the buffers keep their memory.
struct DecodedPng {
  PngHeader header;
  std::size_t row_bytes = 0;         // bytes of one row: interlacing undone, samples as stored
  std::vector<std::uint8_t> pixels;  // the rows one after another
  std::vector<unsigned char*> rows;  // into `pixels`, for libpng
};

// Decodes the bytes of a PNG file into `png`: "" or what is wrong with them ("is cut short: ...",
// "is corrupt: ...").
std::string decode_whole_png(const std::vector<std::uint8_t>& file, DecodedPng& png);

// "grey", "RGB", "palette", ... for a PNG colour type.
std::string_view color_type_name(int color_type);

}  // namespace samed2d
