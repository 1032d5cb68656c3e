#pragma once
// The generic converter: the dataset config of SPEC section 8, for every layout where each
// matching file is one case and the other files of the case are found by templates. Beyond
// SPEC section 8 it takes brace alternatives and wildcards in templates, `exclude`,
// `modality_rules`, label value ranges ("1..5"), `label_threshold`, `components`, a sequence's
// `series` and the {grandparent} placeholder (README "Dataset configs").

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "converters/Converter.hpp"
#include "converters/layout/Glob.hpp"
#include "converters/layout/LabelAssembly.hpp"
#include "converters/layout/PathTemplate.hpp"

namespace samed2d {

class GenericConverter : public Converter {
 public:
  // Validates the whole config: unknown keys (with a suggestion for typos), templates, the
  // pattern, modalities and every class name against the registry. Throws ConfigError naming
  // `origin`.
  GenericConverter(const nlohmann::json& config, const ClassRegistry& classes,
                   const std::string& origin);

  std::string layout() const override;
  std::vector<std::string> modalities() const override;
  std::vector<std::string> details() const override;

  // The label values -> classes table shared by every case.
  const std::shared_ptr<const LabelMapping>& mapping() const { return mapping_; }

 protected:
  std::vector<CaseSpec> cases_under(const std::filesystem::path& input_root,
                                    Glob::Walk& seen) const override;

 private:
  struct Sequence {
    std::optional<PathTemplate> image;  // none: the matching file itself
    std::string modality;               // empty: decided by modality_rules_ per case
    std::optional<std::size_t> component;
    std::optional<std::size_t> components;  // every file must have this many
    std::string series;                     // SequenceSpec::dicom_series
    bool resample = false;                  // SequenceSpec::resample_to_label
  };
  // "raters": several label files of one case, combined per class (LabelAssembly.hpp).
  struct Raters {
    std::vector<std::pair<std::string, PathTemplate>> files;  // rater name -> its file
    std::size_t min_raters = 0;
    RaterRule combine;
    std::map<std::int64_t, RaterRule> per_value;  // from "per_class"
    std::map<std::int64_t, int> class_of;         // value -> its smallest class, for votes
  };
  // "masks": one binary mask file per class, the class named by the file's path.
  struct MaskClass {
    Glob path;
    std::string pattern;          // as written, for messages
    std::optional<unsigned> bit;  // none: a known file that is no class (never read, no warning)
  };
  struct Masks {
    PathTemplate files;
    std::vector<MaskClass> classes;
    bool majority = false;  // several files of one class: kept where most of them agree
  };
  struct ModalityRule {
    std::string modality;
    std::optional<std::uint64_t> case_number_min;
    std::optional<std::uint64_t> case_number_max;
    std::optional<Glob> path;
  };
  // Where a case's files are looked up: the input root and the names its templates need, and
  // the walk record of the discovery (Glob::Walk).
  struct Root {
    std::filesystem::path path;
    std::string name;
    std::string parent_name;
    Glob::Walk* seen = nullptr;
  };

  // Config parsing (GenericConverter.cpp): the image part of a config, "modality" (with
  // "modality_rules") or "sequences", each image holding `components` when given.
  void parse_single(const nlohmann::json& config, std::optional<std::size_t> components);
  void parse_modality_rules(const nlohmann::json& config);
  void parse_sequences(const nlohmann::json& config, std::optional<std::size_t> components);
  // Parse "raters" and "masks" (with the label mapping they need); set label_ from them.
  void parse_raters(const nlohmann::json& config, const ClassRegistry& classes);
  void parse_masks(const nlohmann::json& config, const ClassRegistry& classes);
  // "label_threshold", once mapping_ is known.
  void parse_label_threshold(const nlohmann::json& config);

  // Discovery (GenericDiscovery.cpp). The files `cases_` matches that are cases: neither
  // excluded nor beside an `unless_exists_` file.
  std::vector<std::string> case_files(const Root& root) const;
  // The files a template names for one case: one path (which may not exist) for a plain
  // template, every match for a pattern. Appends discovery warnings (ignored NIfTI twins) to
  // `spec`; sets `error` when the pattern cannot be used.
  std::vector<std::filesystem::path> resolve(const PathTemplate& t, const std::string& rel,
                                             const Root& root, CaseSpec& spec,
                                             std::string& error) const;
  // The i-th sequence of the case of file `rel`; sets `error` when its image is not one file.
  SequenceSpec sequence_of(std::size_t i, const std::string& rel, const Root& root, CaseSpec& spec,
                           std::string& error) const;
  // The modality of a single-image case from modality_rules_ (then the fallback); empty when
  // none applies.
  std::string modality_for(const std::string& rel, const std::string& case_name) const;
  // Sets spec's label file(s) and, when it takes several files, its assembler.
  void set_label(const std::string& rel, const Root& root, CaseSpec& spec,
                 std::string& error) const;
  // set_label for the raters_ or masks_ layouts.
  void set_rater_label(const std::string& rel, const Root& root, CaseSpec& spec,
                       std::string& error) const;
  void set_mask_label(const std::string& rel, const Root& root, CaseSpec& spec,
                      std::string& error) const;

  Glob cases_;
  std::vector<Glob> exclude_;
  // A file whose existence makes the matching file no case (HVSMR's cropped volume when the full
  // one is there).
  std::optional<PathTemplate> unless_exists_;
  PathTemplate case_name_;
  std::vector<Sequence> sequences_;
  std::vector<ModalityRule> modality_rules_;
  PathTemplate label_;  // with raters_ or masks_: the first rater's file, or the masks pattern
  std::optional<Raters> raters_;
  std::optional<Masks> masks_;
  std::optional<double> label_threshold_;
  std::shared_ptr<const LabelMapping> mapping_;
};

}  // namespace samed2d
