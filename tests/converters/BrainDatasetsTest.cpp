// The bundled configs of ACDC, BraTS 2018-2021 and MSD BrainTumour, each run on a miniature
// replica of the dataset's real layout (reference/datasets.md sections 1, 2 and 3), debris and
// traps included.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "support/DatasetClasses.hpp"
#include "support/DatasetReplica.hpp"
#include "support/DatasetRun.hpp"
#include "support/Matchers.hpp"
#include "support/TestData.hpp"

namespace samed2d::test {
namespace {

constexpr Size3 kSize{12, 10, 8};

// Each class's boxes are apart from the others' (8-connectivity), so unions have one component
// per box.
const std::vector<LabelBox> kHeart{
    {{1, 1, 1}, {4, 4, 4}, 1}, {{6, 1, 2}, {9, 5, 6}, 2}, {{2, 7, 3}, {10, 9, 7}, 3}};

// ---------------------------------------------------------------------------------------------
// ACDC: database/{training,testing}/patientNNN/ with Info.cfg, the 4D cine and the ED/ES frames.

void make_acdc_patient(const fs::path& folder, const std::string& patient,
                       const std::vector<std::string>& frames,
                       const std::vector<LabelBox>& boxes = kHeart, bool with_gt = true) {
  write_text_file(folder / "Info.cfg",
                  "ED: 1\nES: 12\nGroup: NOR\nHeight: 184.0\nNbFrame: 30\n"
                  "Weight: 95.0\n");
  write_4d_volume(folder / (patient + "_4d.nii.gz"), kSize, 3);
  for (const auto& frame : frames) {
    const std::string stem = patient + "_frame" + frame;
    write_image_volume(folder / (stem + ".nii.gz"), kSize);
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

  ExpectedFiles want;
  for (const auto* c : {"patient001_frame01", "patient001_frame12", "patient101_frame14"})
    add_expected(want, "ACDC", c, {"mr_00"}, kSize, kHeart, kAcdcClasses);
  add_expected(want, "ACDC", "patient002_frame01", {"mr_00"}, kSize, only_lv, kAcdcClasses);
  expect_converted(d, want, 0);
  EXPECT_EQ(d.report.at("cases"), 4);
  EXPECT_THAT(d.images, ::testing::Contains("mr_00--ACDC--patient001_frame12--x_0003.png"));
  EXPECT_THAT(d.masks, ::testing::Contains("mr_00--ACDC--patient002_frame01--x_0001--" +
                                           class_id("ventricular_cavities") + "_000.png"));
  for (const auto& name : d.images) {
    EXPECT_THAT(name, ::testing::Not(HasSubstr("_4d"))) << name;
    EXPECT_THAT(name, ::testing::Not(HasSubstr("_gt"))) << name;
  }
  EXPECT_EQ(d.mapping, mapping_of(kAcdcClasses));
}

TEST(AcdcTest, InputAtTheDatasetFolderSlicesAllThreeAxes) {
  TempDir dir;
  make_acdc_patient(dir / "ACDC" / "database" / "training" / "patient001", "patient001", {"01"});
  const auto d = convert_dataset("ACDC", dir / "ACDC", dir / "out");
  ASSERT_EQ(d.run.exit_code, 0) << d.run.err;
  expect_converted(d,
                   expected_cases("ACDC", {"mr_00"}, kSize, kAcdcClasses,
                                  {{"patient001_frame01", kHeart}}, {'x', 'y', 'z'}),
                   0);
  EXPECT_THAT(d.images, ::testing::Contains("mr_00--ACDC--patient001_frame01--z_0002.png"));
}

TEST(AcdcTest, AFrameWithoutItsGtMapFailsOnlyThatCase) {
  TempDir dir;
  const fs::path training = dir / "in" / "database" / "training";
  make_acdc_patient(training / "patient001", "patient001", {"01"});
  make_acdc_patient(training / "patient003", "patient003", {"01"}, kHeart, false);
  const auto d = convert_dataset("ACDC", dir / "in", dir / "out", {"--axes", "x"});
  expect_converted(
      d, expected_cases("ACDC", {"mr_00"}, kSize, kAcdcClasses, {{"patient001_frame01", kHeart}}),
      1);
  expect_one_failure(d, {"patient003_frame01: ", "patient003_frame01_gt.nii.gz", "not found"},
                     {"patient003_frame01_gt.nii.gz"});
}

// ---------------------------------------------------------------------------------------------
// BraTS 2018-2021: one folder per case holding <case>_{t1,t1ce,t2,flair,seg}.

// NCR/NET 1, edema 2, enhancing 4 apart from each other, and a stray 3 (unused by BraTS) in a
// corner of its own: slice x_0000 holds only the 3.
const std::vector<LabelBox> kTumour{
    {{1, 1, 1}, {4, 4, 4}, 1}, {{6, 1, 2}, {9, 5, 6}, 2}, {{2, 7, 3}, {10, 9, 7}, 4}};
const std::vector<LabelBox> kTumourAndStray3{{{1, 1, 1}, {4, 4, 4}, 1},
                                             {{6, 1, 2}, {9, 5, 6}, 2},
                                             {{2, 7, 3}, {10, 9, 7}, 4},
                                             {{10, 1, 0}, {12, 3, 1}, 3}};

const std::vector<std::string> kBratsModalities{"mr_t1", "mr_t1ce", "mr_t2", "mr_flair"};
const std::vector<std::string> kBratsSequences{"t1", "t1ce", "t2", "flair"};

// `ext` ".nii.gz" or ".nii" (Kaggle mirrors); `seg` the segmentation's file name, empty for
// "<case>_seg<ext>", "-" for none (validation data).
void make_brats_case(const fs::path& folder, const std::string& case_name, const std::string& ext,
                     const std::vector<LabelBox>& boxes = kTumour, const std::string& seg = "") {
  for (const auto& sequence : kBratsSequences)
    write_image_volume(folder / (case_name + "_" + sequence + ext), kSize);
  if (seg != "-")
    write_label_volume(folder / (seg.empty() ? case_name + "_seg" + ext : seg), kSize, boxes);
}

void expect_brats_case(ExpectedFiles& want, const std::string& dataset,
                       const std::string& case_name, const std::vector<LabelBox>& boxes = kTumour,
                       const std::vector<char>& axes = {'x'}) {
  add_expected(want, dataset, case_name, kBratsModalities, kSize, boxes, kBratsClasses, axes);
}

void expect_stray_3_reported(const ConvertedDataset& d, const std::string& case_name) {
  const auto warnings = warnings_of(d, case_name);
  ASSERT_EQ(warnings.size(), 1u) << d.report.dump();
  EXPECT_THAT(warnings[0], HasSubstr("label values 3 (4 voxels) are not in the config"));
}

// 2018 and 2019 share the layout: training data split into HGG/ and LGG/, and a validation
// folder of cases without _seg.
struct HggLggRelease {
  std::string dataset;
  std::string training;    // the training data's folder
  std::string validation;  // the validation data's folder
  std::string hgg_case, lgg_case, validation_case;
};

void PrintTo(const HggLggRelease& r, std::ostream* os) {
  *os << r.dataset;
}

const std::vector<HggLggRelease> kHggLggReleases{
    {"BraTS2018", "MICCAI_BraTS_2018_Data_Training", "MICCAI_BraTS_2018_Data_Validation",
     "Brats18_2013_2_1", "Brats18_2013_0_1", "Brats18_CBICA_AAM_1"},
    {"BraTS2019", "MICCAI_BraTS_2019_Data_Training", "MICCAI_BraTS_2019_Data_Validation",
     "BraTS19_CBICA_ASK_1", "BraTS19_TMC_09043_1", "BraTS19_CBICA_AAM_1"}};

class BratsHggLggTest : public ::testing::TestWithParam<HggLggRelease> {};

// The input holds both releases: the case prefix keeps them apart. The LGG case is a .nii
// mirror; the HGG case has a stray 3.
TEST_P(BratsHggLggTest, HggAndLggCasesWithTheirSegAndNothingElse) {
  TempDir dir;
  for (const auto& r : kHggLggReleases) {
    const fs::path training = dir / "in" / r.training;
    make_brats_case(training / "HGG" / r.hgg_case, r.hgg_case, ".nii.gz", kTumourAndStray3);
    make_brats_case(training / "LGG" / r.lgg_case, r.lgg_case, ".nii");
    make_brats_case(dir / "in" / r.validation / r.validation_case, r.validation_case, ".nii.gz",
                    kTumour, "-");
  }
  const HggLggRelease& r = GetParam();
  const auto d = convert_dataset(r.dataset, dir / "in", dir / "out", {"--axes", "x"});
  ASSERT_EQ(d.run.exit_code, 0) << d.run.err;
  ExpectedFiles want;
  expect_brats_case(want, r.dataset, r.hgg_case, kTumourAndStray3);
  expect_brats_case(want, r.dataset, r.lgg_case);
  expect_converted(d, want, 0);
  EXPECT_EQ(d.report.at("cases"), 2);
  EXPECT_THAT(d.images,
              ::testing::Contains("mr_flair--" + r.dataset + "--" + r.lgg_case + "--x_0005.png"));
  expect_stray_3_reported(d, r.hgg_case);
  EXPECT_TRUE(warnings_of(d, r.lgg_case).empty());
  EXPECT_EQ(d.mapping, mapping_of(kBratsClasses));
}

INSTANTIATE_TEST_SUITE_P(Brats, BratsHggLggTest, ::testing::ValuesIn(kHggLggReleases),
                         [](const auto& param_info) { return param_info.param.dataset; });

// Case 355's segmentation is W39_1998.09.19_Segm.nii; Kaggle's copy is all .nii.
TEST(Brats2020Test, Case355WithItsSegmNamedW39AndNoValidationCases) {
  TempDir dir;
  const fs::path training = dir / "in" / "MICCAI_BraTS2020_TrainingData";
  write_text_file(training / "name_mapping.csv",
                  "Grade,BraTS_2017_subject_ID,BraTS_2018_subject_ID,"
                  "TCGA_TCIA_subject_ID,BraTS_2019_subject_ID,"
                  "BraTS_2020_subject_ID\n");
  write_text_file(training / "survival_info.csv",
                  "Brats20ID,Age,Survival_days,Extent_of_Resection\n");
  make_brats_case(training / "BraTS20_Training_001", "BraTS20_Training_001", ".nii.gz",
                  kTumourAndStray3);
  make_brats_case(training / "BraTS20_Training_355", "BraTS20_Training_355", ".nii", kTumour,
                  "W39_1998.09.19_Segm.nii");
  make_brats_case(dir / "in" / "MICCAI_BraTS2020_ValidationData" / "BraTS20_Validation_001",
                  "BraTS20_Validation_001", ".nii.gz", kTumour, "-");
  const auto d = convert_dataset("BraTS2020", dir / "in", dir / "out", {"--axes", "x"});
  ASSERT_EQ(d.run.exit_code, 0) << d.run.err;
  ExpectedFiles want;
  expect_brats_case(want, "BraTS2020", "BraTS20_Training_001", kTumourAndStray3);
  expect_brats_case(want, "BraTS2020", "BraTS20_Training_355");
  expect_converted(d, want, 0);
  EXPECT_EQ(d.report.at("cases"), 2);
  EXPECT_THAT(d.masks, ::testing::Contains("mr_t1ce--BraTS2020--BraTS20_Training_355--x_0004--" +
                                           class_id("whole_tumor") + "_001.png"));
  expect_stray_3_reported(d, "BraTS20_Training_001");
}

// No HGG/LGG; the validation folder's cases are named like the training ones but have no _seg.
TEST(Brats2021Test, TrainingCasesOnAllThreeAxesAndValidationGivesNothing) {
  TempDir dir;
  const fs::path training = dir / "in" / "RSNA_ASNR_MICCAI_BraTS2021_TrainingData";
  make_brats_case(training / "BraTS2021_00000", "BraTS2021_00000", ".nii.gz");
  make_brats_case(training / "BraTS2021_00218", "BraTS2021_00218", ".nii.gz", kTumourAndStray3);
  make_brats_case(dir / "in" / "RSNA_ASNR_MICCAI_BraTS2021_ValidationData" / "BraTS2021_00001",
                  "BraTS2021_00001", ".nii.gz", kTumour, "-");
  const auto d = convert_dataset("BraTS2021", dir / "in", dir / "out");
  ASSERT_EQ(d.run.exit_code, 0) << d.run.err;
  ExpectedFiles want;
  expect_brats_case(want, "BraTS2021", "BraTS2021_00000", kTumour, {'x', 'y', 'z'});
  expect_brats_case(want, "BraTS2021", "BraTS2021_00218", kTumourAndStray3, {'x', 'y', 'z'});
  expect_converted(d, want, 0);
  EXPECT_THAT(d.masks, ::testing::Contains("mr_t1--BraTS2021--BraTS2021_00218--z_0007--" +
                                           class_id("enhancing_tumor") + "_000.png"));
  expect_stray_3_reported(d, "BraTS2021_00218");
}

TEST(Brats2021Test, ACaseMissingASequenceFailsOnlyThatCase) {
  TempDir dir;
  const fs::path training = dir / "RSNA_ASNR_MICCAI_BraTS2021_TrainingData";
  make_brats_case(training / "BraTS2021_00000", "BraTS2021_00000", ".nii.gz");
  make_brats_case(training / "BraTS2021_00002", "BraTS2021_00002", ".nii.gz");
  fs::remove(training / "BraTS2021_00002" / "BraTS2021_00002_t1ce.nii.gz");
  // The dataset's own folder as the input.
  const auto d = convert_dataset("BraTS2021", training, dir / "out", {"--axes", "x"});
  ExpectedFiles want;
  expect_brats_case(want, "BraTS2021", "BraTS2021_00000");
  expect_converted(d, want, 1);
  expect_one_failure(d, {"BraTS2021_00002: ", "BraTS2021_00002_t1ce.nii"},
                     {"BraTS2021_00002_t1ce.nii"});
}

// ---------------------------------------------------------------------------------------------
// MSD Task01_BrainTumour: 4D images (FLAIR, T1w, t1gd, T2w) with MSD's own label codes.

// MSD codes (kBrainTumourClasses): 1 edema, 2 non-enhancing tumour, 3 enhancing tumour.
const std::vector<std::string> kBrainTumourModalities{"mr_flair", "mr_t1w", "mr_t1gd", "mr_t2w"};

TEST(BrainTumourTest, FourComponentsAreSequencesWithMsdLabelCodes) {
  TempDir dir;
  const std::vector<LabelBox> edema_only{{{2, 2, 2}, {9, 8, 5}, 1}};
  write_msd_task(dir / "in" / "Task01_BrainTumour", kSize,
                 {{"BRATS_001", kHeart}, {"BRATS_106", edema_only}}, {"BRATS_485"}, 4);
  const auto d = convert_dataset("BrainTumour", dir / "in", dir / "out", {"--axes", "x"});
  ASSERT_EQ(d.run.exit_code, 0) << d.run.err;
  expect_converted(d,
                   expected_cases("BrainTumour", kBrainTumourModalities, kSize, kBrainTumourClasses,
                                  {{"BRATS_001", kHeart}, {"BRATS_106", edema_only}}),
                   0);
  EXPECT_TRUE(d.report.at("warnings").empty()) << d.report.dump();
  // Value 1 is edema in MSD.
  EXPECT_THAT(d.masks, ::testing::Contains("mr_t2w--BrainTumour--BRATS_106--x_0002--" +
                                           class_id("peritumoral_edema") + "_000.png"));
  EXPECT_THAT(d.masks, ::testing::Not(
                           ::testing::Contains("mr_t2w--BrainTumour--BRATS_106--x_0002--" +
                                               class_id("non_enhancing_tumor_core") + "_000.png")));
}

TEST(BrainTumourTest, AnImageWithFiveComponentsFailsOnlyItsCaseOnAllThreeAxes) {
  TempDir dir;
  const fs::path task = dir / "Task01_BrainTumour";
  write_msd_task(task, kSize, {{"BRATS_001", kHeart}, {"BRATS_002", kHeart}}, {}, 4);
  write_4d_volume(task / "imagesTr" / "BRATS_002.nii.gz", kSize, 5);
  const auto d = convert_dataset("BrainTumour", task, dir / "out");
  expect_converted(d,
                   expected_cases("BrainTumour", kBrainTumourModalities, kSize, kBrainTumourClasses,
                                  {{"BRATS_001", kHeart}}, {'x', 'y', 'z'}),
                   1);
  expect_one_failure(d, {"BRATS_002: ", "imagesTr/BRATS_002.nii.gz: has 5 component"},
                     {"BRATS_002.nii.gz"});
}

}  // namespace
}  // namespace samed2d::test
