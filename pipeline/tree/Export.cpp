#include "pipeline/tree/Export.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <iostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/core/AtomicFile.hpp"
#include "pipeline/core/Console.hpp"
#include "pipeline/core/Errors.hpp"
#include "pipeline/tree/TreeIndex.hpp"
#include "pipeline/tree/Validate.hpp"

namespace samed2d {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kTrainFile = "image2label_train.json";
constexpr std::string_view kTestFile = "label2image_test.json";

std::uint64_t mix64(std::uint64_t z) {  // the splitmix64 finaliser
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// FNV-1a over the field's length (8 bytes, little-endian) and then its bytes, so that
// ("ab", "c") and ("a", "bc") differ.
std::uint64_t feed(std::uint64_t h, std::string_view field) {
  auto byte = [&h](unsigned char b) {
    h ^= b;
    h *= 0x100000001b3ULL;
  };
  const std::uint64_t n = field.size();
  for (int i = 0; i < 8; ++i) byte(static_cast<unsigned char>((n >> (8 * i)) & 0xff));
  for (const char c : field) byte(static_cast<unsigned char>(c));
  return h;
}

// JSON string literal: '"', '\\' and control bytes escaped, every other byte as it is (UTF-8).
void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      out += fmt::format("\\u{:04x}", u);
    } else {
      out += c;
    }
  }
  out += '"';
}

// Export's files fail with what to do about the export.
AtomicFile export_file(const fs::path& file) {
  return AtomicFile(file, [](const fs::path& f, const char* what, int err) {
    const bool full = err == ENOSPC || err == EDQUOT;
    throw std::runtime_error(fmt::format(
        "{}: cannot {} it ({}); {}", f.string(), what, std::strerror(err),
        full ? "free some space and export again" : "check that the folder is writable"));
  });
}

// "/data/tree" without a trailing separator (the root stays "/").
std::string without_trailing_slash(std::string s) {
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

// Refuses a --to that is a file and a test fraction outside [0, 1].
void check_options(const ExportOptions& options, const fs::path& to) {
  std::error_code ec;
  if (fs::exists(to, ec) && !fs::is_directory(to, ec))
    throw ConfigError(
        fmt::format("{}: --to is not a folder; give the folder that should hold {} "
                    "and {} (SAM-Med2D's --data_path)",
                    to.string(), kTrainFile, kTestFile));
  if (!(options.test_fraction >= 0.0 && options.test_fraction <= 1.0))
    throw ConfigError(
        fmt::format("--test-fraction {}: must be between 0 and 1", options.test_fraction));
}

// The structure only (names, JSON, every file on disk named exactly once): the pixels are
// `samed2d validate`'s business, and decoding 19.7 million masks would take hours.
void require_valid_structure(const fs::path& tree, Console& console) {
  console.progress(fmt::format("export: checking the structure of {}", tree.string()));
  const ValidationReport report = validate_tree(tree, 1, 0, ValidationDepth::structure);
  if (report.clean()) return;
  std::size_t total = 0;
  for (const auto& [kind, k] : report.problems) total += k.count;
  const auto& [kind, first] = *report.problems.begin();
  const auto& [file, what] = first.examples.front();
  throw ConfigError(fmt::format(
      "{}: is not a valid SA-Med2D tree ({} problem(s), first {}: {} {}); run `samed2d "
      "validate {}` to see them all, fix the tree (or rerun the conversion) and export again",
      tree.string(), total, kind, file, what, tree.string()));
}

// The split, per image (1: the test file). The units to split are cases (dataset, case name) or
// images, grouped by dataset; in each dataset the units whose hash of (seed, dataset, unit name)
// ranks lowest go to the test side.
std::vector<char> images_in_test(const TreeIndex& index, const ExportOptions& options) {
  const bool by_case = options.split_by_case;
  const std::size_t unit_count = by_case ? index.cases.size() : index.images.size();
  std::vector<std::vector<std::uint32_t>> units_of_dataset(index.datasets.size());
  for (std::size_t u = 0; u < unit_count; ++u) {
    const auto dataset = by_case ? index.cases[u].dataset : index.images[u].dataset;
    units_of_dataset[dataset].push_back(static_cast<std::uint32_t>(u));
  }
  auto unit_name = [&](std::uint32_t u) -> const std::string& {
    return by_case ? index.cases[u].name : index.images[u].stem;
  };
  const std::uint64_t seed_hash = mix64(options.seed);
  std::vector<char> unit_in_test(unit_count, 0);
  for (std::size_t d = 0; d < units_of_dataset.size(); ++d) {
    auto& units = units_of_dataset[d];
    const std::size_t n = units.size();
    // Round half up (with 1e-9 of slack for the binary error of n * F), and keep one unit in
    // train while F < 1.
    auto k = static_cast<std::size_t>(
        std::floor(static_cast<double>(n) * options.test_fraction + 0.5 + 1e-9));
    k = std::min(k, n);
    if (options.test_fraction < 1.0 && k == n && n > 0) k = n - 1;
    const std::uint64_t dataset_hash = feed(0xcbf29ce484222325ULL ^ seed_hash, index.datasets[d]);
    std::vector<std::pair<std::uint64_t, std::uint32_t>> ranked;
    ranked.reserve(n);
    for (const auto u : units) ranked.emplace_back(mix64(feed(dataset_hash, unit_name(u))), u);
    std::sort(ranked.begin(), ranked.end(), [&](const auto& a, const auto& b) {
      return a.first != b.first ? a.first < b.first : unit_name(a.second) < unit_name(b.second);
    });
    for (std::size_t i = 0; i < k; ++i) unit_in_test[ranked[i].second] = 1;
  }
  std::vector<char> in_test(index.images.size());
  for (std::size_t i = 0; i < in_test.size(); ++i)
    in_test[i] = unit_in_test[by_case ? index.images[i].case_id : i];
  return in_test;
}

// What the written paths start with: the tree's absolute path, or the way from `to` to the tree.
std::string path_prefix(const ExportOptions& options, const fs::path& tree, const fs::path& to) {
  std::string prefix;
  if (options.absolute_paths) {
    prefix = without_trailing_slash(fs::absolute(tree).lexically_normal().string()) + "/";
    if (prefix == "//") prefix = "/";
  } else {
    fs::create_directories(to);
    const fs::path rel = fs::weakly_canonical(fs::absolute(tree))
                             .lexically_relative(fs::weakly_canonical(fs::absolute(to)));
    const std::string r = without_trailing_slash(rel.string());
    if (rel.empty())
      throw ConfigError(
          fmt::format("{}: cannot be reached by a relative path from {}; use "
                      "--paths absolute",
                      tree.string(), to.string()));
    if (r != ".") prefix = r + "/";
  }
  return prefix;
}

// The images as the files list them, whatever the index's order: sorted on their own paths.
struct ImagesByPath {
  std::vector<std::string> paths;     // of each image, by index
  std::vector<std::uint32_t> images;  // indices, in the order of their paths
};

ImagesByPath images_by_path(const TreeIndex& index) {
  ImagesByPath sorted;
  sorted.images.resize(index.images.size());
  for (std::size_t i = 0; i < sorted.images.size(); ++i)
    sorted.images[i] = static_cast<std::uint32_t>(i);
  sorted.paths.resize(index.images.size());
  for (std::size_t i = 0; i < sorted.images.size(); ++i) sorted.paths[i] = index.image_path(i);
  std::sort(sorted.images.begin(), sorted.images.end(),
            [&](std::uint32_t a, std::uint32_t b) { return sorted.paths[a] < sorted.paths[b]; });
  return sorted;
}

// One side of the split: what it holds, and which cases it has images of.
struct Side {
  std::size_t images = 0;
  std::size_t masks = 0;
  std::vector<char> has_case;

  explicit Side(const TreeIndex& index) : has_case(index.cases.size(), 0) {}
  void add(const TreeIndex::Image& image) {
    ++images;
    masks += image.mask_count;
    has_case[image.case_id] = 1;
  }
  std::size_t cases() const {
    return static_cast<std::size_t>(std::count(has_case.begin(), has_case.end(), 1));
  }
};

// image2label_train.json: each train image -> its masks, both sorted by path.
void write_train_file(AtomicFile& file, const TreeIndex& index, const ImagesByPath& sorted,
                      const std::vector<char>& in_test, const std::string& prefix, Side& train) {
  std::string& out = file.buffer();
  out += "{";
  bool first_image = true;
  std::vector<std::string> masks;
  for (const auto i : sorted.images) {
    if (in_test[i]) continue;
    const auto& image = index.images[i];
    train.add(image);
    masks.clear();
    for (std::size_t m = 0; m < image.mask_count; ++m) masks.push_back(index.mask_path(i, m));
    std::sort(masks.begin(), masks.end());
    out += first_image ? "\n  " : ",\n  ";
    first_image = false;
    append_json_string(out, prefix + sorted.paths[i]);
    out += ": [";
    for (std::size_t m = 0; m < masks.size(); ++m) {
      out += m == 0 ? "\n    " : ",\n    ";
      append_json_string(out, prefix + masks[m]);
    }
    out += masks.empty() ? "]" : "\n  ]";
    file.flush_if_full();
  }
  out += first_image ? "}\n" : "\n}\n";
  file.finish(true);
}

// label2image_test.json: each mask of a test image -> its image, sorted by mask path.
void write_test_file(AtomicFile& file, const TreeIndex& index, const ImagesByPath& sorted,
                     const std::vector<char>& in_test, const std::string& prefix, Side& test) {
  std::vector<std::pair<std::string, std::uint32_t>> masks;  // mask path, its image
  for (const auto i : sorted.images) {
    if (!in_test[i]) continue;
    const auto& image = index.images[i];
    test.add(image);
    for (std::size_t m = 0; m < image.mask_count; ++m) masks.emplace_back(index.mask_path(i, m), i);
  }
  std::sort(masks.begin(), masks.end());
  std::string& out = file.buffer();
  out += "{";
  for (std::size_t m = 0; m < masks.size(); ++m) {
    out += m == 0 ? "\n  " : ",\n  ";
    append_json_string(out, prefix + masks[m].first);
    out += ": ";
    append_json_string(out, prefix + sorted.paths[masks[m].second]);
    file.flush_if_full();
  }
  out += masks.empty() ? "}\n" : "\n}\n";
  file.finish(true);
}

std::string plural(std::size_t n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

void print_summary(const ExportOptions& options, const fs::path& to, const Side& train,
                   const Side& test) {
  std::size_t both = 0;
  for (std::size_t c = 0; c < train.has_case.size(); ++c)
    both += train.has_case[c] && test.has_case[c] ? 1 : 0;
  const bool by_case = options.split_by_case;
  std::cout << fmt::format(
      "samed2d export: train {}, {} of {}; test {}, {} of {}{}; split by {}, test fraction {}, "
      "seed {}; wrote {} and {}\n",
      plural(train.images, "image", "images"), plural(train.masks, "mask", "masks"),
      plural(train.cases(), "case", "cases"), plural(test.images, "image", "images"),
      plural(test.masks, "mask", "masks"), plural(test.cases(), "case", "cases"),
      by_case ? "" : fmt::format(" ({} on both sides)", plural(both, "case", "cases")),
      by_case ? "case" : "image", options.test_fraction, options.seed, (to / kTrainFile).string(),
      (to / kTestFile).string());
}

int run_export(const ExportOptions& options, Console& console) {
  const fs::path tree = options.tree;
  const fs::path to = options.to.empty() ? tree : options.to;
  check_options(options, to);
  require_valid_structure(tree, console);
  console.progress("export: reading SAMed2D_v1.json");
  const TreeIndex index = read_tree_index(tree);
  const std::vector<char> in_test = images_in_test(index, options);
  const std::string prefix = path_prefix(options, tree, to);

  console.progress("export: writing the two files");
  fs::create_directories(to);
  const ImagesByPath sorted = images_by_path(index);
  Side train(index), test(index);
  // Both files are finished before either is moved into place.
  AtomicFile train_file = export_file(to / kTrainFile);
  write_train_file(train_file, index, sorted, in_test, prefix, train);
  AtomicFile test_file = export_file(to / kTestFile);
  write_test_file(test_file, index, sorted, in_test, prefix, test);
  train_file.commit();
  test_file.commit();
  console.finish_progress();
  print_summary(options, to, train, test);
  return 0;
}

}  // namespace

int export_sam_med2d(const ExportOptions& options) {
  Console console(options.quiet);
  return run_reporting_errors(console, [&] { return run_export(options, console); });
}

}  // namespace samed2d
