// The bundled configs of PROMISE12 and autoPET, each run on a miniature replica of the dataset's
// real layout (reference/datasets.md sections 18 and 20), traps included.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "support/DatasetReplica.hpp"
#include "support/DatasetRun.hpp"
#include "support/Matchers.hpp"
#include "support/TestData.hpp"

namespace samed2d::test {
namespace {

constexpr Size3 kSize{12, 10, 8};

// Two lesions (or a gland and a second blob) of value 1, apart.
const std::vector<LabelBox> kTwoBlobs{{{1, 1, 1}, {4, 4, 4}, 1}, {{6, 5, 2}, {11, 9, 6}, 1}};
const std::vector<LabelBox> kOneBlob{{{3, 2, 3}, {9, 8, 7}, 1}};

// ---------------------------------------------------------------------------------------------
// PROMISE12: TrainingData_PartN/CaseNN.mhd + .raw and CaseNN_segmentation.mhd + .raw.

const ClassValues kProstate{{"prostate", {1}}};

void make_promise_case(const fs::path& folder, const std::string& case_name,
                       const std::vector<LabelBox>& boxes, bool with_segmentation = true) {
  write_image_volume(folder / (case_name + ".mhd"), kSize);
  if (with_segmentation)
    write_label_volume(folder / (case_name + "_segmentation.mhd"), kSize, boxes);
}

TEST(Promise12Test, TrainingCasesOfEveryPartAndNotTheSegmentationsOrTheTestSets) {
  TempDir dir;
  const fs::path in = dir / "in";
  make_promise_case(in / "TrainingData_Part1", "Case00", kTwoBlobs);
  make_promise_case(in / "TrainingData_Part1", "Case01", kOneBlob);
  make_promise_case(in / "TrainingData_Part2", "Case20", kOneBlob);
  // Test sets: images without labels, numbered like the training cases.
  make_promise_case(in / "test_data", "Case00", kOneBlob, false);
  make_promise_case(in / "livechallenge_test_data", "Case30", kOneBlob, false);
  const auto d = convert_dataset("PROMISE12", in, dir / "out", {"--axes", "x"});
  ASSERT_EQ(d.run.exit_code, 0) << d.run.err;
  expect_converted(
      d,
      expected_cases("PROMISE12", {"mr_t2"}, kSize, kProstate,
                     {{"Case00", kTwoBlobs}, {"Case01", kOneBlob}, {"Case20", kOneBlob}}),
      0);
  EXPECT_EQ(d.report.at("cases"), 3);
  EXPECT_THAT(d.masks, ::testing::Contains("mr_t2--PROMISE12--Case00--x_0003--" +
                                           class_id("prostate") + "_001.png"));
  for (const auto& name : d.images) EXPECT_THAT(name, ::testing::Not(HasSubstr("segmentation")));
}

TEST(Promise12Test, ACaseWithoutItsSegmentationFailsOnlyThatCase) {
  TempDir dir;
  const fs::path part = dir / "training_data";
  make_promise_case(part, "Case07", kOneBlob);
  make_promise_case(part, "Case08", kOneBlob, false);
  const auto d = convert_dataset("PROMISE12", part, dir / "out", {"--axes", "x"});
  expect_converted(
      d, expected_cases("PROMISE12", {"mr_t2"}, kSize, kProstate, {{"Case07", kOneBlob}}), 1);
  expect_one_failure(d, {"Case08: ", "Case08_segmentation.mhd"});
}

// ---------------------------------------------------------------------------------------------
// autoPET: FDG-PET-CT-Lesions/PETCT_<hex>/<study folder with spaces>/{CT,CTres,PET,SUV,SEG}.

const ClassValues kLesion{{"tumor_lesion", {1}}};
const std::vector<std::string> kPetCt{"pet_00", "ct_00"};

// CT.nii.gz is on the original CT grid (here: another size), so reading it would fail the case.
void make_autopet_study(const fs::path& study, const std::vector<LabelBox>& boxes) {
  write_image_volume(study / "CT.nii.gz", {24, 20, 12});
  write_image_volume(study / "CTres.nii.gz", kSize);
  write_image_volume(study / "PET.nii.gz", kSize);
  write_image_volume(study / "SUV.nii.gz", kSize);
  write_label_volume(study / "SEG.nii.gz", kSize, boxes);
}

const std::string kStudy1 = "03-23-2003-NA-PET-CT Ganzkoerper  primaer mit KM-10445";
const std::string kStudy2 = "12-11-2004-NA-PET-CT Ganzkoerper  primaer mit KM-48392";
const std::string kStudy3 = "08-13-2005-NA-PET-CT Ganzkoerper  primaer mit KM-56839";
// Spaces become '_' (SPEC section 2), the double space two of them.
const std::string kCase1 =
    "PETCT_0011f3deaf_03-23-2003-NA-PET-CT_Ganzkoerper__primaer_mit_KM-10445";
const std::string kCase2 =
    "PETCT_0011f3deaf_12-11-2004-NA-PET-CT_Ganzkoerper__primaer_mit_KM-48392";

TEST(AutoPetTest, SuvAndCtresShareSegPerStudyOnAllThreeAxes) {
  TempDir dir;
  const fs::path lesions = dir / "in" / "FDG-PET-CT-Lesions";
  // One patient with two studies, and a negative control (all-zero SEG).
  make_autopet_study(lesions / "PETCT_0011f3deaf" / kStudy1, kTwoBlobs);
  make_autopet_study(lesions / "PETCT_0011f3deaf" / kStudy2, kOneBlob);
  make_autopet_study(lesions / "PETCT_01140d52d8" / kStudy3, {});
  const auto d = convert_dataset("autoPET", dir / "in", dir / "out");
  ASSERT_EQ(d.run.exit_code, 0) << d.run.err;
  expect_converted(d,
                   expected_cases("autoPET", kPetCt, kSize, kLesion,
                                  {{kCase1, kTwoBlobs}, {kCase2, kOneBlob}}, {'x', 'y', 'z'}),
                   0);
  EXPECT_EQ(d.report.at("cases"), 3);
  // The negative control is a case without slices, and says so.
  expect_one_report_entry(d, "warnings",
                          "PETCT_01140d52d8_08-13-2005-NA-PET-CT_Ganzkoerper__primaer_mit_KM-56839",
                          HasSubstr("KM-56839/SEG.nii.gz: no voxel of a class"));
  EXPECT_THAT(d.images, ::testing::Contains("ct_00--autoPET--" + kCase1 + "--y_0006.png"));
  EXPECT_THAT(d.masks, ::testing::Contains("pet_00--autoPET--" + kCase2 + "--x_0003--" +
                                           class_id("tumor_lesion") + "_000.png"));
  EXPECT_EQ(d.mapping, mapping_of(kLesion));
}

TEST(AutoPetTest, AStudyWithoutCtresFailsOnlyThatStudy) {
  TempDir dir;
  const fs::path lesions = dir / "FDG-PET-CT-Lesions";
  make_autopet_study(lesions / "PETCT_0011f3deaf" / kStudy1, kOneBlob);
  make_autopet_study(lesions / "PETCT_0011f3deaf" / kStudy2, kOneBlob);
  fs::remove(lesions / "PETCT_0011f3deaf" / kStudy2 / "CTres.nii.gz");
  // The dataset's own folder as the input.
  const auto d = convert_dataset("autoPET", lesions, dir / "out", {"--axes", "x"});
  expect_converted(d, expected_cases("autoPET", kPetCt, kSize, kLesion, {{kCase1, kOneBlob}}), 1);
  // (The report's one-line reason collapses the study folder's double space.)
  expect_one_failure(d, {kCase2 + ": ", "PETCT_0011f3deaf/12-11-2004-NA-PET-CT Ganzkoerper",
                         "KM-48392/CTres.nii.gz: file not found"});
}

}  // namespace
}  // namespace samed2d::test
