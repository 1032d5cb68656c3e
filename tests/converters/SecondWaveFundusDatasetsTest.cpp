// The bundled configs of the fundus photography datasets ichallenge_adam_task2 (ADAM task 2),
// PALM19, gamma and gamma3 (GAMMA task 3), each run on a miniature replica of its release's
// layout as the config's description gives it: JPEG photographs (kept as images, lossy), masks
// drawn black on white in lossless BMP or PNG (0 = optic disc, or 0 = cup and 128 = the disc
// around it, 255 = background), a mask that is all background, and the files that must never be
// read (illustrations drawn on the photographs, lesion masks, unlabelled splits, the other GAMMA
// tasks, spreadsheets, macOS debris). Images are small and never square. Every expected name and
// mask pixel comes from the planted boxes through the SPEC oracle, never from the tool's output.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "e2e/Oracle.hpp"
#include "support/DatasetReplica.hpp"
#include "support/DatasetRun.hpp"
#include "support/Matchers.hpp"
#include "support/PlantedCase.hpp"
#include "support/TestData.hpp"
#include "support/TwoD.hpp"

namespace samed2d::test {
namespace {

constexpr const char* kModality = "fundus_photography";

// A planted case holds codes (0 outside every box); a mask file holds the release's values.
// ADAM and PALM: code 1 is the optic disc, drawn 0 on a 255 background.
const std::vector<std::uint8_t> kDiscValues{255, 0};
// GAMMA: code 1 is the optic cup (0), code 2 the disc around it (128), background 255.
const std::vector<std::uint8_t> kDiscCupValues{255, 0, 128};

const ClassValues kDisc{{"optic_disc", {1}}};
const ClassValues kDiscCup{{"optic_disc", {1, 2}}, {"optic_cup", {1}}, {"optic_disc_rim", {2}}};

// A 2D case of width x height: boxes are {col0, row0, 0} .. {col1, row1, 1}.
PlantedCase fundus(const std::string& name, std::size_t width, std::size_t height,
                   std::vector<LabelBox> boxes) {
  return PlantedCase{name, kModality, {width, height, 1}, std::move(boxes)};
}

LabelBox box(std::size_t col0, std::size_t row0, std::size_t col1, std::size_t row1, int code) {
  return LabelBox{{col0, row0, 0}, {col1, row1, 1}, static_cast<double>(code)};
}

// The colour photograph: an RGB ramp, written as JPEG (lossy, so never compared by value).
void write_photo(const fs::path& file, const PlantedCase& c) {
  write_colour(file, c.size[0], c.size[1]);
}

// The mask file of a case (8-bit grey, format by extension: .bmp or .png), each code written
// as the release's value for it.
void write_mask(const fs::path& file, const PlantedCase& c,
                const std::vector<std::uint8_t>& values) {
  auto v = c.label<std::uint8_t>();
  for (auto& x : v) x = values.at(x);
  write_volume<std::uint8_t>(file, c.size, v, 2);
}

// Every mask on disk holds exactly the oracle's pixels, and every image is the case's size in
// RGB.
void expect_pixels(const fs::path& out, const std::string& dataset, const ClassValues& classes,
                   const std::vector<PlantedCase>& cases) {
  const OracleOutput oracle = oracle_of(dataset, classes, cases, {'x'});
  for (const auto& [rel, pixels] : oracle.masks) {
    const std::string name = as_2d_name(rel.substr(6));
    SCOPED_TRACE(name);
    const auto png = read_png(out / "masks" / name);
    EXPECT_EQ(png.channels, 1);
    EXPECT_EQ(png.pixels, pixels);
  }
  for (const auto& [rel, shape] : oracle.shapes) {
    const std::string name = as_2d_name(rel.substr(7));
    SCOPED_TRACE(name);
    const auto png = read_png(out / "images" / name);
    EXPECT_EQ(png.channels, 3);
    EXPECT_EQ(png.height, shape.first);
    EXPECT_EQ(png.width, shape.second);
  }
}

// The white background is neither a class nor an unmapped value: no case fails, the labelled
// cases warn about nothing, a mask that is all background only says that its case gives no
// image (never that 255 is unmapped), and the mapping holds exactly `classes`.
void expect_background_silent(const ConvertedDataset& d, const ClassValues& classes,
                              const std::vector<std::string>& labelled,
                              const std::vector<std::string>& all_background = {}) {
  EXPECT_THAT(failures(d), IsEmpty());
  EXPECT_THAT(d.run.err, Not(HasSubstr("not in the config's")));
  for (const auto& name : labelled) EXPECT_THAT(warnings_of(d, name), IsEmpty()) << name;
  for (const auto& name : all_background) {
    EXPECT_THAT(warnings_of(d, name), ElementsAre(HasSubstr("so the case gives no image"))) << name;
    EXPECT_THAT(files_of_case(d.images, name), IsEmpty()) << name;
  }
  ASSERT_TRUE(d.mapping.is_object());
  std::map<std::string, std::string> want;
  for (const auto& [name, unused] : classes) want[name] = class_id(name);
  std::map<std::string, std::string> got;
  for (const auto& [name, id] : d.mapping.items()) got[name] = id.get<std::string>();
  EXPECT_EQ(got, want);
}

// ---------------------------------------------------------------------------------------------
// ichallenge_adam_task2: Training400/{AMD,Non-AMD}/<stem>.jpg, disc masks in their own zip,
// Annotation-DF-Training400/Training400/Disc_Masks/<stem>.bmp.

TEST(SecondWaveFundusDatasetsTest, AdamTask2DiscMasksOfBothGroupsNotIllustrationsOrLesions) {
  TempDir dir;
  const fs::path root = dir / "in" / "ADAM";
  const fs::path images = root / "Training400";
  const fs::path annotation = root / "Annotation-DF-Training400" / "Training400";
  const fs::path masks = annotation / "Disc_Masks";
  // A disc and a one-pixel speck (under 0.153% of 40 x 30): only the disc is a mask.
  const auto a1 = fundus("A0001", 40, 30, {box(24, 8, 34, 19, 1), box(3, 26, 4, 27, 1)});
  const auto n1 = fundus("N0001", 34, 44, {box(4, 12, 15, 25, 1)});
  // No visible disc: the mask is all white.
  const auto a2 = fundus("A0002", 40, 30, {});
  write_photo(images / "AMD" / "A0001.jpg", a1);
  write_photo(images / "AMD" / "A0002.jpg", a2);
  write_photo(images / "Non-AMD" / "N0001.jpg", n1);
  write_mask(masks / "A0001.bmp", a1, kDiscValues);
  write_mask(masks / "A0002.bmp", a2, kDiscValues);
  write_mask(masks / "N0001.bmp", n1, kDiscValues);
  // Never read: the disc/fovea drawings (JPEGs of the same names), the fovea spreadsheet, the
  // lesion masks (same values, other folder), an image without a mask, the validation images,
  // and macOS debris.
  write_photo(annotation / "Disc_Fovea_Illustration" / "A0001.jpg", a1);
  write_photo(annotation / "Disc_Fovea_Illustration" / "N0001.jpg", n1);
  write_text_file(annotation / "Fovea_location.xlsx", "ID,imgName,Fovea_X,Fovea_Y\n");
  write_mask(root / "Training400-Lesion" / "Lesion_Masks" / "drusen" / "A0001.bmp",
             fundus("A0001", 40, 30, {box(2, 2, 30, 20, 1)}), kDiscValues);
  write_photo(images / "Non-AMD" / "N0002.jpg", n1);
  write_photo(root / "Validation400" / "V0001.jpg", a1);
  write_apple_double(masks / "._A0001.bmp");
  write_apple_double(dir / "in" / "__MACOSX" / "ADAM" / "Annotation-DF-Training400" /
                     "Training400" / "Disc_Masks" / "._N0001.bmp");

  const std::string dataset = "ichallenge_adam_task2";
  const auto got = convert_dataset(dataset, dir / "in", dir / "out");
  expect_converted(got, expected_files_2d(dataset, kDisc, {a1, n1}));
  // Spelled out once: the disc (the black of the mask) is the class.
  EXPECT_THAT(got.images,
              ElementsAre("fundus_photography--ichallenge_adam_task2--A0001--2d_none.png",
                          "fundus_photography--ichallenge_adam_task2--N0001--2d_none.png"));
  expect_pixels(dir / "out", dataset, kDisc, {a1, n1});
  expect_background_silent(got, kDisc, {"A0001", "N0001"}, {"A0002"});
  EXPECT_EQ(got.report.at("cases"), 3);  // A0002 is converted, and gives nothing

  // Both zips unpacked into one Training400/, the masks split into AMD/ and Non-AMD/, and
  // --input at Training400/ itself.
  const fs::path merged = dir / "in2" / "Training400";
  const auto a3 = fundus("A0003", 38, 28, {box(5, 4, 16, 14, 1)});
  const auto n3 = fundus("N0003", 30, 42, {box(12, 20, 25, 33, 1)});
  write_photo(merged / "AMD" / "A0003.jpg", a3);
  write_photo(merged / "Non-AMD" / "N0003.jpg", n3);
  write_mask(merged / "Disc_Masks" / "AMD" / "A0003.bmp", a3, kDiscValues);
  write_mask(merged / "Disc_Masks" / "Non-AMD" / "N0003.bmp", n3, kDiscValues);
  write_photo(merged / "Disc_Fovea_Illustration" / "A0003.jpg", a3);
  const auto inner = convert_dataset(dataset, merged, dir / "out2");
  expect_converted(inner, expected_files_2d(dataset, kDisc, {a3, n3}));
  expect_pixels(dir / "out2", dataset, kDisc, {a3, n3});
  expect_background_silent(inner, kDisc, {"A0003", "N0003"});
}

// ---------------------------------------------------------------------------------------------
// PALM19: the 2019 challenge zips (PALM-Training400/..., PALM-Validation400 + -GT) and the 2024
// figshare release (PALM/{Training,Validation,Testing}/{Images,Disc Masks}).

TEST(SecondWaveFundusDatasetsTest, Palm19DiscMasksOfThe2019ZipsAndThe2024Release) {
  TempDir dir;
  const fs::path training = dir / "in" / "PALM-Training400";
  const fs::path photos = training / "PALM-Training400";
  const fs::path df = training / "PALM-Training400-Annotation-D&F";
  const auto h1 = fundus("H0001", 42, 32, {box(27, 10, 38, 22, 1)});
  const auto p1 = fundus("P0001", 42, 32, {box(3, 3, 14, 13, 1), box(30, 20, 40, 30, 1)});
  const auto n1 = fundus("N0001", 42, 32, {});  // no disc in view: all white
  const auto v1 = fundus("V0001", 36, 46, {box(10, 30, 24, 43, 1)});
  for (const auto& c : {h1, p1, n1}) {
    write_photo(photos / (c.name + ".jpg"), c);
    write_mask(df / "Disc_Masks" / (c.name + ".bmp"), c, kDiscValues);
  }
  write_photo(dir / "in" / "PALM-Validation400" / "V0001.jpg", v1);
  write_mask(dir / "in" / "PALM-Validation-GT" / "Disc_Masks" / "V0001.bmp", v1, kDiscValues);
  // Never read: the drawings, the spreadsheets, the lesion masks (atrophy, detachment), a
  // validation image without a disc mask, the zips left beside their contents.
  write_photo(df / "Disc_Fovea_Illustration" / "H0001.jpg", h1);
  write_text_file(df / "Fovea_Location_train.xlsx", "imgName,Fovea_X,Fovea_Y\n");
  const fs::path lesion = training / "PALM-Training400-Annotation-Lession" / "Lesion_Masks";
  write_mask(lesion / "Atrophy" / "P0001.bmp", fundus("P0001", 42, 32, {box(5, 5, 30, 25, 1)}),
             kDiscValues);
  write_mask(dir / "in" / "PALM-Validation-GT" / "Lesion_Masks" / "Detachment" / "V0001.bmp",
             fundus("V0001", 36, 46, {box(1, 1, 30, 40, 1)}), kDiscValues);
  write_text_file(dir / "in" / "PALM-Validation-GT" / "PM_Label_and_Fovea_Location.xlsx", "x\n");
  write_photo(dir / "in" / "PALM-Validation400" / "V0002.jpg", v1);
  write_text_file(training / "PALM-Training400.zip", "PK");
  write_apple_double(df / "Disc_Masks" / "._H0001.bmp");

  const std::string dataset = "PALM19";
  const auto got = convert_dataset(dataset, dir / "in", dir / "out");
  expect_converted(got, expected_files_2d(dataset, kDisc, {h1, p1, v1}));
  expect_pixels(dir / "out", dataset, kDisc, {h1, p1, v1});
  expect_background_silent(got, kDisc, {"H0001", "P0001", "V0001"}, {"N0001"});
  EXPECT_THAT(files_of_case(got.images, "V0002"), IsEmpty());

  // The 2024 release: Images/ and 'Disc Masks'/ side by side in each split, a __MACOSX twin.
  const fs::path palm = dir / "in2" / "PALM";
  const auto h2 = fundus("H0002", 44, 34, {box(30, 4, 41, 16, 1)});
  const auto t1 = fundus("T0001", 34, 40, {box(2, 20, 12, 31, 1)});
  write_photo(palm / "Training" / "Images" / "H0002.jpg", h2);
  write_mask(palm / "Training" / "Disc Masks" / "H0002.bmp", h2, kDiscValues);
  write_mask(palm / "Training" / "Lesion Masks" / "Atrophy" / "H0002.bmp",
             fundus("H0002", 44, 34, {box(1, 1, 20, 20, 1)}), kDiscValues);
  write_photo(palm / "Testing" / "Images" / "T0001.jpg", t1);
  write_mask(palm / "Testing" / "Disc Masks" / "T0001.bmp", t1, kDiscValues);
  write_photo(palm / "Validation" / "Images" / "V0003.jpg", t1);  // no mask
  write_apple_double(dir / "in2" / "__MACOSX" / "PALM" / "Training" / "Disc Masks" / "._H0002.bmp");
  const auto figshare = convert_dataset(dataset, dir / "in2", dir / "out2");
  expect_converted(figshare, expected_files_2d(dataset, kDisc, {h2, t1}));
  expect_pixels(dir / "out2", dataset, kDisc, {h2, t1});
  expect_background_silent(figshare, kDisc, {"H0002", "T0001"});
}

// ---------------------------------------------------------------------------------------------
// gamma and gamma3: GAMMA task 3, task3_disc_cup_segmentation/training/{'fundus color images'/
// NNNN.jpg, Disc_Cup_Mask/NNNN.png}; 0 cup, 128 disc rim, 255 background.

// 0001: the cup inside the disc, so the rim is one ring. 0002: a cup as wide as the disc cuts
// the rim in two (two rim instances, numbered by their first pixel), the disc stays one.
// 0003: all background.
std::vector<PlantedCase> gamma_cases(int shift) {
  const auto s = static_cast<std::size_t>(shift);
  return {fundus("0001", 44, 34, {box(10 + s, 6, 26 + s, 24, 2), box(15 + s, 11, 21 + s, 18, 1)}),
          fundus("0002", 36, 44, {box(6, 10 + s, 24, 30 + s, 2), box(6, 16 + s, 24, 22 + s, 1)}),
          fundus("0003", 44, 34, {})};
}

void write_gamma_task3(const fs::path& task3, const std::vector<PlantedCase>& cases) {
  for (const auto& c : cases) {
    write_photo(task3 / "training" / "fundus color images" / (c.name + ".jpg"), c);
    write_mask(task3 / "training" / "Disc_Cup_Mask" / (c.name + ".png"), c, kDiscCupValues);
  }
  // The test photographs have no masks.
  write_photo(task3 / "testing" / "fundus color images" / "0101.jpg", cases.front());
  write_apple_double(task3 / "training" / "Disc_Cup_Mask" / "._0001.png");
}

TEST(SecondWaveFundusDatasetsTest, GammaTask3CupRimAndTheWholeDiscNotTheOtherTasks) {
  TempDir dir;
  const fs::path gamma = dir / "in" / "GAMMA";
  const auto cases = gamma_cases(0);
  write_gamma_task3(gamma / "task3_disc_cup_segmentation", cases);
  // Task 1 (fundus photograph + OCT slices per sample) and its spreadsheet: never read.
  const fs::path task1 = gamma / "Glaucoma_grading" / "training";
  write_photo(task1 / "multi-modality_images" / "0001" / "0001.jpg", cases.front());
  write_volume<std::uint8_t>(task1 / "multi-modality_images" / "0001" / "0001" / "0001_1.jpg",
                             {32, 24, 1}, std::vector<std::uint8_t>(32 * 24, 90), 2);
  write_text_file(task1 / "glaucoma_grading_training_GT.xlsx", "data,non,early,mid_advanced\n");

  const auto got = convert_dataset("gamma", dir / "in", dir / "out");
  const std::vector<PlantedCase> labelled{cases[0], cases[1]};
  const auto want = expected_files_2d("gamma", kDiscCup, labelled);
  expect_converted(got, want);
  // Spelled out once: 0002's rim is two instances, its disc and cup one each.
  const std::string image = "fundus_photography--gamma--0002--2d_none";
  EXPECT_THAT(files_of_case(got.masks, "0002"),
              ElementsAre(image + "--" + class_id("optic_disc") + "_000.png",
                          image + "--" + class_id("optic_cup") + "_000.png",
                          image + "--" + class_id("optic_disc_rim") + "_000.png",
                          image + "--" + class_id("optic_disc_rim") + "_001.png"));
  expect_pixels(dir / "out", "gamma", kDiscCup, labelled);
  expect_background_silent(got, kDiscCup, {"0001", "0002"}, {"0003"});
  EXPECT_EQ(got.report.at("cases"), 3);
}

// gamma3: the AI Studio copy of task 3, --input at its training/ folder.
TEST(SecondWaveFundusDatasetsTest, Gamma3AiStudioTask3FromItsTrainingFolder) {
  TempDir dir;
  const fs::path task3 = dir / "in" / "task3_disc_cup_segmentation";
  const auto cases = gamma_cases(3);
  write_gamma_task3(task3, cases);
  write_text_file(task3 / "training" / "README.txt", "GAMMA task 3\n");

  const std::vector<PlantedCase> labelled{cases[0], cases[1]};
  const auto got = convert_dataset("gamma3", task3 / "training", dir / "out");
  expect_converted(got, expected_files_2d("gamma3", kDiscCup, labelled));
  expect_pixels(dir / "out", "gamma3", kDiscCup, labelled);
  expect_background_silent(got, kDiscCup, {"0001", "0002"}, {"0003"});
  // The whole download as --input: the same cases.
  const auto whole = convert_dataset("gamma3", dir / "in", dir / "out2");
  expect_converted(whole, expected_files_2d("gamma3", kDiscCup, labelled));
}

}  // namespace
}  // namespace samed2d::test
