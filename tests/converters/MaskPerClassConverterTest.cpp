// The mask_per_class converter on its own: config validation, discovery of the mask files
// against each version's exact key set, and the label map assembly.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "converters/MaskPerClassConverter.hpp"
#include "pipeline/core/ClassRegistry.hpp"
#include "pipeline/core/Errors.hpp"
#include "support/DatasetRun.hpp"
#include "support/TestData.hpp"

namespace samed2d {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using ::testing::HasSubstr;

const ClassRegistry& registry() {
  static const ClassRegistry r =
      ClassRegistry::load(test::source_dir() / "configs" / "classes.json");
  return r;
}

// Two releases that share keys in another order, as TotalSegmentator v1 and v2 do.
json small_config() {
  return json::parse(R"({
    "dataset": "Tiny",
    "converter": "mask_per_class",
    "cases": "**/s[0-9]/img.nii.gz",
    "case_name": "{parent}",
    "modality": "ct_00",
    "mask": "{dir}/segmentations/{mask}.nii.gz",
    "masks": {"a": "liver", "b": "spleen", "c": "pancreas", "d": "stomach"},
    "versions": {"old": ["a", "b", "c"], "new": ["c", "a", "d"]}
  })");
}

std::string config_error(const json& config) {
  try {
    MaskPerClassConverter converter(config, registry(), "tiny.json");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

std::int64_t value_of(const LabelMapping& m, const std::string& name) {
  for (const auto& c : m.classes)
    if (c.name == name) return c.values.size() == 1 ? c.values[0] : -1;
  return 0;
}

TEST(MaskPerClassConverterTest, EachVersionMapsItsKeysToTheirOneBasedIndex) {
  MaskPerClassConverter converter(small_config(), registry(), "tiny.json");
  EXPECT_EQ(converter.dataset(), "Tiny");
  EXPECT_EQ(converter.layout(), "mask per class");
  EXPECT_EQ(converter.modalities(), std::vector<std::string>{"ct_00"});
  ASSERT_EQ(converter.versions().size(), 2u);
  // JSON objects are read in key order: "new" before "old".
  const auto& now = converter.versions()[0];
  const auto& old = converter.versions()[1];
  EXPECT_EQ(now.name, "new");
  EXPECT_EQ(now.keys, (std::vector<std::string>{"c", "a", "d"}));
  EXPECT_EQ(value_of(*now.mapping, "pancreas"), 1);
  EXPECT_EQ(value_of(*now.mapping, "liver"), 2);
  EXPECT_EQ(value_of(*now.mapping, "stomach"), 3);
  EXPECT_EQ(value_of(*now.mapping, "spleen"), 0);  // not a class of this version
  EXPECT_EQ(value_of(*old.mapping, "liver"), 1);
  EXPECT_EQ(value_of(*old.mapping, "spleen"), 2);
  EXPECT_EQ(value_of(*old.mapping, "pancreas"), 3);
  for (const auto& c : old.mapping->classes) EXPECT_EQ(c.id, registry().id_of(c.name));
}

TEST(MaskPerClassConverterTest, RefusesBadConfigsWithTheKeyAndWhatToDo) {
  auto c = small_config();
  c["maks"] = c["mask"];
  EXPECT_THAT(config_error(c), HasSubstr("\"maks\" is not a key of the mask_per_class converter "
                                         "(did you mean \"mask\"?)"));

  c = small_config();
  c["masks"]["b"] = "splen";
  EXPECT_THAT(config_error(c), HasSubstr("not in the class registry: splen"));
  EXPECT_THAT(config_error(c), HasSubstr("spleen"));

  c = small_config();
  c["versions"]["old"] = {"a", "bb", "c"};
  EXPECT_THAT(config_error(c),
              HasSubstr("\"versions.old\" lists \"bb\", which is not a key of \"masks\""));

  c = small_config();
  c["versions"]["old"] = {"a", "b", "a"};
  EXPECT_THAT(config_error(c), HasSubstr("lists \"a\" twice"));

  c = small_config();
  c["versions"]["old"] = {"d", "c", "a"};
  c["masks"].erase("b");
  EXPECT_THAT(config_error(c), HasSubstr("has the same keys as version \"new\""));

  c = small_config();
  c["masks"]["e"] = "colon";
  EXPECT_THAT(config_error(c), HasSubstr("\"masks\" has \"e\", which no version lists"));

  c = small_config();
  c["mask"] = "{dir}/segmentations/mask.nii.gz";
  EXPECT_THAT(config_error(c), HasSubstr("{mask} (the key of \"masks\") once in it"));

  c = small_config();
  c["mask"] = "{dir}/{mask}/x.nii.gz";
  EXPECT_THAT(config_error(c), HasSubstr("{mask} (the key of \"masks\") once in it"));

  c = small_config();
  c["mask"] = "{dir}/segmentations/{stem}_{mask}.nii.gz";
  EXPECT_THAT(config_error(c), HasSubstr("the file name around {mask} must be literal"));

  c = small_config();
  c["converter"] = "generic";
  EXPECT_THAT(config_error(c), HasSubstr("\"converter\" must be \"mask_per_class\""));

  c = small_config();
  c.erase("versions");
  EXPECT_THAT(config_error(c), HasSubstr("\"versions\" must be a non-empty object"));
}

// A case folder with an (unread) image and empty mask files: discovery only lists names.
void plant_case(const fs::path& dir, const std::vector<std::string>& keys) {
  test::write_text_file(dir / "img.nii.gz", "");
  for (const auto& k : keys) test::write_text_file(dir / "segmentations" / (k + ".nii.gz"), "");
}

TEST(MaskPerClassConverterTest, DiscoveryPicksTheVersionWhoseKeySetTheFolderHoldsExactly) {
  test::TempDir tmp;
  const fs::path root = tmp / "release";
  plant_case(root / "s1", {"a", "b", "c"});
  plant_case(root / "s2", {"d", "a", "c"});
  plant_case(root / "s3", {"a", "b"});                    // partial unzip
  plant_case(root / "s4", {"a", "b", "c", "zz"});         // a file of no version
  test::write_text_file(root / "s5" / "img.nii.gz", "");  // no segmentations folder
  // macOS debris is ignored silently, other files with a warning.
  test::write_text_file(root / "s1" / "segmentations" / "._a.nii.gz", "");
  test::write_text_file(root / "s1" / "segmentations" / "notes.txt", "");
  test::write_text_file(root / "meta.csv", "image_id;split\ns1;train\n");

  MaskPerClassConverter converter(small_config(), registry(), "tiny.json");
  const auto cases = converter.discover(tmp.path()).cases;
  ASSERT_EQ(cases.size(), 5u);
  for (std::size_t i = 0; i < cases.size(); ++i) {
    EXPECT_EQ(cases[i].name, "s" + std::to_string(i + 1));
    EXPECT_EQ(cases[i].dataset, "Tiny");
    ASSERT_EQ(cases[i].sequences.size(), 1u);
    EXPECT_EQ(cases[i].sequences[0].modality, "ct_00");
  }
  const fs::path seg1 = root / "s1" / "segmentations";
  EXPECT_EQ(cases[0].source, "release/s1/img.nii.gz");
  EXPECT_EQ(cases[0].sequences[0].image, root / "s1" / "img.nii.gz");
  EXPECT_EQ(cases[0].label, seg1);
  EXPECT_EQ(cases[0].discovery_error, "");
  EXPECT_EQ(cases[0].extra_sources,
            (std::vector<fs::path>{seg1 / "a.nii.gz", seg1 / "b.nii.gz", seg1 / "c.nii.gz"}));
  EXPECT_EQ(cases[0].mapping, converter.versions()[1].mapping);  // "old"
  EXPECT_TRUE(static_cast<bool>(cases[0].assemble_label));
  ASSERT_EQ(cases[0].warnings.size(), 1u);
  EXPECT_EQ(cases[0].warnings[0],
            seg1.string() + ": 1 entry not named KEY.nii.gz ignored: notes.txt");

  const fs::path seg2 = root / "s2" / "segmentations";
  EXPECT_EQ(cases[1].discovery_error, "");
  EXPECT_EQ(cases[1].extra_sources,  // the version's order, not the file names'
            (std::vector<fs::path>{seg2 / "c.nii.gz", seg2 / "a.nii.gz", seg2 / "d.nii.gz"}));
  EXPECT_EQ(cases[1].mapping, converter.versions()[0].mapping);  // "new"
  EXPECT_TRUE(cases[1].warnings.empty());

  EXPECT_EQ(cases[2].discovery_error,
            (root / "s3" / "segmentations").string() +
                ": the mask files are not exactly those of any one version; against old (3 "
                "masks): 1 missing (c.nii.gz); re-extract the case from the dataset archive (a "
                "partial unzip?), or if the files are right, add their keys to \"masks\" and "
                "\"versions\" of tiny.json");
  EXPECT_FALSE(static_cast<bool>(cases[2].assemble_label));
  EXPECT_THAT(cases[3].discovery_error,
              HasSubstr("against old (3 masks): 1 unexpected (zz.nii.gz)"));
  EXPECT_THAT(cases[4].discovery_error,
              HasSubstr((root / "s5" / "segmentations").string() + ": the mask folder of " +
                        (root / "s5" / "img.nii.gz").string() + " is missing"));
}

TEST(MaskPerClassConverterTest, TwoReleasesUnderOneInputCollideOnTheSubjectName) {
  test::TempDir tmp;
  plant_case(tmp / "v1" / "s1", {"a", "b", "c"});
  plant_case(tmp / "v2" / "s1", {"c", "a", "d"});
  MaskPerClassConverter converter(small_config(), registry(), "tiny.json");
  const auto cases = converter.discover(tmp.path()).cases;
  ASSERT_EQ(cases.size(), 2u);
  EXPECT_EQ(cases[0].discovery_error, "");
  EXPECT_THAT(cases[1].discovery_error,
              HasSubstr("v2/s1/img.nii.gz: case name 's1' collides with v1/s1/img.nii.gz"));
}

TEST(MaskPerClassConverterTest, MissingInputFolderIsAConfigError) {
  test::TempDir tmp;
  MaskPerClassConverter converter(small_config(), registry(), "tiny.json");
  EXPECT_THROW(converter.discover(tmp / "nope"), ConfigError);
}

// Assembly reads real files: value = index + 1 for voxels > 0, later masks win.
TEST(MaskPerClassConverterTest, AssemblyPaintsEachMaskInOrderLaterWins) {
  test::TempDir tmp;
  const std::array<std::size_t, 3> size{4, 3, 2};
  std::vector<std::uint8_t> first, second, empty(24, 0);
  test::fill_box(first, size, {0, 0, 0}, {3, 3, 1}, 1);
  test::fill_box(second, size, {2, 0, 0}, {4, 1, 2}, 1);
  std::vector<float> third(24, 0.0f);
  third[23] = 0.5f;  // a float mask: any value > 0 counts
  third[22] = -1.0f;
  test::write_volume(tmp / "m1.nii.gz", size, first);
  test::write_volume(tmp / "m2.nii.gz", size, empty);  // all zero: outside the field of view
  test::write_volume(tmp / "m3.nii.gz", size, second);
  test::write_volume(tmp / "m4.nii.gz", size, third);
  std::vector<std::string> warnings;
  const ImageGrid grid{tmp / "img.nii.gz", size, Geometry{}};
  const Volume label = MaskPerClassConverter::assemble_masks(
      {tmp / "m1.nii.gz", tmp / "m2.nii.gz", tmp / "m3.nii.gz", tmp / "m4.nii.gz"}, grid, warnings);
  EXPECT_TRUE(warnings.empty());
  ASSERT_EQ(label.type(), VoxelType::UInt8);
  ASSERT_EQ(label.size(), size);
  std::vector<std::uint8_t> expected(24, 0);
  test::fill_box(expected, size, {0, 0, 0}, {3, 3, 1}, 1);
  test::fill_box(expected, size, {2, 0, 0}, {4, 1, 2}, 3);
  expected[23] = 4;
  const auto* v = label.data<std::uint8_t>();
  EXPECT_EQ(std::vector<std::uint8_t>(v, v + 24), expected);
}

TEST(MaskPerClassConverterTest, AssemblyChecksEveryMaskAgainstTheImageGrid) {
  test::TempDir tmp;
  const std::array<std::size_t, 3> size{4, 3, 2};
  std::vector<std::uint8_t> mask(24, 1);
  test::write_volume(tmp / "ok.nii.gz", size, mask);
  test::write_volume(tmp / "shifted.nii.gz", size, mask, 3, {1, 1, 2});
  test::write_volume(tmp / "small.nii.gz", {4, 3, 1}, std::vector<std::uint8_t>(12, 1));
  const ImageGrid grid{tmp / "img.nii.gz", size, Geometry{}};

  std::vector<std::string> warnings;
  const Volume label = MaskPerClassConverter::assemble_masks(
      {tmp / "ok.nii.gz", tmp / "shifted.nii.gz"}, grid, warnings);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0], tmp.path().string() +
                             ": origin, spacing or direction of 1 mask(s) (shifted.nii.gz) "
                             "differs from " +
                             (tmp / "img.nii.gz").string() +
                             "; converted anyway since slicing is by index");
  EXPECT_EQ(label.data<std::uint8_t>()[0], 2);

  try {
    MaskPerClassConverter::assemble_masks({tmp / "ok.nii.gz", tmp / "small.nii.gz"}, grid,
                                          warnings);
    ADD_FAILURE() << "a mask of another size was accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              (tmp / "small.nii.gz").string() + ": mask is 4x3x1 but " +
                  (tmp / "img.nii.gz").string() +
                  " is 4x3x2; every mask of a case must be on its image's grid (slicing is by "
                  "index), so re-extract the case or remove it");
  }
}

TEST(MaskPerClassConverterTest, MoreThan255MasksGiveAUint16LabelMap) {
  test::TempDir tmp;
  std::vector<fs::path> files;
  for (int i = 0; i < 300; ++i) {
    files.push_back(tmp / ("m" + std::to_string(i) + ".nii.gz"));
    std::vector<std::uint8_t> v(2, 0);
    if (i == 0) v[0] = 1;
    if (i == 299) v[1] = 1;
    test::write_volume(files.back(), {2, 1, 1}, v);
  }
  std::vector<std::string> warnings;
  const Volume label = MaskPerClassConverter::assemble_masks(files, ImageGrid{}, warnings);
  ASSERT_EQ(label.type(), VoxelType::UInt16);
  EXPECT_EQ(label.data<std::uint16_t>()[0], 1);
  EXPECT_EQ(label.data<std::uint16_t>()[1], 300);
}

}  // namespace
}  // namespace samed2d
