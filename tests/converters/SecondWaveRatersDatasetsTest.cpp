// The bundled configs of the datasets whose labels come from several annotators: QUBIQ2020 (2D
// NIfTI slices with one binary file per task and rater; kidney, brain-growth and prostate, every
// task a class, the raters of a task voting by majority), LNDb (CT MetaImage with one mask per
// radiologist, the voxels holding that radiologist's finding ids; all radiologists united) and
// LongitudinalMultipleSclerosisLesionSegmentation (ISBI 2015: four co-registered sequences per
// time point and two raters' masks; majority of two = both). Each runs on a miniature replica of
// the release's layout with the files that must never be read (other subsets, test splits, raw
// scans, CSVs, macOS debris). The raters' files disagree on purpose: the expected boxes are the
// combination worked out by hand from what is planted, and every expected name comes from them
// through the SPEC oracle.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "support/DatasetReplica.hpp"
#include "support/DatasetRun.hpp"
#include "support/Matchers.hpp"
#include "support/PlantedCase.hpp"
#include "support/TestData.hpp"

namespace samed2d::test {
namespace {

// The one line of `text` that names `what` (empty when none or several do).
std::string line_naming(const std::string& text, const std::string& what) {
  std::string found;
  std::size_t start = 0;
  int count = 0;
  while (start <= text.size()) {
    const auto end = std::min(text.find('\n', start), text.size());
    const std::string line = text.substr(start, end - start);
    if (line.find(what) != std::string::npos) {
      found = line;
      ++count;
    }
    start = end + 1;
  }
  return count == 1 ? found : "";
}

// ---------------------------------------------------------------------------------------------
// QUBIQ 2020: <release>/<subset>/<Training|Validation>/caseNN/image.nii.gz and
// task0T_segRR.nii.gz, every file a true 2D NIfTI (two dimensions), the segmentations 0/1. Every
// task is its own class; the raters' files of a task vote, more than half of those present win.

// A QUBIQ 2D file: the image as float (CT in HU, MR intensities), a segmentation as uint8 0/1.
// `dims` 3 writes a third axis of size 1, as the prostate images carry one.
void write_qubiq_image(const fs::path& file, Size3 size, unsigned dims = 2) {
  PlantedCase c;
  c.size = size;
  write_volume<float>(file, size, c.image<float>(), dims);
}

void write_qubiq_seg(const fs::path& file, Size3 size, const std::vector<LabelBox>& boxes) {
  PlantedCase c;
  c.size = size;
  c.boxes = boxes;
  write_volume<std::uint8_t>(file, size, c.label<std::uint8_t>(), 2);
}

std::string seg_name(int task, int rater) {
  return "task0" + std::to_string(task) + "_seg0" + std::to_string(rater) + ".nii.gz";
}

// A 2D box of value 1: columns [c0, c1), rows [r0, r1).
LabelBox box2(std::size_t c0, std::size_t c1, std::size_t r0, std::size_t r1) {
  return {{c0, r0, 0}, {c1, r1, 1}, 1};
}

LabelBox with_value(LabelBox b, double value) {
  b.value = value;
  return b;
}

// The pixels a class must have in the output: 255 inside the boxes, 0 elsewhere (row-major).
std::vector<std::uint8_t> class_pixels(Size3 size, const std::vector<LabelBox>& boxes) {
  std::vector<std::uint8_t> out(size[0] * size[1], 0);
  for (const auto& b : boxes)
    for (std::size_t r = b.lo[1]; r < b.hi[1]; ++r)
      for (std::size_t c = b.lo[0]; c < b.hi[0]; ++c) out[r * size[0] + c] = 255;
  return out;
}

// All instance masks of `cls` on the 2D image of `case_name`, united pixel by pixel.
std::vector<std::uint8_t> written_class(const fs::path& out, const ConvertedDataset& d,
                                        const std::string& prefix, const std::string& cls) {
  const std::string stem = prefix + "--2d_none--" + class_id(cls) + "_";
  std::vector<std::uint8_t> united;
  for (const auto& name : d.masks) {
    if (name.rfind(stem, 0) != 0) continue;
    const auto png = read_png(out / "masks" / name);
    if (united.empty()) united.assign(png.pixels.size(), 0);
    EXPECT_EQ(png.pixels.size(), united.size()) << name;
    for (std::size_t i = 0; i < united.size() && i < png.pixels.size(); ++i)
      united[i] = std::max(united[i], png.pixels[i]);
  }
  return united;
}

constexpr Size3 kKidneySize{16, 13, 1};
constexpr Size3 kGrowthSize{12, 15, 1};
constexpr Size3 kProstateSize{20, 16, 1};

TEST(SecondWaveRatersDatasetsTest, Qubiq2020EveryTaskAClassRatersVoteByMajority) {
  TempDir dir;
  const fs::path release = dir / "in" / "QUBIQ2020";
  const fs::path training = release / "training_data_v2";
  const fs::path validation = release / "validation_data_v2";

  // kidney (CT), three raters, majority = 2. case01: rater 1 draws A; rater 2 A and B; rater 3 B
  // and C. Majority A and B; rater 1 alone would give A, the union A, B and C.
  const LabelBox a = box2(2, 7, 3, 8), b = box2(10, 14, 1, 5), c = box2(9, 15, 8, 12);
  const fs::path k1 = training / "kidney" / "Training" / "case01";
  write_qubiq_image(k1 / "image.nii.gz", kKidneySize);
  write_qubiq_seg(k1 / seg_name(1, 1), kKidneySize, {a});
  write_qubiq_seg(k1 / seg_name(1, 2), kKidneySize, {a, b});
  write_qubiq_seg(k1 / seg_name(1, 3), kKidneySize, {b, c});
  write_apple_double(k1 / "._image.nii.gz");
  write_apple_double(k1 / ("._" + seg_name(1, 1)));
  // case03: rater 1 draws two kidneys, rater 2 the left one only, rater 3 nothing: the left.
  const LabelBox left = box2(1, 5, 2, 10), right = box2(10, 15, 3, 11);
  const fs::path k3 = training / "kidney" / "Training" / "case03";
  write_qubiq_image(k3 / "image.nii.gz", kKidneySize);
  write_qubiq_seg(k3 / seg_name(1, 1), kKidneySize, {left, right});
  write_qubiq_seg(k3 / seg_name(1, 2), kKidneySize, {left});
  write_qubiq_seg(k3 / seg_name(1, 3), kKidneySize, {});
  // case02 lacks rater 1's file: the two raters present vote, and both must agree (A, not B).
  const fs::path k2 = training / "kidney" / "Training" / "case02";
  write_qubiq_image(k2 / "image.nii.gz", kKidneySize);
  write_qubiq_seg(k2 / seg_name(1, 2), kKidneySize, {a, b});
  write_qubiq_seg(k2 / seg_name(1, 3), kKidneySize, {a});
  // case04 has no segmentation file at all: it fails alone, naming the mask pattern.
  write_qubiq_image(training / "kidney" / "Training" / "case04" / "image.nii.gz", kKidneySize);

  // brain-growth (MR), seven raters, majority = 4. Raters 1-3 draw G, rater 4 its upper half,
  // raters 5-7 H: the upper half of G has 4 votes, its lower half 3, H 3.
  const LabelBox growth = box2(3, 9, 4, 12), growth_top = box2(3, 9, 4, 8);
  const LabelBox h = box2(0, 4, 12, 15);
  const fs::path g1 = training / "brain-growth" / "Training" / "case01";
  write_qubiq_image(g1 / "image.nii.gz", kGrowthSize);
  for (int r = 1; r <= 3; ++r) write_qubiq_seg(g1 / seg_name(1, r), kGrowthSize, {growth});
  write_qubiq_seg(g1 / seg_name(1, 4), kGrowthSize, {growth_top});
  for (int r = 5; r <= 7; ++r) write_qubiq_seg(g1 / seg_name(1, r), kGrowthSize, {h});
  // The validation release numbers its cases again from case01 (same name, other split): rater
  // 1 alone draws V, the six others G.
  const fs::path gv = validation / "brain-growth" / "Validation" / "case01";
  write_qubiq_image(gv / "image.nii.gz", kGrowthSize);
  write_qubiq_seg(gv / seg_name(1, 1), kGrowthSize, {box2(1, 11, 2, 6)});
  for (int r = 2; r <= 7; ++r) write_qubiq_seg(gv / seg_name(1, r), kGrowthSize, {growth});

  // prostate (MR), two tasks of six raters, majority = 4. task01: rater 1 draws the large P1,
  // raters 2-4 P, raters 5-6 P1 again: P has 6 votes, the ring P1 - P 3 (a tie, not a
  // majority). The image has a third axis of size 1 (the segmentations have two); it is still a 2D
  // source. task02: rater 1 draws nothing, raters 2-5 T, rater 6 the taller T2: T.
  const LabelBox p = box2(4, 16, 3, 13), p1 = box2(2, 18, 2, 14);
  const LabelBox t = box2(7, 13, 6, 10), t2 = box2(8, 12, 5, 11);
  const fs::path p1_dir = training / "prostate" / "Training" / "case01";
  write_qubiq_image(p1_dir / "image.nii.gz", kProstateSize, 3);
  write_qubiq_seg(p1_dir / seg_name(1, 1), kProstateSize, {p1});
  for (int r = 2; r <= 4; ++r) write_qubiq_seg(p1_dir / seg_name(1, r), kProstateSize, {p});
  for (int r = 5; r <= 6; ++r) write_qubiq_seg(p1_dir / seg_name(1, r), kProstateSize, {p1});
  write_qubiq_seg(p1_dir / seg_name(2, 1), kProstateSize, {});
  for (int r = 2; r <= 5; ++r) write_qubiq_seg(p1_dir / seg_name(2, r), kProstateSize, {t});
  write_qubiq_seg(p1_dir / seg_name(2, 6), kProstateSize, {t2});
  // The subject with five annotations: 3 of 5 is a majority (task01: P), 2 of 5 is not (task02).
  const fs::path pv = validation / "prostate" / "Validation" / "case02";
  write_qubiq_image(pv / "image.nii.gz", kProstateSize);
  for (int r = 1; r <= 5; ++r) {
    const auto none = std::vector<LabelBox>{};
    write_qubiq_seg(pv / seg_name(1, r), kProstateSize, r <= 3 ? std::vector{p} : none);
    write_qubiq_seg(pv / seg_name(2, r), kProstateSize, r <= 2 ? std::vector{t} : none);
  }

  // Never read: brain-tumor (4 modalities stacked along the third axis, 3 tasks x 3 raters), the
  // unlabelled test release, macOS debris.
  const fs::path t1 = training / "brain-tumor" / "Training" / "case01";
  write_image_volume(t1 / "image.nii.gz", {12, 12, 4});
  for (int task = 1; task <= 3; ++task)
    for (int r = 1; r <= 3; ++r)
      write_qubiq_seg(t1 / seg_name(task, r), {12, 12, 1}, {box2(3, 8, 3, 8)});
  write_qubiq_image(release / "test_QUBIQ" / "kidney" / "Testing" / "case30" / "image.nii.gz",
                    kKidneySize);
  write_qubiq_image(release / "test_QUBIQ" / "prostate" / "Testing" / "case30" / "image.nii.gz",
                    kProstateSize);
  write_apple_double(dir / "in" / "__MACOSX" / "QUBIQ2020" / "training_data_v2" / "kidney" /
                     "Training" / "case01" / "image.nii.gz");

  const auto d = convert_dataset("QUBIQ2020", dir / "in", dir / "out");
  // Prostate: T lies inside P; value 3 belongs to both classes, so each keeps its own mask.
  const ClassValues prostate_classes{{"prostate", {1, 3}}, {"prostate_transition_zone", {3}}};
  const std::vector<PlantedCase> kidney_cases{
      {"kidney_Training_case01", "ct_00", kKidneySize, {a, b}},
      {"kidney_Training_case02", "ct_00", kKidneySize, {a}},
      {"kidney_Training_case03", "ct_00", kKidneySize, {left}}};
  const std::vector<PlantedCase> growth_training{
      {"brain-growth_Training_case01", "mr_00", kGrowthSize, {growth_top}}};
  const std::vector<PlantedCase> prostate_training{
      {"prostate_Training_case01", "mr_t2", kProstateSize, {p, with_value(t, 3)}}};
  ExpectedFiles want = expected_files_2d("QUBIQ2020", {{"kidney", {1}}}, kidney_cases);
  merge_expected(want, expected_files_2d("QUBIQ2020", {{"brain_growth", {1}}}, growth_training));
  merge_expected(want, expected_files_2d(
                           "QUBIQ2020", {{"brain_growth", {1}}},
                           {{"brain-growth_Validation_case01", "mr_00", kGrowthSize, {growth}}}));
  merge_expected(want, expected_files_2d("QUBIQ2020", prostate_classes, prostate_training));
  merge_expected(want,
                 expected_files_2d("QUBIQ2020", prostate_classes,
                                   {{"prostate_Validation_case02", "mr_t2", kProstateSize, {p}}}));
  expect_converted(d, want, 1);
  EXPECT_EQ(d.report.at("cases"), 7) << d.report.dump();  // converted, case04 not

  // Spelled out once: the three subsets' Training/case01 stay apart through the subset folder in
  // the case name ({up3}), and the prostate case has both tasks as two classes.
  EXPECT_THAT(d.images, Contains("ct_00--QUBIQ2020--kidney_Training_case01--2d_none.png"));
  EXPECT_THAT(d.images, Contains("mr_00--QUBIQ2020--brain-growth_Training_case01--2d_none.png"));
  EXPECT_THAT(d.images, Contains("mr_t2--QUBIQ2020--prostate_Training_case01--2d_none.png"));
  EXPECT_THAT(d.masks, Contains("mr_t2--QUBIQ2020--prostate_Training_case01--2d_none--" +
                                class_id("prostate") + "_000.png"));
  EXPECT_THAT(d.masks, Contains("mr_t2--QUBIQ2020--prostate_Training_case01--2d_none--" +
                                class_id("prostate_transition_zone") + "_000.png"));
  const nlohmann::json mapping{{"kidney", class_id("kidney")},
                               {"brain_growth", class_id("brain_growth")},
                               {"prostate", class_id("prostate")},
                               {"prostate_transition_zone", class_id("prostate_transition_zone")}};
  EXPECT_EQ(d.mapping, mapping);

  // The exact pixels of the majorities, each unlike rater 1 alone and unlike the union.
  const fs::path out = dir / "out";
  EXPECT_EQ(written_class(out, d, "ct_00--QUBIQ2020--kidney_Training_case01", "kidney"),
            class_pixels(kKidneySize, {a, b}));
  EXPECT_EQ(written_class(out, d, "ct_00--QUBIQ2020--kidney_Training_case02", "kidney"),
            class_pixels(kKidneySize, {a}));
  EXPECT_EQ(written_class(out, d, "ct_00--QUBIQ2020--kidney_Training_case03", "kidney"),
            class_pixels(kKidneySize, {left}));
  EXPECT_EQ(written_class(out, d, "mr_00--QUBIQ2020--brain-growth_Training_case01", "brain_growth"),
            class_pixels(kGrowthSize, {growth_top}));
  EXPECT_EQ(
      written_class(out, d, "mr_00--QUBIQ2020--brain-growth_Validation_case01", "brain_growth"),
      class_pixels(kGrowthSize, {growth}));
  EXPECT_EQ(written_class(out, d, "mr_t2--QUBIQ2020--prostate_Training_case01", "prostate"),
            class_pixels(kProstateSize, {p}));
  EXPECT_EQ(written_class(out, d, "mr_t2--QUBIQ2020--prostate_Training_case01",
                          "prostate_transition_zone"),
            class_pixels(kProstateSize, {t}));
  EXPECT_EQ(written_class(out, d, "mr_t2--QUBIQ2020--prostate_Validation_case02", "prostate"),
            class_pixels(kProstateSize, {p}));

  // case04 fails alone, in one line that names the mask files looked for.
  expect_one_failure(d, {"case04", "task0*_seg*.nii.gz"});
  EXPECT_THAT(line_naming(d.run.err, "case04"), HasSubstr("task0*_seg*.nii.gz")) << d.run.err;
  EXPECT_THAT(files_of_case(d.images, "kidney_Training_case04"), IsEmpty());
  for (const auto& name : d.images) EXPECT_THAT(name, Not(HasSubstr("case30"))) << name;

  // --input at training_data_v2 itself: the subset folders still name the classes and cases.
  const auto inner = convert_dataset("QUBIQ2020", training, dir / "out_training");
  ExpectedFiles want_training = expected_files_2d("QUBIQ2020", {{"kidney", {1}}}, kidney_cases);
  merge_expected(want_training,
                 expected_files_2d("QUBIQ2020", {{"brain_growth", {1}}}, growth_training));
  merge_expected(want_training,
                 expected_files_2d("QUBIQ2020", prostate_classes, prostate_training));
  expect_converted(inner, want_training, 1);
}

// ---------------------------------------------------------------------------------------------
// LNDb: data*/LNDb-NNNN.mhd + .raw and masks/LNDb-NNNN_radR.mhd + .raw, each radiologist's mask
// holding that radiologist's finding ids; all radiologists united (min one).

constexpr Size3 kLndbSize{14, 12, 9};

TEST(SecondWaveRatersDatasetsTest, LndbRadiologistsUnitedWhateverTheirFindingIds) {
  TempDir dir;
  const fs::path root = dir / "in" / "LNDb";
  const fs::path masks = root / "masks";

  // LNDb-0001, two readers. Reader 1: finding 1 = A, finding 2 = B. Reader 2: finding 1 = A2
  // (overlapping A, another outline of the same nodule), finding 2 = C (a nodule reader 1
  // missed). Union: A, A2, B, C.
  const LabelBox a{{2, 2, 1}, {6, 6, 4}, 1}, b{{9, 1, 5}, {13, 4, 8}, 2};
  const LabelBox a2{{3, 3, 2}, {7, 7, 5}, 1}, c{{1, 8, 6}, {5, 11, 9}, 2};
  PlantedCase ct1{.name = "LNDb-0001", .size = kLndbSize};
  ct1.write_image(root / "data0" / "LNDb-0001.mhd");
  write_label_volume(masks / "LNDb-0001_rad1.mhd", kLndbSize, {a, b});
  write_label_volume(masks / "LNDb-0001_rad2.mhd", kLndbSize, {a2, c});

  // LNDb-0002, read once (RadN = 1): only _rad1 exists, and its finding id is 12.
  const LabelBox d12{{5, 4, 2}, {10, 9, 7}, 12};
  PlantedCase ct2{.name = "LNDb-0002", .size = kLndbSize};
  ct2.write_image(root / "data0" / "LNDb-0002.mhd");
  write_label_volume(masks / "LNDb-0002_rad1.mhd", kLndbSize, {d12});

  // LNDb-0003 (in data1/), three readers: reader 2 segmented nothing, reader 3 a nodule of its
  // own with id 3.
  const LabelBox e{{1, 1, 0}, {4, 5, 3}, 1}, f{{8, 6, 4}, {12, 11, 8}, 3};
  PlantedCase ct3{.name = "LNDb-0003", .size = kLndbSize};
  ct3.write_image(root / "data1" / "LNDb-0003.mhd");
  write_label_volume(masks / "LNDb-0003_rad1.mhd", kLndbSize, {e});
  write_label_volume(masks / "LNDb-0003_rad2.mhd", kLndbSize, {});
  write_label_volume(masks / "LNDb-0003_rad3.mhd", kLndbSize, {f});

  // Never read: a test CT (no masks), the CSVs, macOS debris.
  PlantedCase{.name = "LNDb-0006", .size = kLndbSize}.write_image(root / "data1" / "LNDb-0006.mhd");
  write_text_file(root / "trainNodules.csv",
                  "LNDbID,RadID,FindingID,x,y,z,Nodule,Volume,Text\n1,1,1,-60.1,10.2,-200.5,1,"
                  "120.3,5\n");
  write_text_file(root / "trainCTs.csv", "LNDbID,RadN,Rad1,Rad2,Rad3\n1,2,1,3,0\n2,1,2,0,0\n");
  write_apple_double(masks / "._LNDb-0001_rad1.mhd");
  write_apple_double(dir / "in" / "__MACOSX" / "LNDb" / "masks" / "._LNDb-0002_rad1.mhd");

  const auto d = convert_dataset("LNDb", dir / "in", dir / "out", {"--axes", "x"});
  const ClassValues nodule{{"lung_nodule", {1, 2, 3, 12}}};
  const auto want = expected_files("LNDb", nodule,
                                   {{"LNDb-0001", "ct_00", kLndbSize, {a, a2, b, c}},
                                    {"LNDb-0002", "ct_00", kLndbSize, {d12}},
                                    {"LNDb-0003", "ct_00", kLndbSize, {e, f}}});
  expect_converted(d, want, 0);
  EXPECT_EQ(d.report.at("cases"), 3) << d.report.dump();
  // Spelled out once: reader 2's nodule C (slices 6..8) is in the union, alone on slice 8; on
  // slice 3 the two outlines A and A2 of one nodule make one instance.
  EXPECT_THAT(d.masks,
              Contains("ct_00--LNDb--LNDb-0001--x_0008--" + class_id("lung_nodule") + "_000.png"));
  EXPECT_THAT(
      files_of_case(d.masks, "LNDb-0001"),
      Not(Contains("ct_00--LNDb--LNDb-0001--x_0003--" + class_id("lung_nodule") + "_001.png")));
  EXPECT_THAT(files_of_case(d.images, "LNDb-0006"), IsEmpty());
  EXPECT_THAT(d.run.err, Not(HasSubstr("not in the config's"))) << d.run.err;
  EXPECT_EQ(d.mapping, (nlohmann::json{{"lung_nodule", class_id("lung_nodule")}}));
}

// ---------------------------------------------------------------------------------------------
// ISBI 2015 longitudinal MS: training/trainingNN/{preprocessed,masks,orig}/, two raters.

constexpr Size3 kMsSize{13, 11, 7};
const std::vector<std::string> kMsSequences{"flair", "mprage", "pd", "t2"};
const std::vector<std::string> kMsModalities{"mr_flair", "mr_mprage", "mr_pd", "mr_t2"};

void write_ms_time_point(const fs::path& subject, const std::string& tp, bool mask2,
                         const std::vector<LabelBox>& rater1, const std::vector<LabelBox>& rater2) {
  for (const auto& s : kMsSequences)
    write_image_volume(subject / "preprocessed" / (tp + "_" + s + "_pp.nii"), kMsSize);
  write_label_volume(subject / "masks" / (tp + "_mask1.nii"), kMsSize, rater1);
  if (mask2) write_label_volume(subject / "masks" / (tp + "_mask2.nii"), kMsSize, rater2);
  // The raw scans, on their own grid, and not co-registered.
  for (const auto& s : kMsSequences)
    write_image_volume(subject / "orig" / (tp + "_" + s + ".nii.gz"), {16, 15, 6});
}

TEST(SecondWaveRatersDatasetsTest, LongitudinalMsFourSequencesWhereBothRatersAgree) {
  TempDir dir;
  const fs::path training = dir / "in" / "training";
  // training01_01: rater 1 draws P and K, rater 2 P2 (shifted P) and Q. Both agree on P & P2.
  const LabelBox p{{1, 1, 1}, {5, 5, 4}, 1}, k{{8, 6, 3}, {11, 9, 6}, 1};
  const LabelBox p2{{2, 2, 2}, {6, 6, 5}, 1}, q{{1, 7, 4}, {4, 10, 7}, 1};
  const LabelBox agreed{{2, 2, 2}, {5, 5, 4}, 1};
  write_ms_time_point(training / "training01", "training01_01", true, {p, k}, {p2, q});
  // training01_02: the raters agree on R and on a second lesion S; rater 2 adds T.
  const LabelBox r{{6, 1, 0}, {12, 5, 3}, 1}, s{{1, 6, 4}, {5, 10, 7}, 1},
      t{{9, 7, 5}, {12, 10, 7}, 1};
  write_ms_time_point(training / "training01", "training01_02", true, {r, s}, {r, s, t});
  // training02_01 lacks rater 2's mask: it fails alone, naming it.
  write_ms_time_point(training / "training02", "training02_01", false, {p}, {});
  // The test subjects have no masks.
  for (const auto& seq : kMsSequences)
    write_image_volume(dir / "in" / "testdata_website" / "test01" / "preprocessed" /
                           ("test01_01_" + seq + "_pp.nii"),
                       kMsSize);
  write_apple_double(training / "training01" / "masks" / "._training01_01_mask1.nii");

  const auto d = convert_dataset("LongitudinalMultipleSclerosisLesionSegmentation", dir / "in",
                                 dir / "out", {"--axes", "x"});
  const std::string ds = "LongitudinalMultipleSclerosisLesionSegmentation";
  const ClassValues lesion{{"multiple_sclerosis_lesion", {1}}};
  const ExpectedFiles want = expected_cases(
      ds, kMsModalities, kMsSize, lesion, {{"training01_01", {agreed}}, {"training01_02", {r, s}}});
  expect_converted(d, want, 1);
  EXPECT_EQ(d.report.at("cases"), 2) << d.report.dump();  // converted, training02_01 not
  // Spelled out once: slice 2 holds the agreed lesion in every sequence; slice 1 (rater 1's P
  // alone) and slice 5 (rater 1's K and rater 2's Q, each alone) hold nothing.
  for (const auto& m : kMsModalities) {
    EXPECT_THAT(d.masks, Contains(m + "--" + ds + "--training01_01--x_0002--" +
                                  class_id("multiple_sclerosis_lesion") + "_000.png"));
    EXPECT_THAT(d.images, Not(Contains(m + "--" + ds + "--training01_01--x_0001.png")));
    EXPECT_THAT(d.images, Not(Contains(m + "--" + ds + "--training01_01--x_0005.png")));
  }
  expect_one_failure(d, {"training02_01"});
  EXPECT_EQ(lines_naming(d.run.err, "training02_01_mask2.nii"), 1u) << d.run.err;
  EXPECT_THAT(files_of_case(d.images, "training02_01"), IsEmpty());
  EXPECT_THAT(files_of_case(d.images, "test01_01"), IsEmpty());

  // --input at one subject's folder: its time points alone.
  const auto one = convert_dataset(ds, training / "training01", dir / "out_one", {"--axes", "x"});
  expect_converted(one, want, 0);
}

}  // namespace
}  // namespace samed2d::test
