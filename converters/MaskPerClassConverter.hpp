#pragma once
// The "mask_per_class" converter: each case is one image with a folder of binary masks, one file
// per class, the file name being the class key (TotalSegmentator: sNNNN/ct.nii.gz with
// sNNNN/segmentations/<key>.nii.gz). A dataset may have had several releases ("versions"), each
// with its own exact key list; a case's mask files must be exactly one version's list, so that
// a partial unzip or a stray file fails the case instead of silently losing a class.
//
// The label map is assembled in the version's order: value = 1-based index of the key for every
// voxel > 0 of its mask, a later mask winning where masks overlap (as TotalSegmentator's own
// nnU-Net conversion does). Masks are read one at a time into one uint8 (uint16 beyond 255 keys)
// volume, so a case never holds more than the label map and one mask.

#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "converters/Converter.hpp"
#include "converters/layout/Glob.hpp"
#include "converters/layout/PathTemplate.hpp"

namespace samed2d {

class MaskPerClassConverter : public Converter {
 public:
  // Validates the whole config (unknown keys with a suggestion, the mask template, every class
  // name against the registry, every version's keys against "masks"). Throws ConfigError naming
  // `origin`.
  MaskPerClassConverter(const nlohmann::json& config, const ClassRegistry& classes,
                        const std::string& origin);

  std::string layout() const override { return "mask per class"; }
  std::vector<std::string> modalities() const override { return {modality_}; }

  struct Version {
    std::string name;
    std::vector<std::string> keys;  // in label value order: value = index + 1
    std::shared_ptr<const LabelMapping> mapping;
  };
  const std::vector<Version>& versions() const { return versions_; }

  // Builds the label map of one case from its mask files (value = index + 1, later wins), each
  // read once and checked against the image grid: another size is an InputError naming the
  // mask and the image; another origin, spacing or direction is one warning for the case.
  // With an empty image.file the first mask's grid is the reference.
  static Volume assemble_masks(const std::vector<std::filesystem::path>& files,
                               const ImageGrid& image, std::vector<std::string>& warnings);

 protected:
  // A case whose mask folder is missing or does not hold exactly one version's files is
  // returned with a discovery_error naming the folder, the missing and unexpected files.
  std::vector<CaseSpec> cases_under(const std::filesystem::path& input_root,
                                    Glob::Walk& seen) const override;

 private:
  Glob cases_;
  PathTemplate case_name_;
  std::string modality_;
  std::string mask_text_;  // the "mask" template as written, for messages
  PathTemplate mask_folder_;
  std::string mask_prefix_;  // the mask file name is prefix + key + suffix
  std::string mask_suffix_;
  std::vector<Version> versions_;
};

}  // namespace samed2d
