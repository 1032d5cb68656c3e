#include "pipeline/core/ClassRegistry.hpp"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <nlohmann/json.hpp>

#include "pipeline/core/Errors.hpp"
#include "pipeline/core/JsonFile.hpp"

namespace samed2d {

namespace {

// Why a class name cannot appear in a mask name, or "" when it can.
std::string name_problem(const std::string& name) {
  if (name.empty()) return "is empty";
  if (name.find('/') != std::string::npos) return "contains '/'";
  if (name.find("--") != std::string::npos) return "contains \"--\"";
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isspace(u) || u < 0x20 || u == 0x7f)
      return "contains white space or a control character";
  }
  return {};
}

}  // namespace

ClassRegistry ClassRegistry::load(const std::filesystem::path& file) {
  return from_json_text(read_text_file(file), file.string());
}

ClassRegistry ClassRegistry::from_json_text(const std::string& text, const std::string& origin) {
  const auto j = parse_json_text(text, origin);
  if (!j.is_object())
    throw ConfigError(fmt::format(
        "{}: a class registry must be a JSON object {{\"class_name\": \"0001\", ...}}", origin));
  ClassRegistry registry;
  std::map<int, std::string> names_by_id;
  for (const auto& [name, value] : j.items()) {
    if (auto problem = name_problem(name); !problem.empty())
      throw ConfigError(
          fmt::format("{}: class name \"{}\" {}; class names are used in file names, "
                      "so use letters, digits and '_'",
                      origin, name, problem));
    if (!value.is_string())
      throw ConfigError(
          fmt::format("{}: class \"{}\" has id {}; write ids as strings of 4 or more "
                      "digits, e.g. \"0003\"",
                      origin, name, value.dump()));
    const auto id_text = value.get<std::string>();
    int id = 0;
    const char* first = id_text.data();
    const char* last = first + id_text.size();
    const auto [end, ec] = std::from_chars(first, last, id);
    const bool digits_only =
        !id_text.empty() && std::isdigit(static_cast<unsigned char>(id_text[0]));
    if (!digits_only || ec != std::errc() || end != last || id_text.size() < 4)
      throw ConfigError(
          fmt::format("{}: class \"{}\" has id \"{}\"; ids are 4 or more decimal "
                      "digits, e.g. \"0003\"",
                      origin, name, id_text));
    // Mask names write the id zero-padded to 4 digits; any other spelling would not round-trip.
    if (id_text != fmt::format("{:04d}", id))
      throw ConfigError(fmt::format("{}: class \"{}\" has id \"{}\"; write it as \"{:04d}\"",
                                    origin, name, id_text, id));
    if (auto [it, inserted] = names_by_id.emplace(id, name); !inserted)
      throw ConfigError(
          fmt::format("{}: classes \"{}\" and \"{}\" share the id \"{}\"; give each "
                      "class its own id",
                      origin, it->second, name, id_text));
    registry.ids_.emplace(name, id_text);
  }
  return registry;
}

std::optional<int> ClassRegistry::id_of(const std::string& name) const {
  auto it = ids_.find(name);
  if (it == ids_.end()) return std::nullopt;
  return std::stoi(it->second);
}

std::optional<std::string> ClassRegistry::id_text_of(const std::string& name) const {
  auto it = ids_.find(name);
  if (it == ids_.end()) return std::nullopt;
  return it->second;
}

}  // namespace samed2d
