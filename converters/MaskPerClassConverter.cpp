#include "converters/MaskPerClassConverter.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string_view>
#include <utility>

#include "converters/layout/ConfigFields.hpp"
#include "pipeline/core/ClassRegistry.hpp"
#include "pipeline/core/Errors.hpp"
#include "pipeline/core/JsonFile.hpp"
#include "pipeline/io/VolumeReader.hpp"

namespace samed2d {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kMaskField = "{mask}";

const std::vector<std::string_view> kKeys{"dataset", "converter", "description",
                                          "cases",   "case_name", "modality",
                                          "mask",    "masks",     "versions"};

bool has_pattern_char(std::string_view s) {
  return s.find_first_of("{}*?[]\\") != s.npos;
}

// "a.nii.gz, b.nii.gz, c.nii.gz and 7 more": enough to act on, short enough for one line.
std::string short_list(const std::vector<std::string>& names, std::size_t shown = 6) {
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < shown; ++i)
    out += (i == 0 ? "" : ", ") + names[i];
  if (names.size() > shown) out += fmt::format(" and {} more", names.size() - shown);
  return out;
}

std::string size_text(const std::array<std::size_t, 3>& s) {
  return fmt::format("{}x{}x{}", s[0], s[1], s[2]);
}

// macOS leaves these beside unzipped files; they are never masks and never worth a warning.
bool is_debris(const std::string& name) {
  return name.rfind("._", 0) == 0 || name == ".DS_Store" || name == "__MACOSX";
}

}  // namespace

MaskPerClassConverter::MaskPerClassConverter(const nlohmann::json& config,
                                             const ClassRegistry& classes,
                                             const std::string& origin)
    : Converter(origin, dataset_of(checked_config(config, origin, kKeys, "mask_per_class", false),
                                   origin, "\"Totalsegmentator_dataset\"")),
      cases_(glob_field(
          required_string(config, origin, "cases", "\"**/s[0-9][0-9][0-9][0-9]/ct.nii.gz\""),
          origin, "cases")),
      case_name_(config.contains("case_name")
                     ? PathTemplate(required_string(config, origin, "case_name", "\"{parent}\""),
                                    fmt::format("{}: \"case_name\"", origin))
                     : PathTemplate("{parent}", "case_name")),
      modality_(modality_of(config, origin, "\"ct_00\"")),
      mask_text_(required_string(config, origin, "mask", "\"{dir}/segmentations/{mask}.nii.gz\"")),
      mask_folder_("{dir}", "mask") {
  // "mask": FOLDER_TEMPLATE/PREFIX{mask}SUFFIX, with a literal file name around {mask}, so that
  // a case's mask files are exactly the files of one folder with that prefix and suffix.
  const auto at = mask_text_.find(kMaskField);
  const auto slash = mask_text_.rfind('/');
  if (at == std::string::npos || mask_text_.find(kMaskField, at + 1) != std::string::npos ||
      slash == std::string::npos || slash == 0 || slash > at)
    fail_field(origin, "mask",
               fmt::format("is \"{}\"; give the folder of a case's masks and their file name with "
                           "{{mask}} (the key of \"masks\") once in it, e.g. "
                           "\"{{dir}}/segmentations/{{mask}}.nii.gz\"",
                           mask_text_));
  mask_prefix_ = mask_text_.substr(slash + 1, at - slash - 1);
  mask_suffix_ = mask_text_.substr(at + kMaskField.size());
  if (has_pattern_char(mask_prefix_) || has_pattern_char(mask_suffix_))
    fail_field(origin, "mask",
               fmt::format("is \"{}\"; the file name around {{mask}} must be literal (no "
                           "placeholders, braces or wildcards); placeholders go in the folder part",
                           mask_text_));
  mask_folder_ = PathTemplate(mask_text_.substr(0, slash), fmt::format("{}: \"mask\"", origin));

  // "masks": key -> class name.
  if (!config.contains("masks") || !config["masks"].is_object() || config["masks"].empty())
    fail_field(origin, "masks",
               "must be a non-empty object of mask key -> class name, e.g. {\"kidney_right\": "
               "\"right_kidney\"}");
  std::map<std::string, std::string> class_of;
  for (const auto& [key, name] : config["masks"].items()) {
    if (key.empty() || key.find('/') != std::string::npos || key.find('\0') != std::string::npos)
      fail_field(origin, "masks",
                 fmt::format("has the key \"{}\"; a mask key is a file name piece (no '/')", key));
    if (!name.is_string() || name.get<std::string>().empty())
      fail_field(origin, "masks",
                 fmt::format("maps \"{}\" to {}; give a class name string", key, name.dump()));
    class_of[key] = name.get<std::string>();
  }
  std::vector<std::string> names;
  for (const auto& [key, name] : class_of) names.push_back(name);
  check_class_names(std::move(names), classes, origin, " of \"masks\"");

  // "versions": name -> the exact key list of that release, in label value order.
  if (!config.contains("versions") || !config["versions"].is_object() || config["versions"].empty())
    fail_field(
        origin, "versions",
        "must be a non-empty object of version name -> list of the mask keys of that release "
        "in label order, e.g. {\"v1\": [\"spleen\", \"kidney_right\", ...]}");
  std::vector<std::string_view> mask_keys;
  for (const auto& [key, unused] : class_of) mask_keys.push_back(key);
  std::set<std::string> used;
  std::vector<std::set<std::string>> key_sets;
  for (const auto& [version, list] : config["versions"].items()) {
    const std::string where = fmt::format("versions.{}", version);
    if (version.empty()) fail_field(origin, "versions", "has an empty version name");
    if (!list.is_array() || list.empty())
      fail_field(origin, where, "must be a non-empty list of mask keys of \"masks\"");
    if (list.size() > std::numeric_limits<std::uint16_t>::max())
      fail_field(origin, where,
                 fmt::format("has {} keys; at most 65535 are supported", list.size()));
    Version v{version, {}, {}};
    std::set<std::string> seen;
    std::map<std::string, std::vector<std::int64_t>> values_of;  // class -> label values
    for (const auto& entry : list) {
      if (!entry.is_string())
        fail_field(origin, where, fmt::format("lists {}; give mask key strings", entry.dump()));
      const auto key = entry.get<std::string>();
      const auto cls = class_of.find(key);
      if (cls == class_of.end())
        fail_field(
            origin, where,
            fmt::format("lists \"{}\", which is not a key of \"masks\"{}; add it to \"masks\" "
                        "with its class name",
                        key, did_you_mean(key, mask_keys)));
      if (!seen.insert(key).second)
        fail_field(origin, where, fmt::format("lists \"{}\" twice; each key names one file", key));
      v.keys.push_back(key);
      values_of[cls->second].push_back(static_cast<std::int64_t>(v.keys.size()));
      used.insert(key);
    }
    for (std::size_t i = 0; i < key_sets.size(); ++i)
      if (key_sets[i] == seen)
        fail_field(
            origin, where,
            fmt::format("has the same keys as version \"{}\"; a case could not tell them apart",
                        versions_[i].name));
    key_sets.push_back(std::move(seen));
    auto mapping = std::make_shared<LabelMapping>();
    for (auto& [name, values] : values_of)
      mapping->classes.push_back({name, *classes.id_of(name), *classes.id_text_of(name), values});
    std::sort(mapping->classes.begin(), mapping->classes.end(),
              [](const ClassDef& a, const ClassDef& b) { return a.id < b.id; });
    v.mapping = std::move(mapping);
    versions_.push_back(std::move(v));
  }
  for (const auto& [key, unused] : class_of)
    if (!used.count(key))
      fail_field(origin, "masks",
                 fmt::format("has \"{}\", which no version lists; add it to its version in "
                             "\"versions\" or remove it",
                             key));
}

std::vector<CaseSpec> MaskPerClassConverter::cases_under(const fs::path& input_root,
                                                         Glob::Walk& seen) const {
  std::error_code ec;
  const std::string root_name = root_name_of(input_root);
  std::map<std::string, std::string> taken;  // case name -> the earlier case's source

  std::vector<CaseSpec> cases;
  for (const auto& rel : cases_.find_cases(input_root, &seen)) {
    CaseSpec spec = one_image_case(rel, case_name_.render(rel, root_name),
                                   (input_root / rel).lexically_normal(), modality_);
    const fs::path folder = (input_root / mask_folder_.render(rel, root_name)).lexically_normal();
    spec.label = folder;  // names the case's masks in messages and records

    auto set_error = [&](std::string line) {
      if (spec.discovery_error.empty()) spec.discovery_error = std::move(line);
    };
    if (spec.name.empty())
      set_error(fmt::format(
          "{}: the case name template \"{}\" gives an empty name; give the config a case_name "
          "template that names every case",
          rel, case_name_.text()));
    else if (const auto [it, fresh] = taken.emplace(spec.name, rel); !fresh)
      set_error(fmt::format(
          "{}: case name '{}' collides with {}; convert the two folders separately (another "
          "--input) or give the config a case_name template that tells them apart",
          rel, spec.name, it->second));

    // The mask files present: prefix + key + suffix.
    std::set<std::string> present;
    std::vector<std::string> ignored;
    if (!fs::is_directory(folder, ec)) {
      set_error(fmt::format(
          "{}: the mask folder of {} is missing; extract the case's masks there (the config's "
          "\"mask\" is \"{}\") or remove the case",
          folder.string(), spec.sequences[0].image.string(), mask_text_));
    } else {
      for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (is_debris(name)) continue;
        std::error_code fec;
        const bool file = fs::is_regular_file(it->path(), fec);
        if (file && name.size() > mask_prefix_.size() + mask_suffix_.size() &&
            name.compare(0, mask_prefix_.size(), mask_prefix_) == 0 &&
            name.compare(name.size() - mask_suffix_.size(), mask_suffix_.size(), mask_suffix_) == 0)
          present.insert(name.substr(mask_prefix_.size(),
                                     name.size() - mask_prefix_.size() - mask_suffix_.size()));
        else
          ignored.push_back(name);
      }
      if (ec)
        set_error(fmt::format("{}: cannot list the mask folder ({}); check its permissions",
                              folder.string(), ec.message()));
    }
    std::sort(ignored.begin(), ignored.end());
    if (!ignored.empty())
      spec.warnings.push_back(fmt::format(
          "{}: {} entr{} not named {}KEY{} ignored: {}", folder.string(), ignored.size(),
          ignored.size() == 1 ? "y" : "ies", mask_prefix_, mask_suffix_, short_list(ignored)));

    // Exactly one version's key set, or the case fails naming the closest version's difference.
    const Version* version = nullptr;
    if (spec.discovery_error.empty()) {
      std::size_t best_diff = std::numeric_limits<std::size_t>::max();
      std::vector<std::string> best_missing, best_unexpected;
      const Version* best = nullptr;
      for (const auto& v : versions_) {
        std::vector<std::string> missing, unexpected;
        std::set<std::string> wanted(v.keys.begin(), v.keys.end());
        for (const auto& key : v.keys)
          if (!present.count(key)) missing.push_back(mask_prefix_ + key + mask_suffix_);
        for (const auto& key : present)
          if (!wanted.count(key)) unexpected.push_back(mask_prefix_ + key + mask_suffix_);
        if (missing.empty() && unexpected.empty()) {
          version = &v;
          break;
        }
        if (missing.size() + unexpected.size() < best_diff) {
          best_diff = missing.size() + unexpected.size();
          best = &v;
          best_missing = std::move(missing);
          best_unexpected = std::move(unexpected);
        }
      }
      if (version == nullptr) {
        std::string diff;
        if (!best_missing.empty())
          diff += fmt::format("{} missing ({})", best_missing.size(), short_list(best_missing));
        if (!best_unexpected.empty())
          diff += fmt::format("{}{} unexpected ({})", diff.empty() ? "" : ", ",
                              best_unexpected.size(), short_list(best_unexpected));
        set_error(fmt::format(
            "{}: the mask files are not exactly those of {}; against {} ({} masks): {}; "
            "re-extract the case from the dataset archive (a partial unzip?), or if the files "
            "are right, add their keys to \"masks\" and \"versions\" of {}",
            folder.string(),
            versions_.size() == 1 ? fmt::format("version {}", versions_[0].name)
                                  : std::string("any one version"),
            best->name, best->keys.size(), diff, origin_));
      }
    }

    if (version != nullptr) {
      spec.mapping = version->mapping;
      for (const auto& key : version->keys)
        spec.extra_sources.push_back(folder / (mask_prefix_ + key + mask_suffix_));
      auto files = std::make_shared<const std::vector<fs::path>>(spec.extra_sources);
      spec.assemble_label = [files](const ImageGrid& image, std::vector<std::string>& warnings) {
        return assemble_masks(*files, image, warnings);
      };
    } else {
      // The pipeline reports the discovery error; a mapping keeps the record well-formed.
      spec.mapping = versions_.front().mapping;
    }
    cases.push_back(std::move(spec));
  }
  return cases;
}

Volume MaskPerClassConverter::assemble_masks(const std::vector<fs::path>& files,
                                             const ImageGrid& image,
                                             std::vector<std::string>& warnings) {
  if (files.empty()) throw InputError("assemble_masks: a case without mask files");
  if (files.size() > std::numeric_limits<std::uint16_t>::max())
    throw InputError(fmt::format("{}: {} masks are more than a uint16 label map holds",
                                 files.front().parent_path().string(), files.size()));
  const fs::path folder = files.front().parent_path();
  const bool wide = files.size() > std::numeric_limits<std::uint8_t>::max();

  Volume label;
  std::string reference = image.file.string();
  std::array<std::size_t, 3> size = image.size;
  Geometry geometry = image.geometry;
  bool have_grid = !image.file.empty();
  std::vector<std::string> off_grid;                        // mask names
  std::map<std::string, std::vector<std::string>> grouped;  // reader warning -> mask names

  for (std::size_t index = 0; index < files.size(); ++index) {
    const auto& file = files[index];
    std::vector<std::string> read_warnings;
    Volume mask = read_label_volume(file, read_warnings);
    const std::string prefix = file.string() + ": ";
    for (auto& w : read_warnings) {
      // The same oddity in every mask of a case (e.g. a non-orthonormal sform) is one line.
      if (w.rfind(prefix, 0) == 0)
        grouped[w.substr(prefix.size())].push_back(file.filename().string());
      else
        warnings.push_back(std::move(w));
    }
    if (mask.components() != 1)
      throw InputError(fmt::format(
          "{}: a mask has {} components; a mask per class must be one binary volume, so "
          "re-extract the file from the dataset archive",
          file.string(), mask.components()));
    if (!have_grid) {
      size = mask.size();
      geometry = mask.geometry;
      reference = file.string();
      have_grid = true;
    }
    if (mask.size() != size)
      throw InputError(fmt::format(
          "{}: mask is {} but {} is {}; every mask of a case must be on its image's grid "
          "(slicing is by index), so re-extract the case or remove it",
          file.string(), size_text(mask.size()), reference, size_text(size)));
    if (!same_geometry(mask.geometry, geometry)) off_grid.push_back(file.filename().string());
    if (index == 0) {
      label = Volume(wide ? VoxelType::UInt16 : VoxelType::UInt8, size, 1, false);
      label.geometry = geometry;
      label.stored_dimensions = mask.stored_dimensions;
      std::fill_n(static_cast<std::uint8_t*>(label.raw()), label.byte_size(), std::uint8_t{0});
    }
    const std::size_t n = label.voxel_count();
    auto paint = [&](auto* out, auto value) {
      mask.visit([&](const auto* in) {
        for (std::size_t i = 0; i < n; ++i)
          if (in[i] > 0) out[i] = value;
      });
    };
    if (wide)
      paint(label.data<std::uint16_t>(), static_cast<std::uint16_t>(index + 1));
    else
      paint(label.data<std::uint8_t>(), static_cast<std::uint8_t>(index + 1));
  }
  for (const auto& [text, names] : grouped)
    warnings.push_back(names.size() == 1
                           ? fmt::format("{}: {}", (folder / names.front()).string(), text)
                           : fmt::format("{}: {} masks ({}): {}", folder.string(), names.size(),
                                         short_list(names, 3), text));
  if (!off_grid.empty())
    warnings.push_back(fmt::format(
        "{}: origin, spacing or direction of {} mask(s) ({}) differs from {}; converted anyway "
        "since slicing is by index",
        folder.string(), off_grid.size(), short_list(off_grid), reference));
  return label;
}

}  // namespace samed2d
