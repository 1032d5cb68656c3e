#pragma once
// A profile: the slicing and output options of SPEC sections 3 to 5 (configs/profiles/*.json).

#include <cstdint>
#include <filesystem>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/core/Axis.hpp"

namespace samed2d {

enum class Orientation { AsStored, RAS, LPS };
enum class IntensityMode { MinMaxSlice, MinMaxVolume, Window, Percentile };
// pixel_spacing: "as-stored" slices keep the voxel grid; "isotropic" resamples each slice to
// square pixels of the finer of its two spacings.
enum class PixelSpacing { AsStored, Isotropic };
// fit (with size N): "pad" scales the longer side to N and centres the slice on an N x N canvas
// of 0; "stretch" scales both sides to N.
enum class Fit { Pad, Stretch };

// How the values of one sequence become 8 bits (SPEC section 4).
struct IntensityOptions {
  IntensityMode mode = IntensityMode::MinMaxSlice;
  double window_level = 0;        // mode "window"
  double window_width = 0;        // mode "window", > 0
  double percentile_lower = 0;    // mode "percentile", 0..100
  double percentile_upper = 100;  // mode "percentile", lower < upper
};

struct Profile {
  std::string name = "samed2d_v1";
  std::string description;
  Orientation orientation = Orientation::AsStored;
  std::vector<Axis> axes{Axis::X, Axis::Y, Axis::Z};
  std::size_t slice_step = 1;
  IntensityOptions intensity;  // every modality that intensity_by_modality does not name
  // Modality prefix ("ct", "mr_t1", ...) -> its intensity, ascending by prefix. A prefix names
  // the modality equal to it or starting with it and "_"; the longest matching prefix wins.
  std::vector<std::pair<std::string, IntensityOptions>> intensity_by_modality;
  PixelSpacing pixel_spacing = PixelSpacing::AsStored;
  std::optional<std::size_t> size;  // output edge length N; none keeps the slice's own size
  Fit fit = Fit::Pad;               // with size only
  bool channels_3d_rgb = true;      // channels_3d: "rgb" | "gray"
  int connectivity = 8;             // 4 or 8
  double min_area_fraction = 0.00153;
  std::optional<std::int64_t> min_area_pixels;  // replaces min_area_fraction when given
  double min_aspect = 0.5;                      // 0 switches the aspect filter off

  // Smallest kept component for an H x W slice: compared as real numbers (SPEC 5.3).
  bool keeps_component(std::size_t pixels, std::size_t height, std::size_t width) const;
  // False when the slice's shorter side is under min_aspect times its longer side.
  bool keeps_aspect(std::size_t height, std::size_t width) const;

  // The intensity of a sequence of this modality.
  const IntensityOptions& intensity_for(const std::string& modality) const;

  // Canonical JSON of every option that changes the output (used in case records).
  nlohmann::json to_json() const;
};

// Parses a profile; unknown keys, wrong types and out-of-range values are a ConfigError naming
// `origin` (a file path or a name) and the key.
Profile parse_profile(const nlohmann::json& j, const std::string& origin);

// One line of what a profile does, for `samed2d list`: "square pixels, 1024 x 1024 padded,
// percentile 0.5-99.5 (ct_00: window 40/400), rgb".
std::string profile_summary(const Profile& p);

// Loads a profile given as a NAME (configs/profiles/NAME.json) or a FILE path.
Profile load_profile(const std::string& name_or_file, const std::filesystem::path& config_dir);

}  // namespace samed2d
