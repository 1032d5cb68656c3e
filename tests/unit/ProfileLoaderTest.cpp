#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "pipeline/core/Errors.hpp"
#include "pipeline/core/Profile.hpp"
#include "support/ErrorOf.hpp"
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
  return test::error_of<ConfigError>([&] { parse(text); });
}

const fs::path kConfigDir = test::source_dir() / "configs";

TEST(ProfileLoaderTest, EmptyProfileGivesTheSpecDefaults) {
  const Profile p = parse("{}");
  EXPECT_EQ(p.orientation, Orientation::AsStored);
  EXPECT_EQ(p.axes, (std::vector<Axis>{Axis::X, Axis::Y, Axis::Z}));
  EXPECT_EQ(p.slice_step, 1u);
  EXPECT_EQ(p.intensity.mode, IntensityMode::MinMaxSlice);
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
  EXPECT_EQ(p.intensity.mode, IntensityMode::Window);
  EXPECT_EQ(p.intensity.window_level, 40);
  EXPECT_EQ(p.intensity.window_width, 400);
  EXPECT_FALSE(p.channels_3d_rgb);
  EXPECT_EQ(p.connectivity, 4);
  EXPECT_EQ(p.min_area_pixels, 100);
  EXPECT_EQ(p.min_aspect, 0);

  const Profile q = parse(R"({"orientation": "LPS", "intensity": "percentile",
      "percentile": {"lower": 0.5, "upper": 99.5}, "min_area_fraction": 0.01})");
  EXPECT_EQ(q.orientation, Orientation::LPS);
  EXPECT_EQ(q.intensity.mode, IntensityMode::Percentile);
  EXPECT_EQ(q.intensity.percentile_lower, 0.5);
  EXPECT_EQ(q.intensity.percentile_upper, 99.5);
  EXPECT_EQ(q.min_area_fraction, 0.01);
  EXPECT_EQ(parse(R"({"intensity": "minmax-volume"})").intensity.mode, IntensityMode::MinMaxVolume);
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

TEST(ProfileLoaderTest, SlicingOptionsParseAndEnterTheFingerprint) {
  const Profile p = parse(R"({"pixel_spacing": "isotropic", "size": 1024, "fit": "stretch"})");
  EXPECT_EQ(p.pixel_spacing, PixelSpacing::Isotropic);
  EXPECT_EQ(p.size, 1024u);
  EXPECT_EQ(p.fit, Fit::Stretch);
  EXPECT_EQ(parse(R"({"size": 256})").fit, Fit::Pad);  // pad is the default fit
  const auto base = parse("{}").to_json();
  for (const char* text : {R"({"pixel_spacing": "isotropic"})", R"({"size": 256})",
                           R"({"intensity_by_modality": {"ct": {"intensity": "minmax-volume"}}})"})
    EXPECT_NE(parse(text).to_json(), base) << text;
  EXPECT_NE(parse(R"({"size": 256, "fit": "pad"})").to_json(),
            parse(R"({"size": 256, "fit": "stretch"})").to_json());
  EXPECT_NE(parse(R"({"size": 256})").to_json(), parse(R"({"size": 512})").to_json());
  // Defaults spelled out give the default fingerprint, whose text is what records of runs
  // before these options hold: a samed2d_v1 rerun must not redo every case.
  EXPECT_EQ(parse(R"({"pixel_spacing": "as-stored", "intensity_by_modality": {}})").to_json(),
            base);
  EXPECT_EQ(base.dump(),
            R"({"axes":["x","y","z"],"channels_3d":"rgb","connectivity":8,)"
            R"("intensity":"minmax-slice","min_area_fraction":0.00153,"min_aspect":0.5,)"
            R"("orientation":"as-stored","slice_step":1})");
}

TEST(ProfileLoaderTest, SlicingOptionErrorsNameTheKey) {
  auto expect = [](const std::string& text, const std::string& key, const std::string& more = "") {
    const auto e = error_of(text);
    EXPECT_THAT(e, AllOf(HasSubstr("p.json"), HasSubstr("\"" + key + "\""), HasSubstr(more)))
        << text;
  };
  expect(R"({"pixel_spacing": "square"})", "pixel_spacing", "isotropic");
  expect(R"({"size": 0})", "size");
  expect(R"({"size": 100000})", "size", "8192");
  expect(R"({"size": "256"})", "size");
  expect(R"({"fit": "pad"})", "fit", "without \"size\"");
  expect(R"({"size": 256, "fit": "crop"})", "fit", "stretch");
  expect(R"({"intensity_by_modality": []})", "intensity_by_modality");
  expect(R"({"intensity_by_modality": {"CT": {"intensity": "minmax-slice"}}})",
         "intensity_by_modality.CT", "lower-case");
  expect(R"({"intensity_by_modality": {"ct": {}}})", "intensity_by_modality.ct", "intensity");
  expect(R"({"intensity_by_modality": {"ct": {"intensity": "window"}}})",
         "intensity_by_modality.ct.window", "required");
  expect(R"({"intensity_by_modality": {"ct": {"intensity": "window",
      "window": {"level": 40, "width": -1}}}})",
         "intensity_by_modality.ct.window.width");
  expect(R"({"intensity_by_modality": {"ct": {"intensity": "minmax-slice", "size": 3}}})",
         "intensity_by_modality.ct.size", "not a known key");
}

TEST(ProfileLoaderTest, IntensityForTakesTheLongestPrefixAtAnUnderscore) {
  const Profile p = parse(R"({"intensity": "minmax-slice", "intensity_by_modality": {
      "ct": {"intensity": "window", "window": {"level": 40, "width": 400}},
      "mr": {"intensity": "percentile", "percentile": {"lower": 0.5, "upper": 99.5}},
      "mr_t1": {"intensity": "minmax-volume"}}})");
  EXPECT_EQ(p.intensity_for("ct").mode, IntensityMode::Window);
  EXPECT_EQ(p.intensity_for("ct_00").mode, IntensityMode::Window);
  EXPECT_EQ(p.intensity_for("ct_00").window_width, 400);
  EXPECT_EQ(p.intensity_for("mr_t2").mode, IntensityMode::Percentile);
  EXPECT_EQ(p.intensity_for("mr_t1").mode, IntensityMode::MinMaxVolume);
  EXPECT_EQ(p.intensity_for("mr_t1ce").mode, IntensityMode::Percentile);  // not "mr_t1"
  EXPECT_EQ(p.intensity_for("mri").mode, IntensityMode::MinMaxSlice);     // not "mr"
  EXPECT_EQ(p.intensity_for("x_ray").mode, IntensityMode::MinMaxSlice);
  EXPECT_EQ(p.intensity_for("pet_00").mode, IntensityMode::MinMaxSlice);
}

TEST(ProfileLoaderTest, BundledProfilesSayWhatTheyDo) {
  const Profile iso = load_profile("isotropic", kConfigDir);
  EXPECT_EQ(iso.pixel_spacing, PixelSpacing::Isotropic);
  EXPECT_FALSE(iso.size.has_value());
  // isotropic is samed2d_v1 plus square pixels, nothing else.
  auto iso_json = iso.to_json();
  iso_json.erase("pixel_spacing");
  EXPECT_EQ(iso_json, load_profile("samed2d_v1", kConfigDir).to_json());

  const Profile medsam = load_profile("medsam_1024", kConfigDir);
  EXPECT_EQ(medsam.size, 1024u);
  EXPECT_EQ(medsam.fit, Fit::Pad);
  EXPECT_TRUE(medsam.channels_3d_rgb);
  EXPECT_EQ(medsam.intensity_for("ct_00").mode, IntensityMode::Window);
  EXPECT_EQ(medsam.intensity_for("ct_00").window_level, 40);
  EXPECT_EQ(medsam.intensity_for("ct_00").window_width, 400);
  for (const char* m : {"mr_t1", "pet_00", "ultrasound_00", "ct_cbf"}) {
    EXPECT_EQ(medsam.intensity_for(m).mode, IntensityMode::Percentile) << m;
    EXPECT_EQ(medsam.intensity_for(m).percentile_lower, 0.5);
    EXPECT_EQ(medsam.intensity_for(m).percentile_upper, 99.5);
  }

  const Profile sam = load_profile("sam_med2d_256", kConfigDir);
  EXPECT_EQ(sam.size, 256u);
  EXPECT_EQ(sam.fit, Fit::Pad);
  auto sam_json = sam.to_json();
  sam_json.erase("size");
  sam_json.erase("fit");
  EXPECT_EQ(sam_json, load_profile("samed2d_v1", kConfigDir).to_json());

  for (const char* name : {"samed2d_v1", "isotropic", "medsam_1024", "sam_med2d_256"}) {
    const Profile p = load_profile(name, kConfigDir);
    EXPECT_EQ(p.name, name);
    EXPECT_GT(p.description.size(), 40u) << name;
  }
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

  EXPECT_THAT(test::error_of<ConfigError>([&] { load_profile("fats", dir.path()); }),
              AllOf(HasSubstr("\"fats\""), HasSubstr("fast, gray")));
  EXPECT_THROW(load_profile((dir / "none.json").string(), dir.path()), ConfigError);
  std::ofstream(dir / "broken.json") << "{\"slice_step\": 2,,}";
  EXPECT_THAT(test::error_of<ConfigError>(
                  [&] { load_profile((dir / "broken.json").string(), dir.path()); }),
              AllOf(HasSubstr("broken.json"), HasSubstr("line 1")));
}

}  // namespace
}  // namespace samed2d
