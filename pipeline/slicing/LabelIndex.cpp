#include "pipeline/slicing/LabelIndex.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <type_traits>
#include <unordered_map>

#include "pipeline/core/Errors.hpp"
#include "pipeline/slicing/Slicing.hpp"

namespace samed2d {

namespace {

// Mapped values spanning at most this many integers get a dense table (128 KiB at most).
constexpr std::uint64_t kDenseSpan = 65536;

struct DenseLookup {
  const std::uint16_t* table;
  std::int64_t base;
  std::uint64_t span;
  std::uint16_t operator()(std::int64_t v) const {
    // Unsigned difference: values below base wrap to a huge offset and miss the table.
    const std::uint64_t d = static_cast<std::uint64_t>(v) - static_cast<std::uint64_t>(base);
    return d < span ? table[d] : 0;
  }
};

struct SparseLookup {
  const std::pair<std::int64_t, std::uint16_t>* first;
  const std::pair<std::int64_t, std::uint16_t>* last;
  std::uint16_t operator()(std::int64_t v) const {
    const auto* it =
        std::lower_bound(first, last, v, [](const auto& e, std::int64_t x) { return e.first < x; });
    return it != last && it->first == v ? it->second : 0;
  }
};

// Converts a validated voxel value to the integer label it stands for.
template <class T>
std::int64_t as_label(T x) {
  return static_cast<std::int64_t>(x);
}

// Throws unless x is an integer within the int64 range (float labels must be integral).
template <class T>
void check_label_value(T x, std::size_t i, std::size_t j, std::size_t k, const std::string& file) {
  if constexpr (std::is_floating_point_v<T>) {
    if (!std::isfinite(x) || std::trunc(x) != x)
      throw InputError(fmt::format(
          "{}: label map holds non-integral value {} at voxel ({},{},{}); labels must be integers",
          file, static_cast<double>(x), i, j, k));
    // 2^63 is exact in every floating type; [-2^63, 2^63) is the int64 range.
    constexpr T limit = static_cast<T>(9223372036854775808.0);
    if (x < -limit || x >= limit)
      throw InputError(fmt::format(
          "{}: label map holds value {} at voxel ({},{},{}), beyond the 64-bit integer range; "
          "labels must be 64-bit integers",
          file, static_cast<double>(x), i, j, k));
  } else if constexpr (std::is_same_v<T, std::uint64_t>) {
    if (x > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
      throw InputError(fmt::format(
          "{}: label map holds value {} at voxel ({},{},{}), beyond the 64-bit signed range; "
          "labels must be 64-bit signed integers",
          file, x, i, j, k));
  } else {
    (void)x, (void)i, (void)j, (void)k, (void)file;
  }
}

// Accumulates unmapped values; runs of one value (the common case) touch the hash map once.
class UnmappedCounter {
 public:
  void add(std::int64_t v) {
    if (run_ != 0 && v == value_) {
      ++run_;
      return;
    }
    flush();
    value_ = v;
    run_ = 1;
  }
  std::map<std::int64_t, std::uint64_t> finish() {
    flush();
    return {counts_.begin(), counts_.end()};
  }

 private:
  void flush() {
    if (run_ != 0) counts_[value_] += run_;
    run_ = 0;
  }
  std::int64_t value_ = 0;
  std::uint64_t run_ = 0;
  std::unordered_map<std::int64_t, std::uint64_t> counts_;
};

template <class T, class L>
void index_pass(const T* p, const std::array<std::size_t, 3>& n, const L& lookup,
                std::int64_t background, const std::string& file,
                std::array<std::vector<std::uint8_t>, 3>& has,
                std::map<std::int64_t, std::uint64_t>& unmapped) {
  UnmappedCounter counter;
  std::uint8_t* has_z = has[2].data();
  for (std::size_t k = 0; k < n[2]; ++k) {
    for (std::size_t j = 0; j < n[1]; ++j) {
      const T* row = p + n[0] * (j + n[1] * k);
      bool row_any = false;
      for (std::size_t i = 0; i < n[0]; ++i) {
        const T x = row[i];
        check_label_value(x, i, j, k, file);
        const std::int64_t v = as_label(x);
        if (lookup(v) != 0) {
          row_any = true;
          has_z[i] = 1;
        } else if (v != background) {
          counter.add(v);
        }
      }
      if (row_any) {
        has[0][k] = 1;
        has[1][j] = 1;
      }
    }
  }
  unmapped = counter.finish();
}

template <class T, class L>
void fill_masks(const T* p, const SliceLayout& l, const L& lookup,
                const std::vector<std::uint32_t>& offsets,
                const std::vector<std::uint16_t>& members, const ClassDef* classes,
                std::vector<std::int32_t>& slot, std::vector<LabelIndex::ClassSlice>& out) {
  const std::size_t pixels = l.height * l.width;
  // Neighbouring pixels mostly share a value: remember the last one to skip the lookup.
  bool have_last = false;
  T last{};
  std::uint16_t last_set = 0;
  for (std::size_t r = 0; r < l.height; ++r) {
    const T* row = p + l.offset + r * l.row_stride;
    for (std::size_t c = 0; c < l.width; ++c) {
      const T x = row[c * l.col_stride];
      std::uint16_t set = 0;
      if (have_last && x == last) {
        set = last_set;
      } else {
        set = lookup(as_label(x));
        last = x;
        last_set = set;
        have_last = true;
      }
      if (set == 0) continue;
      const std::size_t px = r * l.width + c;
      for (std::uint32_t m = offsets[set]; m < offsets[set + 1]; ++m) {
        std::int32_t& s = slot[members[m]];
        if (s < 0) {
          s = static_cast<std::int32_t>(out.size());
          out.push_back({&classes[members[m]], std::vector<std::uint8_t>(pixels, 0)});
        }
        out[static_cast<std::size_t>(s)].mask[px] = 1;
      }
    }
  }
}

}  // namespace

LabelIndex::LabelIndex(const Volume& label, const LabelMapping& mapping, const std::string& file)
    : label_(&label), mapping_(&mapping), size_(label.size()) {
  if (label.components() != 1)
    throw InputError(
        fmt::format("{}: label map has {} components per voxel; a label map must have exactly one",
                    file, label.components()));
  if (mapping.classes.size() > std::numeric_limits<std::uint16_t>::max())
    throw std::length_error("LabelIndex: more than 65535 classes");

  // Value -> sorted list of classes holding it; equal lists share one set id.
  std::vector<std::pair<std::int64_t, std::uint16_t>> pairs;
  for (std::size_t c = 0; c < mapping.classes.size(); ++c)
    for (const std::int64_t v : mapping.classes[c].values)
      pairs.emplace_back(v, static_cast<std::uint16_t>(c));
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());

  std::map<std::vector<std::uint16_t>, std::uint16_t> set_ids;
  set_offsets_ = {0, 0};  // set 0: empty
  std::vector<std::pair<std::int64_t, std::uint16_t>> value_sets;
  for (std::size_t a = 0; a < pairs.size();) {
    std::size_t b = a;
    std::vector<std::uint16_t> members;
    while (b < pairs.size() && pairs[b].first == pairs[a].first)
      members.push_back(pairs[b++].second);
    auto [it, inserted] = set_ids.try_emplace(members, 0);
    if (inserted) {
      if (set_offsets_.size() > std::numeric_limits<std::uint16_t>::max())
        throw std::length_error("LabelIndex: more than 65535 distinct class sets");
      it->second = static_cast<std::uint16_t>(set_offsets_.size() - 1);
      set_members_.insert(set_members_.end(), members.begin(), members.end());
      set_offsets_.push_back(static_cast<std::uint32_t>(set_members_.size()));
    }
    value_sets.emplace_back(pairs[a].first, it->second);
    a = b;
  }

  if (!value_sets.empty()) {
    const std::int64_t lo = value_sets.front().first;
    const std::uint64_t span =
        static_cast<std::uint64_t>(value_sets.back().first) - static_cast<std::uint64_t>(lo) + 1;
    lookup_.is_dense = span != 0 && span <= kDenseSpan;
    if (lookup_.is_dense) {
      lookup_.base = lo;
      lookup_.dense.assign(span, 0);
      for (const auto& [v, set] : value_sets)
        lookup_.dense[static_cast<std::uint64_t>(v) - static_cast<std::uint64_t>(lo)] = set;
    } else {
      lookup_.sparse = std::move(value_sets);
    }
  }

  for (int a = 0; a < 3; ++a) has_labels_[a].assign(slice_count(size_, static_cast<Axis>(a)), 0);
  label.visit([&](const auto* p) {
    if (lookup_.is_dense)
      index_pass(p, size_, DenseLookup{lookup_.dense.data(), lookup_.base, lookup_.dense.size()},
                 mapping.background, file, has_labels_, unmapped_);
    else
      index_pass(p, size_,
                 SparseLookup{lookup_.sparse.data(), lookup_.sparse.data() + lookup_.sparse.size()},
                 mapping.background, file, has_labels_, unmapped_);
  });
}

bool LabelIndex::slice_has_labels(Axis axis, std::size_t s) const {
  const auto& has = has_labels_[static_cast<std::size_t>(axis)];
  if (s >= has.size()) throw std::out_of_range("LabelIndex::slice_has_labels: slice out of range");
  return has[s] != 0;
}

std::vector<LabelIndex::ClassSlice> LabelIndex::class_masks(Axis axis, std::size_t s) const {
  std::vector<ClassSlice> out;
  if (!slice_has_labels(axis, s)) return out;
  const SliceLayout l = slice_layout(*label_, 0, axis, s);
  std::vector<std::int32_t> slot(mapping_->classes.size(), -1);
  label_->visit([&](const auto* p) {
    if (lookup_.is_dense)
      fill_masks(p, l, DenseLookup{lookup_.dense.data(), lookup_.base, lookup_.dense.size()},
                 set_offsets_, set_members_, mapping_->classes.data(), slot, out);
    else
      fill_masks(p, l,
                 SparseLookup{lookup_.sparse.data(), lookup_.sparse.data() + lookup_.sparse.size()},
                 set_offsets_, set_members_, mapping_->classes.data(), slot, out);
  });
  // mapping.classes is in ascending id order, so class position is id order.
  std::sort(out.begin(), out.end(),
            [](const ClassSlice& a, const ClassSlice& b) { return a.cls < b.cls; });
  return out;
}

}  // namespace samed2d
