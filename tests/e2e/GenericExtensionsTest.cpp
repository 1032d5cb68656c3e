// End-to-end: the samed2d binary with configs that use the generic converter's extensions
// (mask unions, label_threshold, label ranges, modality_rules, NIfTI twins, exclude, brace
// alternatives, components), each on a tiny replica of the dataset layout that needs it.

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <itkImage.h>
#include <itkImageFileReader.h>
#include <itkRGBPixel.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "support/ConfigRunTest.hpp"
#include "support/DatasetReplica.hpp"
#include "support/DatasetRun.hpp"
#include "support/Matchers.hpp"
#include "support/TestData.hpp"
#include "support/TwoD.hpp"

namespace samed2d::test {
namespace {

class GenericExtensionsTest : public ConfigRunTest {};

// A grey W x H image with a ramp, as a 2D PNG.
void write_grey_png(const fs::path& file, std::size_t w, std::size_t h) {
  std::vector<std::uint8_t> img(w * h);
  for (std::size_t p = 0; p < w * h; ++p) img[p] = static_cast<std::uint8_t>(p * 3);
  write_volume(file, {w, h, 1}, img, 2);
}

// An RGB mask with three equal channels, 255 inside the box [r0, r1) x [c0, c1), as BUSI ships.
std::vector<std::uint8_t> rgb_box(std::size_t w, std::size_t h, std::size_t r0, std::size_t r1,
                                  std::size_t c0, std::size_t c1) {
  return repeat_channels(painted(w, h, {{r0, r1, c0, c1}}), 3);
}

// The pixels of a grey mask PNG that are set, as indices.
std::vector<std::size_t> set_pixels(const fs::path& png) {
  const auto img = read_png(png);
  std::vector<std::size_t> on;
  for (std::size_t p = 0; p < img.pixels.size(); ++p)
    if (img.pixels[p] != 0) on.push_back(p);
  return on;
}

std::vector<std::size_t> box_pixels(std::size_t w, std::size_t r0, std::size_t r1, std::size_t c0,
                                    std::size_t c1) {
  std::vector<std::size_t> on;
  for (std::size_t r = r0; r < r1; ++r)
    for (std::size_t c = c0; c < c1; ++c) on.push_back(r * w + c);
  return on;
}

TEST_F(GenericExtensionsTest, BusiMasksOfACaseAreUnited) {
  const std::size_t W = 40, H = 30;
  const fs::path benign = input / "Dataset_BUSI_with_GT" / "benign";
  write_grey_png(benign / "benign (1).png", W, H);
  write_rgb_image(benign / "benign (1)_mask.png", W, H, 3, rgb_box(W, H, 2, 10, 3, 12));
  write_rgb_image(benign / "benign (1)_mask_1.png", W, H, 3, rgb_box(W, H, 15, 25, 20, 35));
  write_grey_png(benign / "benign (10).png", W, H);
  write_rgb_image(benign / "benign (10)_mask.png", W, H, 3, rgb_box(W, H, 5, 20, 5, 30));
  const auto d = convert(R"({"dataset": "BUSI", "cases": "Dataset_BUSI_with_GT/*/*.png",
      "exclude": "**/*_mask*.png", "modality": "ultrasound_00",
      "label": "{dir}/{stem}_mask*.png", "labels": {"255": "breast_tumor"}})");
  ASSERT_EQ(d.run.exit_code, 0) << d.run.err;
  const std::string b1 = image_name("ultrasound_00", "BUSI", "benign_(1)");
  const std::string b10 = image_name("ultrasound_00", "BUSI", "benign_(10)");
  EXPECT_THAT(d.images, ElementsAre(b1, b10));
  // benign (1): one instance from each mask file; benign (10): its own mask only.
  EXPECT_THAT(d.masks,
              ElementsAre(mask_name(b1, "breast_tumor", 0), mask_name(b1, "breast_tumor", 1),
                          mask_name(b10, "breast_tumor", 0)));
  auto united = set_pixels(out / "masks" / d.masks[0]);
  const auto second = set_pixels(out / "masks" / d.masks[1]);
  united.insert(united.end(), second.begin(), second.end());
  std::sort(united.begin(), united.end());
  auto want = box_pixels(W, 2, 10, 3, 12);
  const auto want_second = box_pixels(W, 15, 25, 20, 35);
  want.insert(want.end(), want_second.begin(), want_second.end());
  std::sort(want.begin(), want.end());
  EXPECT_EQ(united, want);
  EXPECT_EQ(set_pixels(out / "masks" / d.masks[2]), box_pixels(W, 5, 20, 5, 30));
  EXPECT_THAT(d.report["failed"], IsEmpty());
}

TEST_F(GenericExtensionsTest, UnitedMaskFilesOfDifferentSizesFailTheCase) {
  const fs::path benign = input / "benign";
  write_grey_png(benign / "benign (2).png", 40, 30);
  write_rgb_image(benign / "benign (2)_mask.png", 40, 30, 3, rgb_box(40, 30, 2, 10, 3, 12));
  write_rgb_image(benign / "benign (2)_mask_1.png", 41, 30, 3, rgb_box(41, 30, 2, 10, 3, 12));
  const auto d = convert(R"({"dataset": "BUSI", "cases": "*/*.png", "exclude": "**/*_mask*",
      "modality": "ultrasound_00", "label": "{dir}/{stem}_mask*.png",
      "labels": {"255": "breast_tumor"}})");
  EXPECT_EQ(d.run.exit_code, 1) << d.run.err;
  EXPECT_THAT(d.images, IsEmpty());
  ASSERT_EQ(d.report["failed"].size(), 1u) << d.report.dump(2);
  EXPECT_THAT(d.report["failed"][0]["reason"].get<std::string>(),
              AllOf(HasSubstr("benign (2)_mask_1.png: label file is 41x30x1 but"),
                    HasSubstr("benign (2)_mask.png of the same case is 40x30x1")));
}

// Kvasir-SEG: RGB JPEG images with JPEG masks whose edges hold in-between values.
TEST_F(GenericExtensionsTest, KvasirJpegMaskIsThresholdedOnTheMeanOfItsChannels) {
  const std::size_t W = 64, H = 48;
  std::vector<std::uint8_t> image(W * H * 3);
  for (std::size_t p = 0; p < image.size(); ++p) image[p] = static_cast<std::uint8_t>(p * 5);
  // A near-white polyp (block-aligned, so JPEG keeps it well away from the threshold) and a
  // saturated red block: its mean (about 67) is below 128 although its red channel is not.
  std::vector<std::uint8_t> mask(W * H * 3, 0);
  for (std::size_t r = 8; r < 32; ++r)
    for (std::size_t c = 16; c < 40; ++c) {
      mask[(r * W + c) * 3 + 0] = 250;
      mask[(r * W + c) * 3 + 1] = 255;
      mask[(r * W + c) * 3 + 2] = 245;
    }
  for (std::size_t r = 32; r < 48; ++r)
    for (std::size_t c = 48; c < 64; ++c) mask[(r * W + c) * 3] = 200;
  const std::string id = "cju0qkwl35piu0993l0dewei2";
  write_rgb_image(input / "Kvasir-SEG" / "images" / (id + ".jpg"), W, H, 3, image);
  write_rgb_image(input / "Kvasir-SEG" / "masks" / (id + ".jpg"), W, H, 3, mask);

  // The fixture must really be lossy, or the test proves nothing.
  using Rgb = itk::Image<itk::RGBPixel<unsigned char>, 2>;
  auto reader = itk::ImageFileReader<Rgb>::New();
  reader->SetFileName((input / "Kvasir-SEG" / "masks" / (id + ".jpg")).string());
  reader->Update();
  std::size_t in_between = 0;
  const auto* px = reader->GetOutput()->GetBufferPointer();
  for (std::size_t p = 0; p < W * H; ++p)
    for (unsigned ch = 0; ch < 3; ++ch) in_between += px[p][ch] != 0 && px[p][ch] != 255;
  ASSERT_GT(in_between, 100u);

  const auto d = convert(R"({"dataset": "Kvasir-SEG", "cases": "Kvasir-SEG/images/*.jpg",
      "modality": "endoscopy_00", "label": "{dir}/../masks/{name}", "label_threshold": 128,
      "labels": {"1": "polyp"}})");
  ASSERT_EQ(d.run.exit_code, 0) << d.run.err;
  const std::string name = image_name("endoscopy_00", "Kvasir-SEG", id);
  EXPECT_THAT(d.images, ElementsAre(name));
  ASSERT_THAT(d.masks, ElementsAre(mask_name(name, "polyp", 0)));
  EXPECT_EQ(set_pixels(out / "masks" / d.masks[0]), box_pixels(W, 8, 32, 16, 40));
  EXPECT_THAT(d.report["warnings"], IsEmpty()) << d.report.dump(2);
}

// CHAOS MR ground truth: grey PNGs whose organs are value ranges (liver 55..70, right kidney
// 110..135, left kidney 175..200, spleen 240..255).
TEST_F(GenericExtensionsTest, ChaosGreyRangesMapEveryValueOfTheRange) {
  const std::size_t W = 32, H = 32;
  std::vector<std::uint8_t> label(W * H, 0);
  auto box = [&](std::size_t r0, std::size_t r1, std::size_t c0, std::size_t c1, std::uint8_t v) {
    for (std::size_t r = r0; r < r1; ++r)
      for (std::size_t c = c0; c < c1; ++c) label[r * W + c] = v;
  };
  box(2, 10, 2, 10, 55);     // liver, lowest value of its range
  box(2, 10, 12, 20, 70);    // liver, highest: a second liver instance
  box(14, 20, 2, 10, 126);   // right kidney
  box(24, 30, 20, 30, 255);  // spleen
  box(14, 20, 20, 30, 100);  // between ranges: not written, warned
  const fs::path t2 = input / "Train_Sets" / "MR" / "1" / "T2SPIR";
  write_grey_png(t2 / "DICOM_anon" / "IMG-0002-00001.png", W, H);
  write_volume(t2 / "Ground" / "IMG-0002-00001.png", {W, H, 1}, label, 2);
  const auto d = convert(R"({"dataset": "CHAOS", "cases": "Train_Sets/MR/*/T2SPIR/DICOM_anon/*.png",
      "case_name": "{grandparent}_{stem}", "modality": "mr_t2",
      "label": "{dir}/../Ground/{name}",
      "labels": {"55..70": "liver", "110..135": "right_kidney", "175..200": "left_kidney",
                 "240..255": "spleen"}})");
  ASSERT_EQ(d.run.exit_code, 0) << d.run.err;
  const std::string image = image_name("mr_t2", "CHAOS", "T2SPIR_IMG-0002-00001");
  EXPECT_THAT(d.images, ElementsAre(image));
  // Ascending names: class ids liver < spleen < right_kidney in the registry.
  std::vector<std::string> want{mask_name(image, "liver", 0), mask_name(image, "liver", 1),
                                mask_name(image, "right_kidney", 0), mask_name(image, "spleen", 0)};
  std::sort(want.begin(), want.end());
  EXPECT_THAT(d.masks, ElementsAreArray(want));
  ASSERT_EQ(d.report["warnings"].size(), 1u) << d.report.dump(2);
  EXPECT_THAT(d.report["warnings"][0]["warning"].get<std::string>(),
              HasSubstr("label values 100 (60 voxels)"));
}

// AMOS: one folder of CT (cases up to 500) and MR (from 501) volumes.
TEST_F(GenericExtensionsTest, AmosModalityFollowsTheCaseNumber) {
  const std::array<std::size_t, 3> n{20, 20, 6};
  std::vector<std::uint8_t> label;
  fill_box(label, n, {4, 4, 2}, {14, 14, 4}, 1);
  std::vector<std::int16_t> image(n[0] * n[1] * n[2]);
  for (std::size_t p = 0; p < image.size(); ++p) image[p] = static_cast<std::int16_t>(p % 200);
  for (const std::string c : {"amos_0001", "amos_0507"}) {
    write_volume(input / "imagesTr" / (c + ".nii.gz"), n, image);
    write_volume(input / "labelsTr" / (c + ".nii.gz"), n, label);
  }
  const auto d = convert(R"({"dataset": "AMOS", "cases": "imagesTr/amos_*.nii.gz",
      "modality_rules": [{"case_number_max": 500, "modality": "ct_00"},
                         {"case_number_min": 501, "modality": "mr_00"}],
      "label": "labelsTr/{name}", "labels": {"1": "spleen"}})",
                         {"--axes", "x"});
  ASSERT_EQ(d.run.exit_code, 0) << d.run.err;
  EXPECT_THAT(
      d.images,
      ElementsAre("ct_00--AMOS--amos_0001--x_0002.png", "ct_00--AMOS--amos_0001--x_0003.png",
                  "mr_00--AMOS--amos_0507--x_0002.png", "mr_00--AMOS--amos_0507--x_0003.png"));
  const std::string spleen = "--" + class_id("spleen") + "_000.png";
  EXPECT_THAT(d.masks, ElementsAre("ct_00--AMOS--amos_0001--x_0002" + spleen,
                                   "ct_00--AMOS--amos_0001--x_0003" + spleen,
                                   "mr_00--AMOS--amos_0507--x_0002" + spleen,
                                   "mr_00--AMOS--amos_0507--x_0003" + spleen));
}

TEST_F(GenericExtensionsTest, NiftiTwinsGiveOneCaseAndAWarning) {
  const std::array<std::size_t, 3> n{12, 12, 4};
  std::vector<std::uint8_t> label;
  fill_box(label, n, {2, 2, 1}, {8, 8, 2}, 1);
  std::vector<std::uint8_t> image(n[0] * n[1] * n[2], 7);
  image[0] = 8;  // not constant, which would earn a warning of its own
  write_volume(input / "imagesTr" / "X.nii", n, image);
  write_volume(input / "imagesTr" / "X.nii.gz", n, image);
  write_volume(input / "labelsTr" / "X.nii", n, label);  // the template's X.nii.gz is missing
  const auto d = convert(R"({"dataset": "D", "cases": "imagesTr/*.{nii,nii.gz}",
      "modality": "ct_00", "label": "labelsTr/{stem}.nii.gz", "labels": {"1": "liver"}})",
                         {"--axes", "x"});
  ASSERT_EQ(d.run.exit_code, 0) << d.run.err;
  EXPECT_THAT(d.images, ElementsAre("ct_00--D--X--x_0001.png"));
  EXPECT_EQ(d.report["cases"], 1);
  EXPECT_THAT(d.report["failed"], IsEmpty());
  expect_one_report_entry(
      d, "warnings", "X",
      (input / "imagesTr" / "X.nii").string() +
          ": ignored, since X.nii.gz beside it has the same name (NIfTI twins); X.nii.gz "
          "is read instead, so delete one of the two if they differ");
}

// ACDC: the 4D cine and the _gt maps lie beside the frames; only the frames are cases.
TEST_F(GenericExtensionsTest, ExcludedFilesAreNeverCases) {
  const std::array<std::size_t, 3> n{16, 16, 4};
  std::vector<std::uint8_t> label;
  fill_box(label, n, {3, 3, 2}, {10, 10, 3}, 3);
  std::vector<std::uint8_t> image(n[0] * n[1] * n[2], 9);
  const fs::path p = input / "training" / "patient001";
  write_volume(p / "patient001_4d.nii.gz", n, image);
  write_volume(p / "patient001_frame01.nii.gz", n, image);
  write_volume(p / "patient001_frame01_gt.nii.gz", n, label);
  const auto d = convert(R"({"dataset": "ACDC", "cases": "**/*.nii.gz",
      "exclude": ["**/*_4d.nii.gz", "**/*_gt.nii.gz"], "modality": "mr_00",
      "label": "{dir}/{stem}_gt.nii.gz", "labels": {"3": "left_ventricle"}})",
                         {"--axes", "x"});
  ASSERT_EQ(d.run.exit_code, 0) << d.run.err;
  EXPECT_EQ(d.report["cases"], 1);
  EXPECT_THAT(d.report["failed"], IsEmpty());
  EXPECT_THAT(d.images, ElementsAre("mr_00--ACDC--patient001_frame01--x_0002.png"));
}

// BraTS 2020: case 355's seg is "W39_1998.09.19_Segm.nii", every other one "<case>_seg.nii".
TEST_F(GenericExtensionsTest, BraceAlternativesFindTheOddSegOfBraTS2020Case355) {
  const std::array<std::size_t, 3> n{16, 16, 4};
  std::vector<std::uint8_t> label;
  fill_box(label, n, {3, 3, 1}, {10, 10, 2}, 4);
  std::vector<std::int16_t> image(n[0] * n[1] * n[2], 100);
  const fs::path top = input / "MICCAI_BraTS2020_TrainingData";
  for (const std::string c : {"BraTS20_Training_001", "BraTS20_Training_355"})
    write_volume(top / c / (c + "_flair.nii"), n, image);
  write_volume(top / "BraTS20_Training_001" / "BraTS20_Training_001_seg.nii", n, label);
  write_volume(top / "BraTS20_Training_355" / "W39_1998.09.19_Segm.nii", n, label);
  // Control: the usual seg template misses case 355.
  const auto d = convert(R"({"dataset": "BraTS2020",
      "cases": "MICCAI_BraTS2020_TrainingData/*/*_flair.nii", "case_name": "{parent}",
      "sequences": [{"image": "{path}", "modality": "mr_flair"}],
      "label": "{dir}/{parent}_seg.nii", "labels": {"4": "enhancing_tumor"}})",
                         {"--axes", "x"});
  EXPECT_EQ(d.run.exit_code, 1);
  expect_one_report_entry(d, "failed", "BraTS20_Training_355", ::testing::_);
  fs::remove_all(out);
  const auto ok = convert(R"({"dataset": "BraTS2020",
      "cases": "MICCAI_BraTS2020_TrainingData/*/*_flair.nii", "case_name": "{parent}",
      "sequences": [{"image": "{path}", "modality": "mr_flair"}],
      "label": "{dir}/*{_seg,_Segm}.nii", "labels": {"4": "enhancing_tumor"}})",
                          {"--axes", "x"});
  ASSERT_EQ(ok.run.exit_code, 0) << ok.run.err;
  EXPECT_THAT(ok.images, ElementsAre("mr_flair--BraTS2020--BraTS20_Training_001--x_0001.png",
                                     "mr_flair--BraTS2020--BraTS20_Training_355--x_0001.png"));
  EXPECT_THAT(ok.report["failed"], IsEmpty());
}

void write_4d(const fs::path& file, std::array<std::size_t, 3> n, unsigned channels) {
  write_itk_image(file, {n[0], n[1], n[2], channels},
                  std::vector<float>(n[0] * n[1] * n[2] * channels, 5.0F));
}

// MSD BrainTumour: every 4D file holds 4 MR sequences; one with 5 is malformed.
TEST_F(GenericExtensionsTest, ComponentCountMismatchFailsOnlyThatCase) {
  const std::array<std::size_t, 3> n{12, 12, 4};
  std::vector<std::uint8_t> label;
  fill_box(label, n, {2, 2, 1}, {8, 8, 2}, 1);
  write_4d(input / "imagesTr" / "BRATS_001.nii.gz", n, 4);
  write_4d(input / "imagesTr" / "BRATS_002.nii.gz", n, 5);
  for (const std::string c : {"BRATS_001", "BRATS_002"})
    write_volume(input / "labelsTr" / (c + ".nii.gz"), n, label);
  const auto d = convert(R"({"dataset": "BrainTumour", "cases": "imagesTr/BRATS_*.nii.gz",
      "components": 4, "label": "labelsTr/{name}", "labels": {"1": "peritumoral_edema"},
      "sequences": [{"image": "{path}", "modality": "mr_flair", "component": 0},
                    {"image": "{path}", "modality": "mr_t1w", "component": 1},
                    {"image": "{path}", "modality": "mr_t1gd", "component": 2},
                    {"image": "{path}", "modality": "mr_t2w", "component": 3}]})",
                         {"--axes", "x"});
  EXPECT_EQ(d.run.exit_code, 1) << d.run.err;
  EXPECT_THAT(d.images, ElementsAre("mr_flair--BrainTumour--BRATS_001--x_0001.png",
                                    "mr_t1gd--BrainTumour--BRATS_001--x_0001.png",
                                    "mr_t1w--BrainTumour--BRATS_001--x_0001.png",
                                    "mr_t2w--BrainTumour--BRATS_001--x_0001.png"));
  expect_one_report_entry(
      d, "failed", "BRATS_002",
      (input / "imagesTr" / "BRATS_002.nii.gz").string() +
          ": has 5 component(s) but every image of this dataset has 4; the file is "
          "malformed or not from this dataset, so replace it or leave the case out");
}

}  // namespace
}  // namespace samed2d::test

#include "support/DicomWriter.hpp"

namespace samed2d::test {
namespace {

// A series of `n` 6x5 slices at z = 0, 2, 4, ... in `folder`; slice k holds 100k + pixel.
void write_series(const fs::path& folder, const std::string& uid, const std::string& description,
                  const std::string& prefix, std::size_t n) {
  DicomSeriesSpec spec;
  spec.columns = 6;
  spec.rows = 5;
  spec.series_uid = uid;
  spec.description = description;
  for (std::size_t k = 0; k < n; ++k) {
    DicomSlice slice;
    // File names run against the positions: the volume must follow the positions.
    slice.file = fmt::format("{}{}.dcm", prefix, n - k);
    slice.position[2] = 2.0 * static_cast<double>(k);
    slice.instance = static_cast<int>(k + 1);
    for (std::size_t p = 0; p < 30; ++p) slice.values.push_back(100.0 * double(k) + double(p));
    spec.slices.push_back(std::move(slice));
  }
  write_dicom_series(folder, spec);
}

TEST_F(GenericExtensionsTest, SeriesFoldersAreCasesAndSeriesPicksOneByDescription) {
  // NCI-ISBI-like: one DICOM folder per patient, where a localizer series may sit beside the T2.
  const std::string t2 = "1.2.826.0.1.3680043.9.7777.20.";
  const std::string loc = "1.2.826.0.1.3680043.9.7777.30.";
  write_series(input / "P1" / "T2", t2 + "1", "t2_tse_tra", "IM-A-", 4);
  write_series(input / "P1" / "T2", loc + "1", "localizer", "IM-B-", 3);
  write_series(input / "P2" / "T2", t2 + "2", "t2_tse_tra_2", "IM-", 4);
  write_series(input / "P3" / "T2", loc + "3", "localizer", "IM-", 4);  // no T2: fails alone
  for (const std::string p : {"P1", "P2", "P3"}) {
    std::vector<std::uint8_t> label(6 * 5 * 4, 0);
    fill_box(label, {6, 5, 4}, {1, 1, 2}, {4, 4, 3}, 1);  // on slice k = 2 only
    write_volume(input / p / "prostate.nrrd", {6, 5, 4}, label);
  }
  const auto got = convert(R"({"dataset": "NCI-ISBI", "cases": "*/T2/", "case_name": "{parent}",
    "label": "{dir}/prostate.nrrd", "labels": {"1": "prostate"},
    "sequences": [{"image": "{path}", "modality": "mr_t2", "series": "t2_tse*"}]})",
                           {"--axes", "x"});
  EXPECT_EQ(got.run.exit_code, 1) << got.run.err;
  EXPECT_THAT(got.images,
              ElementsAre("mr_t2--NCI-ISBI--P1--x_0002.png", "mr_t2--NCI-ISBI--P2--x_0002.png"));
  EXPECT_THAT(got.masks,
              ElementsAre("mr_t2--NCI-ISBI--P1--x_0002--" + class_id("prostate") + "_000.png",
                          "mr_t2--NCI-ISBI--P2--x_0002--" + class_id("prostate") + "_000.png"));
  // Slice k = 2 of P1's T2 holds 200..229 (the file IM-A-2.dcm), so its image is a ramp.
  const auto png = read_png(out / "images" / "mr_t2--NCI-ISBI--P1--x_0002.png");
  ASSERT_EQ(png.width, 6u);
  ASSERT_EQ(png.height, 5u);
  EXPECT_EQ(png.pixels[0], 0);
  EXPECT_EQ(png.pixels[29 * 3], 255);
  // P3 has no series whose description matches: one line naming the folder and what is there.
  ASSERT_EQ(got.report["failed"].size(), 1u);
  const std::string reason = got.report["failed"][0]["reason"];
  EXPECT_EQ(got.report["failed"][0]["case"], "P3");
  EXPECT_THAT(reason, AllOf(HasSubstr("P3/T2"), HasSubstr("localizer"), HasSubstr("series")));
  EXPECT_EQ(reason.find('\n'), std::string::npos);
}

}  // namespace
}  // namespace samed2d::test
