#include "pipeline/output/PngContainer.hpp"

#include <libdeflate.h>

#include <cstring>

namespace samed2d {

namespace {

constexpr std::uint8_t kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

void put_u32(std::uint8_t* p, std::uint32_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 24);
  p[1] = static_cast<std::uint8_t>(v >> 16);
  p[2] = static_cast<std::uint8_t>(v >> 8);
  p[3] = static_cast<std::uint8_t>(v);
}

std::uint32_t crc_of(const std::uint8_t* type_and_data, std::size_t size) {
  return libdeflate_crc32(0, type_and_data, size);
}

// Signature and IHDR: 33 bytes.
void write_header(std::uint32_t width, std::uint32_t height, PngColorType color, std::uint8_t* p) {
  std::memcpy(p, kSignature, 8);
  put_u32(p + 8, 13);
  std::memcpy(p + 12, "IHDR", 4);
  put_u32(p + 16, width);
  put_u32(p + 20, height);
  p[24] = 8;  // bit depth
  p[25] = static_cast<std::uint8_t>(color);
  p[26] = 0;  // compression: deflate
  p[27] = 0;  // filter method: adaptive, per row
  p[28] = 0;  // no interlace
  put_u32(p + 29, crc_of(p + 12, 17));
}

// A chunk's length and type before `data`, and its CRC after: data lies at p + 8.
void frame_chunk(const char* type, std::uint8_t* p, std::size_t size) {
  put_u32(p, static_cast<std::uint32_t>(size));
  std::memcpy(p + 4, type, 4);
  put_u32(p + 8 + size, crc_of(p + 4, size + 4));
}

void write_iend(std::uint8_t* p) {
  frame_chunk("IEND", p, 0);
}

}  // namespace

void finish_png_in_place(std::uint32_t width, std::uint32_t height, PngColorType color,
                         std::uint8_t* out, std::size_t stream_size) {
  write_header(width, height, color, out);
  frame_chunk("IDAT", out + 33, stream_size);
  write_iend(out + kPngStreamOffset + stream_size + 4);
}

void write_png_container(std::uint32_t width, std::uint32_t height, PngColorType color,
                         const std::uint8_t* stream, std::size_t stream_size,
                         std::vector<std::uint8_t>& out, std::size_t max_chunk) {
  if (max_chunk == 0 || max_chunk > kMaxIdatBytes) max_chunk = kMaxIdatBytes;
  const std::size_t chunks = stream_size == 0 ? 1 : (stream_size + max_chunk - 1) / max_chunk;
  out.resize(33 + stream_size + 12 * chunks + 12);
  write_header(width, height, color, out.data());
  std::uint8_t* p = out.data() + 33;
  std::size_t left = stream_size;
  for (std::size_t c = 0; c < chunks; ++c) {
    const std::size_t n = left < max_chunk ? left : max_chunk;
    if (n > 0) std::memcpy(p + 8, stream + (stream_size - left), n);
    frame_chunk("IDAT", p, n);
    p += 12 + n;
    left -= n;
  }
  write_iend(p);
}

}  // namespace samed2d
