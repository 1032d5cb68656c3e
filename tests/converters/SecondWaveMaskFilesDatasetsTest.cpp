// The bundled configs of the datasets whose classes come as one binary mask file per class
// ("masks"): Pulmonary_Chest_X-Ray_Abnormalities_seg (Montgomery left and right lung masks),
// EndoVis_2017_RIS (one mask folder per robotic instrument, pixel values coding its parts) and
// Brain_PTM (one NIfTI per white matter tract, tracts overlapping). Each runs on a miniature
// replica of the real download: the real folder and file names, formats and values that each
// config's description gives, with the files that must not be read beside them (the Shenzhen
// set without masks, Thumbs.db, right-eye frames, test videos and their later ground truth, the
// test cases' dummy tracts, brain masks, streamlines). Expected masks are computed from the boxes
// each test plants, class by class, never from the tool's output.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "support/DatasetReplica.hpp"
#include "support/DatasetRun.hpp"
#include "support/Matchers.hpp"
#include "support/PlantedCase.hpp"
#include "support/TestData.hpp"
#include "support/TwoD.hpp"

namespace samed2d::test {
namespace {

// ---- Pulmonary_Chest_X-Ray_Abnormalities_seg (Montgomery, datasets.md 29c) -------------------

// The Kaggle copy: Montgomery/MontgomerySet/{CXR_png,ManualMask/{leftMask,rightMask}} and the
// Shenzhen set (no masks) beside it. Images of both orientations, one 8-bit and one 16-bit
// (12-bit values), masks 0/255, Thumbs.db in CXR_png/ and leftMask/, clinical readings.
TEST(SecondWaveMaskFilesDatasetsTest, MontgomeryLeftAndRightLungFilesShenzhenNeverRead) {
  TempDir dir;
  const fs::path kaggle = dir / "in" / "pulmonary-chest-xray-abnormalities";
  const fs::path set = kaggle / "Montgomery" / "MontgomerySet";
  const std::string dataset = "Pulmonary_Chest_X-Ray_Abnormalities_seg";

  // Landscape 8-bit case: the lungs side by side.
  constexpr std::size_t w1 = 40, h1 = 30;
  const PixelBox right1{4, 26, 3, 17}, left1{5, 27, 23, 37};
  std::vector<std::uint8_t> grey(w1 * h1);
  for (std::size_t p = 0; p < grey.size(); ++p) grey[p] = static_cast<std::uint8_t>(p % 200 + 20);
  write_volume<std::uint8_t>(set / "CXR_png" / "MCUCXR_0001_0.png", {w1, h1, 1}, grey, 2);
  write_volume<std::uint8_t>(set / "ManualMask" / "leftMask" / "MCUCXR_0001_0.png", {w1, h1, 1},
                             painted(w1, h1, {left1}), 2);
  write_volume<std::uint8_t>(set / "ManualMask" / "rightMask" / "MCUCXR_0001_0.png", {w1, h1, 1},
                             painted(w1, h1, {right1}), 2);

  // Portrait 16-bit case with 12-bit values (normalized to 8-bit grey).
  constexpr std::size_t w2 = 30, h2 = 40;
  const PixelBox right2{6, 34, 2, 13}, left2{8, 36, 16, 28};
  std::vector<std::uint16_t> deep(w2 * h2);
  for (std::size_t p = 0; p < deep.size(); ++p) deep[p] = static_cast<std::uint16_t>(p * 3 % 4096);
  write_volume<std::uint16_t>(set / "CXR_png" / "MCUCXR_0002_1.png", {w2, h2, 1}, deep, 2);
  write_volume<std::uint8_t>(set / "ManualMask" / "leftMask" / "MCUCXR_0002_1.png", {w2, h2, 1},
                             painted(w2, h2, {left2}), 2);
  write_volume<std::uint8_t>(set / "ManualMask" / "rightMask" / "MCUCXR_0002_1.png", {w2, h2, 1},
                             painted(w2, h2, {right2}), 2);

  write_text_file(set / "CXR_png" / "Thumbs.db", "not an image");
  write_text_file(set / "ManualMask" / "leftMask" / "Thumbs.db", "not an image");
  write_text_file(set / "ClinicalReadings" / "MCUCXR_0001_0.txt", "Patient's Sex: F\n");
  // Shenzhen: images and readings, no masks at all; none is a case.
  const fs::path china = kaggle / "ChinaSet_AllFiles" / "ChinaSet_AllFiles";
  write_volume<std::uint8_t>(china / "CXR_png" / "CHNCXR_0001_0.png", {w1, h1, 1}, grey, 2);
  write_text_file(china / "CXR_png" / "Thumbs.db", "not an image");
  write_text_file(china / "ClinicalReadings" / "CHNCXR_0001_0.txt", "male 45yrs\nnormal\n");

  const auto d = convert_dataset(dataset, dir / "in", dir / "out");
  ASSERT_EQ(d.run.exit_code, 0) << d.run.err;
  EXPECT_EQ(d.report.at("cases"), 2);
  EXPECT_THAT(failures(d), IsEmpty());
  EXPECT_THAT(warnings_of(d, "MCUCXR_0001_0"), IsEmpty());
  EXPECT_EQ(d.mapping.size(), 2u);
  EXPECT_EQ(d.mapping["left_lung"], class_id("left_lung"));
  EXPECT_EQ(d.mapping["right_lung"], class_id("right_lung"));
  expect_2d_output(dir / "out", d,
                   {{image_name("x_ray", dataset, "MCUCXR_0001_0"),
                     1,
                     w1,
                     h1,
                     {{"left_lung", 0, {left1}}, {"right_lung", 0, {right1}}}},
                    {image_name("x_ray", dataset, "MCUCXR_0002_1"),
                     1,
                     w2,
                     h2,
                     {{"left_lung", 0, {left2}}, {"right_lung", 0, {right2}}}}});
  // The 8-bit image keeps its pixels.
  EXPECT_EQ(read_png(dir / "out" / "images" / image_name("x_ray", dataset, "MCUCXR_0001_0")).pixels,
            grey);
}

// ---- EndoVis_2017_RIS ----------------------------------------------------------------------

// A video frame scaled down from 1920x1080: RGB content inside a black border.
constexpr std::size_t kFrameW = 48, kFrameH = 27;

std::vector<std::uint8_t> video_frame(unsigned seed) {
  std::vector<std::uint8_t> v(kFrameW * kFrameH * 3, 0);
  for (std::size_t y = 1; y + 1 < kFrameH; ++y)
    for (std::size_t x = 8; x + 8 < kFrameW; ++x)
      for (std::size_t c = 0; c < 3; ++c)
        v[(y * kFrameW + x) * 3 + c] =
            static_cast<std::uint8_t>((y * 31 + x * 7 + c * 50 + seed) % 230 + 20);
  return v;
}

// An instrument mask: shaft (10), wrist (20) and claspers (30) side by side in one row band,
// touching, so they form one instrument. Returns the pixels and the instrument's outline.
std::pair<std::vector<std::uint8_t>, PixelBox> instrument(std::size_t row0, std::size_t row1,
                                                          std::size_t col0) {
  const PixelBox shaft{row0, row1, col0, col0 + 4}, wrist{row0, row1, col0 + 4, col0 + 6},
      claspers{row0, row1, col0 + 6, col0 + 8};
  return {painted_values(kFrameW, kFrameH, {{shaft, 10}, {wrist, 20}, {claspers, 30}}),
          PixelBox{row0, row1, col0, col0 + 8}};
}

void write_grey_frame(const fs::path& file, const std::vector<std::uint8_t>& values) {
  write_grey(file, kFrameW, kFrameH, values);
}

TEST(SecondWaveMaskFilesDatasetsTest, EndoVis2017OneClassPerInstrumentTypeOtherLabelsNeverWritten) {
  TempDir dir;
  const std::string dataset = "EndoVis_2017_RIS";
  const std::vector<std::uint8_t> empty(kFrameW * kFrameH, 0);

  // Video 1 (as instrument_1_4_training.zip may unpack, with its folder): Maryland bipolar,
  // two prograsp forceps (left and right) and a non-robotic instrument (Other_labels).
  const fs::path training = dir / "in" / "instrument_1_4_training";
  const fs::path v1 = training / "instrument_dataset_1";
  write_text_file(training / "mappings.json", R"({"Shaft": 10, "Wrist": 20, "Claspers": 30})");
  const auto [maryland, maryland_box] = instrument(2, 8, 10);
  const auto [left_pro, left_pro_box] = instrument(12, 18, 10);
  const auto [right_pro, right_pro_box] = instrument(12, 20, 28);
  const auto [right_pro1, right_pro1_box] = instrument(3, 9, 30);
  const PixelBox probe{20, 25, 14, 24};
  write_rgb_image(v1 / "left_frames" / "frame000.png", kFrameW, kFrameH, 3, video_frame(0));
  write_rgb_image(v1 / "left_frames" / "frame001.png", kFrameW, kFrameH, 3, video_frame(1));
  write_rgb_image(v1 / "right_frames" / "frame000.png", kFrameW, kFrameH, 3, video_frame(2));
  write_rgb_image(v1 / "right_frames" / "frame001.png", kFrameW, kFrameH, 3, video_frame(3));
  write_apple_double(v1 / "left_frames" / "._frame000.png");
  // One mask folder per instrument, each with the masks of both frames.
  const fs::path gt1 = v1 / "ground_truth";
  using Frame = std::vector<std::uint8_t>;
  for (const auto& [folder, frame000, frame001] :
       std::vector<std::tuple<std::string, Frame, Frame>>{
           {"Maryland_Bipolar_Forceps_labels", maryland, empty},
           {"Left_Prograsp_Forceps_labels", left_pro, left_pro},
           {"Right_Prograsp_Forceps_labels", right_pro, right_pro1},
           {"Other_labels", painted_values(kFrameW, kFrameH, {{probe, 10}}), empty}}) {
    write_grey_frame(gt1 / folder / "frame000.png", frame000);
    write_grey_frame(gt1 / folder / "frame001.png", frame001);
  }
  // A test frame of the same video unpacked into the same folder, with the later test ground
  // truth (BinarySegmentation, ...): not a training frame, never a case.
  write_rgb_image(v1 / "left_frames" / "frame225.png", kFrameW, kFrameH, 3, video_frame(4));
  write_grey_frame(gt1 / "BinarySegmentation" / "frame225.png", left_pro);
  write_grey_frame(gt1 / "TypeSegmentation" / "frame225.png", left_pro);

  // Video 7 unpacked without a training folder above it; its folders lack "_labels". The
  // bipolar forceps and the vessel sealer do not touch.
  const fs::path v7 = dir / "in" / "instrument_dataset_7";
  const auto [bipolar, bipolar_box] = instrument(4, 12, 9);
  const auto [sealer, sealer_box] = instrument(15, 24, 30);
  write_rgb_image(v7 / "left_frames" / "frame000.png", kFrameW, kFrameH, 3, video_frame(5));
  write_rgb_image(v7 / "right_frames" / "frame000.png", kFrameW, kFrameH, 3, video_frame(6));
  write_grey_frame(v7 / "ground_truth" / "Left_Bipolar_Forceps" / "frame000.png", bipolar);
  write_grey_frame(v7 / "ground_truth" / "Right_Vessel_Sealer" / "frame000.png", sealer);

  // Test videos: 9 (only in the test zips, frames from frame000) and a test zip's own folder.
  write_rgb_image(dir / "in" / "instrument_dataset_9" / "left_frames" / "frame000.png", kFrameW,
                  kFrameH, 3, video_frame(7));
  write_rgb_image(dir / "in" / "instrument_1_4_testing" / "instrument_dataset_2" / "left_frames" /
                      "frame000.png",
                  kFrameW, kFrameH, 3, video_frame(8));

  const auto d = convert_dataset(dataset, dir / "in", dir / "out");
  ASSERT_EQ(d.run.exit_code, 0) << d.run.err;
  EXPECT_EQ(d.report.at("cases"), 3);
  EXPECT_THAT(failures(d), IsEmpty());
  const auto img = [&](const std::string& c) { return image_name("endoscopy_00", dataset, c); };
  // Instances in row-major order of their first pixel: frame000's left prograsp (row 12, col 10)
  // before the right one (row 12, col 28); frame001's right one (row 3) before the left (row 12).
  expect_2d_output(
      dir / "out", d,
      {{img("instrument_dataset_1_frame000"),
        3,
        kFrameW,
        kFrameH,
        {{"bipolar_forceps", 0, {maryland_box}},
         {"prograsp_forceps", 0, {left_pro_box}},
         {"prograsp_forceps", 1, {right_pro_box}}}},
       {img("instrument_dataset_1_frame001"),
        3,
        kFrameW,
        kFrameH,
        {{"prograsp_forceps", 0, {right_pro1_box}}, {"prograsp_forceps", 1, {left_pro_box}}}},
       {img("instrument_dataset_7_frame000"),
        3,
        kFrameW,
        kFrameH,
        {{"bipolar_forceps", 0, {bipolar_box}}, {"vessel_sealer", 0, {sealer_box}}}}});
  // RGB frames are kept whole, border included.
  EXPECT_EQ(read_png(dir / "out" / "images" / img("instrument_dataset_7_frame000")).pixels,
            video_frame(5));
  // Other_labels (non-robotic instruments) is no class: never written, and, named in the config
  // as known, not reported on each of its hundreds of frames either.
  for (const std::string frame : {"instrument_dataset_1_frame000", "instrument_dataset_1_frame001"})
    EXPECT_THAT(warnings_of(d, frame), IsEmpty()) << frame;
  EXPECT_THAT(warnings_of(d, "instrument_dataset_7_frame000"), IsEmpty());
  EXPECT_EQ(d.mapping.size(), 3u);
}

// ---- Brain_PTM (BrainPTM 2021) ----------------------------------------------------------------

constexpr Size3 kPtmSize{12, 10, 8};

// One tract file: 1 inside its box (uint8), as a binary tract map.
void write_tract(const fs::path& file, const LabelBox& box) {
  write_label_volume(file, kPtmSize, {box});
}

TEST(SecondWaveMaskFilesDatasetsTest, BrainPtmOneFilePerTractOverlapsKeptTestDummiesNeverRead) {
  TempDir dir;
  const std::string dataset = "Brain_PTM";
  const fs::path root = dir / "in" / "BrainPTM2021";

  // case_1: all four tracts; the left CST and the left optic radiation share a block of voxels.
  const LabelBox or_left{{1, 1, 1}, {5, 8, 6}, 1}, or_right{{7, 1, 1}, {11, 8, 6}, 1},
      cst_left{{3, 5, 2}, {6, 10, 8}, 1}, cst_right{{8, 9, 0}, {11, 10, 3}, 1};
  // case_10: one of the cases without CST tracts.
  const LabelBox or_left10{{2, 2, 0}, {6, 9, 8}, 1}, or_right10{{8, 0, 3}, {12, 4, 7}, 1};

  for (const std::string c : {"case_1", "case_10"}) {
    const fs::path data = root / "sheba75_data_train" / c;
    write_image_volume(data / "T1.nii.gz", kPtmSize);
    write_4d_volume(data / "Diffusion.nii.gz", kPtmSize, 3);
    write_text_file(data / "Diffusion.bvals", "0 1000 1000\n");
    write_text_file(data / "Diffusion.bvecs", "0 1 0\n0 0 1\n0 0 0\n");
    // The brain mask is a binary map on the same grid: never a class.
    write_label_volume(data / "brain_mask.nii.gz", kPtmSize, {{{0, 0, 0}, {12, 10, 8}, 1}});
    write_text_file(root / "sheba75_streamlines_train" / c / "OR_left.trk", "TRACK streamlines");
  }
  const fs::path tracts = root / "sheba75_tracts_train";
  for (const auto& [file, box] :
       std::vector<std::pair<std::string, LabelBox>>{{"case_1/OR_left.nii.gz", or_left},
                                                     {"case_1/OR_right.nii.gz", or_right},
                                                     {"case_1/CST_left.nii.gz", cst_left},
                                                     {"case_1/CST_right.nii.gz", cst_right},
                                                     {"case_10/OR_left.nii.gz", or_left10},
                                                     {"case_10/OR_right.nii.gz", or_right10}})
    write_tract(tracts / file, box);
  write_apple_double(tracts / "case_1" / "._OR_left.nii.gz");

  // A test case: images and the dummy tracts of the test set, never read.
  const fs::path test = root / "sheba75_data_test" / "case_61";
  write_image_volume(test / "T1.nii.gz", kPtmSize);
  write_4d_volume(test / "Diffusion.nii.gz", kPtmSize, 3);
  write_tract(root / "sheba75_tracts_test_dummy" / "case_61" / "OR_left.nii.gz", or_left);
  write_tract(root / "sheba75_tracts_test_dummy" / "case_61" / "CST_left.nii.gz", cst_left);

  const auto d = convert_dataset(dataset, dir / "in", dir / "out", {"--axes", "x"});

  // Class by class from each tract's own file: every class keeps all its voxels, overlap
  // included, so a slice's masks of one class never depend on the other classes.
  const std::vector<std::string> modalities{"mr_t1", "mr_dwi"};
  const std::vector<std::tuple<std::string, std::string, LabelBox>> planted{
      {"case_1", "left_optic_radiation", or_left},
      {"case_1", "right_optic_radiation", or_right},
      {"case_1", "left_corticospinal_tract", cst_left},
      {"case_1", "right_corticospinal_tract", cst_right},
      {"case_10", "left_optic_radiation", or_left10},
      {"case_10", "right_optic_radiation", or_right10}};
  ExpectedFiles want;
  for (const auto& [case_name, class_name, box] : planted)
    add_expected(want, dataset, case_name, modalities, kPtmSize, {box}, {{class_name, {1}}});
  want.images.erase(std::unique(want.images.begin(), want.images.end()), want.images.end());
  expect_converted(d, want);
  EXPECT_EQ(d.report.at("cases"), 2);
  EXPECT_THAT(failures(d), IsEmpty());
  EXPECT_THAT(warnings_of(d, "case_1"), IsEmpty());
  EXPECT_EQ(d.mapping.size(), 4u);

  // Slice x_0003 of case_1 crosses the shared block: both masks hold it.
  const std::string stem = "mr_t1--Brain_PTM--case_1--x_0003";
  const auto optic = read_png(dir / "out" / "masks" /
                              (stem + "--" + class_id("left_optic_radiation") + "_000.png"));
  const auto cst = read_png(dir / "out" / "masks" /
                            (stem + "--" + class_id("left_corticospinal_tract") + "_000.png"));
  ASSERT_EQ(optic.width, kPtmSize[0]);
  ASSERT_EQ(optic.height, kPtmSize[1]);
  for (std::size_t j = 0; j < kPtmSize[1]; ++j)
    for (std::size_t i = 0; i < kPtmSize[0]; ++i) {
      const bool in_optic = i >= 1 && i < 5 && j >= 1 && j < 8;
      const bool in_cst = i >= 3 && i < 6 && j >= 5 && j < 10;
      EXPECT_EQ(optic.pixels[j * kPtmSize[0] + i], in_optic ? 255 : 0) << i << "," << j;
      EXPECT_EQ(cst.pixels[j * kPtmSize[0] + i], in_cst ? 255 : 0) << i << "," << j;
    }
}

}  // namespace
}  // namespace samed2d::test
