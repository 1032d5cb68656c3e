#pragma once
// PNG encoding: rows filtered by samed2d, compressed with libdeflate (images) or zlib (masks,
// where libdeflate's per-call setup costs more than the compression), framed by PngContainer.
// Settings chosen by measurement (docs/png-settings.md). Output is deterministic: no time, text
// or gamma chunks, one filter for every row and fixed compressor settings, so the same input
// gives the same bytes on any thread (for one version of libdeflate and zlib).

#include <cstddef>
#include <cstdint>
#include <vector>

namespace samed2d {

enum class PngColor {
  Gray,       // 1 byte per pixel in, 8-bit grey out
  Rgb,        // 3 bytes per pixel in, 8-bit RGB out
  GrayAsRgb,  // 1 byte per pixel in, 8-bit RGB out with three equal channels
};

// PNG row filter (the filter type byte of every row).
enum class PngFilter : std::uint8_t { None = 0, Sub = 1, Up = 2, Average = 3, Paeth = 4 };

// Which deflate implementation compresses the rows.
enum class PngDeflater : std::uint8_t { Libdeflate, Zlib };

struct PngOptions {
  PngDeflater deflater = PngDeflater::Libdeflate;
  int level = 1;                       // libdeflate 0 (stored) .. 12; zlib 0 .. 9
  PngFilter filter = PngFilter::None;  // the same filter on every row
};

// Default settings for images written as `color` (slices of 3D volumes are GrayAsRgb by default)
// and for masks (0/255, Gray).
PngOptions image_png_options(PngColor color = PngColor::GrayAsRgb);
PngOptions mask_png_options();

// Encodes rows (row 0 first, no padding between rows) into `out` (resized; its capacity is
// kept, so a caller that reuses one vector per thread allocates nothing for it).
// Throws std::invalid_argument for a null `pixels`, a zero or too large size, or options out of
// range, and std::bad_alloc when memory runs out.
void encode_png(const std::uint8_t* pixels, std::size_t width, std::size_t height, PngColor color,
                const PngOptions& options, std::vector<std::uint8_t>& out);

}  // namespace samed2d
