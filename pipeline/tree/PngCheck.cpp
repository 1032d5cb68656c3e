#include "pipeline/tree/PngCheck.hpp"

#include <fmt/format.h>
#include <png.h>

#include <array>
#include <csetjmp>
#include <cstdio>
#include <cstring>

namespace samed2d {

namespace {

std::uint32_t be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

// A file too short for a PNG, or one that does not start with the PNG signature: what is
// wrong, or "".
std::string check_png_signature(const std::uint8_t* data, std::size_t size) {
  static constexpr std::array<std::uint8_t, 8> kSignature{0x89, 'P',  'N',  'G',
                                                          0x0d, 0x0a, 0x1a, 0x0a};
  if (size < kSignature.size()) return fmt::format("is {} bytes, too short for a PNG", size);
  if (std::memcmp(data, kSignature.data(), kSignature.size()) != 0)
    return "is not a PNG (it does not start with the PNG signature)";
  return {};
}

// What libpng reads from: the file's bytes, and what went wrong.
struct PngSource {
  const std::uint8_t* data = nullptr;
  std::size_t size = 0;
  std::size_t at = 0;
  bool cut = false;        // libpng asked for bytes past the end of the file
  bool too_large = false;  // the IHDR claims more pixels than the file can hold; see below
  std::array<char, 200> message{};
};

void png_read_from_source(png_structp png, png_bytep out, std::size_t length) {
  auto* src = static_cast<PngSource*>(png_get_io_ptr(png));
  if (length > src->size - src->at) {
    src->cut = true;
    png_error(png, "the file ends early");
  }
  std::memcpy(out, src->data + src->at, length);
  src->at += length;
}

void png_on_error(png_structp png, png_const_charp message) {
  auto* src = static_cast<PngSource*>(png_get_error_ptr(png));
  if (!src->too_large) std::snprintf(src->message.data(), src->message.size(), "%s", message);
  png_longjmp(png, 1);
}

// Warnings (a CRC error in an ancillary chunk, which libpng then skips; an Adler-32 mismatch at
// the end of the image data) do not stop cv2.imread, so they are no problem here either.
void png_on_warning(png_structp, png_const_charp) {}

// Decodes a whole PNG, as cv2.imread does (libpng with its default checks: a CRC error in a
// critical chunk is an error), and reads on to its IEND chunk, which libpng only looks for in
// png_read_end. Returns false when libpng failed; `src` says why. No C++ object with a destructor
// lives in this frame: libpng leaves by longjmp.
bool decode_png(PngSource& src, DecodedPng& out) {
  PngHeader& h = out.header;
  std::size_t& row_bytes = out.row_bytes;
  std::vector<std::uint8_t>& pixels = out.pixels;
  std::vector<png_bytep>& rows = out.rows;
  png_structp png =
      png_create_read_struct(PNG_LIBPNG_VER_STRING, &src, png_on_error, png_on_warning);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  if (info == nullptr) {
    std::snprintf(src.message.data(), src.message.size(), "out of memory");
    png_destroy_read_struct(&png, nullptr, nullptr);
    return false;
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_read_struct(&png, &info, nullptr);
    return false;
  }
  png_set_read_fn(png, &src, png_read_from_source);
  png_read_info(png, info);
  h.width = png_get_image_width(png, info);
  h.height = png_get_image_height(png, info);
  h.bit_depth = png_get_bit_depth(png, info);
  h.color_type = png_get_color_type(png, info);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  row_bytes = png_get_rowbytes(png, info);
  // Deflate packs at most 1032 bytes into one, so a header that claims more pixels than the
  // file can hold is corrupt: refuse it before allocating the rows.
  if (static_cast<double>(row_bytes + 1) * h.height > 1040.0 * static_cast<double>(src.size)) {
    std::snprintf(src.message.data(), src.message.size(),
                  "is corrupt: its IHDR says %ux%u pixels, more than %zu bytes can hold", h.width,
                  h.height, src.size);
    src.too_large = true;
    png_error(png, "too large");
  }
  pixels.resize(row_bytes * h.height);
  rows.resize(h.height);
  for (std::size_t y = 0; y < h.height; ++y) rows[y] = pixels.data() + y * row_bytes;
  png_read_image(png, rows.data());
  png_read_end(png, nullptr);
  png_destroy_read_struct(&png, &info, nullptr);
  return true;
}

// What was wrong with a PNG libpng gave up on: when it ran past the end of the file, the chunk
// the file is cut in (or that IEND is missing), found by walking the chunks; else its message.
std::string describe_png_failure(const PngSource& src) {
  if (src.too_large) return src.message.data();
  if (!src.cut) return fmt::format("is corrupt: libpng says \"{}\"", src.message.data());
  std::size_t pos = 8;
  std::string last = "signature";
  while (pos + 8 <= src.size) {
    const std::size_t end = pos + 12 + std::size_t{be32(src.data + pos)};
    std::string type(reinterpret_cast<const char*>(src.data + pos + 4), 4);
    for (char& c : type)
      if (c < 0x21 || c > 0x7e) c = '?';
    if (end > src.size)
      return fmt::format(
          "is cut short: the file ends at byte {}, inside its {} chunk (which ends at byte {})",
          src.size, type, end);
    if (type == "IEND")
      return fmt::format("is corrupt: libpng read past the end of the file ({} bytes)", src.size);
    last = type + " chunk";
    pos = end;
  }
  if (pos == src.size)
    return fmt::format("has no IEND chunk: the file ends after its {} (byte {})", last, pos);
  return fmt::format(
      "is cut short: the file ends at byte {}, inside the header of the chunk after its {}",
      src.size, last);
}

}  // namespace

std::string decode_whole_png(const std::vector<std::uint8_t>& file, DecodedPng& png) {
  if (auto err = check_png_signature(file.data(), file.size()); !err.empty()) return err;
  PngSource src;
  src.data = file.data();
  src.size = file.size();
  if (decode_png(src, png)) return {};
  return describe_png_failure(src);
}

std::string_view color_type_name(int t) {
  switch (t) {
    case 0:
      return "grey";
    case 2:
      return "RGB";
    case 3:
      return "palette";
    case 4:
      return "grey+alpha";
    case 6:
      return "RGBA";
    default:
      return "unknown colour type";
  }
}

}  // namespace samed2d
