#include "pipeline/tree/ReportPreview.hpp"

#include <fmt/format.h>
#include <png.h>

#include <cstring>

namespace samed2d {

namespace {

// Sasha Trubetskoy's 20 distinct colours without white, black and grey (each has channels far
// apart, so a fill always changes a grey pixel), in his order: neighbours differ in hue.
constexpr std::array<Rgb, 19> kPalette{{
    {230, 25, 75},    // red
    {60, 180, 75},    // green
    {255, 225, 25},   // yellow
    {0, 130, 200},    // blue
    {245, 130, 48},   // orange
    {145, 30, 180},   // purple
    {70, 240, 240},   // cyan
    {240, 50, 230},   // magenta
    {210, 245, 60},   // lime
    {250, 190, 212},  // pink
    {0, 128, 128},    // teal
    {220, 190, 255},  // lavender
    {170, 110, 40},   // brown
    {255, 250, 200},  // beige
    {128, 0, 0},      // maroon
    {170, 255, 195},  // mint
    {128, 128, 0},    // olive
    {255, 215, 180},  // apricot
    {0, 0, 128},      // navy
}};

bool inside(const RasterImage& mask, std::size_t x, std::size_t y) {
  return mask.pixels[y * mask.width + x] > 127;
}

}  // namespace

Rgb class_color(std::uint32_t class_id) {
  // Ids start at 1: class 1 is red, 2 green, ...
  return kPalette[(class_id + kPalette.size() - 1) % kPalette.size()];
}

std::string css_color(const Rgb& c) {
  return fmt::format("#{:02x}{:02x}{:02x}", c[0], c[1], c[2]);
}

std::string decode_png(const std::filesystem::path& file, int channels, RasterImage& out,
                       std::size_t max_pixels) {
  png_image img;
  std::memset(&img, 0, sizeof img);
  img.version = PNG_IMAGE_VERSION;
  if (png_image_begin_read_from_file(&img, file.c_str()) == 0) {
    std::string why = img.message;
    png_image_free(&img);
    return "cannot be read as a PNG (" + why + ")";
  }
  const std::size_t w = img.width, h = img.height;
  if (w == 0 || h == 0 || w * h > max_pixels) {
    png_image_free(&img);
    return fmt::format("is {}x{} pixels, too large for a preview", w, h);
  }
  img.format = channels == 3 ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY;
  out.width = w;
  out.height = h;
  out.channels = channels;
  out.pixels.assign(PNG_IMAGE_SIZE(img), 0);
  if (png_image_finish_read(&img, nullptr, out.pixels.data(), 0, nullptr) == 0) {
    std::string why = img.message;
    png_image_free(&img);
    return "cannot be decoded (" + why + ")";
  }
  png_image_free(&img);
  return {};
}

void blend_mask_fill(RasterImage& rgb, const RasterImage& mask, const Rgb& color) {
  const std::size_t n = rgb.width * rgb.height;
  for (std::size_t i = 0; i < n; ++i) {
    if (mask.pixels[i] <= 127) continue;
    std::uint8_t* p = &rgb.pixels[3 * i];
    for (int c = 0; c < 3; ++c) {
      const unsigned v =
          (p[c] * (256u - kFillAlpha) + color[static_cast<std::size_t>(c)] * kFillAlpha + 128u) >>
          8;
      p[c] = static_cast<std::uint8_t>(v > 255 ? 255 : v);
    }
  }
}

std::vector<std::size_t> mask_boundary(const RasterImage& mask) {
  std::vector<std::size_t> out;
  const std::size_t w = mask.width, h = mask.height;
  for (std::size_t y = 0; y < h; ++y) {
    for (std::size_t x = 0; x < w; ++x) {
      if (!inside(mask, x, y)) continue;
      const bool edge = x == 0 || y == 0 || x + 1 == w || y + 1 == h || !inside(mask, x - 1, y) ||
                        !inside(mask, x + 1, y) || !inside(mask, x, y - 1) ||
                        !inside(mask, x, y + 1);
      if (edge) out.push_back(y * w + x);
    }
  }
  return out;
}

void draw_pixels(RasterImage& rgb, const std::vector<std::size_t>& pixels, const Rgb& color) {
  for (const std::size_t i : pixels) std::memcpy(&rgb.pixels[3 * i], color.data(), 3);
}

}  // namespace samed2d
