// The floor of a conversion: the time to only compress and write the files it wrote. Reads every
// PNG of a converted tree (images and masks) into memory, untimed, then encodes each again with
// the tool's settings (image_png_options, mask_png_options) and writes it into a new folder, as
// the tool does (open, write, close), on one thread. scripts/bench-peer.sh prints this beside
// the whole conversion.
//
// Usage: png_floor_bench TREE OUT_DIR
// Prints: files, wall seconds, user and system CPU seconds, MB written.

#include <png.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "pipeline/output/PngWriter.hpp"

namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;

struct Decoded {
  fs::path rel;
  std::size_t width = 0, height = 0;
  samed2d::PngColor color = samed2d::PngColor::Gray;
  bool mask = false;
  Bytes pixels;  // one byte per pixel, or three for Rgb
};

Decoded read(const fs::path& file, const fs::path& rel, bool mask) {
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&image, file.c_str()))
    throw std::runtime_error(file.string() + ": " + image.message);
  const bool rgb = (image.format & PNG_FORMAT_FLAG_COLOR) != 0;
  image.format = rgb ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY;
  Decoded d;
  d.rel = rel;
  d.mask = mask;
  d.width = image.width;
  d.height = image.height;
  Bytes pixels(PNG_IMAGE_SIZE(image));
  if (!png_image_finish_read(&image, nullptr, pixels.data(), 0, nullptr))
    throw std::runtime_error(file.string() + ": " + image.message);
  if (!rgb) {
    d.color = samed2d::PngColor::Gray;
    d.pixels = std::move(pixels);
    return d;
  }
  // Three equal channels: the tool encodes those from one grey byte per pixel.
  bool equal = true;
  for (std::size_t p = 0; equal && p < pixels.size(); p += 3)
    equal = pixels[p] == pixels[p + 1] && pixels[p] == pixels[p + 2];
  if (equal) {
    d.color = samed2d::PngColor::GrayAsRgb;
    d.pixels.resize(pixels.size() / 3);
    for (std::size_t p = 0; p < d.pixels.size(); ++p) d.pixels[p] = pixels[3 * p];
  } else {
    d.color = samed2d::PngColor::Rgb;
    d.pixels = std::move(pixels);
  }
  return d;
}

double seconds(const timeval& t) {
  return double(t.tv_sec) + double(t.tv_usec) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: png_floor_bench TREE OUT_DIR\n");
    return 2;
  }
  const fs::path tree = argv[1];
  const fs::path out = argv[2];
  std::vector<Decoded> files;
  for (const char* folder : {"images", "masks"})
    for (const auto& e : fs::directory_iterator(tree / folder))
      if (e.path().extension() == ".png")
        files.push_back(
            read(e.path(), fs::path(folder) / e.path().filename(), std::string(folder) == "masks"));
  fs::create_directories(out / "images");
  fs::create_directories(out / "masks");

  rusage before{};
  getrusage(RUSAGE_SELF, &before);
  const auto start = std::chrono::steady_clock::now();
  Bytes png;
  std::size_t bytes = 0;
  for (const auto& d : files) {
    const auto options = d.mask ? samed2d::mask_png_options() : samed2d::image_png_options(d.color);
    samed2d::encode_png(d.pixels.data(), d.width, d.height, d.color, options, png);
    std::FILE* f = std::fopen((out / d.rel).c_str(), "wb");
    if (f == nullptr || std::fwrite(png.data(), 1, png.size(), f) != png.size() ||
        std::fclose(f) != 0) {
      std::fprintf(stderr, "png_floor_bench: cannot write %s\n", (out / d.rel).c_str());
      return 1;
    }
    bytes += png.size();
  }
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  rusage after{};
  getrusage(RUSAGE_SELF, &after);
  std::printf("%zu files %.2f s wall %.2f s user %.2f s sys %.1f MB\n", files.size(), wall,
              seconds(after.ru_utime) - seconds(before.ru_utime),
              seconds(after.ru_stime) - seconds(before.ru_stime), double(bytes) / 1e6);
  return 0;
}
