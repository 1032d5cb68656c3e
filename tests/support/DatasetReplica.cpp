#include "support/DatasetReplica.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "support/TestData.hpp"

namespace samed2d::test {

namespace fs = std::filesystem;

void write_image_volume(const fs::path& file, Size3 size) {
  PlantedCase c;
  c.size = size;
  c.write_image(file);
}

void write_label_volume(const fs::path& file, Size3 size, const std::vector<LabelBox>& boxes) {
  PlantedCase c;
  c.size = size;
  c.boxes = boxes;
  c.write_label(file);
}

void write_4d_volume(const fs::path& file, Size3 size, std::size_t components) {
  std::vector<float> values(size[0] * size[1] * size[2] * components);
  for (std::size_t n = 0; n < values.size(); ++n) values[n] = static_cast<float>(n % 251) * 0.5f;
  write_itk_image(file, {size[0], size[1], size[2], components}, values);
}

void write_apple_double(const fs::path& file) {
  // The AppleDouble magic and version, then a "Mac OS X" filler, as the MSD tars hold them.
  std::string bytes("\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        ", 24);
  bytes.append(4058, '\0');
  write_text_file(file, bytes);
}

void write_msd_task(const fs::path& task, Size3 size, const std::vector<MsdCase>& training,
                    const std::vector<std::string>& test, std::size_t components) {
  const auto write_image = [&](const fs::path& file) {
    if (components == 0)
      write_image_volume(file, size);
    else
      write_4d_volume(file, size, components);
    write_apple_double(file.parent_path() / ("._" + file.filename().string()));
  };
  nlohmann::json json{
      {"name", task.filename().string()},    {"tensorImageSize", components == 0 ? "3D" : "4D"},
      {"numTraining", training.size()},      {"numTest", test.size()},
      {"training", nlohmann::json::array()}, {"test", nlohmann::json::array()}};
  for (const auto& c : training) {
    const std::string file = c.name + ".nii.gz";
    write_image(task / "imagesTr" / file);
    write_label_volume(task / "labelsTr" / file, size, c.boxes);
    write_apple_double(task / "labelsTr" / ("._" + file));
    json["training"].push_back({{"image", "./imagesTr/" + file}, {"label", "./labelsTr/" + file}});
  }
  for (const auto& name : test) {
    write_image(task / "imagesTs" / (name + ".nii.gz"));
    json["test"].push_back("./imagesTs/" + name + ".nii.gz");
  }
  write_text_file(task / "dataset.json", json.dump(4));
  write_apple_double(task / "._dataset.json");
}

void add_expected(ExpectedFiles& files, const std::string& dataset, const std::string& case_name,
                  const std::vector<std::string>& modalities, Size3 size,
                  const std::vector<LabelBox>& boxes, const ClassValues& classes,
                  const std::vector<char>& axes) {
  std::vector<PlantedCase> cases;
  for (const auto& modality : modalities) cases.push_back({case_name, modality, size, boxes});
  merge_expected(files, expected_files(dataset, classes, cases, axes));
}

ExpectedFiles expected_cases(const std::string& dataset, const std::vector<std::string>& modalities,
                             Size3 size, const ClassValues& classes,
                             const std::vector<CaseBoxes>& cases, const std::vector<char>& axes) {
  ExpectedFiles files;
  for (const auto& c : cases)
    add_expected(files, dataset, c.name, modalities, size, c.boxes, classes, axes);
  return files;
}

std::vector<std::string> failures(const ConvertedDataset& d) {
  std::vector<std::string> lines;
  for (const auto& f : d.report.at("failed"))
    lines.push_back(f.at("case").get<std::string>() + ": " + f.at("reason").get<std::string>());
  return lines;
}

std::vector<std::string> warnings_of(const ConvertedDataset& d, const std::string& case_name) {
  std::vector<std::string> lines;
  for (const auto& w : d.report.at("warnings"))
    if (w.at("case") == case_name) lines.push_back(w.at("warning").get<std::string>());
  return lines;
}

void expect_one_failure(const ConvertedDataset& d, const std::vector<std::string>& line_holds,
                        const std::vector<std::string>& stderr_holds) {
  const auto failed = failures(d);
  ASSERT_EQ(failed.size(), 1u) << d.run.err;
  for (const auto& part : line_holds) EXPECT_THAT(failed[0], ::testing::HasSubstr(part));
  for (const auto& part : stderr_holds) EXPECT_THAT(d.run.err, ::testing::HasSubstr(part));
}

void expect_one_report_entry(const ConvertedDataset& d, const std::string& list,
                             const std::string& case_name,
                             const ::testing::Matcher<std::string>& text) {
  ASSERT_EQ(d.report.at(list).size(), 1u) << d.report.dump(2);
  const auto& entry = d.report[list][0];
  EXPECT_EQ(entry.at("case"), case_name);
  EXPECT_THAT(entry.at(list == "failed" ? "reason" : "warning").get<std::string>(), text);
}

nlohmann::json mapping_of(const ClassValues& classes) {
  nlohmann::json mapping = nlohmann::json::object();
  for (const auto& [name, values] : classes) mapping[name] = class_id(name);
  return mapping;
}

}  // namespace samed2d::test
