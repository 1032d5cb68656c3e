#pragma once
// Builders and checks for the 2D dataset replicas (grey and colour pictures, masks painted from
// boxes of pixels) and the names SPEC 2 and 9 give a 2D source's output: one image named
// 2d_none and its masks.

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "support/DatasetRun.hpp"

namespace samed2d::test {

// Rows [row0, row1) x columns [col0, col1) of a picture.
struct PixelBox {
  std::size_t row0, row1, col0, col1;
};

// Row-major width x height grey pixels: `value` inside the boxes, `background` elsewhere.
std::vector<std::uint8_t> painted(std::size_t width, std::size_t height,
                                  const std::vector<PixelBox>& boxes, std::uint8_t value = 255,
                                  std::uint8_t background = 0);

// Row-major width x height grey pixels: the boxes painted in order with their values, 0
// elsewhere.
std::vector<std::uint8_t> painted_values(
    std::size_t width, std::size_t height,
    const std::vector<std::pair<PixelBox, std::uint8_t>>& boxes);

// Interleaved width x height x channels pixels that differ from their neighbours.
std::vector<std::uint8_t> pixel_ramp(std::size_t width, std::size_t height, unsigned channels);

// The same pixels in every one of `n` channels; a fourth channel (alpha) is `alpha`.
std::vector<std::uint8_t> repeat_channels(const std::vector<std::uint8_t>& grey, unsigned n,
                                          std::uint8_t alpha = 255);

// An 8-bit grey 2D file (format by extension) of `values`, or of pixel_ramp when none are given.
void write_grey(const std::filesystem::path& file, std::size_t width, std::size_t height,
                const std::vector<std::uint8_t>& values);
void write_grey(const std::filesystem::path& file, std::size_t width, std::size_t height);

// An RGB 2D file (format by extension) of pixel_ramp.
void write_colour(const std::filesystem::path& file, std::size_t width, std::size_t height);

// The output image name of a 2D case: "MODALITY--DATASET--CASE--2d_none.png".
std::string image_name(const std::string& modality, const std::string& dataset,
                       const std::string& case_name);

// The name of instance `instance` of `class_name` on output image `image`.
std::string mask_name(const std::string& image, const std::string& class_name, int instance);

// What one 2D case should give: its image, its channel count and size, and its masks of one
// class (one list of boxes per instance, in instance order).
struct Expected2D {
  std::string image;
  int channels;
  std::size_t width, height;
  std::string class_name;
  std::vector<std::vector<PixelBox>> instances;
  bool exact = true;  // false for lossy (JPEG) masks: only a margin inside and outside is checked
};

// One expected 2D mask: its class, instance number and the boxes of its pixels.
struct Mask2D {
  std::string class_name;
  int instance;
  std::vector<PixelBox> boxes;
};

// One expected 2D image (its file name in images/) and its masks.
struct Image2D {
  std::string name;
  int channels;
  std::size_t width, height;
  std::vector<Mask2D> masks;
};

// gtest expectations: exactly these images and masks on disk and in the index, every image 8-bit
// with its channels and size, every mask one channel holding exactly its boxes' pixels.
void expect_2d_output(const std::filesystem::path& out, const ConvertedDataset& d,
                      const std::vector<Image2D>& want);

// CVC-ClinicDB's training database as it unpacks into `folder` (frames 1 and 612 scaled down to
// 48 x 36: Original/N.tif in colour, "Ground Truth"/N.tif masks of one and two polyps), and what
// the bundled config of `dataset` must make of it.
std::vector<Expected2D> plant_cvc_clinicdb(const std::filesystem::path& folder,
                                           const std::string& dataset);

// gtest expectations: the run succeeded and wrote exactly the images and masks of `expected`
// (and an index of that many images), every image 8-bit with its channels and size, every mask
// one channel with the boxes' pixels and its class in the mapping.
void expect_2d(const std::filesystem::path& out, const ConvertedDataset& d,
               const std::vector<Expected2D>& expected);

}  // namespace samed2d::test
