#include "converters/layout/LabelAssembly.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <type_traits>

#include "pipeline/core/Errors.hpp"
#include "pipeline/io/VolumeReader.hpp"

namespace samed2d {

namespace fs = std::filesystem;

namespace {

std::string size_text(const Volume& v) {
  return fmt::format("{}x{}x{}", v.size()[0], v.size()[1], v.size()[2]);
}

// A one-component volume of `v`'s size and placement (its voxels unset), for a label map made
// from `v`.
Volume label_like(const Volume& v, VoxelType type) {
  Volume out(type, v.size(), 1, false);
  out.geometry = v.geometry;
  out.stored_dimensions = v.stored_dimensions;
  return out;
}

// combine_label_files' threshold.
Volume threshold_label(const Volume& v, double threshold) {
  const std::size_t n = v.components();
  const std::size_t colours = n == 4 ? 3 : n == 2 ? 1 : n;
  Volume out = label_like(v, VoxelType::UInt8);
  std::uint8_t* o = out.data<std::uint8_t>();
  v.visit([&](const auto* in) {
    for (std::size_t i = 0; i < v.voxel_count(); ++i) {
      double sum = 0;
      for (std::size_t c = 0; c < colours; ++c)
        sum += static_cast<double>(in[c * v.component_stride() + i * v.voxel_stride()]);
      o[i] = sum / static_cast<double>(colours) >= threshold ? 1 : 0;
    }
  });
  return out;
}

Volume as_float64(const Volume& v) {
  Volume out = label_like(v, VoxelType::Float64);
  double* o = out.data<double>();
  v.visit([&](const auto* in) {
    for (std::size_t i = 0; i < v.voxel_count(); ++i) o[i] = static_cast<double>(in[i]);
  });
  return out;
}

// A label file's voxels as 64-bit integers (read_label_volume has checked a float file for
// integral values only when LabelIndex reads it, so it is checked here too).
std::vector<std::int64_t> label_values(const fs::path& file, std::vector<std::string>& warnings,
                                       Volume& read) {
  read = read_label_volume(file, warnings);
  if (read.components() != 1)
    throw InputError(fmt::format(
        "{}: a rater's label file has {} components; each rater's file must be one label map",
        file.string(), read.components()));
  std::vector<std::int64_t> out(read.voxel_count());
  read.visit([&](const auto* p) {
    for (std::size_t i = 0; i < out.size(); ++i) {
      const double d = static_cast<double>(p[i]);
      if (!std::isfinite(d) || std::trunc(d) != d || std::fabs(d) >= 9.2e18)
        throw InputError(fmt::format(
            "{}: label map holds non-integral value {} at voxel {}; labels must be integers",
            file.string(), d, i));
      out[i] = static_cast<std::int64_t>(p[i]);
    }
  });
  return out;
}

}  // namespace

Volume combine_label_files(const std::vector<fs::path>& files, std::optional<double> threshold) {
  std::vector<std::string> warnings;  // reader notes; the hook has no place for them
  Volume out;
  for (std::size_t f = 0; f < files.size(); ++f) {
    const auto& file = files[f];
    Volume v = threshold ? threshold_label(read_volume(file, warnings), *threshold)
                         : read_label_volume(file, warnings);
    if (v.components() != 1)
      throw InputError(fmt::format(
          "{}: a label file with {} components cannot be combined with the case's other label "
          "files; give the config a label template that matches only one-component label maps",
          file.string(), v.components()));
    if (f == 0) {
      out = std::move(v);
      continue;
    }
    if (v.size() != out.size())
      throw InputError(fmt::format(
          "{}: label file is {} but {} of the same case is {}; the label files of a case are "
          "combined voxel by voxel, so remove the odd file or narrow the label template",
          file.string(), size_text(v), files[0].string(), size_text(out)));
    if (v.type() != out.type()) {
      if (out.type() != VoxelType::Float64) out = as_float64(out);
      if (v.type() != VoxelType::Float64) v = as_float64(v);
    }
    v.visit([&](const auto* in) {
      using T = std::remove_const_t<std::remove_pointer_t<decltype(in)>>;
      T* o = out.data<T>();
      for (std::size_t i = 0; i < out.voxel_count(); ++i) o[i] = std::max(o[i], in[i]);
    });
  }
  return out;
}

std::optional<RaterRule> RaterRule::parse(const std::string& text) {
  if (text == "union") return RaterRule{Kind::Union, {}};
  if (text == "majority") return RaterRule{Kind::Majority, {}};
  constexpr std::string_view kPrefix = "rater:";
  if (text.size() > kPrefix.size() && text.compare(0, kPrefix.size(), kPrefix) == 0)
    return RaterRule{Kind::Rater, text.substr(kPrefix.size())};
  return std::nullopt;
}

std::string RaterRule::text() const {
  switch (kind) {
    case Kind::Union:
      return "union";
    case Kind::Majority:
      return "majority";
    case Kind::Rater:
      return "rater:" + rater;
  }
  return {};
}

Volume combine_raters(const std::vector<RaterFile>& raters, std::size_t min_raters,
                      const RaterRule& fallback, const std::map<std::int64_t, RaterRule>& per_value,
                      const std::map<std::int64_t, int>& class_of, std::int64_t background) {
  std::vector<const RaterFile*> present;
  std::vector<std::string> missing;
  for (const auto& r : raters) {
    if (r.present)
      present.push_back(&r);
    else
      missing.push_back(fmt::format("{} ({})", r.rater, r.file.string()));
  }
  if (present.size() < std::max<std::size_t>(min_raters, 1))
    throw InputError(fmt::format(
        "{}: only {} of the case's raters have a label file (missing: {}); the config asks for "
        "at least {}, so add the missing files or lower \"raters\".\"min_raters\"",
        raters.empty() ? std::string("?") : raters.front().file.parent_path().string(),
        present.size(), fmt::join(missing, ", "), std::max<std::size_t>(min_raters, 1)));
  // A rule that names a rater needs that rater's file.
  auto check_named = [&](const RaterRule& rule) {
    if (rule.kind != RaterRule::Kind::Rater) return;
    for (const auto& r : raters)
      if (r.rater == rule.rater && !r.present)
        throw InputError(fmt::format(
            "{}: rater {}'s label file is missing, and the config takes that rater's annotation "
            "(\"{}\"); add the file or combine the raters another way",
            r.file.string(), r.rater, rule.text()));
  };
  check_named(fallback);
  for (const auto& [value, rule] : per_value) check_named(rule);

  std::vector<std::string> warnings;  // reader notes; the hook has no place for them
  std::vector<std::vector<std::int64_t>> maps;
  Volume first;
  for (const RaterFile* r : present) {
    Volume read;
    maps.push_back(label_values(r->file, warnings, read));
    if (maps.size() == 1) {
      first = std::move(read);
      continue;
    }
    if (read.size() != first.size())
      throw InputError(fmt::format(
          "{}: rater {}'s label map is {} but rater {}'s ({}) is {}; the raters of a case are "
          "combined voxel by voxel, so their files must have one size",
          r->file.string(), r->rater, size_text(read), present.front()->rater,
          present.front()->file.string(), size_text(first)));
  }

  const std::size_t n = maps.size();
  Volume out = label_like(first, VoxelType::Int64);
  std::int64_t* o = out.data<std::int64_t>();
  std::vector<std::int64_t> values(n);
  std::vector<std::int64_t> classes(n);  // each rater's class index there
  for (std::size_t i = 0; i < out.voxel_count(); ++i) {
    bool all_background = true;
    for (std::size_t r = 0; r < n; ++r) {
      values[r] = maps[r][i];
      all_background = all_background && values[r] == background;
    }
    if (all_background) {  // most voxels: nothing to vote on
      o[i] = background;
      continue;
    }
    for (std::size_t r = 0; r < n; ++r) {
      const auto c = class_of.find(values[r]);
      classes[r] = c != class_of.end() ? c->second : -1;  // used only where the value is mapped
    }
    std::int64_t kept = background;
    bool any = false;
    for (std::size_t r = 0; r < n; ++r) {
      const std::int64_t v = values[r];
      if (v == background || (any && v <= kept)) continue;
      const auto it = per_value.find(v);
      const RaterRule& rule = it != per_value.end() ? it->second : fallback;
      bool keep = false;
      if (rule.kind == RaterRule::Kind::Rater) {
        for (std::size_t q = 0; q < n; ++q)
          if (present[q]->rater == rule.rater) keep = values[q] == v;
      } else {
        // Votes of the raters whose value there is of v's class.
        const bool mapped = class_of.count(v) != 0;
        std::size_t votes = 0;
        for (std::size_t q = 0; q < n; ++q)
          votes +=
              mapped ? class_of.count(values[q]) != 0 && classes[q] == classes[r] : values[q] == v;
        keep = rule.kind == RaterRule::Kind::Union || 2 * votes > n;
      }
      if (keep) {
        kept = v;
        any = true;
      }
    }
    o[i] = kept;
  }
  return out;
}

Volume assemble_class_masks(const std::vector<ClassMaskFile>& masks, bool majority) {
  std::vector<std::string> warnings;
  Volume out;
  std::array<std::size_t, 16> files_of{};  // files per class bit
  for (const auto& m : masks) ++files_of[m.bit];
  std::array<std::vector<std::uint8_t>, 16> votes;  // per class bit, with majority
  for (std::size_t f = 0; f < masks.size(); ++f) {
    const auto& m = masks[f];
    const Volume v = read_label_volume(m.file, warnings);
    if (v.components() != 1)
      throw InputError(fmt::format(
          "{}: a class mask with {} differing colour channels; a mask file must be grey (or RGB "
          "with equal channels)",
          m.file.string(), v.components()));
    if (f == 0) {
      out = label_like(v, VoxelType::UInt16);
      std::fill_n(out.data<std::uint16_t>(), out.voxel_count(), std::uint16_t{0});
    } else if (v.size() != out.size()) {
      throw InputError(fmt::format(
          "{}: mask file is {} but {} of the same case is {}; the class masks of a case are "
          "combined voxel by voxel, so remove the odd file or narrow the \"masks\" pattern",
          m.file.string(), size_text(v), masks.front().file.string(), size_text(out)));
    }
    auto* o = out.data<std::uint16_t>();
    const auto bit = static_cast<std::uint16_t>(1u << m.bit);
    if (majority && files_of[m.bit] > 1) {
      auto& count = votes[m.bit];
      if (count.empty()) count.assign(out.voxel_count(), 0);
      v.visit([&](const auto* p) {
        for (std::size_t i = 0; i < out.voxel_count(); ++i)
          if (p[i] != 0) ++count[i];
      });
      continue;
    }
    v.visit([&](const auto* p) {
      for (std::size_t i = 0; i < out.voxel_count(); ++i)
        if (p[i] != 0) o[i] = static_cast<std::uint16_t>(o[i] | bit);
    });
  }
  for (unsigned b = 0; b < votes.size(); ++b) {
    if (votes[b].empty()) continue;
    auto* o = out.data<std::uint16_t>();
    for (std::size_t i = 0; i < out.voxel_count(); ++i)
      if (2 * static_cast<std::size_t>(votes[b][i]) > files_of[b])
        o[i] = static_cast<std::uint16_t>(o[i] | (1u << b));
  }
  return out;
}

std::vector<std::int64_t> values_with_bit(unsigned bit, unsigned classes) {
  std::vector<std::int64_t> values;
  for (std::int64_t v = 1; v < (std::int64_t{1} << classes); ++v)
    if ((v >> bit) & 1) values.push_back(v);
  return values;
}

}  // namespace samed2d
