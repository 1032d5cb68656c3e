#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "converters/ConverterRegistry.hpp"
#include "converters/GenericConverter.hpp"
#include "pipeline/core/ClassRegistry.hpp"
#include "pipeline/core/Errors.hpp"
#include "support/TestData.hpp"

namespace samed2d {
namespace {

namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::HasSubstr;

const ClassRegistry kClasses =
    ClassRegistry::from_json_text(R"({"liver": "0003", "liver_tumor": "0004"})", "classes.json");

std::string error_loading(const fs::path& file) {
  try {
    load_dataset_config(file, kClasses);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(ConverterRegistryTest, TableListsTheGenericConverterOnce) {
  const auto& table = converter_registry();
  std::set<std::string> names;
  for (const auto& info : table) {
    EXPECT_TRUE(names.insert(info.name).second) << info.name;
    EXPECT_FALSE(info.description.empty()) << info.name;
    EXPECT_EQ(info.description.find('\n'), std::string::npos) << info.name;
    EXPECT_NE(info.create, nullptr) << info.name;
    EXPECT_EQ(find_converter(info.name), &info);
  }
  EXPECT_TRUE(names.count("generic"));
  EXPECT_EQ(find_converter("nope"), nullptr);
  EXPECT_EQ(find_converter(""), nullptr);
}

TEST(ConverterRegistryTest, LoadsAConfigWithCommentsAndDefaultsToGeneric) {
  test::TempDir dir;
  std::ofstream(dir / "MSD_Liver.json") << R"({
    // Task03_Liver of the Medical Segmentation Decathlon
    "dataset": "MSD_Liver",
    /* no "converter" key: generic */
    "cases": "imagesTr/liver_*.nii.gz",
    "modality": "ct_00",
    "label": "labelsTr/{name}",
    "labels": {"1": "liver", "2": "liver_tumor"}
  })";
  const auto converter = load_dataset_config(dir / "MSD_Liver.json", kClasses);
  ASSERT_NE(converter, nullptr);
  EXPECT_EQ(converter->dataset(), "MSD_Liver");
  EXPECT_NE(dynamic_cast<const GenericConverter*>(converter.get()), nullptr);

  // The created converter really works on its layout.
  test::write_volume<std::uint8_t>(dir / "in" / "imagesTr" / "liver_0.nii.gz", {2, 2, 1},
                                   {0, 1, 2, 3});
  std::ofstream(dir / "in" / "imagesTr" / "._liver_0.nii.gz") << "AppleDouble";
  const auto cases = converter->discover(dir / "in").cases;
  ASSERT_EQ(cases.size(), 1u);
  EXPECT_EQ(cases[0].name, "liver_0");
  EXPECT_EQ(cases[0].label, dir / "in" / "labelsTr" / "liver_0.nii.gz");
}

TEST(ConverterRegistryTest, ErrorsNameTheFile) {
  test::TempDir dir;
  std::ofstream(dir / "a.json") << R"({"dataset": "D", "converter": "generik"})";
  EXPECT_THAT(error_loading(dir / "a.json"),
              AllOf(HasSubstr("a.json"), HasSubstr("\"generik\""), HasSubstr("generic"),
                    HasSubstr("did you mean")));
  std::ofstream(dir / "b.json") << R"({"dataset": "D", "converter": 1})";
  EXPECT_THAT(error_loading(dir / "b.json"),
              AllOf(HasSubstr("b.json"), HasSubstr("\"converter\"")));
  std::ofstream(dir / "c.json") << "{\n  \"dataset\": \"D\"\n  \"cases\": \"*\"\n}";
  EXPECT_THAT(error_loading(dir / "c.json"), AllOf(HasSubstr("c.json"), HasSubstr("line 3")));
  EXPECT_THAT(error_loading(dir / "missing.json"), HasSubstr("missing.json"));
  std::ofstream(dir / "d.json") << R"(["not", "an", "object"])";
  EXPECT_THAT(error_loading(dir / "d.json"), AllOf(HasSubstr("d.json"), HasSubstr("object")));
  std::ofstream(dir / "e.json") << R"({"dataset": "D", "dataset": "E"})";
  EXPECT_THAT(error_loading(dir / "e.json"), AllOf(HasSubstr("e.json"), HasSubstr("twice")));
  std::ofstream(dir / "f.json") << R"({"dataset": "D", "cases": "*", "modality": "ct_00",
      "label": "{path}", "labels": {"1": "spleen"}})";
  EXPECT_THAT(error_loading(dir / "f.json"), AllOf(HasSubstr("f.json"), HasSubstr("spleen")));
}

}  // namespace
}  // namespace samed2d
