#pragma once
// Tiny CT-like cases for the per-dataset layout replicas (tests/converters/*DatasetsTest.cpp):
// a case is a volume size plus boxes of label values; it writes its image and label files in any
// voxel type, and the names the SPEC gives its output come from the independent oracle
// (e2e/Oracle.hpp), so every test derives its expectations from what it planted.

#include <array>
#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "support/DatasetRun.hpp"

namespace samed2d::test {

// `value` in [lo, hi) on each axis (ITK index order i, j, k).
struct LabelBox {
  std::array<std::size_t, 3> lo;
  std::array<std::size_t, 3> hi;
  double value = 1;
};

struct PlantedCase {
  std::string name;  // the case name the tool must give it
  std::string modality = "ct_00";
  std::array<std::size_t, 3> size{12, 10, 8};
  std::vector<LabelBox> boxes{};  // none: an image-only case

  // HU-like ramp, different on every slice of every axis.
  template <class T>
  std::vector<T> image() const;
  // Zero with the boxes painted in order (a later box overwrites an earlier one).
  template <class T>
  std::vector<T> label() const;

  template <class T = std::int16_t>
  void write_image(const std::filesystem::path& file) const;
  template <class T = std::uint8_t>
  void write_label(const std::filesystem::path& file) const;
  // Through ITK with compression on: for X.mhd, MetaIO writes "CompressedData = True" and the
  // zlib stream to X.zraw, as the LUNA16 lung masks are stored.
  void write_compressed_label(const std::filesystem::path& file) const;
};

// A dataset's classes as its config should map them: class name -> label values (unions list
// all their members' values). Ids come from configs/classes.json.
using ClassValues = std::vector<std::pair<std::string, std::vector<long long>>>;

struct ExpectedFiles {
  std::vector<std::string> images;  // file names, ascending
  std::vector<std::string> masks;
};

struct OracleOutput;  // e2e/Oracle.hpp

// What the independent oracle writes for `cases` of `dataset` on `axes`: names and pixels.
OracleOutput oracle_of(const std::string& dataset, const ClassValues& classes,
                       const std::vector<PlantedCase>& cases, const std::vector<char>& axes);

// What converting `cases` of `dataset` must write on `axes` under the samed2d_v1 profile.
ExpectedFiles expected_files(const std::string& dataset, const ClassValues& classes,
                             const std::vector<PlantedCase>& cases,
                             const std::vector<char>& axes = {'x'});

// An oracle name of a 2D source's one slice, x_0000, as SPEC 2 and 9 name it: 2d_none.
std::string as_2d_name(std::string oracle_name);

// What 2D sources (cases of size W x H x 1) give (SPEC 9): one image named 2d_none, sliced like
// the x_ family (row = second index, column = first). The oracle slices volumes, so its x_0000
// names are renamed; each case is checked to be one deep and within the oracle's aspect rule
// (which 2D sources are exempt from), so that the rule stays out of play.
ExpectedFiles expected_files_2d(const std::string& dataset, const ClassValues& classes,
                                const std::vector<PlantedCase>& cases);

// Adds `more` to `files`, keeping both lists ascending.
void merge_expected(ExpectedFiles& files, const ExpectedFiles& more);

// The file names of `names` that belong to case `case_name` ("--case--" in them).
std::vector<std::string> files_of_case(const std::vector<std::string>& names,
                                       const std::string& case_name);

// The class ids that a list of mask names uses ("...--0037_000.png").
std::set<std::string> class_ids_of(const std::vector<std::string>& masks);

// gtest expectations: exactly `want`'s files on disk, an index that lists each of them once,
// and the run's exit status (stderr is shown when it differs).
void expect_converted(const ConvertedDataset& got, const ExpectedFiles& want, int exit_code = 0);

// The lines of `text` that contain `what`.
std::size_t lines_naming(const std::string& text, const std::string& what);

}  // namespace samed2d::test
