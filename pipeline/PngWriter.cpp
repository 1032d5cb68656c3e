#include "pipeline/PngWriter.hpp"

#include <png.h>
#include <zlib.h>

#include <csetjmp>
#include <cstring>
#include <limits>
#include <new>
#include <stdexcept>
#include <string>

namespace samed2d {

// Chosen by measurement on Colin27 slices and AAL component masks; docs/png-settings.md has the
// numbers and the reasons. In short: with three equal channels only LZ77 matches at distance 3
// find the redundancy, so RLE does badly there (1.8x the bytes); a single grey channel is
// mostly runs after the Up filter, and RLE gets there at a third of the CPU. Masks are a few
// hundred bytes whatever the setting (one file system block); the default strategy decodes 3x
// faster with libpng (what cv2.imread uses) than RLE does.
PngOptions image_png_options(PngColor color) {
  PngOptions options;
  options.mem_level = 8;
  if (color == PngColor::Gray) {
    options.level = 1;
    options.strategy = Z_RLE;
    options.filters = PNG_FILTER_UP;
  } else {
    options.level = 3;
    options.strategy = Z_DEFAULT_STRATEGY;
    options.filters = PNG_FILTER_UP;
  }
  return options;
}

PngOptions mask_png_options() {
  PngOptions options;
  options.level = 3;
  options.strategy = Z_DEFAULT_STRATEGY;
  options.filters = PNG_FILTER_NONE;
  options.mem_level = 8;
  return options;
}

namespace {

// Shared by the libpng callbacks of one call; trivially destructible, because png_error
// longjmps over the frames that see it.
struct CallState {
  std::vector<std::uint8_t>* out = nullptr;
  char error[256] = {};
  char warning[256] = {};
};

void copy_message(char (&dst)[256], png_const_charp message) {
  std::strncpy(dst, message != nullptr ? message : "(no message)", sizeof dst - 1);
  dst[sizeof dst - 1] = '\0';
}

[[noreturn]] void on_error(png_structp png, png_const_charp message) {
  copy_message(static_cast<CallState*>(png_get_error_ptr(png))->error, message);
  png_longjmp(png, 1);
}

// libpng explains an IHDR rejection in warnings before the error; keep the last one for the
// exception's message instead of printing to stderr from worker threads.
void on_warning(png_structp png, png_const_charp message) {
  copy_message(static_cast<CallState*>(png_get_error_ptr(png))->warning, message);
}

void on_write(png_structp png, png_bytep data, png_size_t length) {
  auto* state = static_cast<CallState*>(png_get_io_ptr(png));
  bool failed = false;
  try {
    state->out->insert(state->out->end(), data, data + length);
  } catch (const std::bad_alloc&) {
    failed = true;
  }
  // Outside the handler: longjmp out of a catch block would leave the exception alive.
  if (failed) png_error(png, "out of memory while collecting the PNG bytes");
}

void on_flush(png_structp) {}

struct Job {
  const std::uint8_t* pixels;
  png_uint_32 width;
  png_uint_32 height;
  std::size_t in_row_bytes;
  int color_type;
  bool gray_as_rgb;
  std::uint8_t* rgb_row;  // width * 3 bytes, for gray_as_rgb
  const PngOptions* options;
};

// Everything that can png_error runs here, after setjmp; this frame and the ones below it own
// nothing with a destructor, so the longjmp skips no cleanup. Returns false on a libpng error.
bool write_with_libpng(png_structp png, png_infop info, const Job& job) {
  if (setjmp(png_jmpbuf(png))) return false;

  png_set_compression_level(png, job.options->level);
  png_set_compression_strategy(png, job.options->strategy);
  png_set_compression_mem_level(png, job.options->mem_level);
  png_set_compression_window_bits(png, 15);
  png_set_compression_method(png, Z_DEFLATED);
  png_set_filter(png, PNG_FILTER_TYPE_BASE, job.options->filters);
  png_set_IHDR(png, info, job.width, job.height, 8, job.color_type, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);

  const std::uint8_t* in = job.pixels;
  for (png_uint_32 row = 0; row < job.height; ++row, in += job.in_row_bytes) {
    if (job.gray_as_rgb) {
      std::uint8_t* dst = job.rgb_row;
      for (png_uint_32 x = 0; x < job.width; ++x, dst += 3) dst[0] = dst[1] = dst[2] = in[x];
      png_write_row(png, job.rgb_row);
    } else {
      png_write_row(png, in);
    }
  }
  png_write_end(png, nullptr);
  return true;
}

// Frees the libpng structs on every path, the error path included.
struct WriteStructs {
  png_structp png = nullptr;
  png_infop info = nullptr;
  WriteStructs() = default;
  WriteStructs(const WriteStructs&) = delete;
  WriteStructs& operator=(const WriteStructs&) = delete;
  ~WriteStructs() { png_destroy_write_struct(&png, &info); }
};

void check_options(const PngOptions& o) {
  if (o.level < 0 || o.level > 9)
    throw std::invalid_argument("encode_png: zlib level " + std::to_string(o.level) +
                                " is out of range; use 0..9");
  if (o.strategy < Z_DEFAULT_STRATEGY || o.strategy > Z_FIXED)
    throw std::invalid_argument("encode_png: zlib strategy " + std::to_string(o.strategy) +
                                " is out of range; use 0..4");
  if (o.filters == 0 || (o.filters & ~PNG_ALL_FILTERS) != 0)
    throw std::invalid_argument("encode_png: filter mask " + std::to_string(o.filters) +
                                " is invalid; combine PNG_FILTER_NONE..PNG_FILTER_PAETH");
  if (o.mem_level < 1 || o.mem_level > 9)
    throw std::invalid_argument("encode_png: zlib mem_level " + std::to_string(o.mem_level) +
                                " is out of range; use 1..9");
}

}  // namespace

void encode_png(const std::uint8_t* pixels, std::size_t width, std::size_t height, PngColor color,
                const PngOptions& options, std::vector<std::uint8_t>& out) {
  if (pixels == nullptr) throw std::invalid_argument("encode_png: pixels is null");
  if (width == 0 || height == 0)
    throw std::invalid_argument("encode_png: image is empty (" + std::to_string(width) + "x" +
                                std::to_string(height) + "); pass at least one row and column");
  // PNG stores sizes as 31-bit numbers; libpng's own limit (1e6 per side) is checked by libpng.
  if (width > PNG_UINT_31_MAX || height > PNG_UINT_31_MAX)
    throw std::invalid_argument("encode_png: image " + std::to_string(width) + "x" +
                                std::to_string(height) + " exceeds the PNG size limit");
  check_options(options);

  const bool gray_as_rgb = color == PngColor::GrayAsRgb;
  const std::size_t in_channels = color == PngColor::Rgb ? 3 : 1;
  const std::size_t out_channels = color == PngColor::Gray ? 1 : 3;

  thread_local std::vector<std::uint8_t> rgb_row;
  if (gray_as_rgb && rgb_row.size() < width * 3) rgb_row.resize(width * 3);

  // A bound on the whole file even when stored uncompressed (level 0): filter byte per row,
  // deflate block headers, 12 bytes per IDAT chunk of 8 KiB, signature, IHDR and IEND. One
  // allocation per call at most, none when the caller reuses `out`.
  const std::size_t raw = height * (width * out_channels + 1);
  out.clear();
  out.reserve(raw + raw / 256 + 1024);

  CallState state;
  state.out = &out;
  WriteStructs structs;
  structs.png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &state, on_error, on_warning);
  if (structs.png == nullptr) throw std::bad_alloc();
  structs.info = png_create_info_struct(structs.png);
  if (structs.info == nullptr) throw std::bad_alloc();
  png_set_write_fn(structs.png, &state, on_write, on_flush);

  const Job job{pixels,
                static_cast<png_uint_32>(width),
                static_cast<png_uint_32>(height),
                width * in_channels,
                out_channels == 1 ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB,
                gray_as_rgb,
                gray_as_rgb ? rgb_row.data() : nullptr,
                &options};
  if (!write_with_libpng(structs.png, structs.info, job)) {
    std::string message = std::string("encode_png: libpng failed on a ") + std::to_string(width) +
                          "x" + std::to_string(height) + " image: " + state.error;
    if (state.warning[0] != '\0') message += std::string(" (") + state.warning + ")";
    throw std::runtime_error(message);
  }
}

}  // namespace samed2d
