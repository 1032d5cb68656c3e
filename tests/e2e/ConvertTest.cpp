// End-to-end: the samed2d binary on small volumes written here, checked file by file against an
// independent reading of the SPEC (Oracle.hpp).

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

#include "e2e/Oracle.hpp"
#include "support/DicomWriter.hpp"
#include "support/RunTool.hpp"
#include "support/TestData.hpp"

namespace samed2d::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

void write_text(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file) << text;
}

std::set<std::string> files_in(const fs::path& dir, const std::string& prefix) {
  std::set<std::string> names;
  if (!fs::exists(dir)) return names;
  for (const auto& e : fs::directory_iterator(dir))
    names.insert(prefix + e.path().filename().string());
  return names;
}

template <class Map>
std::set<std::string> keys(const Map& m) {
  std::set<std::string> k;
  for (const auto& [key, value] : m) k.insert(key);
  return k;
}

// A deterministic pseudo-random generator (the tests must not depend on the library's).
struct Lcg {
  std::uint64_t s;
  std::uint32_t next() {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::uint32_t>(s >> 33);
  }
};

class ConvertTest : public ::testing::Test {
 protected:
  TempDir dir;
  fs::path input = dir / "input";
  fs::path out = dir / "out";
  fs::path classes = dir / "classes.json";
  fs::path config = dir / "config.json";

  void SetUp() override {
    write_text(classes, R"({"beta": "0003", "alpha": "0007", "gamma": "0010", "delta": "0012"})");
    write_text(config, R"({
      // comments are allowed
      "dataset": "Test-Set",
      "converter": "generic",
      "cases": "case[0-9][0-9].nii.gz",
      "modality": "ct_00",
      "label": "{dir}/{stem}_seg.nii.gz",
      "labels": {"1": "alpha", "2": "beta"},
      "unions": {"gamma": ["alpha", "beta"]}
    })");
  }

  std::vector<OracleClass> oracle_classes() const {
    return {{"alpha", "0007", {1}}, {"beta", "0003", {2}}, {"gamma", "0010", {1, 2}}};
  }

  // Writes case NAME (int16 image, uint8 label with blobs) and returns its oracle description.
  OracleCase make_case(const std::string& name, std::uint64_t seed,
                       std::array<std::size_t, 3> n = {40, 36, 24}) {
    const std::size_t count = n[0] * n[1] * n[2];
    std::vector<std::int16_t> img(count);
    std::vector<std::uint8_t> lab(count, 0);
    Lcg rng{seed};
    for (std::size_t k = 0; k < n[2]; ++k)
      for (std::size_t j = 0; j < n[1]; ++j)
        for (std::size_t i = 0; i < n[0]; ++i) {
          const std::size_t idx = i + n[0] * (j + n[1] * k);
          img[idx] = static_cast<std::int16_t>(static_cast<int>(i * 31 + j * 7 + k * 13) - 900 +
                                               static_cast<int>(rng.next() % 600));
          const double di = double(i) - 12, dj = double(j) - 12, dk = double(k) - 8;
          if (di * di + dj * dj + dk * dk <= 36) lab[idx] = 1;  // a ball of alpha
          if (i >= 25 && i <= 32 && j >= 20 && j <= 30 && k >= 10 && k <= 20) lab[idx] = 2;
          if (i == 33 && j == 31 && k >= 10 && k <= 12) lab[idx] = 2;  // touches the box diagonally
          if (i >= 2 && i <= 4 && j >= 30 && j <= 33 && k == 3) lab[idx] = 7;  // unmapped value
        }
    // Two voxels of beta alone on x_0022: 2 px < 0.00153 * 36 * 40 there, but >= on y slices.
    if (n[0] > 6 && n[1] > 5 && n[2] > 22) {
      lab[5 + n[0] * (5 + n[1] * 22)] = 2;
      lab[6 + n[0] * (5 + n[1] * 22)] = 2;
    }
    write_volume(input / (name + ".nii.gz"), n, img);
    write_volume(input / (name + "_seg.nii.gz"), n, lab);
    return oracle_case("ct_00", "Test-Set", name, n, img, lab, oracle_classes());
  }

  ToolRun convert(std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"convert",        "--config", config.string(), "--input",
                                  input.string(),   "--output", out.string(),    "--classes",
                                  classes.string(), "--quiet"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_samed2d(args);
  }

  // Every file, pixel and JSON entry against the oracle.
  void expect_output(const OracleOutput& want, bool rgb = true) {
    ASSERT_EQ(files_in(out / "images", "images/"), keys(want.images));
    ASSERT_EQ(files_in(out / "masks", "masks/"), keys(want.masks));
    for (const auto& [rel, pixels] : want.images) {
      const auto png = read_png(out / rel);
      const auto [H, W] = want.shapes.at(rel);
      ASSERT_EQ(png.height, H) << rel;
      ASSERT_EQ(png.width, W) << rel;
      ASSERT_EQ(png.bit_depth, 8);
      ASSERT_EQ(png.channels, rgb ? 3 : 1) << rel;
      for (std::size_t p = 0; p < H * W; ++p)
        for (int ch = 0; ch < png.channels; ++ch)
          ASSERT_EQ(png.pixels[p * png.channels + ch], pixels[p]) << rel << " pixel " << p;
    }
    for (const auto& [rel, pixels] : want.masks) {
      const auto png = read_png(out / rel);
      ASSERT_EQ(png.channels, 1) << rel;
      ASSERT_EQ(png.bit_depth, 8);
      ASSERT_EQ(png.pixels, pixels) << rel;
    }
    std::ifstream in(out / "SAMed2D_v1.json");
    const auto j = nlohmann::ordered_json::parse(in);
    std::vector<std::string> order;
    std::map<std::string, std::vector<std::string>> got;
    for (const auto& [k, v] : j.items()) {
      order.push_back(k);
      got[k] = v.get<std::vector<std::string>>();
      EXPECT_TRUE(std::is_sorted(got[k].begin(), got[k].end())) << k;
    }
    EXPECT_TRUE(std::is_sorted(order.begin(), order.end()));
    EXPECT_EQ(got, want.json);
  }
};

TEST_F(ConvertTest, EveryFileAndJsonEntryMatchesTheSpec) {
  OracleOutput want;
  oracle_add(make_case("case01", 1), want);
  oracle_add(make_case("case02", 2, {30, 20, 14}), want);  // y slices 14x30 fail the aspect rule
  const auto run = convert();
  ASSERT_EQ(run.exit_code, 0) << run.err;
  ASSERT_FALSE(want.images.empty());
  // The fixture is built so that each rule matters; make sure it still does.
  EXPECT_FALSE(want.images.count("images/ct_00--Test-Set--case01--x_0022.png"));
  EXPECT_TRUE(want.images.count("images/ct_00--Test-Set--case01--y_0005.png"));
  EXPECT_TRUE(want.images.count("images/ct_00--Test-Set--case02--z_0012.png"));
  EXPECT_FALSE(want.images.count("images/ct_00--Test-Set--case02--y_0012.png"));
  expect_output(want);

  std::ifstream in(out / "SAMed2D_v1_class_mapping_id.json");
  const auto mapping = nlohmann::ordered_json::parse(in);
  std::vector<std::pair<std::string, std::string>> entries;
  for (const auto& [k, v] : mapping.items()) entries.emplace_back(k, v.get<std::string>());
  const std::vector<std::pair<std::string, std::string>> expected{
      {"beta", "0003"}, {"alpha", "0007"}, {"gamma", "0010"}};
  EXPECT_EQ(entries, expected);  // only classes with masks, ascending id; "delta" has none
  EXPECT_NE(run.err.find("label values 7"), std::string::npos) << run.err;
  EXPECT_FALSE(fs::exists(out / ".samed2d" / "tmp"));
}

TEST_F(ConvertTest, SameBytesWhateverTheThreadCount) {
  for (int c = 0; c < 4; ++c) make_case(fmt::format("case{:02d}", c), 10 + c);
  ASSERT_EQ(convert({"--threads", "1", "--cases-in-flight", "1"}).exit_code, 0);
  const fs::path first = dir / "first";
  fs::rename(out, first);
  ASSERT_EQ(convert({"--threads", "2", "--cases-in-flight", "3"}).exit_code, 0);
  for (const auto& e : fs::recursive_directory_iterator(first)) {
    if (!e.is_regular_file()) continue;
    const auto rel = fs::relative(e.path(), first);
    ASSERT_TRUE(fs::exists(out / rel)) << rel;
    EXPECT_EQ(read_bytes(e.path()), read_bytes(out / rel)) << rel;
  }
  std::size_t files = 0;
  for (const auto& e : fs::recursive_directory_iterator(out)) files += e.is_regular_file();
  std::size_t first_files = 0;
  for (const auto& e : fs::recursive_directory_iterator(first)) first_files += e.is_regular_file();
  EXPECT_EQ(files, first_files);
}

TEST_F(ConvertTest, RerunSkipsFinishedCasesAndRedoesOneWithoutRecord) {
  OracleOutput want;
  oracle_add(make_case("case01", 1), want);
  oracle_add(make_case("case02", 2), want);
  ASSERT_EQ(convert().exit_code, 0);
  const auto json_before = read_bytes(out / "SAMed2D_v1.json");

  auto again = convert();
  ASSERT_EQ(again.exit_code, 0);
  EXPECT_NE(again.out.find("0 converted, 2 already done"), std::string::npos) << again.out;

  // Simulate a run killed while case02 was being written: no record, some files, a stray temp.
  fs::remove(out / ".samed2d" / "cases" / "Test-Set--case02--ct_00.json");
  fs::remove(out / "images" / "ct_00--Test-Set--case02--x_0008.png");
  write_text(out / "masks" / "ct_00--Test-Set--case02--x_0099--0003_000.png", "stale");
  auto redo = convert();
  ASSERT_EQ(redo.exit_code, 0) << redo.err;
  EXPECT_NE(redo.out.find("1 converted, 1 already done"), std::string::npos) << redo.out;
  expect_output(want);
  EXPECT_EQ(read_bytes(out / "SAMed2D_v1.json"), json_before);

  // Changed options are not "finished": the case is redone with the new axes.
  auto axes = convert({"--axes", "z"});
  ASSERT_EQ(axes.exit_code, 0);
  EXPECT_NE(axes.out.find("2 converted"), std::string::npos) << axes.out;
  for (const auto& name : files_in(out / "images", ""))
    EXPECT_NE(name.find("--z_"), std::string::npos) << name;
}

TEST_F(ConvertTest, BadCaseFailsAloneAndTheJsonNamesWhatIsOnDisk) {
  OracleOutput want;
  oracle_add(make_case("case01", 1), want);
  make_case("case02", 2);
  // case02's label has the wrong size; case03 has no label; case04's image is not an image.
  write_volume(input / "case02_seg.nii.gz", {40, 36, 23},
               std::vector<std::uint8_t>(40 * 36 * 23, 1));
  make_case("case03", 3);
  fs::remove(input / "case03_seg.nii.gz");
  write_text(input / "case04.nii.gz", "this is not a NIfTI file");
  write_volume(input / "case04_seg.nii.gz", {4, 4, 4}, std::vector<std::uint8_t>(64, 1));

  const auto run = convert();
  EXPECT_EQ(run.exit_code, 1) << run.err;
  expect_output(want);
  std::ifstream in(out / "report.json");
  const auto report = json::parse(in);
  ASSERT_EQ(report["failed"].size(), 3u) << report.dump(2);
  EXPECT_EQ(report["failed"][0]["case"], "case02");
  EXPECT_NE(report["failed"][0]["reason"].get<std::string>().find("40x36x23"), std::string::npos);
  EXPECT_EQ(report["failed"][1]["case"], "case03");
  EXPECT_NE(report["failed"][1]["reason"].get<std::string>().find("case03_seg.nii.gz"),
            std::string::npos);
  EXPECT_EQ(report["failed"][2]["case"], "case04");
  // One line per failed case on stderr, naming the file.
  EXPECT_NE(run.err.find("case03_seg.nii.gz"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("case04.nii.gz"), std::string::npos) << run.err;
}

TEST_F(ConvertTest, BadConfigOrCommandLineExitsTwoAndWritesNothing) {
  make_case("case01", 1);
  auto expect_refused = [&](const std::vector<std::string>& extra, const std::string& needle) {
    const auto run = convert(extra);
    EXPECT_EQ(run.exit_code, 2) << run.err;
    EXPECT_NE(run.err.find(needle), std::string::npos)
        << "wanted '" << needle << "' in: " << run.err;
    EXPECT_FALSE(fs::exists(out));
  };
  const std::string good =
      read_bytes(config).empty()
          ? ""
          : std::string(reinterpret_cast<const char*>(read_bytes(config).data()),
                        read_bytes(config).size());
  write_text(config, R"({"dataset": "Test-Set", "cases": "case*.nii.gz", "modality": "ct_00",
                         "label": "{stem}_seg.nii.gz", "lables": {"1": "alpha"}})");
  expect_refused({}, "lables");
  write_text(config, R"({"dataset": "Test-Set", "cases": "case*.nii.gz", "modality": "ct_00",
                         "label": "{stem}_seg.nii.gz", "labels": {"1": "nosuchclass"}})");
  expect_refused({}, "nosuchclass");
  write_text(config, R"({"dataset": "Test-Set", "cases": "case[0-9.nii.gz", "modality": "ct_00",
                         "label": "{stem}_seg.nii.gz", "labels": {"1": "alpha"}})");
  expect_refused({}, "case[0-9.nii.gz");
  write_text(config, R"({"dataset": "Test-Set", "cases": "case*.nii.gz", "modality": "ct_00",
                         "label": "{stm}_seg.nii.gz", "labels": {"1": "alpha"}})");
  expect_refused({}, "{stm}");
  write_text(config, good);
  expect_refused({"--axes", "x,w"}, "--axes");
  expect_refused({"--threads", "0"}, "--threads");
  expect_refused({"--profile", "no_such_profile"}, "no_such_profile");
  const auto run = run_samed2d({"convert", "--config", config.string(), "--input",
                                (dir / "missing").string(), "--output", out.string()});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_FALSE(fs::exists(out));
}

TEST_F(ConvertTest, NeverTouchesFilesItDidNotWrite) {
  make_case("case01", 1);
  // A folder that already holds images/ and masks/ of someone else (e.g. a Kvasir-SEG download,
  // or the released SA-Med2D-20M) is refused, and its files are left alone.
  write_text(out / "images" / "cju0.png", "not ours");
  auto run = convert();
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("did not write"), std::string::npos) << run.err;
  EXPECT_TRUE(fs::exists(out / "images" / "cju0.png"));
  EXPECT_FALSE(fs::exists(out / "SAMed2D_v1.json"));
  fs::remove_all(out);

  // The output inside the input would be read as input next time.
  run = run_samed2d({"convert", "--config", config.string(), "--input", input.string(), "--output",
                     (input / "out").string(), "--classes", classes.string()});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_FALSE(fs::exists(input / "out"));
  run = run_samed2d({"convert", "--config", config.string(), "--input", input.string(), "--output",
                     input.string(), "--classes", classes.string()});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_FALSE(fs::exists(input / "images"));

  // A stray file put into an output folder of ours stays, with a warning, and is not listed.
  ASSERT_EQ(convert().exit_code, 0);
  write_text(out / "masks" / "notes.txt", "mine");
  run = convert();
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_TRUE(fs::exists(out / "masks" / "notes.txt"));
  EXPECT_NE(run.err.find("notes.txt"), std::string::npos) << run.err;

  // ...and so does one with an SA-Med2D name of a case that is not samed2d's (another dataset
  // merged in by hand): only names of cases samed2d converts into this folder are its own.
  const std::string theirs = "ct_00--Mine--foo--x_0000.png";
  write_text(out / "images" / theirs, "mine");
  run = convert();
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_TRUE(fs::exists(out / "images" / theirs));
  EXPECT_NE(run.err.find(theirs), std::string::npos) << run.err;
  std::ifstream index(out / "SAMed2D_v1.json");
  EXPECT_FALSE(nlohmann::json::parse(index).contains("images/" + theirs));
}

TEST_F(ConvertTest, FilesOfACaseInterruptedByAKillAreRemovedEvenIfItLeftTheInput) {
  // A kill leaves the case's pending marker and some of its PNGs; the case is then removed from
  // the input. The rerun still knows those PNGs are samed2d's, removes them and the marker.
  make_case("case01", 1);
  make_case("case02", 2);
  ASSERT_EQ(convert().exit_code, 0);
  const std::string prefix = "ct_00--Test-Set--case03--";
  write_text(out / ".samed2d" / "pending" / "Test-Set--case03--ct_00.json",
             "[\"" + prefix + "\"]\n");
  write_text(out / "images" / (prefix + "x_0004.png"), "half a case");
  write_text(out / "masks" / (prefix + "x_0004--0007_000.png"), "half a case");
  const auto run = convert();
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_FALSE(fs::exists(out / "images" / (prefix + "x_0004.png")));
  EXPECT_FALSE(fs::exists(out / "masks" / (prefix + "x_0004--0007_000.png")));
  EXPECT_TRUE(fs::is_empty(out / ".samed2d" / "pending"));
  EXPECT_EQ(run.err.find("case03"), std::string::npos) << run.err;
}

TEST_F(ConvertTest, RerunRedoesACaseWhoseFilesWentMissing) {
  OracleOutput want;
  oracle_add(make_case("case01", 1), want);
  ASSERT_EQ(convert().exit_code, 0);
  const std::string gone = std::next(want.masks.begin(), 7)->first;
  fs::remove(out / gone);
  const auto run = convert();
  ASSERT_EQ(run.exit_code, 0);
  EXPECT_NE(run.out.find("1 converted"), std::string::npos) << run.out;
  expect_output(want);
}

TEST_F(ConvertTest, NothingMatchingIsAConfigError) {
  make_case("case01", 1);
  write_text(config, R"({"dataset": "Test-Set", "cases": "*.mha", "modality": "ct_00",
                         "label": "{stem}_seg.mha", "labels": {"1": "alpha"}})");
  const auto run = convert();
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find(config.string() + ": no file under"), std::string::npos) << run.err;
  EXPECT_FALSE(fs::exists(out));
}

TEST_F(ConvertTest, TooLongCaseNameFailsBeforeAnyWrite) {
  const std::string long_name = "case" + std::string(230, '7');
  make_case("case01", 1);
  make_case(long_name, 2, {10, 10, 8});
  write_text(config, R"({"dataset": "Test-Set", "cases": "case*[0-9].nii.gz", "modality": "ct_00",
                         "label": "{dir}/{stem}_seg.nii.gz", "labels": {"1": "alpha"}})");
  const auto run = convert();
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("255 bytes"), std::string::npos) << run.err;
  std::ifstream in(out / "report.json");
  const auto report = json::parse(in);
  ASSERT_EQ(report["failed"].size(), 1u);
  EXPECT_EQ(report["failed"][0]["case"], long_name);
  EXPECT_EQ(report["cases"], 1);
}

TEST_F(ConvertTest, CaseWithoutLabelsIsConvertedWithAWarning) {
  make_case("case01", 1);
  write_volume(input / "case01_seg.nii.gz", {40, 36, 24},
               std::vector<std::uint8_t>(40 * 36 * 24, 0));
  const auto run = convert();
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_NE(run.err.find("gives no image"), std::string::npos) << run.err;
  EXPECT_TRUE(fs::is_empty(out / "images"));
}

TEST_F(ConvertTest, CanonicalOrientationMovesVoxelsByTheDirectionMatrix) {
  // Index axis 0 points to the patient's right (-x in ITK's LPS space): RAS keeps it and flips
  // axis 1 (which points posterior); LPS flips axis 0 and keeps axis 1.
  OracleCase c = make_case("case01", 1, {30, 26, 20});
  for (const char* name : {"case01.nii.gz", "case01_seg.nii.gz"}) {
    const bool is_label = std::string(name).find("_seg") != std::string::npos;
    std::vector<float> values(c.image.size());
    for (std::size_t v = 0; v < c.image.size(); ++v)
      values[v] = static_cast<float>(is_label ? static_cast<double>(c.label[v]) : c.image[v]);
    write_itk_image(input / name, {30, 26, 20}, values, {{}, {}, {-1, 0, 0, 0, 1, 0, 0, 0, 1}});
  }
  auto flipped = [&](bool flip_i, bool flip_j) {
    OracleCase f = c;
    for (std::size_t k = 0; k < c.nk; ++k)
      for (std::size_t j = 0; j < c.nj; ++j)
        for (std::size_t i = 0; i < c.ni; ++i) {
          const std::size_t si = flip_i ? c.ni - 1 - i : i, sj = flip_j ? c.nj - 1 - j : j;
          f.image[i + c.ni * (j + c.nj * k)] = c.image[si + c.ni * (sj + c.nj * k)];
          f.label[i + c.ni * (j + c.nj * k)] = c.label[si + c.ni * (sj + c.nj * k)];
        }
    return f;
  };
  for (const auto& [orientation, flip_i, flip_j] :
       {std::tuple{"LPS", true, false}, std::tuple{"RAS", false, true}}) {
    write_text(dir / "p.json", fmt::format(R"({{"orientation": "{}"}})", orientation));
    fs::remove_all(out);
    const auto run = convert({"--profile", (dir / "p.json").string()});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    OracleOutput want;
    oracle_add(flipped(flip_i, flip_j), want);
    expect_output(want);
  }
}

TEST_F(ConvertTest, ColourLabelFilesWithEqualChannelsAreReadAsGrey) {
  // BUSI stores its masks as RGB with three equal channels, next to grey ultrasound images.
  const std::size_t W = 40, H = 30;
  std::vector<std::uint8_t> img(W * H);
  for (std::size_t p = 0; p < W * H; ++p) img[p] = static_cast<std::uint8_t>(p * 7);
  std::vector<std::uint8_t> mask_rgb(W * H * 3, 0), want(W * H, 0);
  for (std::size_t r = 5; r < 20; ++r)
    for (std::size_t c = 8; c < 30; ++c) {
      want[r * W + c] = 255;
      for (int ch = 0; ch < 3; ++ch) mask_rgb[(r * W + c) * 3 + ch] = 255;
    }
  write_volume(input / "benign" / "benign (1).png", {W, H, 1}, img, 2);
  write_rgb_image(input / "benign" / "benign (1)_mask.png", W, H, 3, mask_rgb);
  write_text(classes, R"({"breast_tumor": "0061"})");
  write_text(config, R"({"dataset": "breast_ultrasound_images_dataset",
    "cases": "benign/benign ([0-9]).png", "modality": "ultrasound_00",
    "label": "{dir}/{stem}_mask.png", "labels": {"255": "breast_tumor"}})");
  const auto run = convert();
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::string stem = "ultrasound_00--breast_ultrasound_images_dataset--benign_(1)--2d_none";
  const auto image = read_png(out / ("images/" + stem + ".png"));
  EXPECT_EQ(image.channels, 1);
  EXPECT_EQ(image.pixels, img);
  EXPECT_EQ(read_png(out / ("masks/" + stem + "--0061_000.png")).pixels, want);
}

TEST_F(ConvertTest, OneChannelOfAColourSourceIsWrittenAsGrey) {
  const std::size_t W = 20, H = 16;
  std::vector<std::uint8_t> rgb(W * H * 3), red(W * H);
  Lcg rng{3};
  for (std::size_t p = 0; p < W * H; ++p)
    for (int c = 0; c < 3; ++c) {
      rgb[p * 3 + c] = static_cast<std::uint8_t>(rng.next());
      if (c == 0) red[p] = rgb[p * 3 + c];
    }
  write_rgb_image(input / "a.png", W, H, 3, rgb);
  write_volume(input / "a_mask.png", {W, H, 1}, std::vector<std::uint8_t>(W * H, 1), 2);
  write_text(config, R"({"dataset": "D", "cases": "a.png", "label": "a_mask.png",
    "labels": {"1": "alpha"},
    "sequences": [{"image": "{path}", "modality": "endoscopy_00", "component": 0}]})");
  const auto run = convert();
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto png = read_png(out / "images/endoscopy_00--D--a--2d_none.png");
  EXPECT_EQ(png.channels, 1);
  EXPECT_EQ(png.pixels, red);
}

TEST_F(ConvertTest, SecondRunIntoTheSameFolderAtOnceIsRefused) {
  make_case("case01", 1);
  ASSERT_EQ(convert().exit_code, 0);
  // Hold the folder's lock as a running samed2d would.
  const int fd = ::open((out / ".samed2d" / "lock").c_str(), O_RDWR);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX), 0);
  const auto json_before = read_bytes(out / "SAMed2D_v1.json");
  const auto run = convert({"--axes", "z"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("another samed2d"), std::string::npos) << run.err;
  EXPECT_EQ(read_bytes(out / "SAMed2D_v1.json"), json_before);
  ::close(fd);
  EXPECT_EQ(convert({"--axes", "z"}).exit_code, 0);
}

TEST_F(ConvertTest, TwoDimensionalSourcesKeepTheirPixels) {
  // An RGB PNG with a grey PNG label: the image stays RGB, pixel for pixel.
  const std::size_t W = 50, H = 40;
  std::vector<std::uint8_t> rgb(W * H * 3);
  Lcg rng{7};
  for (auto& v : rgb) v = static_cast<std::uint8_t>(rng.next());
  std::vector<std::uint8_t> lab(W * H, 0);
  for (std::size_t r = 10; r < 20; ++r)
    for (std::size_t c = 5; c < 30; ++c) lab[r * W + c] = 255;
  write_rgb_image(input / "skin" / "ISIC_0001.png", W, H, 3, rgb);
  write_volume(input / "skin" / "ISIC_0001_mask.png", {W, H, 1}, lab, 2);
  write_text(classes, R"({"lesion": "0042"})");
  write_text(config, R"({"dataset": "isic2016_task1", "cases": "skin/ISIC_[0-9][0-9][0-9][0-9].png",
    "modality": "dermoscopy_00", "label": "{dir}/{stem}_mask.png", "labels": {"255": "lesion"}})");
  const auto run = convert();
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto png = read_png(out / "images/dermoscopy_00--isic2016_task1--ISIC_0001--2d_none.png");
  EXPECT_EQ(png.channels, 3);
  EXPECT_EQ(png.width, W);
  EXPECT_EQ(png.height, H);
  EXPECT_EQ(png.pixels, rgb);
  const auto mask =
      read_png(out / "masks/dermoscopy_00--isic2016_task1--ISIC_0001--2d_none--0042_000.png");
  EXPECT_EQ(mask.pixels, lab);
}

TEST_F(ConvertTest, SixteenBitTwoDimensionalSourceIsNormalizedToGrey) {
  // A 16-bit X-ray (TIFF) with a PNG mask: one 8-bit grey image by the SPEC 4 formula.
  const std::size_t W = 64, H = 48;
  std::vector<std::uint16_t> xray(W * H);
  Lcg rng{11};
  for (auto& v : xray) v = static_cast<std::uint16_t>(1000 + rng.next() % 3000);
  xray[5] = 40000;  // one bright pixel sets M
  std::vector<std::uint8_t> lab(W * H, 0);
  for (std::size_t r = 20; r < 40; ++r)
    for (std::size_t c = 10; c < 50; ++c) lab[r * W + c] = 1;
  write_volume(input / "x" / "16660_5_1.tif", {W, H, 1}, xray, 2);
  write_volume(input / "x" / "16660_5_1_mask.png", {W, H, 1}, lab, 2);
  write_text(classes, R"({"lung": "0005"})");
  write_text(config, R"({"dataset": "covid_19_ct_cxr", "cases": "x/*[0-9].tif",
    "modality": "x_ray", "label": "{dir}/{stem}_mask.png", "labels": {"1": "lung"}})");
  const auto run = convert();
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto png = read_png(out / "images/x_ray--covid_19_ct_cxr--16660_5_1--2d_none.png");
  ASSERT_EQ(png.channels, 1);
  ASSERT_EQ(png.bit_depth, 8);
  const double m = *std::min_element(xray.begin(), xray.end());
  const double M = *std::max_element(xray.begin(), xray.end());
  for (std::size_t p = 0; p < W * H; ++p)
    ASSERT_EQ(png.pixels[p], static_cast<std::uint8_t>(std::floor((xray[p] - m) * 255.0 / (M - m))))
        << p;
  EXPECT_EQ(png.pixels[5], 255);
  EXPECT_TRUE(fs::exists(out / "masks/x_ray--covid_19_ct_cxr--16660_5_1--2d_none--0005_000.png"));
}

TEST_F(ConvertTest, FourDComponentsAreSequencesSharingTheMasks) {
  // A 4D MSD-style file: two sequences as components 0 and 1 of the 4th dimension.
  const std::array<std::size_t, 3> n{20, 18, 12};
  const std::size_t count = n[0] * n[1] * n[2];
  std::vector<float> components(2 * count);
  std::vector<double> comp0(count), comp1(count);
  for (std::size_t idx = 0; idx < count; ++idx) {
    components[idx] = static_cast<float>(std::sin(double(idx)) * 100);
    components[count + idx] = static_cast<float>(double(idx % 97) * 0.5 - 3);
    comp0[idx] = components[idx];
    comp1[idx] = components[count + idx];
  }
  write_itk_image(input / "imagesTr" / "BRATS_001.nii.gz", {n[0], n[1], n[2], 2}, components);
  std::vector<std::uint8_t> lab(count, 0);
  for (std::size_t k = 3; k < 9; ++k)
    for (std::size_t j = 4; j < 12; ++j)
      for (std::size_t i = 5; i < 15; ++i) lab[i + n[0] * (j + n[1] * k)] = 1;
  write_volume(input / "labelsTr" / "BRATS_001.nii.gz", n, lab);
  write_text(config, R"({"dataset": "BrainTumour", "cases": "imagesTr/BRATS_*.nii.gz",
    "label": "labelsTr/{name}", "labels": {"1": "alpha"},
    "sequences": [{"image": "{path}", "modality": "mr_flair", "component": 0},
                  {"image": "{path}", "modality": "mr_t1", "component": 1}]})");
  const auto run = convert();
  ASSERT_EQ(run.exit_code, 0) << run.err;
  OracleOutput want;
  oracle_add(
      oracle_case("mr_flair", "BrainTumour", "BRATS_001", n, comp0, lab, {{"alpha", "0007", {1}}}),
      want);
  oracle_add(
      oracle_case("mr_t1", "BrainTumour", "BRATS_001", n, comp1, lab, {{"alpha", "0007", {1}}}),
      want);
  expect_output(want);
}

TEST_F(ConvertTest, InterruptedRunLeavesNoPartialFileAndResumesToTheSameBytes) {
  for (int c = 0; c < 8; ++c) make_case(fmt::format("case{:02d}", c), 100 + c, {64, 60, 48});
  const std::vector<std::string> args{"convert",
                                      "--config",
                                      config.string(),
                                      "--input",
                                      input.string(),
                                      "--output",
                                      out.string(),
                                      "--classes",
                                      classes.string(),
                                      "--threads",
                                      "1",
                                      "--cases-in-flight",
                                      "1"};
  const int pid = start_samed2d(args);
  // Interrupt as soon as the first images are on disk (or let it finish if it is that fast).
  for (int i = 0; i < 2000; ++i) {
    if (fs::exists(out / "images") && !fs::is_empty(out / "images")) break;
    ::usleep(5000);
  }
  ::kill(pid, SIGINT);
  const int status = wait_samed2d(pid);
  EXPECT_TRUE(status == 130 || status == 0) << status;
  EXPECT_FALSE(fs::exists(out / ".samed2d" / "tmp"));
  // Whatever was interrupted, the JSON names exactly what is on disk.
  {
    std::ifstream in(out / "SAMed2D_v1.json");
    const auto j = json::parse(in);
    std::set<std::string> listed;
    for (const auto& [image, masks] : j.items()) {
      listed.insert(image);
      for (const auto& m : masks) listed.insert(m.get<std::string>());
    }
    auto on_disk = files_in(out / "images", "images/");
    const auto masks = files_in(out / "masks", "masks/");
    on_disk.insert(masks.begin(), masks.end());
    EXPECT_EQ(listed, on_disk);
  }
  const auto resumed = run_samed2d(args);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  const fs::path resumed_out = dir / "resumed";
  fs::rename(out, resumed_out);
  ASSERT_EQ(run_samed2d(args).exit_code, 0);
  for (const char* f : {"SAMed2D_v1.json", "SAMed2D_v1_class_mapping_id.json", "report.json"})
    EXPECT_EQ(read_bytes(out / f), read_bytes(resumed_out / f)) << f;
  EXPECT_EQ(files_in(out / "images", ""), files_in(resumed_out / "images", ""));
  EXPECT_EQ(files_in(out / "masks", ""), files_in(resumed_out / "masks", ""));
}

}  // namespace
}  // namespace samed2d::test

namespace samed2d::test {
namespace {

TEST_F(ConvertTest, LabelValuesAbove255AreKeptExact) {
  // MM-WHS codes (205 ... 850) in a uint16 label map: 420 and 421 must not be confused, nor
  // 600 with 600 mod 256 = 88.
  const std::array<std::size_t, 3> n{20, 18, 12};
  const std::size_t count = n[0] * n[1] * n[2];
  std::vector<std::int16_t> img(count);
  for (std::size_t v = 0; v < count; ++v) img[v] = static_cast<std::int16_t>((v * 37) % 1000);
  std::vector<std::uint16_t> lab(count, 0);
  for (std::size_t k = 2; k < 10; ++k)
    for (std::size_t j = 2; j < 16; ++j)
      for (std::size_t i = 2; i < 18; ++i) {
        const std::size_t idx = i + n[0] * (j + n[1] * k);
        lab[idx] = i < 8 ? 420 : (i < 12 ? 600 : 88);
        if (k == 9 && i < 8) lab[idx] = 421;  // a stray value: reported, never written
      }
  write_volume(input / "ct_train_1001_image.nii.gz", n, img);
  write_volume(input / "ct_train_1001_label.nii.gz", n, lab);
  write_text(config, R"({"dataset": "MMWHS", "cases": "ct_train_*_image.nii.gz",
    "case_name": "{stem}", "modality": "ct_00", "label": "{dir}/ct_train_1001_label.nii.gz",
    "labels": {"420": "alpha", "600": "beta"}})");
  const auto run = convert();
  ASSERT_EQ(run.exit_code, 0) << run.err;
  OracleOutput want;
  oracle_add(oracle_case("ct_00", "MMWHS", "ct_train_1001_image", n, img, lab,
                         {{"alpha", "0007", {420}}, {"beta", "0003", {600}}}),
             want);
  expect_output(want);
  std::ifstream in(out / "report.json");
  const auto report = json::parse(in);
  ASSERT_EQ(report["warnings"].size(), 1u);
  const std::string warning = report["warnings"][0]["warning"];
  EXPECT_NE(warning.find("88 ("), std::string::npos) << warning;
  EXPECT_NE(warning.find("421 ("), std::string::npos) << warning;
}

}  // namespace
}  // namespace samed2d::test

namespace samed2d::test {
namespace {

TEST_F(ConvertTest, ChangedConfigOrProfileNeverMixesOldAndNewOutputs) {
  OracleOutput want;
  OracleCase c1 = make_case("case01", 1);
  OracleCase c2 = make_case("case02", 2);
  ASSERT_EQ(convert({"--axes", "x"}).exit_code, 0);
  const auto before = files_in(out / "masks", "");
  const std::string beta = "--0003_";
  ASSERT_TRUE(std::any_of(before.begin(), before.end(),
                          [&](const std::string& n) { return n.find(beta) != std::string::npos; }));

  // The config no longer maps value 2 (beta, and with it the union gamma): every old beta and
  // gamma mask goes, and the tree is what a fresh run with the new config writes.
  write_text(config, R"({"dataset": "Test-Set", "cases": "case[0-9][0-9].nii.gz",
    "modality": "ct_00", "label": "{dir}/{stem}_seg.nii.gz", "labels": {"1": "alpha"}})");
  const auto rerun = convert({"--axes", "x"});
  ASSERT_EQ(rerun.exit_code, 0) << rerun.err;
  EXPECT_NE(rerun.out.find("2 converted"), std::string::npos) << rerun.out;
  for (auto* c : {&c1, &c2}) {
    c->classes = {{"alpha", "0007", {1}}};
    c->axes = {'x'};
    oracle_add(*c, want);
  }
  expect_output(want);

  // A profile that writes grey images: every image is rewritten with one channel.
  write_text(dir / "gray.json", R"({"channels_3d": "gray"})");
  const auto gray = convert({"--axes", "x", "--profile", (dir / "gray.json").string()});
  ASSERT_EQ(gray.exit_code, 0) << gray.err;
  EXPECT_NE(gray.out.find("2 converted"), std::string::npos) << gray.out;
  expect_output(want, /*rgb=*/false);
}

}  // namespace
}  // namespace samed2d::test

namespace samed2d::test {
namespace {

TEST_F(ConvertTest, KilledAtManyMomentsAndRerunGivesTheSameTree) {
  // SIGKILL gives the tool no chance to clean up: whatever moment it lands on (reading, PNGs
  // being written, a record or the JSON files being written), the rerun must finish the tree
  // to exactly what an uninterrupted run writes, with nothing else left anywhere in OUT.
  for (int c = 0; c < 6; ++c) make_case(fmt::format("case{:02d}", c), 200 + c, {64, 60, 48});
  auto args_for = [&](const fs::path& o) {
    return std::vector<std::string>{"convert",        "--config", config.string(), "--input",
                                    input.string(),   "--output", o.string(),      "--classes",
                                    classes.string(), "--quiet"};
  };
  const fs::path reference = dir / "reference";
  ASSERT_EQ(run_samed2d(args_for(reference)).exit_code, 0);
  const auto want = tree_bytes(reference);

  // Kill delays spread over a run (about 0.3 s here): early ones land while reading and writing
  // PNGs; as cases finish, later runs are short and the kills land on records and JSON files.
  int kills = 0;
  for (const int ms : {3, 10, 25, 40, 60, 80, 110, 150, 200, 5, 15, 30}) {
    const int pid = start_samed2d(args_for(out));
    ::usleep(static_cast<useconds_t>(ms) * 1000);
    ::kill(pid, SIGKILL);
    if (wait_samed2d(pid) == 128 + SIGKILL) ++kills;
    // After any kill: images/ and masks/ hold only whole PNGs with SA-Med2D names.
    for (const char* sub : {"images", "masks"}) {
      if (!fs::exists(out / sub)) continue;
      for (const auto& e : fs::directory_iterator(out / sub)) {
        const std::string name = e.path().filename().string();
        EXPECT_EQ(name.rfind("ct_00--Test-Set--case", 0), 0u) << name;
        EXPECT_NO_THROW(read_png(e.path())) << name << " after a kill at " << ms << " ms";
      }
    }
  }
  EXPECT_GE(kills, 6);  // most runs really died mid-way (a late kill may find a run finished)
  const auto final_run = run_samed2d(args_for(out));
  ASSERT_EQ(final_run.exit_code, 0) << final_run.err;
  // Byte for byte, case records included; nothing else anywhere (no temporary file).
  const auto got = tree_bytes(out);
  std::vector<std::string> got_names, want_names;
  for (const auto& [k, v] : got) got_names.push_back(k);
  for (const auto& [k, v] : want) want_names.push_back(k);
  ASSERT_EQ(got_names, want_names);
  for (const auto& [k, v] : want) EXPECT_EQ(got.at(k), v) << k;
}

TEST(ConvertRerunTest, RewritingASliceOrADetachedDataFileInPlaceRedoesTheCase) {
  // Neither rewrite changes what used to be stamped (the series folder's own time, the .mhd
  // header): a rerun must still notice and redo the case, or old images would stay.
  TempDir dir;
  const fs::path in = dir / "in";
  const fs::path out = dir / "out";
  auto series = [](double scale) {
    DicomSeriesSpec spec;
    spec.columns = 6;
    spec.rows = 5;
    spec.series_uid = "1.2.826.0.1.3680043.9.7777.50.1";
    for (std::size_t k = 0; k < 3; ++k) {
      DicomSlice s;
      s.file = "IM" + std::to_string(k + 1) + ".dcm";
      s.position[2] = 2.0 * static_cast<double>(k);
      s.instance = static_cast<int>(k + 1);
      for (std::size_t p = 0; p < 30; ++p)
        s.values.push_back(scale * static_cast<double>((p * 7) % 30) + double(k));
      spec.slices.push_back(std::move(s));
    }
    return spec;
  };
  write_dicom_series(in / "P1" / "CT", series(1));
  std::vector<std::uint8_t> label(6 * 5 * 3, 1);
  write_volume(in / "P1" / "seg.nrrd", {6, 5, 3}, label);
  std::vector<std::int16_t> volume(6 * 5 * 3);
  for (std::size_t v = 0; v < volume.size(); ++v) volume[v] = static_cast<std::int16_t>(v);
  write_volume(in / "P2" / "CT" / "img.mhd", {6, 5, 3}, volume);
  write_volume(in / "P2" / "seg.nrrd", {6, 5, 3}, label);
  write_text(dir / "dicom.json", R"({"dataset": "Rewrite", "cases": "P1/CT/",
    "case_name": "{parent}", "modality": "ct_00", "label": "{dir}/seg.nrrd",
    "labels": {"1": "liver"}})");
  write_text(dir / "mhd.json", R"({"dataset": "Rewrite", "cases": "P2/CT/img.mhd",
    "case_name": "{grandparent}", "modality": "ct_00", "label": "{dir}/../seg.nrrd",
    "labels": {"1": "liver"}})");
  auto convert = [&](const std::string& config) {
    return run_samed2d({"convert", "--config", (dir / config).string(), "--input", in.string(),
                        "--output", (out / config).string(), "--axes", "x", "--quiet"});
  };
  for (const std::string config : {"dicom.json", "mhd.json"}) {
    const ToolRun run = convert(config);
    ASSERT_EQ(run.exit_code, 0) << run.err;
  }
  const fs::path p1 = out / "dicom.json" / "images" / "ct_00--Rewrite--P1--x_0001.png";
  const fs::path p2 = out / "mhd.json" / "images" / "ct_00--Rewrite--P2--x_0001.png";
  const auto p1_before = read_png(p1).pixels;
  const auto p2_before = read_png(p2).pixels;
  const auto folder_time = fs::last_write_time(in / "P1" / "CT");
  const auto header_time = fs::last_write_time(in / "P2" / "CT" / "img.mhd");

  write_dicom_series(in / "P1" / "CT", series(-1));  // the same files, other pixels
  for (auto& v : volume) v = static_cast<std::int16_t>(1000 - v);
  write_volume(dir / "scratch" / "img.mhd", {6, 5, 3}, volume);
  fs::copy_file(dir / "scratch" / "img.raw", in / "P2" / "CT" / "img.raw",
                fs::copy_options::overwrite_existing);
  fs::last_write_time(in / "P1" / "CT", folder_time);
  fs::last_write_time(in / "P2" / "CT" / "img.mhd", header_time);

  for (const std::string config : {"dicom.json", "mhd.json"}) {
    const ToolRun rerun = convert(config);
    ASSERT_EQ(rerun.exit_code, 0) << rerun.err;
    EXPECT_NE(rerun.out.find("1 converted, 0 already done"), std::string::npos) << rerun.out;
  }
  EXPECT_NE(read_png(p1).pixels, p1_before);
  EXPECT_NE(read_png(p2).pixels, p2_before);
}

}  // namespace
}  // namespace samed2d::test
