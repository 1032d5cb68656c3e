#pragma once
// An SA-Med2D tree as its two JSON files describe it, read compactly for the commands that work
// on a finished tree (export, stats, report): SAMed2D_v1.json streamed (no DOM: the release's
// index has 4.6 million keys and 19.7 million mask paths), every name parsed once, strings
// interned, a mask kept as its class id and instance number.

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace samed2d {

struct TreeIndex {
  struct Image {
    std::string stem;            // {modality}--{dataset}--{case}--{slice}
    std::uint32_t modality = 0;  // index into modalities
    std::uint32_t dataset = 0;   // index into datasets
    std::uint32_t case_id = 0;   // index into cases: one (dataset, case name) pair
    std::uint32_t first_mask = 0;
    std::uint32_t mask_count = 0;
  };
  struct Mask {
    std::uint32_t class_id = 0;  // CCCC as a number
    std::uint32_t instance = 0;  // III as a number
  };
  struct Case {
    std::uint32_t dataset = 0;
    std::string name;
  };

  std::vector<std::string> modalities;  // first-seen order
  std::vector<std::string> datasets;    // first-seen order
  std::vector<Case> cases;              // first-seen order
  std::vector<Image> images;            // in the index's (ascending) order
  std::vector<Mask> masks;              // images[i]'s masks are [first_mask, first_mask + count)
  std::map<std::uint32_t, std::string> class_names;  // id -> name, from the class mapping

  // "images/<stem>.png" and "masks/<stem>--CCCC_III.png", relative to the tree's root.
  std::string image_path(std::size_t image) const;
  std::string mask_path(std::size_t image, std::size_t mask_of_image) const;
  // The class's name in the mapping, or its 4-digit id when the mapping lacks it.
  std::string class_name(std::uint32_t id) const;
};

// Reads ROOT/SAMed2D_v1.json and ROOT/SAMed2D_v1_class_mapping_id.json. Throws ConfigError with
// one line (which file, what is wrong, what to do) when ROOT is not a folder, holds no
// SAMed2D_v1.json, or a JSON file is not in the form of SPEC section 6, or a path in it is not an
// SA-Med2D name (the first one is named). Files on disk are not looked at: `samed2d validate`
// does that.
TreeIndex read_tree_index(const std::filesystem::path& root);

}  // namespace samed2d
