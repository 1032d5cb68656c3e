#pragma once
// Files written byte by byte for the reader tests, in the kinds ITK 5.2 cannot write (palette,
// grey+alpha and sBIT PNGs, palette BMPs), and the byte-level tools those tests use to read or
// damage the files ITK wrote: fields in either byte order, the inflated bytes of a gzip file.

#include <png.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <vector>

namespace samed2d::test {

// The T stored at byte `off` of `b`, in big- or little-endian byte order.
template <class T>
T get(const std::vector<std::uint8_t>& b, std::size_t off, bool big_endian) {
  unsigned char bytes[sizeof(T)];
  std::memcpy(bytes, b.data() + off, sizeof(T));
  if (big_endian != (std::endian::native == std::endian::big))
    std::reverse(bytes, bytes + sizeof(T));
  T v;
  std::memcpy(&v, bytes, sizeof(T));
  return v;
}

// Stores `v` at byte `off` of `b`, in big- or little-endian byte order.
template <class T>
void put(std::vector<std::uint8_t>& b, std::size_t off, T v, bool big_endian) {
  unsigned char bytes[sizeof(T)];
  std::memcpy(bytes, &v, sizeof(T));
  if (big_endian != (std::endian::native == std::endian::big))
    std::reverse(bytes, bytes + sizeof(T));
  std::memcpy(b.data() + off, bytes, sizeof(T));
}

// The bytes of `file` as zlib inflates them (all members of a gzip file; a plain file as it is).
std::vector<std::uint8_t> gunzip(const std::filesystem::path& file);

// A PNG as libpng writes it, with no transformation.
struct PngSpec {
  png_uint_32 width = 0, height = 0;
  int bit_depth = 8;
  int color_type = PNG_COLOR_TYPE_GRAY;
  std::vector<png_color> palette;
  std::vector<png_byte> trns;       // palette alpha
  int sbit_grey = 0;                // 0: no sBIT chunk
  std::vector<unsigned char> rows;  // packed rows as PNG stores them
};
void write_png(const std::filesystem::path& file, const PngSpec& spec);

// An uncompressed 8-bit BMP with a colour table, by the format's definition: 14-byte file header,
// 40-byte BITMAPINFOHEADER, table entries stored b, g, r, 0, rows bottom-up padded to 4 bytes.
// `index` is row-major, top row first; `table` holds r, g, b.
void write_palette_bmp(const std::filesystem::path& file, int w, int h,
                       const std::vector<std::uint8_t>& index,
                       const std::vector<std::array<std::uint8_t, 3>>& table);

}  // namespace samed2d::test
