#pragma once
// A gtest fixture for the end-to-end tests that run samed2d with a config they write themselves:
// a temporary folder holding input/ (the replica the test builds) and out/.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "support/DatasetRun.hpp"
#include "support/TestData.hpp"

namespace samed2d::test {

class ConfigRunTest : public ::testing::Test {
 protected:
  TempDir dir;
  std::filesystem::path input = dir / "input";
  std::filesystem::path out = dir / "out";

  // `samed2d convert --config CONFIG` of `config_text` on input/ into `output`, with the
  // bundled class registry (convert_config).
  ConvertedDataset convert_to(const std::string& config_text, const std::filesystem::path& output,
                              const std::vector<std::string>& extra = {}) const {
    return convert_config(dir.path(), config_text, input, output, extra);
  }
  // The same into out/.
  ConvertedDataset convert(const std::string& config_text,
                           const std::vector<std::string>& extra = {}) const {
    return convert_to(config_text, out, extra);
  }
};

}  // namespace samed2d::test
