#pragma once
// The checks of `samed2d validate`, one kind a file, for validate_tree (Validate.cpp) to run in
// order: the folders and names on disk (Validate.cpp), the class mapping (ValidateMapping.cpp),
// SAMed2D_v1.json against the files on disk (ValidateIndex.cpp), and the PNG files themselves
// (ValidatePngs.cpp). Each adds what it finds to one ProblemSink.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pipeline/tree/Validate.hpp"

namespace samed2d {

inline constexpr std::string_view kIndexFile = "SAMed2D_v1.json";
inline constexpr std::string_view kMappingFile = "SAMed2D_v1_class_mapping_id.json";

// Problems found by many threads at once: counts per kind, and the examples that come first by
// file name, so that the summary is the same whatever order the threads ran in.
class ProblemSink {
 public:
  explicit ProblemSink(std::size_t max_examples) : max_examples_(max_examples) {}

  void add(std::string_view kind, std::string file, std::string what);
  std::map<std::string, ProblemKind> take() { return std::move(problems_); }

 private:
  std::size_t max_examples_;
  std::mutex mutex_;
  std::map<std::string, ProblemKind> problems_;
};

// The file names in images/ and masks/, each sorted.
struct FilesOnDisk {
  std::vector<std::string> images;
  std::vector<std::string> masks;
};

// The class mapping's entries, (id, name), sorted by id; an id is as the file spells it.
using MappingClasses = std::vector<std::pair<std::string, std::string>>;

// How many times SAMed2D_v1.json names each file of FilesOnDisk (same order).
struct IndexListing {
  std::vector<std::uint32_t> images;
  std::vector<std::uint32_t> masks;
};

// Validate.cpp: the sorted file names of ROOT/FOLDER; a missing or unreadable folder, and what is
// not a regular file, are problems.
std::vector<std::string> list_folder(const std::filesystem::path& root, std::string_view folder,
                                     ProblemSink& sink);
// Where `name` is in `sorted`.
std::optional<std::size_t> find_name(const std::vector<std::string>& sorted, std::string_view name);
// Reads a whole file into `buf`: "" or what went wrong.
std::string read_whole_file(const std::filesystem::path& file, std::vector<std::uint8_t>& buf);

// ValidateMapping.cpp: SAMed2D_v1_class_mapping_id.json: an object of ids of exactly 4 digits,
// unique, in ascending order.
MappingClasses check_class_mapping(const std::filesystem::path& root, ProblemSink& sink);
// Classes of the mapping that no mask file has; `masks_of_class` is in MappingClasses' order.
void check_unused_classes(const MappingClasses& classes,
                          const std::vector<std::size_t>& masks_of_class, ProblemSink& sink);

// ValidateIndex.cpp: SAMed2D_v1.json: its structure, order and paths, and that each path is a
// file on disk; fills the report's JSON counts.
IndexListing check_index(const std::filesystem::path& root, const FilesOnDisk& files,
                         ProblemSink& sink, ValidationReport& report);
// Files on disk that SAMed2D_v1.json does not name.
void check_unlisted(const FilesOnDisk& files, const IndexListing& listed, ProblemSink& sink);

// ValidatePngs.cpp: the name of every file on disk and the class id of every mask name; with
// `depth` full, every image and mask decoded whole (in parallel, `threads` 0: all cores) and its
// format, size and values checked. Returns the masks of each class of `classes`.
std::vector<std::size_t> check_png_files(const std::filesystem::path& root,
                                         const FilesOnDisk& files, const MappingClasses& classes,
                                         ValidationDepth depth, std::size_t threads,
                                         ProblemSink& sink);

}  // namespace samed2d
