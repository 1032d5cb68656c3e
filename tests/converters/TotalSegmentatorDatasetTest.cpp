// The bundled Totalsegmentator_dataset config on a miniature replica of the v1 and v2 releases:
// sNNNN/ct.nii.gz with one uint8 mask per class key in sNNNN/segmentations/<key>.nii.gz, most of
// them all zero (structure outside the field of view), and meta.csv (semicolon-separated) at
// the release root. Converted by the real binary, --axes x to keep the expected names few.

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <utility>

#include "converters/ConverterRegistry.hpp"
#include "converters/MaskPerClassConverter.hpp"
#include "pipeline/core/ClassRegistry.hpp"
#include "support/DatasetRun.hpp"
#include "support/TestData.hpp"

namespace samed2d {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr std::array<std::size_t, 3> kSize{8, 6, 3};  // x slices: 6 rows x 8 columns
constexpr std::size_t kVoxels = 8 * 6 * 3;
const std::string kDataset = "Totalsegmentator_dataset";

const MaskPerClassConverter& bundled() {
  static const ClassRegistry classes =
      ClassRegistry::load(test::source_dir() / "configs" / "classes.json");
  static const auto converter = load_dataset_config(test::bundled_config(kDataset), classes);
  return dynamic_cast<const MaskPerClassConverter&>(*converter);
}

const std::vector<std::string>& keys_of(const std::string& version) {
  for (const auto& v : bundled().versions())
    if (v.name == version) return v.keys;
  throw std::runtime_error("no version " + version);
}

using Boxes = std::map<std::string, std::vector<std::uint8_t>>;  // key -> mask voxels

// One subject: a CT ramp and a mask for every key of `version`, all zero except `planted`.
void write_subject(const fs::path& dir, const std::string& version, const Boxes& planted) {
  std::vector<std::int16_t> ct(kVoxels);
  for (std::size_t i = 0; i < kVoxels; ++i) ct[i] = static_cast<std::int16_t>(-1000 + 7 * i);
  test::write_volume(dir / "ct.nii.gz", kSize, ct);
  const std::vector<std::uint8_t> zero(kVoxels, 0);
  for (const auto& key : keys_of(version)) {
    const auto it = planted.find(key);
    test::write_volume(dir / "segmentations" / (key + ".nii.gz"), kSize,
                       it == planted.end() ? zero : it->second);
  }
}

std::vector<std::uint8_t> box(std::array<std::size_t, 3> lo, std::array<std::size_t, 3> hi,
                              std::vector<std::uint8_t> into = {}) {
  test::fill_box(into, kSize, lo, hi, 1);
  return into;
}

std::string image(const std::string& subject, int k) {
  return fmt::format("ct_00--{}--{}--x_{:04d}.png", kDataset, subject, k);
}
std::string mask(const std::string& subject, int k, const std::string& cls, int instance) {
  return fmt::format("ct_00--{}--{}--x_{:04d}--{}_{:03d}.png", kDataset, subject, k,
                     test::class_id(cls), instance);
}

std::size_t white_pixels(const fs::path& png) {
  const auto p = test::read_png(png);
  std::size_t n = 0;
  for (auto v : p.pixels) n += v == 255;
  return n;
}

void write_meta(const fs::path& root, const std::vector<std::string>& subjects) {
  std::string text = "image_id;age;gender;institute;study_type;split\n";
  for (const auto& s : subjects) text += s + ";63;m;A;ct abdomen;train\n";
  test::write_text_file(root / "meta.csv", text);
}

TEST(TotalSegmentatorDatasetTest, BundledConfigHoldsTheOfficialV1AndV2KeyLists) {
  const auto& v1 = keys_of("v1");
  const auto& v2 = keys_of("v2");
  ASSERT_EQ(v1.size(), 104u);
  ASSERT_EQ(v2.size(), 117u);
  // Spot checks against TotalSegmentator's class_map["total_v1"] and ["total"] (1-based).
  const std::vector<std::pair<std::size_t, std::string>> v1_spots{
      {0, "spleen"},      {17, "vertebrae_L5"}, {40, "vertebrae_C1"},    {43, "heart_myocardium"},
      {57, "rib_left_1"}, {92, "face"},         {103, "urinary_bladder"}};
  const std::vector<std::pair<std::size_t, std::string>> v2_spots{
      {6, "pancreas"}, {25, "vertebrae_S1"}, {50, "heart"},
      {90, "skull"},   {115, "sternum"},     {116, "costal_cartilages"}};
  for (const auto& [index, key] : v1_spots) EXPECT_EQ(v1[index], key) << "v1 " << index;
  for (const auto& [index, key] : v2_spots) EXPECT_EQ(v2[index], key) << "v2 " << index;
  EXPECT_EQ(bundled().layout(), "mask per class");
  EXPECT_EQ(bundled().modalities(), std::vector<std::string>{"ct_00"});

  // Key -> registry class, through the v1 mapping (value = index + 1).
  std::map<std::string, std::string> class_of_value;
  for (const auto& v : bundled().versions()) {
    if (v.name != "v1") continue;
    for (const auto& c : v.mapping->classes)
      for (auto value : c.values)
        class_of_value[v.keys[static_cast<std::size_t>(value - 1)]] = c.name;
  }
  EXPECT_EQ(class_of_value.size(), 104u);
  EXPECT_EQ(class_of_value["kidney_right"], "right_kidney");
  EXPECT_EQ(class_of_value["rib_left_1"], "left_rib_1");
  EXPECT_EQ(class_of_value["vertebrae_L5"], "vertebra_l5");
  EXPECT_EQ(class_of_value["heart_myocardium"], "myocardium");
  EXPECT_EQ(class_of_value["heart_ventricle_right"], "right_ventricle");
  EXPECT_EQ(class_of_value["clavicula_left"], "left_clavicle");
  EXPECT_EQ(class_of_value["iliac_vena_right"], "right_iliac_vein");
  EXPECT_EQ(class_of_value["portal_vein_and_splenic_vein"], "portal_and_splenic_vein");
}

TEST(TotalSegmentatorDatasetTest, ConvertsV1AndV2SubjectsFromAFolderAboveBothReleases) {
  test::TempDir tmp;
  const fs::path v1_root = tmp / "data" / "Totalsegmentator_dataset";
  const fs::path v2_root = tmp / "data" / "Totalsegmentator_dataset_v201";

  // s0001 (v1): spleen and liver overlap on slice 0 (liver, later in v1, wins there); hip_left
  // is two components on slice 1; heart_myocardium (v1 only) on slice 2.
  write_subject(v1_root / "s0001", "v1",
                {{"spleen", box({0, 0, 0}, {4, 6, 1})},
                 {"liver", box({2, 0, 0}, {8, 6, 1})},
                 {"hip_left", box({5, 3, 1}, {8, 6, 2}, box({0, 0, 1}, {2, 2, 2}))},
                 {"heart_myocardium", box({1, 1, 2}, {3, 3, 3})}});
  write_meta(v1_root, {"s0001"});
  // s0065 (v2): kidney_cyst_left (v2 only) on slice 0; aorta and pancreas overlap on slice 2:
  // v2 puts aorta (52) after pancreas (7), so aorta wins (v1 would do the reverse).
  write_subject(v2_root / "s0065", "v2",
                {{"kidney_cyst_left", box({0, 0, 0}, {3, 2, 1})},
                 {"pancreas", box({0, 0, 2}, {6, 6, 3})},
                 {"aorta", box({4, 0, 2}, {8, 6, 3})}});
  write_meta(v2_root, {"s0065"});

  const fs::path out = tmp / "out";
  const auto d = test::convert_dataset(kDataset, tmp / "data", out, {"--axes", "x"});
  ASSERT_EQ(d.run.exit_code, 0) << d.run.err;

  EXPECT_EQ(d.images,
            (std::vector<std::string>{image("s0001", 0), image("s0001", 1), image("s0001", 2),
                                      image("s0065", 0), image("s0065", 2)}));
  std::vector<std::string> masks{
      mask("s0001", 0, "spleen", 0),     mask("s0001", 0, "liver", 0),
      mask("s0001", 1, "left_hip", 0),   mask("s0001", 1, "left_hip", 1),
      mask("s0001", 2, "myocardium", 0), mask("s0065", 0, "left_kidney_cyst", 0),
      mask("s0065", 2, "pancreas", 0),   mask("s0065", 2, "aorta", 0)};
  std::sort(masks.begin(), masks.end());
  EXPECT_EQ(d.masks, masks);

  // Later wins: spleen keeps columns 0-1 of slice 0 (12 pixels), liver columns 2-7 (36);
  // in v2 aorta keeps columns 4-7 of slice 2 (24), pancreas columns 0-3 (24).
  EXPECT_EQ(white_pixels(out / "masks" / mask("s0001", 0, "spleen", 0)), 12u);
  EXPECT_EQ(white_pixels(out / "masks" / mask("s0001", 0, "liver", 0)), 36u);
  EXPECT_EQ(white_pixels(out / "masks" / mask("s0001", 1, "left_hip", 0)), 4u);  // top left
  EXPECT_EQ(white_pixels(out / "masks" / mask("s0001", 1, "left_hip", 1)), 9u);
  EXPECT_EQ(white_pixels(out / "masks" / mask("s0065", 2, "aorta", 0)), 24u);
  EXPECT_EQ(white_pixels(out / "masks" / mask("s0065", 2, "pancreas", 0)), 24u);
}

TEST(TotalSegmentatorDatasetTest, InputMayBeTheReleaseFolderItself) {
  test::TempDir tmp;
  const fs::path root = tmp / "Totalsegmentator_dataset";
  write_subject(root / "s0002", "v1", {{"urinary_bladder", box({0, 0, 1}, {2, 2, 2})}});
  write_meta(root, {"s0002"});
  const auto d = test::convert_dataset(kDataset, root, tmp / "out", {"--axes", "x"});
  ASSERT_EQ(d.run.exit_code, 0) << d.run.err;
  EXPECT_EQ(d.images, std::vector<std::string>{image("s0002", 1)});
  EXPECT_EQ(d.masks, std::vector<std::string>{mask("s0002", 1, "urinary_bladder", 0)});
}

// The pipeline reorients an assembled label map like the image (here: identity direction, so
// RAS flips i and j), or the masks would land on the wrong voxels.
TEST(TotalSegmentatorDatasetTest, AssembledLabelFollowsTheImageIntoACanonicalOrientation) {
  test::TempDir tmp;
  const fs::path root = tmp / "Totalsegmentator_dataset";
  write_subject(root / "s0003", "v2", {{"sternum", box({0, 0, 1}, {2, 2, 2})}});
  std::ifstream in(test::source_dir() / "configs" / "profiles" / "samed2d_v1.json");
  auto profile = nlohmann::json::parse(in);
  profile["orientation"] = "RAS";
  test::write_text_file(tmp / "ras.json", profile.dump());
  const auto d = test::convert_dataset(kDataset, root, tmp / "out",
                                       {"--axes", "x", "--profile", (tmp / "ras.json").string()});
  ASSERT_EQ(d.run.exit_code, 0) << d.run.err;
  ASSERT_EQ(d.masks, std::vector<std::string>{mask("s0003", 1, "sternum", 0)});
  const auto png = test::read_png(tmp / "out" / "masks" / d.masks[0]);
  ASSERT_EQ(png.width, 8u);
  ASSERT_EQ(png.height, 6u);
  std::vector<std::uint8_t> expected(48, 0);
  for (std::size_t row = 4; row < 6; ++row)
    for (std::size_t col = 6; col < 8; ++col) expected[row * 8 + col] = 255;
  EXPECT_EQ(png.pixels, expected);
}

// Flips a byte of the gzip CRC-32 trailer, as in the v1 release's s0864/ct.nii.gz.
void break_gzip_crc(const fs::path& file) {
  auto bytes = test::read_bytes(file);
  ASSERT_GT(bytes.size(), 8u);
  bytes[bytes.size() - 8] ^= 0xFF;
  std::ofstream(file, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
}

TEST(TotalSegmentatorDatasetTest, EachMalformedSubjectFailsAloneWithOneClearLine) {
  test::TempDir tmp;
  const fs::path root = tmp / "Totalsegmentator_dataset";
  const Boxes liver{{"liver", box({0, 0, 1}, {3, 3, 2})}};
  write_subject(root / "s0010", "v1", liver);
  write_subject(root / "s0011", "v1", liver);  // spleen.nii.gz lost: a partial unzip
  fs::remove(root / "s0011" / "segmentations" / "spleen.nii.gz");
  write_subject(root / "s0012", "v1", liver);  // a mask file of no release
  test::write_volume(root / "s0012" / "segmentations" / "liver_vessels.nii.gz", kSize,
                     std::vector<std::uint8_t>(kVoxels, 0));
  write_subject(root / "s0013", "v1", liver);  // one mask on another grid
  test::write_volume(root / "s0013" / "segmentations" / "stomach.nii.gz", {8, 6, 2},
                     std::vector<std::uint8_t>(8 * 6 * 2, 0));
  write_subject(root / "s0864", "v1", liver);  // corrupt CT
  break_gzip_crc(root / "s0864" / "ct.nii.gz");
  write_meta(root, {"s0010", "s0011", "s0012", "s0013", "s0864"});

  const auto d = test::convert_dataset(kDataset, root, tmp / "out", {"--axes", "x"});
  EXPECT_EQ(d.run.exit_code, 1) << d.run.err;
  EXPECT_EQ(d.images, std::vector<std::string>{image("s0010", 1)});
  EXPECT_EQ(d.masks, std::vector<std::string>{mask("s0010", 1, "liver", 0)});

  ASSERT_TRUE(d.report.is_object());
  ASSERT_EQ(d.report["failed"].size(), 4u) << d.report.dump(2);
  std::map<std::string, std::string> reason;
  for (const auto& f : d.report["failed"])
    reason[f["case"].get<std::string>()] = f["reason"].get<std::string>();
  const fs::path seg = root / "s0011" / "segmentations";
  EXPECT_THAT(reason["s0011"], HasSubstr(seg.string() + ": the mask files are not exactly those "
                                                        "of any one version; against v1 (104 "
                                                        "masks): 1 missing (spleen.nii.gz); "
                                                        "re-extract"));
  EXPECT_THAT(reason["s0012"], HasSubstr("against v1 (104 masks): 1 unexpected "
                                         "(liver_vessels.nii.gz)"));
  EXPECT_THAT(
      reason["s0013"],
      HasSubstr((root / "s0013" / "segmentations" / "stomach.nii.gz").string() +
                ": mask is 8x6x2 but " + (root / "s0013" / "ct.nii.gz").string() + " is 8x6x3"));
  EXPECT_THAT(reason["s0864"], HasSubstr((root / "s0864" / "ct.nii.gz").string()));
  // One line per failed case on stderr, naming its case and the file or folder at fault.
  for (const auto& [name, why] : reason) {
    EXPECT_EQ(why.find('\n'), std::string::npos) << why;
    EXPECT_THAT(d.run.err, HasSubstr("case '" + name + "' of " + kDataset)) << d.run.err;
    EXPECT_THAT(d.run.err, HasSubstr(why));
  }
}

}  // namespace
}  // namespace samed2d
