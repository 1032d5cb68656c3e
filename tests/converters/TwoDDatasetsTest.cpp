// The bundled configs of the 2D datasets (generic converter) on small replicas of their real
// layouts: folder and file names, formats (RGB JPEG, grey or RGB PNG and TIFF, lossy JPEG masks)
// and label values (0/255) as datasets.md describes them. Images are small and never square, so
// that swapped rows and columns show; expected names are derived from what each test plants.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/DatasetRun.hpp"
#include "support/Matchers.hpp"
#include "support/TestData.hpp"
#include "support/TwoD.hpp"

namespace samed2d::test {
namespace {

// ---- covid_19_ct_cxr (datasets.md 14c) ----
TEST(TwoDDatasetsTest, Covid19CtCxrLungMasksOfTheAnnotatedImagesOnly) {
  TempDir dir;
  const fs::path repo = dir / "in" / "covid-chestxray-dataset";
  const fs::path masks = repo / "annotations" / "lungVAE-masks";
  constexpr std::size_t w = 40, h = 30;
  const std::vector<PixelBox> left{{5, 25, 4, 16}};
  const std::vector<PixelBox> right{{6, 26, 22, 36}};
  // Mixed formats: a grey JPEG, an RGB PNG, a grey .jpeg; and an image without a mask.
  write_grey(repo / "images" / "16660_5_1.jpg", w, h, pixel_ramp(w, h, 1));
  write_colour(repo / "images" / "covid-19-pneumonia-15-PA.png", w, h);
  write_grey(repo / "images" / "nejmoa2001191_f3-PA.jpeg", w, h, pixel_ramp(w, h, 1));
  write_grey(repo / "images" / "ARDSSevere.png", w, h, pixel_ramp(w, h, 1));
  for (const auto* stem : {"16660_5_1", "covid-19-pneumonia-15-PA", "nejmoa2001191_f3-PA"})
    write_grey(masks / (std::string(stem) + "_mask.png"), w, h, painted(w, h, {left[0], right[0]}));
  write_text_file(repo / "metadata.csv", "patientid,filename\n1,16660_5_1.jpg\n");
  write_text_file(repo / "annotations" / "README.md", "lungVAE masks\n");

  const auto d = convert_dataset("covid_19_ct_cxr", dir / "in", dir / "out");
  const auto img = [](const std::string& c) { return image_name("x_ray", "covid_19_ct_cxr", c); };
  // Two lungs in one mask: two instances, the left lung first (its top row is higher).
  expect_2d(dir / "out", d,
            {{img("16660_5_1"), 1, w, h, "lung", {left, right}},
             {img("covid-19-pneumonia-15-PA"), 3, w, h, "lung", {left, right}},
             {img("nejmoa2001191_f3-PA"), 1, w, h, "lung", {left, right}}});
}

// ---- ISIC (datasets.md 16) ----
// Three image folders of one release, each with its ground-truth folder.
struct IsicSplit {
  std::string data, truth, suffix, id;
};

void run_isic(const std::string& dataset, const std::vector<IsicSplit>& splits,
              const std::vector<std::string>& clutter) {
  TempDir dir;
  const fs::path root = dir / "in" / "downloads" / dataset;
  constexpr std::size_t w = 36, h = 24;
  const std::vector<PixelBox> lesion{{6, 18, 10, 28}};
  std::vector<Expected2D> expected;
  for (const auto& s : splits) {
    write_colour(root / s.data / (s.id + ".jpg"), w, h);
    write_grey(root / s.truth / (s.id + s.suffix), w, h, painted(w, h, lesion));
    expected.push_back(
        {image_name("dermoscopy_00", dataset, s.id), 3, w, h, "skin_lesion", {lesion}});
  }
  for (const auto& c : clutter) write_text_file(root / c, "not an image\n");
  // A superpixel map beside the images is a PNG, not a case.
  write_colour(root / splits[0].data / (splits[0].id + "_superpixels.png"), w, h);
  // --input points two levels above the unzipped folders.
  const auto d = convert_dataset(dataset, dir / "in", dir / "out");
  expect_2d(dir / "out", d, expected);
}

TEST(TwoDDatasetsTest, Isic2016Task1) {
  run_isic("isic2016_task1",
           {{"ISBI2016_ISIC_Part1_Training_Data", "ISBI2016_ISIC_Part1_Training_GroundTruth",
             "_Segmentation.png", "ISIC_0000000"},
            {"ISBI2016_ISIC_Part1_Training_Data", "ISBI2016_ISIC_Part1_Training_GroundTruth",
             "_Segmentation.png", "ISIC_0000001"},
            // The capital 'S' is not verified for every file: a lower-case one is accepted.
            {"ISBI2016_ISIC_Part1_Test_Data", "ISBI2016_ISIC_Part1_Test_GroundTruth",
             "_segmentation.png", "ISIC_0000003"}},
           {"ISBI2016_ISIC_Part1_Training_GroundTruth.csv"});
}

TEST(TwoDDatasetsTest, Isic2017Task1) {
  run_isic("isic2017_task1",
           {{"ISIC-2017_Training_Data", "ISIC-2017_Training_Part1_GroundTruth", "_segmentation.png",
             "ISIC_0000000"},
            {"ISIC-2017_Validation_Data", "ISIC-2017_Validation_Part1_GroundTruth",
             "_segmentation.png", "ISIC_0001769"},
            {"ISIC-2017_Test_v2_Data", "ISIC-2017_Test_v2_Part1_GroundTruth", "_segmentation.png",
             "ISIC_0012086"}},
           {"ISIC-2017_Training_Data/ISIC-2017_Training_Data_metadata.csv",
            "ISIC-2017_Training_Part3_GroundTruth.csv"});
}

TEST(TwoDDatasetsTest, Isic2018Task1) {
  run_isic("isic2018_task1",
           {{"ISIC2018_Task1-2_Training_Input", "ISIC2018_Task1_Training_GroundTruth",
             "_segmentation.png", "ISIC_0000000"},
            {"ISIC2018_Task1-2_Validation_Input", "ISIC2018_Task1_Validation_GroundTruth",
             "_segmentation.png", "ISIC_0012255"},
            {"ISIC2018_Task1-2_Test_Input", "ISIC2018_Task1_Test_GroundTruth", "_segmentation.png",
             "ISIC_0014156"}},
           {"ISIC2018_Task1-2_Training_Input/ATTRIBUTION.txt",
            "ISIC2018_Task1-2_Training_Input/LICENSE.txt",
            "ISIC2018_Task1_Training_GroundTruth/ATTRIBUTION.txt",
            "ISIC2018_Task1_Training_GroundTruth/LICENSE.txt"});
}

// ---- Kvasir-SEG (datasets.md 17) ----
TEST(TwoDDatasetsTest, KvasirSegThresholdsLossyJpegMasks) {
  TempDir dir;
  const fs::path root = dir / "in" / "kvasir-seg" / "Kvasir-SEG";
  constexpr std::size_t w = 48, h = 32;
  const std::vector<PixelBox> one{{4, 20, 6, 22}};
  const std::vector<PixelBox> two_a{{3, 13, 4, 16}};
  const std::vector<PixelBox> two_b{{18, 29, 28, 44}};
  // RGB JPEG masks whose values are not exactly 0/255: 240 inside, 12 outside before the JPEG
  // encoder adds its own noise.
  const auto lossy = [&](const std::vector<PixelBox>& list) {
    return repeat_channels(painted(w, h, list, 240, 12), 3);
  };
  write_colour(root / "images" / "cju0qkwl35piu0993l0dewei2.jpg", w, h);
  write_rgb_image(root / "masks" / "cju0qkwl35piu0993l0dewei2.jpg", w, h, 3, lossy(one));
  write_colour(root / "images" / "cju1cqxf2yd0w0871gvpqjz2v.jpg", w, h);
  write_rgb_image(root / "masks" / "cju1cqxf2yd0w0871gvpqjz2v.jpg", w, h, 3,
                  lossy({two_a[0], two_b[0]}));
  write_text_file(root / "kavsir_bboxes.json", "{}\n");

  const auto d = convert_dataset("kvasir_seg", dir / "in", dir / "out");
  const auto img = [](const std::string& c) { return image_name("endoscopy_00", "kvasir_seg", c); };
  expect_2d(dir / "out", d,
            {{img("cju0qkwl35piu0993l0dewei2"), 3, w, h, "polyp", {one}, false},
             {img("cju1cqxf2yd0w0871gvpqjz2v"), 3, w, h, "polyp", {two_a, two_b}, false}});
}

// ---- CVC-ClinicDB (datasets.md 17) ----
TEST(TwoDDatasetsTest, CvcClinicDbTiffWithSpacedGroundTruthFolder) {
  TempDir dir;
  const fs::path root = dir / "in" / "CVC-ClinicDB";
  const auto want = plant_cvc_clinicdb(root, "cvc_clinicdb");
  // A Kaggle copy's PNG folders beside the TIFF ones are not read a second time.
  const Expected2D& frame1 = want[0];
  write_colour(root / "PNG" / "Original" / "1.png", frame1.width, frame1.height);
  write_grey(root / "PNG" / "Ground Truth" / "1.png", frame1.width, frame1.height,
             painted(frame1.width, frame1.height, frame1.instances[0]));

  const auto d = convert_dataset("cvc_clinicdb", dir / "in", dir / "out");
  expect_2d(dir / "out", d, want);
}

// ---- BUSI (datasets.md 30a) ----
TEST(TwoDDatasetsTest, BreastUltrasoundUnitesExtraMasksAndSkipsNormalImages) {
  TempDir dir;
  const fs::path root = dir / "in" / "Dataset_BUSI_with_GT";
  constexpr std::size_t w = 40, h = 28;
  const PixelBox lesion_a{3, 10, 4, 14};
  const PixelBox lesion_b{15, 25, 20, 34};
  const PixelBox lesion_c{8, 20, 10, 30};
  // benign (1): two lesions in two files, united (two instances of one class).
  write_grey(root / "benign" / "benign (1).png", w, h, pixel_ramp(w, h, 1));
  write_grey(root / "benign" / "benign (1)_mask.png", w, h, painted(w, h, {lesion_a}));
  write_grey(root / "benign" / "benign (1)_mask_1.png", w, h, painted(w, h, {lesion_b}));
  // benign (10): its "benign (1)" prefix must not take benign (1)'s masks; an RGB mask.
  write_colour(root / "benign" / "benign (10).png", w, h);
  write_rgb_image(root / "benign" / "benign (10)_mask.png", w, h, 3,
                  repeat_channels(painted(w, h, {lesion_c}), 3));
  // malignant: an RGBA mask with equal colour channels.
  write_grey(root / "malignant" / "malignant (1).png", w, h, pixel_ramp(w, h, 1));
  write_rgb_image(root / "malignant" / "malignant (1)_mask.png", w, h, 4,
                  repeat_channels(painted(w, h, {lesion_b}), 4));
  // normal: an empty mask, so no image.
  write_grey(root / "normal" / "normal (1).png", w, h, pixel_ramp(w, h, 1));
  write_grey(root / "normal" / "normal (1)_mask.png", w, h, std::vector<std::uint8_t>(w * h, 0));

  const auto d = convert_dataset("breast_ultrasound_images_dataset", dir / "in", dir / "out");
  const auto img = [](const std::string& c) {
    return image_name("ultrasound_00", "breast_ultrasound_images_dataset", c);
  };
  // Case names are sanitized: the space becomes '_'.
  expect_2d(dir / "out", d,
            {{img("benign_(1)"), 1, w, h, "breast_tumor", {{lesion_a}, {lesion_b}}},
             {img("benign_(10)"), 3, w, h, "breast_tumor", {{lesion_c}}},
             {img("malignant_(1)"), 1, w, h, "breast_tumor", {{lesion_b}}}});
}

// ---- Kaggle ultrasound nerve segmentation (datasets.md 30b) ----
TEST(TwoDDatasetsTest, UltrasoundNerveTrainPairsOnly) {
  TempDir dir;
  const fs::path root = dir / "in" / "ultrasound-nerve-segmentation";
  constexpr std::size_t w = 58, h = 42;  // 580x420 scaled down
  const std::vector<PixelBox> nerve1{{12, 24, 20, 40}};
  const std::vector<PixelBox> nerve2{{25, 38, 5, 21}};
  write_grey(root / "train" / "1_1.tif", w, h, pixel_ramp(w, h, 1));
  write_grey(root / "train" / "1_1_mask.tif", w, h, painted(w, h, nerve1));
  write_grey(root / "train" / "1_2.tif", w, h, pixel_ramp(w, h, 1));  // empty mask: no image
  write_grey(root / "train" / "1_2_mask.tif", w, h, std::vector<std::uint8_t>(w * h, 0));
  write_grey(root / "train" / "19_3.tif", w, h, pixel_ramp(w, h, 1));
  write_grey(root / "train" / "19_3_mask.tif", w, h, painted(w, h, nerve2));
  write_grey(root / "test" / "1.tif", w, h, pixel_ramp(w, h, 1));
  write_grey(root / "test" / "2.tif", w, h, pixel_ramp(w, h, 1));
  write_text_file(root / "train_masks.csv", "subject,img,pixels\n1,1,\n");
  write_text_file(root / "sample_submission.csv", "img,pixels\n1,\n");

  const auto d = convert_dataset("ultrasound_nerve_segmentation", dir / "in", dir / "out");
  const auto img = [](const std::string& c) {
    return image_name("ultrasound_00", "ultrasound_nerve_segmentation", c);
  };
  expect_2d(dir / "out", d,
            {{img("19_3"), 1, w, h, "brachial_plexus", {nerve2}},
             {img("1_1"), 1, w, h, "brachial_plexus", {nerve1}}});
  // The empty mask's case is converted (no image), not failed; the masks are not cases.
  EXPECT_EQ(d.report["failed"].size(), 0u);
}

}  // namespace
}  // namespace samed2d::test
