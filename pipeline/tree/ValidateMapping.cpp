// `samed2d validate`'s checks of SAMed2D_v1_class_mapping_id.json: its form, its ids and their
// order, and that each class has a mask.

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

#include "pipeline/core/Errors.hpp"
#include "pipeline/core/JsonFile.hpp"
#include "pipeline/tree/ValidateChecks.hpp"

namespace samed2d {

namespace fs = std::filesystem;

namespace {

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

void add_mapping_problem(ProblemSink& sink, std::string_view kind, std::string what) {
  sink.add(kind, std::string(kMappingFile), std::move(what));
}

// Each entry into `classes`; an id that is not a string of 4 digits is a problem.
void read_classes(const nlohmann::json& mapping, MappingClasses& classes, ProblemSink& sink) {
  for (const auto& [name, id] : mapping.items()) {
    const std::string text = id.is_string() ? id.get<std::string>() : id.dump();
    if (!id.is_string() || text.size() != 4 || !all_digits(text))
      add_mapping_problem(
          sink, "mapping-id",
          fmt::format("class \"{}\" has the id {}, not a 4-digit string", name, id.dump()));
    classes.emplace_back(text, name);
  }
}

// SPEC section 6: ascending id order, which only the file's own order shows (nlohmann's json
// sorts keys by name, so the file is read again keeping them in order).
void check_id_order(const fs::path& file, ProblemSink& sink) {
  std::ifstream in(file, std::ios::binary);
  const auto ordered = nlohmann::ordered_json::parse(in, nullptr, false, true);
  std::string previous_id, previous_name;
  for (const auto& [name, id] : ordered.items()) {
    if (!id.is_string()) continue;
    const std::string text = id.get<std::string>();
    if (!previous_id.empty() && text < previous_id) {
      add_mapping_problem(sink, "mapping-order",
                          fmt::format("class \"{}\" ({}) comes after \"{}\" ({}); ids must be in "
                                      "ascending order",
                                      name, text, previous_name, previous_id));
      return;
    }
    previous_id = text;
    previous_name = name;
  }
}

}  // namespace

MappingClasses check_class_mapping(const fs::path& root, ProblemSink& sink) {
  MappingClasses classes;
  const fs::path file = root / kMappingFile;
  std::error_code ec;
  if (!fs::exists(file, ec)) {
    add_mapping_problem(sink, "json", "missing");
  } else {
    try {
      const auto j = read_json_file(file);
      if (j.is_object()) {
        read_classes(j, classes, sink);
        check_id_order(file, sink);
      } else {
        add_mapping_problem(sink, "json", "is not an object of class name -> 4-digit id");
      }
    } catch (const ConfigError& e) {
      add_mapping_problem(sink, "json", e.what());
    }
  }
  std::sort(classes.begin(), classes.end());
  for (std::size_t i = 1; i < classes.size(); ++i)
    if (classes[i].first == classes[i - 1].first)
      add_mapping_problem(sink, "mapping-id",
                          fmt::format("classes \"{}\" and \"{}\" share the id {}",
                                      classes[i - 1].second, classes[i].second, classes[i].first));
  return classes;
}

void check_unused_classes(const MappingClasses& classes,
                          const std::vector<std::size_t>& masks_of_class, ProblemSink& sink) {
  for (std::size_t c = 0; c < classes.size(); ++c)
    if (masks_of_class[c] == 0)
      add_mapping_problem(sink, "unused-class",
                          fmt::format("class \"{}\" ({}) has no mask in masks/", classes[c].second,
                                      classes[c].first));
}

}  // namespace samed2d
