// End-to-end: `samed2d stats TREE` on a tree written here file by file (several datasets,
// modalities, classes and image sizes). Every expected number is computed in the test from what
// was planted, with plain sets and maps, and compared to the csv and json output exactly; the
// table must hold the same numbers. Bad trees: exit 2 with one line naming the file.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "pipeline/output/PngWriter.hpp"
#include "pipeline/tree/Stats.hpp"
#include "pipeline/tree/TreeIndex.hpp"
#include "support/DatasetRun.hpp"
#include "support/Matchers.hpp"
#include "support/RunTool.hpp"
#include "support/TestData.hpp"

namespace samed2d::test {
namespace {

using OJson = nlohmann::ordered_json;

struct Planted {
  std::string modality, dataset, case_name, slice;
  std::size_t width = 0, height = 0;
  std::vector<std::pair<int, int>> masks;  // class id, instance

  std::string stem() const { return modality + "--" + dataset + "--" + case_name + "--" + slice; }
};

const std::string kLong = "Chest_Xray_Collection_With_A_Rather_Long_Name_2021";  // 50 chars

// Class 42 is not in the mapping (named "0042"); class 10 is in it but has no mask.
const std::map<std::string, int> kMapping{
    {"liver", 1},      {"spleen", 2},      {"kidney", 3},      {"brain tumour", 5}, {"edema", 6},
    {"lung, left", 7}, {"heart \"h\"", 8}, {"gallbladder", 9}, {"unused class", 10}};

const std::vector<Planted>& planted() {
  static const std::vector<Planted> p{
      {"ct_00", "AbdCT", "case1", "x_0000", 64, 48, {{1, 1}, {1, 2}, {2, 1}}},
      {"ct_00", "AbdCT", "case1", "x_0001", 64, 48, {{1, 1}}},
      {"ct_00", "AbdCT", "case1", "x_0002", 64, 48, {{2, 1}, {3, 1}, {9, 1}}},
      {"ct_00", "AbdCT", "case2", "x_0000", 32, 32, {{1, 1}}},
      {"ct_00", "AbdCT", "case2", "x_0001", 64, 48, {{3, 1}}},
      {"mr_t1", "BrainMR", "p1", "z_0010", 40, 40, {{5, 1}}},
      {"mr_flair", "BrainMR", "p1", "z_0010", 40, 40, {{5, 1}, {6, 1}}},
      {"mr_t1", "BrainMR", "p2", "z_0003", 40, 40, {{6, 1}}},
      {"mr_flair", "BrainMR", "p2", "z_0003", 40, 40, {{5, 1}}},
      {"mr_t1", "BrainMR", "p2", "z_0004", 44, 40, {{5, 1}, {5, 2}, {5, 3}, {6, 1}, {6, 2}}},
      {"x_ray", kLong, "img-7", "2d_none", 100, 80, {{7, 1}, {8, 1}}},
      {"x_ray", kLong, "img-8", "2d_none", 90, 120, {{7, 1}}},
      {"ct_00", "Zeta.Set", "c-1", "y_0000", 16, 20, {{42, 1}}},
      {"ct_00", "Zeta.Set", "c-1", "y_0001", 16, 20, {}},
  };
  return p;
}

std::string id4(int id) {
  char b[8];
  std::snprintf(b, sizeof b, "%04d", id);
  return b;
}

std::string mask_path(const Planted& p, std::pair<int, int> m) {
  char inst[8];
  std::snprintf(inst, sizeof inst, "%03d", m.second);
  return "masks/" + p.stem() + "--" + id4(m.first) + "_" + inst + ".png";
}

void write_png(const fs::path& file, std::size_t w, std::size_t h, PngColor color) {
  std::vector<std::uint8_t> pixels(w * h, 0), bytes;
  for (std::size_t i = 0; i < pixels.size(); i += 3) pixels[i] = 255;
  encode_png(pixels.data(), w, h, color, mask_png_options(), bytes);
  write_bytes(file, bytes);
}

// The tree: PNGs of the planted sizes and the two JSON files.
void write_tree(const fs::path& root) {
  fs::create_directories(root / "images");
  fs::create_directories(root / "masks");
  nlohmann::json index = nlohmann::json::object();  // keys sorted, as SPEC section 6 has them
  for (const auto& p : planted()) {
    write_png(root / ("images/" + p.stem() + ".png"), p.width, p.height, PngColor::GrayAsRgb);
    std::vector<std::string> masks;
    for (const auto& m : p.masks) {
      masks.push_back(mask_path(p, m));
      write_png(root / masks.back(), p.width, p.height, PngColor::Gray);
    }
    std::sort(masks.begin(), masks.end());
    index["images/" + p.stem() + ".png"] = masks;
  }
  write_text_file(root / "SAMed2D_v1.json", index.dump());
  nlohmann::json mapping = nlohmann::json::object();
  for (const auto& [name, id] : kMapping) mapping[name] = id4(id);
  write_text_file(root / "SAMed2D_v1_class_mapping_id.json", mapping.dump(2));
}

// ---- the expectations, from planted() alone ----------------------------------------------------

struct Expected {
  struct Counts {
    std::size_t images = 0, masks = 0;
    std::set<std::string> cases;  // "dataset/case"
  };
  struct Class {
    int id = 0;
    std::string name;
    std::size_t masks = 0;
    std::set<std::string> images, cases;
  };
  Counts total;
  std::map<std::string, Counts> modality;
  std::map<std::string, Counts> dataset;
  std::map<std::string, std::set<std::string>> dataset_modalities;
  std::vector<Class> classes;  // by masks descending, id
  std::vector<int> all_counts;
  std::map<std::string, std::vector<int>> dataset_counts;
  std::vector<std::pair<std::size_t, std::size_t>> all_sizes;
  std::map<std::string, std::vector<std::pair<std::size_t, std::size_t>>> dataset_sizes;
};

Expected expected() {
  Expected e;
  std::map<int, Expected::Class> classes;
  for (const auto& p : planted()) {
    const std::string c = p.dataset + "/" + p.case_name;
    for (auto* counts : {&e.total, &e.modality[p.modality], &e.dataset[p.dataset]}) {
      counts->images += 1;
      counts->masks += p.masks.size();
      counts->cases.insert(c);
    }
    e.dataset_modalities[p.dataset].insert(p.modality);
    for (const auto& m : p.masks) {
      auto& k = classes[m.first];
      k.id = m.first;
      k.masks += 1;
      k.images.insert(p.stem());
      k.cases.insert(c);
    }
    e.all_counts.push_back(static_cast<int>(p.masks.size()));
    e.dataset_counts[p.dataset].push_back(static_cast<int>(p.masks.size()));
    e.all_sizes.emplace_back(p.width, p.height);
    e.dataset_sizes[p.dataset].emplace_back(p.width, p.height);
  }
  for (auto& [id, k] : classes) {
    k.name = id4(id);
    for (const auto& [name, mapped] : kMapping)
      if (mapped == id) k.name = name;
    e.classes.push_back(k);
  }
  std::sort(e.classes.begin(), e.classes.end(), [](const auto& a, const auto& b) {
    return a.masks != b.masks ? a.masks > b.masks : a.id < b.id;
  });
  return e;
}

struct Spread {
  int min = 0, max = 0;
  std::string median;  // "3" or "3.5"
};
Spread spread(std::vector<int> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  const int twice = n % 2 == 1 ? 2 * v[n / 2] : v[n / 2 - 1] + v[n / 2];
  return {v.front(), v.back(), std::to_string(twice / 2) + (twice % 2 == 1 ? ".5" : "")};
}

// (width, height, images): images descending, then width, then height.
std::vector<std::array<std::size_t, 3>> size_counts(
    const std::vector<std::pair<std::size_t, std::size_t>>& sizes) {
  std::map<std::pair<std::size_t, std::size_t>, std::size_t> counts;
  for (const auto& s : sizes) ++counts[s];
  std::vector<std::array<std::size_t, 3>> out;
  for (const auto& [s, n] : counts) out.push_back({s.first, s.second, n});
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a[2] > b[2]; });
  return out;
}

std::string quoted(const std::string& s) {
  if (s.find_first_of(",\"") == std::string::npos) return s;
  std::string q = "\"";
  for (const char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string expected_csv(const Expected& e) {
  std::ostringstream o;
  o << "section,key,class_id,images,masks,cases,min,median,max,width,height\n";
  const auto counts = [&](const std::string& section, const std::string& key, const std::string& id,
                          std::size_t images, std::size_t masks, std::size_t cases) {
    o << section << "," << quoted(key) << "," << id << "," << images << "," << masks << "," << cases
      << ",,,,,\n";
  };
  counts("totals", "all", "", e.total.images, e.total.masks, e.total.cases.size());
  for (const auto& [name, c] : e.modality)
    counts("modality", name, "", c.images, c.masks, c.cases.size());
  for (const auto& [name, c] : e.dataset)
    counts("dataset", name, "", c.images, c.masks, c.cases.size());
  for (const auto& k : e.classes)
    counts("class", k.name, id4(k.id), k.images.size(), k.masks, k.cases.size());
  const auto mpi = [&](const std::string& key, const std::vector<int>& v) {
    const Spread s = spread(v);
    o << "masks_per_image," << key << ",," << v.size() << ",,," << s.min << "," << s.median << ","
      << s.max << ",,\n";
  };
  mpi("all", e.all_counts);
  for (const auto& [name, v] : e.dataset_counts) mpi(name, v);
  const auto sizes = [&](const std::string& key, const auto& v) {
    for (const auto& s : size_counts(v))
      o << "image_size," << key << ",," << s[2] << ",,,,,," << s[0] << "," << s[1] << "\n";
  };
  sizes("all", e.all_sizes);
  for (const auto& [name, v] : e.dataset_sizes) sizes(name, v);
  return o.str();
}

OJson median_value(const std::string& median) {
  if (median.find('.') == std::string::npos) return std::stoi(median);
  return std::stod(median);
}

OJson expected_json(const Expected& e) {
  OJson j;
  j["totals"] = {{"images", e.total.images},      {"masks", e.total.masks},
                 {"cases", e.total.cases.size()}, {"modalities", e.modality.size()},
                 {"datasets", e.dataset.size()},  {"classes", e.classes.size()}};
  j["modalities"] = OJson::array();
  for (const auto& [name, c] : e.modality)
    j["modalities"].push_back(
        {{"name", name}, {"images", c.images}, {"masks", c.masks}, {"cases", c.cases.size()}});
  j["datasets"] = OJson::array();
  for (const auto& [name, c] : e.dataset) {
    const auto& mods = e.dataset_modalities.at(name);
    j["datasets"].push_back({{"name", name},
                             {"modalities", std::vector<std::string>(mods.begin(), mods.end())},
                             {"images", c.images},
                             {"masks", c.masks},
                             {"cases", c.cases.size()}});
  }
  j["classes"] = OJson::array();
  for (const auto& k : e.classes)
    j["classes"].push_back({{"id", id4(k.id)},
                            {"name", k.name},
                            {"images", k.images.size()},
                            {"masks", k.masks},
                            {"cases", k.cases.size()}});
  const auto mpi = [](OJson& o, const std::vector<int>& v) {
    const Spread s = spread(v);
    o["images"] = v.size();
    o["min"] = s.min;
    o["median"] = median_value(s.median);
    o["max"] = s.max;
  };
  const auto sizes = [](OJson& o, const std::vector<std::pair<std::size_t, std::size_t>>& v) {
    std::size_t min_w = v[0].first, max_w = 0, min_h = v[0].second, max_h = 0;
    for (const auto& [w, h] : v) {
      min_w = std::min(min_w, w);
      max_w = std::max(max_w, w);
      min_h = std::min(min_h, h);
      max_h = std::max(max_h, h);
    }
    o["min_width"] = min_w;
    o["max_width"] = max_w;
    o["min_height"] = min_h;
    o["max_height"] = max_h;
    o["sizes"] = OJson::array();
    for (const auto& s : size_counts(v))
      o["sizes"].push_back({{"width", s[0]}, {"height", s[1]}, {"images", s[2]}});
  };
  // {"all": ..., "datasets": [{"name": ..., ...}, ...]}, each entry filled by `fill`.
  const auto all_and_datasets = [](const auto& fill, const auto& all, const auto& per_dataset) {
    OJson out;
    fill(out["all"], all);
    out["datasets"] = OJson::array();
    for (const auto& [name, v] : per_dataset) {
      OJson d;
      d["name"] = name;
      fill(d, v);
      out["datasets"].push_back(d);
    }
    return out;
  };
  j["masks_per_image"] = all_and_datasets(mpi, e.all_counts, e.dataset_counts);
  j["image_sizes"] = all_and_datasets(sizes, e.all_sizes, e.dataset_sizes);
  return j;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

// The table line that starts with `name` (after the indent) and holds exactly these cells.
bool has_row(const std::string& table, const std::string& name,
             const std::vector<std::string>& cells) {
  std::string pattern =
      "^  " + std::regex_replace(name, std::regex(R"([.^$|()\[\]{}*+?\\])"), R"(\$&)");
  for (const auto& c : cells) pattern += R"(\s+)" + c;
  pattern += "$";
  const std::regex re(pattern);
  for (const auto& l : lines_of(table))
    if (std::regex_match(l, re)) return true;
  return false;
}

class StatsTest : public ::testing::Test {
 protected:
  static TempDir* dir;
  static fs::path tree;
  static void SetUpTestSuite() {
    dir = new TempDir;
    tree = *dir / "tree";
    write_tree(tree);
  }
  static void TearDownTestSuite() {
    delete dir;
    dir = nullptr;
  }
  // A copy of the tree to damage.
  static fs::path copy_of_tree(const std::string& name) {
    const fs::path to = *dir / name;
    fs::copy(tree, to, fs::copy_options::recursive);
    return to;
  }
};
TempDir* StatsTest::dir = nullptr;
fs::path StatsTest::tree;

TEST_F(StatsTest, PlantedDataExercisesEvenMediansUnmappedAndUnusedClasses) {
  // The expectations below only test what they should if the plant has these properties.
  const Expected e = expected();
  EXPECT_EQ(spread(e.dataset_counts.at(kLong)).median, "1.5");
  EXPECT_EQ(spread(e.dataset_counts.at("Zeta.Set")).median, "0.5");
  EXPECT_EQ(e.classes.back().name, "0042");
  EXPECT_TRUE(
      std::none_of(e.classes.begin(), e.classes.end(), [](const auto& k) { return k.id == 10; }));
  EXPECT_GT(kLong.size(), 40u);
}

TEST_F(StatsTest, CsvHoldsEveryPlantedCountExactly) {
  const auto run = run_samed2d({"stats", tree.string(), "--format", "csv"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.err, "");
  EXPECT_EQ(run.out, expected_csv(expected()));
}

TEST_F(StatsTest, JsonHoldsEveryPlantedCountExactly) {
  const auto run = run_samed2d({"stats", tree.string(), "--format", "json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const OJson got = OJson::parse(run.out);
  const OJson want = expected_json(expected());
  EXPECT_EQ(got, want) << "got:\n" << got.dump(2) << "\nwant:\n" << want.dump(2);
  EXPECT_EQ(run.out, want.dump(2) + "\n");  // 2-space indent, keys in the documented order
}

TEST_F(StatsTest, TableHoldsTheNumbersAndFitsATerminal) {
  const auto run = run_samed2d({"stats", tree.string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::string& t = run.out;
  for (const auto& l : lines_of(t)) EXPECT_LE(l.size(), 100u) << l;
  std::vector<std::size_t> at;
  for (const std::string s :
       {"Totals", "Per modality", "Per dataset", "Per class", "Masks per image", "Image sizes"}) {
    at.push_back(("\n" + t).find("\n" + s));
    EXPECT_NE(at.back(), std::string::npos) << s;
  }
  EXPECT_TRUE(std::is_sorted(at.begin(), at.end()));
  const Expected e = expected();
  const auto n = [](std::size_t v) { return std::to_string(v); };
  EXPECT_TRUE(has_row(t, "all",
                      {n(e.total.images), n(e.total.masks), n(e.total.cases.size()),
                       n(e.modality.size()), n(e.dataset.size()), n(e.classes.size())}))
      << t;
  for (const auto& [name, c] : e.modality)
    EXPECT_TRUE(has_row(t, name, {n(c.images), n(c.masks), n(c.cases.size())})) << name;
  const std::string cut = kLong.substr(0, 37) + "...";
  for (const auto& [name, c] : e.dataset) {
    const std::string shown = name.size() > 40 ? cut : name;
    EXPECT_TRUE(has_row(
        t, shown,
        {n(e.dataset_modalities.at(name).size()), n(c.images), n(c.masks), n(c.cases.size())}))
        << name;
    const Spread s = spread(e.dataset_counts.at(name));
    EXPECT_TRUE(
        has_row(t, shown, {n(c.images), std::to_string(s.min), s.median, std::to_string(s.max)}))
        << name;
    const auto sizes = size_counts(e.dataset_sizes.at(name));
    EXPECT_TRUE(has_row(
        t, shown,
        {n(sizes.size()), n(sizes[0][0]) + "x" + n(sizes[0][1]), n(sizes[0][2]), ".*", ".*"}))
        << name;
  }
  EXPECT_THAT(t, Not(HasSubstr(kLong)));
  for (const auto& k : e.classes)
    EXPECT_TRUE(has_row(t, k.name, {id4(k.id), n(k.images.size()), n(k.masks), n(k.cases.size())}))
        << k.name;
  // Classes in the table's order: by masks.
  std::size_t last = 0;
  for (const auto& k : e.classes) {
    const auto pos = t.find("  " + k.name + " ", t.find("\nPer class"));
    ASSERT_NE(pos, std::string::npos) << k.name;
    EXPECT_GT(pos, last) << k.name;
    last = pos;
  }
  // AbdCT's widths 32-64 and heights 32-48.
  EXPECT_TRUE(has_row(t, "AbdCT", {"2", "64x48", "4", "32-64", "32-48"})) << t;
}

TEST_F(StatsTest, SameBytesWhateverTheThreadCount) {
  const TreeIndex index = read_tree_index(tree);
  const TreeStats one = compute_stats(index, tree, {true, 1});
  const TreeStats four = compute_stats(index, tree, {true, 4});
  EXPECT_EQ(format_stats_csv(one), format_stats_csv(four));
  EXPECT_EQ(format_stats_json(one), format_stats_json(four));
  EXPECT_EQ(format_stats_table(one), format_stats_table(four));
  const auto run = run_samed2d({"stats", tree.string(), "--format", "json"});
  EXPECT_EQ(run.out, format_stats_json(one));
}

TEST_F(StatsTest, WithoutSizesNoHeaderIsReadAndSizesAreNull) {
  const fs::path t = copy_of_tree("no_sizes");
  fs::remove_all(t / "images");
  const TreeStats s = compute_stats(t, {false, 0});
  EXPECT_FALSE(s.sizes_read);
  EXPECT_EQ(s.totals.images, planted().size());
  const OJson j = OJson::parse(format_stats_json(s));
  EXPECT_TRUE(j["image_sizes"].is_null());
  EXPECT_THAT(format_stats_csv(s), Not(HasSubstr("image_size")));
  EXPECT_THAT(format_stats_table(s), HasSubstr("Image sizes (width x height)\n  not read\n"));
}

TEST_F(StatsTest, NoSizesFlagReadsNoImage) {
  const fs::path t = copy_of_tree("no_sizes_cli");
  fs::remove_all(t / "images");
  const auto run = run_samed2d({"stats", t.string(), "--format", "json", "--no-sizes"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const OJson j = OJson::parse(run.out);
  EXPECT_TRUE(j["image_sizes"].is_null());
  OJson want = expected_json(expected());
  want["image_sizes"] = nullptr;
  EXPECT_EQ(j, want);
}

TEST_F(StatsTest, FormatMedian) {
  EXPECT_EQ(format_median(0), "0");
  EXPECT_EQ(format_median(3), "3");
  EXPECT_EQ(format_median(3.5), "3.5");
  EXPECT_EQ(format_median(1234567), "1234567");
}

TEST_F(StatsTest, NotATreeIsOneLineExit2) {
  const fs::path empty = *dir / "empty";
  fs::create_directories(empty);
  for (const auto& folder : {empty, *dir / "absent"}) {
    const auto run = run_samed2d({"stats", folder.string()});
    EXPECT_EQ(run.exit_code, 2) << folder;
    EXPECT_EQ(run.out, "");
    ASSERT_FALSE(run.err.empty());
    EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
    EXPECT_THAT(run.err, HasSubstr("samed2d: error: " + folder.string()));
  }
  EXPECT_THAT(run_samed2d({"stats", empty.string()}).err, HasSubstr("holds no SAMed2D_v1.json"));
}

TEST_F(StatsTest, MissingShortOrForeignImageIsOneLineExit2NamingIt) {
  const auto& p = planted();
  const fs::path t = copy_of_tree("damaged");
  // Two missing images: the first in the index's (key) order is named, whatever the threads.
  std::vector<std::string> keys;
  for (const auto& x : p) keys.push_back("images/" + x.stem() + ".png");
  std::sort(keys.begin(), keys.end());
  fs::remove(t / keys[9]);
  fs::remove(t / keys[3]);
  auto run = run_samed2d({"stats", t.string(), "--format", "csv"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(run.err, "samed2d: error: " + (t / keys[3]).string() +
                         ": is missing (it is listed in SAMed2D_v1.json); the tree is incomplete "
                         "or damaged: rerun the conversion, or run `samed2d validate` on it\n");

  write_bytes(t / keys[3], {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0});
  run = run_samed2d({"stats", t.string()});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr((t / keys[3]).string() + ": holds 10 bytes, fewer than the 24"));
  EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;

  write_bytes(t / keys[3], std::vector<std::uint8_t>(30, 'x'));
  run = run_samed2d({"stats", t.string()});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr((t / keys[3]).string() + ": is not a PNG file"));
}

TEST_F(StatsTest, BadIndexIsOneLineExit2) {
  const fs::path t = copy_of_tree("bad_index");
  write_text_file(t / "SAMed2D_v1.json", R"({"images/not-a-name.png": []})");
  const auto run = run_samed2d({"stats", t.string()});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.out, "");
  EXPECT_THAT(run.err, HasSubstr("SAMed2D_v1.json"));
  EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
}

// A tree that `convert` wrote: the totals are the files on disk, the classes its labels.
TEST(StatsOfConvertedTree, TotalsAreTheFilesOnDisk) {
  TempDir d;
  const std::array<std::size_t, 3> size{12, 10, 6};
  std::vector<std::int16_t> image(size[0] * size[1] * size[2], 100);
  write_volume(d / "in/liver_1.nii.gz", size, image);
  std::vector<std::uint8_t> label;
  fill_box(label, size, {1, 1, 1}, {5, 5, 4}, 1);
  fill_box(label, size, {6, 6, 2}, {11, 9, 5}, 2);
  write_volume(d / "in/liver_1_seg.nii.gz", size, label);
  write_text_file(d / "LiverSet.json",
                  R"({"dataset": "LiverSet", "cases": "*[0-9].nii.gz", "modality": "ct_00",
                      "label": "{stem}_seg.nii.gz", "labels": {"1": "liver", "2": "spleen"}})");
  const fs::path out = d / "out";
  ASSERT_EQ(run_samed2d({"convert", "--config", (d / "LiverSet.json").string(), "--input",
                         (d / "in").string(), "--output", out.string(), "--axes", "x", "--quiet"})
                .exit_code,
            0);
  std::size_t images = 0, masks = 0;
  for (const auto& f : fs::directory_iterator(out / "images")) images += f.is_regular_file();
  for (const auto& f : fs::directory_iterator(out / "masks")) masks += f.is_regular_file();
  const auto run = run_samed2d({"stats", out.string(), "--format", "json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto j = nlohmann::json::parse(run.out);
  EXPECT_GT(images, 0u);
  EXPECT_EQ(j["totals"]["images"], images);
  EXPECT_EQ(j["totals"]["masks"], masks);
  EXPECT_EQ(j["totals"]["cases"], 1);
  EXPECT_EQ(j["image_sizes"]["all"]["sizes"].size(), 1u);
  std::set<std::string> names;
  for (const auto& c : j["classes"]) names.insert(c["name"].get<std::string>());
  EXPECT_EQ(names, (std::set<std::string>{"liver", "spleen"}));
}

}  // namespace
}  // namespace samed2d::test
