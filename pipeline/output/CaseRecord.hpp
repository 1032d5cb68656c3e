#pragma once
// The record of a finished case (OUT/.samed2d/cases/*.json), written after all its files. A case
// with a matching record is finished; the JSON files are always rebuilt from the records.

#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace samed2d {

struct SourceStamp {
  std::string path;  // absolute
  std::uintmax_t size = 0;
  std::int64_t mtime_ns = 0;
  bool operator==(const SourceStamp&) const = default;
};

// Size and modification time of a file; a missing file gets size 0 and mtime 0. A folder (a DICOM
// series) counts the sum of its files' sizes and their latest time; a .mhd or .nhdr header adds
// its detached data file.
SourceStamp stamp_source(const std::filesystem::path& file);

struct CaseRecord {
  std::string dataset;
  std::string case_name;
  std::vector<std::string> modalities;  // sorted
  // Every option that changes this case's output (profile, mapping, sequences, tool version).
  nlohmann::json options;
  std::vector<SourceStamp> sources;
  // image path -> mask paths, relative to OUT ("images/x.png" -> ["masks/x--0003_000.png"]).
  std::map<std::string, std::vector<std::string>> images;
  std::map<std::string, std::string> classes;            // id text -> class name, for written masks
  std::map<std::string, std::uint64_t> unmapped_values;  // label value -> voxel count
  std::vector<std::string> warnings;

  // The record's file name: "{dataset}--{case}--{modality+modality}.json".
  std::string key() const;
  // True when `other` describes the same inputs and options (the case need not be redone).
  bool same_work(const CaseRecord& other) const;

  nlohmann::json to_json() const;
  static CaseRecord from_json(const nlohmann::json& j);  // throws std::exception on bad input
};

}  // namespace samed2d
