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

std::vector<Expected2D> plant_cvc_clinicdb(const std::filesystem::path& folder,
                                           const std::string& dataset) {
  constexpr std::size_t w = 48, h = 36;  // 384x288 scaled down
  const std::vector<PixelBox> polyp1{{10, 22, 12, 30}};
  const std::vector<PixelBox> polyp2{{2, 9, 3, 11}, {20, 33, 30, 46}};
  write_colour(folder / "Original" / "1.tif", w, h);
  write_grey(folder / "Ground Truth" / "1.tif", w, h, painted(w, h, polyp1));
  write_colour(folder / "Original" / "612.tif", w, h);
  write_grey(folder / "Ground Truth" / "612.tif", w, h, painted(w, h, polyp2));
  return {
      {image_name("endoscopy_00", dataset, "1"), 3, w, h, "polyp", {polyp1}},
      {image_name("endoscopy_00", dataset, "612"), 3, w, h, "polyp", {{polyp2[0]}, {polyp2[1]}}}};
}

namespace {

// The names on disk and in the index, and each image's format and size.
void expect_images(const std::filesystem::path& out, const ConvertedDataset& d,
                   const std::vector<Image2D>& want) {
  std::vector<std::string> images, masks;
  for (const auto& i : want) {
    images.push_back(i.name);
    for (const auto& m : i.masks) masks.push_back(mask_name(i.name, m.class_name, m.instance));
  }
  std::sort(images.begin(), images.end());
  std::sort(masks.begin(), masks.end());
  EXPECT_THAT(d.images, ::testing::ElementsAreArray(images));
  EXPECT_THAT(d.masks, ::testing::ElementsAreArray(masks));
  ASSERT_TRUE(d.index.is_object());
  EXPECT_EQ(d.index.size(), images.size());
  for (const auto& i : want) {
    SCOPED_TRACE(i.name);
    const auto png = read_png(out / "images" / i.name);
    EXPECT_EQ(png.channels, i.channels);
    EXPECT_EQ(png.bit_depth, 8);
    EXPECT_EQ(png.width, i.width);
    EXPECT_EQ(png.height, i.height);
  }
}

// A lossy (JPEG) mask against its boxes: JPEG ringing may move an edge by a pixel, so only what
// lies 2 pixels from every edge is compared.
void expect_near_boxes(const PngImage& m, const std::vector<std::uint8_t>& want, std::size_t width,
                       std::size_t height) {
  for (std::size_t y = 0; y < height; ++y)
    for (std::size_t x = 0; x < width; ++x) {
      bool near_edge = false;
      for (std::size_t dy = 0; dy <= 4 && !near_edge; ++dy)
        for (std::size_t dx = 0; dx <= 4 && !near_edge; ++dx) {
          if (y + dy < 2 || x + dx < 2) continue;
          const std::size_t yy = y + dy - 2, xx = x + dx - 2;
          if (yy < height && xx < width && want[yy * width + xx] != want[y * width + x])
            near_edge = true;
        }
      if (!near_edge) {
        ASSERT_EQ(m.pixels[y * width + x], want[y * width + x]) << "row " << y << " col " << x;
      }
    }
}

}  // namespace

void expect_2d_output(const std::filesystem::path& out, const ConvertedDataset& d,
                      const std::vector<Image2D>& want) {
  expect_images(out, d, want);
  if (::testing::Test::HasFatalFailure()) return;
  for (const auto& i : want) {
    SCOPED_TRACE(i.name);
    for (const auto& m : i.masks) {
      const auto name = mask_name(i.name, m.class_name, m.instance);
      SCOPED_TRACE(name);
      const auto got = read_png(out / "masks" / name);
      ASSERT_EQ(got.channels, 1);
      EXPECT_EQ(got.pixels, painted(i.width, i.height, m.boxes));
    }
  }
}

void expect_2d(const std::filesystem::path& out, const ConvertedDataset& d,
               const std::vector<Expected2D>& expected) {
  ASSERT_EQ(d.run.exit_code, 0) << d.run.err;
  std::vector<Image2D> images;
  for (const auto& e : expected) {
    Image2D image{e.image, e.channels, e.width, e.height, {}};
    for (std::size_t i = 0; i < e.instances.size(); ++i)
      image.masks.push_back({e.class_name, static_cast<int>(i), e.instances[i]});
    images.push_back(std::move(image));
  }
  expect_images(out, d, images);
  if (::testing::Test::HasFatalFailure()) return;
  for (const auto& e : expected) {
    SCOPED_TRACE(e.image);
    for (std::size_t i = 0; i < e.instances.size(); ++i) {
      const auto name = mask_name(e.image, e.class_name, static_cast<int>(i));
      SCOPED_TRACE(name);
      EXPECT_EQ(d.mapping[e.class_name], class_id(e.class_name));
      const auto m = read_png(out / "masks" / name);
      ASSERT_EQ(m.channels, 1);
      ASSERT_EQ(m.width, e.width);
      ASSERT_EQ(m.height, e.height);
      const auto want = painted(e.width, e.height, e.instances[i]);
      if (e.exact)
        EXPECT_EQ(m.pixels, want);
      else
        expect_near_boxes(m, want, e.width, e.height);
    }
  }
}

}  // namespace samed2d::test
