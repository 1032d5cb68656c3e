#include "Naming.hpp"

#include <fmt/format.h>

#include <array>
#include <cctype>

namespace samed2d {

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

}  // namespace samed2d
