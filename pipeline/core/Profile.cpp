#include "pipeline/core/Profile.hpp"

#include <algorithm>

namespace samed2d {

bool Profile::keeps_component(std::size_t pixels, std::size_t height, std::size_t width) const {
  if (min_area_pixels) return static_cast<std::int64_t>(pixels) >= *min_area_pixels;
  // SPEC 5.3: pixel count >= 0.00153 * H * W, evaluated left to right in double precision.
  return static_cast<double>(pixels) >=
         min_area_fraction * static_cast<double>(height) * static_cast<double>(width);
}

bool Profile::keeps_aspect(std::size_t height, std::size_t width) const {
  if (min_aspect <= 0) return true;
  const auto shorter = static_cast<double>(std::min(height, width));
  const auto longer = static_cast<double>(std::max(height, width));
  return !(shorter < min_aspect * longer);
}

const IntensityOptions& Profile::intensity_for(const std::string& modality) const {
  const IntensityOptions* best = &intensity;
  std::size_t best_length = 0;
  for (const auto& [prefix, options] : intensity_by_modality) {
    const bool names_it = modality.compare(0, prefix.size(), prefix) == 0 &&
                          (modality.size() == prefix.size() || modality[prefix.size()] == '_');
    if (names_it && prefix.size() > best_length) {
      best = &options;
      best_length = prefix.size();
    }
  }
  return *best;
}

}  // namespace samed2d
