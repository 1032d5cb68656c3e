#pragma once
// The configs that ship with samed2d (configs/ of the checkout, or share/samed2d/configs of an
// installation): where they are, and a bundled dataset config by name.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace samed2d {

// $SAMED2D_CONFIG_DIR, else the installed configs beside the binary, else the checkout's.
std::filesystem::path config_dir();

// The names of the bundled dataset configs of `dir`, sorted.
std::vector<std::string> bundled_dataset_names(const std::filesystem::path& dir);

// --dataset NAME: the bundled config of that dataset. Throws ConfigError naming `option` with a
// suggestion when there is none.
std::filesystem::path bundled_dataset_config(const std::string& name,
                                             const std::filesystem::path& dir,
                                             std::string_view option = "--dataset");

}  // namespace samed2d
