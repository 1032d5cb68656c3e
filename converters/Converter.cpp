// The part of discovery every converter shares: the input folder's check, the warnings of the
// Glob walks, and helpers for building cases.
#include "converters/Converter.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <system_error>

#include "pipeline/core/Errors.hpp"
#include "pipeline/core/Naming.hpp"

namespace samed2d {

Discovery Converter::discover(const std::filesystem::path& input_root) const {
  std::error_code ec;
  if (!std::filesystem::is_directory(input_root, ec))
    throw ConfigError(
        fmt::format("{}: the input folder does not exist or is not a folder; pass "
                    "the folder that holds the {} dataset (see {})",
                    input_root.string(), dataset_, origin_));
  Glob::Walk seen;
  Discovery found{cases_under(input_root, seen), std::move(seen.unreadable)};
  std::sort(found.warnings.begin(), found.warnings.end());
  return found;
}

CaseSpec Converter::one_image_case(std::string source, const std::string& name,
                                   std::filesystem::path image, std::string modality) const {
  CaseSpec spec;
  spec.dataset = dataset_;
  spec.source = std::move(source);
  spec.name = sanitize_case_name(name);
  SequenceSpec seq;
  seq.image = std::move(image);
  seq.modality = std::move(modality);
  spec.sequences.push_back(std::move(seq));
  return spec;
}

bool Converter::excluded(const std::vector<Glob>& exclude, const std::string& rel) {
  return std::any_of(exclude.begin(), exclude.end(), [&](const Glob& g) { return g.matches(rel); });
}

std::map<std::string, std::vector<std::string>> Converter::matches_by_folder(
    const Glob& glob, const std::vector<Glob>& exclude, const std::filesystem::path& input_root,
    Glob::Walk& seen) {
  std::map<std::string, std::vector<std::string>> folders;
  for (const std::string& rel : glob.find_cases(input_root, &seen)) {
    if (excluded(exclude, rel)) continue;
    const auto slash = rel.rfind('/');
    folders[slash == std::string::npos ? "." : rel.substr(0, slash)].push_back(rel);
  }
  return folders;
}

}  // namespace samed2d
