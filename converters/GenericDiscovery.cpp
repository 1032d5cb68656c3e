// The generic converter's discovery: the cases a config's glob matches, each case's files
// found by the config's templates (GenericConverter.hpp).
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <limits>
#include <map>
#include <set>
#include <string_view>
#include <utility>

#include "converters/GenericConverter.hpp"
#include "converters/layout/ConfigFields.hpp"
#include "pipeline/core/Errors.hpp"
#include "pipeline/core/Naming.hpp"

namespace samed2d {

namespace fs = std::filesystem;

namespace {

// The twin of a NIfTI file name: "x.nii" <-> "x.nii.gz"; empty for other names.
std::string nifti_twin(const std::string& name) {
  auto ends_with = [&](std::string_view suffix) {
    return name.size() > suffix.size() &&
           name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (ends_with(".nii.gz")) return name.substr(0, name.size() - 3);
  if (ends_with(".nii")) return name + ".gz";
  return {};
}

// Drops every "x.nii" of `rels` (sorted relative paths) that has "x.nii.gz" beside it; returns
// (kept .nii.gz, dropped .nii) pairs.
std::vector<std::pair<std::string, std::string>> drop_nifti_twins(std::vector<std::string>& rels) {
  std::vector<std::pair<std::string, std::string>> dropped;
  const std::set<std::string> all(rels.begin(), rels.end());
  std::vector<std::string> kept;
  for (auto& rel : rels) {
    const auto twin = nifti_twin(rel);
    if (!twin.empty() && twin.size() > rel.size() && all.count(twin)) {
      dropped.emplace_back(twin, rel);
      continue;
    }
    kept.push_back(std::move(rel));
  }
  rels = std::move(kept);
  return dropped;
}

std::string twin_warning(const fs::path& root, const std::string& kept,
                         const std::string& dropped) {
  return fmt::format(
      "{}: ignored, since {} beside it has the same name (NIfTI twins); {} is read instead, so "
      "delete one of the two if they differ",
      (root / dropped).lexically_normal().string(), fs::path(kept).filename().string(),
      fs::path(kept).filename().string());
}

// The last run of digits of a case name ("amos_0507" -> 507); none when it has no digit. A run
// too long for 64 bits counts as the largest number.
std::optional<std::uint64_t> case_number_of(std::string_view name) {
  const auto last = name.find_last_of("0123456789");
  if (last == std::string_view::npos) return std::nullopt;
  auto first = last;
  while (first > 0 && name[first - 1] >= '0' && name[first - 1] <= '9') --first;
  std::uint64_t n = 0;
  const auto [end, ec] = std::from_chars(name.data() + first, name.data() + last + 1, n);
  if (ec != std::errc()) return std::numeric_limits<std::uint64_t>::max();
  return n;
}

std::string root_parent_name_of(const fs::path& root) {
  fs::path p = fs::absolute(root).lexically_normal();
  if (p.filename().empty()) p = p.parent_path();
  return p.parent_path().filename().string();
}

}  // namespace

std::string GenericConverter::modality_for(const std::string& rel,
                                           const std::string& case_name) const {
  const auto number = case_number_of(case_name);
  for (const auto& r : modality_rules_) {
    if ((r.case_number_min || r.case_number_max) && !number) continue;
    if (r.case_number_min && *number < *r.case_number_min) continue;
    if (r.case_number_max && *number > *r.case_number_max) continue;
    if (r.path && !r.path->matches(rel)) continue;
    return r.modality;
  }
  return sequences_.front().modality;
}

std::vector<fs::path> GenericConverter::resolve(const PathTemplate& t, const std::string& rel,
                                                const Root& root, CaseSpec& spec,
                                                std::string& error) const {
  if (!t.is_pattern()) {
    fs::path p = (root.path / t.render(rel, root.name, root.parent_name)).lexically_normal();
    std::error_code ec;
    if (!fs::exists(p, ec)) {
      const auto twin = nifti_twin(p.filename().string());
      if (!twin.empty() && fs::exists(p.parent_path() / twin, ec)) p = p.parent_path() / twin;
    }
    return {p};
  }
  const std::string pattern = t.render_pattern(rel, root.name, root.parent_name);
  std::vector<std::string> found;
  try {
    found = Glob(pattern, Glob::Options{true}).find(root.path, root.seen);
  } catch (const ConfigError& e) {
    error = fmt::format("{}: the template \"{}\" gives a pattern that cannot be used: {}", rel,
                        t.text(), e.what());
    return {};
  }
  for (const auto& [kept, dropped] : drop_nifti_twins(found))
    spec.warnings.push_back(twin_warning(root.path, kept, dropped));
  std::vector<fs::path> out;
  for (const auto& f : found) out.push_back((root.path / f).lexically_normal());
  return out;
}

std::vector<std::string> GenericConverter::case_files(const Root& root) const {
  std::vector<std::string> found = cases_.find_cases(root.path, root.seen);
  found.erase(std::remove_if(found.begin(), found.end(),
                             [&](const std::string& rel) { return excluded(exclude_, rel); }),
              found.end());
  if (unless_exists_)
    found.erase(
        std::remove_if(found.begin(), found.end(),
                       [&](const std::string& rel) {
                         CaseSpec unused;
                         std::string error;
                         const auto files = resolve(*unless_exists_, rel, root, unused, error);
                         std::error_code ec;
                         return std::any_of(files.begin(), files.end(),
                                            [&](const fs::path& f) { return fs::exists(f, ec); });
                       }),
        found.end());
  return found;
}

SequenceSpec GenericConverter::sequence_of(std::size_t i, const std::string& rel, const Root& root,
                                           CaseSpec& spec, std::string& error) const {
  const auto& seq = sequences_[i];
  SequenceSpec s;
  s.image = (root.path / rel).lexically_normal();
  s.modality = seq.modality;
  s.component = seq.component;
  s.expected_components = seq.components;
  s.dicom_series = seq.series;
  s.resample_to_label = seq.resample;
  if (!modality_rules_.empty()) {
    s.modality = modality_for(rel, spec.name);
    if (s.modality.empty() && error.empty()) {
      const auto number = case_number_of(spec.name);
      error = fmt::format(
          "{}: no rule of \"modality_rules\" matches this case ({}) and the config has no "
          "fallback \"modality\"; add a rule for it or a \"modality\"",
          rel,
          number ? fmt::format("case number {}", *number) : std::string("its name has no digits"));
    }
  }
  if (!seq.image) return s;
  const auto files = resolve(*seq.image, rel, root, spec, error);
  if (!files.empty()) s.image = files.front();
  if (!seq.image->is_pattern() || !error.empty() || files.size() == 1) return s;
  const std::string where = fmt::format("sequences[{}].image", i);
  if (files.empty()) {
    error = fmt::format(
        "{}: no file matches the {} template \"{}\" (looked for {}); the case lacks this "
        "sequence, or the template needs fixing",
        rel, where, seq.image->text(),
        (root.path / seq.image->render(rel, root.name, root.parent_name))
            .lexically_normal()
            .string());
    return s;
  }
  std::vector<std::string> shown;
  for (std::size_t k = 0; k < files.size() && k < 3; ++k) shown.push_back(files[k].string());
  if (files.size() > 3) shown.emplace_back("...");
  error = fmt::format(
      "{}: {} files match the {} template \"{}\" ({}); a sequence image must be one "
      "file, so make the template more specific",
      rel, files.size(), where, seq.image->text(), fmt::join(shown, ", "));
  return s;
}

void GenericConverter::set_label(const std::string& rel, const Root& root, CaseSpec& spec,
                                 std::string& error) const {
  if (raters_) {
    set_rater_label(rel, root, spec, error);
    return;
  }
  if (masks_) {
    set_mask_label(rel, root, spec, error);
    return;
  }
  const auto labels = resolve(label_, rel, root, spec, error);
  if (labels.empty()) {
    spec.label = (root.path / label_.render(rel, root.name, root.parent_name)).lexically_normal();
    if (error.empty())
      error = fmt::format(
          "{}: no file matches the label template \"{}\" (looked for {}); the case has no "
          "label map, or the template needs fixing",
          rel, label_.text(), spec.label.string());
    return;
  }
  spec.label = labels.front();
  spec.extra_sources.assign(labels.begin() + 1, labels.end());
  if (labels.size() > 1 || label_threshold_)
    spec.assemble_label = [labels, threshold = label_threshold_](const ImageGrid&,
                                                                 std::vector<std::string>&) {
      return combine_label_files(labels, threshold);
    };
}

std::vector<CaseSpec> GenericConverter::cases_under(const fs::path& input_root,
                                                    Glob::Walk& seen) const {
  const Root root{input_root, root_name_of(input_root), root_parent_name_of(input_root), &seen};
  std::vector<std::string> found = case_files(root);
  std::map<std::string, std::vector<std::string>> twin_warnings;  // kept case -> warnings
  for (const auto& [kept, dropped] : drop_nifti_twins(found))
    twin_warnings[kept].push_back(twin_warning(input_root, kept, dropped));

  struct Taken {
    std::string source;
    std::vector<std::string> modalities;
  };
  std::map<std::string, std::vector<Taken>> taken;  // case name -> earlier cases
  std::vector<CaseSpec> cases;
  for (const auto& rel : found) {
    CaseSpec spec;
    spec.dataset = dataset_;
    spec.source = rel;
    spec.name = sanitize_case_name(case_name_.render(rel, root.name, root.parent_name));
    spec.mapping = mapping_;
    if (auto it = twin_warnings.find(rel); it != twin_warnings.end()) spec.warnings = it->second;
    std::string error;
    for (std::size_t i = 0; i < sequences_.size(); ++i)
      spec.sequences.push_back(sequence_of(i, rel, root, spec, error));
    set_label(rel, root, spec, error);

    if (error.empty() && spec.name.empty())
      error = fmt::format(
          "{}: the case name template \"{}\" gives an empty name; give the config a case_name "
          "template that names every case",
          rel, case_name_.text());
    if (error.empty()) {
      auto& earlier_cases = taken[spec.name];
      for (const auto& earlier : earlier_cases) {
        const bool shared =
            std::any_of(spec.sequences.begin(), spec.sequences.end(), [&](const SequenceSpec& s) {
              return std::find(earlier.modalities.begin(), earlier.modalities.end(), s.modality) !=
                     earlier.modalities.end();
            });
        if (shared) {
          error = fmt::format(
              "{}: case name '{}' collides with {}; give the config a case_name template that "
              "tells them apart",
              rel, spec.name, earlier.source);
          break;
        }
      }
      if (error.empty()) {
        Taken t{rel, {}};
        for (const auto& s : spec.sequences) t.modalities.push_back(s.modality);
        earlier_cases.push_back(std::move(t));
      }
    }
    spec.discovery_error = std::move(error);
    cases.push_back(std::move(spec));
  }
  return cases;
}

void GenericConverter::set_rater_label(const std::string& rel, const Root& root, CaseSpec& spec,
                                       std::string& error) const {
  std::vector<RaterFile> files;
  for (const auto& [name, t] : raters_->files) {
    const auto found = resolve(t, rel, root, spec, error);
    RaterFile f{name,
                found.empty()
                    ? (root.path / t.render(rel, root.name, root.parent_name)).lexically_normal()
                    : found.front(),
                true};
    std::error_code ec;
    f.present = !found.empty() && fs::exists(f.file, ec);
    if (found.size() > 1 && error.empty())
      error = fmt::format("{}: {} files match rater {}'s template \"{}\"; a rater has one file",
                          rel, found.size(), name, t.text());
    files.push_back(std::move(f));
  }
  spec.label = files.front().file;
  for (const auto& f : files) {
    if (!f.present) continue;
    if (spec.label == files.front().file && !files.front().present)
      spec.label = f.file;
    else if (f.file != spec.label)
      spec.extra_sources.push_back(f.file);
  }
  if (std::none_of(files.begin(), files.end(), [](const RaterFile& f) { return f.present; }) &&
      error.empty())
    error = fmt::format(
        "{}: no rater's label file exists (looked for {}); the case has no label, or the "
        "\"raters\" templates need fixing",
        rel, files.front().file.string());
  std::string recipe =
      fmt::format("raters min {} combine {}", raters_->min_raters, raters_->combine.text());
  for (const auto& [value, rule] : raters_->per_value)
    recipe += fmt::format("; {} {}", value, rule.text());
  spec.label_recipe = std::move(recipe);
  spec.assemble_label = [files, r = *raters_, background = mapping_->background](
                            const ImageGrid&, std::vector<std::string>&) {
    return combine_raters(files, r.min_raters, r.combine, r.per_value, r.class_of, background);
  };
}

void GenericConverter::set_mask_label(const std::string& rel, const Root& root, CaseSpec& spec,
                                      std::string& error) const {
  const auto found = resolve(masks_->files, rel, root, spec, error);
  std::vector<ClassMaskFile> masks;
  for (const auto& file : found) {
    const std::string mask_rel =
        file.lexically_relative(root.path.lexically_normal()).generic_string();
    std::vector<const MaskClass*> hits;
    for (const auto& c : masks_->classes)
      if (c.path.matches(mask_rel)) hits.push_back(&c);
    if (hits.empty()) {
      spec.warnings.push_back(
          fmt::format("{}: no pattern of \"masks.classes\" names this mask file's class; it is "
                      "not written (add a pattern for it if it is a class)",
                      file.string()));
      continue;
    }
    if (hits.size() > 1 && error.empty())
      error = fmt::format(
          "{}: mask file {} matches the patterns \"{}\" and \"{}\" of \"masks.classes\"; "
          "make them tell the classes apart",
          rel, file.string(), hits[0]->pattern, hits[1]->pattern);
    if (hits.front()->bit) masks.push_back({file, *hits.front()->bit});
  }
  spec.label =
      masks.empty()
          ? (root.path / masks_->files.render(rel, root.name, root.parent_name)).lexically_normal()
          : masks.front().file;
  for (std::size_t i = 1; i < masks.size(); ++i) spec.extra_sources.push_back(masks[i].file);
  if (masks.empty() && error.empty())
    error = fmt::format(
        "{}: no class mask file matches \"masks.files\" \"{}\" and a class pattern; the case "
        "has no label, or the templates need fixing",
        rel, masks_->files.text());
  std::string recipe = masks_->majority ? "masks majority" : "masks";
  for (const auto& m : masks) recipe += fmt::format("; {} bit {}", m.file.string(), m.bit);
  spec.label_recipe = std::move(recipe);
  spec.assemble_label = [masks, majority = masks_->majority](const ImageGrid&,
                                                             std::vector<std::string>&) {
    return assemble_class_masks(masks, majority);
  };
}

}  // namespace samed2d
