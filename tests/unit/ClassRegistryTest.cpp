#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "converters/ConverterRegistry.hpp"
#include "pipeline/core/ClassRegistry.hpp"
#include "pipeline/core/Errors.hpp"
#include "pipeline/core/JsonFile.hpp"
#include "support/ErrorOf.hpp"
#include "support/TestData.hpp"

namespace samed2d {
namespace {

namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::HasSubstr;

std::string error_of(const std::string& text) {
  return test::error_of<ConfigError>([&] { ClassRegistry::from_json_text(text, "classes.json"); });
}

TEST(ClassRegistryTest, ReadsNamesAndIds) {
  const auto r = ClassRegistry::from_json_text(
      "{\n  // comments are allowed\n  \"liver\": \"0003\", \"kidney\": \"0010\", \"big\": "
      "\"12345\"}",
      "classes.json");
  EXPECT_EQ(r.size(), 3u);
  EXPECT_EQ(r.id_of("liver"), 3);
  EXPECT_EQ(r.id_text_of("liver"), "0003");
  EXPECT_EQ(r.id_of("big"), 12345);
  EXPECT_EQ(r.id_text_of("big"), "12345");
  EXPECT_FALSE(r.id_of("spleen").has_value());
  EXPECT_FALSE(r.id_text_of("spleen").has_value());
}

TEST(ClassRegistryTest, BadEntriesAreConfigErrorsNamingFileAndEntry) {
  EXPECT_THAT(error_of(R"({"liver": "0003", "spleen": "0003"})"),
              AllOf(HasSubstr("classes.json"), HasSubstr("liver"), HasSubstr("spleen"),
                    HasSubstr("share the id")));
  EXPECT_THAT(error_of(R"({"liver": "003"})"), AllOf(HasSubstr("liver"), HasSubstr("\"003\"")));
  EXPECT_THAT(error_of(R"({"liver": "00a3"})"), HasSubstr("liver"));
  EXPECT_THAT(error_of(R"({"liver": "-003"})"), HasSubstr("liver"));
  EXPECT_THAT(error_of(R"({"liver": " 0003"})"), HasSubstr("liver"));
  EXPECT_THAT(error_of(R"({"liver": 3})"), HasSubstr("liver"));
  EXPECT_THAT(error_of(R"({"liver": "00003"})"), HasSubstr("write it as \"0003\""));
  EXPECT_THAT(error_of(R"({"liver": "99999999999"})"), HasSubstr("liver"));
  EXPECT_THAT(error_of(R"({"": "0001"})"), HasSubstr("empty"));
  EXPECT_THAT(error_of(R"({"left/right": "0001"})"), HasSubstr("left/right"));
  EXPECT_THAT(error_of(R"({"a--b": "0001"})"), HasSubstr("a--b"));
  EXPECT_THAT(error_of(R"({"left lung": "0001"})"), HasSubstr("left lung"));
  EXPECT_THAT(error_of(R"({"liver": "0001", "liver": "0002"})"),
              AllOf(HasSubstr("liver"), HasSubstr("twice")));
  EXPECT_THAT(error_of(R"(["liver"])"), HasSubstr("object"));
  EXPECT_THAT(error_of("{\n\"liver\": \"0001\",\n}"), HasSubstr("line 3"));
}

TEST(ClassRegistryTest, LoadNamesAMissingFile) {
  test::TempDir dir;
  EXPECT_THAT(test::error_of<ConfigError>([&] { ClassRegistry::load(dir / "none.json"); }),
              HasSubstr("none.json"));
}

// The bundled registry, read as plain JSON lines so the check does not rely on the loader.
TEST(ClassRegistryTest, BundledRegistryLoadsWithUniqueIdsAndAContiguousAalBlock) {
  const fs::path config_dir = test::source_dir() / "configs";
  const auto registry = ClassRegistry::load(config_dir / "classes.json");
  std::set<int> ids;
  for (const auto& [name, id_text] : registry.entries()) ids.insert(std::stoi(id_text));
  EXPECT_EQ(ids.size(), registry.size());

  // AAL names from the atlas's own table, lower-cased.
  std::ifstream txt(test::sample_data_dir() / "colin27" / "aal.nii.txt");
  ASSERT_TRUE(txt) << "run scripts/fetch-sample-data.sh";
  std::vector<std::string> aal_names;
  int value = 0;
  std::string name;
  std::string code;
  while (txt >> value >> name >> code) {
    ASSERT_EQ(value, static_cast<int>(aal_names.size()) + 1);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    aal_names.push_back(name);
  }
  ASSERT_EQ(aal_names.size(), 116u);
  const auto first = registry.id_of(aal_names.front());
  ASSERT_TRUE(first.has_value());
  for (std::size_t i = 0; i < aal_names.size(); ++i)
    EXPECT_EQ(registry.id_of(aal_names[i]), *first + static_cast<int>(i)) << aal_names[i];
  // No other class sits inside the block.
  for (const auto& [n, id_text] : registry.entries()) {
    const int id = std::stoi(id_text);
    if (id >= *first && id < *first + 116) {
      EXPECT_EQ(n, aal_names[id - *first]);
    }
  }

  // Classes the project's configs and docs rely on.
  for (const char* needed :
       {"right_ventricle", "myocardium", "left_ventricle", "liver", "liver_tumor", "spleen",
        "pancreas", "prostate", "enhancing_tumor", "peritumoral_edema", "kidney", "kidney_tumor",
        "kidney_cyst", "aorta", "esophagus", "trachea", "heart", "left_lung", "right_lung"})
    EXPECT_TRUE(registry.id_of(needed).has_value()) << needed;
}

TEST(ClassRegistryTest, EveryBundledDatasetConfigUsesOnlyRegisteredClasses) {
  const fs::path config_dir = test::source_dir() / "configs";
  const auto registry = ClassRegistry::load(config_dir / "classes.json");
  int configs = 0;
  for (const auto& entry : fs::directory_iterator(config_dir / "datasets")) {
    if (entry.path().extension() != ".json") continue;
    ++configs;
    // A dataset marked not convertible loads as its reason, nothing else.
    if (read_text_file(entry.path()).find("\"not_convertible\"") != std::string::npos)
      EXPECT_THROW(load_dataset_config(entry.path(), registry), NotConvertible) << entry.path();
    else
      EXPECT_NO_THROW(load_dataset_config(entry.path(), registry)) << entry.path();
  }
  EXPECT_GE(configs, 1);
}

// A not_convertible config with both "reason" and "dataset" wrong names the reason first, whatever
// the compiler (the two were once arguments of one call, checked in an unspecified order).
TEST(DatasetConfig, NotConvertibleWithBothFieldsWrongNamesTheReason) {
  ClassRegistry registry;
  try {
    load_dataset_config_text(
        R"({"dataset": "", "converter": "not_convertible", "description": "x", "reason": ""})",
        "c.json", registry);
    ADD_FAILURE() << "the config was accepted";
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("\"reason\" must be a non-empty string"));
  }
}

}  // namespace
}  // namespace samed2d
