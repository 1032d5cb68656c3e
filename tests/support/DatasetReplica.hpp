#pragma once
// Builders for the per-dataset tests in tests/converters/: tiny labelled volumes planted in a
// replica of a dataset's real folder layout, and the image and mask names the SPEC gives them
// (through the independent oracle of tests/e2e/Oracle.hpp, never through the tool's code).

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "support/DatasetRun.hpp"

namespace samed2d::test {

using Size3 = std::array<std::size_t, 3>;

// Label `value` in the box [lo, hi) on each axis (i, j, k).
struct LabelBox {
  Size3 lo;
  Size3 hi;
  std::uint8_t value;
};

// The label map of `size` (i fastest) holding the boxes (later boxes overwrite earlier ones).
std::vector<std::uint8_t> label_map(Size3 size, const std::vector<LabelBox>& boxes);

// Writes that label map as uint8 with ITK (format from the extension).
void write_label_volume(const std::filesystem::path& file, Size3 size,
                        const std::vector<LabelBox>& boxes);

// Writes an int16 image of `size` whose values vary with `seed` (a ramp, so no slice is flat).
void write_image_volume(const std::filesystem::path& file, Size3 size, int seed = 0);

// Writes a float 4D image of `size` x `components` with ITK (MSD BrainTumour/Prostate style:
// the component is the 4th, slowest, NIfTI dimension).
void write_4d_volume(const std::filesystem::path& file, Size3 size, std::size_t components);

// A file of macOS AppleDouble debris (what a "._X" twin holds): not an image of any format.
void write_apple_double(const std::filesystem::path& file);

// One case of an MSD task: its file stem and label boxes.
struct MsdCase {
  std::string name;
  std::vector<LabelBox> boxes;
};

// An MSD task folder as its tar unpacks: TASK/{imagesTr,labelsTr,imagesTs}/ and dataset.json,
// with a "._" twin beside every file. `components` 0 writes 3D images, otherwise 4D images with
// that many components; `test` names the imagesTs cases (no labels).
void write_msd_task(const std::filesystem::path& task, Size3 size,
                    const std::vector<MsdCase>& training, const std::vector<std::string>& test,
                    std::size_t components = 0);

// A class of a dataset config as the test expects it: registry name and label values.
struct ExpectedClass {
  std::string name;
  std::vector<long long> values;
};

// Image and mask file names (no folder), ascending.
struct ExpectedNames {
  std::vector<std::string> images;
  std::vector<std::string> masks;
};

// Adds the names that one case gives under each of `modalities` (all sharing the label map),
// sliced along `axes` with the samed2d_v1 profile's defaults. Class ids come from
// configs/classes.json.
void add_expected(ExpectedNames& names, const std::string& dataset, const std::string& case_name,
                  const std::vector<std::string>& modalities, Size3 size,
                  const std::vector<LabelBox>& boxes, const std::vector<ExpectedClass>& classes,
                  const std::vector<char>& axes = {'x'});

// report.json's "failed" list as "case: reason" lines.
std::vector<std::string> failures(const ConvertedDataset& d);

// report.json's warnings about one case.
std::vector<std::string> warnings_of(const ConvertedDataset& d, const std::string& case_name);

// Expects exactly these image and mask names in OUT.
void expect_names(const ConvertedDataset& d, const ExpectedNames& want);

}  // namespace samed2d::test
