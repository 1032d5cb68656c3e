// End-to-end: choosing datasets on the command line (--dataset, --config, --sources), `list`, and
// how many per-case warnings reach the console.

#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "support/DatasetRun.hpp"
#include "support/RunTool.hpp"
#include "support/TestData.hpp"

namespace samed2d::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::array<std::size_t, 3> kSize{12, 10, 8};

// One case `name` under `root`: a ramp image and a label with `value` in a box on slices 2..4.
void make_case(const fs::path& root, const std::string& name, std::uint8_t value) {
  std::vector<std::int16_t> image(kSize[0] * kSize[1] * kSize[2]);
  for (std::size_t v = 0; v < image.size(); ++v) image[v] = static_cast<std::int16_t>(v % 301);
  write_volume(root / (name + ".nii.gz"), kSize, image);
  std::vector<std::uint8_t> label;
  if (value != 0) fill_box(label, kSize, {2, 2, 2}, {8, 7, 5}, value);
  label.resize(image.size(), 0);
  write_volume(root / (name + "_seg.nii.gz"), kSize, label);
}

std::string config_text(const std::string& dataset, const std::string& cls) {
  return R"({"dataset": ")" + dataset + R"(", "cases": "*[0-9].nii.gz", "modality": "ct_00",
    "label": "{stem}_seg.nii.gz", "labels": {"1": ")" +
         cls + R"("}})";
}

class DatasetSelectionTest : public ::testing::Test {
 protected:
  TempDir dir;

  // Two datasets of one case each, with their configs beside a sources file.
  void make_two_datasets() {
    make_case(dir / "liver_data", "liver_1", 1);
    make_case(dir / "spleen_data", "spleen_7", 1);
    write_text_file(dir / "cfg" / "LiverSet.json", config_text("LiverSet", "liver"));
    write_text_file(dir / "cfg" / "SpleenSet.json", config_text("SpleenSet", "spleen"));
  }
};

TEST_F(DatasetSelectionTest, SourcesFileConvertsSeveralDatasetsIntoOneOutput) {
  make_two_datasets();
  // Relative paths in a sources file are taken from the file's folder.
  write_text_file(dir / "sources.json",
                  R"({"cfg/SpleenSet.json": "spleen_data", "cfg/LiverSet.json": "liver_data"})");
  const auto run = run_samed2d({"convert", "--sources", (dir / "sources.json").string(), "--output",
                                (dir / "out").string(), "--axes", "x", "--quiet"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto d = read_output(dir / "out");
  // Label box on k = 2, 3, 4: three x slices per dataset.
  const std::vector<std::string> want_images{
      "ct_00--LiverSet--liver_1--x_0002.png",   "ct_00--LiverSet--liver_1--x_0003.png",
      "ct_00--LiverSet--liver_1--x_0004.png",   "ct_00--SpleenSet--spleen_7--x_0002.png",
      "ct_00--SpleenSet--spleen_7--x_0003.png", "ct_00--SpleenSet--spleen_7--x_0004.png"};
  EXPECT_EQ(d.images, want_images);
  EXPECT_EQ(d.masks.size(), 6u);
  EXPECT_EQ(d.index.size(), 6u);
  EXPECT_EQ(d.mapping, json({{"liver", class_id("liver")}, {"spleen", class_id("spleen")}}));

  // The key order of the sources file does not change a byte of the output.
  write_text_file(dir / "sources2.json",
                  R"({"cfg/LiverSet.json": "liver_data", "cfg/SpleenSet.json": "spleen_data"})");
  const auto again = run_samed2d({"convert", "--sources", (dir / "sources2.json").string(),
                                  "--output", (dir / "out2").string(), "--axes", "x", "--quiet"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(read_bytes(dir / "out" / "SAMed2D_v1.json"),
            read_bytes(dir / "out2" / "SAMed2D_v1.json"));
  EXPECT_EQ(read_bytes(dir / "out" / "report.json"), read_bytes(dir / "out2" / "report.json"));
}

TEST_F(DatasetSelectionTest, BadSourcesFileExitsTwoAndWritesNothing) {
  make_two_datasets();
  struct Bad {
    std::string sources;
    std::string says;
  };
  const std::vector<Bad> bad{
      {R"({"Colin27_AL": "liver_data"})", "did you mean \"Colin27_AAL\""},
      {R"({"cfg/LiverSet.json": "no_such_folder"})", "no_such_folder"},
      {R"({"cfg/LiverSet.json": 3})", "cfg/LiverSet.json"},
      {R"(["cfg/LiverSet.json"])", "must be a JSON object"},
      {R"({"cfg/LiverSet.json": "liver_data", "cfg/../cfg/LiverSet.json": "spleen_data"})",
       "given twice"},
      {R"({"cfg/Missing.json": "liver_data"})", "cfg/Missing.json"},
  };
  for (const auto& b : bad) {
    write_text_file(dir / "sources.json", b.sources);
    const auto run = run_samed2d({"convert", "--sources", (dir / "sources.json").string(),
                                  "--output", (dir / "out").string()});
    EXPECT_EQ(run.exit_code, 2) << b.sources << "\n" << run.err;
    EXPECT_NE(run.err.find(b.says), std::string::npos) << b.sources << "\n" << run.err;
    EXPECT_FALSE(fs::exists(dir / "out")) << b.sources;
  }
  // --input makes no sense beside --sources; two ways of naming a dataset are refused.
  write_text_file(dir / "sources.json", R"({"cfg/LiverSet.json": "liver_data"})");
  const auto with_input =
      run_samed2d({"convert", "--sources", (dir / "sources.json").string(), "--input",
                   (dir / "liver_data").string(), "--output", (dir / "out").string()});
  EXPECT_EQ(with_input.exit_code, 2);
  EXPECT_NE(with_input.err.find("--input is not used with --sources"), std::string::npos);
  const auto both = run_samed2d(
      {"convert", "--dataset", "Colin27_AAL", "--config", (dir / "cfg" / "LiverSet.json").string(),
       "--input", (dir / "liver_data").string(), "--output", (dir / "out").string()});
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_NE(both.err.find("exactly one of --dataset"), std::string::npos) << both.err;
  EXPECT_FALSE(fs::exists(dir / "out"));
}

TEST_F(DatasetSelectionTest, DatasetNameMustBeABundledOne) {
  make_two_datasets();
  const auto run = run_samed2d({"convert", "--dataset", "Colin27_AL", "--input",
                                (dir / "liver_data").string(), "--output", (dir / "out").string()});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("did you mean \"Colin27_AAL\""), std::string::npos) << run.err;
  EXPECT_FALSE(fs::exists(dir / "out"));
  // A path is not a dataset name.
  const auto path =
      run_samed2d({"convert", "--dataset", (dir / "cfg" / "LiverSet.json").string(), "--input",
                   (dir / "liver_data").string(), "--output", (dir / "out").string()});
  EXPECT_EQ(path.exit_code, 2);
  EXPECT_FALSE(fs::exists(dir / "out"));
}

TEST_F(DatasetSelectionTest, ListShowsEveryBundledDatasetWithItsModalityAndLayout) {
  const auto run = run_samed2d({"list"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(run.err.empty()) << run.err;  // every bundled config loads
  std::size_t bundled = 0;
  for (const auto& e : fs::directory_iterator(source_dir() / "configs" / "datasets")) {
    if (e.path().extension() != ".json") continue;
    ++bundled;
    const auto config = json::parse(read_bytes(e.path()), nullptr, true, true);
    const std::string name = e.path().stem().string();
    EXPECT_EQ(config["dataset"], name) << "a bundled config's file is named after its dataset";
    // "  NAME  modality[,modality...]  layout...", or "  NAME  -  not convertible" for a dataset
    // of the release without a usable public source.
    const bool convertible = config.value("converter", std::string()) != "not_convertible";
    const std::regex row(convertible ? "\n  " + name + " +[a-z0-9_,]+ +[^ \n]"
                                     : "\n  " + name + " +- +not convertible +not_convertible\n");
    EXPECT_TRUE(std::regex_search(run.out, row)) << name << "\n" << run.out;
  }
  EXPECT_GE(bundled, 1u);
  EXPECT_NE(run.out.find("generic"), std::string::npos);
}

TEST_F(DatasetSelectionTest, ListWithANameDescribesThatDataset) {
  const auto run = run_samed2d({"list", "MSD_Prostate"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("modalities: mr_t2, mr_adc"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("layout:     4D + label map"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("MSD_Prostate.json"), std::string::npos) << run.out;
  // The config's description, wrapped: every line indented, none longer than 96 columns (a
  // path without spaces may not be broken).
  const auto config = json::parse(read_bytes(bundled_config("MSD_Prostate")), nullptr, true, true);
  const std::string description = config["description"];
  const std::string first_word = description.substr(0, description.find(' '));
  EXPECT_NE(run.out.find("  " + first_word), std::string::npos) << run.out;
  const auto bad = run_samed2d({"list", "MSD_Prostat"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("did you mean \"MSD_Prostate\""), std::string::npos) << bad.err;
}

TEST_F(DatasetSelectionTest, FirstCasesLoadInParallelWithoutCorruption) {
  // ITK 5.2's NIfTI header reader is not safe on its first calls from two threads: the first two
  // cases of a run, loading at once, corrupted the heap in about one run of five ("malloc():
  // unaligned tcache chunk detected"). Thirty fresh processes make a miss unlikely (0.8^30).
  make_case(dir / "in", "case11", 1);
  make_case(dir / "in", "case12", 1);
  write_text_file(dir / "cfg.json", config_text("LiverSet", "liver"));
  for (int run = 0; run < 30; ++run) {
    const fs::path out = dir / ("out" + std::to_string(run));
    const auto r = run_samed2d({"convert", "--config", (dir / "cfg.json").string(), "--input",
                                (dir / "in").string(), "--output", out.string(), "--axes", "x",
                                "--threads", "2", "--quiet"});
    ASSERT_EQ(r.exit_code, 0) << "run " << run << ": " << r.err;
    ASSERT_EQ(read_output(out).images.size(), 6u) << "run " << run;
  }
}

// A gzip-compressed NIfTI-1 file whose header claims ni x nj x nk int16 voxels and holds 16.
void write_huge_nifti_header(const fs::path& file, std::int16_t ni, std::int16_t nj,
                             std::int16_t nk) {
  std::vector<unsigned char> b(352 + 16, 0);
  auto put = [&](std::size_t off, auto v) { std::memcpy(b.data() + off, &v, sizeof v); };
  put(0, std::int32_t{348});
  put(40, std::int16_t{3});
  put(42, ni);
  put(44, nj);
  put(46, nk);
  put(70, std::int16_t{4});   // DT_INT16
  put(72, std::int16_t{16});  // bitpix
  for (int d = 1; d <= 3; ++d) put(76 + 4 * d, 1.0f);
  put(108, 352.0f);  // vox_offset
  std::memcpy(b.data() + 344, "n+1\0", 4);
  gzFile gz = gzopen(file.c_str(), "wb");
  ASSERT_NE(gz, nullptr);
  ASSERT_EQ(gzwrite(gz, b.data(), static_cast<unsigned>(b.size())), static_cast<int>(b.size()));
  gzclose(gz);
}

TEST_F(DatasetSelectionTest, HugeHeaderIsRefusedBeforeAnyAllocation) {
  // A .nii.gz header claiming 30000^3 int16 voxels (54 TB; its real size shows only after
  // decompressing): the case fails with the limit's message (an attempt to allocate would say
  // "not enough memory"), and the other cases are converted. A MetaImage claiming 60000^3 with
  // 16 bytes of data is refused by the limit too, before ITK reads anything.
  make_case(dir / "in", "case11", 1);
  write_huge_nifti_header(dir / "in" / "case12.nii.gz", 30000, 30000, 30000);
  write_volume(dir / "in" / "case12_seg.nii.gz", kSize, std::vector<std::uint8_t>(960, 1));
  write_text_file(dir / "in" / "case13.mha",
                  "ObjectType = Image\nNDims = 3\nDimSize = 60000 60000 60000\n"
                  "ElementType = MET_SHORT\nElementDataFile = LOCAL\n0123456789abcdef");
  write_volume(dir / "in" / "case13_seg.nii.gz", kSize, std::vector<std::uint8_t>(960, 1));
  write_text_file(dir / "cfg.json", R"({"dataset": "LiverSet", "cases": "case1[0-9].{nii.gz,mha}",
    "modality": "ct_00", "label": "{stem}_seg.nii.gz", "labels": {"1": "liver"}})");
  auto convert = [&](const std::string& out, std::vector<std::string> extra) {
    std::vector<std::string> args{"convert",
                                  "--config",
                                  (dir / "cfg.json").string(),
                                  "--input",
                                  (dir / "in").string(),
                                  "--output",
                                  (dir / out).string(),
                                  "--axes",
                                  "x",
                                  "--quiet"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_samed2d(args);
  };
  const auto run = convert("out", {});
  EXPECT_EQ(run.exit_code, 1) << run.err;
  auto d = read_output(dir / "out");
  EXPECT_EQ(d.images.size(), 3u);
  ASSERT_EQ(d.report["failed"].size(), 2u);
  std::string reason = d.report["failed"][0]["reason"];
  EXPECT_NE(reason.find("case12.nii.gz: its size 30000 x 30000 x 30000 is more than"),
            std::string::npos)
      << reason;
  EXPECT_NE(reason.find("--max-voxels"), std::string::npos) << reason;
  const std::string mha = d.report["failed"][1]["reason"];
  EXPECT_NE(mha.find("case13.mha: its size 60000 x 60000 x 60000 is more than"), std::string::npos)
      << mha;

  // The limit is the user's: 959 voxels refuses the 12 x 10 x 8 case too, 960 admits it.
  const auto small = convert("out2", {"--max-voxels", "959"});
  EXPECT_EQ(small.exit_code, 1);
  d = read_output(dir / "out2");
  EXPECT_TRUE(d.images.empty());
  ASSERT_EQ(d.report["failed"].size(), 3u);
  reason = d.report["failed"][0]["reason"];
  EXPECT_NE(reason.find("case11.nii.gz: its size 12 x 10 x 8 is more than the 959 voxels"),
            std::string::npos)
      << reason;
  const auto exact = convert("out3", {"--max-voxels", "960"});
  EXPECT_EQ(exact.exit_code, 1);
  EXPECT_EQ(read_output(dir / "out3").images.size(), 3u);
  EXPECT_EQ(convert("out4", {"--max-voxels", "0"}).exit_code, 2);
}

TEST_F(DatasetSelectionTest, ConsoleShowsTwentyCaseWarningsAndCountsTheRest) {
  // 25 cases without a labelled voxel: each earns a warning in report.json, but the console
  // shows 20 and one line for the rest.
  for (int c = 10; c < 35; ++c) make_case(dir / "in", "case" + std::to_string(c), 0);
  make_case(dir / "in", "case90", 1);
  write_text_file(dir / "cfg.json", config_text("LiverSet", "liver"));
  const auto run = run_samed2d({"convert", "--config", (dir / "cfg.json").string(), "--input",
                                (dir / "in").string(), "--output", (dir / "out").string(), "--axes",
                                "x", "--quiet"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::size_t case_lines = 0;
  for (std::size_t p = run.err.find("case '"); p != std::string::npos;
       p = run.err.find("case '", p + 1))
    ++case_lines;
  EXPECT_EQ(case_lines, 20u) << run.err;
  EXPECT_NE(run.err.find("5 more case warnings not shown"), std::string::npos) << run.err;
  const auto d = read_output(dir / "out");
  EXPECT_EQ(d.report["warnings"].size(), 25u);
  EXPECT_EQ(d.images.size(), 3u);
}

// The 91 dataset names of the released SA-Med2D-20M as the release writes them (the 16M part's
// file names, collected in torch-em's sa_med2d.py DATASET_NAMES).
const std::vector<std::string> kReleaseNames{"ACDC",
                                             "AMOS2022",
                                             "ATM2022",
                                             "AbdomenCT1K",
                                             "ASC18",
                                             "COSMOS2022",
                                             "BTCV",
                                             "BTCV_Cervix",
                                             "BraTS2013",
                                             "BraTS2015",
                                             "BraTS2018",
                                             "BraTS2019",
                                             "BraTS2020",
                                             "BraTS2021",
                                             "Brain_PTM",
                                             "CAD_PE",
                                             "CHAOS_Task_4",
                                             "CMRxMotions",
                                             "COVID19CTscans",
                                             "COVID-19-20",
                                             "covid_19_ct_cxr",
                                             "crass",
                                             "CTPelvic1k",
                                             "CTSpine1K_Full",
                                             "cvc_clinicdb",
                                             "Chest_Image_Pneum",
                                             "cranium",
                                             "CrossMoDA21",
                                             "CrossMoDA22",
                                             "EMIDEC",
                                             "endovis15",
                                             "FLARE21",
                                             "FLARE22",
                                             "fusc2021",
                                             "hvsmr_2016",
                                             "Heart_Seg_MRI",
                                             "ichallenge_adam_task2",
                                             "PALM19",
                                             "gamma",
                                             "gamma3",
                                             "ISLES_SPES",
                                             "ISLES_SISS",
                                             "ISLES2016",
                                             "ISLES2017",
                                             "ISLES2018",
                                             "ISLES2022",
                                             "Instance22",
                                             "KiTS",
                                             "KiTS2021",
                                             "LNDb",
                                             "LUNA16",
                                             "LongitudinalMultipleSclerosisLesionSegmentation",
                                             "mnms2",
                                             "MMWHS",
                                             "BrainTumour",
                                             "MSD_Heart",
                                             "MSD_Liver",
                                             "MSD_Prostate",
                                             "MSD_Lung",
                                             "MSD_Pancreas",
                                             "MSD_HepaticVessel",
                                             "MSD_Spleen",
                                             "MSD_Colon",
                                             "CT_ORG",
                                             "picai_baseline",
                                             "picai_semi",
                                             "Promise09",
                                             "PROMISE12",
                                             "Parse22",
                                             "chest_x_ray_images_with_pneumothorax_masks",
                                             "Prostate_MRI_Segmentation_Dataset",
                                             "Pulmonary_Chest_X-Ray_Abnormalities_seg",
                                             "QUBIQ2020",
                                             "StructSeg2019_subtask1",
                                             "StructSeg2019_subtask2",
                                             "Totalsegmentator_dataset",
                                             "ultrasound_nerve_segmentation",
                                             "VESSEL2012",
                                             "VerSe20",
                                             "VerSe19",
                                             "WORD",
                                             "autoPET",
                                             "braimMRI",
                                             "breast_ultrasound_images_dataset",
                                             "kvasircapsule_seg",
                                             "sz_cxr",
                                             "EndoVis_2017_RIS",
                                             "kvasir_seg",
                                             "isic2018_task1",
                                             "isic2017_task1",
                                             "isic2016_task1"};

// `samed2d list` rows: name -> layout ("not convertible" for a dataset without a public source).
std::map<std::string, std::string> listed_datasets(const std::string& out) {
  std::map<std::string, std::string> rows;
  const auto begin = out.find("Bundled datasets");
  const auto end = out.find("\nProfiles");
  std::istringstream lines(out.substr(begin, end - begin));
  std::string line;
  std::getline(lines, line);  // the section title
  std::getline(lines, line);  // the column names
  while (std::getline(lines, line) && line.rfind("  ", 0) == 0) {
    std::istringstream words(line);
    std::string name, modality;
    words >> name >> modality;
    rows[name] =
        line.find(" not convertible ") != std::string::npos ? "not convertible" : "bundled";
  }
  return rows;
}

// The README's "Supported datasets" table: every backticked name of a row's first cell -> its
// layout cell ("not convertible" for such rows).
std::map<std::string, std::string> readme_datasets() {
  std::ifstream in(source_dir() / "README.md");
  std::string line;
  bool inside = false;
  std::map<std::string, std::string> rows;
  while (std::getline(in, line)) {
    if (line.rfind("## ", 0) == 0) inside = line == "## Supported datasets";
    if (!inside || line.rfind("| `", 0) != 0) continue;
    std::vector<std::string> cells;
    std::size_t start = 1;
    for (std::size_t bar = line.find('|', start); bar != std::string::npos;
         start = bar + 1, bar = line.find('|', start))
      cells.push_back(line.substr(start, bar - start));
    if (cells.size() < 3) continue;
    const bool nc = cells[2].find("not convertible") != std::string::npos;
    for (std::size_t q = cells[0].find('`'); q != std::string::npos;
         q = cells[0].find('`', cells[0].find('`', q + 1) + 1)) {
      const auto close = cells[0].find('`', q + 1);
      rows[cells[0].substr(q + 1, close - q - 1)] = nc ? "not convertible" : "bundled";
    }
  }
  return rows;
}

TEST_F(DatasetSelectionTest, ReadmeTableAndListAgreeAndCoverEveryReleaseName) {
  const auto run = run_samed2d({"list"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto listed = listed_datasets(run.out);
  const auto readme = readme_datasets();
  EXPECT_EQ(readme, listed) << "the README's dataset table and `samed2d list` must agree";
  std::size_t bundled = 0;
  for (const auto& name : kReleaseNames) {
    const auto it = listed.find(name);
    ASSERT_NE(it, listed.end()) << name << " is neither bundled nor marked not convertible";
    if (it->second == "bundled")
      ++bundled;
    else
      EXPECT_NE(run.out.find("\n  " + name + ": "), std::string::npos)
          << name << ": a not convertible dataset is listed with its reason";
  }
  EXPECT_EQ(kReleaseNames.size(), 91u);
  EXPECT_GE(bundled, 86u);
}

}  // namespace
}  // namespace samed2d::test
