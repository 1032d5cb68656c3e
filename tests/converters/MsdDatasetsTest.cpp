// The bundled configs of the Medical Segmentation Decathlon tasks SA-Med2D names MSD_*, each run
// on a miniature replica of the task's tar as it unpacks (reference/datasets.md section 3):
// imagesTr/labelsTr/imagesTs, dataset.json and a macOS "._" twin beside every file.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "support/DatasetReplica.hpp"
#include "support/DatasetRun.hpp"
#include "support/Matchers.hpp"
#include "support/TestData.hpp"

namespace samed2d::test {
namespace {

constexpr Size3 kSize{12, 10, 8};

// Boxes of values 1 and 2, apart; one-class tasks get only the first.
const std::vector<LabelBox> kTwoLabels{{{1, 1, 1}, {5, 4, 4}, 1}, {{7, 5, 3}, {11, 9, 7}, 2}};
const std::vector<LabelBox> kOneLabel{{{2, 2, 2}, {9, 8, 6}, 1}};

struct MsdTask {
  std::string dataset;   // SA-Med2D name and bundled config
  std::string folder;    // the task's folder
  std::string modality;  // of its one image per case
  std::vector<std::string> training;
  std::vector<std::string> test;  // imagesTs, no labels
  ClassValues classes;
};

void PrintTo(const MsdTask& t, std::ostream* os) {
  *os << t.dataset;
}

const std::vector<MsdTask> kTasks{
    {"MSD_Heart",
     "Task02_Heart",
     "mr_00",
     {"la_003", "la_004"},
     {"la_001"},
     {{"left_atrium", {1}}}},
    // No zero padding: liver_0 ... liver_130.
    {"MSD_Liver",
     "Task03_Liver",
     "ct_00",
     {"liver_0", "liver_123"},
     {"liver_132"},
     {{"liver", {1}}, {"liver_tumor", {2}}}},
    {"MSD_Lung",
     "Task06_Lung",
     "ct_00",
     {"lung_001", "lung_003"},
     {"lung_002"},
     {{"lung_tumor", {1}}}},
    {"MSD_Pancreas",
     "Task07_Pancreas",
     "ct_00",
     {"pancreas_001", "pancreas_004"},
     {"pancreas_002"},
     {{"pancreas", {1}}, {"pancreas_tumor", {2}}}},
    {"MSD_HepaticVessel",
     "Task08_HepaticVessel",
     "ct_00",
     {"hepaticvessel_001", "hepaticvessel_002"},
     {"hepaticvessel_003"},
     {{"hepatic_vessel", {1}}, {"liver_tumor", {2}}}},
    {"MSD_Spleen",
     "Task09_Spleen",
     "ct_00",
     {"spleen_2", "spleen_10"},
     {"spleen_1"},
     {{"spleen", {1}}}},
    {"MSD_Colon",
     "Task10_Colon",
     "ct_00",
     {"colon_001", "colon_005"},
     {"colon_002"},
     {{"colon_tumor", {1}}}},
};

const std::vector<LabelBox>& boxes_of(const MsdTask& t) {
  return t.classes.size() == 2 ? kTwoLabels : kOneLabel;
}

void write_task(const fs::path& root, const MsdTask& t) {
  std::vector<MsdCase> cases;
  for (const auto& name : t.training) cases.push_back({name, boxes_of(t)});
  write_msd_task(root / t.folder, kSize, cases, t.test);
}

class MsdTaskTest : public ::testing::TestWithParam<MsdTask> {};

// The input is a folder that holds this task and the next one: the file prefix must keep them
// apart, imagesTs and the "._" twins must give nothing.
TEST_P(MsdTaskTest, TrainingCasesOnlyAndNotTheNeighbouringTask) {
  const MsdTask& task = GetParam();
  TempDir dir;
  write_task(dir / "in", task);
  std::size_t next = 0;
  while (kTasks[next].dataset != task.dataset) ++next;
  write_task(dir / "in", kTasks[(next + 1) % kTasks.size()]);

  const auto d = convert_dataset(task.dataset, dir / "in", dir / "out", {"--axes", "x"});
  ASSERT_EQ(d.run.exit_code, 0) << d.run.err;
  ExpectedFiles want;
  for (const auto& name : task.training)
    add_expected(want, task.dataset, name, {task.modality}, kSize, boxes_of(task), task.classes);
  expect_converted(d, want, 0);
  EXPECT_EQ(d.report.at("cases"), task.training.size());
  EXPECT_TRUE(d.report.at("warnings").empty()) << d.report.dump();
  EXPECT_THAT(d.images, ::testing::Contains(task.modality + "--" + task.dataset + "--" +
                                            task.training.back() + "--x_0003.png"));
  EXPECT_EQ(d.mapping, mapping_of(task.classes));
}

INSTANTIATE_TEST_SUITE_P(Msd, MsdTaskTest, ::testing::ValuesIn(kTasks),
                         [](const auto& param_info) { return param_info.param.dataset; });

const ClassValues kProstateClasses{
    {"prostate_peripheral_zone", {1}}, {"prostate_transition_zone", {2}}, {"prostate", {1, 2}}};

// 4D: component 0 T2 and 1 ADC share the map; input at the task folder itself; all three axes.
TEST(MsdProstateTest, T2AndAdcComponentsShareTheZonesOnAllThreeAxes) {
  TempDir dir;
  const fs::path task = dir / "Task05_Prostate";
  write_msd_task(task, kSize, {{"prostate_00", kTwoLabels}, {"prostate_16", kOneLabel}},
                 {"prostate_03"}, 2);
  const auto d = convert_dataset("MSD_Prostate", task, dir / "out");
  ASSERT_EQ(d.run.exit_code, 0) << d.run.err;
  expect_converted(
      d,
      expected_cases("MSD_Prostate", {"mr_t2", "mr_adc"}, kSize, kProstateClasses,
                     {{"prostate_00", kTwoLabels}, {"prostate_16", kOneLabel}}, {'x', 'y', 'z'}),
      0);
  EXPECT_THAT(d.masks, ::testing::Contains("mr_adc--MSD_Prostate--prostate_00--y_0006--" +
                                           class_id("prostate_transition_zone") + "_000.png"));
}

TEST(MsdProstateTest, AnImageWithThreeComponentsFailsOnlyItsCase) {
  TempDir dir;
  const fs::path task = dir / "in" / "Task05_Prostate";
  write_msd_task(task, kSize, {{"prostate_00", kTwoLabels}, {"prostate_01", kTwoLabels}}, {}, 2);
  write_4d_volume(task / "imagesTr" / "prostate_01.nii.gz", kSize, 3);
  const auto d = convert_dataset("MSD_Prostate", dir / "in", dir / "out", {"--axes", "x"});
  expect_converted(d,
                   expected_cases("MSD_Prostate", {"mr_t2", "mr_adc"}, kSize, kProstateClasses,
                                  {{"prostate_00", kTwoLabels}}),
                   1);
  expect_one_failure(d, {"prostate_01: ", "prostate_01.nii.gz", "has 3 component"});
}

TEST(MsdLiverTest, AnImageWithoutItsLabelFileFailsOnlyItsCase) {
  TempDir dir;
  const fs::path task = dir / "in" / "Task03_Liver";
  write_msd_task(task, kSize, {{"liver_7", kTwoLabels}, {"liver_8", kTwoLabels}}, {});
  fs::remove(task / "labelsTr" / "liver_8.nii.gz");
  const auto d = convert_dataset("MSD_Liver", dir / "in", dir / "out", {"--axes", "x"});
  expect_converted(
      d,
      expected_cases("MSD_Liver", {"ct_00"}, kSize, {{"liver", {1}}, {"liver_tumor", {2}}},
                     {{"liver_7", kTwoLabels}}),
      1);
  expect_one_failure(d, {"liver_8: ", "labelsTr/liver_8.nii.gz"}, {"labelsTr/liver_8.nii.gz"});
}

}  // namespace
}  // namespace samed2d::test
