#pragma once
// The generic converter: the dataset config of SPEC section 8, for every layout where each
// matching file is one case and the other files of the case are found by templates.

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "converters/Converter.hpp"
#include "converters/Glob.hpp"
#include "converters/PathTemplate.hpp"

namespace samed2d {

class GenericConverter : public Converter {
 public:
  // Validates the whole config: unknown keys (with a suggestion for typos), templates, the
  // pattern, modalities and every class name against the registry. Throws ConfigError naming
  // `origin`.
  GenericConverter(const nlohmann::json& config, const ClassRegistry& classes,
                   const std::string& origin);

  static std::unique_ptr<Converter> create(const nlohmann::json& config,
                                           const ClassRegistry& classes, const std::string& origin);

  const std::string& dataset() const override { return dataset_; }
  std::vector<CaseSpec> discover(const std::filesystem::path& input_root) const override;
  std::string layout() const override;
  std::vector<std::string> modalities() const override;

  // The label values -> classes table shared by every case.
  const std::shared_ptr<const LabelMapping>& mapping() const { return mapping_; }

 private:
  struct Sequence {
    std::optional<PathTemplate> image;  // none: the matching file itself
    std::string modality;
    std::optional<std::size_t> component;
  };

  std::string origin_;
  std::string dataset_;
  Glob cases_;
  PathTemplate case_name_;
  std::vector<Sequence> sequences_;
  PathTemplate label_;
  std::shared_ptr<const LabelMapping> mapping_;
};

}  // namespace samed2d
