#pragma once
// Label maps made of several files, for the generic converter's layout options: the files a
// label pattern matches united (and lossy masks thresholded), several raters of one case
// combined per class ("raters"), and one binary mask file per class whose class the file's path
// names ("masks"). Each returns a volume in stored orientation that the pipeline then treats
// like a label map it read itself, and throws InputError naming the file at fault.

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/core/CaseSpec.hpp"
#include "pipeline/core/Volume.hpp"

namespace samed2d {

// The label map of a case made of several label files (a label pattern matching more than one)
// and/or of lossy masks: with `threshold`, a pixel whose colour (the mean of the colour
// channels; alpha ignored) is >= threshold becomes 1, the rest 0. Each voxel takes the largest
// value among the files, so every file must be one component and of the first one's size.
Volume combine_label_files(const std::vector<std::filesystem::path>& files,
                           std::optional<double> threshold);

// How the raters of a case decide a label value: kept where at least one rater has it (union),
// where more than half of the case's raters have it (majority), or where one named rater has it.
struct RaterRule {
  enum class Kind { Union, Majority, Rater } kind = Kind::Majority;
  std::string rater;  // Kind::Rater

  // "union", "majority" or "rater:NAME"; empty when `text` is none of them.
  static std::optional<RaterRule> parse(const std::string& text);
  std::string text() const;
};

// One rater's label file of one case; `present` is false when the file does not exist.
struct RaterFile {
  std::string rater;
  std::filesystem::path file;
  bool present = true;
};

// The raters' label maps (all of one size) combined class by class. A rater votes for a value's
// class when its own value there belongs to that class (`class_of` maps a value to its class;
// an unmapped value is a class of its own), so raters who number their findings differently
// (LNDb) still agree. The rule of the class (`per_value`, else `fallback`) decides from the
// raters present whether a voxel keeps a value: union (a vote), majority (more than half the
// raters), or one named rater's own value. Where several values are kept the largest wins; a
// voxel that keeps none takes `background`. Fails naming the file when a rater a rule names is
// missing, when fewer than `min_raters` are present, or when the sizes differ.
Volume combine_raters(const std::vector<RaterFile>& raters, std::size_t min_raters,
                      const RaterRule& fallback, const std::map<std::int64_t, RaterRule>& per_value,
                      const std::map<std::int64_t, int>& class_of, std::int64_t background);

// One mask file of a case and the bit of its class (0-based; classes of several files OR).
struct ClassMaskFile {
  std::filesystem::path file;
  unsigned bit = 0;
};

// A uint16 label map whose voxel holds bit b where the mask files of class b say so (so classes
// may overlap: white-matter tracts cross). Several files of one class (raters of one task, QUBIQ)
// combine by `majority` (non-zero in more than half of them) or, without it, by union. Every
// file must have the first one's size; RGB masks whose channels are equal count as grey.
Volume assemble_class_masks(const std::vector<ClassMaskFile>& masks, bool majority = false);

// The label values of class bit b among `classes` bits: every value of [1, 2^classes) with bit b.
std::vector<std::int64_t> values_with_bit(unsigned bit, unsigned classes);

}  // namespace samed2d
