#pragma once
// PNG encoding with libpng, with settings chosen by measurement (see README, Performance).
// Output is deterministic: no time or text chunks, fixed zlib settings.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace samed2d {

enum class PngColor {
  Gray,       // 1 byte per pixel in, 8-bit grey out
  Rgb,        // 3 bytes per pixel in, 8-bit RGB out
  GrayAsRgb,  // 1 byte per pixel in, 8-bit RGB out with three equal channels
};

struct PngOptions {
  int level = 1;       // zlib level
  int strategy = 3;    // zlib strategy (Z_RLE == 3)
  int filters = 0x08;  // libpng filter mask (PNG_FILTER_NONE == 0x08)
};

// Default settings for images (slices) and for masks (0/255).
PngOptions image_png_options();
PngOptions mask_png_options();

// Encodes rows (row 0 first, no padding between rows) into `out` (cleared first).
void encode_png(const std::uint8_t* pixels, std::size_t width, std::size_t height, PngColor color,
                const PngOptions& options, std::vector<std::uint8_t>& out);

}  // namespace samed2d
