// End-to-end: `samed2d export sam-med2d TREE` on trees converted from tiny replicas of three
// datasets (one with two sequences, one with seven cases, one with a single case), sliced on x,
// y and z: every image and mask exactly once, no case on both sides, the documented count per
// dataset, the same bytes for the same seed, paths that open, and refusal of a broken tree.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "support/DatasetRun.hpp"
#include "support/PlantedCase.hpp"
#include "support/RunTool.hpp"
#include "support/TestData.hpp"

namespace samed2d::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

constexpr const char* kTrain = "image2label_train.json";
constexpr const char* kTest = "label2image_test.json";

// dataset -> its case names, as planted.
const std::map<std::string, std::vector<std::string>> kCases = {
    {"ExportSeq", {"p01", "p02", "p03", "p04", "p05", "p06"}},
    {"ExportCt", {"p01", "p02", "p03", "p04", "p05", "p06", "p07"}},  // same names, other set
    {"ExportOne", {"solo"}},
};

// One planted case: liver everywhere, spleen on every other case (two masks per slice there).
PlantedCase planted(const std::string& name, std::size_t n) {
  PlantedCase c;
  c.name = name;
  c.size = {6, 5, 4};
  c.boxes.push_back({{1, 1, 1}, {3 + n % 3, 4, 3}, 1});
  if (n % 2 == 0) c.boxes.push_back({{4, 0, 0}, {6, 2, 4}, 2});
  return c;
}

// The parts of an SA-Med2D name: modality, dataset, case, slice (and class_instance for a mask).
std::vector<std::string> fields(std::string path) {
  path = path.substr(path.find('/') + 1);
  path = path.substr(0, path.size() - 4);
  std::vector<std::string> out;
  for (std::size_t at = 0;;) {
    const auto next = path.find("--", at);
    out.push_back(path.substr(at, next - at));
    if (next == std::string::npos) break;
    at = next + 2;
  }
  return out;
}

ordered_json read_json(const fs::path& file) {
  std::istringstream in(std::string([&] {
    const auto b = read_bytes(file);
    return std::string(b.begin(), b.end());
  }()));
  return ordered_json::parse(in);
}

std::string text_of(const fs::path& file) {
  const auto b = read_bytes(file);
  return std::string(b.begin(), b.end());
}

// round(n * p / q), halves up, never all of n unless p == q: the rule the README documents.
std::size_t expected_test_units(std::size_t n, std::size_t p, std::size_t q) {
  std::size_t k = (2 * n * p + q) / (2 * q);
  if (p < q && k == n && n > 0) k = n - 1;
  return k;
}

// What an export says, with the tree's relative paths ("images/...", "masks/...").
struct Split {
  std::map<std::string, std::vector<std::string>> train;  // image -> masks
  std::map<std::string, std::string> test;                // mask -> image
};

class ExportTest : public ::testing::Test {
 protected:
  static TempDir* dir;
  static fs::path tree;   // converted with --sources, --threads 1
  static fs::path tree2;  // the datasets one by one in the other order, --threads 4
  static std::map<std::string, std::vector<std::string>> index;  // SAMed2D_v1.json of tree

  static void SetUpTestSuite() {
    dir = new TempDir;
    const fs::path in = *dir / "in";
    std::size_t n = 0;
    for (const auto& name : kCases.at("ExportSeq")) {
      const auto c = planted(name, n++);
      c.write_image(in / "seq" / name / "t1.nii.gz");
      c.write_image<float>(in / "seq" / name / "t2.nii.gz");
      c.write_label(in / "seq" / name / "seg.nii.gz");
    }
    for (const auto& name : kCases.at("ExportCt")) {
      const auto c = planted(name, n++);
      c.write_image(in / "ct" / name / "img.nii.gz");
      c.write_label(in / "ct" / name / "seg.nii.gz");
    }
    const auto solo = planted("solo", 0);
    solo.write_image(in / "one" / "solo" / "img.nii.gz");
    solo.write_label(in / "one" / "solo" / "seg.nii.gz");
    write_text_file(*dir / "seq.json", R"({"dataset": "ExportSeq", "cases": "*/seg.nii.gz",
      "case_name": "{parent}", "label": "{path}", "labels": {"1": "liver", "2": "spleen"},
      "sequences": [{"image": "{dir}/t1.nii.gz", "modality": "mr_t1"},
                    {"image": "{dir}/t2.nii.gz", "modality": "mr_t2"}]})");
    for (const auto& [file, dataset] :
         {std::pair{"ct.json", "ExportCt"}, {"one.json", "ExportOne"}})
      write_text_file(*dir / file, std::string(R"({"dataset": ")") + dataset + R"(",
        "cases": "*/img.nii.gz", "case_name": "{parent}", "modality": "ct_00",
        "label": "{dir}/seg.nii.gz", "labels": {"1": "liver", "2": "spleen"}})");
    write_text_file(*dir / "sources.json",
                    R"({"seq.json": "in/seq", "ct.json": "in/ct", "one.json": "in/one"})");
    tree = *dir / "tree";
    auto run = run_samed2d({"convert", "--sources", (*dir / "sources.json").string(), "--output",
                            tree.string(), "--threads", "1", "--quiet"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    tree2 = *dir / "tree2";
    for (const auto& [config, input] :
         {std::pair{"one.json", "one"}, {"ct.json", "ct"}, {"seq.json", "seq"}}) {
      run = run_samed2d({"convert", "--config", (*dir / config).string(), "--input",
                         (in / input).string(), "--output", tree2.string(), "--threads", "4",
                         "--quiet"});
      ASSERT_EQ(run.exit_code, 0) << run.err;
    }
    index =
        read_json(tree / "SAMed2D_v1.json").get<std::map<std::string, std::vector<std::string>>>();
  }
  static void TearDownTestSuite() {
    delete dir;
    dir = nullptr;
  }

  static ToolRun export_tree(const fs::path& t, std::vector<std::string> extra) {
    std::vector<std::string> args{"export", "sam-med2d", t.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_samed2d(args);
  }

  // Reads the two files of `to`, checks their shape, order and layout, and strips `prefix`
  // from every path (each must start with it).
  static Split read_split(const fs::path& to, const std::string& prefix) {
    Split s;
    auto strip = [&](const std::string& p) {
      EXPECT_EQ(p.rfind(prefix, 0), 0u) << p << " does not start with " << prefix;
      return p.substr(prefix.size());
    };
    const auto train = read_json(to / kTrain);
    const auto test = read_json(to / kTest);
    EXPECT_TRUE(train.is_object());
    EXPECT_TRUE(test.is_object());
    // 2-space indentation, keys in ascending byte order, lists sorted (README).
    for (const auto* file : {kTrain, kTest}) {
      const std::string text = text_of(to / file);
      EXPECT_TRUE(text == "{}\n" || text.rfind("{\n  \"", 0) == 0) << file;
      EXPECT_EQ(text.back(), '\n');
    }
    std::string previous;
    for (const auto& [image, masks] : train.items()) {
      EXPECT_LT(previous, image);
      previous = image;
      // SAM-Med2D's TrainingDataset: a non-empty list of mask paths (strings).
      EXPECT_TRUE(masks.is_array() && !masks.empty()) << image;
      std::vector<std::string> list;
      for (const auto& m : masks) {
        EXPECT_TRUE(m.is_string()) << image;
        if (m.is_string()) list.push_back(strip(m.get<std::string>()));
      }
      EXPECT_TRUE(std::is_sorted(list.begin(), list.end())) << image;
      s.train[strip(image)] = list;
    }
    previous.clear();
    for (const auto& [mask, image] : test.items()) {
      EXPECT_LT(previous, mask);
      previous = mask;
      // TestingDataset: mask path -> image path (a string).
      EXPECT_TRUE(image.is_string()) << mask;
      if (image.is_string()) s.test[strip(mask)] = strip(image.get<std::string>());
    }
    return s;
  }

  // (1) Every image and mask of SAMed2D_v1.json exactly once across the two files, and nothing
  // else: a train image with exactly its masks, a test image with each of its masks.
  static void expect_complete(const Split& s) {
    std::map<std::string, std::vector<std::string>> test_images;
    for (const auto& [mask, image] : s.test) test_images[image].push_back(mask);
    std::size_t masks_seen = 0;
    for (const auto& [image, masks] : index) {
      const bool in_train = s.train.count(image) > 0;
      const bool in_test = test_images.count(image) > 0;
      EXPECT_NE(in_train, in_test) << image << " is on " << (in_train ? "both sides" : "no side");
      if (in_train) {
        EXPECT_EQ(s.train.at(image), masks) << image;
      }
      if (in_test) {  // the map gives them sorted
        EXPECT_EQ(test_images.at(image), masks) << image;
      }
      masks_seen += masks.size();
    }
    std::size_t train_masks = 0;
    for (const auto& [image, masks] : s.train) {
      EXPECT_EQ(index.count(image), 1u) << image << " is not in SAMed2D_v1.json";
      train_masks += masks.size();
    }
    for (const auto& [image, masks] : test_images)
      EXPECT_EQ(index.count(image), 1u) << image << " is not in SAMed2D_v1.json";
    EXPECT_EQ(train_masks + s.test.size(), masks_seen);
  }

  // (dataset, case) pairs of each side.
  static std::pair<std::set<std::pair<std::string, std::string>>,
                   std::set<std::pair<std::string, std::string>>>
  cases_of(const Split& s) {
    std::set<std::pair<std::string, std::string>> train, test;
    for (const auto& [image, masks] : s.train) {
      const auto f = fields(image);
      train.insert({f[1], f[2]});
    }
    for (const auto& [mask, image] : s.test) {
      const auto f = fields(image);
      test.insert({f[1], f[2]});
    }
    return {train, test};
  }
};

TempDir* ExportTest::dir = nullptr;
fs::path ExportTest::tree;
fs::path ExportTest::tree2;
std::map<std::string, std::vector<std::string>> ExportTest::index;

TEST_F(ExportTest, TheTreesHoldEveryDatasetCaseSequenceAndAxis) {
  // What the export tests rely on: 3 datasets, 6 + 7 + 1 cases, two sequences in ExportSeq,
  // three axes in every case; and the tree converted the other way is the same tree.
  std::map<std::string, std::set<std::string>> cases, modalities, axes;
  for (const auto& [image, masks] : index) {
    const auto f = fields(image);
    ASSERT_EQ(f.size(), 4u) << image;
    cases[f[1]].insert(f[2]);
    modalities[f[1]].insert(f[0]);
    axes[f[1] + "/" + f[2]].insert(f[3].substr(0, 1));
  }
  for (const auto& [dataset, names] : kCases)
    EXPECT_EQ(cases[dataset], std::set<std::string>(names.begin(), names.end())) << dataset;
  EXPECT_EQ(modalities["ExportSeq"], (std::set<std::string>{"mr_t1", "mr_t2"}));
  EXPECT_EQ(modalities["ExportCt"], (std::set<std::string>{"ct_00"}));
  EXPECT_EQ(axes.size(), 14u);
  for (const auto& [c, a] : axes) EXPECT_EQ(a, (std::set<std::string>{"x", "y", "z"})) << c;
  EXPECT_EQ(read_bytes(tree2 / "SAMed2D_v1.json"), read_bytes(tree / "SAMed2D_v1.json"));
}

TEST_F(ExportTest, DefaultsSplitByCaseWithAbsolutePaths) {
  const fs::path to = *dir / "default";
  const auto run = export_tree(tree, {"--to", to.string(), "--quiet"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.err, "");
  const std::string prefix = fs::absolute(tree).lexically_normal().string() + "/";
  const Split s = read_split(to, prefix);
  expect_complete(s);
  // (5) Absolute paths of files that exist.
  for (const auto& [image, masks] : s.train) {
    EXPECT_TRUE(fs::exists(prefix + image)) << image;
    for (const auto& m : masks) EXPECT_TRUE(fs::exists(prefix + m)) << m;
  }
  for (const auto& [mask, image] : s.test) EXPECT_TRUE(fs::exists(prefix + mask)) << mask;
  // (2) No case on both sides, whatever its axis or sequence; (3) 0.2 of each dataset's cases.
  const auto [train_cases, test_cases] = cases_of(s);
  for (const auto& c : test_cases)
    EXPECT_EQ(train_cases.count(c), 0u) << c.first << "/" << c.second;
  EXPECT_EQ(train_cases.size() + test_cases.size(), 14u);
  std::map<std::string, std::size_t> test_per_dataset;
  for (const auto& c : test_cases) ++test_per_dataset[c.first];
  for (const auto& [dataset, names] : kCases)
    EXPECT_EQ(test_per_dataset[dataset], expected_test_units(names.size(), 1, 5)) << dataset;
  // One summary line on stdout, with the counts.
  std::size_t train_masks = 0;
  for (const auto& [image, masks] : s.train) train_masks += masks.size();
  std::set<std::string> test_images;
  for (const auto& [mask, image] : s.test) test_images.insert(image);
  EXPECT_EQ(std::count(run.out.begin(), run.out.end(), '\n'), 1) << run.out;
  EXPECT_NE(
      run.out.find("train " + std::to_string(s.train.size()) + " images, " +
                   std::to_string(train_masks) + " masks of " + std::to_string(train_cases.size()) +
                   " cases; test " + std::to_string(test_images.size()) + " images, " +
                   std::to_string(s.test.size()) + " masks of " +
                   std::to_string(test_cases.size()) + " cases"),
      std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find((to / kTrain).string()), std::string::npos) << run.out;
}

TEST_F(ExportTest, EachDatasetKeepsTheFractionRoundedHalfUp) {
  // (p, q): fraction p / q. 0.5 of 7 is 3.5 -> 4; 0.5 and 0.9 of one case -> 0 (one stays in
  // train while F < 1); 1 -> everything in test; 0 -> nothing.
  for (const auto& [p, q, text] : {std::tuple{std::size_t{1}, std::size_t{2}, "0.5"},
                                   {std::size_t{9}, std::size_t{10}, "0.9"},
                                   {std::size_t{3}, std::size_t{10}, "0.3"},
                                   {std::size_t{1}, std::size_t{1}, "1"},
                                   {std::size_t{0}, std::size_t{1}, "0"}}) {
    SCOPED_TRACE(text);
    const fs::path to = *dir / (std::string("fraction_") + text);
    const auto run = export_tree(tree, {"--to", to.string(), "--test-fraction", text, "--paths",
                                        "relative", "--seed", "3", "--quiet"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const Split s = read_split(to, "../tree/");
    expect_complete(s);
    const auto [train_cases, test_cases] = cases_of(s);
    for (const auto& c : test_cases) EXPECT_EQ(train_cases.count(c), 0u) << c.second;
    std::map<std::string, std::size_t> test_per_dataset;
    for (const auto& c : test_cases) ++test_per_dataset[c.first];
    for (const auto& [dataset, names] : kCases)
      EXPECT_EQ(test_per_dataset[dataset], expected_test_units(names.size(), p, q)) << dataset;
    if (p == q) {
      EXPECT_EQ(text_of(to / kTrain), "{}\n");
    }
    if (p == 0) {
      EXPECT_EQ(text_of(to / kTest), "{}\n");
    }
  }
}

TEST_F(ExportTest, SplitByImageKeepsTheFractionOfImagesPerDataset) {
  const fs::path to = *dir / "by_image";
  const auto run = export_tree(tree, {"--to", to.string(), "--split-by", "image", "--test-fraction",
                                      "0.5", "--paths", "relative", "--quiet"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const Split s = read_split(to, "../tree/");
  expect_complete(s);
  std::map<std::string, std::size_t> images_per_dataset, test_per_dataset;
  for (const auto& [image, masks] : index) ++images_per_dataset[fields(image)[1]];
  std::set<std::string> test_images;
  for (const auto& [mask, image] : s.test) test_images.insert(image);
  for (const auto& image : test_images) ++test_per_dataset[fields(image)[1]];
  for (const auto& [dataset, n] : images_per_dataset)
    EXPECT_EQ(test_per_dataset[dataset], expected_test_units(n, 1, 2)) << dataset;
  // Half of each case's images at random: cases end up on both sides.
  const auto [train_cases, test_cases] = cases_of(s);
  std::size_t both = 0;
  for (const auto& c : test_cases) both += train_cases.count(c);
  EXPECT_GT(both, 0u);
  EXPECT_NE(run.out.find("(" + std::to_string(both) + " cases on both sides)"), std::string::npos)
      << run.out;
}

TEST_F(ExportTest, TheSameSeedGivesTheSameBytesAndAnotherSeedAnotherSplit) {
  // (4) The split depends on the seed and the tree alone: not on the threads or the order the
  // tree was converted in, nor on the run.
  for (const auto& mode : {"case", "image"}) {
    SCOPED_TRACE(mode);
    const std::vector<std::string> opts{"--paths",    "relative", "--test-fraction",
                                        "0.5",        "--seed",   "7",
                                        "--split-by", mode,       "--quiet"};
    std::vector<std::vector<std::uint8_t>> train, test;
    for (const auto& t : {tree, tree2, tree}) {
      const fs::path to = *dir / "seed" / (std::string(mode) + t.filename().string());
      auto args = opts;
      args.insert(args.end(), {"--to", to.string()});
      const auto run = export_tree(t, args);
      ASSERT_EQ(run.exit_code, 0) << run.err;
      train.push_back(read_bytes(to / kTrain));
      test.push_back(read_bytes(to / kTest));
    }
    // tree and tree2 sit side by side, so the relative paths differ only in that name.
    auto as_tree = [](const std::vector<std::uint8_t>& b) {
      std::string s(b.begin(), b.end());
      const std::string from = "../../tree2/", into = "../../tree/";
      for (auto at = s.find(from); at != std::string::npos; at = s.find(from, at + into.size()))
        s.replace(at, from.size(), into);
      return s;
    };
    EXPECT_EQ(train[0], train[2]);
    EXPECT_EQ(test[0], test[2]);
    EXPECT_EQ(as_tree(train[1]), std::string(train[0].begin(), train[0].end()));
    EXPECT_EQ(as_tree(test[1]), std::string(test[0].begin(), test[0].end()));
    // Absolute paths, twice: the same bytes.
    const fs::path a = *dir / "seed" / (std::string(mode) + "abs_a");
    const fs::path b = *dir / "seed" / (std::string(mode) + "abs_b");
    ASSERT_EQ(export_tree(tree, {"--to", a.string(), "--seed", "7", "--split-by", mode, "--quiet"})
                  .exit_code,
              0);
    ASSERT_EQ(export_tree(tree, {"--to", b.string(), "--seed", "7", "--split-by", mode, "--quiet"})
                  .exit_code,
              0);
    EXPECT_EQ(read_bytes(a / kTrain), read_bytes(b / kTrain));
    EXPECT_EQ(read_bytes(a / kTest), read_bytes(b / kTest));
    // Another seed: another set of test entries (C(6,3) * C(7,4) = 700 ways by case).
    const fs::path other = *dir / "seed" / (std::string(mode) + "other");
    auto args = opts;
    args[5] = "8";
    args.insert(args.end(), {"--to", other.string()});
    ASSERT_EQ(export_tree(tree, args).exit_code, 0);
    EXPECT_NE(read_split(other, "../../tree/").test,
              read_split(*dir / "seed" / (std::string(mode) + "tree"), "../../tree/").test);
  }
}

TEST_F(ExportTest, RelativePathsResolveFromTheTargetFolder) {
  // (5) --paths relative: from --to, wherever it is; the default --to is the tree itself.
  const fs::path to = *dir / "deep" / "er";
  ASSERT_EQ(export_tree(tree, {"--to", to.string(), "--paths", "relative", "--quiet"}).exit_code,
            0);
  const Split s = read_split(to, "../../tree/");
  expect_complete(s);
  for (const auto& [image, masks] : s.train) {
    EXPECT_TRUE(fs::exists(to / "../../tree" / image)) << image;
    for (const auto& m : masks) EXPECT_TRUE(fs::exists(to / "../../tree" / m)) << m;
  }
  for (const auto& [mask, image] : s.test) EXPECT_TRUE(fs::exists(to / "../../tree" / mask));

  const fs::path copy = *dir / "relative_in_tree";
  fs::copy(tree, copy, fs::copy_options::recursive);
  ASSERT_EQ(export_tree(copy, {"--paths", "relative", "--quiet"}).exit_code, 0);
  expect_complete(read_split(copy, ""));
  // And a tree holding the two files is still a valid tree.
  EXPECT_EQ(run_samed2d({"validate", copy.string()}).exit_code, 0);
}

TEST_F(ExportTest, ABrokenTreeIsRefusedAndNothingIsWritten) {
  // (7) A missing mask file, a damaged index: exit 2, one line naming the tree, nothing written
  // (files already in --to stay as they were).
  const std::string mask = index.begin()->second.front();
  auto refuse = [&](const std::string& name, auto&& damage, const std::string& expected) {
    SCOPED_TRACE(name);
    const fs::path bad = *dir / name;
    fs::copy(tree, bad, fs::copy_options::recursive);
    damage(bad);
    const fs::path to = *dir / (name + "_to");
    const auto run = export_tree(bad, {"--to", to.string()});
    EXPECT_EQ(run.exit_code, 2) << run.err;
    // One error line; the others are the progress lines --quiet turns off.
    std::istringstream lines(run.err);
    std::size_t errors = 0;
    for (std::string l; std::getline(lines, l);) {
      if (l.rfind("samed2d: error: ", 0) == 0)
        ++errors;
      else
        EXPECT_EQ(l.rfind("samed2d: export: ", 0), 0u) << l;
    }
    EXPECT_EQ(errors, 1u) << run.err;
    EXPECT_NE(run.err.find(bad.string()), std::string::npos) << run.err;
    EXPECT_NE(run.err.find(expected), std::string::npos) << run.err;
    EXPECT_EQ(run.out, "");
    EXPECT_FALSE(fs::exists(to));
    EXPECT_FALSE(fs::exists(bad / kTrain));
    EXPECT_FALSE(fs::exists(bad / kTest));
    // With files of an earlier export in --to: kept byte for byte.
    write_text_file(to / kTrain, "earlier\n");
    const auto quiet = export_tree(bad, {"--to", to.string(), "--quiet"});
    EXPECT_EQ(quiet.exit_code, 2);
    EXPECT_EQ(std::count(quiet.err.begin(), quiet.err.end(), '\n'), 1) << quiet.err;
    EXPECT_EQ(quiet.err.rfind("samed2d: error: ", 0), 0u) << quiet.err;
    EXPECT_EQ(text_of(to / kTrain), "earlier\n");
    EXPECT_FALSE(fs::exists(to / kTest));
    EXPECT_EQ(std::distance(fs::directory_iterator(to), fs::directory_iterator()), 1);
  };
  refuse(
      "missing_mask", [&](const fs::path& t) { fs::remove(t / mask); }, mask);
  refuse(
      "broken_index",
      [&](const fs::path& t) {
        const std::string text = text_of(t / "SAMed2D_v1.json");
        write_text_file(t / "SAMed2D_v1.json", text.substr(0, text.size() / 2));
      },
      "SAMed2D_v1.json");
  refuse(
      "no_index", [&](const fs::path& t) { fs::remove(t / "SAMed2D_v1.json"); }, "SAMed2D_v1.json");
}

TEST_F(ExportTest, HelpShowsAnExample) {
  // (8)
  const auto run = run_samed2d({"export", "--help"});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_NE(run.out.find("samed2d export sam-med2d "), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("--test-fraction"), std::string::npos) << run.out;
}

TEST_F(ExportTest, SamMed2dsLoadersReadEveryEntry) {
  // tests/python/read_like_sam_med2d.py opens the files as SAM-Med2D's TrainingDataset and
  // TestingDataset do (json.load, os.path.join(data_path, ...), cv2.imread) and reads every
  // entry: images H x W x 3, masks binary after / 255, of their image's size.
  const std::string python = python_with_cv2();
  if (python.empty())
    GTEST_SKIP() << "python3 with cv2 is missing (Debian: apt-get install python3-opencv)";
  const fs::path script = source_dir() / "tests" / "python" / "read_like_sam_med2d.py";
  std::size_t masks = 0;
  for (const auto& [image, list] : index) masks += list.size();
  for (const auto& paths : {"absolute", "relative"}) {
    SCOPED_TRACE(paths);
    const fs::path to = *dir / (std::string("python_") + paths);
    const auto run = export_tree(tree, {"--to", to.string(), "--paths", paths, "--quiet"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const Split s = read_split(to, std::string(paths) == "absolute"
                                       ? fs::absolute(tree).lexically_normal().string() + "/"
                                       : "../tree/");
    std::set<std::string> test_images;
    for (const auto& [mask, image] : s.test) test_images.insert(image);
    // Absolute paths from anywhere (here /), relative ones from --to, as data_path ".".
    const std::string cd = std::string(paths) == "absolute" ? "/" : to.string();
    const std::string data_path = std::string(paths) == "absolute" ? to.string() : ".";
    const auto py = run_command(
        {"sh", "-c",
         "cd '" + cd + "' && '" + python + "' '" + script.string() + "' '" + data_path + "'"});
    ASSERT_EQ(py.exit_code, 0) << py.err;
    EXPECT_EQ(py.out, "train " + std::to_string(s.train.size()) + " images " +
                          std::to_string(masks - s.test.size()) + " masks; test " +
                          std::to_string(s.test.size()) + " masks " +
                          std::to_string(test_images.size()) + " images\n");
    EXPECT_GT(s.test.size(), 0u);
  }
}

}  // namespace
}  // namespace samed2d::test
