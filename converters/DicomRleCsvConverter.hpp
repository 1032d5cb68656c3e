#pragma once
// The "dicom_rle_csv" converter: 2D DICOM images whose masks are run-length codes in one CSV
// (SIIM-ACR pneumothorax, SA-Med2D's Chest_Image_Pneum). Each image with at least one run is a
// case; its label map (value 1 = the config's class) is decoded from all its CSV rows together.
//
// SIIM's RLE: whitespace-separated pairs (start, length), each start counted from the end of
// the previous run (from 0 for the first), over the image's pixels in COLUMN-major order
// (p = column * height + row); "-1" alone means no mask. Images whose rows are all "-1", and
// images without any row (the test set), are not cases: they would give no mask, hence no image.

#include <filesystem>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "converters/Converter.hpp"
#include "converters/layout/Glob.hpp"

namespace samed2d {

class DicomRleCsvConverter : public Converter {
 public:
  // Validates the whole config (unknown keys are errors, with a suggestion for typos) and the
  // class name against the registry. Throws ConfigError naming `origin`.
  DicomRleCsvConverter(const nlohmann::json& config, const ClassRegistry& classes,
                       const std::string& origin);

  std::string layout() const override { return "DICOM + RLE CSV"; }
  std::vector<std::string> modalities() const override { return {modality_}; }

 protected:
  // Reads the CSV (a ConfigError when it is missing, ambiguous or lacks the columns: no case
  // could be converted). A row that names no DICOM file under the root and has runs is a failed
  // case, so a partial download cannot pass silently.
  std::vector<CaseSpec> cases_under(const std::filesystem::path& input_root,
                                    Glob::Walk& seen) const override;

 private:
  Glob cases_;
  Glob csv_;
  std::string id_column_;
  std::string pixels_column_;
  std::string modality_;
  std::shared_ptr<const LabelMapping> mapping_;
};

}  // namespace samed2d
