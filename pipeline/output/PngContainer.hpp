#pragma once
// The PNG container around a zlib stream of filtered rows (PNG specification, sections 5 and
// 11): signature, IHDR, IDAT chunk(s), IEND, each chunk with its CRC-32. encode_png compresses
// the rows (libdeflate); this unit only frames them, so it is small and tested on its own.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace samed2d {

// PNG colour types samed2d writes: 0 grey, 2 RGB, each 8 bits per sample.
enum class PngColorType : std::uint8_t { Gray = 0, Rgb = 2 };

// The largest IDAT chunk samed2d writes; a longer stream is split over several (PNG allows
// 2^31 - 1 bytes per chunk).
inline constexpr std::size_t kMaxIdatBytes = std::size_t{1} << 30;

// Bytes written before the zlib stream when it fits one IDAT: signature (8), IHDR (25), the
// IDAT's length and type (8). A caller may compress straight into `out` at this offset and then
// call finish_png_in_place.
inline constexpr std::size_t kPngStreamOffset = 8 + 25 + 8;
// Bytes after the stream: the IDAT's CRC (4) and IEND (12).
inline constexpr std::size_t kPngTrailerBytes = 4 + 12;

// Writes signature and IHDR into out[0, 33) and the IDAT header into out[33, 41); `out` must
// hold kPngStreamOffset + stream_size + kPngTrailerBytes bytes with the stream at
// kPngStreamOffset (stream_size <= kMaxIdatBytes). Completes the IDAT's CRC and IEND.
void finish_png_in_place(std::uint32_t width, std::uint32_t height, PngColorType color,
                         std::uint8_t* out, std::size_t stream_size);

// The whole file for any stream size: a stream over `max_chunk` bytes (at most kMaxIdatBytes;
// tests use small ones) is split into IDAT chunks of that size.
void write_png_container(std::uint32_t width, std::uint32_t height, PngColorType color,
                         const std::uint8_t* stream, std::size_t stream_size,
                         std::vector<std::uint8_t>& out, std::size_t max_chunk = kMaxIdatBytes);

}  // namespace samed2d
