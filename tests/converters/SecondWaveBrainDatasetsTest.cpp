// The bundled configs of the SMIR (Virtual Skeleton Database) brain releases: BraTS2013 and
// BraTS2015 (MetaImage .mha) and the ISLES sub-tasks ISLES_SISS, ISLES_SPES (2015), ISLES2016,
// ISLES2017 and ISLES2018 (uncompressed NIfTI), each run on a miniature replica of the release's
// layout: every file in a folder of its own name (<case>/<stem>/<stem>.<ext>), the label (OT)
// beside the sequences, and the files that must never be read planted beside the real ones
// (test folders without OT, the synthetic BRATS 2013 data, the 4D perfusion series, the other
// ISLES tasks in the same input, macOS debris). Expected names come from the SPEC oracle.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <tuple>
#include <vector>

#include "support/DatasetReplica.hpp"
#include "support/DatasetRun.hpp"
#include "support/Matchers.hpp"
#include "support/PlantedCase.hpp"
#include "support/TestData.hpp"

namespace samed2d::test {
namespace {

// SMIR's layout: each file sits in a folder named like the file, <case>/<stem>/<stem><ext>.
fs::path own_folder(const fs::path& case_dir, const std::string& stem, const std::string& ext) {
  return case_dir / stem / (stem + ext);
}

// One SMIR case: the image `kinds` ("MR_Flair", "CT_CBF", ...) with ids first_id, first_id + 1,
// ... and, unless `boxes` is null, the label <prefix>OT.<next id> with a macOS "._" twin.
// Returns the OT file's stem.
std::string write_smir_case(const fs::path& case_dir, const std::string& prefix,
                            const std::vector<std::string>& kinds, int first_id,
                            const std::string& ext, Size3 size,
                            const std::vector<LabelBox>* boxes) {
  int id = first_id;
  for (const auto& kind : kinds)
    write_image_volume(own_folder(case_dir, prefix + kind + "." + std::to_string(id++), ext), size);
  if (boxes == nullptr) return "";
  const std::string ot = prefix + "OT." + std::to_string(id);
  write_label_volume(own_folder(case_dir, ot, ext), size, *boxes);
  write_apple_double(case_dir / ot / ("._" + ot + ext));
  return ot;
}

// ---------------------------------------------------------------------------------------------
// BRATS 2013 and 2015: labels 1 necrosis, 2 edema, 3 non-enhancing tumour, 4 enhancing tumour.

constexpr Size3 kBratsSize{12, 10, 8};

// The four labels apart from each other (8-connectivity), so every class has its own boxes.
const std::vector<LabelBox> kVsdTumour{{{1, 1, 1}, {4, 4, 4}, 1},
                                       {{6, 1, 2}, {9, 5, 6}, 2},
                                       {{2, 7, 3}, {6, 9, 7}, 3},
                                       {{8, 7, 1}, {11, 9, 5}, 4}};
// A low-grade case: edema around a non-enhancing tumour, no necrosis or enhancement.
const std::vector<LabelBox> kVsdLowGrade{{{2, 2, 1}, {10, 8, 7}, 2}, {{4, 4, 3}, {7, 6, 5}, 3}};

const ClassValues kVsdBratsClasses{{"tumor_necrosis", {1}},
                                   {"peritumoral_edema", {2}},
                                   {"non_enhancing_tumor", {3}},
                                   {"enhancing_tumor", {4}},
                                   {"non_enhancing_tumor_core", {1, 3}},
                                   {"tumor_core", {1, 3, 4}},
                                   {"whole_tumor", {1, 2, 3, 4}}};
const std::vector<std::string> kVsdBratsModalities{"mr_flair", "mr_t1", "mr_t1c", "mr_t2"};
const std::vector<std::string> kVsdBratsKinds{"MR_Flair", "MR_T1", "MR_T1c", "MR_T2"};

// A BRATS 2015 case: VSD.Brain.XX.O.MR_<seq>.<id>/ folders and VSD.Brain_<n>more.XX.O.OT.<id>/.
// Returns the OT stem.
std::string write_brats2015_case(const fs::path& case_dir, int first_id, const std::string& more,
                                 const std::vector<LabelBox>* boxes) {
  write_smir_case(case_dir, "VSD.Brain.XX.O.", kVsdBratsKinds, first_id, ".mha", kBratsSize,
                  nullptr);
  // A "._" twin in a sequence folder: the sequence pattern must still match one file.
  const std::string flair = "VSD.Brain.XX.O.MR_Flair." + std::to_string(first_id);
  write_apple_double(case_dir / flair / ("._" + flair + ".mha"));
  if (boxes == nullptr) return "";
  const std::string ot = "VSD.Brain_" + more + ".XX.O.OT." + std::to_string(first_id + 5);
  write_label_volume(own_folder(case_dir, ot, ".mha"), kBratsSize, *boxes);
  return ot;
}

// A BRATS 2013 case: the sequence folders carry no id (VSD.Brain.XX.O.MR_Flair/), the files do;
// the label is VSD.Brain_<n>more.XX.XX.OT/VSD.Brain_<n>more.XX.XX.OT.<id>.mha.
void write_brats2013_case(const fs::path& case_dir, int first_id, const std::string& ot_folder,
                          int ot_id, const std::vector<LabelBox>& boxes) {
  int id = first_id;
  for (const auto& kind : kVsdBratsKinds) {
    const std::string folder = "VSD.Brain.XX.O." + kind;
    write_image_volume(case_dir / folder / (folder + "." + std::to_string(id++) + ".mha"),
                       kBratsSize);
  }
  write_label_volume(case_dir / ot_folder / (ot_folder + "." + std::to_string(ot_id) + ".mha"),
                     kBratsSize, boxes);
}

// BRATS-2 (2013) as released: Image_Data/{HG,LG}/NNNN with HG and LG both numbered from 0001,
// Synthetic_Data/{HG,LG}/NNNN (SimBRATS, other label codes and a second OT per case), and the
// challenge data without OT.
void write_brats2013_release(const fs::path& in) {
  const fs::path release = in / "BRATS_2013_Training";
  write_brats2013_case(release / "Image_Data" / "HG" / "0001", 684, "VSD.Brain_3more.XX.XX.OT",
                       6560, kVsdTumour);
  write_brats2013_case(release / "Image_Data" / "LG" / "0001", 704, "VSD.Brain_2more.XX.XX.OT",
                       6600, kVsdLowGrade);
  write_apple_double(release / "Image_Data" / "HG" / "0001" / "VSD.Brain_3more.XX.XX.OT" /
                     "._VSD.Brain_3more.XX.XX.OT.6560.mha");
  const fs::path synthetic = release / "Synthetic_Data" / "HG" / "0001";
  write_brats2013_case(synthetic, 865, "VSD.Brain_1more.XX.O.OT", 1166,
                       {{{2, 2, 1}, {10, 8, 7}, 1}, {{4, 4, 3}, {7, 6, 5}, 2}});
  write_label_volume(synthetic / "VSD.Gray_matter_of_neuraxis_5more.XX.O.OT" /
                         "VSD.Gray_matter_of_neuraxis_5more.XX.O.OT.870.mha",
                     kBratsSize, {{{0, 0, 0}, {12, 10, 8}, 5}});
  int id = 900;
  for (const auto& kind : kVsdBratsKinds) {
    const std::string folder = "VSD.Brain.XX.O." + kind;
    write_image_volume(in / "BRATS_2013_Challenge" / "Image_Data" / "HG" / "0301" / folder /
                           (folder + "." + std::to_string(id++) + ".mha"),
                       kBratsSize);
  }
}

TEST(SecondWaveBrainDatasetsTest, BraTS2013RealHgAndLgCasesOfTheSameNumberAndNoSyntheticData) {
  TempDir dir;
  write_brats2013_release(dir / "in");
  // BRATS 2015 beside it: its HGG/LGG tree must not be taken for 2013's HG/LG.
  write_brats2015_case(dir / "in" / "BRATS2015_Training" / "HGG" / "brats_2013_pat0001_1", 54512,
                       "3more", &kVsdTumour);
  const auto d = convert_dataset("BraTS2013", dir / "in", dir / "out", {"--axes", "x"});
  ASSERT_EQ(d.run.exit_code, 0) << d.run.err;

  expect_converted(d,
                   expected_cases("BraTS2013", kVsdBratsModalities, kBratsSize, kVsdBratsClasses,
                                  {{"HG_0001", kVsdTumour}, {"LG_0001", kVsdLowGrade}}),
                   0);
  EXPECT_EQ(d.report.at("cases"), 2);
  EXPECT_THAT(d.images, Contains("mr_t1c--BraTS2013--LG_0001--x_0004.png"));
  // Necrosis (1) and non-enhancing tumour (3) are classes of their own and, together, the later
  // BraTS NCR/NET label.
  EXPECT_THAT(d.masks, Contains("mr_flair--BraTS2013--HG_0001--x_0003--" +
                                class_id("non_enhancing_tumor_core") + "_001.png"));
  // Synthetic_Data/HG/0001 would be named HG_0001 too: the two cases counted above and the exact
  // expected names (its boxes and its label 5 differ) keep it out.
  for (const auto& name : d.images) EXPECT_THAT(name, Not(HasSubstr("pat0001"))) << name;
  EXPECT_TRUE(d.report.at("warnings").empty()) << d.report.dump();
  const nlohmann::json mapping{{"peritumoral_edema", class_id("peritumoral_edema")},
                               {"enhancing_tumor", class_id("enhancing_tumor")},
                               {"non_enhancing_tumor_core", class_id("non_enhancing_tumor_core")},
                               {"tumor_core", class_id("tumor_core")},
                               {"whole_tumor", class_id("whole_tumor")},
                               {"tumor_necrosis", class_id("tumor_necrosis")},
                               {"non_enhancing_tumor", class_id("non_enhancing_tumor")}};
  EXPECT_EQ(d.mapping, mapping);
}

// BRATS2015_Training/{HGG,LGG}/<case>/: ten brats_2013_pat00NN_1 names are in both HGG and LGG;
// BRATS2015_Testing/HGG_LGG/ has no OT.
TEST(SecondWaveBrainDatasetsTest, BraTS2015HggAndLggCasesOfTheSameFolderNameAndNoTestingCases) {
  TempDir dir;
  const fs::path training = dir / "in" / "BRATS2015" / "BRATS2015_Training";
  const auto hgg =
      write_brats2015_case(training / "HGG" / "brats_2013_pat0001_1", 54512, "3more", &kVsdTumour);
  const auto lgg = write_brats2015_case(training / "LGG" / "brats_2013_pat0001_1", 54632, "2more",
                                        &kVsdLowGrade);
  write_brats2015_case(training / "HGG" / "brats_tcia_pat153_0109", 36622, "3more", &kVsdLowGrade);
  ASSERT_EQ(lgg, "VSD.Brain_2more.XX.O.OT.54637");
  write_brats2015_case(
      dir / "in" / "BRATS2015" / "BRATS2015_Testing" / "HGG_LGG" / "brats_2013_pat0103_1", 60000,
      "3more", nullptr);
  write_apple_double(dir / "in" / "__MACOSX" / "BRATS2015_Training" / "HGG" /
                     "brats_2013_pat0001_1" / hgg / ("._" + hgg + ".mha"));
  // BRATS 2013 beside it: its HG/LG tree must not be taken for 2015's HGG/LGG.
  write_brats2013_release(dir / "in");
  const auto d = convert_dataset("BraTS2015", dir / "in", dir / "out", {"--axes", "x"});
  ASSERT_EQ(d.run.exit_code, 0) << d.run.err;

  expect_converted(d,
                   expected_cases("BraTS2015", kVsdBratsModalities, kBratsSize, kVsdBratsClasses,
                                  {{"HGG_brats_2013_pat0001_1", kVsdTumour},
                                   {"LGG_brats_2013_pat0001_1", kVsdLowGrade},
                                   {"HGG_brats_tcia_pat153_0109", kVsdLowGrade}}),
                   0);
  EXPECT_EQ(d.report.at("cases"), 3);
  EXPECT_THAT(d.images, Contains("mr_t2--BraTS2015--HGG_brats_2013_pat0001_1--x_0001.png"));
  EXPECT_THAT(d.masks, Contains("mr_flair--BraTS2015--LGG_brats_2013_pat0001_1--x_0004--" +
                                class_id("non_enhancing_tumor") + "_000.png"));
  EXPECT_THAT(files_of_case(d.images, "brats_2013_pat0103_1"), IsEmpty());
  EXPECT_TRUE(d.report.at("warnings").empty()) << d.report.dump();
}

// ---------------------------------------------------------------------------------------------
// ISLES 2015 (SISS, SPES), 2016, 2017 and 2018 in one input: each config takes only its own
// task's labelled cases.

constexpr Size3 kSissSize{12, 10, 8};
constexpr Size3 kSpesSize{10, 12, 6};
constexpr Size3 kIsles1617Size{12, 8, 6};
constexpr Size3 kIsles2018Size{14, 12, 4};

// Two lesions apart from each other.
const std::vector<LabelBox> kTwoLesions{{{1, 1, 0}, {5, 4, 3}, 1}, {{6, 5, 1}, {9, 8, 4}, 1}};
const std::vector<LabelBox> kOneLesion{{{3, 2, 0}, {8, 6, 3}, 1}};
// A SPES map with a value 2 beside the lesion: reported, never written.
const std::vector<LabelBox> kLesionAndValue2{{{1, 1, 1}, {5, 5, 4}, 1}, {{6, 7, 2}, {9, 11, 3}, 2}};

const ClassValues kStrokeClasses{{"stroke_lesion", {1}}};

const std::vector<std::string> kSissKinds{"MR_Flair", "MR_T1", "MR_T2", "MR_DWI"};
const std::vector<std::string> kSissModalities{"mr_flair", "mr_t1", "mr_t2", "mr_dwi"};
const std::vector<std::string> kSpesKinds{"MR_CBF", "MR_CBV",  "MR_DWI", "MR_T1c",
                                          "MR_T2",  "MR_Tmax", "MR_TTP"};
const std::vector<std::string> kSpesModalities{"mr_cbf", "mr_cbv",  "mr_dwi", "mr_t1c",
                                               "mr_t2",  "mr_tmax", "mr_ttp"};
const std::vector<std::string> kIsles1617Kinds{"MR_ADC",  "MR_MTT",  "MR_rCBF",
                                               "MR_rCBV", "MR_Tmax", "MR_TTP"};
const std::vector<std::string> kIsles1617Modalities{"mr_adc",  "mr_mtt",  "mr_rcbf",
                                                    "mr_rcbv", "mr_tmax", "mr_ttp"};
const std::vector<std::string> kIsles2018Kinds{"CT", "CT_CBF", "CT_CBV", "CT_MTT", "CT_Tmax"};
const std::vector<std::string> kIsles2018Modalities{"ct_00", "ct_cbf", "ct_cbv", "ct_mtt",
                                                    "ct_tmax"};

// ISLES 2016 and 2017 cases: the six maps, the raw 4D perfusion series (never read) and, with
// boxes, the OT (written as int16 for 2017).
void write_isles_perfusion_case(const fs::path& case_dir, int first_id,
                                const std::vector<LabelBox>* boxes, bool int16_label) {
  write_4d_volume(
      own_folder(case_dir, "VSD.Brain.XX.O.MR_4DPWI." + std::to_string(first_id - 1), ".nii"),
      kIsles1617Size, 5);
  if (!int16_label || boxes == nullptr) {
    write_smir_case(case_dir, "VSD.Brain.XX.O.", kIsles1617Kinds, first_id, ".nii", kIsles1617Size,
                    boxes);
    return;
  }
  write_smir_case(case_dir, "VSD.Brain.XX.O.", kIsles1617Kinds, first_id, ".nii", kIsles1617Size,
                  nullptr);
  PlantedCase label;
  label.size = kIsles1617Size;
  label.boxes = *boxes;
  label.write_label<std::int16_t>(
      own_folder(case_dir, "VSD.Brain.XX.O.OT." + std::to_string(first_id + 30), ".nii"));
}

void write_isles_releases(const fs::path& in) {
  // ISLES 2015 SISS: SISS2015_Training/<N>/, testing cases without OT.
  const fs::path siss = in / "ISLES2015" / "SISS2015_Training";
  write_smir_case(siss / "1", "VSD.Brain.XX.O.", kSissKinds, 70613, ".nii", kSissSize,
                  &kTwoLesions);
  write_smir_case(siss / "2", "VSD.Brain.XX.O.", kSissKinds, 70619, ".nii", kSissSize, &kOneLesion);
  write_smir_case(in / "ISLES2015" / "SISS2015_Testing" / "1", "VSD.Brain.XX.O.", kSissKinds, 71000,
                  ".nii", kSissSize, nullptr);
  write_apple_double(in / "__MACOSX" / "SISS2015_Training" / "1" / "._VSD.Brain.XX.O.OT.70617");
  // ISLES 2015 SPES: SPES2015_Training/<N>/ with seven maps; case 2 has a value 2 in its OT.
  const fs::path spes = in / "ISLES2015" / "SPES2015_Training";
  write_smir_case(spes / "1", "VSD.Brain.XX.O.", kSpesKinds, 76000, ".nii", kSpesSize, &kOneLesion);
  write_smir_case(spes / "2", "VSD.Brain.XX.O.", kSpesKinds, 76010, ".nii", kSpesSize,
                  &kLesionAndValue2);
  write_smir_case(in / "ISLES2015" / "SPES2015_Testing" / "1", "VSD.Brain.XX.O.", kSpesKinds, 77000,
                  ".nii", kSpesSize, nullptr);
  // ISLES 2016 (folder names [U]) and ISLES 2017 (training_N with gaps, testing without OT):
  // both name their case folders training_N here, so only the year folder tells them apart.
  write_isles_perfusion_case(in / "ISLES2016_Training" / "training_1", 120001, &kTwoLesions, false);
  write_isles_perfusion_case(in / "ISLES2016_Training" / "training_2", 120101, &kOneLesion, false);
  const fs::path isles2017 = in / "ISLES2017" / "ISLES2017_Training";
  write_isles_perfusion_case(isles2017 / "training_1", 128001, &kOneLesion, true);
  write_isles_perfusion_case(isles2017 / "training_4", 128101, &kTwoLesions, true);
  write_isles_perfusion_case(in / "ISLES2017" / "ISLES2017_Testing" / "test_1", 129001, nullptr,
                             true);
  // ISLES 2018: TRAINING/case_N/SMIR.Brain.XX.O.*, a JSON beside the OT, the 4D CT perfusion
  // series, and TESTING/case_N without OT.
  const fs::path isles2018 = in / "ISLES2018" / "ISLES2018_Training" / "TRAINING";
  for (const auto& [c, first_id, boxes] :
       {std::tuple{"case_1", 345562, &kTwoLesions}, std::tuple{"case_2", 345572, &kOneLesion}}) {
    const auto ot = write_smir_case(isles2018 / c, "SMIR.Brain.XX.O.", kIsles2018Kinds, first_id,
                                    ".nii", kIsles2018Size, boxes);
    write_text_file(isles2018 / c / ot / (ot + ".json"),
                    "{\"description\": \"ISLES2018 - Training - case_A_1 - OT\"}\n");
    write_4d_volume(own_folder(isles2018 / c,
                               "SMIR.Brain.XX.O.CT_4DPWI." + std::to_string(first_id - 1), ".nii"),
                    kIsles2018Size, 3);
  }
  write_smir_case(in / "ISLES2018" / "ISLES2018_Testing" / "TESTING" / "case_1", "SMIR.Brain.XX.O.",
                  kIsles2018Kinds, 346290, ".nii", kIsles2018Size, nullptr);
}

struct IslesTask {
  std::string dataset;
  std::vector<std::string> modalities;
  Size3 size;
  std::vector<std::pair<std::string, std::vector<LabelBox>>> cases;
  std::string example_image;  // one name the task must give
};

void PrintTo(const IslesTask& t, std::ostream* os) {
  *os << t.dataset;
}

const std::vector<IslesTask> kIslesTasks{{"ISLES_SISS",
                                          kSissModalities,
                                          kSissSize,
                                          {{"1", kTwoLesions}, {"2", kOneLesion}},
                                          "mr_dwi--ISLES_SISS--1--x_0002.png"},
                                         {"ISLES_SPES",
                                          kSpesModalities,
                                          kSpesSize,
                                          {{"1", kOneLesion}, {"2", kLesionAndValue2}},
                                          "mr_ttp--ISLES_SPES--2--x_0003.png"},
                                         {"ISLES2016",
                                          kIsles1617Modalities,
                                          kIsles1617Size,
                                          {{"training_1", kTwoLesions}, {"training_2", kOneLesion}},
                                          "mr_rcbf--ISLES2016--training_1--x_0002.png"},
                                         {"ISLES2017",
                                          kIsles1617Modalities,
                                          kIsles1617Size,
                                          {{"training_1", kOneLesion}, {"training_4", kTwoLesions}},
                                          "mr_tmax--ISLES2017--training_4--x_0003.png"},
                                         {"ISLES2018",
                                          kIsles2018Modalities,
                                          kIsles2018Size,
                                          {{"case_1", kTwoLesions}, {"case_2", kOneLesion}},
                                          "ct_00--ISLES2018--case_2--x_0000.png"}};

class IslesTaskTest : public ::testing::TestWithParam<IslesTask> {};

TEST_P(IslesTaskTest, OnlyThisTasksLabelledCasesWithAllTheirMaps) {
  TempDir dir;
  write_isles_releases(dir / "in");
  const IslesTask& t = GetParam();
  const auto d = convert_dataset(t.dataset, dir / "in", dir / "out", {"--axes", "x"});
  ASSERT_EQ(d.run.exit_code, 0) << d.run.err;

  ExpectedFiles want;
  for (const auto& [name, boxes] : t.cases)
    add_expected(want, t.dataset, name, t.modalities, t.size, boxes, kStrokeClasses);
  expect_converted(d, want, 0);
  EXPECT_EQ(d.report.at("cases"), 2);
  EXPECT_THAT(d.images, Contains(t.example_image));
  for (const auto& name : d.images) EXPECT_THAT(name, Not(HasSubstr("4dpwi"))) << name;
  const nlohmann::json mapping{{"stroke_lesion", class_id("stroke_lesion")}};
  EXPECT_EQ(d.mapping, mapping);
  if (t.dataset == "ISLES_SPES") {
    const auto warnings = warnings_of(d, "2");
    ASSERT_EQ(warnings.size(), 1u) << d.report.dump();
    EXPECT_THAT(warnings[0], HasSubstr("label values 2 (12 voxels) are not in the config"));
  } else {
    EXPECT_TRUE(d.report.at("warnings").empty()) << d.report.dump();
  }
}

INSTANTIATE_TEST_SUITE_P(Isles, IslesTaskTest, ::testing::ValuesIn(kIslesTasks),
                         [](const auto& param_info) { return param_info.param.dataset; });

}  // namespace
}  // namespace samed2d::test
