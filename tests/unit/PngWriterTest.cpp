#include <gtest/gtest.h>
#include <png.h>
#include <zlib.h>

#include <cstdint>
#include <fstream>
#include <ostream>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "pipeline/PngWriter.hpp"
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

Bytes inflate_all(const Bytes& stream, std::size_t expected_size) {
  Bytes out(expected_size + 1);  // one spare byte detects a too long stream
  z_stream z{};
  EXPECT_EQ(inflateInit(&z), Z_OK);
  z.next_in = const_cast<Bytef*>(stream.data());
  z.avail_in = static_cast<uInt>(stream.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  inflateEnd(&z);
  return out;
}

std::string color_name(PngColor color) {
  switch (color) {
    case PngColor::Gray:
      return "Gray";
    case PngColor::Rgb:
      return "Rgb";
    case PngColor::GrayAsRgb:
      return "GrayAsRgb";
  }
  return "?";
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
  const test::PngImage image = decode(encode(pixels, width, height, color));

  EXPECT_EQ(image.width, width);
  EXPECT_EQ(image.height, height);
  EXPECT_EQ(image.bit_depth, 8);
  if (color == PngColor::Gray) {
    EXPECT_EQ(image.color_type, PNG_COLOR_TYPE_GRAY);
    EXPECT_EQ(image.channels, 1);
    EXPECT_EQ(image.pixels, pixels);
  } else if (color == PngColor::Rgb) {
    EXPECT_EQ(image.color_type, PNG_COLOR_TYPE_RGB);
    EXPECT_EQ(image.channels, 3);
    EXPECT_EQ(image.pixels, pixels);
  } else {
    EXPECT_EQ(image.color_type, PNG_COLOR_TYPE_RGB);
    EXPECT_EQ(image.channels, 3);
    ASSERT_EQ(image.pixels.size(), pixels.size() * 3);
    for (std::size_t p = 0; p < pixels.size(); ++p) {
      ASSERT_EQ(image.pixels[3 * p], pixels[p]) << "pixel " << p;
      ASSERT_EQ(image.pixels[3 * p + 1], pixels[p]) << "pixel " << p;
      ASSERT_EQ(image.pixels[3 * p + 2], pixels[p]) << "pixel " << p;
    }
  }
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

TEST(PngWriter, GrayAsRgbIsTheSameFileAsRgbWithTripledChannels) {
  const std::size_t width = 181, height = 37;
  const Bytes gray = smooth_bytes(width, height);
  Bytes rgb(gray.size() * 3);
  for (std::size_t p = 0; p < gray.size(); ++p)
    rgb[3 * p] = rgb[3 * p + 1] = rgb[3 * p + 2] = gray[p];
  for (const PngOptions& options : {image_png_options(), PngOptions{6, 0, PNG_ALL_FILTERS, 8}}) {
    EXPECT_EQ(encode(gray, width, height, PngColor::GrayAsRgb, options),
              encode(rgb, width, height, PngColor::Rgb, options));
  }
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

TEST(PngWriter, EveryOptionCombinationRoundTrips) {
  const std::size_t width = 23, height = 11;
  const Bytes gray = smooth_bytes(width, height);
  const int filters[] = {PNG_FILTER_NONE,  PNG_FILTER_SUB,  PNG_FILTER_UP,   PNG_FILTER_AVG,
                         PNG_FILTER_PAETH, PNG_ALL_FILTERS, PNG_FAST_FILTERS};
  for (int level : {0, 1, 3, 6, 9})
    for (int strategy : {Z_DEFAULT_STRATEGY, Z_FILTERED, Z_HUFFMAN_ONLY, Z_RLE, Z_FIXED})
      for (int filter : filters)
        for (int mem_level : {1, 8, 9}) {
          const PngOptions options{level, strategy, filter, mem_level};
          const auto image = decode(encode(gray, width, height, PngColor::Gray, options));
          ASSERT_EQ(image.pixels, gray) << "level " << level << " strategy " << strategy
                                        << " filters " << filter << " mem_level " << mem_level;
        }
}

TEST(PngWriter, UsesTheRequestedFilterOnEveryRow) {
  const std::size_t width = 40, height = 9;
  const Bytes gray = smooth_bytes(width, height);
  const std::pair<int, int> cases[] = {{PNG_FILTER_NONE, PNG_FILTER_VALUE_NONE},
                                       {PNG_FILTER_SUB, PNG_FILTER_VALUE_SUB},
                                       {PNG_FILTER_UP, PNG_FILTER_VALUE_UP},
                                       {PNG_FILTER_AVG, PNG_FILTER_VALUE_AVG},
                                       {PNG_FILTER_PAETH, PNG_FILTER_VALUE_PAETH}};
  for (const auto& [mask, value] : cases) {
    PngOptions options;
    options.filters = mask;
    const Bytes raw = inflate_all(idat_stream(encode(gray, width, height, PngColor::Gray, options)),
                                  height * (width + 1));
    ASSERT_EQ(raw.size(), height * (width + 1));
    // Row 0 has no row above; libpng may pick a cheaper equivalent filter there.
    for (std::size_t row = 1; row < height; ++row)
      EXPECT_EQ(raw[row * (width + 1)], value) << "filter mask " << mask << " row " << row;
  }
}

TEST(PngWriter, UsesTheRequestedZlibLevel) {
  // zlib records its level class in the stream header (RFC 1950 FLEVEL): 0 for levels 0..1 or
  // the RLE and Huffman-only strategies, 1 for 2..5, 2 for 6, 3 for 7..9.
  const Bytes gray = smooth_bytes(64, 64);
  auto flevel = [&](int level, int strategy) {
    const Bytes stream =
        idat_stream(encode(gray, 64, 64, PngColor::Gray, PngOptions{level, strategy, 0x08, 8}));
    EXPECT_GE(stream.size(), 2u);
    return stream.size() < 2 ? -1 : stream[1] >> 6;
  };
  EXPECT_EQ(flevel(1, Z_DEFAULT_STRATEGY), 0);
  EXPECT_EQ(flevel(3, Z_DEFAULT_STRATEGY), 1);
  EXPECT_EQ(flevel(6, Z_DEFAULT_STRATEGY), 2);
  EXPECT_EQ(flevel(9, Z_DEFAULT_STRATEGY), 3);
  EXPECT_EQ(flevel(9, Z_RLE), 0);
  // Level 0 stores: the file holds every raw byte.
  EXPECT_GT(encode(gray, 64, 64, PngColor::Gray, PngOptions{0, 0, 0x08, 8}).size(), 64u * 65u);
  EXPECT_LT(encode(gray, 64, 64, PngColor::Gray, PngOptions{9, 0, 0x08, 8}).size(), 64u * 65u / 2);
}

TEST(PngWriter, WritesOnlyIhdrIdatIend) {
  for (PngColor color : {PngColor::Gray, PngColor::Rgb, PngColor::GrayAsRgb})
    for (const PngOptions& options : {image_png_options(color), mask_png_options(), PngOptions{}}) {
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
                     i % 2 == 0 ? image_png_options() : PngOptions{6, 0, PNG_ALL_FILTERS, 8}});
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
  const PngOptions bad[] = {{-1, 0, 0x08, 8}, {10, 0, 0x08, 8}, {1, -1, 0x08, 8},
                            {1, 5, 0x08, 8},  {1, 0, 0, 8},     {1, 0, 0x07, 8},
                            {1, 0, 0x108, 8}, {1, 0, 0x08, 0},  {1, 0, 0x08, 10}};
  for (const auto& options : bad)
    EXPECT_THROW(encode_png(pixels.data(), 4, 4, PngColor::Gray, options, out),
                 std::invalid_argument)
        << options.level << " " << options.strategy << " " << options.filters << " "
        << options.mem_level;
}

TEST(PngWriter, LibpngErrorsBecomeExceptionsAndLeaveTheWriterUsable) {
  // libpng refuses widths over its 1,000,000 pixel limit: png_error -> longjmp -> exception.
  const std::size_t width = 1000001;
  const Bytes row(width, 1);
  Bytes out;
  try {
    encode_png(row.data(), width, 1, PngColor::GrayAsRgb, PngOptions{}, out);
    ADD_FAILURE() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("IHDR"), std::string::npos) << e.what();
  }
  // The same thread encodes correctly afterwards.
  const Bytes small = random_bytes(5 * 3, 3);
  EXPECT_EQ(decode(encode(small, 5, 3, PngColor::GrayAsRgb)).pixels.size(), small.size() * 3);
  EXPECT_EQ(decode(encode(small, 5, 3, PngColor::Gray)).pixels, small);
}

}  // namespace
}  // namespace samed2d
