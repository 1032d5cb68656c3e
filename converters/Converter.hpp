#pragma once
// The converter interface: a converter turns a downloaded dataset's layout into CaseSpecs.
// It never slices, normalizes or writes PNGs.

#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "converters/layout/Glob.hpp"
#include "pipeline/core/CaseSpec.hpp"

namespace samed2d {

class ClassRegistry;

// What discovery found under an input root.
struct Discovery {
  // In ascending byte order of their relative paths. A case whose files are missing is still
  // here (its load fails with a clear line) so the run report lists it.
  std::vector<CaseSpec> cases;
  // About the input as a whole rather than one case: the folders below the root that could not
  // be listed and were skipped ("folder: reason", Glob::Walk), in byte order.
  std::vector<std::string> warnings;
};

class Converter {
 public:
  virtual ~Converter() = default;
  // The dataset name as SA-Med2D writes it.
  const std::string& dataset() const { return dataset_; }
  // Finds the cases under input_root. Throws ConfigError when the root is not a folder.
  Discovery discover(const std::filesystem::path& input_root) const;
  // The layout kind, one short phrase for `samed2d list` ("label map", "sequences + label map",
  // "4D + label map", "mask per class", ...).
  virtual std::string layout() const = 0;
  // The modality strings the dataset's images may get, for `samed2d list`.
  virtual std::vector<std::string> modalities() const = 0;
  // Layout options a user should see before converting, one line each, for `samed2d list NAME`
  // (e.g. which sequences are resampled onto the label grid, how raters combine).
  virtual std::vector<std::string> details() const { return {}; }

 protected:
  // `origin` names the dataset config in messages.
  Converter(std::string origin, std::string dataset)
      : origin_(std::move(origin)), dataset_(std::move(dataset)) {}

  // The cases under input_root, a folder, in ascending byte order of their relative paths. Every
  // Glob walk passes `seen`, so that the folders it skipped reach the user.
  virtual std::vector<CaseSpec> cases_under(const std::filesystem::path& input_root,
                                            Glob::Walk& seen) const = 0;

  // Helpers of cases_under. A case of this dataset with one image of `modality`: `source` names
  // it in messages (relative to the root), `name` is sanitized here.
  CaseSpec one_image_case(std::string source, const std::string& name, std::filesystem::path image,
                          std::string modality) const;
  // Whether the relative path `rel` matches a glob of a config's "exclude".
  static bool excluded(const std::vector<Glob>& exclude, const std::string& rel);
  // The files `glob` matches under input_root and `exclude` leaves, grouped by their folder
  // (relative; "." for the root's own files), for layouts of one case per folder.
  static std::map<std::string, std::vector<std::string>> matches_by_folder(
      const Glob& glob, const std::vector<Glob>& exclude, const std::filesystem::path& input_root,
      Glob::Walk& seen);

  std::string origin_;
  std::string dataset_;
};

}  // namespace samed2d
