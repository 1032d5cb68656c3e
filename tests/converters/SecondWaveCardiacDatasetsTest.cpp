// The bundled configs of mnms2, hvsmr_2016, CrossMoDA21, CrossMoDA22, ASC18, CMRxMotions and
// EMIDEC, each run on a miniature replica of the release's layout (reference/datasets.md
// sections 24, 31 and 32, and the sources named in each config's description): folder and file
// names, formats (.nii.gz, .nrrd, 4D files with a trailing singleton, H x W x 1 long-axis
// frames), label values (0/255 masks, reversed cardiac codes, values that must not become
// classes) and the files that must never be read (4D cines, unlabelled target domains and test
// splits, other label variants, macOS debris). Every expected name comes from the planted boxes
// through the SPEC oracle.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "support/DatasetClasses.hpp"
#include "support/DatasetReplica.hpp"
#include "support/DatasetRun.hpp"
#include "support/Matchers.hpp"
#include "support/PlantedCase.hpp"
#include "support/TestData.hpp"

namespace samed2d::test {
namespace {

const ClassValues kLvMyoRv{{"right_ventricle", {3}}, {"myocardium", {2}}, {"left_ventricle", {1}}};

// ---------------------------------------------------------------------------------------------
// M&Ms-2: MnM2/dataset/NNN/NNN_{SA,LA}_{ED,ES}(_gt).nii.gz, the 4D cines, the information CSV.

TEST(SecondWaveCardiacDatasetsTest, Mnms2ShortAxisVolumesAndLongAxisFramesWithoutTheCines) {
  TempDir dir;
  const fs::path mnm2 = dir / "in" / "MnM2";
  const fs::path data = mnm2 / "dataset";
  write_text_file(mnm2 / "dataset_information.csv",
                  "SUBJECT_CODE,DISEASE,VENDOR,SCANNER,FIELD\n1,NOR,SIEMENS,Avanto,1.5\n");
  const Size3 sa{14, 11, 5};
  const Size3 la{15, 12, 1};
  // 1 is the LV cavity here (ACDC's 1 is the RV).
  PlantedCase sa1_ed{
      "001_SA_ED",
      "mr_00",
      sa,
      {{{1, 1, 1}, {5, 5, 4}, 1}, {{7, 1, 2}, {10, 5, 5}, 2}, {{2, 7, 0}, {12, 10, 3}, 3}}};
  PlantedCase sa1_es{"001_SA_ES", "mr_00", sa, {{{3, 3, 2}, {6, 6, 5}, 1}}};
  PlantedCase sa7_ed{"007_SA_ED", "mr_00", sa, {{{8, 6, 0}, {13, 10, 5}, 3}}};
  PlantedCase la1_ed{
      "001_LA_ED",
      "mr_00",
      la,
      {{{1, 1, 0}, {6, 5, 1}, 1}, {{8, 1, 0}, {11, 4, 1}, 2}, {{2, 7, 0}, {14, 11, 1}, 3}}};
  PlantedCase la1_es{"001_LA_ES", "mr_00", la, {{{4, 4, 0}, {9, 9, 1}, 2}}};
  for (const auto& c : {sa1_ed, sa1_es, sa7_ed, la1_ed, la1_es}) {
    const fs::path folder = data / c.name.substr(0, 3);
    c.write_image(folder / (c.name + ".nii.gz"));
    c.write_label(folder / (c.name + "_gt.nii.gz"));
    write_apple_double(folder / ("._" + c.name + "_gt.nii.gz"));
  }
  // The cines (4D), a subject's frame without a map, and debris are never read.
  write_4d_volume(data / "001" / "001_SA_CINE.nii.gz", sa, 3);
  write_4d_volume(data / "001" / "001_LA_CINE.nii.gz", la, 3);
  write_4d_volume(data / "007" / "007_SA_CINE.nii.gz", sa, 3);
  PlantedCase{"007_LA_ED", "mr_00", la, {}}.write_image(data / "007" / "007_LA_ED.nii.gz");
  write_apple_double(dir / "in" / "__MACOSX" / "MnM2" / "dataset" / "001" / "001_SA_ED_gt.nii.gz");

  ExpectedFiles want = expected_files("mnms2", kLvMyoRv, {sa1_ed, sa1_es, sa7_ed});
  merge_expected(want, expected_files_2d("mnms2", kLvMyoRv, {la1_ed, la1_es}));
  const auto got = convert_dataset("mnms2", dir / "in", dir / "out", {"--axes", "x"});
  expect_converted(got, want);
  EXPECT_EQ(got.report.at("cases"), 5);
  // Spelled out once: the long-axis frame is one 2D image, and value 1 is the left ventricle.
  EXPECT_THAT(got.images, Contains("mr_00--mnms2--001_LA_ED--2d_none.png"));
  EXPECT_THAT(got.masks, Contains("mr_00--mnms2--001_LA_ED--2d_none--" +
                                  class_id("left_ventricle") + "_000.png"));
  EXPECT_THAT(got.masks, Contains("mr_00--mnms2--001_SA_ED--x_0001--" + class_id("left_ventricle") +
                                  "_000.png"));
  EXPECT_THAT(got.masks, Contains("mr_00--mnms2--007_SA_ED--x_0000--" +
                                  class_id("right_ventricle") + "_000.png"));
  for (const auto& name : got.images) EXPECT_THAT(name, Not(HasSubstr("CINE"))) << name;
  EXPECT_THAT(files_of_case(got.images, "007_LA_ED"), IsEmpty());

  // --input at the dataset/ folder itself, all three axes: the short-axis volumes are too thin
  // for y_ and z_ slices, and the long-axis frames stay 2d_none.
  ExpectedFiles all = expected_files("mnms2", kLvMyoRv, {sa1_ed, sa1_es, sa7_ed}, {'x', 'y', 'z'});
  merge_expected(all, expected_files_2d("mnms2", kLvMyoRv, {la1_ed, la1_es}));
  const auto inner = convert_dataset("mnms2", data, dir / "out2");
  expect_converted(inner, all);
  for (const auto& name : inner.images) {
    EXPECT_THAT(name, Not(HasSubstr("--y_"))) << name;
    EXPECT_THAT(name, Not(HasSubstr("--z_"))) << name;
  }
}

// ---------------------------------------------------------------------------------------------
// HVSMR 2016: the axial full-volume variant, from the challenge's zip or the GitHub copy.

TEST(SecondWaveCardiacDatasetsTest, HvsmrAxialFullFromTheChallengeZipOrTheGithubCopy) {
  const Size3 size{13, 11, 10};
  PlantedCase pat0{
      "training_axial_full_pat0",
      "mr_cmr",
      size,
      {{{1, 1, 1}, {6, 6, 6}, 2}, {{2, 2, 2}, {4, 4, 4}, 1}, {{8, 5, 3}, {12, 10, 9}, 1}}};
  PlantedCase pat9{"training_axial_full_pat9", "mr_cmr", size, {{{3, 2, 4}, {9, 8, 8}, 2}}};
  // Label_B keeps 1 and 2 but splits the great vessels off the blood pool as 64 (aorta) and 71
  // (pulmonary arteries); it is planted on slices label_A leaves empty, so that reading it,
  // alone or united with label_A, gives other masks.
  PlantedCase pat0_b{
      "label_B",
      "mr_cmr",
      size,
      {{{0, 0, 0}, {6, 6, 1}, 1}, {{7, 0, 0}, {13, 11, 1}, 64}, {{5, 5, 9}, {8, 8, 10}, 71}}};
  const PlantedCase test{"testing_axial_full_pat10", "mr_cmr", size, {}};

  // The GitHub copy (scouvreur/WholeHeartMRISegmenter): training/ and testing/.
  {
    TempDir dir;
    const fs::path repo = dir / "in" / "WholeHeartMRISegmenter";
    for (const auto& c : {pat0, pat9}) {
      c.write_image(repo / "training" / (c.name + ".nii.gz"));
      c.write_label(repo / "training" / (c.name + "_label_A.nii.gz"));
    }
    pat0_b.write_label(repo / "training" / (pat0.name + "_label_B.nii.gz"));
    pat0_b.write_label(repo / "training" / (pat9.name + "_label_B.nii.gz"));
    test.write_image(repo / "testing" / "testing_axial_full_pat10.nii.gz");
    write_text_file(repo / "files.csv", "testing/testing_axial_full_pat10.nii.gz\n");
    write_text_file(repo / "config.ini", "[train-labels]\nfilename_contains = _label_A\n");

    const auto want = expected_files("hvsmr_2016", kHvsmrClasses, {pat0, pat9}, {'x', 'y', 'z'});
    const auto got = convert_dataset("hvsmr_2016", dir / "in", dir / "out", {"--axes", "x,y,z"});
    expect_converted(got, want);
    EXPECT_THAT(got.images, Contains("mr_cmr--hvsmr_2016--training_axial_full_pat0--z_0002.png"));
    EXPECT_THAT(got.masks, Contains("mr_cmr--hvsmr_2016--training_axial_full_pat0--x_0003--" +
                                    class_id("myocardium") + "_001.png"));
    EXPECT_THAT(files_of_case(got.images, "testing_axial_full_pat10"), IsEmpty());
    EXPECT_EQ(got.mapping.size(), 2u);
    EXPECT_FALSE(got.mapping.contains("aorta"));
    EXPECT_FALSE(got.mapping.contains("pulmonary_artery"));
  }
  // The challenge's zip: Training dataset/ + Ground truth/ (one case as .nii), beside the
  // cropped and short-axis variants and the test images, none of which is read.
  {
    TempDir dir;
    const fs::path zip = dir / "in" / "HVSMR2016";
    pat0.write_image(zip / "Training dataset" / "training_axial_full_pat0.nii.gz");
    pat0.write_label(zip / "Ground truth" / "training_axial_full_pat0-label.nii.gz");
    pat9.write_image(zip / "Training dataset" / "training_axial_full_pat9.nii");
    pat9.write_label(zip / "Ground truth" / "training_axial_full_pat9-label.nii");
    for (const auto* variant : {"training_axial_crop_pat0", "training_sa_crop_pat0"}) {
      PlantedCase crop{variant, "mr_cmr", {9, 8, 7}, {{{1, 1, 1}, {5, 5, 5}, 2}}};
      crop.write_image(zip / "Training dataset" / (crop.name + ".nii.gz"));
      crop.write_label(zip / "Ground truth" / (crop.name + "-label.nii.gz"));
    }
    test.write_image(zip / "Test dataset" / "testing_axial_full_pat10.nii.gz");

    const auto want = expected_files("hvsmr_2016", kHvsmrClasses, {pat0, pat9});
    const auto got = convert_dataset("hvsmr_2016", dir / "in", dir / "out", {"--axes", "x"});
    expect_converted(got, want);
    for (const auto& name : got.images) EXPECT_THAT(name, Not(HasSubstr("crop"))) << name;
  }
}

// ---------------------------------------------------------------------------------------------
// crossMoDA 2021 and 2022: only the ceT1 source domain is labelled; hrT2 is never read.

TEST(SecondWaveCardiacDatasetsTest, CrossModa21LabelledCeT1OnlyAndNeverTheHrT2) {
  TempDir dir;
  const fs::path root = dir / "in" / "CrossMoDA21";
  const fs::path source = root / "crossmoda_training" / "source_training";
  const Size3 size{16, 12, 9};
  PlantedCase c1{
      "crossmoda_1",
      "mr_t1ce",
      size,
      {{{2, 2, 2}, {7, 7, 6}, 1}, {{10, 3, 3}, {12, 5, 5}, 2}, {{13, 3, 3}, {15, 5, 5}, 2}}};
  PlantedCase c105{"crossmoda_105", "mr_t1ce", size, {{{4, 4, 0}, {12, 10, 3}, 1}}};
  for (const auto& c : {c1, c105}) {
    c.write_image(source / (c.name + "_ceT1.nii.gz"));
    c.write_label(source / (c.name + "_Label.nii.gz"));
  }
  // The hrT2 target domain: unlabelled, and a planted map beside one of them must not make it a
  // case (its name has no _Label, and no ceT1 sits beside it).
  for (const auto* name : {"crossmoda_106_hrT2", "crossmoda_210_hrT2"})
    PlantedCase{name, "mr_t2", size, {}}.write_image(
        root / "crossmoda_training" / "target_training" / (std::string(name) + ".nii.gz"));
  PlantedCase{"crossmoda_211_hrT2", "mr_t2", size, {}}.write_image(
      root / "crossmoda_validation" / "target_validation" / "crossmoda_211_hrT2.nii.gz");
  c1.write_label(root / "crossmoda_training" / "target_training" / "crossmoda_106_hrT2_seg.nii.gz");
  write_apple_double(source / "._crossmoda_1_Label.nii.gz");
  // A crossMoDA 2022 file in the same tree belongs to the other dataset.
  c1.write_image(dir / "in" / "crossmoda2022_training" / "training_source" /
                 "crossmoda2022_ldn_1_ceT1.nii.gz");
  c1.write_label(dir / "in" / "crossmoda2022_training" / "training_source" /
                 "crossmoda2022_ldn_1_Label.nii.gz");

  const auto got = convert_dataset("CrossMoDA21", dir / "in", dir / "out", {"--axes", "x"});
  expect_converted(got, expected_files("CrossMoDA21", kCrossModaClasses, {c1, c105}));
  EXPECT_EQ(got.report.at("cases"), 2);
  EXPECT_THAT(got.masks, Contains("mr_t1ce--CrossMoDA21--crossmoda_1--x_0003--" +
                                  class_id("cochlea") + "_001.png"));
  for (const auto& name : got.images) {
    EXPECT_THAT(name, Not(HasSubstr("hrT2"))) << name;
    EXPECT_THAT(name, Not(HasSubstr("2022"))) << name;
  }
}

TEST(SecondWaveCardiacDatasetsTest, CrossModa22LondonAndTilburgCeT1Only) {
  TempDir dir;
  // The Zenodo zip unpacks to training_source/ and training_target/ without a top folder.
  const fs::path in = dir / "in";
  const Size3 size{15, 12, 8};
  PlantedCase ldn{"crossmoda2022_ldn_1",
                  "mr_t1ce",
                  size,
                  {{{1, 1, 1}, {6, 6, 4}, 1}, {{9, 2, 2}, {11, 4, 4}, 2}}};
  PlantedCase etz{"crossmoda2022_etz_105", "mr_t1ce", size, {{{8, 6, 5}, {14, 11, 8}, 1}}};
  for (const auto& c : {ldn, etz}) {
    c.write_image(in / "training_source" / (c.name + "_ceT1.nii.gz"));
    c.write_label(in / "training_source" / (c.name + "_Label.nii.gz"));
  }
  for (const auto* name : {"crossmoda2022_ldn_106_hrT2", "crossmoda2022_etz_210_hrT2"})
    PlantedCase{name, "mr_t2", size, {}}.write_image(in / "training_target" /
                                                     (std::string(name) + ".nii.gz"));
  write_apple_double(in / "__MACOSX" / "training_source" / "._crossmoda2022_ldn_1_Label.nii.gz");
  // A crossMoDA 2021 pair is the other dataset's.
  ldn.write_image(in / "source_training" / "crossmoda_1_ceT1.nii.gz");
  ldn.write_label(in / "source_training" / "crossmoda_1_Label.nii.gz");

  const auto want = expected_files("CrossMoDA22", kCrossModaClasses, {etz, ldn});
  const auto got = convert_dataset("CrossMoDA22", in, dir / "out", {"--axes", "x"});
  expect_converted(got, want);
  EXPECT_THAT(got.images, Contains("mr_t1ce--CrossMoDA22--crossmoda2022_etz_105--x_0007.png"));
  for (const auto& name : got.images) EXPECT_THAT(name, Not(HasSubstr("hrT2"))) << name;

  // --input at training_source/ itself.
  const auto inner =
      convert_dataset("CrossMoDA22", in / "training_source", dir / "out2", {"--axes", "x"});
  expect_converted(inner, want);
}

// ---------------------------------------------------------------------------------------------
// ASC18: Training Set/<case id>/lgemri.nrrd + laendo.nrrd (0/255), lawall.nrrd never read.

TEST(SecondWaveCardiacDatasetsTest, Asc18CavityMaskOf255BesideTheLgeMri) {
  TempDir dir;
  const fs::path root = dir / "in" / "2018_UTAH_MICCAI";
  const Size3 size{16, 12, 7};
  PlantedCase a{"0RZDK210BSMWAA6467LU",
                "mr_lge",
                size,
                {{{2, 2, 1}, {7, 7, 5}, 255}, {{10, 6, 3}, {14, 10, 6}, 255}}};
  PlantedCase b{"3C2QTUNI0852XV7ZH4Q1", "mr_lge", size, {{{5, 3, 0}, {12, 9, 2}, 255}}};
  PlantedCase t{"4URSJYI2QUH1T5S5PP47", "mr_lge", size, {{{1, 1, 4}, {4, 4, 7}, 255}}};
  // The wall, on slices the cavity does not reach: read, it would give other masks.
  const PlantedCase wall{"wall", "mr_lge", size, {{{0, 0, 6}, {16, 12, 7}, 255}}};
  for (const auto& [c, split] : std::vector<std::pair<PlantedCase, std::string>>{
           {a, "Training Set"}, {b, "Training Set"}, {t, "Testing Set"}}) {
    c.write_image(root / split / c.name / "lgemri.nrrd");
    c.write_label(root / split / c.name / "laendo.nrrd");
    if (c.name != t.name) wall.write_label(root / split / c.name / "lawall.nrrd");
  }
  // An original-release test case: the image alone.
  PlantedCase{"ZQ7D7JGNJIFHDGZJHCOZ", "mr_lge", size, {}}.write_image(
      root / "Testing Set" / "ZQ7D7JGNJIFHDGZJHCOZ" / "lgemri.nrrd");
  write_apple_double(root / "Training Set" / a.name / "._laendo.nrrd");
  write_text_file(root / "Training Set" / ".DS_Store", "\x00\x00\x00\x01");

  const ClassValues classes{{"left_atrium", {255}}};
  const auto got = convert_dataset("ASC18", dir / "in", dir / "out", {"--axes", "x"});
  expect_converted(got, expected_files("ASC18", classes, {a, b, t}));
  EXPECT_THAT(got.masks, Contains("mr_lge--ASC18--0RZDK210BSMWAA6467LU--x_0003--" +
                                  class_id("left_atrium") + "_001.png"));
  EXPECT_THAT(files_of_case(got.images, "ZQ7D7JGNJIFHDGZJHCOZ"), IsEmpty());
  // The wall's only slice (6) holds no cavity in case b.
  EXPECT_THAT(files_of_case(got.images, b.name), Not(Contains(HasSubstr("x_0006"))));
  EXPECT_EQ(class_ids_of(got.masks), std::set<std::string>{class_id("left_atrium")});
}

// ---------------------------------------------------------------------------------------------
// CMRxMotion: data/Pxxx-n/Pxxx-n-{ED,ES}.nii.gz (4D, trailing singleton) + -label maps.

TEST(SecondWaveCardiacDatasetsTest, CmrxMotionsLabelledFramesOfTheFourBreathingModes) {
  TempDir dir;
  const fs::path root = dir / "in" / "CMRxMotion";
  const fs::path data = root / "CMRxMotion Training Dataset" / "data";
  const Size3 size{14, 12, 5};
  PlantedCase p1ed{
      "P001-1-ED",
      "mr_cmr",
      size,
      {{{1, 1, 0}, {5, 5, 3}, 1}, {{6, 1, 1}, {9, 5, 4}, 2}, {{2, 7, 2}, {12, 11, 5}, 3}}};
  PlantedCase p1es{"P001-1-ES", "mr_cmr", size, {{{3, 3, 1}, {6, 6, 4}, 1}}};
  PlantedCase p10es{"P010-4-ES", "mr_cmr", size, {{{4, 4, 4}, {10, 9, 5}, 2}}};
  for (const auto& c : {p1ed, p1es, p10es}) {
    const fs::path folder = data / c.name.substr(0, 6);
    write_4d_volume(folder / (c.name + ".nii.gz"), size, 1);
    c.write_label(folder / (c.name + "-label.nii.gz"));
  }
  // P010-4-ED is graded 3 (too corrupted): its image ships without a map.
  write_4d_volume(data / "P010-4" / "P010-4-ED.nii.gz", size, 1);
  write_text_file(root / "CMRxMotion Training Dataset" / "IQA.csv",
                  "Image,Label\nP001-1-ED,1\nP001-1-ES,1\nP010-4-ED,3\nP010-4-ES,2\n");
  write_4d_volume(root / "CMRxMotion_validation" / "P022-1" / "P022-1-ED.nii.gz", size, 1);
  write_apple_double(data / "P001-1" / "._P001-1-ED-label.nii.gz");

  ExpectedFiles want;
  for (const auto& c : {p1ed, p1es, p10es})
    add_expected(want, "CMRxMotions", c.name, {"mr_cmr"}, size, c.boxes, kLvMyoRv);
  const auto got = convert_dataset("CMRxMotions", dir / "in", dir / "out", {"--axes", "x"});
  expect_converted(got, want);
  // The released name, and value 1 as the left ventricle.
  EXPECT_THAT(got.images, Contains("mr_cmr--CMRxMotions--P010-4-ES--x_0004.png"));
  EXPECT_THAT(got.masks, Contains("mr_cmr--CMRxMotions--P001-1-ED--x_0000--" +
                                  class_id("left_ventricle") + "_000.png"));
  EXPECT_THAT(files_of_case(got.images, "P010-4-ED"), IsEmpty());
  EXPECT_THAT(files_of_case(got.images, "P022-1-ED"), IsEmpty());
}

// ---------------------------------------------------------------------------------------------
// EMIDEC: Case_{N,P}NNN/{Images,Contours}/Case_{N,P}NNN.nii.gz, 'Case NNNN.txt' beside them.

TEST(SecondWaveCardiacDatasetsTest, EmidecContoursWithInfarctionNoReflowAndTheWholeMyocardium) {
  TempDir dir;
  const fs::path root = dir / "in" / "emidec-dataset-1.0.1";
  const Size3 size{15, 13, 6};
  // Infarction (3) and no-reflow (4) lie inside the myocardium (2); the whole myocardium is one
  // component of the union on slices 1-4.
  PlantedCase p1{"Case_P001",
                 "mr_00",
                 size,
                 {{{2, 2, 1}, {13, 11, 5}, 2},
                  {{5, 5, 1}, {10, 9, 5}, 1},
                  {{2, 2, 2}, {5, 11, 4}, 3},
                  {{2, 5, 3}, {4, 8, 4}, 4}}};
  PlantedCase n6{
      "Case_N006", "mr_00", size, {{{3, 3, 0}, {12, 10, 6}, 2}, {{6, 6, 0}, {9, 8, 6}, 1}}};
  for (const auto& c : {p1, n6}) {
    c.write_image(root / c.name / "Images" / (c.name + ".nii.gz"));
    c.write_label(root / c.name / "Contours" / (c.name + ".nii.gz"));
    write_text_file(root / ("Case " + c.name.substr(5) + ".txt"),
                    "Sex: M\nAge: 60\nTobacco: 2\nFEVG: 55\n");
  }
  // A test case: image only.
  PlantedCase{"Case_P101", "mr_00", size, {}}.write_image(root / "Case_P101" / "Images" /
                                                          "Case_P101.nii.gz");
  write_apple_double(root / "Case_P001" / "Contours" / "._Case_P001.nii.gz");

  const ClassValues classes{{"left_ventricle", {1}},
                            {"normal_myocardium", {2}},
                            {"myocardial_infarction", {3}},
                            {"no_reflow", {4}},
                            {"myocardium", {2, 3, 4}}};
  const auto got = convert_dataset("EMIDEC", dir / "in", dir / "out", {"--axes", "x"});
  expect_converted(got, expected_files("EMIDEC", classes, {n6, p1}));
  EXPECT_THAT(got.masks,
              Contains("mr_00--EMIDEC--Case_P001--x_0003--" + class_id("no_reflow") + "_000.png"));
  EXPECT_THAT(got.masks,
              Contains("mr_00--EMIDEC--Case_P001--x_0002--" + class_id("myocardium") + "_000.png"));
  EXPECT_THAT(got.masks, Not(Contains("mr_00--EMIDEC--Case_P001--x_0002--" +
                                      class_id("myocardium") + "_001.png")));
  EXPECT_THAT(files_of_case(got.images, "Case_P101"), IsEmpty());
  EXPECT_EQ(got.mapping.size(), 5u);
}

}  // namespace
}  // namespace samed2d::test
