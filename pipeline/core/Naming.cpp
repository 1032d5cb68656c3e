#include "pipeline/core/Naming.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>

namespace samed2d {

namespace {

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A number zero-padded to `width` digits gets more digits only when its value needs them, so a
// longer one never starts with 0 ("x_00006" is no name the converter writes).
bool overpadded(std::string_view digits, std::size_t width) {
  return digits.size() > width && digits.front() == '0';
}

// Cuts the first field ("a--" off "a--b--c") or, from_end, the last one ("--c") off `rest` and
// returns it; nothing when `rest` holds no "--".
std::optional<std::string_view> cut_field(std::string_view& rest, bool from_end) {
  const auto p = from_end ? rest.rfind("--") : rest.find("--");
  if (p == std::string_view::npos) return std::nullopt;
  const std::string_view field = from_end ? rest.substr(p + 2) : rest.substr(0, p);
  rest = from_end ? rest.substr(0, p) : rest.substr(p + 2);
  return field;
}

}  // namespace

std::string sanitize_case_name(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (char c : raw) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '/' || c == '\\' || std::isspace(u) || u < 0x20 || u == 0x7f) {
      out.push_back('_');
    } else if (c == '-' && !out.empty() && out.back() == '-') {
      continue;  // a run of hyphens collapses to one
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string strip_format_extension(std::string_view name) {
  static constexpr std::array<std::string_view, 13> kExtensions{
      ".nii.gz", ".nii", ".mha",  ".mhd", ".nrrd", ".nhdr", ".dcm",
      ".png",    ".jpg", ".jpeg", ".bmp", ".tiff", ".tif"};
  auto ends_with_ci = [&](std::string_view ext) {
    if (name.size() <= ext.size()) return false;
    auto tail = name.substr(name.size() - ext.size());
    for (std::size_t i = 0; i < ext.size(); ++i)
      if (std::tolower(static_cast<unsigned char>(tail[i])) != ext[i]) return false;
    return true;
  };
  for (auto ext : kExtensions)
    if (ends_with_ci(ext)) return std::string(name.substr(0, name.size() - ext.size()));
  return std::string(name);
}

bool is_valid_modality(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

bool is_valid_dataset_name(std::string_view s) {
  if (s.empty() || s.front() == '-' || s.back() == '-') return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' ||
                    (c == '-' && s[i + 1] != '-');
    if (!ok) return false;
  }
  return true;
}

std::string slice_label(Axis axis, std::size_t index) {
  return fmt::format("{}_{:04d}", axis_letter(axis), index);
}

std::string case_prefix(std::string_view modality, std::string_view dataset,
                        std::string_view case_name) {
  return fmt::format("{}--{}--{}--", modality, dataset, case_name);
}

std::string image_stem(std::string_view modality, std::string_view dataset,
                       std::string_view case_name, std::string_view slice) {
  return fmt::format("{}--{}--{}--{}", modality, dataset, case_name, slice);
}

std::string mask_stem(std::string_view image_stem, std::string_view class_id_text,
                      std::size_t instance) {
  return fmt::format("{}--{}_{:03d}", image_stem, class_id_text, instance);
}

// The modality and dataset have no '-' run, so they are cut from the left; the slice and the
// class/instance field have none either, so they are cut from the right, and what is left is the
// case (which may start or end with a single '-').
std::string parse_name(std::string_view name, bool mask, ParsedName& out) {
  constexpr std::string_view kPng = ".png";
  if (name.size() <= kPng.size() || name.substr(name.size() - kPng.size()) != kPng)
    return "does not end with .png";
  std::string_view stem = name.substr(0, name.size() - kPng.size());
  if (mask) {
    const auto last = cut_field(stem, true);
    if (!last) return "has no '--' separated fields";
    const std::string_view tail = *last;
    const auto u = tail.find('_');
    if (u == std::string_view::npos || u < 4 || !all_digits(tail.substr(0, u)) ||
        tail.size() - u - 1 < 3 || !all_digits(tail.substr(u + 1)))
      return fmt::format(
          "last field '{}' is not {{class:04d}}_{{instance:03d}} (a mask name ends with "
          "--CCCC_III)",
          tail);
    out.class_id = tail.substr(0, u);
    out.instance = tail.substr(u + 1);
    if (overpadded(out.instance, 3))
      return fmt::format("instance '{}' is padded beyond 3 digits (_001, not _0001)", out.instance);
  }
  out.image_stem = stem;
  constexpr std::string_view kTooFew =
      "has too few fields (modality--dataset--case--slice expected)";
  std::string_view rest = stem;
  const auto modality = cut_field(rest, false);
  if (!modality) return "has no '--' separated fields";
  if (!is_valid_modality(*modality))
    return fmt::format("modality '{}' is not lower-case letters, digits and _", *modality);
  out.modality = *modality;
  const auto dataset = cut_field(rest, false);
  if (!dataset) return std::string(kTooFew);
  if (!is_valid_dataset_name(*dataset))
    return fmt::format("dataset '{}' is not letters, digits, _, . and single -", *dataset);
  out.dataset = *dataset;
  const auto slice_field = cut_field(rest, true);
  if (!slice_field) return std::string(kTooFew);
  const std::string_view case_name = rest;
  const std::string_view slice = *slice_field;
  if (case_name.empty()) return "case is empty";
  if (case_name.find("--") != std::string_view::npos)
    return fmt::format("case '{}' holds '--' (too many fields, or an unsanitized case)", case_name);
  for (const char c : case_name) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '/' || c == '\\' || u < 0x20 || u == 0x7f || c == ' ')
      return fmt::format("case '{}' holds '/', '\\', white space or a control character",
                         case_name);
  }
  out.case_name = case_name;
  const bool slice_ok =
      slice == kSlice2d ||
      (slice.size() >= 6 && (slice[0] == 'x' || slice[0] == 'y' || slice[0] == 'z') &&
       slice[1] == '_' && all_digits(slice.substr(2)));
  if (!slice_ok)
    return fmt::format("slice '{}' is not x_NNNN, y_NNNN, z_NNNN (4+ digits) or 2d_none", slice);
  if (slice != kSlice2d && overpadded(slice.substr(2), 4))
    return fmt::format("slice '{}' is padded beyond 4 digits (x_0006, not x_00006)", slice);
  out.slice = slice;
  return {};
}

}  // namespace samed2d
