// End-to-end: the generic converter's layout options of the second wave, each on a tiny replica
// of the layout that needs it, with its malformed variants: "background" (fundus masks drawn
// black on white), "raters" (several annotators per case), "masks" (one mask file per class,
// the class in its path), a sequence's "resample" (an image on another grid than the label),
// and configs of datasets that are not convertible. Expected names come from the SPEC oracle
// (PlantedCase / expected_files) or are spelled out from the planted pixels.

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "support/ConfigRunTest.hpp"
#include "support/DatasetReplica.hpp"
#include "support/DatasetRun.hpp"
#include "support/Matchers.hpp"
#include "support/PlantedCase.hpp"
#include "support/TestData.hpp"
#include "support/TwoD.hpp"

namespace samed2d::test {
namespace {

class LayoutOptionsTest : public ConfigRunTest {};

std::vector<std::uint8_t> rgb_ramp(std::size_t w, std::size_t h) {
  std::vector<std::uint8_t> v(w * h * 3);
  for (std::size_t p = 0; p < v.size(); ++p) v[p] = static_cast<std::uint8_t>((p * 5 + 7) % 251);
  return v;
}

// ---- background -------------------------------------------------------------------------------

// ADAM / PALM / GAMMA optic disc masks: 0 is the disc, 128 the cup inside it (GAMMA), 255 the
// background. With "background": 255 the white is neither a class nor an unmapped value.
TEST_F(LayoutOptionsTest, BackgroundValueMakesAWhiteBackgroundNeitherClassNorWarning) {
  const std::size_t w = 40, h = 30;
  write_rgb_image(input / "Images" / "g0001.png", w, h, 3, rgb_ramp(w, h));
  auto mask = painted(w, h, {{5, 25, 8, 30}}, 0, 255);
  for (std::size_t r = 10; r < 18; ++r)
    for (std::size_t c = 12; c < 22; ++c) mask[r * w + c] = 128;
  write_volume<std::uint8_t>(input / "Disc_Cup_Masks" / "g0001.png", {w, h, 1}, mask, 2);
  const auto ok = convert_to(R"({"dataset": "gamma", "cases": "**/Images/*.png",
      "modality": "fundus_photography",
      "label": "{dir}/../Disc_Cup_Masks/{name}", "background": 255,
      "labels": {"0": "optic_disc", "128": "optic_cup"}})",
                             out);
  ASSERT_EQ(ok.run.exit_code, 0) << ok.run.err;
  const std::string image = "fundus_photography--gamma--g0001--2d_none.png";
  EXPECT_THAT(ok.images, ElementsAre(image));
  // Class ids ascend: optic_disc before optic_cup in the registry.
  EXPECT_THAT(ok.masks,
              ElementsAre(mask_name(image, "optic_disc", 0), mask_name(image, "optic_cup", 0)));
  const auto disc = read_png(out / "masks" / mask_name(image, "optic_disc", 0));
  std::vector<std::uint8_t> want_disc(w * h, 0);
  for (std::size_t p = 0; p < w * h; ++p) want_disc[p] = mask[p] == 0 ? 255 : 0;
  EXPECT_EQ(disc.pixels, want_disc);  // the ring around the cup: value 0 only
  const auto cup = read_png(out / "masks" / mask_name(image, "optic_cup", 0));
  EXPECT_EQ(cup.pixels, painted(w, h, {{10, 18, 12, 22}}));
  EXPECT_THAT(ok.run.err, Not(HasSubstr("not in the config's")));
  EXPECT_THAT(warnings_of(ok, "g0001"), IsEmpty());
}

TEST_F(LayoutOptionsTest, InvertedMaskThatIsAllBackgroundGivesNoImageAndNoUnmappedWarning) {
  const std::size_t w = 24, h = 20;
  write_rgb_image(input / "fundus" / "P0001.png", w, h, 3, rgb_ramp(w, h));
  write_volume<std::uint8_t>(input / "masks" / "P0001.png", {w, h, 1},
                             std::vector<std::uint8_t>(w * h, 255), 2);
  write_rgb_image(input / "fundus" / "P0002.png", w, h, 3, rgb_ramp(w, h));
  write_volume<std::uint8_t>(input / "masks" / "P0002.png", {w, h, 1},
                             painted(w, h, {{4, 12, 4, 12}}, 0, 255), 2);
  const auto d = convert_to(R"({"dataset": "PALM19", "cases": "**/fundus/*.png",
      "modality": "fundus_photography", "label": "{dir}/../masks/{name}", "background": 255,
      "labels": {"0": "optic_disc"}})",
                            out);
  ASSERT_EQ(d.run.exit_code, 0) << d.run.err;
  EXPECT_THAT(d.images, ElementsAre("fundus_photography--PALM19--P0002--2d_none.png"));
  EXPECT_THAT(files_of_case(d.images, "P0001"), IsEmpty());
  EXPECT_THAT(d.run.err, Not(HasSubstr("not in the config's \"labels\"")));
  for (const auto& line : warnings_of(d, "P0001")) EXPECT_THAT(line, Not(HasSubstr("255")));
}

TEST_F(LayoutOptionsTest, BackgroundThatIsAlsoAClassIsAConfigError) {
  fs::create_directories(input);
  const auto d = convert_to(R"({"dataset": "PALM19", "cases": "**/*.png", "modality": "x_ray",
      "label": "{path}", "background": 255, "labels": {"255": "optic_disc"}})",
                            out);
  EXPECT_EQ(d.run.exit_code, 2);
  EXPECT_THAT(d.run.err, HasSubstr("\"background\" is 255, which \"labels\" maps"));
}

// ---- raters -----------------------------------------------------------------------------------

constexpr Size3 kSize{12, 10, 8};
const LabelBox kP{{1, 1, 1}, {4, 4, 4}, 1};   // raters 1 and 2
const LabelBox kQ{{6, 5, 2}, {10, 9, 6}, 1};  // raters 2 and 3
const LabelBox kR{{1, 6, 5}, {4, 9, 8}, 1};   // rater 3 alone
const LabelBox kK{{6, 1, 5}, {10, 4, 8}, 2};  // value 2, rater 1 alone

// The ISBI 2015 MS layout: training01_01_flair_pp.nii + training01_01_mask1.nii / mask2.nii, here
// with three raters (QUBIQ has up to seven).
void write_rater_case(const fs::path& folder, const std::string& stem, bool third = true) {
  PlantedCase image{stem, "mr_flair", kSize, {}};
  image.write_image(folder / (stem + "_flair_pp.nii"));
  PlantedCase{stem, "mr_flair", kSize, {kP, kK}}.write_label(folder / (stem + "_mask1.nii"));
  PlantedCase{stem, "mr_flair", kSize, {kP, kQ}}.write_label(folder / (stem + "_mask2.nii"));
  if (third)
    PlantedCase{stem, "mr_flair", kSize, {kQ, kR}}.write_label(folder / (stem + "_mask3.nii"));
}

std::string rater_config(const std::string& combine, const std::string& extra = "") {
  return fmt::format(R"({{"dataset": "LongitudinalMultipleSclerosisLesionSegmentation",
      "cases": "**/*_flair_pp.nii", "case_name": "{{stem%_flair_pp}}", "modality": "mr_flair",
      "raters": {{"files": {{"1": "{{dir}}/{{stem%_flair_pp}}_mask1.nii",
                             "2": "{{dir}}/{{stem%_flair_pp}}_mask2.nii",
                             "3": "{{dir}}/{{stem%_flair_pp}}_mask3.nii"}},
                  "combine": "{}"{}}},
      "labels": {{"1": "multiple_sclerosis_lesion", "2": "stroke_lesion"}}}})",
                     combine, extra);
}

ClassValues rater_classes() {
  return {{"multiple_sclerosis_lesion", {1}}, {"stroke_lesion", {2}}};
}

TEST_F(LayoutOptionsTest, RatersCombineByMajorityUnionOrOneNamedRater) {
  write_rater_case(input / "training" / "masks", "training01_01");
  const std::string ds = "LongitudinalMultipleSclerosisLesionSegmentation";
  auto want = [&](std::vector<LabelBox> boxes) {
    return expected_files(ds, rater_classes(), {{"training01_01", "mr_flair", kSize, boxes}});
  };
  // Majority of three: P (2 votes) and Q (2 votes); R and K have one vote each.
  expect_converted(convert_to(rater_config("majority"), dir / "majority", {"--axes", "x"}),
                   want({kP, kQ}));
  expect_converted(convert_to(rater_config("union"), dir / "union", {"--axes", "x"}),
                   want({kP, kK, kQ, kR}));
  expect_converted(convert_to(rater_config("rater:1"), dir / "rater1", {"--axes", "x"}),
                   want({kP, kK}));
  // Per class: the lesion by majority, value 2 by union (rater 1's K survives).
  expect_converted(
      convert_to(rater_config("majority", R"(, "per_class": {"stroke_lesion": "union"})"),
                 dir / "per_class", {"--axes", "x"}),
      want({kP, kQ, kK}));
}

TEST_F(LayoutOptionsTest, MissingRaterFailsItsCaseAndMinRatersLetsItThrough) {
  write_rater_case(input / "training", "training01_01");
  write_rater_case(input / "training", "training02_01", false);
  const std::string ds = "LongitudinalMultipleSclerosisLesionSegmentation";
  const auto d = convert_to(rater_config("majority"), out);
  EXPECT_EQ(d.run.exit_code, 1);
  expect_one_failure(
      d, {"training02_01",
          "3 (" + (input / "training" / "training02_01_mask3.nii").lexically_normal().string()});
  EXPECT_EQ(lines_naming(d.run.err, "training02_01_mask3.nii"), 1u) << d.run.err;
  EXPECT_THAT(files_of_case(d.images, "training01_01"), Not(IsEmpty()));
  EXPECT_THAT(files_of_case(d.images, "training02_01"), IsEmpty());

  // With two raters enough, the case is the majority of the two present: both (P only).
  const auto two =
      convert_to(rater_config("majority", R"(, "min_raters": 2)"), dir / "two", {"--axes", "x"});
  expect_converted(two, expected_files(ds, rater_classes(),
                                       {{"training01_01", "mr_flair", kSize, {kP, kQ}},
                                        {"training02_01", "mr_flair", kSize, {kP}}}));
  // A rule naming the missing rater fails the case, naming the file.
  const auto named = convert_to(rater_config("rater:3", R"(, "min_raters": 2)"), dir / "named");
  EXPECT_EQ(named.run.exit_code, 1);
  EXPECT_THAT(named.run.err, HasSubstr("rater 3's label file is missing"));
}

// LNDb: each radiologist numbers the findings of a CT himself (mask value = finding id), so two
// radiologists marking one nodule store different values. Votes count by class, not by value.
TEST_F(LayoutOptionsTest, RatersVoteByClassSoFindingsNumberedDifferentlyAgree) {
  const fs::path masks = input / "masks";
  PlantedCase{.name = "LNDb-0001", .size = kSize}.write_image(input / "data0" / "LNDb-0001.mhd");
  PlantedCase{.name = "LNDb-0001",
              .size = kSize,
              .boxes = {{{1, 1, 1}, {4, 4, 4}, 3}, {{6, 5, 2}, {10, 9, 6}, 4}}}
      .write_label(masks / "LNDb-0001_rad1.mhd");
  PlantedCase{.name = "LNDb-0001", .size = kSize, .boxes = {{{1, 1, 1}, {4, 4, 4}, 7}}}.write_label(
      masks / "LNDb-0001_rad2.mhd");
  const auto d = convert_to(R"({"dataset": "LNDb", "cases": "**/masks/LNDb-*_rad1.mhd",
      "case_name": "{stem%_rad1}",
      "sequences": [{"image": "*/{stem%_rad1}.mhd", "modality": "ct_00"}],
      "raters": {"files": {"1": "{dir}/{stem%_rad1}_rad1.mhd", "2": "{dir}/{stem%_rad1}_rad2.mhd"},
                 "combine": "majority"},
      "labels": {"1..255": "lung_nodule"}})",
                            out, {"--axes", "x"});
  // Both marked the first nodule (ids 3 and 7): kept; the second only by radiologist 1: dropped.
  expect_converted(d, expected_files("LNDb", {{"lung_nodule", {1}}},
                                     {{"LNDb-0001", "ct_00", kSize, {{{1, 1, 1}, {4, 4, 4}, 1}}}}));
}

TEST_F(LayoutOptionsTest, RaterConfigMistakesAreConfigErrors) {
  fs::create_directories(input);
  EXPECT_THAT(convert_to(rater_config("most"), out).run.err, HasSubstr("\"raters.combine\" is"));
  EXPECT_THAT(convert_to(rater_config("rater:9"), out).run.err, HasSubstr("names rater \"9\""));
  EXPECT_THAT(convert_to(rater_config("union", R"(, "min_raters": 4)"), out).run.err,
              HasSubstr("\"raters.min_raters\" is 4"));
  const auto both = convert_to(R"({"dataset": "QUBIQ2020", "cases": "**/image.nii.gz",
      "modality": "ct_00", "label": "{dir}/seg.nii.gz",
      "raters": {"files": {"1": "{dir}/a.nii.gz", "2": "{dir}/b.nii.gz"}, "combine": "union"},
      "labels": {"1": "kidney"}})",
                               out);
  EXPECT_EQ(both.run.exit_code, 2);
  EXPECT_THAT(both.run.err, HasSubstr("\"label\" and \"raters\" are both given"));
}

// ---- masks: one file per class ----------------------------------------------------------------

// Montgomery: CXR_png/X.png with ManualMask/leftMask/X.png and rightMask/X.png. The masks here
// overlap in one column band, which both classes keep (white-matter tracts cross the same way).
TEST_F(LayoutOptionsTest, MaskFilePerClassNamedByItsFolderKeepsOverlaps) {
  const std::size_t w = 40, h = 32;
  const fs::path set = input / "MontgomerySet";
  write_volume<std::uint8_t>(set / "CXR_png" / "MCUCXR_0001_0.png", {w, h, 1},
                             painted(w, h, {{0, h / 2, 0, w}}, 90, 30), 2);
  write_volume<std::uint8_t>(set / "ManualMask" / "leftMask" / "MCUCXR_0001_0.png", {w, h, 1},
                             painted(w, h, {{4, 28, 22, 36}}), 2);
  write_volume<std::uint8_t>(set / "ManualMask" / "rightMask" / "MCUCXR_0001_0.png", {w, h, 1},
                             painted(w, h, {{4, 28, 4, 24}}), 2);
  // A folder no class pattern names: reported, never written; one mapped to null: known to be no
  // class, neither written nor reported.
  write_volume<std::uint8_t>(set / "ManualMask" / "heartMask" / "MCUCXR_0001_0.png", {w, h, 1},
                             painted(w, h, {{10, 20, 10, 20}}), 2);
  write_volume<std::uint8_t>(set / "ManualMask" / "otherMask" / "MCUCXR_0001_0.png", {w, h, 1},
                             painted(w, h, {{12, 22, 12, 22}}), 2);
  const auto d = convert_to(R"({"dataset": "Pulmonary_Chest_X-Ray_Abnormalities_seg",
      "cases": "**/CXR_png/*.png", "modality": "x_ray",
      "masks": {"files": "{dir}/../ManualMask/*/{name}",
                "classes": {"**/leftMask/*": "left_lung", "**/rightMask/*": "right_lung",
                            "**/otherMask/*": null}},
      "unions": {"lung": ["left_lung", "right_lung"]}})",
                            out);
  ASSERT_EQ(d.run.exit_code, 0) << d.run.err;
  const std::string image =
      "x_ray--Pulmonary_Chest_X-Ray_Abnormalities_seg--MCUCXR_0001_0--2d_none.png";
  EXPECT_THAT(d.images, ElementsAre(image));
  // Registry order: left_lung, right_lung and lung by their ids.
  std::vector<std::pair<std::string, std::vector<std::uint8_t>>> want{
      {"left_lung", painted(w, h, {{4, 28, 22, 36}})},
      {"right_lung", painted(w, h, {{4, 28, 4, 24}})},
      {"lung", painted(w, h, {{4, 28, 4, 36}})}};
  std::sort(want.begin(), want.end(),
            [](const auto& a, const auto& b) { return class_id(a.first) < class_id(b.first); });
  std::vector<std::string> names;
  for (const auto& [cls, pixels] : want) names.push_back(mask_name(image, cls, 0));
  EXPECT_EQ(d.masks, names);
  for (const auto& [cls, pixels] : want)
    EXPECT_EQ(read_png(out / "masks" / mask_name(image, cls, 0)).pixels, pixels) << cls;
  const auto warnings = warnings_of(d, "MCUCXR_0001_0");
  ASSERT_EQ(warnings.size(), 1u) << ::testing::PrintToString(warnings);
  EXPECT_THAT(warnings[0], HasSubstr("heartMask"));
}

// QUBIQ: every task of a case has one binary file per rater (task01_seg01 ... task01_seg03); with
// "combine": "majority" the files of one class vote, so a voxel is the class where at least two
// of three raters marked it; each task is its own class.
TEST_F(LayoutOptionsTest, MaskFilesOfOneClassVoteWithMajority) {
  const fs::path c = input / "prostate" / "Training" / "case01";
  PlantedCase{"case01", "mr_00", kSize, {}}.write_image(c / "image.nii.gz");
  const LabelBox a{{1, 1, 1}, {5, 5, 4}, 1}, b{{3, 1, 1}, {8, 5, 4}, 1}, z{{1, 6, 5}, {4, 9, 8}, 1};
  PlantedCase{"case01", "mr_00", kSize, {a}}.write_label(c / "task01_seg01.nii.gz");
  PlantedCase{"case01", "mr_00", kSize, {b}}.write_label(c / "task01_seg02.nii.gz");
  PlantedCase{"case01", "mr_00", kSize, {a, z}}.write_label(c / "task01_seg03.nii.gz");
  PlantedCase{"case01", "mr_00", kSize, {z}}.write_label(c / "task02_seg01.nii.gz");
  PlantedCase{"case01", "mr_00", kSize, {}}.write_label(c / "task02_seg02.nii.gz");
  const std::string config = R"({"dataset": "QUBIQ2020", "cases": "**/Training/case*/image.nii.gz",
      "case_name": "{parent}", "modality": "mr_00",
      "masks": {"files": "{dir}/task*_seg*.nii.gz", "combine": "COMBINE",
                "classes": {"**/task01_*": "prostate", "**/task02_*": "prostate_transition_zone"}}})";
  auto with = [&](const std::string& combine) {
    std::string text = config;
    text.replace(text.find("COMBINE"), 7, combine);
    return text;
  };
  // Majority: task01 where a (2 votes: seg01, seg03) or a and b overlap; b alone and z (one vote
  // each) are dropped; task02 has 2 files and z in one of them: dropped.
  const auto majority = convert_to(with("majority"), dir / "majority", {"--axes", "x"});
  expect_converted(majority, expected_files("QUBIQ2020", {{"prostate", {1}}},
                                            {{"case01", "mr_00", kSize, {a}}}));
  const auto united = convert_to(with("union"), dir / "union", {"--axes", "x"});
  // z is in task01 (seg03) and in task02 (seg01): under union both classes hold it (value 3 of
  // the oracle belongs to both), which one label value per voxel from a single file could not say.
  expect_converted(
      united,
      expected_files(
          "QUBIQ2020", {{"prostate", {1, 3}}, {"prostate_transition_zone", {3}}},
          {{"case01", "mr_00", kSize, {{a.lo, a.hi, 1}, {b.lo, b.hi, 1}, {z.lo, z.hi, 3}}}}));
}

TEST_F(LayoutOptionsTest, MaskFileOfAnotherSizeFailsItsCase) {
  const fs::path set = input / "MontgomerySet";
  write_volume<std::uint8_t>(set / "CXR_png" / "MCUCXR_0002_1.png", {20, 16, 1},
                             std::vector<std::uint8_t>(320, 50), 2);
  write_volume<std::uint8_t>(set / "ManualMask" / "leftMask" / "MCUCXR_0002_1.png", {20, 16, 1},
                             painted(20, 16, {{2, 10, 2, 10}}), 2);
  write_volume<std::uint8_t>(set / "ManualMask" / "rightMask" / "MCUCXR_0002_1.png", {16, 16, 1},
                             painted(16, 16, {{2, 10, 2, 10}}), 2);
  const auto d = convert_to(R"({"dataset": "Pulmonary_Chest_X-Ray_Abnormalities_seg",
      "cases": "**/CXR_png/*.png", "modality": "x_ray",
      "masks": {"files": "{dir}/../ManualMask/*/{name}",
                "classes": {"**/leftMask/*": "left_lung", "**/rightMask/*": "right_lung"}}})",
                            out);
  EXPECT_EQ(d.run.exit_code, 1);
  expect_one_failure(d, {"rightMask"});
  EXPECT_THAT(d.images, IsEmpty());
}

// ---- resample ---------------------------------------------------------------------------------

// PI-CAI: the label is on the T2W grid (1 mm here), the ADC on a 2 mm grid with the same origin.
// ADC voxel value 20 * i, i.e. 10 per mm, so linear interpolation gives 10 * x on the T2W grid
// (x <= 10 mm; beyond the last ADC centre ITK's interpolator holds the edge value, 100).
void write_picai_case(const fs::path& root, std::array<double, 3> adc_origin) {
  const std::string id = "10000_1000000";
  const fs::path images = root / "images" / "10000";
  PlantedCase t2w{id, "mr_t2w", kSize, {}};
  t2w.write_image(images / (id + "_t2w.mha"));
  std::vector<float> adc(6 * 5 * 4);
  for (std::size_t k = 0; k < 4; ++k)
    for (std::size_t j = 0; j < 5; ++j)
      for (std::size_t i = 0; i < 6; ++i) adc[i + 6 * (j + 5 * k)] = static_cast<float>(20 * i);
  write_volume<float>(images / (id + "_adc.mha"), {6, 5, 4}, adc, 3, {2, 2, 2}, adc_origin);
  PlantedCase{id, "mr_t2w", kSize, {{{2, 2, 2}, {9, 8, 6}, 2}}}.write_label(
      root / "picai_labels" / "csPCa_lesion_delineations" / "human_expert" / "resampled" /
      (id + ".nii.gz"));
}

const char* kPicaiConfig = R"({"dataset": "picai_baseline",
    "cases": "picai_labels/**/human_expert/resampled/*.nii.gz", "case_name": "{stem}",
    "sequences": [
      {"image": "images/*/{stem}_t2w.mha", "modality": "mr_t2w"},
      {"image": "images/*/{stem}_adc.mha", "modality": "mr_adc",
       "resample": "linear"}],
    "label": "{path}", "labels": {"2..5": "prostate_cancer"}})";

TEST_F(LayoutOptionsTest, SequenceOnAnotherGridIsResampledLinearlyOntoTheLabelGrid) {
  write_picai_case(input, {0, 0, 0});
  const auto d = convert_to(kPicaiConfig, out, {"--axes", "x"});
  ASSERT_EQ(d.run.exit_code, 0) << d.run.err;
  const PlantedCase labelled{"10000_1000000", "mr_t2w", kSize, {{{2, 2, 2}, {9, 8, 6}, 2}}};
  auto want = expected_files("picai_baseline", {{"prostate_cancer", {2, 3, 4, 5}}}, {labelled});
  add_expected(want, "picai_baseline", "10000_1000000", {"mr_adc"}, kSize, labelled.boxes,
               {{"prostate_cancer", {2, 3, 4, 5}}});
  expect_converted(d, want);
  // Slice x_0003 of the ADC: every row is 10 * i for i <= 10, then 100; min 0, max 100.
  const auto png = read_png(out / "images" / "mr_adc--picai_baseline--10000_1000000--x_0003.png");
  ASSERT_EQ(png.width, kSize[0]);
  ASSERT_EQ(png.height, kSize[1]);
  for (std::size_t r = 0; r < png.height; ++r)
    for (std::size_t c = 0; c < png.width; ++c) {
      const double v = 10.0 * static_cast<double>(std::min<std::size_t>(c, 10));
      const auto expected = static_cast<int>(std::floor((v - 0.0) * 255.0 / (100.0 - 0.0)));
      ASSERT_EQ(png.pixels[(r * png.width + c) * 3], expected) << "row " << r << " col " << c;
    }
}

TEST_F(LayoutOptionsTest, SequenceThatDoesNotCoverTheLabelGridFailsItsCase) {
  write_picai_case(input, {5, 0, 0});  // the ADC starts 5 mm to the right of the label grid
  const auto d = convert_to(kPicaiConfig, out, {"--axes", "x"});
  EXPECT_EQ(d.run.exit_code, 1);
  expect_one_failure(d, {"_adc.mha: does not cover the label map"});
  EXPECT_THAT(d.images, IsEmpty());
}

TEST_F(LayoutOptionsTest, SequenceAlreadyOnTheLabelGridIsNotTouched) {
  // The ADC on the T2W grid: with or without "resample" the same bytes.
  const std::string id = "10001_1000001";
  const fs::path images = input / "images" / "10001";
  PlantedCase c{id, "mr_t2w", kSize, {{{2, 2, 2}, {9, 8, 6}, 3}}};
  c.write_image(images / (id + "_t2w.mha"));
  c.write_image<float>(images / (id + "_adc.mha"));
  c.write_label(input / "picai_labels" / "csPCa_lesion_delineations" / "human_expert" /
                "resampled" / (id + ".nii.gz"));
  const auto with = convert_to(kPicaiConfig, dir / "with", {"--axes", "x"});
  std::string without_text = kPicaiConfig;
  without_text.replace(without_text.find(",\n       \"resample\": \"linear\""),
                       std::string(",\n       \"resample\": \"linear\"").size(), "");
  const auto without = convert_to(without_text, dir / "without", {"--axes", "x"});
  ASSERT_EQ(with.run.exit_code, 0) << with.run.err;
  ASSERT_EQ(with.images, without.images);
  ASSERT_FALSE(with.images.empty());
  for (const auto& name : with.images)
    EXPECT_EQ(read_bytes(dir / "with" / "images" / name),
              read_bytes(dir / "without" / "images" / name))
        << name;
}

// ---- not convertible --------------------------------------------------------------------------

TEST_F(LayoutOptionsTest, NotConvertibleDatasetIsListedWithItsReasonAndRefusedWithExit2) {
  const fs::path configs = dir / "configs";
  fs::create_directories(configs / "datasets");
  fs::copy(source_dir() / "configs" / "classes.json", configs / "classes.json");
  fs::copy(source_dir() / "configs" / "profiles", configs / "profiles");
  fs::copy(source_dir() / "configs" / "datasets" / "ACDC.json", configs / "datasets");
  write_text_file(configs / "datasets" / "cranium.json",
                  R"({"dataset": "cranium", "converter": "not_convertible",
                      "reason": "no public source of this name could be identified",
                      "description": "checked the paper's table"})");
  setenv("SAMED2D_CONFIG_DIR", configs.c_str(), 1);
  const auto list = run_samed2d({"list"});
  const auto one = run_samed2d({"list", "cranium"});
  fs::create_directories(input);
  const auto run = run_samed2d(
      {"convert", "--dataset", "cranium", "--input", input.string(), "--output", out.string()});
  unsetenv("SAMED2D_CONFIG_DIR");
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_THAT(list.out, HasSubstr("not convertible"));
  EXPECT_THAT(list.out, HasSubstr("cranium: no public source of this name could be identified"));
  EXPECT_THAT(list.out, HasSubstr("ACDC"));
  EXPECT_EQ(one.exit_code, 0);
  EXPECT_THAT(one.out, HasSubstr("not convertible: no public source"));
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err,
              HasSubstr("cranium is not convertible: no public source of this name could be "
                        "identified"));
  EXPECT_FALSE(fs::exists(out / "images"));
}

}  // namespace
}  // namespace samed2d::test
