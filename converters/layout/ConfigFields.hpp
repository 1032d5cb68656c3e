#pragma once
// Checks of dataset config fields shared by the converters, so that one mistake reads the same
// in the config of every layout kind: `ORIGIN: "KEY" PROBLEM`, each a ConfigError (exit 2).
// `origin` names the config file (or the object inside it) in messages.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "converters/layout/Glob.hpp"
#include "pipeline/core/CaseSpec.hpp"

namespace samed2d {

class ClassRegistry;

// Throws the ConfigError `ORIGIN: "KEY" PROBLEM`.
[[noreturn]] void fail_field(const std::string& origin, std::string_view key,
                             std::string_view problem);

// Refuses the first key of `object` that is not one of `keys`, naming it PREFIX + key with the
// closest known key as a suggestion: "is not a key of WHAT (did you mean ...); the keys are ...".
void check_keys(const nlohmann::json& object, const std::vector<std::string_view>& keys,
                const std::string& origin, const std::string& prefix, std::string_view what);

// The list of objects `key` of `config` (sequences, stacks, rules): each entry is handed to
// `each` in order, with its name "KEY[i]", once it is an object with only `keys` (check_keys,
// naming it `what`). An absent, empty or non-list value is `ORIGIN: "KEY" LIST_PROBLEM`, an
// entry that is not an object `ORIGIN: "KEY[i]" ENTRY_PROBLEM`.
void for_each_object(
    const nlohmann::json& config, const std::string& origin, std::string_view key,
    const std::vector<std::string_view>& keys, std::string_view what, std::string_view list_problem,
    std::string_view entry_problem,
    const std::function<void(const nlohmann::json& entry, const std::string& where)>& each);

// The top level of a config of converter `kind`: a JSON object with only `keys`, a string
// "description" if any and "converter" equal to `kind`. "converter" may be absent only where
// `converter_may_be_absent` (the registry takes a config without it as "generic"). Returns
// `config`.
const nlohmann::json& checked_config(const nlohmann::json& config, const std::string& origin,
                                     const std::vector<std::string_view>& keys,
                                     std::string_view kind, bool converter_may_be_absent);

// The string `key` of `object`: "is missing; add e.g. "KEY": EXAMPLE" when absent, "must be a
// string" when not one. `shown` names the key in messages when it differs from `key`
// ("sequences[0].image").
std::string required_string(const nlohmann::json& object, const std::string& origin,
                            std::string_view key, std::string_view example,
                            std::string_view shown = {});

// As required_string, and an empty string is refused too ("must be a non-empty string, e.g.
// EXAMPLE").
std::string non_empty_string(const nlohmann::json& object, const std::string& origin,
                             std::string_view key, std::string_view example,
                             std::string_view shown = {});

// "dataset" of a checked config: a valid dataset name (Naming.hpp); `example` is shown when it
// is missing.
std::string dataset_of(const nlohmann::json& config, const std::string& origin,
                       std::string_view example);

// A modality value (lower-case letters, digits and '_', such as "ct_00"); `key` names it in
// messages and `example` (e.g. "\"ct_00\"", with its quotes) shows a good one.
std::string modality_value_of(const nlohmann::json& value, const std::string& origin,
                              std::string_view key, std::string_view example);

// The required "modality" of `config`, checked as modality_value_of does.
std::string modality_of(const nlohmann::json& config, const std::string& origin,
                        std::string_view example);

// A glob of relative paths; a bad pattern is `ORIGIN: "KEY": PROBLEM`.
Glob glob_field(std::string pattern, const std::string& origin, std::string_view key);

// "exclude" of `config` (none when absent): a glob or a non-empty list of globs of relative
// paths that are never cases; `example` (with its quotes) shows one.
std::vector<Glob> exclude_of(const nlohmann::json& config, const std::string& origin,
                             std::string_view example);

// The class names of the registry, for did_you_mean.
std::vector<std::string_view> class_names(const ClassRegistry& classes);

// Refuses every name of `names` (any order, repeats allowed) missing from the registry, all in
// one line: "ORIGIN: N class name(s)WHERE not in the class registry: a (did you mean ...), b;
// add them ...". `where` is "" or e.g. " of \"masks\"".
void check_class_names(std::vector<std::string> names, const ClassRegistry& classes,
                       const std::string& origin, std::string_view where);

// The "labels" (values or "a..b" ranges -> class names), "unions" and "background" (the value
// that is neither a class nor reported as unmapped; 0 when absent) of a config object, checked
// against the registry.
std::shared_ptr<const LabelMapping> label_mapping_of(const nlohmann::json& config,
                                                     const ClassRegistry& classes,
                                                     const std::string& origin);

// The mapping of class name -> label values (unions already expanded), every name checked
// against the registry, classes in ascending id order.
std::shared_ptr<LabelMapping> mapping_of_values(
    std::map<std::string, std::vector<std::int64_t>> values_of, const ClassRegistry& classes,
    const std::string& origin);

// The input root's own folder name: {parent} of the files at its top.
std::string root_name_of(const std::filesystem::path& root);

}  // namespace samed2d
