#pragma once
// `samed2d report TREE`: one self-contained HTML page with the tree's statistics as tables and
// inline SVG charts, and preview PNGs of a deterministic sample of images with their masks.

#include <cstddef>
#include <filesystem>

namespace samed2d {

struct ReportOptions {
  std::filesystem::path tree;
  std::filesystem::path to;  // the HTML file; empty: TREE/report.html
  std::size_t samples = 4;   // preview images per dataset
  bool quiet = false;        // no progress line
};

// Runs the command; returns the exit status: 0 written, 2 not a tree or a bad --to (one line on
// stderr, nothing written), 1 a file could not be written (disk full, no permission).
// Previews: per dataset (by name), `samples` images evenly spaced over its sorted image names
// (at most 2000 on the page: fewer per dataset when datasets x samples is more), each written as
// <page stem>_previews/<image stem>.png, the image's size; earlier PNGs there that the page no
// longer shows are removed. The page is written last; every file atomically.
int write_report(const ReportOptions& options);

}  // namespace samed2d
