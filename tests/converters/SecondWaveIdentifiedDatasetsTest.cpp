// The bundled configs of SA-Med2D datasets whose public source had to be identified first
// (Promise09, Prostate_MRI_Segmentation_Dataset, braimMRI), each run on a miniature replica of
// the layout its config describes, traps included. Expected names come from what each test
// plants (the SPEC oracle for the 3D ones), never from the tool's output.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "support/DatasetReplica.hpp"
#include "support/DatasetRun.hpp"
#include "support/Matchers.hpp"
#include "support/TestData.hpp"
#include "support/TwoD.hpp"

namespace samed2d::test {
namespace {

constexpr Size3 kSize{12, 10, 8};  // never square

// The same boxes with every value set to `value`: with "label_threshold" every non-zero label
// value is read as 1, which is what the oracle is given.
std::vector<LabelBox> with_value(std::vector<LabelBox> boxes, double value) {
  for (auto& b : boxes) b.value = value;
  return boxes;
}

const ClassValues kProstate{{"prostate", {1}}};
const std::vector<LabelBox> kTwoGlands{{{1, 1, 1}, {4, 4, 4}, 1}, {{6, 5, 2}, {11, 9, 6}, 1}};
const std::vector<LabelBox> kOneGland{{{3, 2, 3}, {9, 8, 7}, 1}};

// ---------------------------------------------------------------------------------------------
// Promise09 (MICCAI 2009 prostate challenge): T1_images/<n>/, T2_images/<n>/ and
// T2_segmented_images/<n>/ hold one .nrrd each, whose stems differ (.001, .002, .004).

TEST(Promise09Test, T2ImagesWithTheSegmentationOfTheirFolderAndNotT1) {
  TempDir dir;
  const fs::path root = dir / "in" / "Promise09";
  // Case 1: label value 255; case 2: label value 1. Both are prostate.
  write_image_volume(root / "T1_images" / "1" / "000029.00003.001.nrrd", kSize);
  write_image_volume(root / "T2_images" / "1" / "000029.00003.002.nrrd", kSize);
  write_label_volume(root / "T2_segmented_images" / "1" / "000029.00003.004.nrrd", kSize,
                     with_value(kTwoGlands, 255));
  write_image_volume(root / "T1_images" / "2" / "000031.00002.001.nrrd", kSize);
  write_image_volume(root / "T2_images" / "2" / "000031.00002.002.nrrd", kSize);
  write_label_volume(root / "T2_segmented_images" / "2" / "000031.00002.004.nrrd", kSize,
                     kOneGland);
  // A T2 image whose folder has no segmentation: a failed case, not a silent skip.
  write_image_volume(root / "T2_images" / "3" / "000040.00001.002.nrrd", kSize);
  // A T1 image alone (T1 is never annotated) and macOS debris.
  write_image_volume(root / "T1_images" / "4" / "000041.00001.001.nrrd", kSize);
  write_apple_double(root / "T2_images" / "1" / "._000029.00003.002.nrrd");
  write_apple_double(dir / "in" / "__MACOSX" / "Promise09" / "T2_images" / "2" /
                     "._000031.00002.002.nrrd");

  const auto d = convert_dataset("Promise09", dir / "in", dir / "out", {"--axes", "x"});
  expect_converted(
      d,
      expected_cases("Promise09", {"mr_t2"}, kSize, kProstate,
                     {{"000029.00003.002", kTwoGlands}, {"000031.00002.002", kOneGland}}),
      1);
  EXPECT_EQ(d.report.at("cases"), 2);  // the converted ones; the failed one is listed apart
  expect_one_failure(d, {"000040.00001.002"});
  EXPECT_THAT(d.masks, ::testing::Contains("mr_t2--Promise09--000029.00003.002--x_0003--" +
                                           class_id("prostate") + "_001.png"));
  for (const auto& name : d.images) EXPECT_THAT(name, ::testing::Not(HasSubstr(".001")));
}

// ---------------------------------------------------------------------------------------------
// Prostate_MRI_Segmentation_Dataset (Liu et al., SAML multi-site): <site>/CaseNN.nii.gz with
// <site>/CaseNN_segmentation.nii.gz (BMC: _Segmentation); case numbers repeat across sites.

TEST(ProstateMriSegmentationDatasetTest, SitesKeepTheirCasesApartAndBothLabelSpellingsWork) {
  TempDir dir;
  const fs::path root = dir / "in" / "Processed_data_nii";
  // RUNMC: value 1 and, touching it, value 2: one prostate component.
  const std::vector<LabelBox> zones{{{2, 2, 2}, {6, 8, 6}, 1}, {{6, 2, 2}, {10, 8, 6}, 2}};
  const std::vector<LabelBox> gland{{{2, 2, 2}, {10, 8, 6}, 1}};
  write_image_volume(root / "RUNMC" / "Case00.nii.gz", kSize);
  write_label_volume(root / "RUNMC" / "Case00_segmentation.nii.gz", kSize, zones);
  // BMC: the same case number, label spelled _Segmentation.
  write_image_volume(root / "BMC" / "Case00.nii.gz", kSize);
  write_label_volume(root / "BMC" / "Case00_Segmentation.nii.gz", kSize, kTwoGlands);
  write_image_volume(root / "HK" / "Case38.nii.gz", kSize);
  write_label_volume(root / "HK" / "Case38_segmentation.nii.gz", kSize, kOneGland);
  // Debris and other files.
  write_apple_double(root / "HK" / "._Case38.nii.gz");
  write_apple_double(root / "HK" / "._Case38_segmentation.nii.gz");
  write_apple_double(dir / "in" / "__MACOSX" / "Processed_data_nii" / "BMC" / "._Case00.nii.gz");
  write_text_file(root / "readme.txt", "six sites\n");

  const auto d = convert_dataset("Prostate_MRI_Segmentation_Dataset", dir / "in", dir / "out",
                                 {"--axes", "x"});
  ASSERT_EQ(d.run.exit_code, 0) << d.run.err;
  const std::string ds = "Prostate_MRI_Segmentation_Dataset";
  expect_converted(
      d,
      expected_cases(
          ds, {"mr_t2"}, kSize, kProstate,
          {{"RUNMC_Case00", gland}, {"BMC_Case00", kTwoGlands}, {"HK_Case38", kOneGland}}),
      0);
  EXPECT_EQ(d.report.at("cases"), 3);
  // Value 2 merges with value 1 into one instance; no second class appears.
  EXPECT_THAT(d.masks, ::testing::Contains("mr_t2--" + ds + "--RUNMC_Case00--x_0003--" +
                                           class_id("prostate") + "_000.png"));
  EXPECT_THAT(d.masks,
              ::testing::Not(::testing::Contains("mr_t2--" + ds + "--RUNMC_Case00--x_0003--" +
                                                 class_id("prostate") + "_001.png")));
  EXPECT_EQ(d.mapping.size(), 1u);
}

// ---------------------------------------------------------------------------------------------
// braimMRI, read in the Kaggle lgg-mri-segmentation layout: kaggle_3m/<patient>/<patient>_N.tif
// (RGB) with <patient>_N_mask.tif (0/255); the zip's redundant lgg-mri-segmentation/kaggle_3m/
// copy must not be read (it would give every case twice).

void write_lgg_slice(const fs::path& folder, const std::string& stem, std::size_t w, std::size_t h,
                     const std::vector<PixelBox>& lesions) {
  write_colour(folder / (stem + ".tif"), w, h);
  write_grey(folder / (stem + "_mask.tif"), w, h, painted(w, h, lesions));
}

TEST(BraimMriTest, KaggleLggSlicesOnceAndNotTheRedundantCopy) {
  TempDir dir;
  constexpr std::size_t w = 26, h = 20;
  const PixelBox a{2, 7, 3, 9};
  const PixelBox b{12, 18, 15, 24};
  const PixelBox c{5, 15, 8, 20};
  for (const fs::path& root :
       {dir / "in" / "kaggle_3m", dir / "in" / "lgg-mri-segmentation" / "kaggle_3m"}) {
    const fs::path p1 = root / "TCGA_CS_4941_19960909";
    write_lgg_slice(p1, "TCGA_CS_4941_19960909_1", w, h, {});  // empty mask: no image
    write_lgg_slice(p1, "TCGA_CS_4941_19960909_12", w, h, {a, b});
    const fs::path p2 = root / "TCGA_HT_A61B_19991127";
    write_lgg_slice(p2, "TCGA_HT_A61B_19991127_7", w, h, {c});
    write_text_file(root / "data.csv", "Patient,RNASeqCluster\nTCGA_CS_4941,2\n");
    write_text_file(root / "README.md", "LGG segmentation dataset\n");
  }
  write_apple_double(dir / "in" / "kaggle_3m" / "TCGA_HT_A61B_19991127" /
                     "._TCGA_HT_A61B_19991127_7.tif");

  const auto d = convert_dataset("braimMRI", dir / "in", dir / "out");
  ASSERT_EQ(d.run.exit_code, 0) << d.run.err;
  const auto image = [](const std::string& name) { return image_name("mr_00", "braimMRI", name); };
  const auto mask = [&](const std::string& name, int instance) {
    return mask_name(image(name), "whole_tumor", instance);
  };
  std::vector<std::string> images{image("TCGA_CS_4941_19960909_12"),
                                  image("TCGA_HT_A61B_19991127_7")};
  std::vector<std::string> masks{mask("TCGA_CS_4941_19960909_12", 0),
                                 mask("TCGA_CS_4941_19960909_12", 1),
                                 mask("TCGA_HT_A61B_19991127_7", 0)};
  std::sort(images.begin(), images.end());
  std::sort(masks.begin(), masks.end());
  EXPECT_THAT(d.images, ElementsAreArray(images));
  EXPECT_THAT(d.masks, ElementsAreArray(masks));
  EXPECT_EQ(d.report.at("cases"), 3);
  EXPECT_EQ(d.report.at("failed").size(), 0u);

  // RGB stays RGB at its own size; instance 0 is the lesion met first in row-major order.
  const auto png = read_png(dir / "out" / "images" / image("TCGA_CS_4941_19960909_12"));
  EXPECT_EQ(png.channels, 3);
  EXPECT_EQ(png.width, w);
  EXPECT_EQ(png.height, h);
  const auto m0 = read_png(dir / "out" / "masks" / mask("TCGA_CS_4941_19960909_12", 0));
  EXPECT_EQ(m0.pixels, painted(w, h, {a}));
  const auto m1 = read_png(dir / "out" / "masks" / mask("TCGA_CS_4941_19960909_12", 1));
  EXPECT_EQ(m1.pixels, painted(w, h, {b}));
}

}  // namespace
}  // namespace samed2d::test
