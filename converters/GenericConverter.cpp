#include "GenericConverter.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <set>
#include <string_view>
#include <utility>

#include "pipeline/ClassRegistry.hpp"
#include "pipeline/Errors.hpp"
#include "pipeline/JsonFile.hpp"
#include "pipeline/Naming.hpp"

namespace samed2d {

namespace fs = std::filesystem;

namespace {

const std::vector<std::string_view> kKeys{"dataset",   "converter", "description", "cases",
                                          "case_name", "modality",  "sequences",   "label",
                                          "labels",    "unions"};
const std::vector<std::string_view> kSequenceKeys{"image", "modality", "component"};

[[noreturn]] void fail(const std::string& origin, std::string_view key, std::string_view problem) {
  throw ConfigError(fmt::format("{}: \"{}\" {}", origin, key, problem));
}

const nlohmann::json& checked_object(const nlohmann::json& config, const std::string& origin) {
  if (!config.is_object())
    throw ConfigError(fmt::format("{}: a dataset config must be a JSON object {{...}}", origin));
  for (const auto& [key, unused] : config.items()) {
    if (std::find(kKeys.begin(), kKeys.end(), key) == kKeys.end())
      fail(origin, key,
           fmt::format("is not a key of the generic converter{}; the keys are {}",
                       did_you_mean(key, kKeys), join_names(kKeys)));
  }
  if (config.contains("description") && !config["description"].is_string())
    fail(origin, "description", "must be a string");
  if (config.contains("converter") &&
      (!config["converter"].is_string() || config["converter"].get<std::string>() != "generic"))
    fail(origin, "converter", "must be \"generic\" for this converter");
  return config;
}

// `shown` names the key in messages when it differs from `key` ("sequences[0].image").
std::string required_string(const nlohmann::json& config, const std::string& origin,
                            std::string_view key, std::string_view example,
                            std::string_view shown = {}) {
  const std::string k(key);
  if (shown.empty()) shown = key;
  if (!config.contains(k))
    fail(origin, shown, fmt::format("is missing; add e.g. \"{}\": {}", key, example));
  if (!config[k].is_string()) fail(origin, shown, "must be a string");
  return config[k].get<std::string>();
}

std::string dataset_of(const nlohmann::json& config, const std::string& origin) {
  auto name = required_string(checked_object(config, origin), origin, "dataset", "\"ACDC\"");
  if (!is_valid_dataset_name(name))
    fail(origin, "dataset",
         fmt::format("is \"{}\"; a dataset name uses letters, digits, '_', '.' and single '-' "
                     "(no \"--\", no '-' at either end)",
                     name));
  return name;
}

Glob glob_of(const nlohmann::json& config, const std::string& origin) {
  auto pattern = required_string(config, origin, "cases", "\"imagesTr/*.nii.gz\"");
  try {
    return Glob(std::move(pattern));
  } catch (const ConfigError& e) {
    throw ConfigError(fmt::format("{}: \"cases\": {}", origin, e.what()));
  }
}

PathTemplate template_of(const nlohmann::json& config, const std::string& origin,
                         std::string_view key, std::string_view fallback) {
  const std::string k(key);
  std::string text(fallback);
  if (fallback.empty() || config.contains(k))
    text = required_string(config, origin, key, "\"{dir}/{stem}_seg.nii.gz\"");
  return PathTemplate(std::move(text), fmt::format("{}: \"{}\"", origin, key));
}

std::string modality_of(const nlohmann::json& v, const std::string& origin, std::string_view key) {
  if (!v.is_string()) fail(origin, key, "must be a string such as \"mr_t1\"");
  auto m = v.get<std::string>();
  if (!is_valid_modality(m))
    fail(origin, key,
         fmt::format("is \"{}\"; a modality uses lower-case letters, digits and '_' only, e.g. "
                     "\"ct_00\" or \"mr_t1\"",
                     m));
  return m;
}

// "1" -> 1, "-5" -> -5; anything else (a fraction, a sign '+', leading zeros, text) is refused
// so that two spellings of one value cannot map it twice.
std::int64_t label_value_of(const std::string& text, const std::string& origin) {
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty())
    fail(origin, "labels",
         fmt::format("has the key \"{}\", which is not a whole number; keys are "
                     "label values written in decimal, e.g. \"1\" or \"-2\"",
                     text));
  if (fmt::format("{}", v) != text)
    fail(origin, "labels", fmt::format("has the key \"{}\"; write it as \"{}\"", text, v));
  return v;
}

std::shared_ptr<const LabelMapping> mapping_of(const nlohmann::json& config,
                                               const ClassRegistry& classes,
                                               const std::string& origin) {
  if (!config.contains("labels"))
    fail(origin, "labels", "is missing; map label values to class names, e.g. {\"1\": \"liver\"}");
  const auto& labels = config["labels"];
  if (!labels.is_object() || labels.empty())
    fail(origin, "labels",
         "must be a non-empty object of label value -> class name, e.g. {\"1\": \"liver\"}");

  std::map<std::string, std::vector<std::int64_t>> values_of;  // class name -> values
  for (const auto& [text, name] : labels.items()) {
    const auto value = label_value_of(text, origin);
    if (!name.is_string() || name.get<std::string>().empty())
      fail(origin, "labels",
           fmt::format("maps \"{}\" to {}; give a class name string", text, name.dump()));
    values_of[name.get<std::string>()].push_back(value);
  }

  std::map<std::string, std::vector<std::int64_t>> union_values;
  if (config.contains("unions")) {
    const auto& unions = config["unions"];
    if (!unions.is_object())
      fail(origin, "unions",
           "must be an object of class name -> list of class names of \"labels\"");
    for (const auto& [name, members] : unions.items()) {
      if (values_of.count(name))
        fail(origin, "unions",
             fmt::format("defines \"{}\", which is already a class of \"labels\"; "
                         "give the union its own class name",
                         name));
      if (!members.is_array() || members.empty())
        fail(origin, "unions",
             fmt::format("\"{}\" must be a non-empty list of class names of \"labels\"", name));
      auto& values = union_values[name];
      for (const auto& member : members) {
        const auto it =
            member.is_string() ? values_of.find(member.get<std::string>()) : values_of.end();
        if (it == values_of.end())
          fail(origin, "unions",
               fmt::format("\"{}\" lists {}, which is not a class of \"labels\"; "
                           "a union is made of classes that \"labels\" maps",
                           name, member.dump()));
        values.insert(values.end(), it->second.begin(), it->second.end());
      }
    }
  }
  for (auto& [name, values] : union_values) values_of.emplace(name, std::move(values));

  std::vector<std::string> missing;
  std::vector<std::string_view> known;
  for (const auto& [name, unused] : classes.entries()) known.push_back(name);
  for (const auto& [name, unused] : values_of)
    if (!classes.id_of(name)) missing.push_back(name + did_you_mean(name, known));
  if (!missing.empty())
    throw ConfigError(fmt::format(
        "{}: {} class name(s) not in the class registry: {}; add them to the registry (the "
        "--classes file) or fix their spelling",
        origin, missing.size(), fmt::join(missing, ", ")));

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

// The root folder's own name, for {parent} of files at the top.
std::string root_name_of(const fs::path& root) {
  fs::path p = fs::absolute(root).lexically_normal();
  if (p.filename().empty()) p = p.parent_path();
  return p.filename().string();
}

}  // namespace

GenericConverter::GenericConverter(const nlohmann::json& config, const ClassRegistry& classes,
                                   const std::string& origin)
    : origin_(origin),
      dataset_(dataset_of(config, origin)),
      cases_(glob_of(config, origin)),
      case_name_(template_of(config, origin, "case_name", "{stem}")),
      label_(template_of(config, origin, "label", "")) {
  const bool single = config.contains("modality");
  const bool multi = config.contains("sequences");
  if (single == multi)
    fail(origin, single ? "sequences" : "modality",
         single ? "and \"modality\" are both given; use \"modality\" for one image per case or "
                  "\"sequences\" for several, not both"
                : "is missing; give \"modality\" (one image per case) or \"sequences\"");
  if (single) {
    sequences_.push_back({std::nullopt, modality_of(config["modality"], origin, "modality"), {}});
  } else {
    const auto& list = config["sequences"];
    if (!list.is_array() || list.empty())
      fail(origin, "sequences",
           "must be a non-empty list of {\"image\": TEMPLATE, \"modality\": \"mr_t1\"}");
    for (std::size_t i = 0; i < list.size(); ++i) {
      const auto& entry = list[i];
      const std::string where = fmt::format("sequences[{}]", i);
      if (!entry.is_object())
        fail(origin, where, "must be an object {\"image\": TEMPLATE, \"modality\": \"mr_t1\"}");
      for (const auto& [key, unused] : entry.items()) {
        if (std::find(kSequenceKeys.begin(), kSequenceKeys.end(), key) == kSequenceKeys.end())
          fail(origin, where + "." + key,
               fmt::format("is not a key of a sequence{}; the keys are {}",
                           did_you_mean(key, kSequenceKeys), join_names(kSequenceKeys)));
      }
      if (!entry.contains("modality")) fail(origin, where, "lacks \"modality\"");
      Sequence seq{PathTemplate(required_string(entry, origin, "image",
                                                "\"{dir}/{stem}_t1.nii.gz\"", where + ".image"),
                                fmt::format("{}: \"{}.image\"", origin, where)),
                   modality_of(entry["modality"], origin, where + ".modality"),
                   {}};
      if (entry.contains("component")) {
        const auto& c = entry["component"];
        if (!c.is_number_integer() ||
            (c.is_number_integer() && !c.is_number_unsigned() && c.get<std::int64_t>() < 0))
          fail(origin, where + ".component",
               fmt::format("is {}; give the component's index, a whole number from 0", c.dump()));
        seq.component = c.get<std::size_t>();
      }
      for (const auto& earlier : sequences_)
        if (earlier.modality == seq.modality)
          fail(origin, where + ".modality",
               fmt::format("repeats \"{}\"; each sequence needs its own modality, or their image "
                           "names would collide",
                           seq.modality));
      sequences_.push_back(std::move(seq));
    }
  }
  mapping_ = mapping_of(config, classes, origin);
}

std::unique_ptr<Converter> GenericConverter::create(const nlohmann::json& config,
                                                    const ClassRegistry& classes,
                                                    const std::string& origin) {
  return std::make_unique<GenericConverter>(config, classes, origin);
}

std::string GenericConverter::layout() const {
  const bool components = std::any_of(sequences_.begin(), sequences_.end(),
                                      [](const Sequence& s) { return s.component.has_value(); });
  if (components) return "4D + label map";
  if (sequences_.size() > 1) return "sequences + label map";
  return "label map";
}

std::vector<std::string> GenericConverter::modalities() const {
  std::vector<std::string> m;
  for (const auto& s : sequences_) m.push_back(s.modality);
  return m;
}

std::vector<CaseSpec> GenericConverter::discover(const fs::path& input_root) const {
  std::error_code ec;
  if (!fs::is_directory(input_root, ec))
    throw ConfigError(
        fmt::format("{}: the input folder does not exist or is not a folder; pass "
                    "the folder that holds the {} dataset (see {})",
                    input_root.string(), dataset_, origin_));
  const std::string root_name = root_name_of(input_root);

  struct Taken {
    std::string source;
    std::vector<std::string> modalities;
  };
  std::map<std::string, std::vector<Taken>> taken;  // case name -> earlier cases

  std::vector<CaseSpec> cases;
  for (const auto& rel : cases_.find(input_root)) {
    CaseSpec spec;
    spec.dataset = dataset_;
    spec.source = rel;
    spec.name = sanitize_case_name(case_name_.render(rel, root_name));
    for (const auto& seq : sequences_) {
      const auto image =
          seq.image ? input_root / seq.image->render(rel, root_name) : input_root / rel;
      SequenceSpec s;
      s.image = image.lexically_normal();
      s.modality = seq.modality;
      s.component = seq.component;
      spec.sequences.push_back(std::move(s));
    }
    spec.label = (input_root / label_.render(rel, root_name)).lexically_normal();
    spec.mapping = mapping_;

    if (spec.name.empty()) {
      spec.discovery_error = fmt::format(
          "{}: the case name template \"{}\" gives an empty name; give the config a case_name "
          "template that names every case",
          rel, case_name_.text());
    } else {
      auto& earlier_cases = taken[spec.name];
      for (const auto& earlier : earlier_cases) {
        const bool shared =
            std::any_of(spec.sequences.begin(), spec.sequences.end(), [&](const SequenceSpec& s) {
              return std::find(earlier.modalities.begin(), earlier.modalities.end(), s.modality) !=
                     earlier.modalities.end();
            });
        if (shared) {
          spec.discovery_error = fmt::format(
              "{}: case name '{}' collides with {}; give the config a case_name template that "
              "tells them apart",
              rel, spec.name, earlier.source);
          break;
        }
      }
      if (spec.discovery_error.empty()) {
        Taken t{rel, {}};
        for (const auto& s : spec.sequences) t.modalities.push_back(s.modality);
        earlier_cases.push_back(std::move(t));
      }
    }
    cases.push_back(std::move(spec));
  }
  return cases;
}

}  // namespace samed2d
