#pragma once
// A label map indexed for fast per-slice class extraction (SPEC section 5, step 1).

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "pipeline/core/Axis.hpp"
#include "pipeline/core/CaseSpec.hpp"
#include "pipeline/core/Volume.hpp"

namespace samed2d {

// Indexes a label map for its mapping: which slices hold a mapped class (all three axes, found in
// one pass), and which label values no class maps. It keeps no per-voxel copy: it points at
// `label` and `mapping`, which the caller must keep alive (and unchanged) for the LabelIndex's
// lifetime. All const members may be called concurrently.
class LabelIndex {
 public:
  // Throws InputError (naming `file`) when the label has more than one component, or holds a
  // value that is not an integer (a float label is accepted when every value is integral) or
  // beyond the 64-bit signed range.
  LabelIndex(const Volume& label, const LabelMapping& mapping, const std::string& file);

  const std::array<std::size_t, 3>& size() const { return size_; }
  const LabelMapping& mapping() const { return *mapping_; }

  // True when slice s along `axis` holds at least one voxel of a mapped class.
  bool slice_has_labels(Axis axis, std::size_t s) const;

  struct ClassSlice {
    const ClassDef* cls = nullptr;
    std::vector<std::uint8_t> mask;  // H x W, 1 inside the class, 0 elsewhere
  };
  // Classes present in slice s, ascending class id, each with its binary mask (SPEC 3 layout).
  std::vector<ClassSlice> class_masks(Axis axis, std::size_t s) const;

  // Label values that no class maps (the mapping's background excluded) -> voxel count over the
  // whole volume.
  const std::map<std::int64_t, std::uint64_t>& unmapped_counts() const { return unmapped_; }

  // Value -> class set lookup. A class set is the list of classes (indices into
  // mapping.classes, ascending) that hold one label value; set 0 is the empty set.
  struct Lookup {
    // Dense table over [base, base + dense.size()) when the mapped values span little;
    // otherwise a sorted (value, set) table searched by bisection.
    std::int64_t base = 0;
    std::vector<std::uint16_t> dense;
    std::vector<std::pair<std::int64_t, std::uint16_t>> sparse;
    bool is_dense = true;
  };

 private:
  const Volume* label_ = nullptr;
  const LabelMapping* mapping_ = nullptr;
  std::array<std::size_t, 3> size_{0, 0, 0};
  Lookup lookup_;
  // Members of set n: set_members_[set_offsets_[n] .. set_offsets_[n + 1]).
  std::vector<std::uint32_t> set_offsets_;
  std::vector<std::uint16_t> set_members_;
  std::array<std::vector<std::uint8_t>, 3> has_labels_;
  std::map<std::int64_t, std::uint64_t> unmapped_;
};

}  // namespace samed2d
