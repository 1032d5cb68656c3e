#pragma once
// Checks an SA-Med2D tree (one samed2d wrote, or the downloaded release) against SPEC sections
// 1, 2, 5 and 6: names, the two JSON files, and the PNGs. Every image and every mask is decoded
// whole with libpng, up to its IEND chunk, as cv2.imread reads them: a PNG cut short, with a CRC
// error in a critical chunk or without IEND is a "corrupt-png" problem. The PNG work runs in
// parallel. The checks themselves, one kind a file, are listed in ValidateChecks.hpp.

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace samed2d {

// One kind of problem: how many were found, and the first few (by file name) as examples.
struct ProblemKind {
  std::size_t count = 0;
  std::vector<std::pair<std::string, std::string>> examples;  // file, what is wrong
};

struct ValidationReport {
  std::size_t images_on_disk = 0;
  std::size_t masks_on_disk = 0;
  std::size_t json_images = 0;  // keys of SAMed2D_v1.json
  std::size_t json_masks = 0;   // entries of its lists
  std::size_t classes = 0;      // entries of SAMed2D_v1_class_mapping_id.json
  // Kind (a stable word such as "unlisted-file", "mask-values") -> what was found.
  std::map<std::string, ProblemKind> problems;

  bool clean() const { return problems.empty(); }
};

// How much of a tree validate_tree looks at.
enum class ValidationDepth {
  full,       // everything: names, JSON, files on disk, every image and mask decoded whole
  structure,  // names, the two JSON files, every file on disk named exactly once, class ids of
              // the mask names; no PNG is opened (what `samed2d export` needs, fast on big trees)
};

// Throws ConfigError when `root` is not a folder, or holds none of images/, masks/ and
// SAMed2D_v1.json (not a tree at all). Everything else is a problem in the report.
// `threads` 0 uses all cores.
ValidationReport validate_tree(const std::filesystem::path& root, std::size_t max_examples = 5,
                               std::size_t threads = 0,
                               ValidationDepth depth = ValidationDepth::full);

// The summary a user reads: counts, then each kind of problem with its count and examples.
std::string format_validation_report(const ValidationReport& report,
                                     const std::filesystem::path& root);

}  // namespace samed2d
