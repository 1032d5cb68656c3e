#pragma once
// The output folder: images/, masks/, the two JSON files, and the tool's own state in
// OUT/.samed2d/ (temporary files, case records). Every file reaches images/ or masks/ by a
// rename from .samed2d/tmp/, so those folders never hold a partial file.

#include <atomic>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "pipeline/output/CaseRecord.hpp"

namespace samed2d {

class OutputTree {
 public:
  explicit OutputTree(std::filesystem::path root);

  // Creates the folders and clears temporary files left by an earlier run that was killed.
  void prepare();

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path state_dir() const { return root_ / ".samed2d"; }

  // Writes bytes to OUT/<rel> through a temporary file and a rename. Throws std::runtime_error
  // naming the file on failure (disk full, permissions).
  void write_file(const std::string& rel, const void* data, std::size_t size) const;

  // The record stored under `key`, or nullopt when there is none or it cannot be read.
  std::optional<CaseRecord> read_record(const std::string& key) const;
  void write_record(const CaseRecord& record) const;
  void remove_record(const std::string& key) const;
  // True when every image and mask the record names is on disk.
  bool all_files_exist(const CaseRecord& record) const;
  std::vector<CaseRecord> read_all_records(std::vector<std::string>& warnings) const;
  // File names of the records present, sorted.
  std::vector<std::string> record_keys() const;

  // A case being written leaves a marker naming its case prefixes until it is recorded or
  // cleaned up, so that the files of a case interrupted by a kill are known to be samed2d's.
  void write_pending(const std::string& key, const std::vector<std::string>& prefixes) const;
  void remove_pending(const std::string& key) const;
  // The markers left behind: record key -> case prefixes.
  std::vector<std::pair<std::string, std::vector<std::string>>> read_pending() const;

  // Removes OUT/<rel> for each path (missing files are fine).
  void remove_files(const std::vector<std::string>& rel_paths) const;
  // One scan of images/ and masks/: removes every file whose case prefix
  // ("{modality}--{dataset}--{case}--") is in `prefixes`. Returns how many were removed.
  std::size_t remove_files_with_prefixes(const std::unordered_set<std::string>& prefixes) const;

  struct CaseWarning {
    std::string dataset;
    std::string case_name;
    std::string warning;
  };
  struct Totals {
    std::size_t cases = 0;
    std::size_t images = 0;
    std::size_t masks = 0;
    std::size_t orphans_removed = 0;
    std::vector<CaseWarning> case_warnings;  // every record's, in record file order
  };
  // Rebuilds SAMed2D_v1.json and SAMed2D_v1_class_mapping_id.json from the records (sorted,
  // written atomically), in memory that does not grow with the number of files. A file in images/
  // or masks/ that no record names is removed when its case prefix is samed2d's (a record's case,
  // or one in `owned`: this run's cases and the interrupted ones); any other file is left in place
  // with a warning.
  Totals finalize(std::vector<std::string>& warnings,
                  const std::unordered_set<std::string>& owned) const;

  // Removes .samed2d/tmp (empty at the end of a run).
  void cleanup_tmp() const;
  // Removes SAMed2D_v1.json, the class mapping and report.json (when they cannot be rewritten,
  // so that none of them describes a tree that changed). Returns why one that exists could not
  // be removed, or an empty string.
  std::string remove_summaries() const;

 private:
  std::filesystem::path root_;
  mutable std::atomic<std::uint64_t> tmp_counter_{0};
};

// "{modality}--{dataset}--{case}--" of an output file name, or nullopt when the name is not an
// SA-Med2D image or mask name. Robust to case names that end with '-'.
std::optional<std::string> case_prefix_of_file(std::string_view file_name);

// Writes text to a file atomically (temporary file in the same folder, then rename).
void write_text_atomic(const std::filesystem::path& file, const std::string& text);

}  // namespace samed2d
