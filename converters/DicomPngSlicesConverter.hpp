#pragma once
// The "dicom_png_slices" converter: a case is one folder of single-slice DICOM files plus a
// folder of one PNG mask per slice (CHAOS). Slices and masks are paired by the numbers in their
// file names: both are sorted in natural order (runs of digits compared as numbers) and the i-th
// DICOM file goes with the i-th PNG, whatever the slice positions say (position order breaks the
// CHAOS pairing). The volume is stacked in that order.
//
// Config (JSON object):
//   "dataset", "converter": "dicom_png_slices", "description" (optional),
//   "exclude": glob or list of globs of relative paths never read (optional),
//   "stacks": [{
//     "dicom": glob of DICOM files relative to the input root; the matches are grouped by
//              folder, one case per folder ("**/CT/*/DICOM_anon/*.dcm"),
//     "masks": the mask files relative to that folder, wildcards in the last segment
//              ("../Ground/*.png"),
//     "case_folder": the folder, relative to the DICOM folder, whose name is the case name
//              (".." for CT/1/DICOM_anon -> "1"),
//     "modality": "ct_00",
//     "labels": {"255": "liver"} or ranges {"55..70": "liver"}, "unions" (optional)
//   }, ...]

#include <filesystem>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "converters/Converter.hpp"
#include "converters/layout/Glob.hpp"

namespace samed2d {

class DicomPngSlicesConverter : public Converter {
 public:
  // Validates the whole config (unknown keys, globs, modalities, class names). Throws
  // ConfigError naming `origin`.
  DicomPngSlicesConverter(const nlohmann::json& config, const ClassRegistry& classes,
                          const std::string& origin);

  std::string layout() const override { return "DICOM slices + PNG mask per slice"; }
  std::vector<std::string> modalities() const override;

 protected:
  std::vector<CaseSpec> cases_under(const std::filesystem::path& input_root,
                                    Glob::Walk& seen) const override;

 private:
  struct Stack {
    Glob dicom;
    std::string mask_folder;  // relative to the DICOM folder
    Glob mask_names;          // file names in the mask folder
    std::string case_folder;  // relative to the DICOM folder
    std::string modality;
    std::shared_ptr<const LabelMapping> mapping;
  };

  std::vector<Glob> exclude_;
  std::vector<Stack> stacks_;
};

// Natural order of file names: runs of digits compare as numbers ("i2" < "i10"), the rest byte
// by byte; ties (e.g. "a01" against "a1") fall back to the plain byte order.
bool natural_less(const std::string& a, const std::string& b);

}  // namespace samed2d
