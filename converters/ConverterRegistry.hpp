#pragma once
// The single table of converters: the CLI's `list`, the config loader and the tests read it.

#include <filesystem>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "converters/Converter.hpp"
#include "pipeline/core/Errors.hpp"

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

// The "converter" value of a config for a dataset of the release that cannot be converted (no
// public source could be identified, or it is no longer public): {"dataset", "converter":
// "not_convertible", "reason", "description"}. Loading such a config throws NotConvertible.
inline constexpr std::string_view kNotConvertible = "not_convertible";

// A dataset the release has but samed2d cannot convert; what() is "DATASET is not convertible:
// REASON" (exit 2 like any config error), reason() the reason alone for `samed2d list`.
class NotConvertible : public ConfigError {
 public:
  NotConvertible(std::string dataset, std::string reason)
      : ConfigError(dataset + " is not convertible: " + reason),
        dataset_(std::move(dataset)),
        reason_(std::move(reason)) {}
  const std::string& dataset() const { return dataset_; }
  const std::string& reason() const { return reason_; }

 private:
  std::string dataset_;
  std::string reason_;
};
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
