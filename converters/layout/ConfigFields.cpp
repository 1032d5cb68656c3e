#include "converters/layout/ConfigFields.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <utility>

#include "pipeline/core/ClassRegistry.hpp"
#include "pipeline/core/Errors.hpp"
#include "pipeline/core/JsonFile.hpp"
#include "pipeline/core/Naming.hpp"

namespace samed2d {

namespace fs = std::filesystem;

namespace {

// Label value ranges ("1..5") expand to every value; more than this is surely a typo.
constexpr std::int64_t kMaxRangeValues = 65536;

// "1" -> 1, "-5" -> -5; anything else (a fraction, a sign '+', leading zeros, text) is refused
// so that two spellings of one value cannot map it twice.
std::int64_t label_value_of(const std::string& text, const std::string& origin) {
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty())
    fail_field(origin, "labels",
               fmt::format("has the key \"{}\", which is not a whole number; keys are "
                           "label values written in decimal, e.g. \"1\" or \"-2\"",
                           text));
  if (fmt::format("{}", v) != text)
    fail_field(origin, "labels", fmt::format("has the key \"{}\"; write it as \"{}\"", text, v));
  return v;
}

// "3" -> {3}, "55..70" -> {55, ..., 70}.
std::vector<std::int64_t> label_values_of(const std::string& text, const std::string& origin) {
  const auto dots = text.find("..");
  if (dots == std::string::npos) return {label_value_of(text, origin)};
  const auto lo = label_value_of(text.substr(0, dots), origin);
  const auto hi = label_value_of(text.substr(dots + 2), origin);
  if (lo > hi)
    fail_field(origin, "labels",
               fmt::format("has the range \"{}\", whose first value is above its last; write it "
                           "\"{}..{}\"",
                           text, hi, lo));
  if (hi - lo >= kMaxRangeValues)
    fail_field(origin, "labels",
               fmt::format("has the range \"{}\" of more than {} values; check its bounds", text,
                           kMaxRangeValues));
  std::vector<std::int64_t> values;
  for (std::int64_t v = lo; v <= hi; ++v) values.push_back(v);
  return values;
}

}  // namespace

void fail_field(const std::string& origin, std::string_view key, std::string_view problem) {
  throw ConfigError(fmt::format("{}: \"{}\" {}", origin, key, problem));
}

void check_keys(const nlohmann::json& object, const std::vector<std::string_view>& keys,
                const std::string& origin, const std::string& prefix, std::string_view what) {
  for (const auto& [key, unused] : object.items())
    if (std::find(keys.begin(), keys.end(), key) == keys.end())
      fail_field(origin, prefix + key,
                 fmt::format("is not a key of {}{}; the keys are {}", what, did_you_mean(key, keys),
                             join_names(keys)));
}

void for_each_object(
    const nlohmann::json& config, const std::string& origin, std::string_view key,
    const std::vector<std::string_view>& keys, std::string_view what, std::string_view list_problem,
    std::string_view entry_problem,
    const std::function<void(const nlohmann::json& entry, const std::string& where)>& each) {
  const std::string k(key);
  if (!config.contains(k) || !config[k].is_array() || config[k].empty())
    fail_field(origin, key, list_problem);
  const auto& list = config[k];
  for (std::size_t i = 0; i < list.size(); ++i) {
    const auto& entry = list[i];
    const std::string where = fmt::format("{}[{}]", key, i);
    if (!entry.is_object()) fail_field(origin, where, entry_problem);
    check_keys(entry, keys, origin, where + ".", what);
    each(entry, where);
  }
}

const nlohmann::json& checked_config(const nlohmann::json& config, const std::string& origin,
                                     const std::vector<std::string_view>& keys,
                                     std::string_view kind, bool converter_may_be_absent) {
  if (!config.is_object())
    throw ConfigError(fmt::format("{}: a dataset config must be a JSON object {{...}}", origin));
  check_keys(config, keys, origin, "", fmt::format("the {} converter", kind));
  if (config.contains("description") && !config["description"].is_string())
    fail_field(origin, "description", "must be a string");
  if (config.contains("converter")
          ? !config["converter"].is_string() || config["converter"].get<std::string>() != kind
          : !converter_may_be_absent)
    fail_field(origin, "converter", fmt::format("must be \"{}\" for this converter", kind));
  return config;
}

namespace {

// The value of a required key, after the one "is missing" message both string readers give.
const nlohmann::json& present(const nlohmann::json& object, const std::string& origin,
                              std::string_view key, std::string_view example,
                              std::string_view shown) {
  const std::string k(key);
  if (!object.contains(k))
    fail_field(origin, shown, fmt::format("is missing; add e.g. \"{}\": {}", key, example));
  return object[k];
}

}  // namespace

std::string required_string(const nlohmann::json& object, const std::string& origin,
                            std::string_view key, std::string_view example,
                            std::string_view shown) {
  if (shown.empty()) shown = key;
  const auto& v = present(object, origin, key, example, shown);
  if (!v.is_string()) fail_field(origin, shown, "must be a string");
  return v.get<std::string>();
}

std::string non_empty_string(const nlohmann::json& object, const std::string& origin,
                             std::string_view key, std::string_view example,
                             std::string_view shown) {
  if (shown.empty()) shown = key;
  const auto& v = present(object, origin, key, example, shown);
  if (!v.is_string() || v.get<std::string>().empty())
    fail_field(origin, shown, fmt::format("must be a non-empty string, e.g. {}", example));
  return v.get<std::string>();
}

std::string dataset_of(const nlohmann::json& config, const std::string& origin,
                       std::string_view example) {
  auto name = required_string(config, origin, "dataset", example);
  if (!is_valid_dataset_name(name))
    fail_field(origin, "dataset",
               fmt::format("is \"{}\"; a dataset name uses letters, digits, '_', '.' and single "
                           "'-' (no \"--\", no '-' at either end)",
                           name));
  return name;
}

std::string modality_value_of(const nlohmann::json& value, const std::string& origin,
                              std::string_view key, std::string_view example) {
  if (!value.is_string())
    fail_field(origin, key, fmt::format("must be a string such as {}", example));
  auto m = value.get<std::string>();
  if (!is_valid_modality(m))
    fail_field(origin, key,
               fmt::format("is \"{}\"; a modality uses lower-case letters, digits and '_' only, "
                           "e.g. {}",
                           m, example));
  return m;
}

std::string modality_of(const nlohmann::json& config, const std::string& origin,
                        std::string_view example) {
  if (!config.contains("modality"))
    fail_field(origin, "modality", fmt::format("is missing; add e.g. \"modality\": {}", example));
  return modality_value_of(config["modality"], origin, "modality", example);
}

Glob glob_field(std::string pattern, const std::string& origin, std::string_view key) {
  try {
    return Glob(std::move(pattern));
  } catch (const ConfigError& e) {
    throw ConfigError(fmt::format("{}: \"{}\": {}", origin, key, e.what()));
  }
}

std::vector<Glob> exclude_of(const nlohmann::json& config, const std::string& origin,
                             std::string_view example) {
  std::vector<Glob> out;
  if (!config.contains("exclude")) return out;
  const auto& e = config["exclude"];
  const std::string what = fmt::format(
      "must be a glob or a list of globs of relative paths that are never cases, e.g. {}", example);
  if (e.is_string()) {
    out.push_back(glob_field(e.get<std::string>(), origin, "exclude"));
  } else if (e.is_array() && !e.empty()) {
    for (const auto& item : e) {
      if (!item.is_string()) fail_field(origin, "exclude", what);
      out.push_back(glob_field(item.get<std::string>(), origin, "exclude"));
    }
  } else {
    fail_field(origin, "exclude", what);
  }
  return out;
}

std::vector<std::string_view> class_names(const ClassRegistry& classes) {
  std::vector<std::string_view> names;
  for (const auto& [name, unused] : classes.entries()) names.push_back(name);
  return names;
}

void check_class_names(std::vector<std::string> names, const ClassRegistry& classes,
                       const std::string& origin, std::string_view where) {
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  const auto known = class_names(classes);
  std::vector<std::string> missing;
  for (const auto& name : names)
    if (!classes.id_of(name)) missing.push_back(name + did_you_mean(name, known));
  if (!missing.empty())
    throw ConfigError(fmt::format(
        "{}: {} class name(s){} not in the class registry: {}; add them to the registry (the "
        "--classes file) or fix their spelling",
        origin, missing.size(), where, fmt::join(missing, ", ")));
}

std::shared_ptr<const LabelMapping> label_mapping_of(const nlohmann::json& config,
                                                     const ClassRegistry& classes,
                                                     const std::string& origin) {
  if (!config.contains("labels"))
    fail_field(origin, "labels",
               "is missing; map label values to class names, e.g. {\"1\": \"liver\"}");
  const auto& labels = config["labels"];
  if (!labels.is_object() || labels.empty())
    fail_field(origin, "labels",
               "must be a non-empty object of label value -> class name, e.g. {\"1\": \"liver\"}");

  std::map<std::string, std::vector<std::int64_t>> values_of;  // class name -> values
  std::map<std::int64_t, std::string> key_of;                  // label value -> its key
  for (const auto& [text, name] : labels.items()) {
    const auto values = label_values_of(text, origin);
    if (!name.is_string() || name.get<std::string>().empty())
      fail_field(origin, "labels",
                 fmt::format("maps \"{}\" to {}; give a class name string", text, name.dump()));
    for (const auto value : values) {
      const auto [it, fresh] = key_of.emplace(value, text);
      if (!fresh)
        fail_field(origin, "labels",
                   fmt::format("has the keys \"{}\" and \"{}\", which both hold the value {}; "
                               "give each label value one key",
                               it->second, text, value));
    }
    auto& list = values_of[name.get<std::string>()];
    list.insert(list.end(), values.begin(), values.end());
  }

  std::map<std::string, std::vector<std::int64_t>> union_values;
  if (config.contains("unions")) {
    const auto& unions = config["unions"];
    if (!unions.is_object())
      fail_field(origin, "unions",
                 "must be an object of class name -> list of class names of \"labels\"");
    for (const auto& [name, members] : unions.items()) {
      if (values_of.count(name))
        fail_field(origin, "unions",
                   fmt::format("defines \"{}\", which is already a class of \"labels\"; "
                               "give the union its own class name",
                               name));
      if (!members.is_array() || members.empty())
        fail_field(
            origin, "unions",
            fmt::format("\"{}\" must be a non-empty list of class names of \"labels\"", name));
      auto& values = union_values[name];
      for (const auto& member : members) {
        const auto it =
            member.is_string() ? values_of.find(member.get<std::string>()) : values_of.end();
        if (it == values_of.end())
          fail_field(origin, "unions",
                     fmt::format("\"{}\" lists {}, which is not a class of \"labels\"; "
                                 "a union is made of classes that \"labels\" maps",
                                 name, member.dump()));
        values.insert(values.end(), it->second.begin(), it->second.end());
      }
    }
  }
  for (auto& [name, values] : union_values) values_of.emplace(name, std::move(values));

  auto mapping = mapping_of_values(std::move(values_of), classes, origin);
  if (config.contains("background")) {
    const auto& b = config["background"];
    if (!b.is_number_integer())
      fail_field(origin, "background",
                 fmt::format("is {}; give the label value of the background, a whole number "
                             "such as 255 for masks drawn black on white",
                             b.dump()));
    mapping->background = b.get<std::int64_t>();
    if (const auto it = key_of.find(mapping->background); it != key_of.end())
      fail_field(origin, "background",
                 fmt::format("is {}, which \"labels\" maps (key \"{}\"); the background is "
                             "never a class, so drop one of the two",
                             mapping->background, it->second));
  }
  return mapping;
}

std::shared_ptr<LabelMapping> mapping_of_values(
    std::map<std::string, std::vector<std::int64_t>> values_of, const ClassRegistry& classes,
    const std::string& origin) {
  std::vector<std::string> names;
  for (const auto& [name, unused] : values_of) names.push_back(name);
  check_class_names(std::move(names), classes, origin, "");

  auto mapping = std::make_shared<LabelMapping>();
  for (auto& [name, values] : values_of) {
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    mapping->classes.push_back({name, *classes.id_of(name), *classes.id_text_of(name), values});
  }
  std::sort(mapping->classes.begin(), mapping->classes.end(),
            [](const ClassDef& a, const ClassDef& b) { return a.id < b.id; });
  return mapping;
}

std::string root_name_of(const fs::path& root) {
  fs::path p = fs::absolute(root).lexically_normal();
  if (p.filename().empty()) p = p.parent_path();
  return p.filename().string();
}

}  // namespace samed2d
