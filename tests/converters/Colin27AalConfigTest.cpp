// The bundled Colin27_AAL config on the real sample data (scripts/fetch-sample-data.sh).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "converters/ConverterRegistry.hpp"
#include "pipeline/core/ClassRegistry.hpp"
#include "support/TestData.hpp"

namespace samed2d {
namespace {

namespace fs = std::filesystem;

// aal.nii.txt lines: "<value> <Name> <code>", CRLF line ends, a blank last line.
std::vector<std::string> aal_names(const fs::path& txt) {
  std::ifstream in(txt);
  std::vector<std::string> names;
  int value = 0;
  std::string name;
  std::string code;
  while (in >> value >> name >> code) {
    if (value != static_cast<int>(names.size()) + 1)
      throw std::runtime_error("unexpected value order");
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    names.push_back(name);
  }
  return names;
}

TEST(Colin27AalConfigTest, DiscoversOneCaseWithThe116AalClasses) {
  const fs::path source(test::source_dir());
  const fs::path input = test::sample_data_dir() / "colin27";
  ASSERT_TRUE(fs::is_regular_file(input / "aal.nii.txt")) << "run scripts/fetch-sample-data.sh";
  const auto names = aal_names(input / "aal.nii.txt");
  ASSERT_EQ(names.size(), 116u);

  const auto classes = ClassRegistry::load(source / "configs" / "classes.json");
  const auto converter =
      load_dataset_config(source / "configs" / "datasets" / "Colin27_AAL.json", classes);
  EXPECT_EQ(converter->dataset(), "Colin27_AAL");

  const auto cases = converter->discover(input).cases;
  ASSERT_EQ(cases.size(), 1u);
  const auto& c = cases[0];
  EXPECT_EQ(c.name, "ch2");
  EXPECT_EQ(c.source, "ch2.nii.gz");
  EXPECT_TRUE(c.discovery_error.empty());
  ASSERT_EQ(c.sequences.size(), 1u);
  EXPECT_EQ(c.sequences[0].image, (input / "ch2.nii.gz").lexically_normal());
  EXPECT_EQ(c.sequences[0].modality, "mr_t1");
  EXPECT_FALSE(c.sequences[0].component.has_value());
  EXPECT_EQ(c.label, (input / "aal.nii.gz").lexically_normal());
  EXPECT_TRUE(fs::is_regular_file(c.label));

  ASSERT_NE(c.mapping, nullptr);
  ASSERT_EQ(c.mapping->classes.size(), 116u);
  std::vector<bool> seen(117, false);
  int previous_id = 0;
  for (const auto& cls : c.mapping->classes) {
    ASSERT_EQ(cls.values.size(), 1u) << cls.name;
    const auto v = cls.values[0];
    ASSERT_GE(v, 1);
    ASSERT_LE(v, 116);
    EXPECT_FALSE(seen[v]) << v;
    seen[v] = true;
    EXPECT_EQ(cls.name, names[v - 1]) << "value " << v;
    EXPECT_EQ(cls.id, classes.id_of(cls.name));
    EXPECT_GT(cls.id, previous_id);
    previous_id = cls.id;
  }
}

}  // namespace
}  // namespace samed2d
