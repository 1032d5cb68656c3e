// The bundled configs of the abdominal CT/MR datasets (AMOS2022, KiTS, KiTS2021, BTCV, FLARE22,
// WORD, CT_ORG, AbdomenCT1K) on miniature replicas of each release's layout: folder and file
// names as datasets.md gives them, the files that must never be read (unlabelled splits,
// per-rater files, macOS debris) planted beside the real ones, and every expected file name
// derived from the planted boxes through the SPEC oracle.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "support/DatasetClasses.hpp"
#include "support/DatasetReplica.hpp"
#include "support/DatasetRun.hpp"
#include "support/Matchers.hpp"
#include "support/PlantedCase.hpp"
#include "support/TestData.hpp"

namespace samed2d::test {
namespace {

TEST(AbdomenDatasetsTest, Amos2022CtUpTo500MrAbove) {
  TempDir dir;
  const fs::path amos = dir / "in" / "amos22";
  PlantedCase ct1{.name = "amos_0001",
                  .boxes = {{{1, 1, 1}, {4, 4, 4}, 1}, {{6, 5, 2}, {10, 9, 6}, 15}}};
  PlantedCase ct500{.name = "amos_0500", .boxes = {{{2, 2, 3}, {9, 8, 5}, 8}}};
  PlantedCase mr507{.name = "amos_0507",
                    .modality = "mr_00",
                    .boxes = {{{0, 0, 0}, {5, 5, 2}, 6}, {{7, 6, 5}, {11, 9, 8}, 14}}};
  PlantedCase mr600{
      .name = "amos_0600", .modality = "mr_00", .boxes = {{{3, 3, 0}, {6, 7, 8}, 13}}};
  for (const auto& [c, split] : std::vector<std::pair<PlantedCase, std::string>>{
           {ct1, "Tr"}, {ct500, "Va"}, {mr507, "Tr"}, {mr600, "Va"}}) {
    c.write_image(amos / ("images" + split) / (c.name + ".nii.gz"));
    c.write_label(amos / ("labels" + split) / (c.name + ".nii.gz"));
  }
  // The test split has no labels; debris sits beside the files and in __MACOSX/.
  PlantedCase{.name = "amos_0701"}.write_image(amos / "imagesTs" / "amos_0701.nii.gz");
  write_apple_double(amos / "imagesTr" / "._amos_0001.nii.gz");
  write_apple_double(amos / "labelsTr" / "._amos_0001.nii.gz");
  write_apple_double(dir / "in" / "__MACOSX" / "amos22" / "labelsTr" / "._amos_0001.nii.gz");
  write_apple_double(dir / "in" / "__MACOSX" / "amos22" / "labelsVa" / "amos_0002.nii.gz");
  write_text_file(amos / "dataset.json", "{\"name\": \"AMOS\"}");

  const auto want =
      expected_files("AMOS2022", kAmos2022Classes, {ct1, ct500, mr507, mr600}, {'x', 'y', 'z'});
  const auto got = convert_dataset("AMOS2022", dir / "in", dir / "out");
  expect_converted(got, want);
  // Spelled out once: the boundary case 500 is CT, 507 MR, and label 15 is one class.
  EXPECT_THAT(got.images, ::testing::Contains("ct_00--AMOS2022--amos_0500--x_0003.png"));
  EXPECT_THAT(got.images, ::testing::Contains("mr_00--AMOS2022--amos_0507--z_0000.png"));
  EXPECT_THAT(got.masks, ::testing::Contains("ct_00--AMOS2022--amos_0001--x_0002--" +
                                             class_id("prostate_or_uterus") + "_000.png"));
  EXPECT_THAT(files_of_case(got.images, "amos_0701"), IsEmpty());
  EXPECT_EQ(got.mapping.size(), class_ids_of(want.masks).size());
  EXPECT_EQ(class_ids_of(want.masks).size(), 6u);

  // The same output when --input is the unpacked amos22/ itself.
  const auto inner = convert_dataset("AMOS2022", amos, dir / "out2", {"--axes", "x"});
  expect_converted(inner, expected_files("AMOS2022", kAmos2022Classes, {ct1, ct500, mr507, mr600}));
}

// KiTS stores (slices, rows, cols): ITK index i is the axial slice, so the real shape has the
// most voxels in i; names do not depend on it, but the z_ family is the axial one.
TEST(AbdomenDatasetsTest, KitsCaseFoldersWithSegmentationOnly) {
  TempDir dir;
  const fs::path data = dir / "in" / "kits19" / "data";
  PlantedCase c0{.name = "case_00000",
                 .size = {16, 10, 12},
                 .boxes = {{{2, 2, 2}, {9, 8, 10}, 1}, {{4, 4, 4}, {7, 6, 7}, 2}}};
  PlantedCase c209{
      .name = "case_00209", .size = {16, 10, 12}, .boxes = {{{10, 1, 1}, {15, 4, 5}, 1}}};
  for (const auto& c : {c0, c209}) {
    c.write_image(data / c.name / "imaging.nii.gz");
    c.write_label(data / c.name / "segmentation.nii.gz");
  }
  PlantedCase{.name = "case_00210", .size = {16, 10, 12}}.write_image(data / "case_00210" /
                                                                      "imaging.nii.gz");
  write_text_file(data / "kits.json", "[]");

  const auto got = convert_dataset("KiTS", dir / "in", dir / "out", {"--axes", "x,y,z"});
  expect_converted(got, expected_files("KiTS", kKits19Classes, {c0, c209}, {'x', 'y', 'z'}));
  EXPECT_THAT(got.masks, ::testing::Contains("ct_00--KiTS--case_00000--z_0005--" +
                                             class_id("kidney_tumor") + "_000.png"));
  EXPECT_THAT(got.masks, ::testing::Contains("ct_00--KiTS--case_00000--z_0005--" +
                                             class_id("kidney_and_masses") + "_000.png"));
  EXPECT_THAT(files_of_case(got.images, "case_00210"), IsEmpty());
}

TEST(AbdomenDatasetsTest, Kits2021ReadsTheMajorityVoteOnly) {
  TempDir dir;
  const fs::path data = dir / "in" / "kits21" / "kits21" / "data";
  PlantedCase c0{
      .name = "case_00000",
      .size = {16, 10, 12},
      .boxes = {
          {{2, 2, 2}, {12, 8, 10}, 1}, {{4, 3, 3}, {6, 5, 6}, 2}, {{8, 3, 3}, {10, 5, 6}, 3}}};
  PlantedCase c7{.name = "case_00007", .size = {16, 10, 12}, .boxes = {{{1, 1, 1}, {3, 3, 3}, 3}}};
  for (const auto& c : {c0, c7}) {
    c.write_image(data / c.name / "imaging.nii.gz");
    c.write_label(data / c.name / "aggregated_MAJ_seg.nii.gz");
    // The other aggregates and the per-rater files hold more than the majority vote.
    PlantedCase all{.name = c.name, .size = c.size, .boxes = {{{0, 0, 0}, c.size, 2}}};
    all.write_label(data / c.name / "aggregated_OR_seg.nii.gz");
    all.write_label(data / c.name / "aggregated_AND_seg.nii.gz");
    all.write_label(data / c.name / "segmentations" / "kidney_instance-1_annotation-1.nii.gz");
    all.write_label(data / c.name / "segmentations" / "aggregated_MAJ_seg.nii.gz");
  }
  PlantedCase{.name = "case_00299", .size = {16, 10, 12}}.write_image(data / "case_00299" /
                                                                      "imaging.nii.gz");

  const ClassValues classes{{"kidney", {1}},
                            {"kidney_tumor", {2}},
                            {"kidney_cyst", {3}},
                            {"kidney_and_masses", {1, 2, 3}},
                            {"kidney_masses", {2, 3}}};
  const auto got = convert_dataset("KiTS2021", dir / "in", dir / "out", {"--axes", "x"});
  expect_converted(got, expected_files("KiTS2021", classes, {c0, c7}));
  // Tumour and cyst are two instances of the masses region on one slice.
  EXPECT_THAT(got.masks, ::testing::Contains("ct_00--KiTS2021--case_00000--x_0004--" +
                                             class_id("kidney_masses") + "_001.png"));
}

TEST(AbdomenDatasetsTest, BtcvTrainingCasesWithGapsInTheIds) {
  TempDir dir;
  const fs::path raw = dir / "in" / "Abdomen" / "RawData";
  PlantedCase c1{.name = "img0001",
                 .boxes = {{{1, 1, 1}, {5, 5, 5}, 1}, {{7, 6, 3}, {11, 9, 6}, 13}}};
  PlantedCase c21{.name = "img0021", .boxes = {{{2, 2, 0}, {6, 9, 8}, 10}}};
  for (const auto& c : {c1, c21}) {
    c.write_image(raw / "Training" / "img" / (c.name + ".nii.gz"));
    c.write_label(raw / "Training" / "label" / ("label" + c.name.substr(3) + ".nii.gz"));
  }
  PlantedCase{.name = "img0061"}.write_image(raw / "Testing" / "img" / "img0061.nii.gz");

  const ClassValues classes{
      {"spleen", {1}}, {"portal_and_splenic_vein", {10}}, {"left_adrenal_gland", {13}}};
  const auto got = convert_dataset("BTCV", dir / "in", dir / "out", {"--axes", "x"});
  expect_converted(got, expected_files("BTCV", classes, {c1, c21}));
  EXPECT_THAT(got.images, ::testing::Contains("ct_00--BTCV--img0021--x_0007.png"));
  EXPECT_THAT(files_of_case(got.images, "img0061"), IsEmpty());
}

TEST(AbdomenDatasetsTest, Flare22LabelledAndTuningCasesWithoutTheChannelSuffix) {
  TempDir dir;
  const fs::path flare = dir / "in" / "FLARE22";
  const fs::path labelled = flare / "Training" / "FLARE22_LabeledCase50";
  PlantedCase tr1{.name = "FLARE22_Tr_0001",
                  .boxes = {{{1, 1, 1}, {6, 6, 6}, 1}, {{8, 2, 2}, {11, 5, 5}, 13}}};
  PlantedCase tr2{.name = "FLARE22_Tr_0002", .boxes = {{{0, 0, 7}, {12, 10, 8}, 11}}};
  PlantedCase ts1{.name = "FLARETs_0001", .boxes = {{{3, 3, 3}, {5, 5, 5}, 5}}};
  for (const auto& c : {tr1, tr2}) {
    c.write_image(labelled / "images" / (c.name + "_0000.nii.gz"));
    c.write_label(labelled / "labels" / (c.name + ".nii.gz"));
  }
  ts1.write_image(flare / "Tuning" / "images" / "FLARETs_0001_0000.nii.gz");
  ts1.write_label(flare / "Tuning" / "labels" / "FLARETs_0001.nii.gz");
  const PlantedCase unlabelled{.name = "Case_00001"};
  unlabelled.write_image(flare / "Training" / "FLARE22_UnlabeledCase1-1000" /
                         "Case_00001_0000.nii.gz");
  unlabelled.write_image(flare / "Validation" / "FLARE22_Ts_0001_0000.nii.gz");

  const ClassValues classes{
      {"liver", {1}}, {"aorta", {5}}, {"stomach", {11}}, {"left_kidney", {13}}};
  const auto got = convert_dataset("FLARE22", dir / "in", dir / "out", {"--axes", "x"});
  expect_converted(got, expected_files("FLARE22", classes, {tr1, tr2, ts1}));
  EXPECT_THAT(got.images, ::testing::Contains("ct_00--FLARE22--FLARE22_Tr_0002--x_0007.png"));
  EXPECT_THAT(files_of_case(got.images, "Case_00001"), IsEmpty());
  EXPECT_THAT(files_of_case(got.images, "FLARE22_Tr_0001_0000"), IsEmpty());
}

ClassValues word_classes() {
  return {{"liver", {1}},
          {"colon", {10}},
          {"intestine", {11}},
          {"adrenal_gland", {12}},
          {"right_femoral_head", {16}}};
}

// WORD-V0.1.0 with all three splits, one mirror's uncompressed .nii, and the LiTS-based extra
// labels (lablesTs, sic) that have no image in the release.
void write_word(const fs::path& word, const std::vector<PlantedCase>& cases) {
  const std::vector<std::string> splits{"Tr", "Val", "Ts"};
  for (std::size_t n = 0; n < cases.size(); ++n) {
    const auto& split = splits[n % 3];
    const std::string ext = n == 2 ? ".nii" : ".nii.gz";
    cases[n].write_image(word / ("images" + split) / (cases[n].name + ext));
    cases[n].write_label(word / ("labels" + split) / (cases[n].name + ext));
  }
  PlantedCase lits{.name = "liver_0", .boxes = {{{0, 0, 0}, {12, 10, 8}, 1}}};
  lits.write_label(word / "addition_validation_from_LiTS" / "lablesTs" /
                   "liver_0_word_label.nii.gz");
}

TEST(AbdomenDatasetsTest, WordThreeSplitsAndNotTheLitsAddition) {
  TempDir dir;
  const std::vector<PlantedCase> cases{
      {"word_0001", "ct_00", {12, 10, 8}, {{{1, 1, 1}, {5, 5, 5}, 1}, {{7, 6, 2}, {11, 9, 6}, 16}}},
      {"word_0101", "ct_00", {12, 10, 8}, {{{2, 2, 2}, {10, 4, 7}, 10}}},
      {"word_0121",
       "ct_00",
       {12, 10, 8},
       {{{2, 2, 2}, {4, 4, 7}, 11}, {{6, 5, 2}, {8, 9, 7}, 12}}}};
  write_word(dir / "in" / "WORD-V0.1.0", cases);
  const auto got = convert_dataset("WORD", dir / "in", dir / "out", {"--axes", "x"});
  expect_converted(got, expected_files("WORD", word_classes(), cases));
  EXPECT_THAT(files_of_case(got.images, "word_0121"), ::testing::SizeIs(5));
  EXPECT_THAT(files_of_case(got.images, "liver_0"), IsEmpty());
}

// A label without its image and a label of another size each fail their own case only.
TEST(AbdomenDatasetsTest, WordMalformedCasesFailAloneWithOneLine) {
  TempDir dir;
  const fs::path word = dir / "in" / "WORD-V0.1.0";
  const std::vector<PlantedCase> good{
      {"word_0001", "ct_00", {12, 10, 8}, {{{1, 1, 1}, {5, 5, 5}, 1}}},
      {"word_0101", "ct_00", {12, 10, 8}, {{{2, 2, 2}, {10, 4, 7}, 10}}}};
  write_word(word, good);
  const PlantedCase lonely{.name = "word_0002", .boxes = {{{1, 1, 1}, {5, 5, 5}, 1}}};
  lonely.write_label(word / "labelsTr" / "word_0002.nii.gz");
  const PlantedCase image{.name = "word_0003"};
  const PlantedCase shorter{
      .name = "word_0003", .size = {12, 10, 7}, .boxes = {{{1, 1, 1}, {5, 5, 5}, 1}}};
  image.write_image(word / "imagesTr" / "word_0003.nii.gz");
  shorter.write_label(word / "labelsTr" / "word_0003.nii.gz");

  const auto got = convert_dataset("WORD", dir / "in", dir / "out", {"--axes", "x"});
  expect_converted(got, expected_files("WORD", word_classes(), good), 1);
  EXPECT_EQ(lines_naming(got.run.err, "word_0002"), 1u) << got.run.err;
  EXPECT_EQ(lines_naming(got.run.err, "word_0003"), 1u) << got.run.err;
  EXPECT_THAT(got.run.err, HasSubstr("imagesTr/word_0002.nii.gz"));
}

TEST(AbdomenDatasetsTest, CtOrgFloatLabelsMustBeIntegral) {
  TempDir dir;
  const fs::path folder = dir / "in" / "CT-ORG" / "OrganSegmentations";
  PlantedCase v0{.name = "volume-0",
                 .boxes = {{{1, 1, 1}, {5, 5, 5}, 1}, {{6, 1, 1}, {11, 9, 7}, 3}}};
  PlantedCase v68{.name = "volume-68",
                  .boxes = {{{2, 2, 0}, {10, 8, 8}, 5}, {{4, 4, 3}, {6, 6, 5}, 6}}};
  PlantedCase v5{.name = "volume-5", .boxes = {{{2, 2, 2}, {4, 4, 4}, 2.5}}};
  for (const auto& c : {v0, v68, v5}) {
    c.write_image<float>(folder / (c.name + ".nii.gz"));
    c.write_label<float>(folder / ("labels-" + c.name.substr(7) + ".nii.gz"));
  }
  const ClassValues classes{{"liver", {1}}, {"lung", {3}}, {"bone", {5}}, {"brain", {6}}};
  const auto got = convert_dataset("CT_ORG", dir / "in", dir / "out", {"--axes", "x"});
  expect_converted(got, expected_files("CT_ORG", classes, {v0, v68}), 1);
  EXPECT_THAT(got.images, ::testing::Contains("ct_00--CT_ORG--volume-68--x_0000.png"));
  EXPECT_THAT(got.run.err, HasSubstr("labels-5.nii.gz"));
  EXPECT_THAT(files_of_case(got.images, "volume-5"), IsEmpty());
}

TEST(AbdomenDatasetsTest, CtOrgLabelsInAFolderBesideTheVolumes) {
  // SAT-DS keeps the TCIA files as volumes/volume-N.nii.gz and labels/labels-N.nii.gz.
  TempDir dir;
  const fs::path root = dir / "in" / "CT_ORG";
  PlantedCase v3{.name = "volume-3", .boxes = {{{1, 1, 1}, {5, 5, 5}, 4}}};
  PlantedCase v21{.name = "volume-21", .boxes = {{{2, 2, 2}, {9, 8, 6}, 1}}};
  for (const auto& c : {v3, v21}) {
    c.write_image<float>(root / "volumes" / (c.name + ".nii.gz"));
    c.write_label<float>(root / "labels" / ("labels-" + c.name.substr(7) + ".nii.gz"));
  }
  const ClassValues classes{{"liver", {1}}, {"kidney", {4}}};
  const auto got = convert_dataset("CT_ORG", dir / "in", dir / "out", {"--axes", "x"});
  expect_converted(got, expected_files("CT_ORG", classes, {v3, v21}));
  EXPECT_THAT(got.images, ::testing::Contains("ct_00--CT_ORG--volume-21--x_0002.png"));
}

TEST(AbdomenDatasetsTest, AbdomenCt1kCasesFromTheMasksImagesInAnyPart) {
  TempDir dir;
  const fs::path root = dir / "in" / "AbdomenCT-1K";
  PlantedCase c1{.name = "Case_00001",
                 .boxes = {{{1, 1, 1}, {5, 5, 5}, 1}, {{6, 2, 2}, {11, 9, 7}, 2}}};
  PlantedCase c400{.name = "Case_00400", .boxes = {{{2, 2, 0}, {10, 8, 8}, 3}}};
  PlantedCase c1000{.name = "Case_01000", .boxes = {{{4, 4, 3}, {6, 6, 5}, 4}}};
  c1.write_image(root / "AbdomenCT-1K-ImagePart1" / "Case_00001_0000.nii.gz");
  c400.write_image(root / "AbdomenCT-1K-ImagePart2" / "Case_00400_0000.nii.gz");
  c1000.write_image(root / "AbdomenCT-1K-ImagePart3" / "Case_01000_0000.nii.gz");
  for (const auto& c : {c1, c400, c1000}) c.write_label(root / "Mask" / (c.name + ".nii.gz"));
  PlantedCase{.name = "Case_01001"}.write_image(root / "AbdomenCT-1K-ImagePart3" /
                                                "Case_01001_0000.nii.gz");

  const ClassValues classes{{"liver", {1}}, {"kidney", {2}}, {"spleen", {3}}, {"pancreas", {4}}};
  const auto got = convert_dataset("AbdomenCT1K", dir / "in", dir / "out", {"--axes", "x"});
  expect_converted(got, expected_files("AbdomenCT1K", classes, {c1, c400, c1000}));
  EXPECT_THAT(got.images, ::testing::Contains("ct_00--AbdomenCT1K--Case_00400--x_0000.png"));
  EXPECT_THAT(files_of_case(got.images, "Case_01001"), IsEmpty());
  EXPECT_THAT(files_of_case(got.images, "Case_00001_0000"), IsEmpty());
}

}  // namespace
}  // namespace samed2d::test
