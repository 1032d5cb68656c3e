#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "pipeline/Errors.hpp"
#include "pipeline/Profile.hpp"
#include "support/TestData.hpp"

namespace samed2d {
namespace {

namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::HasSubstr;

Profile parse(const std::string& text) {
  return parse_profile(nlohmann::json::parse(text), "p.json");
}

std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

const fs::path kConfigDir = test::source_dir() / "configs";

TEST(ProfileLoaderTest, EmptyProfileGivesTheSpecDefaults) {
  const Profile p = parse("{}");
  EXPECT_EQ(p.orientation, Orientation::AsStored);
  EXPECT_EQ(p.axes, (std::vector<Axis>{Axis::X, Axis::Y, Axis::Z}));
  EXPECT_EQ(p.slice_step, 1u);
  EXPECT_EQ(p.intensity, IntensityMode::MinMaxSlice);
  EXPECT_TRUE(p.channels_3d_rgb);
  EXPECT_EQ(p.connectivity, 8);
  EXPECT_EQ(p.min_area_fraction, 0.00153);
  EXPECT_FALSE(p.min_area_pixels.has_value());
  EXPECT_EQ(p.min_aspect, 0.5);
}

TEST(ProfileLoaderTest, BundledSamed2dV1HoldsTheSpecDefaultsExplicitly) {
  const auto file = kConfigDir / "profiles" / "samed2d_v1.json";
  const auto j = nlohmann::json::parse(std::ifstream(file), nullptr, true, true);
  // Every output-changing option is spelled out, not left to the code's defaults.
  for (const char* key : {"orientation", "axes", "slice_step", "intensity", "channels_3d",
                          "connectivity", "min_area_fraction", "min_aspect", "description"})
    EXPECT_TRUE(j.contains(key)) << key;
  const Profile p = load_profile("samed2d_v1", kConfigDir);
  EXPECT_EQ(p.name, "samed2d_v1");
  EXPECT_EQ(p.to_json(), Profile{}.to_json());
  EXPECT_EQ(p.to_json(), parse("{}").to_json());
}

TEST(ProfileLoaderTest, ReadsEveryOption) {
  const Profile p = parse(R"({"name": "ras", "description": "d", "orientation": "RAS",
      "axes": ["z", "x"], "slice_step": 3, "intensity": "window",
      "window": {"level": 40, "width": 400}, "channels_3d": "gray", "connectivity": 4,
      "min_area_pixels": 100, "min_aspect": 0})");
  EXPECT_EQ(p.name, "ras");
  EXPECT_EQ(p.orientation, Orientation::RAS);
  EXPECT_EQ(p.axes, (std::vector<Axis>{Axis::X, Axis::Z}));
  EXPECT_EQ(p.slice_step, 3u);
  EXPECT_EQ(p.intensity, IntensityMode::Window);
  EXPECT_EQ(p.window_level, 40);
  EXPECT_EQ(p.window_width, 400);
  EXPECT_FALSE(p.channels_3d_rgb);
  EXPECT_EQ(p.connectivity, 4);
  EXPECT_EQ(p.min_area_pixels, 100);
  EXPECT_EQ(p.min_aspect, 0);

  const Profile q = parse(R"({"orientation": "LPS", "intensity": "percentile",
      "percentile": {"lower": 0.5, "upper": 99.5}, "min_area_fraction": 0.01})");
  EXPECT_EQ(q.orientation, Orientation::LPS);
  EXPECT_EQ(q.intensity, IntensityMode::Percentile);
  EXPECT_EQ(q.percentile_lower, 0.5);
  EXPECT_EQ(q.percentile_upper, 99.5);
  EXPECT_EQ(q.min_area_fraction, 0.01);
  EXPECT_EQ(parse(R"({"intensity": "minmax-volume"})").intensity, IntensityMode::MinMaxVolume);
}

TEST(ProfileLoaderTest, ErrorsNameTheFileAndTheKey) {
  auto expect = [](const std::string& text, const std::string& key, const std::string& more = "") {
    const auto e = error_of(text);
    EXPECT_THAT(e, AllOf(HasSubstr("p.json"), HasSubstr("\"" + key + "\""), HasSubstr(more)))
        << text;
  };
  expect(R"({"slice_stp": 2})", "slice_stp", "did you mean \"slice_step\"");
  expect(R"({"orientation": "RAI"})", "orientation", "as-stored");
  expect(R"({"orientation": 1})", "orientation");
  expect(R"({"axes": []})", "axes");
  expect(R"({"axes": ["x", "x"]})", "axes", "twice");
  expect(R"({"axes": ["w"]})", "axes");
  expect(R"({"axes": "x"})", "axes");
  expect(R"({"slice_step": 0})", "slice_step");
  expect(R"({"slice_step": 1.5})", "slice_step");
  expect(R"({"slice_step": "2"})", "slice_step");
  expect(R"({"intensity": "window"})", "window", "required");
  expect(R"({"window": {"level": 1, "width": 2}})", "window", "not \"window\"");
  expect(R"({"intensity": "window", "window": {"level": 1, "width": 0}})", "window.width");
  expect(R"({"intensity": "window", "window": {"level": 1}})", "window", "width");
  expect(R"({"intensity": "window", "window": {"level": 1, "width": 2, "lvl": 3}})", "window.lvl");
  expect(R"({"intensity": "percentile"})", "percentile", "required");
  expect(R"({"intensity": "percentile", "percentile": {"lower": 5, "upper": 5}})", "percentile");
  expect(R"({"intensity": "percentile", "percentile": {"lower": -1, "upper": 5}})",
         "percentile.lower");
  expect(R"({"intensity": "percentile", "percentile": {"lower": 1, "upper": 101}})",
         "percentile.upper");
  expect(R"({"percentile": {"lower": 1, "upper": 2}})", "percentile", "not \"percentile\"");
  expect(R"({"channels_3d": "grey"})", "channels_3d");
  expect(R"({"connectivity": 6})", "connectivity");
  expect(R"({"min_area_fraction": 1.5})", "min_area_fraction");
  expect(R"({"min_area_fraction": -0.1})", "min_area_fraction");
  expect(R"({"min_area_pixels": -1})", "min_area_pixels");
  expect(R"({"min_area_pixels": 10, "min_area_fraction": 0.1})", "min_area_pixels", "both");
  expect(R"({"min_aspect": 2})", "min_aspect");
  expect(R"({"name": 5})", "name");
  EXPECT_THAT(error_of("[1]"), HasSubstr("object"));
}

TEST(ProfileLoaderTest, FingerprintChangesWithEveryOutputOption) {
  const auto base = parse("{}").to_json();
  for (const char* text :
       {R"({"orientation": "RAS"})", R"({"axes": ["x"]})", R"({"slice_step": 2})",
        R"({"intensity": "minmax-volume"})", R"({"channels_3d": "gray"})", R"({"connectivity": 4})",
        R"({"min_area_fraction": 0.002})", R"({"min_area_pixels": 100})", R"({"min_aspect": 0})"})
    EXPECT_NE(parse(text).to_json(), base) << text;
  EXPECT_NE(parse(R"({"intensity": "window", "window": {"level": 40, "width": 400}})").to_json(),
            parse(R"({"intensity": "window", "window": {"level": 40, "width": 350}})").to_json());
  EXPECT_NE(
      parse(R"({"intensity": "percentile", "percentile": {"lower": 1, "upper": 99}})").to_json(),
      parse(R"({"intensity": "percentile", "percentile": {"lower": 2, "upper": 99}})").to_json());
  // Name, description and axis order do not change the output.
  EXPECT_EQ(parse(R"({"name": "a", "description": "x", "axes": ["z", "y", "x"]})").to_json(), base);
  // Stable text: the fingerprint is compared as a string in case records.
  EXPECT_EQ(parse("{}").to_json().dump(), base.dump());
}

TEST(ProfileLoaderTest, LoadsByNameOrFile) {
  test::TempDir dir;
  fs::create_directories(dir / "profiles");
  std::ofstream(dir / "profiles" / "fast.json") << "{ /* fewer slices */ \"slice_step\": 4 }";
  std::ofstream(dir / "profiles" / "gray.json") << R"({"channels_3d": "gray"})";
  const Profile fast = load_profile("fast", dir.path());
  EXPECT_EQ(fast.slice_step, 4u);
  EXPECT_EQ(fast.name, "fast");

  std::ofstream(dir / "mine.json") << R"({"connectivity": 4})";
  EXPECT_EQ(load_profile((dir / "mine.json").string(), dir.path()).connectivity, 4);

  try {
    load_profile("fats", dir.path());
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), AllOf(HasSubstr("\"fats\""), HasSubstr("fast, gray")));
  }
  EXPECT_THROW(load_profile((dir / "none.json").string(), dir.path()), ConfigError);
  std::ofstream(dir / "broken.json") << "{\"slice_step\": 2,,}";
  try {
    load_profile((dir / "broken.json").string(), dir.path());
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), AllOf(HasSubstr("broken.json"), HasSubstr("line 1")));
  }
}

}  // namespace
}  // namespace samed2d
