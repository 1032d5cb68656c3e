#pragma once
// The converter interface: a converter turns a downloaded dataset's layout into CaseSpecs.
// It never slices, normalizes or writes PNGs.

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "pipeline/core/CaseSpec.hpp"

namespace samed2d {

class ClassRegistry;

class Converter {
 public:
  virtual ~Converter() = default;
  // The dataset name as SA-Med2D writes it.
  virtual const std::string& dataset() const = 0;
  // Finds the cases under input_root, in ascending byte order of their relative paths.
  // Throws ConfigError when the root does not exist; a case whose files are missing is still
  // returned (its load fails with a clear line) so the run report lists it.
  virtual std::vector<CaseSpec> discover(const std::filesystem::path& input_root) const = 0;
  // The layout kind, one short phrase for `samed2d list` ("label map", "sequences + label map",
  // "4D + label map", "mask per class", ...).
  virtual std::string layout() const = 0;
  // The modality strings the dataset's images may get, for `samed2d list`.
  virtual std::vector<std::string> modalities() const = 0;
  // Layout options a user should see before converting, one line each, for `samed2d list NAME`
  // (e.g. which sequences are resampled onto the label grid, how raters combine).
  virtual std::vector<std::string> details() const { return {}; }
};

}  // namespace samed2d
