// The bundled Chest_Image_Pneum config (dicom_rle_csv converter) on replicas of the SIIM-ACR
// pneumothorax layouts: the Tianchi mirror (chestimage_train_datasets/ + one CSV) and the
// original Kaggle release (dicom-images-train/<study>/<series>/<SOP>.dcm + train-rle.csv whose
// header is "ImageId, EncodedPixels"). Images are 64 wide x 48 high, so that a row-major reading
// of the column-major runs, or a swapped width and height, cannot pass.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "converters/ConverterRegistry.hpp"
#include "pipeline/core/ClassRegistry.hpp"
#include "pipeline/core/Errors.hpp"
#include "pipeline/core/Volume.hpp"
#include "support/DatasetReplica.hpp"
#include "support/DatasetRun.hpp"
#include "support/DicomWriter.hpp"
#include "support/ErrorOf.hpp"
#include "support/Matchers.hpp"
#include "support/TestData.hpp"

namespace samed2d::test {
namespace {

constexpr std::size_t kWidth = 64;
constexpr std::size_t kHeight = 48;
const std::string kDataset = "Chest_Image_Pneum";

// A row-major kWidth x kHeight mask (1 inside).
using Mask = std::vector<std::uint8_t>;

struct Rect {
  std::size_t row0, row1, col0, col1;  // [row0, row1) x [col0, col1)
};

Mask mask_of(std::initializer_list<Rect> rects) {
  Mask m(kWidth * kHeight, 0);
  for (const auto& r : rects)
    for (std::size_t y = r.row0; y < r.row1; ++y)
      for (std::size_t x = r.col0; x < r.col1; ++x) m[y * kWidth + x] = 1;
  return m;
}

// SIIM's encoder (Kaggle mask_functions.mask2rle): walk the pixels column by column, top to
// bottom; each run is written as (pixels since the previous run ended, run length).
std::string rle_of(const Mask& m) {
  std::string out;
  std::size_t since = 0;
  std::size_t run = 0;
  const auto flush = [&] {
    if (run == 0) return;
    out += (out.empty() ? "" : " ") + std::to_string(since) + " " + std::to_string(run);
    since = 0;
    run = 0;
  };
  for (std::size_t x = 0; x < kWidth; ++x)
    for (std::size_t y = 0; y < kHeight; ++y) {
      if (m[y * kWidth + x]) {
        ++run;
      } else {
        flush();
        ++since;
      }
    }
  flush();
  return out;
}

// The X-ray's pixel at (row, col): no symmetry between rows and columns.
std::uint8_t pixel_at(std::size_t row, std::size_t col) {
  return static_cast<std::uint8_t>((row * 5 + col * 3 + 7) % 251);
}

// An 8-bit MONOCHROME2 single-frame DICOM, as SIIM's files are.
void write_xray(const fs::path& file, const std::string& sop_uid) {
  DicomImage2D image;
  image.columns = kWidth;
  image.rows = kHeight;
  image.pixel = DicomPixel::UInt8;
  for (std::size_t y = 0; y < kHeight; ++y)
    for (std::size_t x = 0; x < kWidth; ++x) image.values.push_back(pixel_at(y, x));
  image.sop_instance_uid = sop_uid;
  image.series_uid = sop_uid + ".2";
  image.modality = "CR";
  write_dicom_image(file, image);
}

std::string image_name(const std::string& uid) {
  return "x_ray--" + kDataset + "--" + uid + "--2d_none.png";
}
std::string mask_name(const std::string& uid, int instance) {
  return "x_ray--" + kDataset + "--" + uid + "--2d_none--" + class_id("pneumothorax") +
         (instance == 0   ? "_000"
          : instance == 1 ? "_001"
                          : "_002") +
         ".png";
}

// The PNG's pixels as a 0/1 row-major mask; checks the size and one grey channel.
Mask read_mask(const fs::path& file) {
  const auto png = read_png(file);
  EXPECT_EQ(png.width, kWidth) << file;
  EXPECT_EQ(png.height, kHeight) << file;
  EXPECT_EQ(png.channels, 1) << file;
  Mask m(png.pixels.size());
  for (std::size_t p = 0; p < m.size(); ++p) {
    EXPECT_TRUE(png.pixels[p] == 0 || png.pixels[p] == 255) << file << " pixel " << p;
    m[p] = png.pixels[p] ? 1 : 0;
  }
  return m;
}

void expect_xray_image(const fs::path& file) {
  const auto png = read_png(file);
  ASSERT_EQ(png.width, kWidth);
  ASSERT_EQ(png.height, kHeight);
  ASSERT_EQ(png.channels, 1) << "a grey 2D source stays one channel";
  for (std::size_t y = 0; y < kHeight; ++y)
    for (std::size_t x = 0; x < kWidth; ++x)
      ASSERT_EQ(png.pixels[y * kWidth + x], pixel_at(y, x)) << "row " << y << " col " << x;
}

// Uids as SIIM writes them (dots, no '-').
const std::string kTwoRegions = "1.2.276.0.7230010.3.1.4.8323329.2320.1517875172.159451";
const std::string kCorner = "1.2.276.0.7230010.3.1.4.8323329.5597.1517875188.959090";
const std::string kNegative = "1.2.276.0.7230010.3.1.4.8323329.11104.1517875231.169401";
const std::string kTest = "1.2.276.0.7230010.3.1.4.8323329.6904.1517875201.850819";
const std::string kMalformed = "1.2.276.0.7230010.3.1.4.8323329.4440.1517875182.865105";
const std::string kOverflow = "1.2.276.0.7230010.3.1.4.8323329.1000.1517875165.878027";

// kTwoRegions has three rows: a box planted and encoded, a box overlapping it (the rows are
// ORed into one region), and a literal row decoded by hand: "100 5 43 5" starts at pixel 100 =
// column 2 (100 / 48), row 4 (100 % 48), 5 pixels down column 2, then 43 further on: pixel 148 =
// column 3, row 4, 5 more. That is rows 4..8 of columns 2..3.
const Rect kBox1{20, 30, 30, 40};
const Rect kBox2{25, 35, 35, 45};
const Rect kLiteral{4, 9, 2, 4};
const std::string kLiteralRle = "100 5 43 5";
// kCorner's box touches the bottom and right edges: its last run ends on the raster's last
// pixel (column 63, row 47 = 3071).
const Rect kCornerBox{40, 48, 60, 64};

struct Replica {
  fs::path csv;
  std::size_t malformed_line = 0;
  std::size_t overflow_line = 0;
};

// The Tianchi mirror: nested folders, header without spaces.
Replica write_tianchi(const fs::path& root) {
  const fs::path train = root / "chestimage_train_datasets";
  write_xray(train / "1.2.276.0.7230010.3.1.2.8323329.2320.1517875172.159450" /
                 "1.2.276.0.7230010.3.1.3.8323329.2320.1517875172.159449" / (kTwoRegions + ".dcm"),
             kTwoRegions);
  write_xray(train / "a" / "b" / (kCorner + ".dcm"), kCorner);
  write_xray(train / "a" / "c" / (kNegative + ".dcm"), kNegative);
  write_xray(train / "d" / (kMalformed + ".dcm"), kMalformed);
  write_xray(train / "d" / (kOverflow + ".dcm"), kOverflow);
  write_xray(root / "chestimage_test_datasets" / "x" / (kTest + ".dcm"), kTest);

  Replica r;
  r.csv = root / "chestimage_train-rle_datasets.csv";
  std::string text = "ImageId,EncodedPixels\n";                  // line 1
  text += kTwoRegions + "," + rle_of(mask_of({kBox1})) + "\n";   // 2
  text += kNegative + ",-1\n";                                   // 3
  text += kCorner + "," + rle_of(mask_of({kCornerBox})) + "\n";  // 4
  text += kTwoRegions + "," + kLiteralRle + "\n";                // 5
  text += kMalformed + ",10 5 7 x3\n";                           // 6
  text += kOverflow + ",3000 72 0 1\n";                          // 7: ends at 3073
  text += kTwoRegions + "," + rle_of(mask_of({kBox2})) + "\n";   // 8
  r.malformed_line = 6;
  r.overflow_line = 7;
  write_text_file(r.csv, text);
  return r;
}

// The original Kaggle layout: <study>/<series>/<SOP>.dcm, " EncodedPixels" with a leading
// space, CRLF line ends.
Replica write_kaggle(const fs::path& root) {
  const auto dcm = [&](const std::string& folder, const std::string& uid) {
    write_xray(root / folder / (uid + ".1000") / (uid + ".1001") / (uid + ".dcm"), uid);
  };
  dcm("dicom-images-train", kTwoRegions);
  dcm("dicom-images-train", kCorner);
  dcm("dicom-images-train", kNegative);
  dcm("dicom-images-test", kTest);
  Replica r;
  r.csv = root / "train-rle.csv";
  std::string text = "ImageId, EncodedPixels\r\n";
  text += kTwoRegions + ", " + rle_of(mask_of({kBox1})) + "\r\n";
  text += kTwoRegions + ", " + kLiteralRle + "\r\n";
  text += kTwoRegions + ", " + rle_of(mask_of({kBox2})) + "\r\n";
  text += kNegative + ", -1\r\n";
  text += kCorner + ", " + rle_of(mask_of({kCornerBox})) + "\r\n";
  write_text_file(r.csv, text);
  return r;
}

void expect_good_cases(const fs::path& out, const ConvertedDataset& d) {
  // Ascending names: "...8323329.2320..." before "...8323329.5597...".
  EXPECT_THAT(d.images, ElementsAre(image_name(kTwoRegions), image_name(kCorner)));
  EXPECT_THAT(d.masks, ElementsAre(mask_name(kTwoRegions, 0), mask_name(kTwoRegions, 1),
                                   mask_name(kCorner, 0)));
  expect_xray_image(out / "images" / image_name(kTwoRegions));
  expect_xray_image(out / "images" / image_name(kCorner));

  // Components are numbered by their first pixel in row-major order: the literal box (row 4)
  // before the union of the two planted boxes (row 20).
  EXPECT_EQ(read_mask(out / "masks" / mask_name(kTwoRegions, 0)), mask_of({kLiteral}));
  EXPECT_EQ(read_mask(out / "masks" / mask_name(kTwoRegions, 1)), mask_of({kBox1, kBox2}));
  EXPECT_EQ(read_mask(out / "masks" / mask_name(kCorner, 0)), mask_of({kCornerBox}));

  EXPECT_EQ(d.mapping, nlohmann::json({{"pneumothorax", class_id("pneumothorax")}}));
  ASSERT_TRUE(d.index.is_object());
  EXPECT_EQ(d.index.size(), 2u);
  EXPECT_EQ(
      d.index["images/" + image_name(kTwoRegions)],
      nlohmann::json({"masks/" + mask_name(kTwoRegions, 0), "masks/" + mask_name(kTwoRegions, 1)}));
}

TEST(ChestImagePneumDatasetTest, TianchiLayoutDecodesColumnMajorRunsAndFailsOnlyBadRows) {
  TempDir dir;
  const auto replica = write_tianchi(dir / "in");
  const auto d = convert_dataset(kDataset, dir / "in", dir / "out");
  EXPECT_EQ(d.run.exit_code, 1) << d.run.err;  // two bad rows, each fails its own case only
  expect_good_cases(dir / "out", d);

  ASSERT_TRUE(d.report.is_object()) << d.run.err;
  const auto& failed = d.report["failed"];
  ASSERT_EQ(failed.size(), 2u) << failed.dump();
  std::map<std::string, std::string> reason;
  for (const auto& f : failed) reason[f["case"]] = f["reason"];
  ASSERT_EQ(reason.count(kMalformed), 1u) << failed.dump();
  ASSERT_EQ(reason.count(kOverflow), 1u) << failed.dump();
  EXPECT_THAT(reason[kMalformed], HasSubstr(replica.csv.string() + ": line 6: "));
  EXPECT_THAT(reason[kMalformed], HasSubstr("\"x3\""));
  EXPECT_THAT(reason[kOverflow], HasSubstr(replica.csv.string() + ": line 7: "));
  EXPECT_THAT(reason[kOverflow], HasSubstr("3073"));
  EXPECT_THAT(reason[kOverflow], HasSubstr("64x48"));
  EXPECT_EQ(reason[kMalformed].find('\n'), std::string::npos);
  EXPECT_EQ(d.report["images"], 2);
  EXPECT_EQ(d.report["masks"], 3);
}

TEST(ChestImagePneumDatasetTest, KaggleLayoutWithSpacedHeaderAndCrlf) {
  TempDir dir;
  write_kaggle(dir / "in" / "siim");
  // --input is the folder above the download: the config finds the CSV and DICOMs at any depth.
  const auto d = convert_dataset(kDataset, dir / "in", dir / "out");
  EXPECT_EQ(d.run.exit_code, 0) << d.run.err;
  expect_good_cases(dir / "out", d);
}

// The same replica through the converter itself: which images are cases, and the label map it
// assembles (ITK index (i, j) = (column, row)).
TEST(ChestImagePneumDatasetTest, DiscoversOnlyImagesWithRunsAndAssemblesTheirLabels) {
  TempDir dir;
  const auto replica = write_tianchi(dir / "in");
  const auto classes = ClassRegistry::load(source_dir() / "configs" / "classes.json");
  const auto converter = load_dataset_config(bundled_config(kDataset), classes);
  EXPECT_EQ(converter->layout(), "DICOM + RLE CSV");
  EXPECT_THAT(converter->modalities(), ElementsAre("x_ray"));

  const auto cases = converter->discover(dir / "in").cases;
  std::vector<std::string> names;
  for (const auto& c : cases) names.push_back(c.name);
  // Ascending relative paths: "1.2.../<kTwoRegions>.dcm", "a/b/<kCorner>.dcm", then in d/
  // kOverflow ("...8323329.1000...") before kMalformed ("...8323329.4440...").
  ASSERT_THAT(names, ElementsAre(kTwoRegions, kCorner, kOverflow, kMalformed));
  for (const auto& c : cases) {
    EXPECT_TRUE(c.discovery_error.empty()) << c.discovery_error;
    EXPECT_EQ(c.label, replica.csv.lexically_normal());
    ASSERT_EQ(c.sequences.size(), 1u);
    EXPECT_EQ(c.sequences[0].modality, "x_ray");
    EXPECT_EQ(c.sequences[0].image.filename(), c.name + ".dcm");
    ASSERT_TRUE(c.assemble_label);
    ASSERT_NE(c.mapping, nullptr);
    ASSERT_EQ(c.mapping->classes.size(), 1u);
    EXPECT_EQ(c.mapping->classes[0].name, "pneumothorax");
    EXPECT_EQ(c.mapping->classes[0].id_text, class_id("pneumothorax"));
    EXPECT_THAT(c.mapping->classes[0].values, ElementsAre(1));
  }

  std::vector<std::string> warnings;
  const Volume label = cases[0].assemble_label(ImageGrid{}, warnings);
  EXPECT_EQ(label.type(), VoxelType::UInt8);
  EXPECT_EQ(label.size(), (std::array<std::size_t, 3>{kWidth, kHeight, 1}));
  EXPECT_TRUE(label.is_2d());
  const Mask expected = mask_of({kBox1, kBox2, kLiteral});
  const auto* v = label.data<std::uint8_t>();
  for (std::size_t j = 0; j < kHeight; ++j)
    for (std::size_t i = 0; i < kWidth; ++i)
      ASSERT_EQ(v[i + kWidth * j], expected[j * kWidth + i]) << "column " << i << " row " << j;

  EXPECT_THROW(
      {
        try {
          cases[3].assemble_label(ImageGrid{}, warnings);
        } catch (const InputError& e) {
          EXPECT_THAT(e.what(), HasSubstr("line 6: EncodedPixels of " + kMalformed));
          throw;
        }
      },
      InputError);
}

TEST(ChestImagePneumDatasetTest, RowsWithRunsButNoDicomAreFailedCases) {
  TempDir dir;
  write_kaggle(dir / "in");
  fs::remove_all(dir / "in" / "dicom-images-train" / (kCorner + ".1000"));
  const auto d = convert_dataset(kDataset, dir / "in", dir / "out");
  EXPECT_EQ(d.run.exit_code, 1) << d.run.err;
  EXPECT_THAT(d.images, ElementsAre(image_name(kTwoRegions)));
  expect_one_report_entry(d, "failed", kCorner,
                          HasSubstr("line 6: image " + kCorner + " has a mask but no DICOM file"));
}

TEST(ChestImagePneumDatasetTest, ConfigAndCsvErrorsStopTheRun) {
  TempDir dir;
  const auto classes = ClassRegistry::load(source_dir() / "configs" / "classes.json");
  const auto config_error = [&](const std::string& text) {
    write_text_file(dir / "c.json", text);
    return error_of<ConfigError>(
        [&] { load_dataset_config(dir / "c.json", classes)->discover(dir / "in").cases; },
        "no error");
  };
  const std::string head =
      R"({"dataset": "Chest_Image_Pneum", "converter": "dicom_rle_csv", "cases": "**/*.dcm", )"
      R"("modality": "x_ray", )";
  EXPECT_THAT(
      config_error(head + R"("csv": "*.csv", "class": "pneumothorax", "pixel_column": "E"})"),
      HasSubstr("did you mean \"pixels_column\""));
  EXPECT_THAT(config_error(head + R"("csv": "*.csv", "class": "pneumothorx"})"),
              HasSubstr("did you mean \"pneumothorax\""));
  EXPECT_THAT(config_error(head + R"("class": "pneumothorax"})"), HasSubstr("\"csv\" is missing"));

  write_kaggle(dir / "in");
  EXPECT_THAT(config_error(head + R"("csv": "*.txt", "class": "pneumothorax"})"),
              HasSubstr("0 file(s) match the \"csv\" pattern \"*.txt\""));
  EXPECT_THAT(
      config_error(head + R"("csv": "*.csv", "class": "pneumothorax", "pixels_column": "Rle"})"),
      AllOf(HasSubstr("no column \"Rle\""), HasSubstr("ImageId, EncodedPixels")));
}

}  // namespace
}  // namespace samed2d::test
