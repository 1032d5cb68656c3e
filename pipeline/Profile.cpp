#include "Profile.hpp"

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

}  // namespace samed2d
