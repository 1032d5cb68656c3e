#pragma once
// The "cascade_contours" converter: a case is one folder holding a DICOM series (one file per
// slice) and, per annotated artery side, a CASCADE project file (QVJ) naming a QVS contour file
// in the same folder (COSMOS 2022: Training_dataset/3/*.dcm, 3L.QVJ, 3R.QVJ and their QVS
// files). The label map is drawn from the contours (CascadeContours.hpp) on the image's stored
// grid: QVAS_Image k of a QVS file is slice k of the series in position order along the slice
// normal, as the image is read.
//
// Drawing: the types of "contours" are painted in the order listed, a later one overwriting an
// earlier one, every QVS file of the case for one type before the next type; each contour is a
// closed polygon filled by fill_polygon (pixel centres inside or on it). With Outer Wall = 2 then
// Lumen = 1: the lumen is 1 and the vessel wall (inside the outer wall, not in a lumen) is 2.
//
// A contour point outside the image, or a contour on a QVAS_Image beyond the series' slices,
// fails the case with one line (file, slice, point). Contours of an unlisted type and contours
// of fewer than 3 distinct points are skipped with a warning.
//
// Config (JSON object):
//   "dataset", "converter": "cascade_contours", "description" (optional),
//   "exclude": glob or list of globs of relative paths never read (optional),
//   "cases": glob of the QVJ files relative to the input root, grouped by folder: one case per
//            folder holding a match, named after the folder ("**/Training_dataset/*/*.QVJ"),
//   "modality": "mr_00",
//   "point_frame": the size of the square frame of the QVS coordinates (512),
//   "contours": [{"type": "Outer Wall", "value": 2}, {"type": "Lumen", "value": 1}],
//   "labels": {"1": "carotid_lumen", "2": "carotid_vessel_wall"}, "unions" (optional)

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "converters/Converter.hpp"
#include "converters/layout/Glob.hpp"

namespace samed2d {

class CascadeContourConverter : public Converter {
 public:
  // Validates the whole config. Throws ConfigError naming `origin`.
  CascadeContourConverter(const nlohmann::json& config, const ClassRegistry& classes,
                          const std::string& origin);

  std::string layout() const override { return "DICOM series + QVS contours"; }
  std::vector<std::string> modalities() const override { return {modality_}; }

  struct ContourRule {
    std::string type;  // <ContourType> text
    std::uint8_t value = 0;
  };

  // The label map of one case: a uint8 volume of `size` (columns, rows, slices) drawn from the
  // QVS files as described above. Throws InputError; appends recoverable oddities to `warnings`.
  static Volume draw_contours(const std::vector<std::filesystem::path>& qvs_files,
                              const std::array<std::size_t, 3>& size, double point_frame,
                              const std::vector<ContourRule>& rules,
                              std::vector<std::string>& warnings);

 protected:
  // One case per folder with a QVJ match; a QVJ that cannot be read or names a missing QVS file
  // gives the case a discovery_error.
  std::vector<CaseSpec> cases_under(const std::filesystem::path& input_root,
                                    Glob::Walk& seen) const override;

 private:
  std::vector<Glob> exclude_;
  Glob cases_;
  std::string modality_;
  double point_frame_ = 512;
  std::vector<ContourRule> rules_;
  std::shared_ptr<const LabelMapping> mapping_;
};

}  // namespace samed2d
