// The bundled configs of the second wave of 2D datasets (generic converter) on small replicas of
// their real layouts: chest_x_ray_images_with_pneumothorax_masks, sz_cxr, crass, fusc2021,
// kvasircapsule_seg and endovis15. Folder and file names, formats (grey and RGB PNG, RGB PNG
// masks with equal channels, MetaImage radiographs, lossy JPEG masks, TIFF) and label values are
// those each config's description gives, with the files that must not be read beside them.
// Images are small and never square, so that swapped rows and columns show; expected names are
// derived from what each test plants, never from the tool's output.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
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

// An RGB mask whose three channels are equal (FUSeg's labels).
void write_rgb_mask(const fs::path& file, std::size_t width, std::size_t height,
                    const std::vector<std::uint8_t>& grey) {
  write_rgb_image(file, width, height, 3, repeat_channels(grey, 3));
}

// expect_2d, and the dataset's one class is all the mapping holds: nothing else became a class.
void expect_output(const fs::path& out, const ConvertedDataset& d,
                   const std::vector<Expected2D>& expected) {
  expect_2d(out, d, expected);
  if (::testing::Test::HasFatalFailure()) return;
  ASSERT_TRUE(d.mapping.is_object());
  EXPECT_EQ(d.mapping.size(), 1u);
}

// How many cases discovery found (report.json), so that a file read by mistake shows even when
// its values would give no mask; and that none of them failed.
void expect_cases(const ConvertedDataset& d, int cases) {
  ASSERT_TRUE(d.report.is_object());
  EXPECT_EQ(d.report.at("cases"), cases);
  EXPECT_THAT(failures(d), IsEmpty());
}

// ---- chest_x_ray_images_with_pneumothorax_masks (datasets.md 29b) ----
TEST(SecondWaveTwoDDatasetsTest, PneumothoraxPngMasksOfBothSplitsNegativesGiveNothing) {
  TempDir dir;
  const fs::path root =
      dir / "in" / "pneumothorax-chest-xray-images-and-masks" / "siim-acr-pneumothorax";
  const fs::path images = root / "png_images";
  const fs::path masks = root / "png_masks";
  constexpr std::size_t w = 40, h = 30;  // 1024x1024 scaled down, made non-square
  const std::vector<PixelBox> two{{3, 12, 2, 10}, {8, 26, 28, 37}};
  const std::vector<PixelBox> one{{5, 20, 6, 18}};
  const std::vector<std::uint8_t> empty(w * h, 0);
  // Positives of the train and test splits (both carry masks), negatives with empty masks.
  write_grey(images / "0_train_1_.png", w, h);
  write_grey(masks / "0_train_1_.png", w, h, painted(w, h, two));
  write_grey(images / "1_train_0_.png", w, h);
  write_grey(masks / "1_train_0_.png", w, h, empty);
  write_grey(images / "0_test_1_.png", w, h);
  write_grey(masks / "0_test_1_.png", w, h, painted(w, h, one));
  write_grey(images / "2_test_0_.png", w, h);
  write_grey(masks / "2_test_0_.png", w, h, empty);
  write_text_file(root / "stage_1_train_images.csv", "new_filename,ImageId,has_pneumo\n");
  write_text_file(root / "stage_1_test_images.csv", "new_filename,ImageId,has_pneumo\n");
  // macOS debris beside the masks and in a __MACOSX twin of the folder.
  write_apple_double(masks / "._0_train_1_.png");
  write_apple_double(dir / "in" / "__MACOSX" / "siim-acr-pneumothorax" / "png_masks" /
                     "._0_test_1_.png");

  const std::string dataset = "chest_x_ray_images_with_pneumothorax_masks";
  const auto img = [&](const std::string& c) { return image_name("x_ray", dataset, c); };
  const std::vector<Expected2D> want{
      {img("0_train_1_"), 1, w, h, "pneumothorax", {{two[0]}, {two[1]}}},
      {img("0_test_1_"), 1, w, h, "pneumothorax", {one}}};
  const auto d = convert_dataset(dataset, dir / "in", dir / "out");
  expect_output(dir / "out", d, want);
  // The negatives are cases, converted without an image, not failed.
  expect_cases(d, 4);
  // --input may be the unzipped folder itself.
  const auto inside = convert_dataset(dataset, root, dir / "out2");
  expect_output(dir / "out2", inside, want);
  expect_cases(inside, 4);
}

// ---- sz_cxr (datasets.md 29c) ----
TEST(SecondWaveTwoDDatasetsTest, SzCxrShenzhenLungMasksOnlyNotMontgomery) {
  TempDir dir;
  const fs::path root = dir / "in" / "chest-xray-masks-and-labels" / "data" / "Lung Segmentation";
  constexpr std::size_t w = 44, h = 36;
  const std::vector<PixelBox> lungs{{4, 30, 4, 18}, {5, 32, 24, 40}};
  const std::vector<PixelBox> other{{6, 28, 8, 20}, {6, 28, 26, 38}};
  // A grey image with a grey 0/255 mask; an RGB image with an RGB mask of equal channels whose
  // background carries low noise (below the threshold).
  write_grey(root / "CXR_png" / "CHNCXR_0001_0.png", w, h);
  write_grey(root / "masks" / "CHNCXR_0001_0_mask.png", w, h, painted(w, h, lungs));
  write_colour(root / "CXR_png" / "CHNCXR_0327_1.png", w, h);
  auto noisy = painted(w, h, other, 250);
  for (auto& v : noisy)
    if (v == 0) v = 4;
  write_rgb_mask(root / "masks" / "CHNCXR_0327_1_mask.png", w, h, noisy);
  // A Shenzhen image without a mask, a Montgomery image with its mask of the same name, the test
  // folder and the clinical readings: none of them is read.
  write_grey(root / "CXR_png" / "CHNCXR_0002_0.png", w, h);
  write_grey(root / "CXR_png" / "MCUCXR_0001_0.png", w, h);
  write_grey(root / "masks" / "MCUCXR_0001_0.png", w, h, painted(w, h, lungs));
  write_grey(root / "test" / "CHNCXR_0003_0.png", w, h);
  write_text_file(root / "ClinicalReadings" / "CHNCXR_0001_0.txt", "male 45yrs\nnormal\n");

  const auto d = convert_dataset("sz_cxr", dir / "in", dir / "out");
  const auto img = [](const std::string& c) { return image_name("x_ray", "sz_cxr", c); };
  // Both lungs are in one mask: two instances, the one whose first pixel comes first is 000.
  expect_output(dir / "out", d,
                {{img("CHNCXR_0001_0"), 1, w, h, "lung", {{lungs[0]}, {lungs[1]}}},
                 {img("CHNCXR_0327_1"), 3, w, h, "lung", {{other[0]}, {other[1]}}}});
  expect_cases(d, 2);
}

// ---- crass (CRASS clavicles, MetaImage) ----
TEST(SecondWaveTwoDDatasetsTest, CrassMetaImageRadiographsWithClavicleMasks) {
  TempDir dir;
  const fs::path root = dir / "in" / "CRASS";
  constexpr std::size_t w = 46, h = 34;
  const std::vector<PixelBox> clavicles{{4, 9, 3, 20}, {5, 10, 25, 43}};
  const std::vector<PixelBox> right{{6, 12, 24, 42}};
  // 12-bit radiographs stored in 16 bits, as MetaImage (.mhd + .raw).
  const auto radiograph = [&](const fs::path& file) {
    std::vector<std::uint16_t> v(w * h);
    for (std::size_t p = 0; p < v.size(); ++p) v[p] = static_cast<std::uint16_t>((p * 37) % 4000);
    write_volume<std::uint16_t>(file, {w, h, 1}, v, 2);
  };
  // The mask values are not known: one mask uses 1, the other 255; both are clavicle.
  radiograph(root / "data_train" / "img_001.mhd");
  write_grey(root / "mask_mhd" / "img_001.mhd", w, h, painted(w, h, clavicles, 1));
  radiograph(root / "data_train" / "img_002.mhd");
  write_grey(root / "mask_mhd" / "img_002.mhd", w, h, painted(w, h, right, 255));
  // A training image without a mask and the test images give nothing.
  radiograph(root / "data_train" / "img_003.mhd");
  radiograph(root / "data_test" / "img_101.mhd");
  ASSERT_TRUE(fs::exists(root / "mask_mhd" / "img_001.raw"));

  const auto d = convert_dataset("crass", dir / "in", dir / "out");
  const auto img = [](const std::string& c) { return image_name("x_ray", "crass", c); };
  // Radiographs of more than 8 bits are normalized to one 8-bit grey channel.
  expect_output(dir / "out", d,
                {{img("img_001"), 1, w, h, "clavicle", {{clavicles[0]}, {clavicles[1]}}},
                 {img("img_002"), 1, w, h, "clavicle", {right}}});
  expect_cases(d, 2);
}

// ---- fusc2021 (Foot Ulcer Segmentation Challenge 2021) ----
TEST(SecondWaveTwoDDatasetsTest, Fusc2021TrainAndValidationLabelsNotTheOtherWoundSets) {
  TempDir dir;
  const fs::path data = dir / "in" / "wound-segmentation-master" / "data";
  const fs::path fusc = data / "Foot Ulcer Segmentation Challenge";
  constexpr std::size_t w = 36, h = 28;  // 512x512 scaled down, made non-square
  const std::vector<PixelBox> ulcer{{8, 20, 10, 26}};
  const std::vector<PixelBox> two{{2, 8, 2, 9}, {16, 26, 20, 33}};
  // RGB images with RGB labels whose channels are equal, 0/255 (as in the repository).
  write_colour(fusc / "train" / "images" / "0011.png", w, h);
  write_rgb_mask(fusc / "train" / "labels" / "0011.png", w, h, painted(w, h, ulcer));
  write_colour(fusc / "validation" / "images" / "0001.png", w, h);
  write_rgb_mask(fusc / "validation" / "labels" / "0001.png", w, h, painted(w, h, two));
  // A label without wound gives nothing; the test images have no labels.
  write_colour(fusc / "train" / "images" / "0012.png", w, h);
  write_rgb_mask(fusc / "train" / "labels" / "0012.png", w, h, std::vector<std::uint8_t>(w * h));
  write_colour(fusc / "test" / "images" / "1011.png", w, h);
  write_text_file(fusc / "README.MD", "## The Foot Ulcer Segmentation Challenge\n");
  // The repository's other data set has the same train/images + train/labels layout and 0/1
  // labels: it is not fusc2021.
  const fs::path medetec = data / "Medetec_foot_ulcer_224";
  write_colour(medetec / "train" / "images" / "foot-ulcer-0012.png", w, h);
  write_rgb_mask(medetec / "train" / "labels" / "foot-ulcer-0012.png", w, h,
                 painted(w, h, ulcer, 1));
  write_colour(medetec / "test" / "images" / "foot-ulcer-0027_2.png", w, h);
  write_rgb_mask(medetec / "test" / "labels" / "foot-ulcer-0027_2.png", w, h,
                 painted(w, h, two, 1));

  const auto d = convert_dataset("fusc2021", dir / "in", dir / "out");
  const auto img = [](const std::string& c) { return image_name("dermoscopy_00", "fusc2021", c); };
  expect_output(dir / "out", d,
                {{img("0011"), 3, w, h, "foot_ulcer", {ulcer}},
                 {img("0001"), 3, w, h, "foot_ulcer", {{two[0]}, {two[1]}}}});
  expect_cases(d, 3);  // 0011, 0012 (empty label) and 0001
}

// ---- kvasircapsule_seg (KvasirCapsule-SEG) ----
TEST(SecondWaveTwoDDatasetsTest, KvasirCapsuleSegThresholdsLossyMasksAndSkipsBoxFolders) {
  TempDir dir;
  const fs::path root = dir / "in" / "kvasir-capsule-seg";
  constexpr std::size_t w = 42, h = 34;  // 336x336 scaled down, made non-square
  const std::vector<PixelBox> one{{6, 22, 8, 26}};
  const std::vector<PixelBox> two_a{{2, 12, 3, 15}, {18, 31, 24, 40}};
  // RGB JPEG masks whose values are not exactly 0/255 before the JPEG encoder adds its noise.
  const auto lossy = [&](const std::vector<PixelBox>& list) {
    return repeat_channels(painted(w, h, list, 242, 10), 3);
  };
  write_colour(root / "images" / "00a9e8a4b1dc4ac4_12345.jpg", w, h);
  write_rgb_image(root / "masks" / "00a9e8a4b1dc4ac4_12345.jpg", w, h, 3, lossy(one));
  write_colour(root / "images" / "0728084c8da942d9_22803.jpg", w, h);
  write_rgb_image(root / "masks" / "0728084c8da942d9_22803.jpg", w, h, 3, lossy(two_a));
  // The frames with their boxes drawn in, and the box file, are never read.
  write_colour(root / "bbox" / "00a9e8a4b1dc4ac4_12345.jpg", w, h);
  write_text_file(root / "bounding-boxes.json", "{}\n");

  const auto d = convert_dataset("kvasircapsule_seg", dir / "in", dir / "out");
  const auto img = [](const std::string& c) {
    return image_name("endoscopy_00", "kvasircapsule_seg", c);
  };
  expect_output(
      dir / "out", d,
      {{img("00a9e8a4b1dc4ac4_12345"), 3, w, h, "polyp", {one}, false},
       {img("0728084c8da942d9_22803"), 3, w, h, "polyp", {{two_a[0]}, {two_a[1]}}, false}});
  expect_cases(d, 2);
}

// ---- endovis15 (EndoVis 2015 polyp sub-challenge: its CVC-ClinicDB training database) ----
TEST(SecondWaveTwoDDatasetsTest, EndoVis15ReadsCvcClinicDbNotEtisLarib) {
  TempDir dir;
  const fs::path root = dir / "in" / "EndoVis15";
  const fs::path clinic = root / "CVC-ClinicDB";
  const auto want = plant_cvc_clinicdb(clinic, "endovis15");
  // The challenge's test database (ETIS-Larib, 'p' masks) is another data set.
  const Expected2D& frame1 = want[0];
  const fs::path etis = root / "ETIS-LaribPolypDB";
  write_colour(etis / "ETIS-LaribPolypDB" / "1.tif", frame1.width, frame1.height);
  write_grey(etis / "Ground Truth" / "p1.tif", frame1.width, frame1.height,
             painted(frame1.width, frame1.height, frame1.instances[0]));

  const auto d = convert_dataset("endovis15", dir / "in", dir / "out");
  expect_output(dir / "out", d, want);
  expect_cases(d, 2);
  // --input may be CVC-ClinicDB itself.
  const auto inside = convert_dataset("endovis15", clinic, dir / "out2");
  expect_output(dir / "out2", inside, want);
  expect_cases(inside, 2);
}

}  // namespace
}  // namespace samed2d::test
