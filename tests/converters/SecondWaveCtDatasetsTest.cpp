// The bundled configs of FLARE21, COVID19CTscans, CTSpine1K_Full, StructSeg2019_subtask1,
// StructSeg2019_subtask2 and MMWHS on miniature replicas of each release's layout: folder and
// file names as the dataset reference and the loaders cited in each config give them, the files
// that must never be read (unlabelled splits, the other mask sets and tasks, annotations of
// scans outside the dataset, macOS debris) planted beside the real ones, and every expected
// file name derived from the planted boxes through the SPEC oracle.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>

#include "support/DatasetClasses.hpp"
#include "support/DatasetReplica.hpp"
#include "support/DatasetRun.hpp"
#include "support/Matchers.hpp"
#include "support/PlantedCase.hpp"
#include "support/TestData.hpp"

namespace samed2d::test {
namespace {

// ---------------------------------------------------------------------------------------------
// FLARE21

const ClassValues kFlare21Classes{
    {"liver", {1}}, {"kidney", {2}}, {"spleen", {3}}, {"pancreas", {4}}};

// The release as TrainingImg/ + TrainingMask/ (image with the _0000 channel suffix), and a copy
// in the nnU-Net-style layout imagesTr/ + labelsTr/ without it; the validation and test images
// have no masks.
TEST(SecondWaveCtDatasetsTest, Flare21TrainingMasksInBothLayoutsWithoutTheChannelSuffix) {
  TempDir dir;
  const fs::path flare = dir / "in" / "FLARE21";
  PlantedCase t0{
      .name = "train_000",
      .boxes = {{{1, 1, 1}, {6, 6, 6}, 1}, {{8, 1, 2}, {11, 4, 5}, 2}, {{8, 6, 2}, {11, 9, 5}, 2}}};
  PlantedCase t1{.name = "train_360",
                 .boxes = {{{0, 0, 7}, {12, 10, 8}, 3}, {{3, 3, 2}, {7, 5, 4}, 4}}};
  for (const auto& c : {t0, t1}) {
    c.write_image(flare / "TrainingImg" / (c.name + "_0000.nii.gz"));
    c.write_label(flare / "TrainingMask" / (c.name + ".nii.gz"));
  }
  write_apple_double(flare / "TrainingMask" / "._train_000.nii.gz");
  write_apple_double(dir / "in" / "__MACOSX" / "FLARE21" / "TrainingMask" / "._train_360.nii.gz");
  const PlantedCase validation{.name = "validation_001"};
  validation.write_image(flare / "ValidationImg" / "validation_001_0000.nii.gz");
  validation.write_image(flare / "TestImg" / "test_001_0000.nii.gz");

  const fs::path nnunet = dir / "in" / "FLARE21_nnUNet";
  PlantedCase t5{.name = "train_005", .boxes = {{{2, 2, 1}, {10, 8, 7}, 1}}};
  t5.write_image(nnunet / "imagesTr" / "train_005.nii.gz");
  t5.write_label(nnunet / "labelsTr" / "train_005.nii.gz");
  validation.write_image(nnunet / "imagesTs" / "validation_001.nii.gz");

  const auto got = convert_dataset("FLARE21", dir / "in", dir / "out", {"--axes", "x,y,z"});
  expect_converted(got, expected_files("FLARE21", kFlare21Classes, {t0, t1, t5}, {'x', 'y', 'z'}));
  // The two kidneys share label 2: two instances of one class.
  EXPECT_THAT(got.masks,
              Contains("ct_00--FLARE21--train_000--x_0003--" + class_id("kidney") + "_001.png"));
  EXPECT_THAT(got.images, Contains("ct_00--FLARE21--train_005--x_0001.png"));
  EXPECT_THAT(files_of_case(got.images, "train_000_0000"), IsEmpty());
  EXPECT_THAT(files_of_case(got.images, "validation_001"), IsEmpty());

  // --input at the release folder itself.
  const auto inner = convert_dataset("FLARE21", flare, dir / "out2", {"--axes", "x"});
  expect_converted(inner, expected_files("FLARE21", kFlare21Classes, {t0, t1}));
}

// ---------------------------------------------------------------------------------------------
// COVID19CTscans (COVID-19-CT-Seg, Zenodo 3757476)

const ClassValues kCovidCtClasses{
    {"left_lung", {1}}, {"right_lung", {2}}, {"covid_19_lesion", {3}}};

const std::vector<PlantedCase>& covid_ct_cases() {
  static const std::vector<PlantedCase> cases{
      {"coronacases_001",
       "ct_00",
       {12, 10, 8},
       {{{6, 1, 1}, {11, 9, 7}, 1}, {{0, 1, 1}, {5, 9, 7}, 2}, {{2, 3, 3}, {4, 5, 5}, 3}}},
      {"radiopaedia_4_85506_1",
       "ct_00",
       {12, 10, 8},
       {{{6, 0, 0}, {12, 10, 8}, 1}, {{0, 0, 0}, {6, 10, 8}, 2}, {{8, 2, 2}, {11, 5, 5}, 3}}}};
  return cases;
}

// The four zips unpacked into folders of their own names: `images` holds the CT volumes,
// `masks_parent` the three mask folders.
void write_covid_ct(const fs::path& images, const fs::path& masks_parent) {
  for (const auto& c : covid_ct_cases()) {
    c.write_image(images / (c.name + ".nii.gz"));
    c.write_label(masks_parent / "Lung_and_Infection_Mask" / (c.name + ".nii.gz"));
    // The other two mask sets use other codes for the same structures: reading them would map
    // the infection to the left lung and collide on the case names.
    PlantedCase lungs{.name = c.name, .size = c.size, .boxes = {{{0, 0, 0}, {12, 10, 8}, 2}}};
    lungs.write_label(masks_parent / "Lung_Mask" / (c.name + ".nii.gz"));
    PlantedCase infection{.name = c.name, .size = c.size, .boxes = {{{0, 0, 0}, {3, 3, 3}, 1}}};
    infection.write_label(masks_parent / "Infection_Mask" / (c.name + ".nii.gz"));
  }
}

TEST(SecondWaveCtDatasetsTest, Covid19CtScansReadsTheLungAndInfectionMasksOnly) {
  TempDir dir;
  // Side by side, as `unzip X.zip -d X` leaves them.
  const fs::path zenodo = dir / "in" / "zenodo_3757476";
  write_covid_ct(zenodo / "COVID-19-CT-Seg_20cases", zenodo);
  write_text_file(zenodo / "COVID-19-CT-Seg_20cases.zip.md5", "0\n");
  const auto got = convert_dataset("COVID19CTscans", dir / "in", dir / "out", {"--axes", "x"});
  const auto want = expected_files("COVID19CTscans", kCovidCtClasses, covid_ct_cases());
  expect_converted(got, want);
  EXPECT_THAT(got.masks, Contains("ct_00--COVID19CTscans--coronacases_001--x_0003--" +
                                  class_id("covid_19_lesion") + "_000.png"));
  EXPECT_THAT(got.masks, Contains("ct_00--COVID19CTscans--radiopaedia_4_85506_1--x_0000--" +
                                  class_id("right_lung") + "_000.png"));
  EXPECT_EQ(got.mapping.size(), 3u);

  // SAT-DS unpacks the mask folders inside the image folder: the same output.
  TempDir nested;
  const fs::path images = nested / "in" / "COVID-19-CT-Seg_20cases";
  write_covid_ct(images, images);
  expect_converted(
      convert_dataset("COVID19CTscans", nested / "in", nested / "out", {"--axes", "x"}), want);
}

// ---------------------------------------------------------------------------------------------
// CTSpine1K_Full

const ClassValues kSpineClasses{
    {"vertebra_c6", {6}},   {"vertebra_c7", {7}},  {"vertebra_t1", {8}},  {"vertebra_t11", {18}},
    {"vertebra_t12", {19}}, {"vertebra_l1", {20}}, {"vertebra_l5", {24}}, {"vertebra_l6", {25}},
};

// A contiguous stretch of the spine along k: one vertebra per two slices, from k = 0.
std::vector<LabelBox> spine(const std::vector<double>& vertebrae) {
  std::vector<LabelBox> boxes;
  for (std::size_t n = 0; n < vertebrae.size(); ++n)
    boxes.push_back({{4, 3, 2 * n}, {9, 7, 2 * n + 2}, vertebrae[n]});
  return boxes;
}

TEST(SecondWaveCtDatasetsTest, CtSpine1kLabelsBesideTheDataOfficialAndMirrorLayouts) {
  TempDir dir;
  // The official release: data/<collection>/<stem>.nii.gz, label/<collection>/<stem>_seg.nii.gz,
  // where two label folders are spelled unlike their data folders (Liver, conlon).
  const fs::path official = dir / "in" / "CTSpine1K";
  PlantedCase colon{
      .name = "1.3.6.1.4.1.9328.50.4.0115", .size = {14, 10, 8}, .boxes = spine({18, 19, 20, 24})};
  PlantedCase covid{
      .name = "volume-covid19-A-0003_ct", .size = {14, 10, 8}, .boxes = spine({6, 7, 8})};
  PlantedCase liver{.name = "liver_0", .size = {14, 10, 8}, .boxes = spine({19, 20, 24, 25})};
  colon.write_image(official / "data" / "colon" / (colon.name + ".nii.gz"));
  colon.write_label(official / "label" / "conlon" / (colon.name + "_seg.nii.gz"));
  covid.write_image(official / "data" / "COVID-19" / (covid.name + ".nii.gz"));
  covid.write_label(official / "label" / "COVID-19" / (covid.name + "_seg.nii.gz"));
  liver.write_image(official / "data" / "liver" / (liver.name + ".nii.gz"));
  liver.write_label(official / "label" / "Liver" / (liver.name + "_seg.nii.gz"));
  // CTSpine1K's annotations of VerSe scans, whose images are not part of the release.
  PlantedCase verse{.name = "verse506_CT-iso", .size = {14, 10, 8}, .boxes = spine({20, 21})};
  verse.write_label(official / "label" / "Verse" / "verse506_CT-iso_seg.nii.gz");
  verse.write_label(official / "label" / "completed_annotation_verse" / "verse004_seg.nii.gz");
  // A scan without its label (a partial download) is not a case.
  PlantedCase{.name = "HN_P001", .size = {14, 10, 8}}.write_image(
      official / "data" / "HNSCC-3DCT-RT_neck" / "HN_P001.nii.gz");
  write_text_file(official / "Path.csv", "1.3.6.1.4.1.9328.50.4.0115/01-01-2000-1-Abdomen/4\n");
  write_text_file(official / "data_split.txt", "trainset:\n1.3.6.1.4.1.9328.50.4.0115.nii.gz\n");
  write_text_file(official / "readme.txt", "CTSpine1K\n");
  write_text_file(official / "data" / "metadata_colonog.xlsx", "PK");

  const auto got = convert_dataset("CTSpine1K_Full", dir / "in", dir / "out", {"--axes", "x"});
  expect_converted(got, expected_files("CTSpine1K_Full", kSpineClasses, {colon, covid, liver}));
  // The case is the image stem with its dots, as the release writes it.
  EXPECT_THAT(got.images,
              Contains("ct_00--CTSpine1K_Full--1.3.6.1.4.1.9328.50.4.0115--x_0006.png"));
  EXPECT_THAT(got.masks, Contains("ct_00--CTSpine1K_Full--liver_0--x_0007--" +
                                  class_id("vertebra_l6") + "_000.png"));
  EXPECT_THAT(files_of_case(got.images, "verse506_CT-iso"), IsEmpty());
  EXPECT_THAT(files_of_case(got.images, "HN_P001"), IsEmpty());

  // The Hugging Face mirror: raw_data/volumes/<collection>/ and raw_data/labels/<collection>/.
  const fs::path mirror = dir / "hf" / "CTSpine1K" / "raw_data";
  PlantedCase colonog{
      .name = "1.3.6.1.4.1.9328.50.4.0001", .size = {14, 10, 8}, .boxes = spine({8, 18, 19})};
  PlantedCase msd{.name = "liver_106", .size = {14, 10, 8}, .boxes = spine({20, 24, 25})};
  colonog.write_image(mirror / "volumes" / "COLONOG" / (colonog.name + ".nii.gz"));
  colonog.write_label(mirror / "labels" / "COLONOG" / (colonog.name + "_seg.nii.gz"));
  msd.write_image(mirror / "volumes" / "MSD-T10" / (msd.name + ".nii.gz"));
  msd.write_label(mirror / "labels" / "MSD-T10" / (msd.name + "_seg.nii.gz"));
  write_text_file(dir / "hf" / "CTSpine1K" / "CTSpine1K.py", "import datasets\n");
  const auto hf = convert_dataset("CTSpine1K_Full", dir / "hf", dir / "out_hf", {"--axes", "x"});
  expect_converted(hf, expected_files("CTSpine1K_Full", kSpineClasses, {colonog, msd}));
}

// ---------------------------------------------------------------------------------------------
// StructSeg 2019: subtask1 = Task1 HaN_OAR, subtask2 = Task3 Thoracic_OAR

// All four tasks unpacked under one folder, each case folder numbered, Task1 and Task3 inside
// their zip's folder; the ten test cases of each task have data.nii.gz only.
void write_structseg_case(const fs::path& task, const PlantedCase& c) {
  c.write_image(task / c.name / "data.nii.gz");
  c.write_label(task / c.name / "label.nii.gz");
}

void write_structseg_test_case(const fs::path& task, const std::string& number) {
  PlantedCase{.name = number}.write_image(task / number / "data.nii.gz");
}

struct StructSegRelease {
  std::vector<PlantedCase> han;       // Task1 HaN_OAR
  std::vector<PlantedCase> thoracic;  // Task3 Thoracic_OAR
};

StructSegRelease write_structseg(const fs::path& root) {
  StructSegRelease r;
  r.han = {
      {"1",
       "ct_00",
       {12, 10, 8},
       {{{1, 1, 1}, {4, 4, 4}, 2}, {{7, 1, 1}, {10, 4, 4}, 3}, {{5, 5, 0}, {7, 8, 8}, 20}}},
      {"12",
       "ct_00",
       {12, 10, 8},
       {{{0, 0, 2}, {5, 10, 6}, 21}, {{7, 0, 2}, {12, 10, 6}, 22}, {{5, 6, 3}, {7, 8, 4}, 11}}}};
  r.thoracic = {
      {"1",
       "ct_00",
       {12, 10, 8},
       {{{0, 0, 0}, {5, 10, 8}, 1}, {{7, 0, 0}, {12, 10, 8}, 2}, {{5, 4, 1}, {7, 6, 7}, 3}}},
      {"50", "ct_00", {12, 10, 8}, {{{5, 1, 0}, {7, 3, 8}, 5}, {{5, 7, 0}, {7, 9, 8}, 6}}}};
  for (const auto& c : r.han) write_structseg_case(root / "Task1_HaN_OAR" / "HaN_OAR", c);
  for (const auto& c : r.thoracic)
    write_structseg_case(root / "Task3_Thoracic_OAR" / "Thoracic_OAR", c);
  write_structseg_test_case(root / "Task1_HaN_OAR" / "HaN_OAR", "51");
  write_structseg_test_case(root / "Task3_Thoracic_OAR" / "Thoracic_OAR", "51");
  // The GTV tasks share the scans and the case numbers; their value 1 is a tumour.
  const PlantedCase gtv{.name = "1", .boxes = {{{2, 2, 2}, {9, 8, 6}, 1}}};
  write_structseg_case(root / "Naso_GTV", gtv);
  write_structseg_case(root / "Lung_GTV", gtv);
  return r;
}

TEST(SecondWaveCtDatasetsTest, StructSeg2019Subtask1IsTheHeadAndNeckOrgansOfTask1) {
  TempDir dir;
  const auto r = write_structseg(dir / "in");
  const ClassValues classes{{"left_eye", {2}},         {"right_eye", {3}},
                            {"pituitary_gland", {11}}, {"spinal_cord", {20}},
                            {"left_mandible", {21}},   {"right_mandible", {22}}};
  const auto got =
      convert_dataset("StructSeg2019_subtask1", dir / "in", dir / "out", {"--axes", "x,z"});
  expect_converted(got, expected_files("StructSeg2019_subtask1", classes, r.han, {'x', 'z'}));
  EXPECT_THAT(got.masks, Contains("ct_00--StructSeg2019_subtask1--12--x_0003--" +
                                  class_id("pituitary_gland") + "_000.png"));
  EXPECT_THAT(files_of_case(got.images, "51"), IsEmpty());
  EXPECT_EQ(got.mapping.size(), 6u);
  EXPECT_FALSE(got.mapping.contains("brainstem"));  // Naso_GTV's value 1 is not read
}

TEST(SecondWaveCtDatasetsTest, StructSeg2019Subtask2IsTheThoracicOrgansOfTask3) {
  TempDir dir;
  const auto r = write_structseg(dir / "in");
  const ClassValues classes{{"left_lung", {1}},
                            {"right_lung", {2}},
                            {"heart", {3}},
                            {"trachea", {5}},
                            {"spinal_cord", {6}}};
  const auto got =
      convert_dataset("StructSeg2019_subtask2", dir / "in", dir / "out", {"--axes", "x"});
  expect_converted(got, expected_files("StructSeg2019_subtask2", classes, r.thoracic));
  // 3 is the heart (not the spinal cord of the website's order).
  EXPECT_THAT(got.masks, Contains("ct_00--StructSeg2019_subtask2--1--x_0004--" + class_id("heart") +
                                  "_000.png"));
  EXPECT_THAT(files_of_case(got.images, "51"), IsEmpty());

  // --input at Thoracic_OAR/ itself.
  const auto inner =
      convert_dataset("StructSeg2019_subtask2", dir / "in" / "Task3_Thoracic_OAR" / "Thoracic_OAR",
                      dir / "out2", {"--axes", "x"});
  expect_converted(inner, expected_files("StructSeg2019_subtask2", classes, r.thoracic));
}

// ---------------------------------------------------------------------------------------------
// MMWHS

TEST(SecondWaveCtDatasetsTest, MmwhsCtAndMrByFolderWith16BitLabelsAndAStrayValue) {
  TempDir dir;
  const fs::path whs = dir / "in" / "MM-WHS 2017 Dataset";
  PlantedCase ct1{
      .name = "ct_train_1001",
      .size = {14, 10, 8},
      .boxes = {
          {{1, 1, 1}, {6, 6, 6}, 500}, {{1, 1, 1}, {6, 6, 2}, 205}, {{8, 2, 2}, {13, 8, 6}, 850}}};
  // A stray 421 beside the left atrium: counted and reported, never a class.
  PlantedCase ct2{.name = "ct_train_1002",
                  .size = {14, 10, 8},
                  .boxes = {{{2, 2, 2}, {8, 8, 6}, 420},
                            {{10, 1, 1}, {12, 3, 3}, 421},
                            {{9, 5, 0}, {13, 9, 8}, 820}}};
  PlantedCase mr1{"mr_train_1001",
                  "mr_00",
                  {12, 14, 8},
                  {{{1, 1, 1}, {5, 7, 7}, 550}, {{6, 6, 1}, {11, 13, 7}, 600}}};
  PlantedCase mr2{"mr_train_1002", "mr_00", {12, 14, 8}, {{{3, 3, 0}, {9, 11, 8}, 205}}};
  for (const auto& [c, folder] : std::vector<std::pair<PlantedCase, std::string>>{
           {ct1, "ct_train"}, {ct2, "ct_train"}, {mr1, "mr_train"}, {mr2, "mr_train"}}) {
    c.write_image(whs / folder / (c.name + "_image.nii.gz"));
    c.write_label<std::uint16_t>(whs / folder / (c.name + "_label.nii.gz"));
  }
  // The test folders have images only.
  PlantedCase{.name = "ct_test_2001", .size = {14, 10, 8}}.write_image(whs / "ct_test" /
                                                                       "ct_test_2001_image.nii.gz");
  PlantedCase{"mr_test_2001", "mr_00", {12, 14, 8}, {}}.write_image(whs / "mr_test" /
                                                                    "mr_test_2001_image.nii.gz");
  write_apple_double(whs / "ct_train" / "._ct_train_1001_image.nii.gz");

  const auto got = convert_dataset("MMWHS", dir / "in", dir / "out", {"--axes", "x,y,z"});
  expect_converted(got,
                   expected_files("MMWHS", kMmwhsClasses, {ct1, ct2, mr1, mr2}, {'x', 'y', 'z'}));
  EXPECT_THAT(got.images, Contains("ct_00--MMWHS--ct_train_1001--x_0001.png"));
  EXPECT_THAT(got.images, Contains("mr_00--MMWHS--mr_train_1001--z_0003.png"));
  EXPECT_THAT(got.masks, Contains("mr_00--MMWHS--mr_train_1002--x_0000--" + class_id("myocardium") +
                                  "_000.png"));
  EXPECT_THAT(files_of_case(got.images, "ct_test_2001"), IsEmpty());
  EXPECT_THAT(files_of_case(got.images, "mr_test_2001"), IsEmpty());
  const auto stray = warnings_of(got, "ct_train_1002");
  ASSERT_EQ(stray.size(), 1u) << got.report.dump();
  EXPECT_THAT(stray[0], HasSubstr("label values 421 (8 voxels) are not in the config"));
  EXPECT_THAT(warnings_of(got, "ct_train_1001"), IsEmpty());

  // --input at ct_train/ itself: the modality still comes from the file names.
  const auto ct_only = convert_dataset("MMWHS", whs / "ct_train", dir / "out2", {"--axes", "x"});
  expect_converted(ct_only, expected_files("MMWHS", kMmwhsClasses, {ct1, ct2}));
}

}  // namespace
}  // namespace samed2d::test
