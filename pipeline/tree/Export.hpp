#pragma once
// `samed2d export sam-med2d TREE`: the two JSON files SAM-Med2D's data loaders read, written
// from a finished SA-Med2D tree (README "Training with SAM-Med2D").

#include <cstdint>
#include <filesystem>

namespace samed2d {

struct ExportOptions {
  std::filesystem::path tree;  // the SA-Med2D tree (images/, masks/, SAMed2D_v1.json)
  std::filesystem::path to;    // where the two files go; empty: the tree itself
  double test_fraction = 0.2;  // share of each dataset's cases (or images) in the test file
  std::uint64_t seed = 0;      // the split is a function of the seed and the tree alone
  bool split_by_case = true;   // false: by image
  bool absolute_paths = true;  // false: paths relative to `to`
  bool quiet = false;          // no progress line
};

// Runs the command; returns the exit status (0 written, 2 not a tree / bad options, with one
// line on stderr).
int export_sam_med2d(const ExportOptions& options);

}  // namespace samed2d
