// The part of discovery every converter shares: the input folder's check and the warnings of
// the Glob walks.
#include "converters/Converter.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <system_error>

#include "pipeline/core/Errors.hpp"

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

}  // namespace samed2d
