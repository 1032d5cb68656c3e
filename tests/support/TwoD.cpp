#include "support/TwoD.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>

#include "support/TestData.hpp"

namespace samed2d::test {

std::vector<std::uint8_t> painted(std::size_t width, std::size_t height,
                                  const std::vector<PixelBox>& boxes, std::uint8_t value,
                                  std::uint8_t background) {
  std::vector<std::uint8_t> v(width * height, background);
  for (const auto& b : boxes)
    for (std::size_t y = b.row0; y < b.row1; ++y)
      for (std::size_t x = b.col0; x < b.col1; ++x) v[y * width + x] = value;
  return v;
}

std::vector<std::uint8_t> painted_values(
    std::size_t width, std::size_t height,
    const std::vector<std::pair<PixelBox, std::uint8_t>>& boxes) {
  std::vector<std::uint8_t> v(width * height, 0);
  for (const auto& [b, value] : boxes)
    for (std::size_t y = b.row0; y < b.row1; ++y)
      for (std::size_t x = b.col0; x < b.col1; ++x) v[y * width + x] = value;
  return v;
}

std::vector<std::uint8_t> pixel_ramp(std::size_t width, std::size_t height, unsigned channels) {
  std::vector<std::uint8_t> v(width * height * channels);
  for (std::size_t p = 0; p < v.size(); ++p) v[p] = static_cast<std::uint8_t>((p * 7 + 13) % 241);
  return v;
}

std::vector<std::uint8_t> repeat_channels(const std::vector<std::uint8_t>& grey, unsigned n,
                                          std::uint8_t alpha) {
  std::vector<std::uint8_t> v;
  for (auto g : grey)
    for (unsigned c = 0; c < n; ++c) v.push_back(c == 3 ? alpha : g);
  return v;
}

void write_grey(const std::filesystem::path& file, std::size_t width, std::size_t height,
                const std::vector<std::uint8_t>& values) {
  write_volume<std::uint8_t>(file, {width, height, 1}, values, 2);
}

void write_grey(const std::filesystem::path& file, std::size_t width, std::size_t height) {
  write_grey(file, width, height, pixel_ramp(width, height, 1));
}

void write_colour(const std::filesystem::path& file, std::size_t width, std::size_t height) {
  write_rgb_image(file, width, height, 3, pixel_ramp(width, height, 3));
}

std::string image_name(const std::string& modality, const std::string& dataset,
                       const std::string& case_name) {
  return modality + "--" + dataset + "--" + case_name + "--2d_none.png";
}

std::string mask_name(const std::string& image, const std::string& class_name, int instance) {
  char suffix[8];
  std::snprintf(suffix, sizeof suffix, "_%03d", instance);
  return image.substr(0, image.size() - 4) + "--" + class_id(class_name) + suffix + ".png";
}

void expect_2d(const std::filesystem::path& out, const ConvertedDataset& d,
               const std::vector<Expected2D>& expected) {
  ASSERT_EQ(d.run.exit_code, 0) << d.run.err;
  std::vector<std::string> images;
  std::vector<std::string> masks;
  for (const auto& e : expected) {
    images.push_back(e.image);
    for (std::size_t i = 0; i < e.instances.size(); ++i)
      masks.push_back(mask_name(e.image, e.class_name, static_cast<int>(i)));
  }
  std::sort(images.begin(), images.end());
  std::sort(masks.begin(), masks.end());
  EXPECT_THAT(d.images, ::testing::ElementsAreArray(images));
  EXPECT_THAT(d.masks, ::testing::ElementsAreArray(masks));
  ASSERT_TRUE(d.index.is_object());
  EXPECT_EQ(d.index.size(), images.size());

  for (const auto& e : expected) {
    SCOPED_TRACE(e.image);
    const auto png = read_png(out / "images" / e.image);
    EXPECT_EQ(png.channels, e.channels);
    EXPECT_EQ(png.bit_depth, 8);
    EXPECT_EQ(png.width, e.width);
    EXPECT_EQ(png.height, e.height);
    for (std::size_t i = 0; i < e.instances.size(); ++i) {
      const auto name = mask_name(e.image, e.class_name, static_cast<int>(i));
      SCOPED_TRACE(name);
      EXPECT_EQ(d.mapping[e.class_name], class_id(e.class_name));
      const auto m = read_png(out / "masks" / name);
      ASSERT_EQ(m.channels, 1);
      ASSERT_EQ(m.width, e.width);
      ASSERT_EQ(m.height, e.height);
      const auto want = painted(e.width, e.height, e.instances[i]);
      if (e.exact) {
        EXPECT_EQ(m.pixels, want);
        continue;
      }
      // JPEG ringing may move a mask's edge by a pixel: compare what lies 2 pixels from it.
      for (std::size_t y = 0; y < e.height; ++y)
        for (std::size_t x = 0; x < e.width; ++x) {
          bool near_edge = false;
          for (std::size_t dy = 0; dy <= 4 && !near_edge; ++dy)
            for (std::size_t dx = 0; dx <= 4 && !near_edge; ++dx) {
              if (y + dy < 2 || x + dx < 2) continue;
              const std::size_t yy = y + dy - 2, xx = x + dx - 2;
              if (yy < e.height && xx < e.width && want[yy * e.width + xx] != want[y * e.width + x])
                near_edge = true;
            }
          if (!near_edge) {
            ASSERT_EQ(m.pixels[y * e.width + x], want[y * e.width + x])
                << "row " << y << " col " << x;
          }
        }
    }
  }
}

}  // namespace samed2d::test
