// The bundled configs of ACDC, BraTS 2018-2021 and MSD BrainTumour, each run on a miniature
// replica of the dataset's real layout (reference/datasets.md sections 1, 2 and 3), debris and
// traps included.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "support/DatasetReplica.hpp"
#include "support/DatasetRun.hpp"
#include "support/TestData.hpp"

namespace samed2d::test {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr Size3 kSize{12, 10, 8};

// Each class's boxes are apart from the others' (8-connectivity), so unions have one component
// per box.
const std::vector<LabelBox> kHeart{
    {{1, 1, 1}, {4, 4, 4}, 1}, {{6, 1, 2}, {9, 5, 6}, 2}, {{2, 7, 3}, {10, 9, 7}, 3}};

const std::vector<ExpectedClass> kAcdcClasses{{"right_ventricle", {1}},
                                              {"myocardium", {2}},
                                              {"left_ventricle", {3}},
                                              {"ventricular_cavities", {1, 3}}};

// ---------------------------------------------------------------------------------------------
// ACDC: database/{training,testing}/patientNNN/ with Info.cfg, the 4D cine and the ED/ES frames.

void make_acdc_patient(const fs::path& folder, const std::string& patient,
                       const std::vector<std::string>& frames,
                       const std::vector<LabelBox>& boxes = kHeart, bool with_gt = true) {
  write_text_file(folder / "Info.cfg",
                  "ED: 1\nES: 12\nGroup: NOR\nHeight: 184.0\nNbFrame: 30\n"
                  "Weight: 95.0\n");
  write_4d_volume(folder / (patient + "_4d.nii.gz"), kSize, 3);
  int seed = 0;
  for (const auto& frame : frames) {
    const std::string stem = patient + "_frame" + frame;
    write_image_volume(folder / (stem + ".nii.gz"), kSize, ++seed);
    if (with_gt) write_label_volume(folder / (stem + "_gt.nii.gz"), kSize, boxes);
  }
}

TEST(AcdcTest, EdAndEsFramesOfTrainingAndTestingAreCasesAndThe4dCineIsNot) {
  TempDir dir;
  const fs::path db = dir / "in" / "ACDC" / "database";
  make_acdc_patient(db / "training" / "patient001", "patient001", {"01", "12"});
  const std::vector<LabelBox> only_lv{{{3, 3, 0}, {8, 8, 2}, 3}};
  make_acdc_patient(db / "training" / "patient002", "patient002", {"01"}, only_lv);
  make_acdc_patient(db / "testing" / "patient101", "patient101", {"14"});
  // The folder above the unpacked dataset.
  const auto d = convert_dataset("ACDC", dir / "in", dir / "out", {"--axes", "x"});
  ASSERT_EQ(d.run.exit_code, 0) << d.run.err;

  ExpectedNames want;
  for (const auto* c : {"patient001_frame01", "patient001_frame12", "patient101_frame14"})
    add_expected(want, "ACDC", c, {"mr_00"}, kSize, kHeart, kAcdcClasses);
  add_expected(want, "ACDC", "patient002_frame01", {"mr_00"}, kSize, only_lv, kAcdcClasses);
  expect_names(d, want);
  EXPECT_EQ(d.report.at("cases"), 4);
  EXPECT_THAT(d.images, ::testing::Contains("mr_00--ACDC--patient001_frame12--x_0003.png"));
  EXPECT_THAT(d.masks, ::testing::Contains("mr_00--ACDC--patient002_frame01--x_0001--" +
                                           class_id("ventricular_cavities") + "_000.png"));
  for (const auto& name : d.images) {
    EXPECT_THAT(name, ::testing::Not(HasSubstr("_4d"))) << name;
    EXPECT_THAT(name, ::testing::Not(HasSubstr("_gt"))) << name;
  }
  const nlohmann::json mapping{{"right_ventricle", class_id("right_ventricle")},
                               {"myocardium", class_id("myocardium")},
                               {"left_ventricle", class_id("left_ventricle")},
                               {"ventricular_cavities", class_id("ventricular_cavities")}};
  EXPECT_EQ(d.mapping, mapping);
}

TEST(AcdcTest, InputAtTheDatasetFolderSlicesAllThreeAxes) {
  TempDir dir;
  make_acdc_patient(dir / "ACDC" / "database" / "training" / "patient001", "patient001", {"01"});
  const auto d = convert_dataset("ACDC", dir / "ACDC", dir / "out");
  ASSERT_EQ(d.run.exit_code, 0) << d.run.err;
  ExpectedNames want;
  add_expected(want, "ACDC", "patient001_frame01", {"mr_00"}, kSize, kHeart, kAcdcClasses,
               {'x', 'y', 'z'});
  expect_names(d, want);
  EXPECT_THAT(d.images, ::testing::Contains("mr_00--ACDC--patient001_frame01--z_0002.png"));
}

TEST(AcdcTest, AFrameWithoutItsGtMapFailsOnlyThatCase) {
  TempDir dir;
  const fs::path training = dir / "in" / "database" / "training";
  make_acdc_patient(training / "patient001", "patient001", {"01"});
  make_acdc_patient(training / "patient003", "patient003", {"01"}, kHeart, false);
  const auto d = convert_dataset("ACDC", dir / "in", dir / "out", {"--axes", "x"});
  EXPECT_EQ(d.run.exit_code, 1) << d.run.err;
  ExpectedNames want;
  add_expected(want, "ACDC", "patient001_frame01", {"mr_00"}, kSize, kHeart, kAcdcClasses);
  expect_names(d, want);
  const auto failed = failures(d);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_THAT(failed[0], HasSubstr("patient003_frame01: "));
  EXPECT_THAT(failed[0], HasSubstr("patient003_frame01_gt.nii.gz"));
  EXPECT_THAT(failed[0], HasSubstr("not found"));
  EXPECT_THAT(d.run.err, HasSubstr("patient003_frame01_gt.nii.gz"));
}

}  // namespace
}  // namespace samed2d::test
