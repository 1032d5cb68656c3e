#pragma once
// Reading the project's JSON files (configs, profiles, the class registry): comments allowed,
// duplicate keys refused, and every error a one-line ConfigError naming the file.

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace samed2d {

// Parses JSON text that may hold // and /* */ comments. A syntax error or a key given twice in
// one object is a ConfigError naming `origin`, the line and the column.
nlohmann::json parse_json_text(const std::string& text, const std::string& origin);

// Reads and parses a file as parse_json_text does; an unreadable file is a ConfigError too.
nlohmann::json read_json_file(const std::filesystem::path& file);

// The whole file as text; an unreadable file is a ConfigError naming it.
std::string read_text_file(const std::filesystem::path& file);

// " (did you mean \"label\"?)" when one of `candidates` is a likely typo of `key`, else "".
std::string did_you_mean(std::string_view key, const std::vector<std::string_view>& candidates);

// "a, b, c"
std::string join_names(const std::vector<std::string_view>& names);

}  // namespace samed2d
