#include "converters/GenericConverter.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <string_view>
#include <utility>

#include "converters/layout/ConfigFields.hpp"
#include "pipeline/core/ClassRegistry.hpp"
#include "pipeline/core/Errors.hpp"

namespace samed2d {

namespace {

const std::vector<std::string_view> kKeys{
    "dataset",  "converter",      "description", "cases",      "exclude", "case_name",
    "modality", "modality_rules", "sequences",   "components", "label",   "label_threshold",
    "labels",   "unions",         "background",  "raters",     "masks",   "unless_exists"};
const std::vector<std::string_view> kSequenceKeys{"image",      "modality", "component",
                                                  "components", "series",   "resample"};
const std::vector<std::string_view> kRaterKeys{"files", "combine", "per_class", "min_raters"};
const std::vector<std::string_view> kMaskKeys{"files", "classes", "combine"};
// Bits of a uint16 label map, and 2^N - 1 values per class: more would make the value table big.
constexpr unsigned kMaxMaskClasses = 12;
const std::vector<std::string_view> kRuleKeys{"modality", "case_number_min", "case_number_max",
                                              "path"};
// What a modality looks like, in messages.
constexpr std::string_view kModalityExample = "\"ct_00\" or \"mr_t1\"";

// A whole number >= `min` (components, case numbers).
std::uint64_t count_of(const nlohmann::json& v, const std::string& origin, std::string_view key,
                       std::uint64_t min, std::string_view what) {
  if (!v.is_number_unsigned() || v.get<std::uint64_t>() < min)
    fail_field(origin, key,
               fmt::format("is {}; give {}, a whole number from {}", v.dump(), what, min));
  return v.get<std::uint64_t>();
}

PathTemplate template_of(const nlohmann::json& config, const std::string& origin,
                         std::string_view key, std::string_view fallback);

// The label template: "label", or with "raters" the first rater's file, with "masks" the pattern
// of the mask files (which name the case's label sources in messages and records).
PathTemplate label_template_of(const nlohmann::json& config, const std::string& origin) {
  const bool raters = config.contains("raters"), masks = config.contains("masks");
  if (raters && masks)
    fail_field(origin, "masks",
               "and \"raters\" are both given; a case's label comes from one of them");
  if (!raters && !masks) return template_of(config, origin, "label", "");
  const std::string key = raters ? "raters" : "masks";
  if (config.contains("label"))
    fail_field(origin, "label",
               fmt::format("and \"{}\" are both given; \"{}\" names the case's label files, so "
                           "drop \"label\"",
                           key, key));
  const auto& v = config[key];
  if (!v.is_object() || !v.contains("files"))
    fail_field(origin, key,
               raters ? "must be an object {\"files\": {\"1\": TEMPLATE, \"2\": TEMPLATE}, "
                        "\"combine\": \"majority\"}"
                      : "must be an object {\"files\": PATTERN, \"classes\": {\"**/leftMask/*\": "
                        "\"left_lung\"}}");
  if (raters) {
    const auto& files = v["files"];
    if (!files.is_object() || files.size() < 2)
      fail_field(origin, "raters.files",
                 "must be an object of at least two raters, rater name -> label file template, "
                 "e.g. {\"1\": \"{dir}/{stem}_mask1.nii\", \"2\": \"{dir}/{stem}_mask2.nii\"}");
    return template_of(files, origin + ": \"raters.files\"", files.begin().key(), "");
  }
  return template_of(v, origin + ": \"masks\"", "files", "");
}

PathTemplate template_of(const nlohmann::json& config, const std::string& origin,
                         std::string_view key, std::string_view fallback) {
  const std::string k(key);
  std::string text(fallback);
  if (fallback.empty() || config.contains(k))
    text = required_string(config, origin, key, "\"{dir}/{stem}_seg.nii.gz\"");
  PathTemplate t(std::move(text), fmt::format("{}: \"{}\"", origin, key));
  if (key == "case_name" && t.is_pattern())
    fail_field(
        origin, key,
        fmt::format("is \"{}\"; a case name is not a file pattern, so it takes no wildcards, "
                    "escapes or {{a,b}} alternatives",
                    t.text()));
  return t;
}

// Checks a file template's pattern syntax once, at load, with a made-up deep case path.
void check_pattern(const PathTemplate& t, const std::string& origin, std::string_view key) {
  if (!t.is_pattern()) return;
  try {
    Glob(t.render_pattern("d1/d2/d3/d4/d5/d6/case.nii.gz", "root", "up"), Glob::Options{true});
  } catch (const ConfigError& e) {
    fail_field(origin, key,
               fmt::format("template \"{}\" is not a valid file pattern: {}", t.text(), e.what()));
  }
}

}  // namespace

GenericConverter::GenericConverter(const nlohmann::json& config, const ClassRegistry& classes,
                                   const std::string& origin)
    : Converter(origin, dataset_of(checked_config(config, origin, kKeys, "generic", true), origin,
                                   "\"ACDC\"")),
      cases_(glob_field(required_string(config, origin, "cases", "\"imagesTr/*.nii.gz\""), origin,
                        "cases")),
      exclude_(exclude_of(config, origin, "\"**/*_mask*.png\"")),
      case_name_(template_of(config, origin, "case_name", "{stem}")),
      label_(label_template_of(config, origin)) {
  check_pattern(label_, origin, "label");
  if (config.contains("unless_exists")) {
    unless_exists_ = template_of(config, origin, "unless_exists", "");
    check_pattern(*unless_exists_, origin, "unless_exists");
  }
  const bool single = config.contains("modality") || config.contains("modality_rules");
  const bool multi = config.contains("sequences");
  if (single == multi)
    fail_field(
        origin, single ? "sequences" : "modality",
        single ? "and \"modality\" (or \"modality_rules\") are both given; use \"modality\" for "
                 "one image per case or \"sequences\" for several, not both"
               : "is missing; give \"modality\" (one image per case) or \"sequences\"");
  std::optional<std::size_t> components;
  if (config.contains("components"))
    components = count_of(config["components"], origin, "components", 1,
                          "the number of components every image of a case has");
  if (single)
    parse_single(config, components);
  else
    parse_sequences(config, components);
  if (config.contains("masks"))
    parse_masks(config, classes);
  else
    mapping_ = label_mapping_of(config, classes, origin);
  if (config.contains("raters")) parse_raters(config, classes);
  parse_label_threshold(config);
}

void GenericConverter::parse_single(const nlohmann::json& config,
                                    std::optional<std::size_t> components) {
  Sequence seq;
  if (config.contains("modality"))
    seq.modality = modality_value_of(config["modality"], origin_, "modality", kModalityExample);
  seq.components = components;
  sequences_.push_back(std::move(seq));
  if (config.contains("modality_rules")) parse_modality_rules(config);
}

void GenericConverter::parse_modality_rules(const nlohmann::json& config) {
  for_each_object(
      config, origin_, "modality_rules", kRuleKeys, "a modality rule",
      "must be a non-empty list of {\"modality\": \"ct_00\", \"case_number_max\": 500} rules "
      "(keys modality, case_number_min, case_number_max, path)",
      "must be an object {\"modality\": \"ct_00\", \"path\": \"CT/**\"}",
      [&](const nlohmann::json& r, const std::string& where) {
        if (!r.contains("modality")) fail_field(origin_, where, "lacks \"modality\"");
        ModalityRule rule;
        rule.modality =
            modality_value_of(r["modality"], origin_, where + ".modality", kModalityExample);
        if (r.contains("case_number_min"))
          rule.case_number_min = count_of(r["case_number_min"], origin_, where + ".case_number_min",
                                          0, "the smallest case number of the rule");
        if (r.contains("case_number_max"))
          rule.case_number_max = count_of(r["case_number_max"], origin_, where + ".case_number_max",
                                          0, "the largest case number of the rule");
        if (rule.case_number_min && rule.case_number_max &&
            *rule.case_number_min > *rule.case_number_max)
          fail_field(
              origin_, where,
              fmt::format("has case_number_min {} above case_number_max {}; no case could match",
                          *rule.case_number_min, *rule.case_number_max));
        if (r.contains("path")) {
          if (!r["path"].is_string())
            fail_field(origin_, where + ".path", "must be a glob of case paths such as \"MR/**\"");
          rule.path = glob_field(r["path"].get<std::string>(), origin_, where + ".path");
        }
        if (!rule.case_number_min && !rule.case_number_max && !rule.path)
          fail_field(
              origin_, where,
              "has no condition; give case_number_min, case_number_max or path (the fallback "
              "for every other case is the top-level \"modality\")");
        modality_rules_.push_back(std::move(rule));
      });
}

void GenericConverter::parse_sequences(const nlohmann::json& config,
                                       std::optional<std::size_t> components) {
  for_each_object(
      config, origin_, "sequences", kSequenceKeys, "a sequence",
      "must be a non-empty list of {\"image\": TEMPLATE, \"modality\": \"mr_t1\"}",
      "must be an object {\"image\": TEMPLATE, \"modality\": \"mr_t1\"}",
      [&](const nlohmann::json& entry, const std::string& where) {
        if (!entry.contains("modality")) fail_field(origin_, where, "lacks \"modality\"");
        Sequence seq{
            PathTemplate(required_string(entry, origin_, "image", "\"{dir}/{stem}_t1.nii.gz\"",
                                         where + ".image"),
                         fmt::format("{}: \"{}.image\"", origin_, where)),
            modality_value_of(entry["modality"], origin_, where + ".modality", kModalityExample),
            {},
            components,
            {},
            false};
        check_pattern(*seq.image, origin_, where + ".image");
        if (entry.contains("component")) {
          const auto& c = entry["component"];
          if (!c.is_number_integer() ||
              (c.is_number_integer() && !c.is_number_unsigned() && c.get<std::int64_t>() < 0))
            fail_field(
                origin_, where + ".component",
                fmt::format("is {}; give the component's index, a whole number from 0", c.dump()));
          seq.component = c.get<std::size_t>();
        }
        if (entry.contains("components"))
          seq.components = count_of(entry["components"], origin_, where + ".components", 1,
                                    "the number of components the sequence's file has");
        if (seq.component && seq.components && *seq.component >= *seq.components)
          fail_field(origin_, where + ".component",
                     fmt::format("is {}, but the file has {} components (0 to {})", *seq.component,
                                 *seq.components, *seq.components - 1));
        if (entry.contains("resample")) {
          const auto& r = entry["resample"];
          if (r != "linear")
            fail_field(origin_, where + ".resample",
                       fmt::format("is {}; the one way is \"linear\": the image is resampled with "
                                   "linear interpolation onto the label map's physical grid",
                                   r.dump()));
          seq.resample = true;
        }
        if (entry.contains("series")) {
          const auto& v = entry["series"];
          if (!v.is_string() || v.get<std::string>().empty())
            fail_field(origin_, where + ".series",
                       "must be a DICOM series: its Series Instance UID or a glob of its Series "
                       "Description, e.g. \"*T2*\"");
          seq.series = v.get<std::string>();
        }
        for (const auto& earlier : sequences_)
          if (earlier.modality == seq.modality)
            fail_field(
                origin_, where + ".modality",
                fmt::format("repeats \"{}\"; each sequence needs its own modality, or their image "
                            "names would collide",
                            seq.modality));
        sequences_.push_back(std::move(seq));
      });
}

void GenericConverter::parse_label_threshold(const nlohmann::json& config) {
  if (!config.contains("label_threshold")) return;
  if (raters_ || masks_)
    fail_field(origin_, "label_threshold",
               fmt::format("cannot be combined with \"{}\"", raters_ ? "raters" : "masks"));
  const auto& t = config["label_threshold"];
  if (!t.is_number() || !std::isfinite(t.get<double>()))
    fail_field(
        origin_, "label_threshold",
        fmt::format("is {}; give the grey level (e.g. 128) from which a label pixel counts as "
                    "foreground",
                    t.dump()));
  label_threshold_ = t.get<double>();
  for (const auto& c : mapping_->classes)
    for (const auto v : c.values)
      if (v != 1)
        fail_field(origin_, "labels",
                   fmt::format("maps the value {} to \"{}\", but with \"label_threshold\" a label "
                               "pixel is only 0 or 1; map \"1\"",
                               v, c.name));
}

std::string GenericConverter::layout() const {
  const bool components = std::any_of(sequences_.begin(), sequences_.end(),
                                      [](const Sequence& s) { return s.component.has_value(); });
  const bool union_of_files = label_.is_pattern() && !masks_;
  std::string label = "label map";
  if (raters_)
    label =
        fmt::format("label maps of {} raters ({})", raters_->files.size(), raters_->combine.text());
  else if (masks_)
    label = "mask file per class";
  // A label pattern may match one file (ISIC's split folders) or several (BUSI's extra masks).
  if (union_of_files && label_threshold_)
    label = "mask pattern (united, threshold)";
  else if (union_of_files)
    label = "mask pattern (united)";
  else if (label_threshold_)
    label = "lossy mask (threshold)";
  std::string images;
  if (components)
    images = "4D";
  else if (sequences_.size() > 1)
    images = "sequences";
  else if (label != "label map")
    images = "image";
  if (std::any_of(sequences_.begin(), sequences_.end(),
                  [](const Sequence& s) { return s.resample; }))
    images += images.empty() ? "resampled image" : " (resampled)";
  return images.empty() ? label : images + " + " + label;
}

std::vector<std::string> GenericConverter::modalities() const {
  std::vector<std::string> m;
  auto add = [&](const std::string& modality) {
    if (!modality.empty() && std::find(m.begin(), m.end(), modality) == m.end())
      m.push_back(modality);
  };
  for (const auto& r : modality_rules_) add(r.modality);
  for (const auto& s : sequences_) add(s.modality);
  return m;
}

std::vector<std::string> GenericConverter::details() const {
  std::vector<std::string> out;
  std::vector<std::string> resampled;
  for (const auto& s : sequences_)
    if (s.resample) resampled.push_back(s.modality);
  if (!resampled.empty())
    out.push_back(
        fmt::format("resampled: {} (linear interpolation onto the label map's grid; "
                    "the label is never interpolated)",
                    fmt::join(resampled, ", ")));
  if (mapping_->background != 0)
    out.push_back(
        fmt::format("background: {} (neither a class nor reported)", mapping_->background));
  if (raters_) {
    std::vector<std::string> names;
    for (const auto& [name, unused] : raters_->files) names.push_back(name);
    out.push_back(fmt::format("raters: {} ({}), at least {} a case, combined by {}", names.size(),
                              fmt::join(names, ", "), raters_->min_raters,
                              raters_->combine.text()));
  }
  if (masks_)
    out.push_back(fmt::format(
        "masks: one file per class, {} classes, {}", mapping_->classes.size(),
        masks_->majority ? "a class's files vote by majority" : "a class's files united"));
  return out;
}

void GenericConverter::parse_raters(const nlohmann::json& config, const ClassRegistry& classes) {
  (void)classes;
  const auto& r = config["raters"];
  check_keys(r, kRaterKeys, origin_, "raters.", "\"raters\"");
  Raters raters;
  for (const auto& [name, t] : r["files"].items()) {
    const std::string where = "raters.files." + name;
    if (!t.is_string())
      fail_field(origin_, where,
                 "must be a label file template such as \"{dir}/{stem}_mask1.nii\"");
    PathTemplate file(t.get<std::string>(), fmt::format("{}: \"{}\"", origin_, where));
    check_pattern(file, origin_, where);
    raters.files.emplace_back(name, std::move(file));
  }
  raters.min_raters = raters.files.size();
  if (r.contains("min_raters"))
    raters.min_raters = count_of(r["min_raters"], origin_, "raters.min_raters", 1,
                                 "the fewest raters a case must have");
  if (raters.min_raters > raters.files.size())
    fail_field(origin_, "raters.min_raters",
               fmt::format("is {}, but \"files\" names {} raters", raters.min_raters,
                           raters.files.size()));
  auto rule_of = [&](const nlohmann::json& v, const std::string& where) {
    const auto rule = v.is_string() ? RaterRule::parse(v.get<std::string>()) : std::nullopt;
    if (!rule)
      fail_field(origin_, where,
                 fmt::format("is {}; give \"union\", \"majority\" (more than half of the "
                             "case's raters) or \"rater:NAME\" (one rater of \"files\")",
                             v.dump()));
    if (rule->kind == RaterRule::Kind::Rater &&
        std::none_of(raters.files.begin(), raters.files.end(),
                     [&](const auto& f) { return f.first == rule->rater; }))
      fail_field(
          origin_, where,
          fmt::format("names rater \"{}\", which \"raters.files\" does not have", rule->rater));
    return *rule;
  };
  if (!r.contains("combine"))
    fail_field(origin_, "raters.combine",
               "is missing; give \"union\", \"majority\" or \"rater:NAME\"");
  raters.combine = rule_of(r["combine"], "raters.combine");
  if (r.contains("per_class")) {
    const auto& per = r["per_class"];
    if (!per.is_object())
      fail_field(origin_, "raters.per_class",
                 "must be an object of class name -> \"union\", \"majority\" or \"rater:NAME\"");
    for (const auto& item : per.items()) {
      const std::string name = item.key();  // a lambda cannot capture a structured binding
      const auto rule = rule_of(item.value(), "raters.per_class." + name);
      const auto it = std::find_if(mapping_->classes.begin(), mapping_->classes.end(),
                                   [&](const ClassDef& c) { return c.name == name; });
      if (it == mapping_->classes.end())
        fail_field(origin_, "raters.per_class",
                   fmt::format("names \"{}\", which is not a class of \"labels\"", name));
      for (const auto v2 : it->values) raters.per_value[v2] = rule;
    }
  }
  // A value votes for its smallest class (a label class, not a union holding it).
  std::vector<std::size_t> order(mapping_->classes.size());
  for (std::size_t c = 0; c < order.size(); ++c) order[c] = c;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return mapping_->classes[a].values.size() < mapping_->classes[b].values.size();
  });
  for (const auto c : order)
    for (const auto v : mapping_->classes[c].values)
      raters.class_of.emplace(v, static_cast<int>(c));
  raters_ = std::move(raters);
}

void GenericConverter::parse_masks(const nlohmann::json& config, const ClassRegistry& classes) {
  const auto& m = config["masks"];
  check_keys(m, kMaskKeys, origin_, "masks.", "\"masks\"");
  if (config.contains("labels"))
    fail_field(origin_, "labels",
               "and \"masks\" are both given; with \"masks\" each mask file is one class, "
               "named in \"masks.classes\"");
  const auto& list = m.contains("classes") ? m["classes"] : nlohmann::json();
  if (!list.is_object() || list.empty())
    fail_field(origin_, "masks.classes",
               "must be a non-empty object of path glob -> class name, e.g. "
               "{\"**/leftMask/*\": \"left_lung\"}");
  std::vector<std::string> names;
  for (const auto& [glob, name] : list.items()) {
    if (name.is_null()) continue;  // files that are known and no class (EndoVis's Other_labels)
    if (!name.is_string())
      fail_field(origin_, "masks.classes",
                 fmt::format("maps \"{}\" to {}; give a class name, or null for files that "
                             "are no class",
                             glob, name.dump()));
    names.push_back(name.get<std::string>());
  }
  if (names.empty())
    fail_field(origin_, "masks.classes", "names no class; map at least one glob to a class name");
  check_class_names(names, classes, origin_, " of \"masks.classes\"");
  // One bit per distinct class, in registry id order.
  std::sort(names.begin(), names.end(), [&](const std::string& a, const std::string& b) {
    return *classes.id_of(a) < *classes.id_of(b);
  });
  names.erase(std::unique(names.begin(), names.end()), names.end());
  if (names.size() > kMaxMaskClasses)
    fail_field(origin_, "masks.classes",
               fmt::format("names {} classes; at most {} fit", names.size(), kMaxMaskClasses));
  const auto bits = static_cast<unsigned>(names.size());
  Masks masks{label_, {}};
  for (const auto& [glob, name] : list.items()) {
    std::optional<unsigned> bit;
    if (!name.is_null())
      bit = static_cast<unsigned>(std::find(names.begin(), names.end(), name.get<std::string>()) -
                                  names.begin());
    masks.classes.push_back({glob_field(glob, origin_, "masks.classes"), glob, bit});
  }
  std::map<std::string, std::vector<std::int64_t>> values_of;
  for (unsigned b = 0; b < bits; ++b) values_of[names[b]] = values_with_bit(b, bits);
  if (config.contains("unions")) {
    const auto& unions = config["unions"];
    if (!unions.is_object())
      fail_field(origin_, "unions", "must be an object of class name -> list of mask classes");
    for (const auto& [name, members] : unions.items()) {
      if (!members.is_array() || members.empty() || values_of.count(name))
        fail_field(origin_, "unions",
                   fmt::format("\"{}\" must be a new class name with a non-empty list of classes "
                               "of \"masks.classes\"",
                               name));
      std::vector<std::int64_t> values;
      for (const auto& member : members) {
        const auto it =
            member.is_string() ? values_of.find(member.get<std::string>()) : values_of.end();
        if (it == values_of.end())
          fail_field(origin_, "unions",
                     fmt::format("\"{}\" lists {}, which is not a class of \"masks.classes\"", name,
                                 member.dump()));
        values.insert(values.end(), it->second.begin(), it->second.end());
      }
      values_of.emplace(name, std::move(values));
    }
  }
  if (m.contains("combine")) {
    if (m["combine"] != "union" && m["combine"] != "majority")
      fail_field(origin_, "masks.combine",
                 fmt::format("is {}; give \"union\" (the default: any file of a class) or "
                             "\"majority\" (more than half of a class's files, e.g. raters)",
                             m["combine"].dump()));
    masks.majority = m["combine"] == "majority";
  }
  mapping_ = mapping_of_values(std::move(values_of), classes, origin_);
  masks_ = std::move(masks);
}

}  // namespace samed2d
