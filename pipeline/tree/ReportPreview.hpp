#pragma once
// The preview images of `samed2d report`: an image with its masks drawn over it, one colour per
// class (semi-transparent fills, boundary pixels in full colour).

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace samed2d {

using Rgb = std::array<std::uint8_t, 3>;

// The colour of a class in previews and charts: a fixed palette indexed by the class id, so that
// neighbouring ids get clearly different colours.
Rgb class_color(std::uint32_t class_id);
// "#e6194b"
std::string css_color(const Rgb& color);

// A decoded 8-bit image, rows top first, `channels` bytes per pixel (3: RGB, 1: grey).
struct RasterImage {
  std::size_t width = 0;
  std::size_t height = 0;
  int channels = 0;
  std::vector<std::uint8_t> pixels;
};

// Decodes any PNG libpng reads into 8-bit RGB (channels 3) or grey (channels 1). Returns an empty
// string on success, else why it failed ("cannot be read: ...").
std::string decode_png(const std::filesystem::path& file, int channels, RasterImage& out,
                       std::size_t max_pixels);

// How a mask is drawn: alpha of the fill out of 256; the boundary is drawn opaque.
inline constexpr unsigned kFillAlpha = 115;  // about 45 %

// Blends `mask` (grey, > 127 inside) into `rgb` (same size) with `color`. Pixels outside the mask
// are not touched.
void blend_mask_fill(RasterImage& rgb, const RasterImage& mask, const Rgb& color);
// The mask's boundary pixels (inside, with a 4-neighbour outside the mask or the image), as
// indices y * width + x, ascending.
std::vector<std::size_t> mask_boundary(const RasterImage& mask);
// Sets those pixels of `rgb` to `color`.
void draw_pixels(RasterImage& rgb, const std::vector<std::size_t>& pixels, const Rgb& color);

}  // namespace samed2d
