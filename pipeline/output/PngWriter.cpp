#include "pipeline/output/PngWriter.hpp"

#include <libdeflate.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>

#include "pipeline/output/PngContainer.hpp"

namespace samed2d {

// Chosen by measurement on Colin27 slices, benchmark CT slices and their masks
// (build/tests/png_bench --candidates; docs/png-settings.md has the numbers and the reasons).
// Images: libdeflate with the Up filter compresses 2.2-2.5x faster than libpng with zlib level 3
// did, into 2 % smaller files that libpng decodes as fast (level 2 for RGB, where three equal
// channels need LZ77 matches; level 1 for grey, where level 2 is slower and no smaller).
// Masks: a 0/255 mask is a few hundred bytes whatever the setting; libdeflate spends 80-100 us
// setting up its tables per call and its streams decode 3-4x slower with libpng, so masks keep
// zlib level 3 (the same stream as before), without libpng's per-file setup.
PngOptions image_png_options(PngColor color) {
  PngOptions options;
  options.deflater = PngDeflater::Libdeflate;
  options.level = color == PngColor::Gray ? 1 : 2;
  options.filter = PngFilter::Up;
  return options;
}

PngOptions mask_png_options() {
  PngOptions options;
  options.deflater = PngDeflater::Zlib;
  options.level = 3;
  options.filter = PngFilter::None;
  return options;
}

namespace {

constexpr int kMaxLevel = 12;

// One libdeflate compressor per level and thread, made on first use (a compressor holds a few
// hundred KB of tables; making one per file would cost more than compressing a mask).
struct CompressorFree {
  void operator()(libdeflate_compressor* c) const { libdeflate_free_compressor(c); }
};
libdeflate_compressor* compressor(int level) {
  thread_local std::array<std::unique_ptr<libdeflate_compressor, CompressorFree>, kMaxLevel + 1>
      compressors;
  auto& c = compressors[static_cast<std::size_t>(level)];
  if (!c) {
    c.reset(libdeflate_alloc_compressor(level));
    if (!c) throw std::bad_alloc();
  }
  return c.get();
}

// One zlib stream per level and thread, reset for each file (windowBits 15, memLevel 8, the
// default strategy: what libpng would set up, without allocating its 256 KB again every time).
struct ZlibStream {
  z_stream z{};
  bool ready = false;
  ~ZlibStream() {
    if (ready) deflateEnd(&z);
  }
};
z_stream& zlib_stream(int level) {
  thread_local std::array<ZlibStream, 10> streams;
  ZlibStream& s = streams[static_cast<std::size_t>(level)];
  if (!s.ready) {
    if (deflateInit2(&s.z, level, Z_DEFLATED, 15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
      throw std::bad_alloc();
    s.ready = true;
  } else {
    deflateReset(&s.z);
  }
  return s.z;
}

// Memory for compressed streams, kept per thread and never zero-filled: a stream's worst-case
// bound is a little over the raw rows, several times what a slice compresses to, and growing a
// fresh std::vector to it would clear (and, at that size, page-fault in) all of it per file.
std::uint8_t* scratch(std::size_t size) {
  thread_local std::unique_ptr<std::uint8_t[]> buffer;
  thread_local std::size_t capacity = 0;
  if (size > capacity) {
    buffer.reset(new std::uint8_t[size]);
    capacity = size;
  }
  return buffer.get();
}

// Compresses `raw` with `z` (reset, see zlib_stream) into the file's place in `file`
// (kPngStreamOffset on, `bound` bytes free); returns the stream's size.
std::size_t compress_zlib(z_stream& z, const std::vector<std::uint8_t>& raw, std::uint8_t* file,
                          std::size_t bound) {
  z.next_in = const_cast<Bytef*>(raw.data());  // zlib's API is not const-correct
  z.avail_in = static_cast<uInt>(raw.size());
  z.next_out = file + kPngStreamOffset;
  z.avail_out = static_cast<uInt>(bound);
  if (deflate(&z, Z_FINISH) != Z_STREAM_END) throw std::bad_alloc();
  return static_cast<std::size_t>(z.total_out);
}

inline std::uint8_t paeth(std::uint8_t a, std::uint8_t b, std::uint8_t c) {
  const int p = int(a) + int(b) - int(c);
  const int pa = std::abs(p - int(a));
  const int pb = std::abs(p - int(b));
  const int pc = std::abs(p - int(c));
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}

// Filters one row of `n` bytes (`bpp` bytes per pixel) against the row above (`prev`, null for
// the first row, which PNG treats as zeros) into `out`.
void filter_row(PngFilter filter, const std::uint8_t* row, const std::uint8_t* prev, std::size_t n,
                std::size_t bpp, std::uint8_t* out) {
  switch (filter) {
    case PngFilter::None:
      std::copy(row, row + n, out);
      return;
    case PngFilter::Sub:
      for (std::size_t i = 0; i < n; ++i)
        out[i] = static_cast<std::uint8_t>(row[i] - (i >= bpp ? row[i - bpp] : 0));
      return;
    case PngFilter::Up:
      if (prev == nullptr) {
        std::copy(row, row + n, out);
      } else {
        for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::uint8_t>(row[i] - prev[i]);
      }
      return;
    case PngFilter::Average:
      for (std::size_t i = 0; i < n; ++i) {
        const int left = i >= bpp ? row[i - bpp] : 0;
        const int up = prev != nullptr ? prev[i] : 0;
        out[i] = static_cast<std::uint8_t>(row[i] - ((left + up) >> 1));
      }
      return;
    case PngFilter::Paeth:
      for (std::size_t i = 0; i < n; ++i) {
        const std::uint8_t left = i >= bpp ? row[i - bpp] : 0;
        const std::uint8_t up = prev != nullptr ? prev[i] : 0;
        const std::uint8_t up_left = prev != nullptr && i >= bpp ? prev[i - bpp] : 0;
        out[i] = static_cast<std::uint8_t>(row[i] - paeth(left, up, up_left));
      }
      return;
  }
}

// Each filter on a grey row, then every byte three times, equals that filter on the RGB row of
// three equal channels (Sub, Average and Paeth then look 3 bytes back, at the same grey
// neighbour), so GrayAsRgb filters a third of the bytes.
void triple(const std::uint8_t* in, std::size_t n, std::uint8_t* out) {
  for (std::size_t i = 0; i < n; ++i, out += 3) out[0] = out[1] = out[2] = in[i];
}

void check(const std::uint8_t* pixels, std::size_t width, std::size_t height, const PngOptions& o) {
  if (pixels == nullptr) throw std::invalid_argument("encode_png: pixels is null");
  if (width == 0 || height == 0)
    throw std::invalid_argument("encode_png: image is empty (" + std::to_string(width) + "x" +
                                std::to_string(height) + "); pass at least one row and column");
  // PNG stores sizes as 31-bit numbers.
  constexpr std::size_t kMaxSide = 0x7fffffff;
  if (width > kMaxSide || height > kMaxSide)
    throw std::invalid_argument("encode_png: image " + std::to_string(width) + "x" +
                                std::to_string(height) + " exceeds the PNG size limit");
  const int max_level = o.deflater == PngDeflater::Zlib ? 9 : kMaxLevel;
  if (o.level < 0 || o.level > max_level)
    throw std::invalid_argument("encode_png: compression level " + std::to_string(o.level) +
                                " is out of range; use 0.." + std::to_string(max_level));
  if (static_cast<int>(o.filter) > static_cast<int>(PngFilter::Paeth))
    throw std::invalid_argument("encode_png: filter " + std::to_string(static_cast<int>(o.filter)) +
                                " is not a PNG filter type; use 0..4");
}

}  // namespace

void encode_png(const std::uint8_t* pixels, std::size_t width, std::size_t height, PngColor color,
                const PngOptions& options, std::vector<std::uint8_t>& out) {
  check(pixels, width, height, options);
  const std::size_t in_bpp = color == PngColor::Rgb ? 3 : 1;
  const std::size_t out_bpp = color == PngColor::Gray ? 1 : 3;
  const std::size_t in_row = width * in_bpp;
  const std::size_t out_row = width * out_bpp;

  // The filtered rows, each behind its filter type byte: what the IDAT stream compresses.
  thread_local std::vector<std::uint8_t> raw;
  thread_local std::vector<std::uint8_t> grey_row;
  raw.resize(height * (out_row + 1));
  if (color == PngColor::GrayAsRgb) grey_row.resize(width);
  const std::uint8_t* prev = nullptr;
  const std::uint8_t* row = pixels;
  std::uint8_t* dst = raw.data();
  for (std::size_t r = 0; r < height; ++r, prev = row, row += in_row, dst += out_row + 1) {
    const PngFilter filter = options.filter;
    dst[0] = static_cast<std::uint8_t>(filter);
    if (color == PngColor::GrayAsRgb) {
      filter_row(filter, row, prev, width, 1, grey_row.data());
      triple(grey_row.data(), width, dst + 1);
    } else {
      filter_row(filter, row, prev, in_row, in_bpp, dst + 1);
    }
  }

  const auto png_color = out_bpp == 1 ? PngColorType::Gray : PngColorType::Rgb;
  const auto w = static_cast<std::uint32_t>(width);
  const auto h = static_cast<std::uint32_t>(height);
  // The file is built in scratch memory and copied out once at its final size.
  const auto finish = [&](std::uint8_t* file, std::size_t stream) {
    finish_png_in_place(w, h, png_color, file, stream);
    out.assign(file, file + kPngStreamOffset + stream + kPngTrailerBytes);
  };
  if (options.deflater == PngDeflater::Zlib && raw.size() <= kMaxIdatBytes / 2) {
    // zlib's avail_in/out are 32-bit; a mask this size is far below that.
    z_stream& z = zlib_stream(options.level);
    const std::size_t bound = deflateBound(&z, static_cast<uLong>(raw.size()));
    std::uint8_t* file = scratch(kPngStreamOffset + bound + kPngTrailerBytes);
    finish(file, compress_zlib(z, raw, file, bound));
    return;
  }
  libdeflate_compressor* c = compressor(std::min(options.level, kMaxLevel));
  const std::size_t bound = libdeflate_zlib_compress_bound(c, raw.size());
  if (bound <= kMaxIdatBytes) {
    // One IDAT: compress straight into the file's place.
    std::uint8_t* file = scratch(kPngStreamOffset + bound + kPngTrailerBytes);
    const std::size_t n =
        libdeflate_zlib_compress(c, raw.data(), raw.size(), file + kPngStreamOffset, bound);
    if (n == 0) throw std::bad_alloc();  // cannot happen with the bound; never write a bad file
    finish(file, n);
    return;
  }
  // Larger than one IDAT (a 2D source of hundreds of megapixels): several chunks.
  std::vector<std::uint8_t> stream(bound);
  const std::size_t n = libdeflate_zlib_compress(c, raw.data(), raw.size(), stream.data(), bound);
  if (n == 0) throw std::bad_alloc();
  write_png_container(w, h, png_color, stream.data(), n, out);
}

}  // namespace samed2d
