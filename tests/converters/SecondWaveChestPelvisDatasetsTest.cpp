// The bundled configs of ATM2022, CTPelvic1k, Parse22, Instance22, BTCV_Cervix and VESSEL2012 on
// miniature replicas of each release's layout: folder and file names as the loaders and dataset
// cards cited in each config give them, the files that must never be read (unlabelled
// validation and test splits, the excluded ATM case, the CTPelvic1K masks of other datasets'
// images, BTCV Abdomen beside BTCV Cervix, annotation tables, macOS debris) planted beside the
// real ones, and every expected file name derived from the planted boxes through the SPEC oracle.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>

#include "support/DatasetReplica.hpp"
#include "support/DatasetRun.hpp"
#include "support/Matchers.hpp"
#include "support/PlantedCase.hpp"
#include "support/TestData.hpp"

namespace samed2d::test {
namespace {

// ---------------------------------------------------------------------------------------------
// ATM2022

const ClassValues kAtmClasses{{"airway", {1}}};

// TrainBatch1/ and TrainBatch2/ (SAT-DS, MMMM) with image and label under one name, the
// validation batch without labels, a copy in AMD's imagesVal/labelsVal layout, and ATM_164_0000,
// whose label does not fit its image and is never read.
TEST(SecondWaveChestPelvisDatasetsTest, Atm2022TrainBatchesWithoutTheMisalignedCase) {
  TempDir dir;
  const fs::path atm = dir / "in" / "ATM22";
  PlantedCase a1{
      .name = "ATM_001_0000",
      .boxes = {{{5, 0, 0}, {7, 4, 3}, 1}, {{2, 4, 3}, {5, 9, 7}, 1}, {{7, 4, 3}, {11, 9, 7}, 1}}};
  PlantedCase a2{.name = "ATM_290_0000", .boxes = {{{4, 1, 1}, {8, 9, 7}, 1}}};
  a1.write_image(atm / "TrainBatch1" / "imagesTr" / (a1.name + ".nii.gz"));
  a1.write_label(atm / "TrainBatch1" / "labelsTr" / (a1.name + ".nii.gz"));
  a2.write_image(atm / "TrainBatch2" / "imagesTr" / (a2.name + ".nii.gz"));
  a2.write_label(atm / "TrainBatch2" / "labelsTr" / (a2.name + ".nii.gz"));
  write_apple_double(atm / "TrainBatch1" / "labelsTr" / "._ATM_001_0000.nii.gz");
  // The misaligned case: its label even has another size.
  PlantedCase{.name = "ATM_164_0000"}.write_image(atm / "TrainBatch1" / "imagesTr" /
                                                  "ATM_164_0000.nii.gz");
  PlantedCase{.name = "ATM_164_0000", .size = {12, 10, 6}, .boxes = {{{1, 1, 1}, {6, 6, 5}, 1}}}
      .write_label(atm / "TrainBatch1" / "labelsTr" / "ATM_164_0000.nii.gz");
  // Validation images without labels.
  PlantedCase{.name = "ATM_301_0000"}.write_image(atm / "ValidBatch" / "imagesVal" /
                                                  "ATM_301_0000.nii.gz");
  // AMD's layout: labelsVal/ beside imagesVal/.
  const fs::path amd = dir / "in" / "ATM2022";
  PlantedCase v{.name = "ATM_281_0000", .boxes = {{{1, 2, 2}, {10, 8, 6}, 1}}};
  v.write_image(amd / "imagesVal" / (v.name + ".nii.gz"));
  v.write_label(amd / "labelsVal" / (v.name + ".nii.gz"));

  const auto got = convert_dataset("ATM2022", dir / "in", dir / "out", {"--axes", "x,z"});
  expect_converted(got, expected_files("ATM2022", kAtmClasses, {a1, a2, v}, {'x', 'z'}));
  // Below the carina the two main bronchi are two instances of the one class.
  EXPECT_THAT(got.masks,
              Contains("ct_00--ATM2022--ATM_001_0000--x_0003--" + class_id("airway") + "_001.png"));
  EXPECT_THAT(files_of_case(got.images, "ATM_164_0000"), IsEmpty());
  EXPECT_THAT(files_of_case(got.images, "ATM_301_0000"), IsEmpty());
  EXPECT_THAT(got.run.err, ::testing::Not(HasSubstr("ATM_164_0000")));

  // --input at one batch folder.
  const auto one = convert_dataset("ATM2022", atm / "TrainBatch2", dir / "out2", {"--axes", "x"});
  expect_converted(one, expected_files("ATM2022", kAtmClasses, {a2}));
}

// ---------------------------------------------------------------------------------------------
// CTPelvic1k

const ClassValues kPelvicClasses{
    {"sacrum", {1}}, {"right_hip", {2}}, {"left_hip", {3}}, {"lumbar_vertebrae", {4}}};

// dataset6 (CLINIC) and dataset7 (CLINIC-metal) with the names the Zenodo archives unpack to;
// dataset7 images without a mask, and a dataset1 mask whose image is a BTCV file, are never read.
TEST(SecondWaveChestPelvisDatasetsTest, CtPelvic1kClinicAndMetalMasksWithTheOfficialHipCodes) {
  TempDir dir;
  const fs::path root = dir / "in" / "CTPelvic1K";
  PlantedCase c1{.name = "dataset6_CLINIC_0001",
                 .boxes = {{{4, 1, 5}, {8, 9, 8}, 4},
                           {{4, 1, 2}, {8, 9, 5}, 1},
                           {{0, 1, 0}, {4, 9, 4}, 2},
                           {{8, 1, 0}, {12, 9, 4}, 3}}};
  PlantedCase c2{.name = "dataset6_CLINIC_0103", .boxes = {{{1, 1, 1}, {11, 9, 3}, 1}}};
  PlantedCase m0{.name = "CLINIC_metal_0000",
                 .boxes = {{{0, 0, 0}, {5, 10, 6}, 2}, {{7, 0, 0}, {12, 10, 3}, 3}}};
  for (const auto& c : {c1, c2}) {
    c.write_image(root / "CTPelvic1K_dataset6_data" / (c.name + "_data.nii.gz"));
    c.write_label(root / "ipcai2021_dataset6_Anonymized" / (c.name + "_mask_4label.nii.gz"));
  }
  m0.write_image(root / "CTPelvic1K_dataset7_data" / "dataset7_CLINIC_metal_0000_data.nii.gz");
  m0.write_label(root / "CTPelvic1K_dataset7_mask" / "CLINIC_metal_0000_mask_4label.nii.gz");
  // A CLINIC-metal training image without a mask.
  PlantedCase{.name = "CLINIC_metal_0040"}.write_image(root / "CTPelvic1K_dataset7_data" /
                                                       "dataset7_CLINIC_metal_0040_data.nii.gz");
  // A mask mapped back onto a BTCV Abdomen image: not this config's to pair.
  PlantedCase{.name = "dataset1_img0001", .boxes = {{{1, 1, 1}, {6, 6, 6}, 1}}}.write_label(
      root / "CTPelvic1K_dataset1_mask_mappingback" / "dataset1_img0001_mask_4label.nii.gz");
  write_apple_double(root / "ipcai2021_dataset6_Anonymized" /
                     "._dataset6_CLINIC_0001_mask_4label.nii.gz");

  const auto got = convert_dataset("CTPelvic1k", dir / "in", dir / "out", {"--axes", "x,y"});
  expect_converted(got, expected_files("CTPelvic1k", kPelvicClasses, {c1, c2, m0}, {'x', 'y'}));
  // Value 2 is the right hip, 3 the left one (the dataset authors' mapping): slice x_0004 of
  // the metal case holds value 2 alone.
  EXPECT_THAT(got.masks, Contains("ct_00--CTPelvic1k--CLINIC_metal_0000--x_0004--" +
                                  class_id("right_hip") + "_000.png"));
  EXPECT_THAT(got.masks, Contains("ct_00--CTPelvic1k--dataset6_CLINIC_0001--x_0000--" +
                                  class_id("right_hip") + "_000.png"));
  EXPECT_THAT(got.masks, Contains("ct_00--CTPelvic1k--CLINIC_metal_0000--y_0005--" +
                                  class_id("left_hip") + "_000.png"));
  EXPECT_THAT(got.masks, Contains("ct_00--CTPelvic1k--dataset6_CLINIC_0001--x_0006--" +
                                  class_id("lumbar_vertebrae") + "_000.png"));
  EXPECT_THAT(files_of_case(got.images, "CLINIC_metal_0040"), IsEmpty());
  EXPECT_THAT(files_of_case(got.images, "dataset1_img0001"), IsEmpty());
  EXPECT_THAT(files_of_case(got.images, "dataset6_CLINIC_0001_data"), IsEmpty());
}

// ---------------------------------------------------------------------------------------------
// Parse22

TEST(SecondWaveChestPelvisDatasetsTest, Parse22CaseFoldersWithImageAndLabel) {
  TempDir dir;
  const fs::path parse = dir / "in" / "PARSE2022";
  PlantedCase p5{
      .name = "PA000005",
      .boxes = {{{1, 3, 1}, {5, 7, 7}, 1}, {{7, 3, 1}, {11, 7, 7}, 1}, {{5, 4, 3}, {7, 6, 5}, 1}}};
  PlantedCase p16{.name = "PA000016", .boxes = {{{2, 2, 0}, {10, 8, 3}, 1}}};
  for (const auto& c : {p5, p16}) {
    c.write_image(parse / "train" / c.name / "image" / (c.name + ".nii.gz"));
    c.write_label(parse / "train" / c.name / "label" / (c.name + ".nii.gz"));
  }
  write_apple_double(parse / "train" / "PA000005" / "label" / "._PA000005.nii.gz");
  PlantedCase{.name = "PA000013"}.write_image(parse / "evaluation" / "PA000013.nii.gz");

  const ClassValues classes{{"pulmonary_artery", {1}}};
  const auto got = convert_dataset("Parse22", dir / "in", dir / "out", {"--axes", "x"});
  expect_converted(got, expected_files("Parse22", classes, {p5, p16}));
  // The two pulmonary arteries joined by the trunk are one component.
  EXPECT_THAT(got.masks, Contains("ct_00--Parse22--PA000005--x_0004--" +
                                  class_id("pulmonary_artery") + "_000.png"));
  EXPECT_THAT(files_of_case(got.images, "PA000013"), IsEmpty());
}

// ---------------------------------------------------------------------------------------------
// Instance22

// Thick-slice head CT (few slices); a label value other than 1 is reported, never a class.
TEST(SecondWaveChestPelvisDatasetsTest, Instance22TrainDataAndLabelFolders) {
  TempDir dir;
  const fs::path instance = dir / "in" / "INSTANCE2022";
  PlantedCase h1{.name = "001",
                 .size = {14, 12, 5},
                 .boxes = {{{2, 2, 1}, {6, 6, 4}, 1}, {{9, 7, 2}, {13, 11, 3}, 1}}};
  PlantedCase h2{.name = "002",
                 .size = {14, 12, 5},
                 .boxes = {{{4, 3, 0}, {10, 9, 5}, 1}, {{0, 0, 0}, {2, 2, 1}, 2}}};
  for (const auto& c : {h1, h2}) {
    c.write_image(instance / "train" / "data" / (c.name + ".nii.gz"));
    c.write_label(instance / "train" / "label" / (c.name + ".nii.gz"));
  }
  PlantedCase{.name = "101", .size = {14, 12, 5}}.write_image(instance / "evaluation" /
                                                              "101.nii.gz");

  const ClassValues classes{{"intracranial_hemorrhage", {1}}};
  const auto got = convert_dataset("Instance22", dir / "in", dir / "out", {"--axes", "x"});
  expect_converted(got, expected_files("Instance22", classes, {h1, h2}));
  EXPECT_THAT(got.masks, Contains("ct_00--Instance22--001--x_0002--" +
                                  class_id("intracranial_hemorrhage") + "_001.png"));
  EXPECT_THAT(files_of_case(got.images, "101"), IsEmpty());
  const auto stray = warnings_of(got, "002");
  ASSERT_EQ(stray.size(), 1u) << got.report.dump();
  EXPECT_THAT(stray[0], HasSubstr("label values 2 (4 voxels) are not in the config"));

  // SAT-DS's copy names the training folder train_2.
  const fs::path sat = dir / "in2" / "Instance22" / "train_2";
  h2.write_image(sat / "data" / "002.nii.gz");
  h2.write_label(sat / "label" / "002.nii.gz");
  const auto renamed = convert_dataset("Instance22", dir / "in2", dir / "out2", {"--axes", "x"});
  expect_converted(renamed, expected_files("Instance22", classes, {h2}));
}

// ---------------------------------------------------------------------------------------------
// BTCV_Cervix

// CervixRawData.zip unpacked beside BTCV Abdomen's RawData.zip: the Abdomen files never match.
TEST(SecondWaveChestPelvisDatasetsTest, BtcvCervixImageAndMaskPairsBesideBtcvAbdomen) {
  TempDir dir;
  const fs::path cervix = dir / "in" / "Cervix" / "RawData";
  PlantedCase c1{.name = "0507688-Image",
                 .boxes = {{{1, 1, 0}, {5, 5, 8}, 1},
                           {{6, 1, 2}, {11, 5, 6}, 2},
                           {{3, 6, 1}, {8, 9, 7}, 3},
                           {{9, 6, 4}, {12, 10, 8}, 4}}};
  // Small bowel is missing in some scans.
  PlantedCase c2{.name = "0759564-Image",
                 .boxes = {{{2, 2, 2}, {10, 8, 6}, 2}, {{4, 4, 3}, {7, 7, 5}, 1}}};
  for (const auto& c : {c1, c2}) {
    const std::string id = c.name.substr(0, 7);
    c.write_image(cervix / "Training" / "img" / (id + "-Image.nii.gz"));
    c.write_label(cervix / "Training" / "label" / (id + "-Mask.nii.gz"));
  }
  PlantedCase{.name = "1258230-Image"}.write_image(cervix / "Testing" / "img" /
                                                   "1258230-Image.nii.gz");
  const fs::path abdomen = dir / "in" / "Abdomen" / "RawData" / "Training";
  PlantedCase btcv{.name = "img0001", .boxes = {{{1, 1, 1}, {6, 6, 6}, 1}}};
  btcv.write_image(abdomen / "img" / "img0001.nii.gz");
  btcv.write_label(abdomen / "label" / "label0001.nii.gz");

  const ClassValues classes{
      {"urinary_bladder", {1}}, {"uterus", {2}}, {"rectum", {3}}, {"small_bowel", {4}}};
  const auto got = convert_dataset("BTCV_Cervix", dir / "in", dir / "out", {"--axes", "x,y"});
  expect_converted(got, expected_files("BTCV_Cervix", classes, {c1, c2}, {'x', 'y'}));
  EXPECT_THAT(got.masks, Contains("ct_00--BTCV_Cervix--0507688-Image--x_0005--" +
                                  class_id("small_bowel") + "_000.png"));
  EXPECT_THAT(files_of_case(got.images, "img0001"), IsEmpty());
  EXPECT_THAT(files_of_case(got.images, "1258230-Image"), IsEmpty());

  // --input at RawData/ itself.
  const auto inside = convert_dataset("BTCV_Cervix", cervix, dir / "out2", {"--axes", "x"});
  expect_converted(inside, expected_files("BTCV_Cervix", classes, {c1, c2}));
}

// ---------------------------------------------------------------------------------------------
// VESSEL2012

const ClassValues kVesselClasses{{"lung", {1}}};

// The grand-challenge download: one folder per scan archive under tar_bz2_per_1/, the lung
// masks under lungmasks/VESSEL12_01-20_Lungmasks/, and the example scans' point annotations.
TEST(SecondWaveChestPelvisDatasetsTest, Vessel2012LungMasksOfTheGrandChallengeDownload) {
  TempDir dir;
  const fs::path root = dir / "in" / "VESSEL2012";
  PlantedCase v1{.name = "VESSEL12_01",
                 .boxes = {{{1, 1, 1}, {5, 9, 7}, 1}, {{7, 1, 1}, {11, 9, 7}, 1}}};
  PlantedCase v20{.name = "VESSEL12_20", .boxes = {{{2, 2, 0}, {10, 8, 8}, 1}}};
  for (const auto& c : {v1, v20}) {
    c.write_image(root / "tar_bz2_per_1" / c.name / (c.name + ".mhd"));
    c.write_label(root / "lungmasks" / "VESSEL12_01-20_Lungmasks" / (c.name + ".mhd"));
  }
  // A scan without its mask in this copy, and the example scans' annotations.
  PlantedCase{.name = "VESSEL12_02"}.write_image(root / "tar_bz2_per_1" / "VESSEL12_02" /
                                                 "VESSEL12_02.mhd");
  write_text_file(root / "exampleScans" / "VESSEL12_21_Annotations.csv", "x,y,z,label\n");
  ASSERT_TRUE(
      fs::is_regular_file(root / "lungmasks" / "VESSEL12_01-20_Lungmasks" / "VESSEL12_01.raw"));

  const auto got = convert_dataset("VESSEL2012", dir / "in", dir / "out", {"--axes", "x"});
  expect_converted(got, expected_files("VESSEL2012", kVesselClasses, {v1, v20}));
  // Both lungs share the one value: two instances of the class.
  EXPECT_THAT(got.masks,
              Contains("ct_00--VESSEL2012--VESSEL12_01--x_0004--" + class_id("lung") + "_001.png"));
  EXPECT_THAT(files_of_case(got.images, "VESSEL12_02"), IsEmpty());
}

// Scans/ beside Lungmasks/, and the Kaggle copy's ct_scans/ beside masks/; a mask whose scan is
// missing fails alone with one line.
TEST(SecondWaveChestPelvisDatasetsTest, Vessel2012FlatScanFoldersAndAMissingScan) {
  TempDir dir;
  PlantedCase v3{.name = "VESSEL12_03", .boxes = {{{2, 1, 1}, {10, 9, 7}, 1}}};
  v3.write_image(dir / "in" / "VESSEL12" / "Scans" / "VESSEL12_03.mhd");
  v3.write_label(dir / "in" / "VESSEL12" / "Lungmasks" / "VESSEL12_03.mhd");
  PlantedCase v4{.name = "VESSEL12_04", .boxes = {{{1, 2, 0}, {11, 8, 5}, 1}}};
  v4.write_label(dir / "in" / "VESSEL12" / "Lungmasks" / "VESSEL12_04.mhd");
  PlantedCase v5{.name = "VESSEL12_05", .boxes = {{{3, 3, 3}, {9, 7, 6}, 1}}};
  v5.write_image(dir / "in" / "kaggle" / "ct_scans" / "VESSEL12_05.mhd");
  v5.write_label(dir / "in" / "kaggle" / "masks" / "VESSEL12_05.mhd");

  const auto got = convert_dataset("VESSEL2012", dir / "in", dir / "out", {"--axes", "x"});
  expect_converted(got, expected_files("VESSEL2012", kVesselClasses, {v3, v5}), 1);
  EXPECT_EQ(lines_naming(got.run.err, "VESSEL12_04"), 1u) << got.run.err;
}

}  // namespace
}  // namespace samed2d::test
