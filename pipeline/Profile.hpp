#pragma once
// A profile: the slicing and output options of SPEC sections 3 to 5 (configs/profiles/*.json).

#include <cstdint>
#include <filesystem>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "Axis.hpp"

namespace samed2d {

enum class Orientation { AsStored, RAS, LPS };
enum class IntensityMode { MinMaxSlice, MinMaxVolume, Window, Percentile };

struct Profile {
  std::string name = "samed2d_v1";
  Orientation orientation = Orientation::AsStored;
  std::vector<Axis> axes{Axis::X, Axis::Y, Axis::Z};
  std::size_t slice_step = 1;
  IntensityMode intensity = IntensityMode::MinMaxSlice;
  double window_level = 0;        // intensity "window"
  double window_width = 0;        // intensity "window", > 0
  double percentile_lower = 0;    // intensity "percentile", 0..100
  double percentile_upper = 100;  // intensity "percentile", lower < upper
  bool channels_3d_rgb = true;    // channels_3d: "rgb" | "gray"
  int connectivity = 8;           // 4 or 8
  double min_area_fraction = 0.00153;
  std::optional<std::int64_t> min_area_pixels;  // replaces min_area_fraction when given
  double min_aspect = 0.5;                      // 0 switches the aspect filter off

  // Smallest kept component for an H x W slice: compared as real numbers (SPEC 5.3).
  bool keeps_component(std::size_t pixels, std::size_t height, std::size_t width) const;
  // False when the slice's shorter side is under min_aspect times its longer side.
  bool keeps_aspect(std::size_t height, std::size_t width) const;

  // Canonical JSON of every option that changes the output (used in case records).
  nlohmann::json to_json() const;
};

// Parses a profile; unknown keys, wrong types and out-of-range values are a ConfigError naming
// `origin` (a file path or a name) and the key.
Profile parse_profile(const nlohmann::json& j, const std::string& origin);

// Loads a profile given as a NAME (configs/profiles/NAME.json) or a FILE path.
Profile load_profile(const std::string& name_or_file, const std::filesystem::path& config_dir);

}  // namespace samed2d
