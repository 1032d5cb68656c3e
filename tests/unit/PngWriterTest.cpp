// encode_png: every colour type, filter, deflater and level decodes to exactly the pixels given,
// with libpng (what cv2.imread uses) and with a second, independent decoder (stb_image); the
// files hold only IHDR, IDAT and IEND with valid CRCs, pass pngcheck, and are the same bytes on
// any thread.

#include <gtest/gtest.h>
#include <png.h>
#include <stb/stb_image.h>
#include <zlib.h>

#include <cstdint>
#include <fstream>
#include <map>
#include <ostream>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "pipeline/output/PngWriter.hpp"
#include "support/RunTool.hpp"
#include "support/TestData.hpp"

namespace samed2d {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes random_bytes(std::size_t count, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> byte(0, 255);
  Bytes values(count);
  for (auto& v : values) v = static_cast<std::uint8_t>(byte(rng));
  return values;
}

// Compressible content (smooth ramps with a few edges), so that zlib settings matter.
Bytes smooth_bytes(std::size_t width, std::size_t height) {
  Bytes values(width * height);
  for (std::size_t y = 0; y < height; ++y)
    for (std::size_t x = 0; x < width; ++x)
      values[y * width + x] = static_cast<std::uint8_t>((x + 2 * y) / 3 + (x > width / 2 ? 60 : 0));
  return values;
}

Bytes encode(const Bytes& pixels, std::size_t width, std::size_t height, PngColor color,
             const PngOptions& options = PngOptions{}) {
  Bytes out;
  encode_png(pixels.data(), width, height, color, options, out);
  return out;
}

// Decodes through the tests' own libpng reader, which reads files.
test::PngImage decode(const Bytes& png) {
  test::TempDir dir;
  const auto file = dir / "image.png";
  {
    std::ofstream stream(file, std::ios::binary);
    stream.write(reinterpret_cast<const char*>(png.data()),
                 static_cast<std::streamsize>(png.size()));
  }
  return test::read_png(file);
}

// Decodes with stb_image from memory (no libpng, no zlib): its own inflate and unfiltering.
struct StbImage {
  int width = 0, height = 0, channels = 0;
  Bytes pixels;
};
StbImage decode_stb(const Bytes& png) {
  StbImage image;
  stbi_uc* data = stbi_load_from_memory(png.data(), static_cast<int>(png.size()), &image.width,
                                        &image.height, &image.channels, 0);
  if (data == nullptr) {
    ADD_FAILURE() << "stb_image: " << stbi_failure_reason();
    return image;
  }
  image.pixels.assign(data, data + static_cast<std::size_t>(image.width) *
                                       static_cast<std::size_t>(image.height) *
                                       static_cast<std::size_t>(image.channels));
  stbi_image_free(data);
  return image;
}

// The pixels a decoder must give back: the input, or for GrayAsRgb every value three times.
Bytes expected_pixels(const Bytes& input, PngColor color) {
  if (color != PngColor::GrayAsRgb) return input;
  Bytes rgb(input.size() * 3);
  for (std::size_t p = 0; p < input.size(); ++p)
    rgb[3 * p] = rgb[3 * p + 1] = rgb[3 * p + 2] = input[p];
  return rgb;
}

struct Chunk {
  std::string type;
  Bytes data;
};

std::uint32_t read_be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

// Walks the chunk list by the PNG specification, checking the signature, every length and CRC,
// and that nothing follows IEND.
std::vector<Chunk> chunks_of(const Bytes& png) {
  static const std::uint8_t signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  EXPECT_GE(png.size(), 8u);
  EXPECT_TRUE(std::equal(signature, signature + 8, png.begin()));
  std::vector<Chunk> chunks;
  std::size_t pos = 8;
  while (pos < png.size()) {
    if (png.size() - pos < 12) {
      ADD_FAILURE() << "truncated chunk header at " << pos;
      break;
    }
    const std::uint32_t length = read_be32(&png[pos]);
    if (png.size() - pos - 12 < length) {
      ADD_FAILURE() << "chunk at " << pos << " runs past the end";
      break;
    }
    Chunk chunk;
    chunk.type.assign(reinterpret_cast<const char*>(&png[pos + 4]), 4);
    chunk.data.assign(png.begin() + static_cast<std::ptrdiff_t>(pos + 8),
                      png.begin() + static_cast<std::ptrdiff_t>(pos + 8 + length));
    const auto crc = static_cast<std::uint32_t>(crc32(0, &png[pos + 4], 4 + length));
    EXPECT_EQ(crc, read_be32(&png[pos + 8 + length])) << "bad CRC in " << chunk.type;
    pos += 12 + length;
    chunks.push_back(std::move(chunk));
    if (chunks.back().type == "IEND") break;
  }
  EXPECT_EQ(pos, png.size()) << "bytes after IEND";
  return chunks;
}

// The zlib stream of all IDAT chunks, and its inflated content (filter byte + row per row).
Bytes idat_stream(const Bytes& png) {
  Bytes stream;
  for (const auto& chunk : chunks_of(png))
    if (chunk.type == "IDAT") stream.insert(stream.end(), chunk.data.begin(), chunk.data.end());
  return stream;
}

// The whole zlib stream inflated: exactly one complete stream of at most `expected_size` bytes
// (uncompress fails on a cut stream, and on a longer one through the spare byte).
Bytes inflate_all(const Bytes& stream, std::size_t expected_size) {
  Bytes out(expected_size + 1);
  uLongf size = static_cast<uLongf>(out.size());
  EXPECT_EQ(uncompress(out.data(), &size, stream.data(), static_cast<uLong>(stream.size())), Z_OK);
  out.resize(size);
  return out;
}

std::string color_name(PngColor color) {
  static const std::map<PngColor, std::string> names{
      {PngColor::Gray, "Gray"}, {PngColor::Rgb, "Rgb"}, {PngColor::GrayAsRgb, "GrayAsRgb"}};
  return names.at(color);
}

}  // namespace

// Readable parameter names in failure messages.
void PrintTo(PngColor color, std::ostream* os) {
  *os << color_name(color);
}

namespace {

std::size_t in_channels(PngColor color) {
  return color == PngColor::Rgb ? 3 : 1;
}

// ---------------------------------------------------------------------------------------------

using RoundTripParam = std::tuple<PngColor, std::size_t, std::size_t>;  // color, width, height

class PngRoundTrip : public ::testing::TestWithParam<RoundTripParam> {};

TEST_P(PngRoundTrip, DecodesToTheInput) {
  const auto [color, width, height] = GetParam();
  const Bytes pixels = random_bytes(width * height * in_channels(color),
                                    static_cast<std::uint32_t>(width * 1000 + height));
  const Bytes png = encode(pixels, width, height, color, image_png_options(color));
  const test::PngImage image = decode(png);

  EXPECT_EQ(image.width, width);
  EXPECT_EQ(image.height, height);
  EXPECT_EQ(image.bit_depth, 8);
  EXPECT_EQ(image.color_type, color == PngColor::Gray ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB);
  EXPECT_EQ(image.channels, color == PngColor::Gray ? 1 : 3);
  EXPECT_EQ(image.pixels, expected_pixels(pixels, color));
  const StbImage stb = decode_stb(png);
  EXPECT_EQ(static_cast<std::size_t>(stb.width), width);
  EXPECT_EQ(static_cast<std::size_t>(stb.height), height);
  EXPECT_EQ(stb.pixels, expected_pixels(pixels, color));
}

INSTANTIATE_TEST_SUITE_P(
    ColorsAndOddSizes, PngRoundTrip,
    ::testing::Combine(::testing::Values(PngColor::Gray, PngColor::Rgb, PngColor::GrayAsRgb),
                       ::testing::Values(std::size_t{1}, std::size_t{3}, std::size_t{181}),
                       ::testing::Values(std::size_t{1}, std::size_t{7}, std::size_t{217})),
    [](const ::testing::TestParamInfo<RoundTripParam>& p) {
      return color_name(std::get<0>(p.param)) + "_" + std::to_string(std::get<1>(p.param)) + "x" +
             std::to_string(std::get<2>(p.param));
    });

// Options beside the defaults: the other deflater, another level, a filter that looks left.
const PngOptions kOtherOptions[] = {{PngDeflater::Libdeflate, 6, PngFilter::Paeth},
                                    {PngDeflater::Zlib, 3, PngFilter::Sub},
                                    {PngDeflater::Libdeflate, 1, PngFilter::Average}};

TEST(PngWriter, GrayAsRgbIsTheSameFileAsRgbWithTripledChannels) {
  // GrayAsRgb filters the grey row and triples it; that must equal filtering the RGB row.
  const std::size_t width = 181, height = 37;
  const Bytes gray = smooth_bytes(width, height);
  const Bytes rgb = expected_pixels(gray, PngColor::GrayAsRgb);
  EXPECT_EQ(encode(gray, width, height, PngColor::GrayAsRgb, image_png_options()),
            encode(rgb, width, height, PngColor::Rgb, image_png_options()));
  for (const PngOptions& options : kOtherOptions)
    EXPECT_EQ(encode(gray, width, height, PngColor::GrayAsRgb, options),
              encode(rgb, width, height, PngColor::Rgb, options))
        << static_cast<int>(options.filter);
}

TEST(PngWriter, GrayAsRgbHandlesWidthChangesOnOneThread) {
  // The expansion buffer is per thread and reused: a wide image, then a narrow one, then a wide
  // one again must each come out right.
  for (std::size_t width : {300u, 2u, 301u, 1u}) {
    const Bytes gray = random_bytes(width * 5, static_cast<std::uint32_t>(width));
    const auto image = decode(encode(gray, width, 5, PngColor::GrayAsRgb));
    ASSERT_EQ(image.pixels.size(), gray.size() * 3);
    for (std::size_t p = 0; p < gray.size(); ++p)
      ASSERT_EQ(image.pixels[3 * p + 1], gray[p]) << "width " << width << " pixel " << p;
  }
}

TEST(PngWriter, EveryOptionCombinationRoundTripsWithBothDecoders) {
  const std::size_t width = 23, height = 11;
  const PngFilter filters[] = {PngFilter::None, PngFilter::Sub, PngFilter::Up, PngFilter::Average,
                               PngFilter::Paeth};
  struct Deflater {
    PngDeflater deflater;
    int max_level;
  };
  for (const Deflater d : {Deflater{PngDeflater::Zlib, 9}, Deflater{PngDeflater::Libdeflate, 12}})
    for (int level = 0; level <= d.max_level; ++level)
      for (PngFilter filter : filters)
        for (PngColor color : {PngColor::Gray, PngColor::Rgb, PngColor::GrayAsRgb}) {
          // Smooth content in some rows and noise in others, so filters see both.
          Bytes pixels = smooth_bytes(width * in_channels(color), height);
          const Bytes noise = random_bytes(pixels.size(), static_cast<std::uint32_t>(level));
          for (std::size_t p = 0; p < pixels.size(); p += 3) pixels[p] = noise[p];
          const PngOptions options{d.deflater, level, filter};
          const Bytes png = encode(pixels, width, height, color, options);
          const auto want = expected_pixels(pixels, color);
          ASSERT_EQ(decode(png).pixels, want)
              << "deflater " << static_cast<int>(d.deflater) << " level " << level << " filter "
              << static_cast<int>(filter) << " " << color_name(color);
          ASSERT_EQ(decode_stb(png).pixels, want)
              << "stb: deflater " << static_cast<int>(d.deflater) << " level " << level
              << " filter " << static_cast<int>(filter) << " " << color_name(color);
        }
}

TEST(PngWriter, UsesTheRequestedFilterOnEveryRow) {
  const std::size_t width = 40, height = 9;
  const Bytes gray = smooth_bytes(width, height);
  for (PngFilter filter :
       {PngFilter::None, PngFilter::Sub, PngFilter::Up, PngFilter::Average, PngFilter::Paeth}) {
    const Bytes raw =
        inflate_all(idat_stream(encode(gray, width, height, PngColor::Gray,
                                       PngOptions{PngDeflater::Libdeflate, 2, filter})),
                    height * (width + 1));
    ASSERT_EQ(raw.size(), height * (width + 1));
    for (std::size_t row = 0; row < height; ++row)
      EXPECT_EQ(raw[row * (width + 1)], static_cast<int>(filter)) << "row " << row;
  }
  // Up subtracts the row above: a picture whose rows are all equal is zeros after row 0.
  Bytes stripes(width * height);
  for (std::size_t p = 0; p < stripes.size(); ++p)
    stripes[p] = static_cast<std::uint8_t>(p % width);
  const Bytes raw = inflate_all(idat_stream(encode(stripes, width, height, PngColor::Gray,
                                                   image_png_options(PngColor::Gray))),
                                height * (width + 1));
  for (std::size_t row = 1; row < height; ++row)
    for (std::size_t x = 1; x <= width; ++x) ASSERT_EQ(raw[row * (width + 1) + x], 0);
}

TEST(PngWriter, UsesTheRequestedDeflaterAndLevel) {
  // Both write the level class in the zlib header (RFC 1950 FLEVEL): zlib 0 for levels 0..1,
  // 1 for 2..5, 2 for 6, 3 for 7..9; libdeflate 0 below 2, 1 below 6, 2 for 6, 3 above.
  const Bytes gray = smooth_bytes(64, 64);
  auto flevel = [&](PngDeflater deflater, int level) {
    const Bytes stream = idat_stream(
        encode(gray, 64, 64, PngColor::Gray, PngOptions{deflater, level, PngFilter::None}));
    EXPECT_GE(stream.size(), 2u);
    return stream.size() < 2 ? -1 : stream[1] >> 6;
  };
  EXPECT_EQ(flevel(PngDeflater::Zlib, 1), 0);
  EXPECT_EQ(flevel(PngDeflater::Zlib, 3), 1);
  EXPECT_EQ(flevel(PngDeflater::Zlib, 6), 2);
  EXPECT_EQ(flevel(PngDeflater::Zlib, 9), 3);
  EXPECT_EQ(flevel(PngDeflater::Libdeflate, 1), 0);
  EXPECT_EQ(flevel(PngDeflater::Libdeflate, 2), 1);
  EXPECT_EQ(flevel(PngDeflater::Libdeflate, 6), 2);
  EXPECT_EQ(flevel(PngDeflater::Libdeflate, 12), 3);
  // Level 0 stores: the file holds every raw byte; level 12 compresses.
  for (PngDeflater deflater : {PngDeflater::Zlib, PngDeflater::Libdeflate}) {
    EXPECT_GT(encode(gray, 64, 64, PngColor::Gray, PngOptions{deflater, 0, PngFilter::None}).size(),
              64u * 65u);
  }
  EXPECT_LT(
      encode(gray, 64, 64, PngColor::Gray, PngOptions{PngDeflater::Libdeflate, 12, PngFilter::None})
          .size(),
      64u * 65u / 2);
  // Masks keep zlib level 3, whose stream is what libpng with zlib level 3 wrote before.
  EXPECT_EQ(mask_png_options().deflater, PngDeflater::Zlib);
  EXPECT_EQ(image_png_options().deflater, PngDeflater::Libdeflate);
}

TEST(PngWriter, FilesPassPngcheck) {
  const std::string pngcheck = "pngcheck";
  if (test::run_command({"sh", "-c", "command -v pngcheck"}).exit_code != 0)
    GTEST_SKIP() << "pngcheck is missing (Debian: apt-get install pngcheck)";
  test::TempDir dir;
  std::vector<std::string> argv{pngcheck, "-q"};
  int n = 0;
  for (PngColor color : {PngColor::Gray, PngColor::Rgb, PngColor::GrayAsRgb})
    for (const PngOptions& options :
         {image_png_options(color), mask_png_options(), kOtherOptions[0], kOtherOptions[1]}) {
      const std::size_t width = 97, height = 61;
      const Bytes png =
          encode(smooth_bytes(width * in_channels(color), height), width, height, color, options);
      const auto file = dir / ("f" + std::to_string(n++) + ".png");
      std::ofstream(file, std::ios::binary)
          .write(reinterpret_cast<const char*>(png.data()),
                 static_cast<std::streamsize>(png.size()));
      argv.push_back(file.string());
    }
  const auto run = test::run_command(argv);
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
}

TEST(PngWriter, WritesOnlyIhdrIdatIend) {
  for (PngColor color : {PngColor::Gray, PngColor::Rgb, PngColor::GrayAsRgb})
    for (const PngOptions& options :
         {image_png_options(color), mask_png_options(), PngOptions{}, kOtherOptions[1]}) {
      const Bytes pixels = random_bytes(31 * 17 * in_channels(color), 5);
      const auto chunks = chunks_of(encode(pixels, 31, 17, color, options));
      ASSERT_GE(chunks.size(), 3u);
      EXPECT_EQ(chunks.front().type, "IHDR");
      EXPECT_EQ(chunks.back().type, "IEND");
      std::set<std::string> types;
      for (const auto& chunk : chunks) types.insert(chunk.type);
      EXPECT_EQ(types, (std::set<std::string>{"IHDR", "IDAT", "IEND"})) << color_name(color);
      for (const char* banned : {"tIME", "tEXt", "zTXt", "iTXt", "gAMA", "sRGB", "iCCP", "pHYs"})
        EXPECT_EQ(types.count(banned), 0u) << banned;
    }
}

TEST(PngWriter, DefaultsEncodeSlicesAndMasks) {
  const std::size_t width = 181, height = 217;
  const Bytes slice = smooth_bytes(width, height);
  Bytes mask(width * height, 0);
  for (std::size_t y = 0; y < height; ++y)
    for (std::size_t x = 0; x < width; ++x) {
      const double dx = double(x) - 90, dy = double(y) - 100;
      if (dx * dx + dy * dy < 40 * 40) mask[y * width + x] = 255;
    }
  const auto image = decode(encode(slice, width, height, PngColor::GrayAsRgb, image_png_options()));
  EXPECT_EQ(image.color_type, PNG_COLOR_TYPE_RGB);
  ASSERT_EQ(image.pixels.size(), slice.size() * 3);
  for (std::size_t p = 0; p < slice.size(); ++p) ASSERT_EQ(image.pixels[3 * p + 2], slice[p]);
  EXPECT_EQ(decode(encode(slice, width, height, PngColor::Gray, image_png_options(PngColor::Gray)))
                .pixels,
            slice);
  Bytes rgb(slice.size() * 3);
  for (std::size_t p = 0; p < rgb.size(); ++p)
    rgb[p] = static_cast<std::uint8_t>(slice[p / 3] + p % 3);
  EXPECT_EQ(
      decode(encode(rgb, width, height, PngColor::Rgb, image_png_options(PngColor::Rgb))).pixels,
      rgb);

  const Bytes mask_png = encode(mask, width, height, PngColor::Gray, mask_png_options());
  const auto decoded = decode(mask_png);
  EXPECT_EQ(decoded.color_type, PNG_COLOR_TYPE_GRAY);
  EXPECT_EQ(decoded.bit_depth, 8);
  EXPECT_EQ(decoded.pixels, mask);
  // A disc mask is almost all runs: any sensible compression keeps it far below the raw size.
  EXPECT_LT(mask_png.size(), mask.size() / 10);
}

TEST(PngWriter, SameInputGivesSameBytes) {
  const Bytes gray = random_bytes(181 * 217, 11);
  const Bytes first = encode(gray, 181, 217, PngColor::GrayAsRgb, image_png_options());
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(encode(gray, 181, 217, PngColor::GrayAsRgb, image_png_options()), first);

  // Leftover content and capacity of the output vector do not leak into the result.
  Bytes reused(100000, 0xAB);
  encode_png(gray.data(), 181, 217, PngColor::GrayAsRgb, image_png_options(), reused);
  EXPECT_EQ(reused, first);
}

TEST(PngWriter, ThreadsGiveTheSameBytesAsOneThread) {
  struct Case {
    Bytes pixels;
    std::size_t width, height;
    PngColor color;
    PngOptions options;
  };
  std::vector<Case> cases;
  for (std::uint32_t i = 0; i < 6; ++i) {
    const std::size_t width = 50 + 37 * i, height = 20 + 11 * i;
    const PngColor color = i % 3 == 0   ? PngColor::Gray
                           : i % 3 == 1 ? PngColor::Rgb
                                        : PngColor::GrayAsRgb;
    cases.push_back({random_bytes(width * height * in_channels(color), i), width, height, color,
                     i % 2 == 0 ? image_png_options() : kOtherOptions[i % 3]});
  }
  std::vector<Bytes> expected;
  for (const auto& c : cases)
    expected.push_back(encode(c.pixels, c.width, c.height, c.color, c.options));

  const int thread_count = 8;
  std::vector<int> mismatches(thread_count, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < thread_count; ++t)
    threads.emplace_back([&, t] {
      Bytes out;  // reused per thread, as the pipeline does
      for (int round = 0; round < 10; ++round)
        for (std::size_t i = 0; i < cases.size(); ++i) {
          // Each thread walks the cases from a different start, so that different images
          // (and widths for the GrayAsRgb buffer) are encoded at the same time.
          const std::size_t which = (i + static_cast<std::size_t>(t)) % cases.size();
          const auto& c = cases[which];
          encode_png(c.pixels.data(), c.width, c.height, c.color, c.options, out);
          if (out != expected[which]) ++mismatches[t];
        }
    });
  for (auto& thread : threads) thread.join();
  for (int t = 0; t < thread_count; ++t) EXPECT_EQ(mismatches[t], 0) << "thread " << t;
}

TEST(PngWriter, RejectsInvalidArguments) {
  const Bytes pixels(64, 7);
  Bytes out;
  const PngOptions ok;
  EXPECT_THROW(encode_png(nullptr, 4, 4, PngColor::Gray, ok, out), std::invalid_argument);
  EXPECT_THROW(encode_png(pixels.data(), 0, 4, PngColor::Gray, ok, out), std::invalid_argument);
  EXPECT_THROW(encode_png(pixels.data(), 4, 0, PngColor::Rgb, ok, out), std::invalid_argument);
  EXPECT_THROW(encode_png(pixels.data(), std::size_t{1} << 31, 1, PngColor::Gray, ok, out),
               std::invalid_argument);
  const PngOptions bad[] = {{PngDeflater::Libdeflate, -1, PngFilter::None},
                            {PngDeflater::Libdeflate, 13, PngFilter::None},
                            {PngDeflater::Zlib, 10, PngFilter::None},
                            {PngDeflater::Zlib, 1, static_cast<PngFilter>(5)}};
  for (const auto& options : bad)
    EXPECT_THROW(encode_png(pixels.data(), 4, 4, PngColor::Gray, options, out),
                 std::invalid_argument)
        << options.level << " " << static_cast<int>(options.filter);
}

TEST(PngWriter, ReusedBuffersServeImagesOfAnySize) {
  // Per-thread buffers (filtered rows, compressed stream) grow and are reused: a large image,
  // a tiny one, then a large one again must each come out right, and `out` holds exactly the
  // file.
  for (std::size_t side : {700u, 1u, 3u, 701u, 2u}) {
    const Bytes gray = random_bytes(side * side, static_cast<std::uint32_t>(side));
    for (const PngOptions& options : {image_png_options(), mask_png_options()}) {
      const Bytes png = encode(gray, side, side, PngColor::GrayAsRgb, options);
      ASSERT_EQ(decode(png).pixels, expected_pixels(gray, PngColor::GrayAsRgb)) << side;
      EXPECT_EQ(chunks_of(png).back().type, "IEND");
    }
  }
}

}  // namespace
}  // namespace samed2d
