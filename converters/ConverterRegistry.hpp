#pragma once
// The single table of converters: the CLI's `list`, the config loader and the tests read it.

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "converters/Converter.hpp"

namespace samed2d {

struct ConverterInfo {
  std::string name;         // the config's "converter" value
  std::string description;  // one line for `samed2d list`
  // Validates the whole dataset config (unknown keys are errors) and builds the converter.
  // `origin` names the config file in messages. Throws ConfigError.
  std::unique_ptr<Converter> (*create)(const nlohmann::json& config, const ClassRegistry& classes,
                                       const std::string& origin);
};

const std::vector<ConverterInfo>& converter_registry();
const ConverterInfo* find_converter(std::string_view name);

// Reads a dataset config file (JSON with comments allowed), picks its converter from the
// registry ("converter" defaults to "generic") and builds it. Throws ConfigError.
std::unique_ptr<Converter> load_dataset_config(const std::filesystem::path& file,
                                               const ClassRegistry& classes);
// The same from the config's text; `origin` names it in messages (load_dataset_config passes the
// file's path). The config fuzzer feeds its inputs here without a file per input.
std::unique_ptr<Converter> load_dataset_config_text(const std::string& text,
                                                    const std::string& origin,
                                                    const ClassRegistry& classes);

}  // namespace samed2d
