#pragma once
// Per-slice work of SPEC sections 3 to 5: slicing a volume by index, intensity normalization,
// label slices to per-class binary masks, and 8-/4-connected instance splitting.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "Axis.hpp"
#include "CaseSpec.hpp"
#include "Profile.hpp"
#include "Volume.hpp"

namespace samed2d {

// Copies slice s (SPEC 3 table) of one component into `out` as doubles, H x W row-major, row 0
// first. `out` is resized.
void extract_slice(const Volume& v, std::size_t component, Axis axis, std::size_t s,
                   std::vector<double>& out);

// Minimum and maximum of the finite values of one component; nullopt when there are none.
std::optional<std::pair<double, double>> finite_range(const Volume& v, std::size_t component);

// Maps values to 0..255 with the profile's intensity mode (SPEC 4). `volume_range` is the
// component's finite_range, used by "minmax-volume" only.
void normalize_to_u8(const std::vector<double>& values, const Profile& profile,
                     const std::optional<std::pair<double, double>>& volume_range,
                     std::vector<std::uint8_t>& out);

// Permutes and flips a volume to a canonical orientation by its direction matrix (voxels moved,
// never interpolated). AsStored returns a copy unchanged... callers skip it for AsStored.
Volume reorient(const Volume& v, Orientation orientation);

// A label map indexed for fast per-slice class extraction.
class LabelIndex {
 public:
  // Throws InputError (naming `file`) when a float label holds a non-integral value, or the
  // label has more than one component.
  LabelIndex(const Volume& label, const LabelMapping& mapping, const std::string& file);

  const std::array<std::size_t, 3>& size() const { return size_; }
  // True when slice s along `axis` holds at least one voxel of a mapped class.
  bool slice_has_labels(Axis axis, std::size_t s) const;

  struct ClassSlice {
    const ClassDef* cls = nullptr;
    std::vector<std::uint8_t> mask;  // H x W, 1 inside the class, 0 elsewhere
  };
  // Classes present in slice s, ascending class id, each with its binary mask.
  std::vector<ClassSlice> class_masks(Axis axis, std::size_t s) const;

  // Label values that no class maps (0 excluded) -> voxel count over the whole volume.
  const std::map<std::int64_t, std::uint64_t>& unmapped_counts() const { return unmapped_; }

 private:
  const LabelMapping* mapping_ = nullptr;
  std::array<std::size_t, 3> size_{0, 0, 0};
  // Per voxel: index of its value in value_classes_ (0 = background / unmapped).
  std::vector<std::uint16_t> value_ids_;
  // value id -> bitset over classes (index into mapping_->classes), as a list
  std::vector<std::vector<std::uint16_t>> value_classes_;
  std::array<std::vector<std::uint8_t>, 3> has_labels_;
  std::map<std::int64_t, std::uint64_t> unmapped_;
};

struct Instance {
  std::size_t first_pixel = 0;  // row-major index of its first pixel
  std::size_t area = 0;
  std::vector<std::uint8_t> mask;  // H x W, 255 inside, 0 elsewhere
};

// Splits a binary mask (non-zero = inside) into connected components (connectivity 4 or 8),
// keeps those the profile's area filter keeps, ordered by first pixel in row-major order.
std::vector<Instance> split_instances(const std::uint8_t* binary, std::size_t height,
                                      std::size_t width, const Profile& profile);

}  // namespace samed2d
