// The bundled configs of the datasets whose sequences are not all on the label grid: PI-CAI
// (picai_baseline with the human-expert labels, picai_semi with the AI-derived ones; ADC and
// HBV on their own coarser grid, resampled linearly onto the T2W-grid labels) and ISLES2022
// (FLAIR not co-registered, resampled onto the DWI/ADC mask grid). Each runs on a miniature
// replica of the real layout (PI-CAI: the Zenodo image folders beside the picai_labels clone;
// ISLES 2022: the Zenodo BIDS tree and the grand-challenge tree) with the files that must never
// be read planted beside the real ones. Expected names come from the SPEC oracle; the resampled
// images are planted with values linear along the label grid's axes, so that their interpolated
// values, and so their pixels under the SPEC min-max formula, are known exactly; the images on
// the label grid must keep the planted values untouched.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "support/DatasetReplica.hpp"
#include "support/DatasetRun.hpp"
#include "support/Matchers.hpp"
#include "support/PlantedCase.hpp"
#include "support/TestData.hpp"

namespace samed2d::test {
namespace {

// A voxel grid: size (i, j, k), spacing and origin in mm, identity direction.
struct Grid {
  Size3 size;
  std::array<double, 3> spacing;
  std::array<double, 3> origin;
};

// The values f(a, b, c) of every voxel of `g` (a, b, c its integer index), i fastest.
template <class T>
std::vector<T> field(const Grid& g, const std::function<double(double, double, double)>& f) {
  std::vector<T> out(g.size[0] * g.size[1] * g.size[2]);
  for (std::size_t c = 0; c < g.size[2]; ++c)
    for (std::size_t b = 0; b < g.size[1]; ++b)
      for (std::size_t a = 0; a < g.size[0]; ++a)
        out[a + g.size[0] * (b + g.size[1] * c)] = static_cast<T>(
            f(static_cast<double>(a), static_cast<double>(b), static_cast<double>(c)));
  return out;
}

template <class T>
void write_on(const fs::path& file, const Grid& g, const std::vector<T>& values) {
  write_volume<T>(file, g.size, values, 3, g.spacing, g.origin);
}

// A planted case's image (PlantedCase's ramp, int16) and label map (uint8) placed on grid `g`.
void write_image_on(const fs::path& file, const Grid& g, const PlantedCase& c) {
  write_on(file, g, c.image<std::int16_t>());
}
void write_label_on(const fs::path& file, const Grid& g, const PlantedCase& c) {
  write_on(file, g, c.label<std::uint8_t>());
}

// Checks an x_ slice PNG (rows j, columns i, three equal channels) against the SPEC min-max
// formula applied to `value(i, j)`, the exact value the sliced volume has at (i, j).
void expect_minmax_pixels(const fs::path& png_file, Size3 size,
                          const std::function<double(double, double)>& value) {
  const auto png = read_png(png_file);
  ASSERT_EQ(png.width, size[0]) << png_file;
  ASSERT_EQ(png.height, size[1]) << png_file;
  ASSERT_EQ(png.channels, 3) << png_file;
  double m = std::numeric_limits<double>::infinity();
  double big_m = -m;
  for (std::size_t j = 0; j < size[1]; ++j)
    for (std::size_t i = 0; i < size[0]; ++i) {
      const double v = value(static_cast<double>(i), static_cast<double>(j));
      m = std::min(m, v);
      big_m = std::max(big_m, v);
    }
  ASSERT_GT(big_m, m);
  for (std::size_t j = 0; j < size[1]; ++j)
    for (std::size_t i = 0; i < size[0]; ++i) {
      const double v = value(static_cast<double>(i), static_cast<double>(j));
      const double scaled = std::floor((v - m) * 255.0 / (big_m - m));
      const int want = static_cast<int>(std::min(255.0, std::max(0.0, scaled)));
      const std::size_t at = (j * png.width + i) * 3;
      ASSERT_EQ(png.pixels[at], want) << png_file.filename() << " row " << j << " col " << i;
      ASSERT_EQ(png.pixels[at + 1], want);
      ASSERT_EQ(png.pixels[at + 2], want);
    }
}

// PlantedCase's image ramp on slice x_k: 37 i + 11 j + 5 k - 900.
double planted_ramp(double i, double j, double k) {
  return i * 37 + j * 11 + k * 5 - 900;
}

// ---------------------------------------------------------------------------------------------
// PI-CAI: the T2W and the label on a 0.5 x 0.5 x 3 mm grid; ADC and HBV on a 2 x 2 x 3 mm grid
// that starts 1 mm before it in i and j and 1.5 mm before it in k. A label voxel (i, j, k) lies
// at the ADC/HBV continuous index (0.5 + i/4, 0.5 + j/4, 0.5 + k): inside the image, between
// voxel centres, with weights that are exact binary fractions.

const Grid kT2wGrid{{14, 10, 6}, {0.5, 0.5, 3.0}, {-3.0, -2.0, -9.0}};
const Grid kAdcGrid{{5, 4, 7}, {2.0, 2.0, 3.0}, {-4.0, -3.0, -10.5}};

// ADC and HBV values: linear in the voxel index a, b, constant along c (so the interpolation
// along k, whose weight 1/3-spacing arithmetic may round, adds exactly nothing).
double adc_value(double a, double b, double) {
  return 40 * a + 4 * b;
}
double hbv_value(double a, double b, double) {
  return 100 - 8 * a + 0.5 * b;
}
// The same on the label grid: a = 0.5 + i/4, b = 0.5 + j/4.
double adc_on_label(double i, double j) {
  return adc_value(0.5 + i / 4, 0.5 + j / 4, 0);
}
double hbv_on_label(double i, double j) {
  return hbv_value(0.5 + i / 4, 0.5 + j / 4, 0);
}

const ClassValues kPicaiBaselineClasses{{"prostate_cancer", {2, 3, 4, 5}}};
const ClassValues kPicaiSemiClasses{{"prostate_cancer", {1}}};
const std::vector<std::string> kPicaiModalities{"mr_t2w", "mr_adc", "mr_hbv"};

// One study's five scans, as picai_public_images_foldN.zip holds them: <pid>/<pid>_<sid>_*.mha.
void write_picai_study(const fs::path& patient_dir, const std::string& study) {
  const PlantedCase t2w{study, "mr_t2w", kT2wGrid.size, {}};
  write_image_on(patient_dir / (study + "_t2w.mha"), kT2wGrid, t2w);
  write_on(patient_dir / (study + "_adc.mha"), kAdcGrid, field<std::int16_t>(kAdcGrid, adc_value));
  write_on(patient_dir / (study + "_hbv.mha"), kAdcGrid, field<float>(kAdcGrid, hbv_value));
  // Coronal and sagittal T2W: other orientations, never read (here on a grid that would fail).
  write_image_volume(patient_dir / (study + "_cor.mha"), {6, 14, 10});
  write_image_volume(patient_dir / (study + "_sag.mha"), {10, 6, 14});
}

// The picai_labels clone: human-expert resampled and original delineations, the AI-derived ones
// for every study, an AI whole-gland mask, the marksheet and the README.
struct PicaiLabels {
  std::vector<PlantedCase> human;  // human_expert/resampled/ (values 2..5)
  std::vector<PlantedCase> ai;     // AI/Bosma22a/ (value 1)
};

void write_picai_labels(const fs::path& repo, const PicaiLabels& labels) {
  const fs::path lesions = repo / "csPCa_lesion_delineations";
  for (const auto& c : labels.human) {
    write_label_on(lesions / "human_expert" / "resampled" / (c.name + ".nii.gz"), kT2wGrid, c);
    // The original delineation, on another grid (read, it would fail its case).
    write_label_volume(lesions / "human_expert" / "original" / (c.name + ".nii.gz"), {5, 4, 7},
                       {{{1, 1, 1}, {3, 3, 3}, 2}});
  }
  for (const auto& c : labels.ai)
    write_label_on(lesions / "AI" / "Bosma22a" / (c.name + ".nii.gz"), kT2wGrid, c);
  write_apple_double(lesions / "AI" / "Bosma22a" / "._10000_1000000.nii.gz");
  write_apple_double(lesions / "human_expert" / "resampled" / "._10000_1000000.nii.gz");
  write_text_file(lesions / "human_expert" / "Pooch25" / "README.md", "# Pooch25\n");
  // The AI whole-gland segmentation: 1 everywhere in the gland, never a lesion class.
  const PlantedCase gland{"10000_1000000", "mr_t2w", kT2wGrid.size, {{{1, 1, 0}, {13, 9, 6}, 1}}};
  write_label_on(
      repo / "anatomical_delineations" / "whole_gland" / "AI" / "Bosma22b" / "10000_1000000.nii.gz",
      kT2wGrid, gland);
  write_text_file(repo / "clinical_information" / "marksheet.csv",
                  "patient_id,study_id,mri_date,patient_age,case_csPCa\n"
                  "10000,1000000,2019-01-01,66,YES\n");
  write_text_file(repo / "README.md", "# Annotations for the PI-CAI Challenge\n");
}

// Human-expert lesions of two ISUP grades in one study, one in another, an all-zero negative.
const PlantedCase kHuman0{"10000_1000000",
                          "mr_t2w",
                          kT2wGrid.size,
                          {{{2, 2, 1}, {6, 6, 4}, 2}, {{8, 4, 2}, {12, 8, 5}, 5}}};
const PlantedCase kHuman1{"10001_1000001", "mr_t2w", kT2wGrid.size, {{{3, 1, 0}, {10, 5, 3}, 3}}};
const PlantedCase kNegative{"10002_1000002", "mr_t2w", kT2wGrid.size, {}};
// AI-derived lesions (value 1): the first study, a second study of patient 10001 that has no
// human delineation (a case-level outcome only), and the negative.
const PlantedCase kAi0{"10000_1000000", "mr_t2w", kT2wGrid.size, {{{2, 3, 2}, {7, 7, 5}, 1}}};
const PlantedCase kAi1{"10001_1000001", "mr_t2w", kT2wGrid.size, {}};
const PlantedCase kAi3{"10001_1000003", "mr_t2w", kT2wGrid.size, {{{9, 0, 0}, {14, 4, 2}, 1}}};

const PicaiLabels kPicaiLabels{{kHuman0, kHuman1, kNegative}, {kAi0, kAi1, kAi3, kNegative}};

void write_picai_images(const fs::path& folder_of_patients) {
  write_picai_study(folder_of_patients / "10000", "10000_1000000");
  write_picai_study(folder_of_patients / "10001", "10001_1000001");
  write_picai_study(folder_of_patients / "10001", "10001_1000003");
  write_picai_study(folder_of_patients / "10002", "10002_1000002");
  write_apple_double(folder_of_patients / "10000" / "._10000_1000000_t2w.mha");
}

ExpectedFiles picai_expected(const std::string& dataset, const ClassValues& classes,
                             const std::vector<PlantedCase>& cases) {
  ExpectedFiles want;
  for (const auto& c : cases)
    add_expected(want, dataset, c.name, kPicaiModalities, c.size, c.boxes, classes);
  return want;
}

// picai_baseline: the images in images/<pid>/ beside the picai_labels clone (picai_baseline's
// own layout); only human_expert/resampled drives the cases.
TEST(SecondWaveResampledDatasetsTest, PicaiBaselineHumanLabelsWithAdcAndHbvResampledToT2w) {
  TempDir dir;
  const fs::path in = dir / "in";
  write_picai_images(in / "images");
  write_picai_labels(in / "picai_labels", kPicaiLabels);

  const auto d = convert_dataset("picai_baseline", in, dir / "out", {"--axes", "x"});
  ASSERT_EQ(d.run.exit_code, 0) << d.run.err;
  const auto want = picai_expected("picai_baseline", kPicaiBaselineClasses, {kHuman0, kHuman1});
  expect_converted(d, want);
  ASSERT_THAT(want.images, Contains("mr_adc--picai_baseline--10000_1000000--x_0002.png"));
  EXPECT_THAT(failures(d), IsEmpty());
  const nlohmann::json mapping{{"prostate_cancer", class_id("prostate_cancer")}};
  EXPECT_EQ(d.mapping, mapping);
  // The negative study (all-zero delineation) is converted and gives nothing.
  EXPECT_THAT(warnings_of(d, "10002_1000002"), ElementsAre(HasSubstr("no voxel of a class")));

  // The ADC and HBV resampled onto the T2W grid, the T2W as stored.
  const fs::path images = dir / "out" / "images";
  for (const std::size_t k : {1u, 3u}) {
    const std::string slice = "10000_1000000--x_000" + std::to_string(k) + ".png";
    expect_minmax_pixels(images / ("mr_adc--picai_baseline--" + slice), kT2wGrid.size,
                         adc_on_label);
    expect_minmax_pixels(images / ("mr_hbv--picai_baseline--" + slice), kT2wGrid.size,
                         hbv_on_label);
    expect_minmax_pixels(
        images / ("mr_t2w--picai_baseline--" + slice), kT2wGrid.size,
        [k](double i, double j) { return planted_ramp(i, j, static_cast<double>(k)); });
  }
}

// picai_semi: the patient folders directly beside picai_labels in a PI-CAI/ folder, --input the
// folder above it; only AI/Bosma22a drives the cases, so the study without a human delineation
// is a case and the human-expert grades are not read.
TEST(SecondWaveResampledDatasetsTest, PicaiSemiAiLabelsWithPatientFoldersBesideTheLabels) {
  TempDir dir;
  const fs::path picai = dir / "in" / "PI-CAI";
  write_picai_images(picai);
  write_picai_labels(picai / "picai_labels", kPicaiLabels);

  const auto d = convert_dataset("picai_semi", dir / "in", dir / "out", {"--axes", "x"});
  ASSERT_EQ(d.run.exit_code, 0) << d.run.err;
  expect_converted(d, picai_expected("picai_semi", kPicaiSemiClasses, {kAi0, kAi3}));
  EXPECT_THAT(failures(d), IsEmpty());
  const nlohmann::json mapping{{"prostate_cancer", class_id("prostate_cancer")}};
  EXPECT_EQ(d.mapping, mapping);

  const fs::path images = dir / "out" / "images";
  expect_minmax_pixels(images / "mr_adc--picai_semi--10001_1000003--x_0000.png", kT2wGrid.size,
                       adc_on_label);
  expect_minmax_pixels(images / "mr_t2w--picai_semi--10001_1000003--x_0001.png", kT2wGrid.size,
                       [](double i, double j) { return planted_ramp(i, j, 1); });
}

// The images unpacked one folder per fold zip beside the clone: found one level down too.
TEST(SecondWaveResampledDatasetsTest, PicaiBaselineImagesInOneFolderPerFoldZip) {
  TempDir dir;
  const fs::path in = dir / "in";
  write_picai_study(in / "picai_public_images_fold0" / "10000", "10000_1000000");
  write_picai_study(in / "picai_public_images_fold3" / "10001", "10001_1000001");
  write_picai_labels(in / "picai_labels", {{kHuman0, kHuman1}, {}});
  const auto d = convert_dataset("picai_baseline", in, dir / "out", {"--axes", "x"});
  ASSERT_EQ(d.run.exit_code, 0) << d.run.err;
  expect_converted(d, picai_expected("picai_baseline", kPicaiBaselineClasses, {kHuman0, kHuman1}));
}

// ---------------------------------------------------------------------------------------------
// ISLES 2022: DWI, ADC and mask on a 2 mm grid; FLAIR on a 1 x 1 x 4 mm grid that starts 1.5,
// 1 and 2 mm before it. A mask voxel (i, j, k) lies at the FLAIR continuous index
// (1.5 + 2i, 1 + 2j, 0.5 + k/2): weights 0 or 1/2, all exact (power-of-two spacings).

const Grid kMaskGrid{{12, 10, 8}, {2.0, 2.0, 2.0}, {-11.0, -9.0, -7.0}};
const Grid kFlairGrid{{25, 20, 5}, {1.0, 1.0, 4.0}, {-12.5, -10.0, -9.0}};

double flair_value(double a, double b, double c) {
  return 2 * a + b + 100 * c;
}
double flair_on_mask(double i, double j, double k) {
  return flair_value(1.5 + 2 * i, 1 + 2 * j, 0.5 + k / 2);
}

const ClassValues kIslesClasses{{"stroke_lesion", {1}}};
const std::vector<std::string> kIslesModalities{"mr_dwi", "mr_adc", "mr_flair"};

// One subject's scans in the Zenodo layout (`grand_challenge` false: ses-0001/dwi/ and anat/,
// FLAIR in capitals, .json sidecars) or the grand-challenge one (rawdata/, no dwi/ or anat/
// level, lower-case flair). Without `mask` the subject has no derivatives folder.
void write_isles_subject(const fs::path& root, const std::string& sub, bool grand_challenge,
                         const PlantedCase* mask) {
  const std::string key = sub + "_ses-0001";
  const fs::path ses = (grand_challenge ? root / "rawdata" : root) / sub / "ses-0001";
  const fs::path dwi_dir = grand_challenge ? ses : ses / "dwi";
  const fs::path anat_dir = grand_challenge ? ses : ses / "anat";
  const PlantedCase dwi{key, "mr_dwi", kMaskGrid.size, {}};
  write_image_on(dwi_dir / (key + "_dwi.nii.gz"), kMaskGrid, dwi);
  write_on(dwi_dir / (key + "_adc.nii.gz"), kMaskGrid,
           field<float>(kMaskGrid, [](double a, double b, double c) { return 3 * a - b + c; }));
  const std::string flair = key + (grand_challenge ? "_flair" : "_FLAIR");
  write_on(anat_dir / (flair + ".nii.gz"), kFlairGrid, field<float>(kFlairGrid, flair_value));
  write_text_file(dwi_dir / (key + (grand_challenge ? "_dw.json" : "_dwi.json")), "{}");
  write_text_file(dwi_dir / (key + "_adc.json"), "{}");
  write_text_file(anat_dir / (flair + ".json"), "{}");
  write_apple_double(anat_dir / ("._" + flair + ".nii.gz"));
  if (mask == nullptr) return;
  const fs::path derivatives = root / "derivatives" / sub / "ses-0001";
  write_label_on(derivatives / (key + "_msk.nii.gz"), kMaskGrid, *mask);
  write_text_file(derivatives / (key + "_snp.png"), "not read");
  write_apple_double(derivatives / ("._" + key + "_msk.nii.gz"));
}

TEST(SecondWaveResampledDatasetsTest, Isles2022ZenodoAndGrandChallengeLayoutsWithFlairResampled) {
  TempDir dir;
  const fs::path zenodo = dir / "in" / "ISLES-2022";
  const PlantedCase c1{"sub-strokecase0001_ses-0001",
                       "mr_dwi",
                       kMaskGrid.size,
                       {{{2, 2, 2}, {6, 5, 5}, 1}, {{8, 6, 3}, {11, 9, 6}, 1}}};
  const PlantedCase empty{"sub-strokecase0002_ses-0001", "mr_dwi", kMaskGrid.size, {}};
  const PlantedCase c3{
      "sub-strokecase0003_ses-0001", "mr_dwi", kMaskGrid.size, {{{4, 3, 1}, {9, 8, 7}, 1}}};
  write_isles_subject(zenodo, "sub-strokecase0001", false, &c1);
  write_isles_subject(zenodo, "sub-strokecase0002", false, &empty);
  write_isles_subject(zenodo, "sub-strokecase0004", false, nullptr);  // no mask: not a case
  write_text_file(zenodo / "participants.tsv", "participant_id\tage\nsub-strokecase0001\t70\n");
  write_text_file(zenodo / "dataset_description.json", R"({"Name": "ISLES 2022"})");
  write_text_file(zenodo / "README", "ISLES 2022\n");
  write_isles_subject(dir / "in" / "isles22" / "dataset", "sub-strokecase0003", true, &c3);

  const auto d = convert_dataset("ISLES2022", dir / "in", dir / "out", {"--axes", "x"});
  ASSERT_EQ(d.run.exit_code, 0) << d.run.err;
  ExpectedFiles want;
  for (const auto& c : {c1, c3})
    add_expected(want, "ISLES2022", c.name, kIslesModalities, c.size, c.boxes, kIslesClasses);
  expect_converted(d, want);
  ASSERT_THAT(want.images,
              Contains("mr_flair--ISLES2022--sub-strokecase0003_ses-0001--x_0006.png"));
  EXPECT_THAT(failures(d), IsEmpty());
  const nlohmann::json mapping{{"stroke_lesion", class_id("stroke_lesion")}};
  EXPECT_EQ(d.mapping, mapping);
  // An empty mask (3 of the 250 in the release) gives nothing.
  EXPECT_THAT(warnings_of(d, empty.name), ElementsAre(HasSubstr("no voxel of a class")));

  // FLAIR resampled onto the mask grid; DWI as stored.
  const fs::path images = dir / "out" / "images";
  for (const auto& [name, k] : {std::pair<std::string, int>{c1.name, 4}, {c3.name, 6}}) {
    const std::string slice = name + "--x_000" + std::to_string(k) + ".png";
    expect_minmax_pixels(images / ("mr_flair--ISLES2022--" + slice), kMaskGrid.size,
                         [k = k](double i, double j) { return flair_on_mask(i, j, k); });
    expect_minmax_pixels(images / ("mr_dwi--ISLES2022--" + slice), kMaskGrid.size,
                         [k = k](double i, double j) { return planted_ramp(i, j, k); });
  }
}

// --input at the ISLES-2022 folder itself: the images are found beside derivatives/.
TEST(SecondWaveResampledDatasetsTest, Isles2022InputIsTheDatasetFolder) {
  TempDir dir;
  const PlantedCase c1{
      "sub-strokecase0001_ses-0001", "mr_dwi", kMaskGrid.size, {{{2, 2, 2}, {6, 5, 5}, 1}}};
  write_isles_subject(dir / "ISLES-2022", "sub-strokecase0001", false, &c1);
  const auto d = convert_dataset("ISLES2022", dir / "ISLES-2022", dir / "out", {"--axes", "x"});
  ASSERT_EQ(d.run.exit_code, 0) << d.run.err;
  ExpectedFiles want;
  add_expected(want, "ISLES2022", c1.name, kIslesModalities, c1.size, c1.boxes, kIslesClasses);
  expect_converted(d, want);
}

}  // namespace
}  // namespace samed2d::test
