// The bundled configs of the chest and spine CT datasets (COVID-19-20, CAD_PE, LUNA16, VerSe19,
// VerSe20) on miniature replicas of each release's layout, with the files that must never be
// read planted beside the real ones; expected names come from the planted boxes through the
// SPEC oracle.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "support/DatasetRun.hpp"
#include "support/Matchers.hpp"
#include "support/PlantedCase.hpp"
#include "support/TestData.hpp"

namespace samed2d::test {
namespace {

const ClassValues kCovidClasses{{"covid_19_lesion", {1}}};

TEST(ChestSpineDatasetsTest, Covid1920TrainCasesNamedWithoutTheRoleSuffix) {
  TempDir dir;
  const fs::path train = dir / "in" / "COVID-19-20_v2" / "Train";
  PlantedCase a3{.name = "volume-covid19-A-0003",
                 .boxes = {{{1, 1, 1}, {4, 4, 4}, 1}, {{7, 6, 2}, {11, 9, 6}, 1}}};
  PlantedCase a11{.name = "volume-covid19-A-0011", .boxes = {{{3, 3, 0}, {8, 7, 8}, 1}}};
  for (const auto& c : {a3, a11}) {
    c.write_image(train / (c.name + "_ct.nii.gz"));
    c.write_label(train / (c.name + "_seg.nii.gz"));
  }
  PlantedCase{.name = "volume-covid19-A-0050"}.write_image(
      dir / "in" / "COVID-19-20_v2" / "Validation" / "volume-covid19-A-0050_ct.nii.gz");

  const auto got = convert_dataset("COVID-19-20", dir / "in", dir / "out", {"--axes", "x,y,z"});
  expect_converted(got, expected_files("COVID-19-20", kCovidClasses, {a3, a11}, {'x', 'y', 'z'}));
  // Two lesions on one slice are two instances.
  EXPECT_THAT(got.masks, Contains("ct_00--COVID-19-20--volume-covid19-A-0003--x_0002--" +
                                  class_id("covid_19_lesion") + "_001.png"));
  EXPECT_THAT(got.images, Contains("ct_00--COVID-19-20--volume-covid19-A-0011--z_0003.png"));
  EXPECT_THAT(files_of_case(got.images, "volume-covid19-A-0050"), IsEmpty());
  EXPECT_THAT(files_of_case(got.images, "volume-covid19-A-0003_ct"), IsEmpty());
}

// A label of another size, and a label whose image is missing, each fail their own case only.
TEST(ChestSpineDatasetsTest, Covid1920MalformedCasesFailAloneWithOneLine) {
  TempDir dir;
  const fs::path train = dir / "in" / "Train";
  PlantedCase good{.name = "volume-covid19-A-0003", .boxes = {{{1, 1, 1}, {4, 4, 4}, 1}}};
  good.write_image(train / (good.name + "_ct.nii.gz"));
  good.write_label(train / (good.name + "_seg.nii.gz"));
  PlantedCase wide{
      .name = "volume-covid19-A-0004", .size = {13, 10, 8}, .boxes = {{{1, 1, 1}, {4, 4, 4}, 1}}};
  PlantedCase{.name = wide.name}.write_image(train / (wide.name + "_ct.nii.gz"));
  wide.write_label(train / (wide.name + "_seg.nii.gz"));
  PlantedCase lonely{.name = "volume-covid19-A-0005", .boxes = {{{1, 1, 1}, {4, 4, 4}, 1}}};
  lonely.write_label(train / (lonely.name + "_seg.nii.gz"));

  const auto got = convert_dataset("COVID-19-20", train, dir / "out", {"--axes", "x"});
  expect_converted(got, expected_files("COVID-19-20", kCovidClasses, {good}), 1);
  EXPECT_EQ(lines_naming(got.run.err, "volume-covid19-A-0004"), 1u) << got.run.err;
  EXPECT_EQ(lines_naming(got.run.err, "volume-covid19-A-0005"), 1u) << got.run.err;
  EXPECT_THAT(got.run.err, HasSubstr("volume-covid19-A-0005_ct.nii.gz"));
}

// Every clot value (16-bit here, one above 255) is the one class; ids pair across 3/4 digits
// and the e prefix.
TEST(ChestSpineDatasetsTest, CadPeEveryClotValueIsOneClass) {
  TempDir dir;
  const fs::path root = dir / "in" / "CAD-PE";
  PlantedCase c1{
      .name = "001",
      .boxes = {
          {{1, 1, 1}, {3, 3, 5}, 1}, {{6, 6, 2}, {9, 9, 4}, 2}, {{10, 1, 3}, {12, 3, 7}, 300}}};
  PlantedCase c2{.name = "002", .boxes = {{{2, 2, 0}, {5, 5, 8}, 1}}};
  PlantedCase c32{.name = "032", .boxes = {{{4, 4, 4}, {6, 6, 5}, 3}}};
  for (const auto& c : {c1, c2, c32}) c.write_image(root / "images" / (c.name + ".nrrd"));
  c1.write_label<std::uint16_t>(root / "rs" / "001RefStd.nrrd");
  c2.write_label<std::uint16_t>(root / "rs" / "0002RefStd.nrrd");
  c32.write_label<std::uint16_t>(root / "rs" / "e0032RefStd.nrrd");

  const ClassValues classes{{"pulmonary_embolism", {1, 2, 3, 300}}};
  const auto got = convert_dataset("CAD_PE", dir / "in", dir / "out", {"--axes", "x"});
  expect_converted(got, expected_files("CAD_PE", classes, {c1, c2, c32}));
  // Slice x_0003 holds all three clots of case 001: three instances of one class.
  const std::string pe = class_id("pulmonary_embolism");
  EXPECT_THAT(got.masks, Contains("ct_00--CAD_PE--001--x_0003--" + pe + "_002.png"));
  EXPECT_EQ(got.mapping.size(), 1u);
}

std::string text_of(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

const std::string kUid1 = "1.3.6.1.4.1.14519.5.2.1.6279.6001.100225287222365663678666836860";
const std::string kUid2 = "1.3.6.1.4.1.14519.5.2.1.6279.6001.979083010707182900091062408058";

TEST(ChestSpineDatasetsTest, Luna16MasksAreCompressedMetaImages) {
  TempDir dir;
  const fs::path root = dir / "in" / "LUNA16";
  PlantedCase u1{
      .name = kUid1,
      .boxes = {{{1, 1, 1}, {5, 8, 7}, 3}, {{7, 1, 1}, {11, 8, 7}, 4}, {{5, 0, 0}, {7, 3, 8}, 5}}};
  PlantedCase u2{.name = kUid2, .boxes = {{{2, 2, 2}, {6, 6, 4}, 4}}};
  u1.write_image(root / "subset0" / (kUid1 + ".mhd"));
  u2.write_image(root / "subset7" / (kUid2 + ".mhd"));
  for (const auto& c : {u1, u2})
    c.write_compressed_label(root / "seg-lungs-LUNA16" / (c.name + ".mhd"));
  // A scan without a mask, and the detection tables.
  PlantedCase{.name = "1.3.6.1.4.1.14519.5.2.1.6279.6001.1"}.write_image(
      root / "subset1" / "1.3.6.1.4.1.14519.5.2.1.6279.6001.1.mhd");
  write_text_file(root / "annotations.csv", "seriesuid,coordX,coordY,coordZ,diameter_mm\n");

  // The replica is faithful only if ITK really wrote the mask as LUNA16 ships it.
  const fs::path mask = root / "seg-lungs-LUNA16" / (kUid1 + ".mhd");
  ASSERT_THAT(text_of(mask), HasSubstr("CompressedData = True"));
  ASSERT_THAT(text_of(mask), HasSubstr("ElementDataFile = " + kUid1 + ".zraw"));
  ASSERT_TRUE(fs::is_regular_file(root / "seg-lungs-LUNA16" / (kUid1 + ".zraw")));
  ASSERT_TRUE(fs::is_regular_file(root / "subset0" / (kUid1 + ".raw")));

  const ClassValues classes{{"left_lung", {3}}, {"right_lung", {4}}, {"trachea", {5}}};
  const auto got = convert_dataset("LUNA16", dir / "in", dir / "out", {"--axes", "x"});
  expect_converted(got, expected_files("LUNA16", classes, {u1, u2}));
  EXPECT_THAT(got.images, Contains("ct_00--LUNA16--" + kUid2 + "--x_0002.png"));
  EXPECT_THAT(files_of_case(got.images, "1.3.6.1.4.1.14519.5.2.1.6279.6001.1"), IsEmpty());
}

TEST(ChestSpineDatasetsTest, Luna16MaskWithoutItsScanFailsAlone) {
  TempDir dir;
  PlantedCase u1{.name = kUid1, .boxes = {{{1, 1, 1}, {5, 8, 7}, 3}}};
  u1.write_image(dir / "in" / "subset0" / (kUid1 + ".mhd"));
  u1.write_compressed_label(dir / "in" / "seg-lungs-LUNA16" / (kUid1 + ".mhd"));
  PlantedCase{.name = kUid2, .boxes = {{{1, 1, 1}, {5, 8, 7}, 3}}}.write_compressed_label(
      dir / "in" / "seg-lungs-LUNA16" / (kUid2 + ".mhd"));
  const auto got = convert_dataset("LUNA16", dir / "in", dir / "out", {"--axes", "x"});
  expect_converted(got, expected_files("LUNA16", {{"left_lung", {3}}}, {u1}), 1);
  EXPECT_EQ(lines_naming(got.run.err, kUid2), 1u) << got.run.err;
}

ClassValues verse_classes() {
  return {
      {"vertebra_c1", {1}}, {"vertebra_l1", {20}}, {"vertebra_l6", {25}}, {"vertebra_t13", {28}}};
}

// One VerSe scan: rawdata/<subject>/<stem>_ct.nii.gz and the derivatives beside the mask.
void write_verse(const fs::path& top, const std::string& subject, const PlantedCase& c,
                 bool int16_label = false) {
  c.write_image(top / "rawdata" / subject / (c.name + "_ct.nii.gz"));
  const fs::path derivatives = top / "derivatives" / subject;
  if (int16_label)
    c.write_label<std::int16_t>(derivatives / (c.name + "_seg-vert_msk.nii.gz"));
  else
    c.write_label(derivatives / (c.name + "_seg-vert_msk.nii.gz"));
  write_text_file(derivatives / (c.name + "_seg-subreg_ctd.json"),
                  "[{\"direction\": [\"P\", \"I\", \"R\"]}]");
  write_text_file(derivatives / (c.name + "_seg-vert_snp.png"), "not read");
}

TEST(ChestSpineDatasetsTest, VerSe19ReadsOnlyItsOwnFolders) {
  TempDir dir;
  PlantedCase v4{
      .name = "sub-verse004",
      .boxes = {{{1, 1, 0}, {5, 5, 2}, 1}, {{1, 1, 3}, {5, 5, 5}, 20}, {{6, 6, 6}, {9, 9, 8}, 28}}};
  PlantedCase v5{.name = "sub-verse005", .boxes = {{{2, 2, 2}, {10, 8, 4}, 25}}};
  write_verse(dir / "in" / "dataset-verse19training", "sub-verse004", v4);
  write_verse(dir / "in" / "dataset-verse19validation", "sub-verse005", v5);
  // VerSe20 beside it re-includes a VerSe19 subject: not VerSe19's to read.
  write_verse(dir / "in" / "dataset-verse20training", "sub-verse004",
              {"sub-verse004", "ct_00", {12, 10, 8}, {{{0, 0, 0}, {12, 10, 8}, 1}}});

  const auto got = convert_dataset("VerSe19", dir / "in", dir / "out", {"--axes", "x"});
  expect_converted(got, expected_files("VerSe19", verse_classes(), {v4, v5}));
  EXPECT_THAT(got.masks, Contains("ct_00--VerSe19--sub-verse004--x_0006--" +
                                  class_id("vertebra_t13") + "_000.png"));

  // --input at one dataset folder.
  const auto one = convert_dataset("VerSe19", dir / "in" / "dataset-verse19training", dir / "out2",
                                   {"--axes", "x"});
  expect_converted(one, expected_files("VerSe19", verse_classes(), {v4}));
}

TEST(ChestSpineDatasetsTest, VerSe20ScansKeepTheirOrientationEntity) {
  TempDir dir;
  PlantedCase ax{.name = "sub-gl003_dir-ax",
                 .boxes = {{{1, 1, 1}, {5, 5, 5}, 20}, {{7, 1, 1}, {11, 5, 5}, 25}}};
  PlantedCase sag{.name = "sub-gl003_dir-sag", .boxes = {{{2, 2, 2}, {10, 8, 4}, 28}}};
  PlantedCase osf{.name = "sub-verse502", .boxes = {{{3, 3, 3}, {4, 4, 4}, 1}}};
  write_verse(dir / "in" / "dataset-verse20training", "sub-gl003", ax, true);
  write_verse(dir / "in" / "dataset-verse20training", "sub-gl003", sag, true);
  write_verse(dir / "in" / "osf" / "dataset-02validation", "sub-verse502", osf, true);
  write_verse(dir / "in" / "dataset-verse19training", "sub-verse004",
              {"sub-verse004", "ct_00", {12, 10, 8}, {{{0, 0, 0}, {12, 10, 8}, 1}}});

  const auto got = convert_dataset("VerSe20", dir / "in", dir / "out", {"--axes", "x"});
  expect_converted(got, expected_files("VerSe20", verse_classes(), {ax, sag, osf}));
  EXPECT_THAT(got.images, Contains("ct_00--VerSe20--sub-gl003_dir-sag--x_0003.png"));
  EXPECT_THAT(files_of_case(got.images, "sub-verse004"), IsEmpty());
}

}  // namespace
}  // namespace samed2d::test
