// The dataset config shown in the README must load against the bundled class registry: users
// copy it, and a README example that the tool refuses is a bug.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "converters/ConverterRegistry.hpp"
#include "pipeline/core/ClassRegistry.hpp"
#include "support/Matchers.hpp"
#include "support/TestData.hpp"

namespace samed2d::test {
namespace {

std::vector<std::string> json_blocks(const fs::path& markdown) {
  std::ifstream in(markdown);
  std::vector<std::string> blocks;
  std::string line, block;
  bool inside = false;
  while (std::getline(in, line)) {
    if (!inside && line.rfind("```json", 0) == 0) {
      inside = true;
      block.clear();
    } else if (inside && line.rfind("```", 0) == 0) {
      inside = false;
      blocks.push_back(block);
    } else if (inside) {
      block += line + "\n";
    }
  }
  return blocks;
}

TEST(ReadmeExampleTest, EveryJsonExampleInTheReadmeIsAValidDatasetConfig) {
  const fs::path source(source_dir());
  const auto blocks = json_blocks(source / "README.md");
  ASSERT_FALSE(blocks.empty()) << "the README lost its dataset config example";
  const auto classes = ClassRegistry::load(source / "configs" / "classes.json");
  TempDir dir;
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const fs::path file = dir / ("example" + std::to_string(i) + ".json");
    std::ofstream(file) << blocks[i];
    EXPECT_NO_THROW(load_dataset_config(file, classes)) << blocks[i];
  }
}

}  // namespace
}  // namespace samed2d::test
