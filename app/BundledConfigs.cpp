#include "app/BundledConfigs.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <system_error>

#include "pipeline/core/Errors.hpp"
#include "pipeline/core/JsonFile.hpp"

namespace samed2d {

namespace fs = std::filesystem;

fs::path config_dir() {
  if (const char* env = std::getenv("SAMED2D_CONFIG_DIR")) return env;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path installed = exe.parent_path().parent_path() / "share" / "samed2d" / "configs";
    if (fs::is_directory(installed / "profiles")) return installed;
  }
  return SAMED2D_DEFAULT_CONFIG_DIR;
}

std::vector<std::string> bundled_dataset_names(const fs::path& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(dir / "datasets", ec), end; !ec && it != end; it.increment(ec))
    if (it->path().extension() == ".json") names.push_back(it->path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

fs::path bundled_dataset_config(const std::string& name, const fs::path& dir,
                                std::string_view option) {
  const fs::path bundled = dir / "datasets" / (name + ".json");
  if (name.find('/') == std::string::npos && !name.empty() && fs::is_regular_file(bundled))
    return bundled;
  const auto names = bundled_dataset_names(dir);
  const std::vector<std::string_view> known(names.begin(), names.end());
  throw ConfigError(
      fmt::format("{} {}: no bundled dataset config of that name{}; `samed2d list` shows them, and "
                  "--config FILE takes a config of your own",
                  option, name, did_you_mean(name, known)));
}

}  // namespace samed2d
