// `samed2d list` (the converters, bundled datasets and profiles) and `samed2d list NAME` (what
// one bundled dataset's config reads and writes, or what one profile does).
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "app/BundledConfigs.hpp"
#include "app/Commands.hpp"
#include "converters/ConverterRegistry.hpp"
#include "pipeline/core/ClassRegistry.hpp"
#include "pipeline/core/Errors.hpp"
#include "pipeline/core/JsonFile.hpp"
#include "pipeline/core/Profile.hpp"

namespace samed2d {

namespace fs = std::filesystem;

namespace {

int list() {
  const fs::path dir = config_dir();
  if (!fs::is_directory(dir / "datasets"))
    std::cerr << fmt::format(
        "samed2d: warning: {} has no datasets/ folder; set "
        "SAMED2D_CONFIG_DIR to the configs/ folder of samed2d\n",
        dir.string());
  std::cout << "Converters (the \"converter\" of a dataset config):\n";
  for (const auto& c : converter_registry())
    std::cout << fmt::format("  {:<18} {}\n", c.name, c.description);

  std::cout << fmt::format("Bundled datasets ({}; use with --dataset NAME):\n",
                           (dir / "datasets").string());
  std::optional<ClassRegistry> classes;
  try {
    classes = ClassRegistry::load(dir / "classes.json");
  } catch (const ConfigError& e) {
    std::cerr << "samed2d: error: " << e.what() << "\n";
    return 2;
  }
  int status = 0;
  std::vector<std::pair<std::string, std::string>> not_convertible;  // name, reason
  // Rows first, then the columns as wide as their longest cell.
  std::vector<std::array<std::string, 4>> rows{{"NAME", "MODALITY", "LAYOUT", "CONVERTER"}};
  for (const auto& name : bundled_dataset_names(dir)) {
    const fs::path file = dir / "datasets" / (name + ".json");
    try {
      const auto converter = load_dataset_config(file, *classes);
      std::string converter_name = "generic";
      const auto j = read_json_file(file);
      if (j.contains("converter") && j["converter"].is_string())
        converter_name = j["converter"].get<std::string>();
      rows.push_back({name, fmt::format("{}", fmt::join(converter->modalities(), ",")),
                      converter->layout(), converter_name});
    } catch (const NotConvertible& e) {
      not_convertible.emplace_back(name, e.reason());
      rows.push_back({name, "-", "not convertible", std::string(kNotConvertible)});
    } catch (const ConfigError& e) {
      std::cerr << "samed2d: error: " << e.what() << "\n";
      status = 2;
    }
  }
  std::array<std::size_t, 3> width{0, 0, 0};
  for (const auto& row : rows)
    for (std::size_t c = 0; c < width.size(); ++c) width[c] = std::max(width[c], row[c].size());
  for (const auto& row : rows)
    std::cout << fmt::format("  {:<{}} {:<{}} {:<{}} {}\n", row[0], width[0], row[1], width[1],
                             row[2], width[2], row[3]);
  if (!not_convertible.empty()) {
    std::cout << "Not convertible (datasets of the release without a public source samed2d can "
                 "read):\n";
    for (const auto& [name, reason] : not_convertible)
      std::cout << fmt::format("  {}: {}\n", name, reason);
  }
  std::cout << fmt::format("Profiles ({}):\n", (dir / "profiles").string());
  std::vector<std::string> profiles;
  std::error_code ec;
  for (fs::directory_iterator it(dir / "profiles", ec), end; !ec && it != end; it.increment(ec))
    if (it->path().extension() == ".json") profiles.push_back(it->path().stem().string());
  std::sort(profiles.begin(), profiles.end());
  std::size_t name_width = 0;
  for (const auto& n : profiles) name_width = std::max(name_width, n.size());
  for (const auto& n : profiles) {
    try {
      std::cout << fmt::format("  {:<{}} {}\n", n, name_width,
                               profile_summary(load_profile(n, dir)));
    } catch (const ConfigError& e) {
      std::cerr << "samed2d: error: " << e.what() << "\n";
      status = 2;
    }
  }
  return status;
}

// A config's description, indented and wrapped at 96 columns.
void print_wrapped(const std::string& text) {
  std::string line = "  ";
  std::istringstream words(text);
  for (std::string word; words >> word;) {
    if (line.size() + word.size() + 1 > 96 && line.size() > 2) {
      std::cout << line << "\n";
      line = "  ";
    }
    line += (line.size() > 2 ? " " : "") + word;
  }
  std::cout << line << "\n";
}

// `samed2d list NAME`: what a bundled dataset's config reads and writes, for a user deciding
// where to point --input.
int describe(const std::string& name) {
  const fs::path dir = config_dir();
  try {
    const ClassRegistry classes = ClassRegistry::load(dir / "classes.json");
    // A bundled profile's name (no dataset has one): its options and what it is for.
    std::error_code ec;
    if (!fs::exists(dir / "datasets" / (name + ".json"), ec) &&
        fs::is_regular_file(dir / "profiles" / (name + ".json"), ec)) {
      const Profile p = load_profile(name, dir);
      std::cout << fmt::format("{}\n  profile:    {}\n  does:       {}\n  options:    {}\n", name,
                               (dir / "profiles" / (name + ".json")).string(), profile_summary(p),
                               p.to_json().dump());
      print_wrapped(p.description.empty() ? "(no description)" : p.description);
      return 0;
    }
    const fs::path file = bundled_dataset_config(name, dir, "list");
    const auto config = read_json_file(file);
    if (config.value("converter", std::string()) == kNotConvertible) {
      try {
        (void)load_dataset_config(file, classes);
      } catch (const NotConvertible& e) {
        std::cout << fmt::format("{}\n  config:     {}\n  not convertible: {}\n", name,
                                 file.string(), e.reason());
        if (config.contains("description") && config["description"].is_string())
          print_wrapped(config["description"].get<std::string>());
        return 0;
      }
    }
    const auto converter = load_dataset_config(file, classes);
    std::cout << fmt::format("{}\n  config:     {}\n  converter:  {}\n  layout:     {}\n", name,
                             file.string(), config.value("converter", std::string("generic")),
                             converter->layout());
    std::cout << fmt::format("  modalities: {}\n", fmt::join(converter->modalities(), ", "));
    for (const auto& line : converter->details()) std::cout << "  " << line << "\n";
    print_wrapped(config.value("description", std::string("(no description)")));
    return 0;
  } catch (const ConfigError& e) {
    std::cerr << "samed2d: error: " << e.what() << "\n";
    return 2;
  }
}

}  // namespace

Command add_list(CLI::App& app) {
  auto name = std::make_shared<std::string>();
  auto* list_cmd = app.add_subcommand(
      "list",
      "List the converters, bundled datasets and profiles, or describe one dataset or profile");
  list_cmd->add_option("name", *name,
                       "A bundled dataset (what it reads, its modalities, layout and classes) or "
                       "profile (its options)");
  return {list_cmd, [name] { return name->empty() ? list() : describe(*name); }};
}

}  // namespace samed2d
