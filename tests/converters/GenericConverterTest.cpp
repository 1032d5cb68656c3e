#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <itkImage.h>
#include <itkImageFileWriter.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "converters/GenericConverter.hpp"
#include "pipeline/core/ClassRegistry.hpp"
#include "pipeline/core/Errors.hpp"
#include "support/TestData.hpp"

namespace samed2d {
namespace {

namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const ClassRegistry& bundled_classes() {
  static const ClassRegistry registry =
      ClassRegistry::load(test::source_dir() / "configs" / "classes.json");
  return registry;
}

GenericConverter make(const std::string& json) {
  return GenericConverter(nlohmann::json::parse(json), bundled_classes(), "test.json");
}

std::string error_of(const std::string& json) {
  try {
    make(json);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

// A small real 3D NIfTI (or any ITK format by extension); `value` fills it.
void write_small(const fs::path& file, std::uint8_t value = 0) {
  test::write_volume<std::uint8_t>(file, {4, 3, 2}, std::vector<std::uint8_t>(24, value));
}

// A 4D NIfTI with `channels` volumes along the 4th dimension, as MSD ships them.
void write_4d(const fs::path& file, unsigned channels) {
  using Image = itk::Image<float, 4>;
  auto image = Image::New();
  Image::RegionType region;
  region.SetSize({{4, 3, 2, channels}});
  image->SetRegions(region);
  image->Allocate();
  image->FillBuffer(1.0F);
  fs::create_directories(file.parent_path());
  auto writer = itk::ImageFileWriter<Image>::New();
  writer->SetFileName(file.string());
  writer->SetInput(image);
  writer->Update();
}

void write_text(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << text;
}

// What an AppleDouble file holds: a resource-fork header, not an image.
const std::string kAppleDouble("\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        ", 24);

std::vector<std::string> names_of(const std::vector<CaseSpec>& cases) {
  std::vector<std::string> out;
  for (const auto& c : cases) out.push_back(c.name);
  return out;
}

int id_of(const std::string& name) {
  const auto id = bundled_classes().id_of(name);
  if (!id) throw std::runtime_error("test needs class " + name);
  return *id;
}

// ACDC as unzipped: ACDC/database/training/patientNNN/ with the 4D cine, ED/ES frames, their
// _gt maps and Info.cfg; plus the macOS debris a zip made on a Mac carries.
class AcdcReplica : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::vector<std::pair<std::string, std::vector<std::string>>> patients{
        {"patient001", {"01", "12"}}, {"patient002", {"01", "14"}}};
    for (const auto& [patient, frames] : patients) {
      const auto folder = root / "database" / "training" / patient;
      write_small(folder / (patient + "_4d.nii.gz"));
      for (const auto& frame : frames) {
        write_small(folder / (patient + "_frame" + frame + ".nii.gz"), 10);
        write_small(folder / (patient + "_frame" + frame + "_gt.nii.gz"), 2);
      }
      write_text(folder / "Info.cfg",
                 "ED: 1\nES: 12\nGroup: DCM\nHeight: 184.0\nNbFrame: 30\n"
                 "Weight: 95.0\n");
    }
    write_text(root / "database" / "training" / "patient001" / "._patient001_frame01.nii.gz",
               kAppleDouble);
    write_text(
        root / "__MACOSX" / "database" / "training" / "patient001" / "patient001_frame01.nii.gz",
        kAppleDouble);
  }
  test::TempDir dir;
  fs::path root = dir / "ACDC";
};

constexpr const char* kAcdcConfig = R"({
  "dataset": "ACDC",
  "converter": "generic",
  "description": "ACDC training set",
  "cases": "database/training/patient*/patient*_frame[0-9][0-9].nii.gz",
  "case_name": "{stem}",
  "modality": "mr_00",
  "label": "{dir}/{stem}_gt.nii.gz",
  "labels": {"1": "right_ventricle", "2": "myocardium", "3": "left_ventricle"},
  "unions": {"ventricular_cavities": ["right_ventricle", "left_ventricle"]}
})";

TEST_F(AcdcReplica, DiscoversExactlyTheFramesInOrder) {
  const auto converter = make(kAcdcConfig);
  EXPECT_EQ(converter.dataset(), "ACDC");
  const auto cases = converter.discover(root).cases;
  ASSERT_THAT(names_of(cases), ElementsAre("patient001_frame01", "patient001_frame12",
                                           "patient002_frame01", "patient002_frame14"));
  for (const auto& c : cases) {
    const std::string patient = c.name.substr(0, 10);
    const fs::path folder = root / "database" / "training" / patient;
    EXPECT_EQ(c.dataset, "ACDC");
    EXPECT_EQ(c.source, "database/training/" + patient + "/" + c.name + ".nii.gz");
    ASSERT_EQ(c.sequences.size(), 1u);
    EXPECT_EQ(c.sequences[0].image, folder / (c.name + ".nii.gz"));
    EXPECT_EQ(c.sequences[0].modality, "mr_00");
    EXPECT_FALSE(c.sequences[0].component.has_value());
    EXPECT_EQ(c.label, folder / (c.name + "_gt.nii.gz"));
    EXPECT_TRUE(fs::is_regular_file(c.label)) << c.label;
    EXPECT_TRUE(c.discovery_error.empty()) << c.discovery_error;
    EXPECT_EQ(c.mapping, converter.mapping());
  }
}

TEST_F(AcdcReplica, MappingHasRegistryIdsAndUnionValues) {
  const auto mapping = make(kAcdcConfig).mapping();
  struct Expected {
    std::string name;
    std::vector<std::int64_t> values;
  };
  std::vector<Expected> expected{{"right_ventricle", {1}},
                                 {"myocardium", {2}},
                                 {"left_ventricle", {3}},
                                 {"ventricular_cavities", {1, 3}}};
  std::sort(expected.begin(), expected.end(),
            [](const Expected& a, const Expected& b) { return id_of(a.name) < id_of(b.name); });
  ASSERT_EQ(mapping->classes.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const auto& c = mapping->classes[i];
    EXPECT_EQ(c.name, expected[i].name);
    EXPECT_EQ(c.id, id_of(c.name));
    EXPECT_EQ(c.id_text, *bundled_classes().id_text_of(c.name));
    EXPECT_EQ(c.values, expected[i].values) << c.name;
  }
}

TEST_F(AcdcReplica, RootGivenThroughASymlinkFindsTheSameCases) {
  fs::create_directory_symlink(root, dir / "acdc-link");
  EXPECT_EQ(names_of(make(kAcdcConfig).discover(dir / "acdc-link").cases),
            names_of(make(kAcdcConfig).discover(root).cases));
}

TEST_F(AcdcReplica, MissingRootIsAConfigError) {
  const auto converter = make(kAcdcConfig);
  EXPECT_THROW(converter.discover(dir / "nope"), ConfigError);
  EXPECT_THROW(converter.discover(root / "database" / "training" / "patient001" / "Info.cfg"),
               ConfigError);
}

// BraTS 2021 training data: one folder per case, four sequences and the _seg map.
TEST(BraTS2021Replica, FourSequencesPerCaseShareTheSegMap) {
  test::TempDir dir;
  const fs::path root = dir / "RSNA_ASNR_MICCAI_BraTS2021_TrainingData";
  for (const std::string c : {"BraTS2021_00000", "BraTS2021_00002"}) {
    for (const std::string seq : {"flair", "t1", "t1ce", "t2", "seg"})
      write_small(root / c / (c + "_" + seq + ".nii.gz"), seq == "seg" ? 4 : 50);
  }
  // A case whose _seg is missing is still a case: its load reports the missing file.
  for (const std::string seq : {"flair", "t1", "t1ce", "t2"})
    write_small(root / "BraTS2021_00003" / ("BraTS2021_00003_" + seq + ".nii.gz"));

  const auto converter = make(R"({
    "dataset": "BraTS2021",
    "cases": "BraTS2021_*/BraTS2021_*_t1.nii.gz",
    "case_name": "{parent}",
    "sequences": [
      {"image": "{dir}/{parent}_t1.nii.gz", "modality": "mr_t1"},
      {"image": "{dir}/{parent}_t1ce.nii.gz", "modality": "mr_t1ce"},
      {"image": "{dir}/{parent}_t2.nii.gz", "modality": "mr_t2"},
      {"image": "{dir}/{parent}_flair.nii.gz", "modality": "mr_flair"}
    ],
    "label": "{dir}/{parent}_seg.nii.gz",
    "labels": {"1": "non_enhancing_tumor_core", "2": "peritumoral_edema", "4": "enhancing_tumor"},
    "unions": {"tumor_core": ["non_enhancing_tumor_core", "enhancing_tumor"],
               "whole_tumor": ["non_enhancing_tumor_core", "peritumoral_edema", "enhancing_tumor"]}
  })");
  const auto cases = converter.discover(root).cases;
  ASSERT_THAT(names_of(cases),
              ElementsAre("BraTS2021_00000", "BraTS2021_00002", "BraTS2021_00003"));
  for (const auto& c : cases) {
    EXPECT_TRUE(c.discovery_error.empty()) << c.discovery_error;
    ASSERT_EQ(c.sequences.size(), 4u);
    const std::vector<std::pair<std::string, std::string>> expected{
        {"t1", "mr_t1"}, {"t1ce", "mr_t1ce"}, {"t2", "mr_t2"}, {"flair", "mr_flair"}};
    for (std::size_t i = 0; i < 4; ++i) {
      EXPECT_EQ(c.sequences[i].image,
                root / c.name / (c.name + "_" + expected[i].first + ".nii.gz"));
      EXPECT_TRUE(fs::is_regular_file(c.sequences[i].image));
      EXPECT_EQ(c.sequences[i].modality, expected[i].second);
    }
    EXPECT_EQ(c.label, root / c.name / (c.name + "_seg.nii.gz"));
  }
  EXPECT_FALSE(fs::exists(cases[2].label));

  std::map<std::string, std::vector<std::int64_t>> values;
  int previous_id = -1;
  for (const auto& c : converter.mapping()->classes) {
    values[c.name] = c.values;
    EXPECT_GT(c.id, previous_id);
    previous_id = c.id;
  }
  EXPECT_EQ(values["non_enhancing_tumor_core"], (std::vector<std::int64_t>{1}));
  EXPECT_EQ(values["peritumoral_edema"], (std::vector<std::int64_t>{2}));
  EXPECT_EQ(values["enhancing_tumor"], (std::vector<std::int64_t>{4}));
  EXPECT_EQ(values["tumor_core"], (std::vector<std::int64_t>{1, 4}));
  EXPECT_EQ(values["whole_tumor"], (std::vector<std::int64_t>{1, 2, 4}));
}

// BraTS 2018: cases split into HGG and LGG folders; "**" reaches both.
TEST(BraTS2018Replica, GlobstarRecursesIntoHggAndLgg) {
  test::TempDir dir;
  const fs::path root = dir / "MICCAI_BraTS_2018_Data_Training";
  for (const std::string c :
       {"HGG/Brats18_2013_2_1", "LGG/Brats18_2013_0_1", "HGG/Brats18_CBICA_AAB_1"}) {
    const std::string name = fs::path(c).filename().string();
    for (const std::string seq : {"t1", "t1ce", "t2", "flair", "seg"})
      write_small(root / c / (name + "_" + seq + ".nii.gz"));
  }
  const auto converter = make(R"({
    "dataset": "BraTS2018", "cases": "**/*_flair.nii.gz", "case_name": "{parent}",
    "modality": "mr_flair", "label": "{dir}/{parent}_seg.nii.gz",
    "labels": {"1": "non_enhancing_tumor_core", "2": "peritumoral_edema", "4": "enhancing_tumor"}
  })");
  const auto cases = converter.discover(root).cases;
  EXPECT_THAT(names_of(cases),
              ElementsAre("Brats18_2013_2_1", "Brats18_CBICA_AAB_1", "Brats18_2013_0_1"));
  EXPECT_EQ(cases[2].source, "LGG/Brats18_2013_0_1/Brats18_2013_0_1_flair.nii.gz");
}

// MSD Task01: 4D images (X, Y, Z, 4 channels) in imagesTr, 3D labels of the same name in
// labelsTr, an AppleDouble twin next to every file, and dataset.json.
TEST(MsdBrainTumourReplica, SequencesPickComponentsOfTheSame4dFile) {
  test::TempDir dir;
  const fs::path root = dir / "Task01_BrainTumour";
  for (const std::string c : {"BRATS_001", "BRATS_002"}) {
    write_4d(root / "imagesTr" / (c + ".nii.gz"), 4);
    write_small(root / "labelsTr" / (c + ".nii.gz"), 1);
    write_text(root / "imagesTr" / ("._" + c + ".nii.gz"), kAppleDouble);
    write_text(root / "labelsTr" / ("._" + c + ".nii.gz"), kAppleDouble);
  }
  write_4d(root / "imagesTs" / "BRATS_485.nii.gz", 4);
  write_text(root / "dataset.json", R"({"name": "BRATS", "tensorImageSize": "4D"})");

  const auto converter = make(R"({
    "dataset": "BrainTumour",
    "cases": "imagesTr/BRATS_*.nii.gz",
    "sequences": [
      {"image": "{path}", "modality": "mr_flair", "component": 0},
      {"image": "{path}", "modality": "mr_t1w", "component": 1},
      {"image": "{path}", "modality": "mr_t1gd", "component": 2},
      {"image": "{path}", "modality": "mr_t2w", "component": 3}
    ],
    "label": "labelsTr/{name}",
    "labels": {"1": "peritumoral_edema", "2": "non_enhancing_tumor_core", "3": "enhancing_tumor"}
  })");
  const auto cases = converter.discover(root).cases;
  ASSERT_THAT(names_of(cases), ElementsAre("BRATS_001", "BRATS_002"));
  for (const auto& c : cases) {
    ASSERT_EQ(c.sequences.size(), 4u);
    const std::vector<std::string> modalities{"mr_flair", "mr_t1w", "mr_t1gd", "mr_t2w"};
    for (std::size_t i = 0; i < 4; ++i) {
      EXPECT_EQ(c.sequences[i].image, root / "imagesTr" / (c.name + ".nii.gz"));
      EXPECT_EQ(c.sequences[i].modality, modalities[i]);
      EXPECT_EQ(c.sequences[i].component, i);
    }
    EXPECT_EQ(c.label, root / "labelsTr" / (c.name + ".nii.gz"));
    EXPECT_TRUE(c.discovery_error.empty());
  }
  // MSD's edema is value 1 (BraTS writes 2): the config, not the class, carries the code.
  for (const auto& c : converter.mapping()->classes)
    if (c.name == "peritumoral_edema") {
      EXPECT_EQ(c.values, (std::vector<std::int64_t>{1}));
    }
}

TEST(CaseNameTest, SanitizedNameCollisionsFailTheLaterCase) {
  test::TempDir dir;
  for (const std::string f : {"a b.nii.gz", "a_b.nii.gz", "X.mha", "X.nii.gz", "case--1.nii.gz",
                              "case-1.nii.gz", "1.2.840.113619.2.nii.gz", "benign (12).png"})
    write_text(dir / "data" / f, "x");
  const auto converter = make(R"({"dataset": "Test", "cases": "data/*", "modality": "ct_00",
      "label": "{dir}/../labels/{name}", "labels": {"1": "liver"}})");
  const auto cases = converter.discover(dir.path()).cases;
  ASSERT_EQ(cases.size(), 8u);
  // Byte order of the relative paths: ' ' < '-' < '.' < digits < upper case < '_' < lower case.
  std::vector<std::pair<std::string, std::string>> got;
  for (const auto& c : cases) got.emplace_back(c.source, c.name);
  EXPECT_THAT(
      got, ElementsAre(std::pair<std::string, std::string>{"data/1.2.840.113619.2.nii.gz",
                                                           "1.2.840.113619.2"},
                       std::pair<std::string, std::string>{"data/X.mha", "X"},
                       std::pair<std::string, std::string>{"data/X.nii.gz", "X"},
                       std::pair<std::string, std::string>{"data/a b.nii.gz", "a_b"},
                       std::pair<std::string, std::string>{"data/a_b.nii.gz", "a_b"},
                       std::pair<std::string, std::string>{"data/benign (12).png", "benign_(12)"},
                       std::pair<std::string, std::string>{"data/case--1.nii.gz", "case-1"},
                       std::pair<std::string, std::string>{"data/case-1.nii.gz", "case-1"}));
  std::vector<std::string> failed;
  for (const auto& c : cases)
    if (!c.discovery_error.empty()) failed.push_back(c.source);
  EXPECT_THAT(failed, ElementsAre("data/X.nii.gz", "data/a_b.nii.gz", "data/case-1.nii.gz"));
  EXPECT_EQ(cases[4].discovery_error,
            "data/a_b.nii.gz: case name 'a_b' collides with data/a b.nii.gz; give the config a "
            "case_name template that tells them apart");
  EXPECT_THAT(cases[2].discovery_error, HasSubstr("collides with data/X.mha;"));
  EXPECT_EQ(cases[0].label, dir / "labels" / "1.2.840.113619.2.nii.gz");
}

TEST(CaseNameTest, TemplatesTellCollidingFilesApart) {
  test::TempDir dir;
  for (const std::string f : {"s0001/ct.nii.gz", "s0002/ct.nii.gz"}) write_text(dir / f, "x");
  const auto by_stem = make(R"({"dataset": "Totalsegmentator_dataset", "cases": "*/ct.nii.gz",
      "modality": "ct_00", "label": "{dir}/seg.nii.gz", "labels": {"1": "spleen"}})");
  const auto clash = by_stem.discover(dir.path()).cases;
  ASSERT_EQ(clash.size(), 2u);
  EXPECT_TRUE(clash[0].discovery_error.empty());
  EXPECT_THAT(clash[1].discovery_error, HasSubstr("case name 'ct' collides with s0001/ct.nii.gz"));

  const auto by_folder = make(R"({"dataset": "Totalsegmentator_dataset", "cases": "*/ct.nii.gz",
      "case_name": "{parent}", "modality": "ct_00", "label": "{dir}/seg.nii.gz",
      "labels": {"1": "spleen"}})");
  const auto fine = by_folder.discover(dir.path()).cases;
  EXPECT_THAT(names_of(fine), ElementsAre("s0001", "s0002"));
  for (const auto& c : fine) EXPECT_TRUE(c.discovery_error.empty());
}

TEST(CaseNameTest, FilesAtTheTopUseTheRootFolderName) {
  test::TempDir dir;
  write_text(dir / "autoPET" / "SEG.nii.gz", "x");
  const auto converter = make(R"({"dataset": "autoPET", "cases": "SEG.nii.gz",
      "case_name": "{parent}--{dir}", "modality": "pet_00", "label": "{path}",
      "labels": {"1": "tumor_lesion"}})");
  const auto cases = converter.discover(dir / "autoPET").cases;
  ASSERT_EQ(cases.size(), 1u);
  EXPECT_EQ(cases[0].name, "autoPET-.");  // "--" collapses to one '-' when sanitized
  EXPECT_EQ(cases[0].label, dir / "autoPET" / "SEG.nii.gz");
}

TEST(CaseNameTest, FolderNamesWithSpacesAreSanitizedNotSplit) {
  test::TempDir dir;
  const std::string study = "03-23-2003-NA-PET-CT Ganzkoerper  primaer mit KM-10445";
  write_text(dir / "PETCT_0011f3deaf" / study / "SUV.nii.gz", "x");
  const auto converter = make(R"({"dataset": "autoPET", "cases": "*/*/SUV.nii.gz",
      "case_name": "{dir}", "modality": "pet_00", "label": "{dir}/SEG.nii.gz",
      "labels": {"1": "tumor_lesion"}})");
  const auto cases = converter.discover(dir.path()).cases;
  ASSERT_EQ(cases.size(), 1u);
  EXPECT_EQ(cases[0].name,
            "PETCT_0011f3deaf_03-23-2003-NA-PET-CT_Ganzkoerper__primaer_mit_KM-10445");
  EXPECT_EQ(cases[0].label, dir / "PETCT_0011f3deaf" / study / "SEG.nii.gz");
}

constexpr const char* kValid = R"("dataset": "ACDC", "cases": "*.nii.gz", "modality": "mr_00",
    "label": "{dir}/{stem}_gt.nii.gz", "labels": {"1": "liver"})";

std::string with(const std::string& extra) {
  return std::string("{") + kValid + extra + "}";
}

TEST(GenericConfigErrorTest, ValidBaseConfigLoads) {
  EXPECT_EQ(error_of(with("")), "(no error)");
}

TEST(GenericConfigErrorTest, UnknownKeysAreNamedWithASuggestion) {
  EXPECT_THAT(
      error_of(with(R"(, "lable": "x")")),
      AllOf(HasSubstr("test.json"), HasSubstr("\"lable\""), HasSubstr("did you mean \"label\"")));
  EXPECT_THAT(error_of(with(R"(, "union": {})")), HasSubstr("did you mean \"unions\""));
  EXPECT_THAT(error_of(with(R"(, "casename": "{stem}")")), HasSubstr("did you mean \"case_name\""));
  EXPECT_THAT(error_of(with(R"(, "zzzzzz": 1)")),
              AllOf(HasSubstr("\"zzzzzz\""), ::testing::Not(HasSubstr("did you mean"))));
}

TEST(GenericConfigErrorTest, MissingClassNamesAreAllListed) {
  const auto e = error_of(R"({"dataset": "D", "cases": "*", "modality": "ct_00", "label": "{path}",
      "labels": {"1": "livr", "2": "spleen", "3": "no_such_class"},
      "unions": {"also_missing": ["no_such_class", "spleen"]}})");
  EXPECT_THAT(e, AllOf(HasSubstr("test.json"), HasSubstr("3 class name(s)"), HasSubstr("livr"),
                       HasSubstr("did you mean \"liver\""), HasSubstr("no_such_class"),
                       HasSubstr("also_missing")));
  EXPECT_THAT(e, ::testing::Not(HasSubstr("spleen")));
}

TEST(GenericConfigErrorTest, BadPatternsAndTemplates) {
  EXPECT_THAT(error_of(R"({"dataset": "D", "cases": "a/[b", "modality": "ct_00", "label": "{path}",
      "labels": {"1": "liver"}})"),
              AllOf(HasSubstr("test.json"), HasSubstr("\"cases\""), HasSubstr("a/[b"),
                    HasSubstr("unclosed")));
  EXPECT_THAT(error_of(R"({"dataset": "D", "cases": "../x", "modality": "ct_00", "label": "{path}",
      "labels": {"1": "liver"}})"),
              HasSubstr("\"..\""));
  EXPECT_THAT(
      error_of(R"({"dataset": "D", "cases": "*", "modality": "ct_00", "label": "{dir}/{stm}.nii",
      "labels": {"1": "liver"}})"),
      AllOf(HasSubstr("test.json: \"label\""), HasSubstr("{stm}")));
  EXPECT_THAT(error_of(with(R"(, "case_name": "{stem")")), HasSubstr("\"case_name\""));
  EXPECT_THAT(
      error_of(
          R"({"dataset": "D", "cases": "*", "sequences": [{"image": "{nme}", "modality": "mr_t1"}],
      "label": "{path}", "labels": {"1": "liver"}})"),
      HasSubstr("sequences[0].image"));
}

TEST(GenericConfigErrorTest, ModalityAndSequences) {
  EXPECT_THAT(error_of(with(R"(, "sequences": [{"image": "{path}", "modality": "mr_t1"}])")),
              HasSubstr("both"));
  EXPECT_THAT(
      error_of(R"({"dataset": "D", "cases": "*", "label": "{path}", "labels": {"1": "liver"}})"),
      HasSubstr("\"modality\" is missing"));
  EXPECT_THAT(error_of(R"({"dataset": "D", "cases": "*", "modality": "MR_T1", "label": "{path}",
      "labels": {"1": "liver"}})"),
              HasSubstr("\"MR_T1\""));
  const std::string seq_base =
      R"({"dataset": "D", "cases": "*", "label": "{path}", "labels": {"1": "liver"}, "sequences": )";
  EXPECT_THAT(error_of(seq_base + "[]}"), HasSubstr("non-empty"));
  EXPECT_THAT(error_of(seq_base + R"([{"image": "{path}", "modality": "mr_t1", "componet": 0}]})"),
              AllOf(HasSubstr("sequences[0].componet"), HasSubstr("did you mean \"component\"")));
  EXPECT_THAT(
      error_of(seq_base + R"([{"image": "{path}", "modality": "mr_t1", "component": -1}]})"),
      HasSubstr("sequences[0].component"));
  EXPECT_THAT(
      error_of(seq_base + R"([{"image": "{path}", "modality": "mr_t1", "component": 1.5}]})"),
      HasSubstr("sequences[0].component"));
  EXPECT_THAT(error_of(seq_base + R"([{"image": "{path}"}]})"), HasSubstr("lacks \"modality\""));
  EXPECT_THAT(error_of(seq_base + R"([{"modality": "mr_t1"}]})"), HasSubstr("sequences[0].image"));
  EXPECT_THAT(
      error_of(seq_base +
               R"([{"image": "a", "modality": "mr_t1"}, {"image": "b", "modality": "mr_t1"}]})"),
      AllOf(HasSubstr("sequences[1].modality"), HasSubstr("repeats")));
}

TEST(GenericConfigErrorTest, DatasetNames) {
  const std::string rest =
      R"(, "cases": "*", "modality": "ct_00", "label": "{path}", "labels": {"1": "liver"}})";
  EXPECT_THAT(error_of(R"({"dataset": "AC--DC")" + rest), HasSubstr("\"AC--DC\""));
  EXPECT_THAT(error_of(R"({"dataset": "-ACDC")" + rest), HasSubstr("\"-ACDC\""));
  EXPECT_THAT(error_of(R"({"dataset": "AC DC")" + rest), HasSubstr("\"AC DC\""));
  EXPECT_THAT(error_of(R"({"dataset": "")" + rest), HasSubstr("\"dataset\""));
  EXPECT_THAT(error_of(R"({"dataset": 7)" + rest), HasSubstr("\"dataset\""));
  EXPECT_THAT(
      error_of(
          R"({"cases": "*", "modality": "ct_00", "label": "{path}", "labels": {"1": "liver"}})"),
      HasSubstr("\"dataset\" is missing"));
  EXPECT_EQ(error_of(R"({"dataset": "COVID-19-20")" + rest), "(no error)");
  EXPECT_EQ(error_of(R"({"dataset": "StructSeg2019_subtask1")" + rest), "(no error)");
}

TEST(GenericConfigErrorTest, LabelValuesAndUnions) {
  const std::string base =
      R"({"dataset": "D", "cases": "*", "modality": "ct_00", "label": "{path}", )";
  EXPECT_THAT(error_of(base + R"("labels": {"1.5": "liver"}})"),
              AllOf(HasSubstr("\"1.5\""), HasSubstr("whole number")));
  EXPECT_THAT(error_of(base + R"("labels": {"x": "liver"}})"), HasSubstr("\"x\""));
  EXPECT_THAT(error_of(base + R"("labels": {"": "liver"}})"), HasSubstr("\"\""));
  EXPECT_THAT(error_of(base + R"("labels": {"+1": "liver"}})"), HasSubstr("\"+1\""));
  EXPECT_THAT(error_of(base + R"("labels": {"01": "liver"}})"), HasSubstr("write it as \"1\""));
  EXPECT_THAT(error_of(base + R"("labels": {"1": 3}})"), HasSubstr("class name"));
  EXPECT_THAT(error_of(base + R"("labels": {}})"), HasSubstr("non-empty"));
  EXPECT_THAT(error_of(base + R"("label2": 1})"), HasSubstr("did you mean"));
  EXPECT_THAT(error_of(base + R"("labels": {"1": "liver"}, "unions": {"liver": ["liver"]}})"),
              HasSubstr("already a class"));
  EXPECT_THAT(error_of(base + R"("labels": {"1": "liver"}, "unions": {"kidney": []}})"),
              HasSubstr("non-empty"));
  EXPECT_THAT(error_of(base + R"("labels": {"1": "liver"}, "unions": {"kidney": ["spleen"]}})"),
              HasSubstr("\"spleen\""));
  EXPECT_THAT(error_of(base + R"("labels": {"1": "liver"}, "unions": ["liver"]})"),
              HasSubstr("\"unions\""));

  // Negative values and several values sharing one name are valid.
  const auto ok = make(base + R"("labels": {"-2": "liver", "7": "liver", "3": "liver_tumor"},
      "unions": {"lung": ["liver", "liver_tumor"]}})");
  std::map<std::string, std::vector<std::int64_t>> values;
  for (const auto& c : ok.mapping()->classes) values[c.name] = c.values;
  EXPECT_EQ(values["liver"], (std::vector<std::int64_t>{-2, 7}));
  EXPECT_EQ(values["liver_tumor"], (std::vector<std::int64_t>{3}));
  EXPECT_EQ(values["lung"], (std::vector<std::int64_t>{-2, 3, 7}));
}

TEST(GenericConfigErrorTest, ConverterAndDescriptionTypes) {
  EXPECT_THAT(error_of(with(R"(, "converter": "other")")), HasSubstr("\"converter\""));
  EXPECT_THAT(error_of(with(R"(, "description": 5)")), HasSubstr("\"description\""));
  EXPECT_THAT(error_of("[]"), HasSubstr("JSON object"));
}

// --- Extensions beyond SPEC section 8 -------------------------------------------------------

std::vector<std::string> sources_of(const std::vector<CaseSpec>& cases) {
  std::vector<std::string> out;
  for (const auto& c : cases) out.push_back(c.source);
  return out;
}

// BUSI as unzipped: one folder per class, image "benign (N).png", its mask "benign (N)_mask.png"
// and, for some cases, a second mask "benign (N)_mask_1.png".
TEST(BusiReplica, MasksOfACaseAreUnitedAndNamesAreLiteral) {
  test::TempDir dir;
  const fs::path busi = dir / "Dataset_BUSI_with_GT";
  for (const std::string f :
       {"benign/benign (1).png", "benign/benign (1)_mask.png", "benign/benign (1)_mask_1.png",
        "benign/benign (10).png", "benign/benign (10)_mask.png", "malignant/malignant (2).png",
        "malignant/malignant (2)_mask.png", "normal/normal (3).png", "normal/normal (3)_mask.png"})
    write_text(busi / f, "x");
  const auto converter = make(R"({"dataset": "BUSI", "cases": "Dataset_BUSI_with_GT/*/*.png",
      "exclude": "**/*_mask*.png", "modality": "ultrasound", "label": "{dir}/{stem}_mask*.png",
      "labels": {"255": "breast_tumor"}})");
  const auto cases = converter.discover(dir.path()).cases;
  ASSERT_THAT(names_of(cases),
              ElementsAre("benign_(1)", "benign_(10)", "malignant_(2)", "normal_(3)"));
  for (const auto& c : cases) EXPECT_EQ(c.discovery_error, "") << c.source;
  // "benign (1)_mask*" is matched literally: no "(10)" masks, two files of its own.
  EXPECT_EQ(cases[0].label, busi / "benign" / "benign (1)_mask.png");
  EXPECT_THAT(cases[0].extra_sources, ElementsAre(busi / "benign" / "benign (1)_mask_1.png"));
  EXPECT_TRUE(static_cast<bool>(cases[0].assemble_label));
  EXPECT_EQ(cases[1].label, busi / "benign" / "benign (10)_mask.png");
  EXPECT_THAT(cases[1].extra_sources, IsEmpty());
  EXPECT_FALSE(static_cast<bool>(cases[1].assemble_label));
  EXPECT_EQ(converter.layout(), "image + mask pattern (united)");
}

TEST(BusiReplica, ACaseWithoutMaskFailsAtDiscovery) {
  test::TempDir dir;
  write_text(dir / "benign" / "benign (4).png", "x");
  const auto cases = make(R"({"dataset": "BUSI", "cases": "*/*.png", "exclude": ["**/*_mask*"],
      "modality": "ultrasound", "label": "{dir}/{stem}_mask*.png",
      "labels": {"255": "breast_tumor"}})")
                         .discover(dir.path())
                         .cases;
  ASSERT_EQ(cases.size(), 1u);
  EXPECT_THAT(cases[0].discovery_error,
              AllOf(HasSubstr("benign/benign (4).png: no file matches the label template "
                              "\"{dir}/{stem}_mask*.png\""),
                    HasSubstr("benign (4)_mask*.png")));
}

TEST(NiftiTwinTest, CasesKeepTheGzTwinAndWarnAboutTheOther) {
  test::TempDir dir;
  for (const std::string f : {"img/X.nii", "img/X.nii.gz", "img/Y.nii", "img/Z.nii.gz",
                              "lab/X.nii.gz", "lab/Y.nii", "lab/Z.nii.gz"})
    write_text(dir / f, "x");
  const auto cases = make(R"({"dataset": "D", "cases": "img/*.{nii,nii.gz}", "modality": "ct_00",
      "label": "lab/{stem}.nii.gz", "labels": {"1": "liver"}})")
                         .discover(dir.path())
                         .cases;
  EXPECT_THAT(sources_of(cases), ElementsAre("img/X.nii.gz", "img/Y.nii", "img/Z.nii.gz"));
  ASSERT_EQ(cases[0].warnings.size(), 1u);
  EXPECT_EQ(cases[0].warnings[0], (dir / "img" / "X.nii").string() +
                                      ": ignored, since X.nii.gz beside it has the same name "
                                      "(NIfTI twins); X.nii.gz is read instead, so delete one of "
                                      "the two if they differ");
  EXPECT_THAT(cases[1].warnings, IsEmpty());
  EXPECT_THAT(cases[2].warnings, IsEmpty());
  // The template names lab/Y.nii.gz, which is missing: its twin lab/Y.nii is used.
  EXPECT_EQ(cases[1].label, dir / "lab" / "Y.nii");
  EXPECT_EQ(cases[0].label, dir / "lab" / "X.nii.gz");
  for (const auto& c : cases) EXPECT_EQ(c.discovery_error, "");
}

TEST(NiftiTwinTest, PatternMatchesKeepTheGzTwin) {
  test::TempDir dir;
  for (const std::string f : {"c1/c1_t1.nii.gz", "c1/c1_seg.nii", "c1/c1_seg.nii.gz"})
    write_text(dir / f, "x");
  const auto cases = make(R"({"dataset": "D", "cases": "*/*_t1.nii.gz", "modality": "mr_t1",
      "label": "{dir}/*_seg.nii*", "labels": {"1": "liver"}})")
                         .discover(dir.path())
                         .cases;
  ASSERT_EQ(cases.size(), 1u);
  EXPECT_EQ(cases[0].label, dir / "c1" / "c1_seg.nii.gz");
  EXPECT_THAT(cases[0].extra_sources, IsEmpty());
  EXPECT_FALSE(static_cast<bool>(cases[0].assemble_label));
  EXPECT_THAT(cases[0].warnings, ElementsAre(HasSubstr("c1_seg.nii: ignored")));
}

// BraTS 2020: every case's seg is "<case>_seg.nii", except case 355's "W39_1998.09.19_Segm.nii".
TEST(BraTS2020Replica, AlternativesFindTheOddSegOfCase355) {
  test::TempDir dir;
  const std::string top = "MICCAI_BraTS2020_TrainingData/";
  for (const std::string f : {"BraTS20_Training_001/BraTS20_Training_001_flair.nii",
                              "BraTS20_Training_001/BraTS20_Training_001_seg.nii",
                              "BraTS20_Training_355/BraTS20_Training_355_flair.nii",
                              "BraTS20_Training_355/W39_1998.09.19_Segm.nii"})
    write_text(dir / (top + f), "x");
  const auto cases = make(R"({"dataset": "BraTS2020", "converter": "generic",
      "cases": "MICCAI_BraTS2020_TrainingData/*/*_flair.nii", "case_name": "{parent}",
      "sequences": [{"image": "{dir}/{parent}_flair.nii", "modality": "mr_flair"}],
      "label": "{dir}/*{_seg,_Segm}.nii", "labels": {"1": "non_enhancing_tumor_core"}})")
                         .discover(dir.path())
                         .cases;
  ASSERT_THAT(names_of(cases), ElementsAre("BraTS20_Training_001", "BraTS20_Training_355"));
  EXPECT_EQ(cases[0].label, dir / top / "BraTS20_Training_001" / "BraTS20_Training_001_seg.nii");
  EXPECT_EQ(cases[1].label, dir / top / "BraTS20_Training_355" / "W39_1998.09.19_Segm.nii");
  for (const auto& c : cases) EXPECT_EQ(c.discovery_error, "");
}

// FLARE22: cases found by their labels; the image lies in a sibling folder.
TEST(Flare22Replica, TemplatesMayClimbOutOfTheCaseFolder) {
  test::TempDir dir;
  for (const std::string f :
       {"Training/labels/FLARE22_Tr_0001.nii.gz", "Training/images/FLARE22_Tr_0001_0000.nii.gz",
        "Training/labels/FLARE22_Tr_0002.nii.gz"})
    write_text(dir / f, "x");
  for (const std::string image :
       {"{dir}/../images/{stem}_0000.nii.gz", "{dir}/../images/{stem}_000[0].nii.gz"}) {
    const auto cases = make(R"({"dataset": "FLARE22", "cases": "Training/labels/*.nii.gz",
        "sequences": [{"image": ")" +
                            image +
                            R"(", "modality": "ct_00"}], "label": "{path}",
        "labels": {"1": "liver"}})")
                           .discover(dir.path())
                           .cases;
    ASSERT_EQ(cases.size(), 2u) << image;
    EXPECT_EQ(cases[0].sequences[0].image,
              dir / "Training" / "images" / "FLARE22_Tr_0001_0000.nii.gz");
    EXPECT_EQ(cases[0].discovery_error, "") << image;
    if (image.find('[') != std::string::npos) {
      EXPECT_THAT(cases[1].discovery_error,
                  AllOf(HasSubstr("Training/labels/FLARE22_Tr_0002.nii.gz: no file matches the "
                                  "sequences[0].image template"),
                        HasSubstr("Training/images/FLARE22_Tr_0002_000[0].nii.gz")));
    } else {
      // A plain template names its file, missing or not; the load reports a missing one.
      EXPECT_EQ(cases[1].discovery_error, "");
      EXPECT_EQ(cases[1].sequences[0].image,
                dir / "Training" / "images" / "FLARE22_Tr_0002_0000.nii.gz");
    }
  }
}

TEST(SequencePatternTest, ASequenceImageMustMatchExactlyOneFile) {
  test::TempDir dir;
  for (const std::string f : {"a/a_seg.nii.gz", "a/a_t1.nii.gz", "a/a_t1ce.nii.gz"})
    write_text(dir / f, "x");
  const auto cases = make(R"({"dataset": "D", "cases": "*/*_seg.nii.gz", "case_name": "{parent}",
      "sequences": [{"image": "{dir}/*_t1*.nii.gz", "modality": "mr_t1"}],
      "label": "{path}", "labels": {"1": "liver"}})")
                         .discover(dir.path())
                         .cases;
  ASSERT_EQ(cases.size(), 1u);
  EXPECT_EQ(cases[0].discovery_error,
            "a/a_seg.nii.gz: 2 files match the sequences[0].image template \"{dir}/*_t1*.nii.gz\" "
            "(" +
                (dir / "a" / "a_t1.nii.gz").string() + ", " +
                (dir / "a" / "a_t1ce.nii.gz").string() +
                "); a sequence image must be one file, so make the template more specific");
}

TEST(ExcludeTest, ExcludedPathsAreNeverCases) {
  test::TempDir dir;
  for (const std::string f : {"p1/p1_4d.nii.gz", "p1/p1_frame01.nii.gz", "p1/p1_frame01_gt.nii.gz",
                              "p2/p2_frame03.nii.gz", "p2/p2_frame03_gt.nii.gz"})
    write_text(dir / f, "x");
  const std::string rest = R"(, "modality": "mr_00", "label": "{dir}/{stem}_gt.nii.gz",
      "labels": {"1": "right_ventricle"}})";
  EXPECT_THAT(sources_of(make(R"({"dataset": "ACDC", "cases": "**/*.nii.gz",
      "exclude": ["**/*_4d.nii.gz", "**/*_gt.nii.gz"])" +
                              rest)
                             .discover(dir.path())
                             .cases),
              ElementsAre("p1/p1_frame01.nii.gz", "p2/p2_frame03.nii.gz"));
  EXPECT_THAT(sources_of(make(R"({"dataset": "ACDC", "cases": "**/*.nii.gz",
      "exclude": "{**/*_4d,**/*_gt,p2/*}.nii.gz")" +
                              rest)
                             .discover(dir.path())
                             .cases),
              ElementsAre("p1/p1_frame01.nii.gz"));
}

// AMOS: cases 0001-0500 are CT, 0501 and above MR, in the same folders.
TEST(ModalityRulesTest, CaseNumberAndPathPickTheModality) {
  test::TempDir dir;
  for (const std::string f :
       {"imagesTr/amos_0001.nii.gz", "imagesTr/amos_0500.nii.gz", "imagesTr/amos_0507.nii.gz",
        "imagesTr/amos_extra.nii.gz", "imagesVa/amos_0008.nii.gz"})
    write_text(dir / f, "x");
  const auto converter = make(R"({"dataset": "AMOS", "cases": "images*/amos_*.nii.gz",
      "modality_rules": [{"path": "imagesVa/**", "modality": "ct_01"},
                         {"case_number_max": 500, "modality": "ct_00"},
                         {"case_number_min": 501, "modality": "mr_00"}],
      "label": "labels{parent}/{name}", "labels": {"1": "spleen"}})");
  EXPECT_THAT(converter.modalities(), ElementsAre("ct_01", "ct_00", "mr_00"));
  const auto cases = converter.discover(dir.path()).cases;
  ASSERT_EQ(cases.size(), 5u);
  std::vector<std::string> modalities;
  for (const auto& c : cases) modalities.push_back(c.sequences[0].modality);
  EXPECT_THAT(modalities, ElementsAre("ct_00", "ct_00", "mr_00", "", "ct_01"));
  EXPECT_EQ(cases[3].discovery_error,
            "imagesTr/amos_extra.nii.gz: no rule of \"modality_rules\" matches this case (its "
            "name has no digits) and the config has no fallback \"modality\"; add a rule for it "
            "or a \"modality\"");
  for (const std::size_t i : {0, 1, 2, 4}) EXPECT_EQ(cases[i].discovery_error, "") << i;

  // With a fallback every case gets one.
  const auto with_fallback = make(R"({"dataset": "AMOS", "cases": "imagesTr/amos_*.nii.gz",
      "modality": "mr_t2", "modality_rules": [{"case_number_max": 500, "modality": "ct_00"}],
      "label": "{path}", "labels": {"1": "spleen"}})");
  EXPECT_THAT(with_fallback.modalities(), ElementsAre("ct_00", "mr_t2"));
  modalities.clear();
  for (const auto& c : with_fallback.discover(dir.path()).cases)
    modalities.push_back(c.sequences[0].modality);
  EXPECT_THAT(modalities, ElementsAre("ct_00", "ct_00", "mr_t2", "mr_t2"));
}

TEST(ModalityRulesTest, SameNameWithDifferentModalitiesDoesNotCollide) {
  test::TempDir dir;
  for (const std::string f : {"CT/1.nii.gz", "MR/1.nii.gz", "MR2/1.nii.gz"})
    write_text(dir / f, "x");
  const auto cases = make(R"({"dataset": "D", "cases": "*/1.nii.gz",
      "modality_rules": [{"path": "CT/*", "modality": "ct_00"}, {"path": "MR*/*", "modality": "mr_00"}],
      "label": "{path}", "labels": {"1": "liver"}})")
                         .discover(dir.path())
                         .cases;
  ASSERT_EQ(cases.size(), 3u);
  EXPECT_EQ(cases[0].discovery_error, "");
  EXPECT_EQ(cases[1].discovery_error, "");
  EXPECT_THAT(cases[2].discovery_error, HasSubstr("case name '1' collides with MR/1.nii.gz"));
}

TEST(GenericExtensionsTest, ComponentsSeriesAndGrandparentReachTheCaseSpec) {
  test::TempDir dir;
  write_text(dir / "Task01_BrainTumour" / "imagesTr" / "BRATS_001.nii.gz", "x");
  const auto cases = make(R"({"dataset": "D", "cases": "*/imagesTr/*.nii.gz", "components": 4,
      "case_name": "{grandparent}_{stem}",
      "sequences": [{"image": "{path}", "modality": "mr_flair", "component": 0},
                    {"image": "{path}", "modality": "mr_t1w", "component": 1, "components": 2,
                     "series": "*T1*"}],
      "label": "{dir}/../labelsTr/{name}", "labels": {"1": "liver"}})")
                         .discover(dir.path())
                         .cases;
  ASSERT_EQ(cases.size(), 1u);
  EXPECT_EQ(cases[0].name, "Task01_BrainTumour_BRATS_001");
  EXPECT_EQ(cases[0].sequences[0].expected_components, std::optional<std::size_t>(4));
  EXPECT_EQ(cases[0].sequences[1].expected_components, std::optional<std::size_t>(2));
  EXPECT_EQ(cases[0].sequences[0].dicom_series, "");
  EXPECT_EQ(cases[0].sequences[1].dicom_series, "*T1*");
  EXPECT_EQ(cases[0].label, dir / "Task01_BrainTumour" / "labelsTr" / "BRATS_001.nii.gz");
}

TEST(GenericExtensionsTest, LayoutPhrases) {
  const std::string base = R"({"dataset": "D", "cases": "*", "labels": {"1": "liver"}, )";
  EXPECT_EQ(make(base + R"("modality": "ct_00", "label": "{path}"})").layout(), "label map");
  EXPECT_EQ(make(base + R"("modality": "ct_00", "label": "{dir}/{stem}_mask*.png"})").layout(),
            "image + mask pattern (united)");
  EXPECT_EQ(
      make(base + R"("modality": "ct_00", "label": "{path}", "label_threshold": 128})").layout(),
      "image + lossy mask (threshold)");
  EXPECT_EQ(
      make(base + R"("modality": "ct_00", "label": "{dir}/*.png", "label_threshold": 9})").layout(),
      "image + mask pattern (united, threshold)");
  EXPECT_EQ(make(base + R"("sequences": [{"image": "a", "modality": "mr_t1"},
      {"image": "b", "modality": "mr_t2"}], "label": "{path}"})")
                .layout(),
            "sequences + label map");
  EXPECT_EQ(make(base + R"("sequences": [{"image": "a", "modality": "mr_t1", "component": 0}],
      "label": "{path}"})")
                .layout(),
            "4D + label map");
}

TEST(GenericExtensionsTest, LabelRangesExpandToEveryValue) {
  const auto mapping = make(R"({"dataset": "CHAOS", "cases": "*", "modality": "mr_t2",
      "label": "{path}", "labels": {"55..70": "liver", "110..135": "right_kidney",
      "-3..-1": "spleen", "7..7": "left_kidney"}})")
                           .mapping();
  std::map<std::string, std::vector<std::int64_t>> values;
  for (const auto& c : mapping->classes) values[c.name] = c.values;
  std::vector<std::int64_t> liver;
  for (std::int64_t v = 55; v <= 70; ++v) liver.push_back(v);
  EXPECT_EQ(values["liver"], liver);
  EXPECT_EQ(values["right_kidney"].size(), 26u);
  EXPECT_EQ(values["right_kidney"].front(), 110);
  EXPECT_EQ(values["right_kidney"].back(), 135);
  EXPECT_EQ(values["spleen"], (std::vector<std::int64_t>{-3, -2, -1}));
  EXPECT_EQ(values["left_kidney"], (std::vector<std::int64_t>{7}));
}

TEST(GenericConfigErrorTest, ExtensionKeysAreValidated) {
  const std::string base =
      R"({"dataset": "D", "cases": "*", "modality": "ct_00", "label": "{path}", )";
  const std::string labels = R"("labels": {"1": "liver"})";
  // Label ranges.
  EXPECT_THAT(error_of(base + R"("labels": {"5..3": "liver"}})"),
              AllOf(HasSubstr("\"5..3\""), HasSubstr("\"3..5\"")));
  EXPECT_THAT(error_of(base + R"("labels": {"1..x": "liver"}})"), HasSubstr("\"x\""));
  EXPECT_THAT(error_of(base + R"("labels": {"0..65536": "liver"}})"), HasSubstr("65536 values"));
  EXPECT_EQ(error_of(base + R"("labels": {"0..65535": "liver"}})"), "(no error)");
  EXPECT_THAT(error_of(base + R"("labels": {"1..3": "liver", "3": "spleen"}})"),
              AllOf(HasSubstr("\"1..3\""), HasSubstr("\"3\""), HasSubstr("value 3")));
  EXPECT_THAT(error_of(base + R"("labels": {"1..3": "liver", "2..9": "liver"}})"),
              HasSubstr("value 2"));
  // label_threshold.
  EXPECT_THAT(error_of(base + labels + R"(, "label_threshold": "128"})"),
              HasSubstr("\"label_threshold\""));
  EXPECT_THAT(error_of(base + R"("labels": {"255": "liver"}, "label_threshold": 128})"),
              AllOf(HasSubstr("value 255"), HasSubstr("map \"1\"")));
  EXPECT_EQ(error_of(base + labels + R"(, "label_threshold": 127.5})"), "(no error)");
  // exclude.
  EXPECT_THAT(error_of(base + labels + R"(, "exclude": 3})"), HasSubstr("\"exclude\""));
  EXPECT_THAT(error_of(base + labels + R"(, "exclude": []})"), HasSubstr("\"exclude\""));
  EXPECT_THAT(error_of(base + labels + R"(, "exclude": ["a[b"]})"),
              AllOf(HasSubstr("\"exclude\""), HasSubstr("unclosed")));
  // components.
  EXPECT_THAT(error_of(base + labels + R"(, "components": 0})"), HasSubstr("\"components\""));
  EXPECT_THAT(error_of(base + labels + R"(, "components": -4})"), HasSubstr("\"components\""));
  EXPECT_THAT(error_of(base + labels + R"(, "components": 2.5})"), HasSubstr("\"components\""));
  const std::string seq =
      R"({"dataset": "D", "cases": "*", "label": "{path}", "labels": {"1": "liver"}, "sequences": )";
  EXPECT_THAT(
      error_of(seq +
               R"([{"image": "{path}", "modality": "mr_t1", "component": 4, "components": 4}]})"),
      AllOf(HasSubstr("sequences[0].component"), HasSubstr("0 to 3")));
  EXPECT_THAT(error_of(seq + R"([{"image": "{path}", "modality": "mr_t1", "series": ""}]})"),
              HasSubstr("sequences[0].series"));
  EXPECT_THAT(error_of(seq + R"([{"image": "{path}", "modality": "mr_t1", "serie": "x"}]})"),
              HasSubstr("did you mean \"series\""));
  EXPECT_THAT(error_of(seq + R"([{"image": "{dir}/[x", "modality": "mr_t1"}]})"),
              AllOf(HasSubstr("sequences[0].image"), HasSubstr("unclosed")));
  // Templates.
  EXPECT_THAT(error_of(with(R"(, "case_name": "{stem}*")")),
              AllOf(HasSubstr("\"case_name\""), HasSubstr("not a file pattern")));
  EXPECT_THAT(error_of(R"({"dataset": "D", "cases": "*", "modality": "ct_00",
      "label": "{dir}/{a,b", "labels": {"1": "liver"}})"),
              HasSubstr("never closed"));
  EXPECT_THAT(error_of(R"({"dataset": "D", "cases": "*.{nii", "modality": "ct_00",
      "label": "{path}", "labels": {"1": "liver"}})"),
              AllOf(HasSubstr("\"cases\""), HasSubstr("never closed")));
  // modality_rules.
  const std::string rules =
      R"({"dataset": "D", "cases": "*", "label": "{path}", "labels": {"1": "liver"}, "modality_rules": )";
  EXPECT_THAT(error_of(rules + "[]}"), HasSubstr("non-empty"));
  EXPECT_THAT(error_of(rules + R"([{"modality": "ct_00"}]})"),
              AllOf(HasSubstr("modality_rules[0]"), HasSubstr("no condition")));
  EXPECT_THAT(error_of(rules + R"([{"case_number_max": 3}]})"), HasSubstr("lacks \"modality\""));
  EXPECT_THAT(error_of(rules + R"([{"modality": "CT", "case_number_max": 3}]})"),
              HasSubstr("\"CT\""));
  EXPECT_THAT(error_of(rules + R"([{"modality": "ct_00", "case_number_mx": 3}]})"),
              HasSubstr("did you mean \"case_number_max\""));
  EXPECT_THAT(error_of(rules + R"([{"modality": "ct_00", "case_number_max": -1}]})"),
              HasSubstr("modality_rules[0].case_number_max"));
  EXPECT_THAT(
      error_of(rules + R"([{"modality": "ct_00", "case_number_min": 9, "case_number_max": 3}]})"),
      HasSubstr("above case_number_max"));
  EXPECT_THAT(error_of(rules + R"([{"modality": "ct_00", "path": 3}]})"),
              HasSubstr("modality_rules[0].path"));
  EXPECT_THAT(error_of(rules + R"([{"modality": "ct_00", "path": "CT/["}]})"),
              AllOf(HasSubstr("modality_rules[0].path"), HasSubstr("unclosed")));
  EXPECT_THAT(error_of(rules + R"([{"modality": "ct_00", "path": "CT/*"}],
      "sequences": [{"image": "{path}", "modality": "mr_t1"}]})"),
              HasSubstr("both"));
}

}  // namespace
}  // namespace samed2d
