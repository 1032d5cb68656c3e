// The PNG container: signature, IHDR fields, IDAT chunk(s), IEND, and every CRC, checked byte by
// byte against the PNG specification (CRCs recomputed with zlib's crc32, not libdeflate's), and
// a multi-IDAT file decoded by libpng to the pixels its stream holds.

#include <gtest/gtest.h>
#include <png.h>
#include <zlib.h>

#include <cstring>
#include <string>
#include <vector>

#include "pipeline/output/PngContainer.hpp"

namespace samed2d {
namespace {

using Bytes = std::vector<std::uint8_t>;

std::uint32_t be32(const Bytes& b, std::size_t at) {
  return (std::uint32_t{b[at]} << 24) | (std::uint32_t{b[at + 1]} << 16) |
         (std::uint32_t{b[at + 2]} << 8) | std::uint32_t{b[at + 3]};
}

// The zlib stream of `raw` (filter bytes and rows).
Bytes zlib_of(const Bytes& raw) {
  uLongf size = compressBound(static_cast<uLong>(raw.size()));
  Bytes out(size);
  EXPECT_EQ(compress2(out.data(), &size, raw.data(), static_cast<uLong>(raw.size()), 6), Z_OK);
  out.resize(size);
  return out;
}

struct Chunk {
  std::string type;
  std::size_t length = 0;
  std::size_t data_at = 0;
};

// Splits a file into chunks, checking each CRC.
std::vector<Chunk> chunks_of(const Bytes& png) {
  std::vector<Chunk> chunks;
  std::size_t pos = 8;
  while (pos + 12 <= png.size()) {
    Chunk c;
    c.length = be32(png, pos);
    c.type.assign(reinterpret_cast<const char*>(&png[pos + 4]), 4);
    c.data_at = pos + 8;
    EXPECT_LE(c.data_at + c.length + 4, png.size());
    const auto crc =
        static_cast<std::uint32_t>(crc32(0, &png[pos + 4], static_cast<uInt>(4 + c.length)));
    EXPECT_EQ(crc, be32(png, c.data_at + c.length)) << c.type;
    chunks.push_back(c);
    pos = c.data_at + c.length + 4;
  }
  EXPECT_EQ(pos, png.size());
  return chunks;
}

// A grey picture's raw rows (filter None) and the zlib stream of them.
struct Picture {
  std::uint32_t width = 37, height = 23;
  Bytes pixels, raw, stream;
  Picture() {
    for (std::uint32_t r = 0; r < height; ++r) {
      raw.push_back(0);
      for (std::uint32_t c = 0; c < width; ++c) {
        const auto v = static_cast<std::uint8_t>((r * 7 + c * c) % 251);
        pixels.push_back(v);
        raw.push_back(v);
      }
    }
    stream = zlib_of(raw);
  }
};

Bytes decode_with_libpng(const Bytes& png, std::uint32_t& width, std::uint32_t& height) {
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  EXPECT_TRUE(png_image_begin_read_from_memory(&image, png.data(), png.size())) << image.message;
  image.format = PNG_FORMAT_GRAY;
  Bytes pixels(PNG_IMAGE_SIZE(image));
  EXPECT_TRUE(png_image_finish_read(&image, nullptr, pixels.data(), 0, nullptr)) << image.message;
  width = image.width;
  height = image.height;
  return pixels;
}

TEST(PngContainer, WritesSignatureIhdrIdatIendByTheSpecification) {
  const Picture p;
  Bytes png;
  write_png_container(p.width, p.height, PngColorType::Rgb, p.stream.data(), p.stream.size(), png);
  const std::uint8_t signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  ASSERT_GE(png.size(), 8u);
  EXPECT_EQ(std::memcmp(png.data(), signature, 8), 0);
  const auto chunks = chunks_of(png);
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(chunks[0].type, "IHDR");
  EXPECT_EQ(chunks[0].length, 13u);
  EXPECT_EQ(be32(png, chunks[0].data_at), p.width);
  EXPECT_EQ(be32(png, chunks[0].data_at + 4), p.height);
  EXPECT_EQ(png[chunks[0].data_at + 8], 8);   // bit depth
  EXPECT_EQ(png[chunks[0].data_at + 9], 2);   // colour type RGB
  EXPECT_EQ(png[chunks[0].data_at + 10], 0);  // deflate
  EXPECT_EQ(png[chunks[0].data_at + 11], 0);  // adaptive filtering
  EXPECT_EQ(png[chunks[0].data_at + 12], 0);  // not interlaced
  EXPECT_EQ(chunks[1].type, "IDAT");
  EXPECT_EQ(chunks[1].length, p.stream.size());
  EXPECT_EQ(std::memcmp(&png[chunks[1].data_at], p.stream.data(), p.stream.size()), 0);
  EXPECT_EQ(chunks[2].type, "IEND");
  EXPECT_EQ(chunks[2].length, 0u);
  // IEND's CRC is a constant of the specification.
  EXPECT_EQ(be32(png, png.size() - 4), 0xAE426082u);
}

TEST(PngContainer, InPlaceFramingEqualsTheWholeFile) {
  const Picture p;
  Bytes whole;
  write_png_container(p.width, p.height, PngColorType::Gray, p.stream.data(), p.stream.size(),
                      whole);
  Bytes in_place(kPngStreamOffset + p.stream.size() + kPngTrailerBytes, 0xEE);
  std::memcpy(in_place.data() + kPngStreamOffset, p.stream.data(), p.stream.size());
  finish_png_in_place(p.width, p.height, PngColorType::Gray, in_place.data(), p.stream.size());
  EXPECT_EQ(in_place, whole);
}

TEST(PngContainer, LongStreamsSpanSeveralIdatChunksThatLibpngJoins) {
  const Picture p;
  for (std::size_t max_chunk : {std::size_t{1}, std::size_t{7}, p.stream.size() - 1,
                                p.stream.size(), p.stream.size() + 5}) {
    Bytes png;
    write_png_container(p.width, p.height, PngColorType::Gray, p.stream.data(), p.stream.size(),
                        png, max_chunk);
    const auto chunks = chunks_of(png);
    std::size_t idat = 0, bytes = 0;
    for (const auto& c : chunks)
      if (c.type == "IDAT") {
        ++idat;
        bytes += c.length;
        EXPECT_LE(c.length, max_chunk);
      }
    EXPECT_EQ(idat, (p.stream.size() + max_chunk - 1) / max_chunk) << max_chunk;
    EXPECT_EQ(bytes, p.stream.size());
    EXPECT_EQ(chunks.back().type, "IEND");
    std::uint32_t w = 0, h = 0;
    EXPECT_EQ(decode_with_libpng(png, w, h), p.pixels) << max_chunk;
    EXPECT_EQ(w, p.width);
    EXPECT_EQ(h, p.height);
  }
}

}  // namespace
}  // namespace samed2d
