#pragma once
// The class registry: class name -> id, same form as SAMed2D_v1_class_mapping_id.json.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace samed2d {

class ClassRegistry {
 public:
  // Reads {"liver": "0003", ...}; ids are 4 or more decimal digits, unique; names non-empty.
  // Any violation is a ConfigError naming the file and the entry.
  static ClassRegistry load(const std::filesystem::path& file);
  static ClassRegistry from_json_text(const std::string& text, const std::string& origin);

  std::optional<int> id_of(const std::string& name) const;
  // The id written in names and in the class mapping file, e.g. "0003".
  std::optional<std::string> id_text_of(const std::string& name) const;
  std::size_t size() const { return ids_.size(); }
  const std::map<std::string, std::string>& entries() const { return ids_; }

 private:
  std::map<std::string, std::string> ids_;  // name -> id text
};

}  // namespace samed2d
