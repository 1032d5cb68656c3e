// End-to-end: `samed2d validate DIR` accepts a tree samed2d wrote, and finds each defect planted
// in a copy of it, reported under its own kind.

#include <gtest/gtest.h>
#include <png.h>

#include <array>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "pipeline/output/PngWriter.hpp"
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

// A PNG of `w` x `h` with the given pixels (`color` says how many bytes each has).
void write_png(const fs::path& file, std::size_t w, std::size_t h, PngColor color,
               const std::vector<std::uint8_t>& pixels) {
  std::vector<std::uint8_t> bytes;
  encode_png(pixels.data(), w, h, color, mask_png_options(), bytes);
  write_bytes(file, bytes);
}

// The example line validate printed for `file`.
std::string example_of(const std::string& out, const std::string& file) {
  const auto at = out.find("    " + file + ": ");
  if (at == std::string::npos) return {};
  return out.substr(at, out.find('\n', at) - at);
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
  // `file` among its examples. Returns what validate printed.
  std::string expect_only(const std::string& kind, int count, const std::string& file) {
    const auto run = run_samed2d({"validate", bad.string()});
    EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
    EXPECT_EQ(problem_kinds(run.out), (std::map<std::string, int>{{kind, count}})) << run.out;
    EXPECT_NE(run.out.find("    " + file + ": "), std::string::npos) << run.out;
    return run.out;
  }

  // Writes `bytes` over `file` of the planted copy and expects validate to find it, alone, as
  // `kind`; returns what validate printed.
  std::string expect_damaged(const std::string& file, const std::vector<std::uint8_t>& bytes,
                             const std::string& kind = "corrupt-png") {
    write_bytes(bad / file, bytes);
    return expect_only(kind, 1, file);
  }

  // expect_damaged, and the example line for `file` quotes libpng saying `says`.
  void expect_libpng_says(const std::string& file, const std::vector<std::uint8_t>& bytes,
                          const std::string& says) {
    const std::string out = expect_damaged(file, bytes);
    EXPECT_EQ(example_of(out, file), "    " + file + ": is corrupt: libpng says \"" + says + "\"")
        << out;
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

// Corrupt PNGs. The validate before this check read only the first 33 bytes of every image
// (signature and IHDR, for its size) and decoded masks with libpng's simplified API, which
// stops after the last row and never reads on to IEND: each defect below lies past what it
// read, so it missed every one of them.

// Where the chunk of `type` starts in a PNG's bytes (its length field), found by walking the
// chunks from the signature; fails the test when there is none.
// The data length of the chunk whose length field starts at `pos`.
std::size_t chunk_length(const std::vector<std::uint8_t>& png, std::size_t pos) {
  return (std::size_t{png[pos]} << 24) | (std::size_t{png[pos + 1]} << 16) |
         (std::size_t{png[pos + 2]} << 8) | std::size_t{png[pos + 3]};
}

std::size_t find_chunk(const std::vector<std::uint8_t>& png, const char* type) {
  for (std::size_t pos = 8; pos + 8 <= png.size(); pos += 12 + chunk_length(png, pos))
    if (std::memcmp(png.data() + pos + 4, type, 4) == 0) return pos;
  ADD_FAILURE() << "no " << type << " chunk";
  return 0;
}

// Where the data of a PNG's IDAT chunk ends (and its CRC starts).
std::size_t idat_data_end(const std::vector<std::uint8_t>& png) {
  const std::size_t idat = find_chunk(png, "IDAT");
  return idat + 8 + chunk_length(png, idat);
}

TEST_F(ValidateTest, FindsAnImageCutInsideItsImageData) {
  // Old validate: read bytes 0..32 of the image only, all of them still there.
  auto png = read_bytes(bad / image(3));
  const std::size_t idat = find_chunk(png, "IDAT");
  const std::size_t length = chunk_length(png, idat);
  ASSERT_GE(length, 4u);
  const std::size_t cut = idat + 8 + length / 2;  // half of the image data is left
  ASSERT_GT(cut, 33u);
  png.resize(cut);
  const std::string out = expect_damaged(image(3), png);
  EXPECT_NE(example_of(out, image(3))
                .find("is cut short: the file ends at byte " + std::to_string(cut) +
                      ", inside its IDAT chunk"),
            std::string::npos)
      << out;
}

TEST_F(ValidateTest, FindsAnImageWithAFlippedByteInItsImageData) {
  // One flipped byte, the last of the IDAT data (the zlib stream's Adler-32 trailer, so every
  // row still inflates); the chunk's CRC no longer matches either, but zlib sees the checksum
  // first. Old validate: never read past byte 32 of an image.
  auto png = read_bytes(bad / image(4));
  const std::size_t last = idat_data_end(png) - 1;
  ASSERT_GT(last, 33u);
  png[last] ^= 0x01;
  expect_libpng_says(image(4), png, "IDAT: incorrect data check");
}

TEST_F(ValidateTest, FindsAnImageWhoseImageDataFailsItsCrc) {
  // One flipped byte in the IDAT chunk's CRC: the data inflates, the chunk fails its CRC.
  // Old validate: never read past byte 32 of an image.
  auto png = read_bytes(bad / image(3));
  const std::size_t crc = idat_data_end(png);
  ASSERT_GT(crc, 33u);
  png[crc + 2] ^= 0x40;
  expect_libpng_says(image(3), png, "IDAT: CRC error");
}

TEST_F(ValidateTest, FindsAnImageWithoutIend) {
  // Old validate: read bytes 0..32 of the image only.
  auto png = read_bytes(bad / image(2));
  const std::size_t iend = find_chunk(png, "IEND");
  ASSERT_EQ(iend + 12, png.size());
  png.resize(iend);
  const std::string out = expect_damaged(image(2), png);
  EXPECT_NE(example_of(out, image(2))
                .find("has no IEND chunk: the file ends after its IDAT chunk (byte " +
                      std::to_string(iend) + ")"),
            std::string::npos)
      << out;
}

TEST_F(ValidateTest, FindsAMaskCutShort) {
  // Cut inside IEND, the last 2 bytes (of its CRC) gone: every row and the IDAT CRC are still
  // there, so old validate (libpng's simplified API, which stops after the image data) passed
  // it.
  auto png = read_bytes(bad / mask(4, "liver"));
  const std::size_t iend = find_chunk(png, "IEND");
  ASSERT_EQ(iend + 12, png.size());
  png.resize(png.size() - 2);
  const std::string out = expect_damaged(mask(4, "liver"), png);
  EXPECT_NE(example_of(out, mask(4, "liver"))
                .find("is cut short: the file ends at byte " + std::to_string(png.size()) +
                      ", inside its IEND chunk"),
            std::string::npos)
      << out;
}

TEST_F(ValidateTest, FindsASixteenBitImage) {
  // A valid PNG of the image's size, 16-bit grey. Old validate: never looked at an image's
  // bit depth or colour type.
  const auto old = read_png(bad / image(5));
  png_image out;
  std::memset(&out, 0, sizeof out);
  out.version = PNG_IMAGE_VERSION;
  out.width = static_cast<png_uint_32>(old.width);
  out.height = static_cast<png_uint_32>(old.height);
  out.format = PNG_FORMAT_LINEAR_Y;
  std::vector<std::uint16_t> pixels(old.width * old.height);
  for (std::size_t p = 0; p < pixels.size(); ++p) pixels[p] = static_cast<std::uint16_t>(p * 517);
  png_alloc_size_t size = 0;
  ASSERT_NE(png_image_write_to_memory(&out, nullptr, &size, 0, pixels.data(), 0, nullptr), 0);
  std::vector<std::uint8_t> bytes(size);
  ASSERT_NE(png_image_write_to_memory(&out, bytes.data(), &size, 0, pixels.data(), 0, nullptr), 0)
      << out.message;
  bytes.resize(size);
  ASSERT_EQ(bytes[24], 16);  // IHDR bit depth
  ASSERT_EQ(bytes[25], 0);   // grey
  const std::string said = expect_damaged(image(5), bytes, "image-format");
  EXPECT_EQ(example_of(said, image(5)),
            "    " + image(5) + ": is a 16-bit grey PNG; an image is 8-bit grey or 8-bit RGB")
      << said;
}

TEST_F(ValidateTest, FindsEveryCorruptPngOfATree) {
  // Two images without IEND and two masks cut inside IEND (one byte short) at once, a clean
  // image left between them: exactly four, by name. Old validate missed all (see above).
  for (const std::size_t k : {2, 5}) {
    auto png = read_bytes(bad / image(k));
    png.resize(find_chunk(png, "IEND"));
    write_bytes(bad / image(k), png);
  }
  for (const auto& m : {mask(3, "liver"), mask(3, "spleen")}) {
    auto png = read_bytes(bad / m);
    png.resize(png.size() - 1);
    write_bytes(bad / m, png);
  }
  const auto run = run_samed2d({"validate", bad.string()});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_EQ(problem_kinds(run.out), (std::map<std::string, int>{{"corrupt-png", 4}})) << run.out;
  for (const auto& f : {image(2), image(5), mask(3, "liver"), mask(3, "spleen")})
    EXPECT_NE(example_of(run.out, f), "") << f << "\n" << run.out;
  EXPECT_EQ(example_of(run.out, image(3)), "") << run.out;
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
