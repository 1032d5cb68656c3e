// End-to-end: `samed2d validate DIR` accepts a tree samed2d wrote, and finds each defect planted
// in a copy of it, reported under its own kind.

#include <gtest/gtest.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "pipeline/PngWriter.hpp"
#include "support/DatasetRun.hpp"
#include "support/RunTool.hpp"
#include "support/TestData.hpp"

namespace samed2d::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::array<std::size_t, 3> kSize{12, 10, 8};

// The kinds of problem a summary lists ("  unlisted-file: 2") with their counts.
std::map<std::string, int> problem_kinds(const std::string& out) {
  std::map<std::string, int> kinds;
  static const std::regex line(R"(^  ([a-z-]+): (\d+)$)");
  std::istringstream in(out);
  for (std::string l; std::getline(in, l);) {
    std::smatch m;
    if (std::regex_match(l, m, line)) kinds[m[1]] = std::stoi(m[2]);
  }
  return kinds;
}

void write_bytes(const fs::path& file, const std::vector<std::uint8_t>& bytes) {
  std::ofstream f(file, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(f.good()) << file;
}

// A PNG of `w` x `h` with the given pixels (`color` says how many bytes each has).
void write_png(const fs::path& file, std::size_t w, std::size_t h, PngColor color,
               const std::vector<std::uint8_t>& pixels) {
  std::vector<std::uint8_t> bytes;
  encode_png(pixels.data(), w, h, color, mask_png_options(), bytes);
  write_bytes(file, bytes);
}

class ValidateTest : public ::testing::Test {
 protected:
  static TempDir* dir;
  static fs::path good;  // the tree samed2d wrote

  // One case with two classes: liver on k = 2..4, spleen on k = 3..5; three x slices each.
  static void SetUpTestSuite() {
    dir = new TempDir;
    const fs::path in = *dir / "in";
    std::vector<std::int16_t> image(kSize[0] * kSize[1] * kSize[2]);
    for (std::size_t v = 0; v < image.size(); ++v) image[v] = static_cast<std::int16_t>(v % 301);
    write_volume(in / "liver_1.nii.gz", kSize, image);
    std::vector<std::uint8_t> label;
    fill_box(label, kSize, {1, 1, 2}, {5, 5, 5}, 1);
    fill_box(label, kSize, {6, 6, 3}, {11, 9, 6}, 2);
    write_volume(in / "liver_1_seg.nii.gz", kSize, label);
    write_text_file(*dir / "LiverSet.json",
                    R"({"dataset": "LiverSet", "cases": "*[0-9].nii.gz", "modality": "ct_00",
                        "label": "{stem}_seg.nii.gz", "labels": {"1": "liver", "2": "spleen"}})");
    good = *dir / "good";
    const auto run =
        run_samed2d({"convert", "--config", (*dir / "LiverSet.json").string(), "--input",
                     in.string(), "--output", good.string(), "--axes", "x", "--quiet"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
  }
  static void TearDownTestSuite() {
    delete dir;
    dir = nullptr;
  }

  fs::path bad;
  json index;

  // A fresh copy of the good tree to plant a defect in.
  void SetUp() override {
    ASSERT_FALSE(good.empty());
    bad = *dir / ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(bad);
    fs::copy(good, bad, fs::copy_options::recursive);
    std::ifstream f(bad / "SAMed2D_v1.json");
    index = json::parse(f);
  }

  // nlohmann's json keeps keys in byte order, as the SPEC wants them.
  void write_index() { write_text_file(bad / "SAMed2D_v1.json", index.dump(2)); }

  std::string image(std::size_t k) const {
    return "images/ct_00--LiverSet--liver_1--x_000" + std::to_string(k) + ".png";
  }
  std::string mask(std::size_t k, const std::string& cls) const {
    return "masks/ct_00--LiverSet--liver_1--x_000" + std::to_string(k) + "--" + class_id(cls) +
           "_000.png";
  }

  // Runs validate on the planted copy: exit 1, exactly one kind of problem, `count` of it, and
  // `file` among its examples.
  void expect_only(const std::string& kind, int count, const std::string& file) {
    const auto run = run_samed2d({"validate", bad.string()});
    EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
    EXPECT_EQ(problem_kinds(run.out), (std::map<std::string, int>{{kind, count}})) << run.out;
    EXPECT_NE(run.out.find("    " + file + ": "), std::string::npos) << run.out;
  }
};

TempDir* ValidateTest::dir = nullptr;
fs::path ValidateTest::good;

TEST_F(ValidateTest, AcceptsATreeSamed2dWrote) {
  // The tree is as expected, so that the defects below are planted where they are meant to be.
  const auto d = read_output(good);
  ASSERT_EQ(d.images.size(), 4u);  // k = 2..5
  ASSERT_EQ(d.masks.size(), 6u);
  ASSERT_TRUE(fs::exists(bad / mask(2, "liver")));
  ASSERT_TRUE(fs::exists(bad / mask(5, "spleen")));
  const auto run = run_samed2d({"validate", good.string()});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("on disk 4 images, 6 masks; SAMed2D_v1.json names 4 images, 6 masks; "
                         "SAMed2D_v1_class_mapping_id.json names 2 classes"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("no problems"), std::string::npos) << run.out;
  EXPECT_TRUE(problem_kinds(run.out).empty()) << run.out;
}

TEST_F(ValidateTest, FindsAStrayFileInMasks) {
  const std::string stray =
      "masks/ct_00--LiverSet--liver_1--x_0002--" + class_id("liver") + "_001.png";
  fs::copy_file(bad / mask(2, "liver"), bad / stray);
  expect_only("unlisted-file", 1, stray);
}

TEST_F(ValidateTest, FindsAJsonPathWhoseFileIsGone) {
  fs::remove(bad / mask(3, "spleen"));
  expect_only("missing-file", 1, mask(3, "spleen"));
}

TEST_F(ValidateTest, FindsAnUnparsableName) {
  // Class field of 1 digit instead of 4, on disk and in the index alike.
  const std::string wrong = "masks/ct_00--LiverSet--liver_1--x_0004--1_000.png";
  fs::rename(bad / mask(4, "liver"), bad / wrong);
  auto& list = index[image(4)];
  for (auto& m : list)
    if (m == mask(4, "liver")) m = wrong;
  std::sort(list.begin(), list.end());
  write_index();
  expect_only("bad-name", 1, wrong);
}

TEST_F(ValidateTest, FindsAMaskWithTheValue128) {
  const auto png = read_png(bad / mask(3, "liver"));
  auto pixels = png.pixels;
  pixels[0] = 128;
  write_png(bad / mask(3, "liver"), png.width, png.height, PngColor::Gray, pixels);
  expect_only("mask-values", 1, mask(3, "liver"));
}

TEST_F(ValidateTest, FindsAnRgbMask) {
  const auto png = read_png(bad / mask(4, "spleen"));
  write_png(bad / mask(4, "spleen"), png.width, png.height, PngColor::GrayAsRgb, png.pixels);
  expect_only("mask-format", 1, mask(4, "spleen"));
}

TEST_F(ValidateTest, FindsAMaskOfTheWrongSize) {
  const auto png = read_png(bad / mask(2, "liver"));
  std::vector<std::uint8_t> pixels((png.width + 1) * png.height, 0);
  pixels[0] = 255;
  write_png(bad / mask(2, "liver"), png.width + 1, png.height, PngColor::Gray, pixels);
  expect_only("mask-size", 1, mask(2, "liver"));
}

TEST_F(ValidateTest, FindsAnEmptyMaskList) {
  // An image of its own (a copy of a real one) whose list is empty.
  const std::string extra = "images/ct_00--LiverSet--liver_1--x_0007.png";
  fs::copy_file(bad / image(2), bad / extra);
  index[extra] = json::array();
  write_index();
  expect_only("empty-mask-list", 1, extra);
}

TEST_F(ValidateTest, FindsAnUnknownClassId) {
  // Spleen keeps its masks on k = 3 and 4, so only the id is wrong.
  const std::string unknown = "masks/ct_00--LiverSet--liver_1--x_0005--9999_000.png";
  fs::rename(bad / mask(5, "spleen"), bad / unknown);
  index[image(5)] = json::array({unknown});
  write_index();
  expect_only("unknown-class", 1, unknown);
}

TEST_F(ValidateTest, FindsUnsortedKeys) {
  // The same index with its four keys in descending order: three keys come after a larger one.
  std::string text = "{";
  for (auto it = index.rbegin(); it != index.rend(); ++it)
    text += (text.size() > 1 ? ", " : "") + json(it.key()).dump() + ": " + it.value().dump();
  write_text_file(bad / "SAMed2D_v1.json", text + "}");
  expect_only("unsorted", 3, image(2));
}

TEST_F(ValidateTest, FindsAClassMappingOutOfIdOrder) {
  // Both classes have masks; only their order in the file is wrong (SPEC section 6).
  const std::string liver = class_id("liver"), spleen = class_id("spleen");
  ASSERT_LT(liver, spleen);
  write_text_file(bad / "SAMed2D_v1_class_mapping_id.json",
                  "{\"spleen\": \"" + spleen + "\", \"liver\": \"" + liver + "\"}\n");
  expect_only("mapping-order", 1, "SAMed2D_v1_class_mapping_id.json");
}

TEST_F(ValidateTest, RefusesAFolderThatIsNotATree) {
  const auto missing = run_samed2d({"validate", (bad / "nope").string()});
  EXPECT_EQ(missing.exit_code, 2) << missing.out;
  EXPECT_NE(missing.err.find("does not exist"), std::string::npos) << missing.err;
  fs::create_directories(bad / "empty");
  const auto empty = run_samed2d({"validate", (bad / "empty").string()});
  EXPECT_EQ(empty.exit_code, 2) << empty.out;
  EXPECT_NE(empty.err.find("not an SA-Med2D tree"), std::string::npos) << empty.err;
  const auto no_dir = run_samed2d({"validate"});
  EXPECT_EQ(no_dir.exit_code, 2);
}

}  // namespace
}  // namespace samed2d::test
