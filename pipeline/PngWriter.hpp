#pragma once
// PNG encoding with libpng, with settings chosen by measurement (docs/png-settings.md).
// Output is deterministic: no time, text or gamma chunks, fixed zlib settings, so the same
// input gives the same bytes on any thread (for one build of libpng and zlib).

#include <cstddef>
#include <cstdint>
#include <vector>

namespace samed2d {

enum class PngColor {
  Gray,       // 1 byte per pixel in, 8-bit grey out
  Rgb,        // 3 bytes per pixel in, 8-bit RGB out
  GrayAsRgb,  // 1 byte per pixel in, 8-bit RGB out with three equal channels
};

// The member defaults are mask_png_options(); images have their own (image_png_options).
struct PngOptions {
  int level = 3;       // zlib level, 0..9
  int strategy = 0;    // zlib strategy, 0..4 (Z_DEFAULT_STRATEGY 0, Z_FILTERED 1,
                       // Z_HUFFMAN_ONLY 2, Z_RLE 3, Z_FIXED 4)
  int filters = 0x08;  // libpng filter mask: PNG_FILTER_NONE 0x08, SUB 0x10, UP 0x20, AVG 0x40,
                       // PAETH 0x80, or several (PNG_ALL_FILTERS 0xf8) for libpng's heuristic
  int mem_level = 8;   // zlib memLevel, 1..9
};

// Default settings for images written as `color` (slices of 3D volumes are GrayAsRgb by default)
// and for masks (0/255, Gray).
PngOptions image_png_options(PngColor color = PngColor::GrayAsRgb);
PngOptions mask_png_options();

// Encodes rows (row 0 first, no padding between rows) into `out` (cleared first; its capacity
// is kept, so a caller that reuses one vector per thread allocates nothing for it).
// Throws std::invalid_argument for a null `pixels`, a zero or too large size, or options out of
// range, and std::runtime_error when libpng fails; `out` is unspecified after a throw.
void encode_png(const std::uint8_t* pixels, std::size_t width, std::size_t height, PngColor color,
                const PngOptions& options, std::vector<std::uint8_t>& out);

}  // namespace samed2d
