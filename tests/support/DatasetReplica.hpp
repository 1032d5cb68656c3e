#pragma once
// More builders for the per-dataset layout replicas in tests/converters/, on top of
// PlantedCase: 4D images, macOS debris, whole MSD task folders, multi-sequence expectations and
// report.json lookups.

#include <gmock/gmock.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/DatasetRun.hpp"
#include "support/PlantedCase.hpp"

namespace samed2d::test {

using Size3 = std::array<std::size_t, 3>;

// PlantedCase's image (int16) and uint8 label map of `size` at `file`.
void write_image_volume(const std::filesystem::path& file, Size3 size);
void write_label_volume(const std::filesystem::path& file, Size3 size,
                        const std::vector<LabelBox>& boxes);

// Writes a float 4D image of `size` x `components` with ITK (MSD BrainTumour/Prostate style:
// the component is the 4th, slowest, NIfTI dimension).
void write_4d_volume(const std::filesystem::path& file, Size3 size, std::size_t components);

// A file of macOS AppleDouble debris (what a "._X" twin holds): not an image of any format.
void write_apple_double(const std::filesystem::path& file);

// A case's name and its label boxes.
struct CaseBoxes {
  std::string name;
  std::vector<LabelBox> boxes;
};
// One case of an MSD task: its file stem and label boxes.
using MsdCase = CaseBoxes;

// An MSD task folder as its tar unpacks: TASK/{imagesTr,labelsTr,imagesTs}/ and dataset.json,
// with a "._" twin beside every file. `components` 0 writes 3D images, otherwise 4D images with
// that many components; `test` names the imagesTs cases (no labels).
void write_msd_task(const std::filesystem::path& task, Size3 size,
                    const std::vector<MsdCase>& training, const std::vector<std::string>& test,
                    std::size_t components = 0);

// Adds to `files` what one case gives under each of `modalities` (sequences, or components of
// a 4D image, all sharing the label map), sliced along `axes`; keeps both lists ascending.
void add_expected(ExpectedFiles& files, const std::string& dataset, const std::string& case_name,
                  const std::vector<std::string>& modalities, Size3 size,
                  const std::vector<LabelBox>& boxes, const ClassValues& classes,
                  const std::vector<char>& axes = {'x'});

// What `cases`, all of `size`, give under each of `modalities`, sliced along `axes` (add_expected
// for each).
ExpectedFiles expected_cases(const std::string& dataset, const std::vector<std::string>& modalities,
                             Size3 size, const ClassValues& classes,
                             const std::vector<CaseBoxes>& cases,
                             const std::vector<char>& axes = {'x'});

// report.json's "failed" list as "case: reason" lines.
std::vector<std::string> failures(const ConvertedDataset& d);

// report.json's warnings about one case.
std::vector<std::string> warnings_of(const ConvertedDataset& d, const std::string& case_name);

// gtest expectations: report.json lists exactly one failed case, its "case: reason" line holding
// each of `line_holds`, and stderr holds each of `stderr_holds`.
void expect_one_failure(const ConvertedDataset& d, const std::vector<std::string>& line_holds,
                        const std::vector<std::string>& stderr_holds = {});

// gtest expectations: report.json's `list` ("failed" or "warnings") holds exactly one entry, about
// case `case_name`, whose text (its "reason" or "warning") matches `text`.
void expect_one_report_entry(const ConvertedDataset& d, const std::string& list,
                             const std::string& case_name,
                             const ::testing::Matcher<std::string>& text);

// The class mapping a conversion writes for `classes`: each name with its id in
// configs/classes.json.
nlohmann::json mapping_of(const ClassValues& classes);

}  // namespace samed2d::test
