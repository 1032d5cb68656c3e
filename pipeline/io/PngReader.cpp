// PNG, read with libpng: ITK 5.2's PNG reader shifts samples by the sBIT chunk (an 8-bit grey
// PNG with sBIT 7 loses a bit), and with palette expansion off it still turns a palette with a
// tRNS chunk into RGBA. Reading it here keeps the stored samples and lets the palette decide
// between grey and RGB (SPEC section 4).
#include <png.h>

#include <array>
#include <bit>
#include <csetjmp>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "pipeline/core/Errors.hpp"
#include "pipeline/core/Text.hpp"
#include "pipeline/io/FormatReader.hpp"

namespace samed2d {

namespace {

struct PngState {
  std::string error;
  std::vector<unsigned char> pixels;
  std::vector<png_bytep> rows;
};

void png_error_fn(png_structp png, png_const_charp msg) {
  auto* state = static_cast<PngState*>(png_get_error_ptr(png));
  state->error = msg != nullptr ? msg : "libpng error";
  longjmp(png_jmpbuf(png), 1);
}

void png_warning_fn(png_structp, png_const_charp) {}

Volume read_png(const std::filesystem::path& file, std::vector<std::string>&, ReadAs mode) {
  std::unique_ptr<std::FILE, FileCloser> fp(std::fopen(file.c_str(), "rb"));
  if (!fp) throw InputError(file.string() + ": cannot open the file; check that it is readable");
  const auto state = std::make_unique<PngState>();
  png_structp png =
      png_create_read_struct(PNG_LIBPNG_VER_STRING, state.get(), png_error_fn, png_warning_fn);
  if (png == nullptr) throw std::bad_alloc();
  png_infop info = png_create_info_struct(png);
  png_uint_32 width = 0, height = 0;
  int bit_depth = 0, color_type = 0, channels = 0;
  png_colorp palette = nullptr;
  int palette_size = 0;
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_read_struct(&png, &info, nullptr);
    throw InputError(file.string() + ": not a readable PNG (" + one_line(state->error) +
                     "); the file is truncated or corrupt, re-export it");
  }
  if (info == nullptr) png_error(png, "out of memory");
  png_init_io(png, fp.get());
  png_read_info(png, info);
  png_get_IHDR(png, info, &width, &height, &bit_depth, &color_type, nullptr, nullptr, nullptr);
  if (color_type == PNG_COLOR_TYPE_PALETTE) {
    png_set_packing(png);  // indices of 1, 2, 4 bits become one byte each
    png_get_PLTE(png, info, &palette, &palette_size);
  }
  if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
  if (bit_depth == 16 && std::endian::native == std::endian::little) png_set_swap(png);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  channels = png_get_channels(png, info);
  check_voxel_limit({width, height, 1}, static_cast<std::size_t>(channels));
  const std::size_t rowbytes = png_get_rowbytes(png, info);
  state->pixels.resize(rowbytes * height);
  state->rows.resize(height);
  for (png_uint_32 r = 0; r < height; ++r) state->rows[r] = state->pixels.data() + r * rowbytes;
  png_read_image(png, state->rows.data());
  std::vector<png_color> pal(palette, palette + (palette != nullptr ? palette_size : 0));
  png_destroy_read_struct(&png, &info, nullptr);

  const std::array<std::size_t, 3> size{width, height, 1};
  const std::size_t n = std::size_t{width} * height;
  const auto& px = state->pixels;
  if (color_type == PNG_COLOR_TYPE_PALETTE && mode == ReadAs::Label) {
    Volume v(VoxelType::UInt8, size, 1, true);
    v.stored_dimensions = 2;
    std::memcpy(v.raw(), px.data(), n);
    return v;
  }
  if (color_type == PNG_COLOR_TYPE_PALETTE) {
    bool grey = true;
    for (const png_color& c : pal) grey = grey && c.red == c.green && c.green == c.blue;
    Volume v(VoxelType::UInt8, size, grey ? 1 : 3, true);
    v.stored_dimensions = 2;
    auto* out = v.data<std::uint8_t>();
    for (std::size_t p = 0; p < n; ++p) {
      const png_color c = px[p] < pal.size() ? pal[px[p]] : png_color{0, 0, 0};
      if (grey) {
        out[p] = c.red;
      } else {
        out[3 * p] = c.red;
        out[3 * p + 1] = c.green;
        out[3 * p + 2] = c.blue;
      }
    }
    return v;
  }
  // Grey+alpha keeps grey, RGBA keeps RGB: alpha is dropped (SPEC section 4).
  const int keep = channels >= 3 ? 3 : 1;
  const std::size_t sample = bit_depth == 16 ? 2 : 1;
  Volume v(sample == 2 ? VoxelType::UInt16 : VoxelType::UInt8, size, keep, true);
  v.stored_dimensions = 2;
  auto* out = static_cast<unsigned char*>(v.raw());
  if (keep == channels) {
    std::memcpy(out, px.data(), n * keep * sample);
  } else {
    const std::size_t in_px = channels * sample, out_px = keep * sample;
    for (std::size_t p = 0; p < n; ++p)
      std::memcpy(out + p * out_px, px.data() + p * in_px, out_px);
  }
  return v;
}

bool has_png_signature(const std::filesystem::path& file) {
  return file_starts_with(file, "\x89PNG\r\n\x1a\n");
}

}  // namespace

const FormatReader kPngFormat{has_png_signature, read_png, true};

}  // namespace samed2d
