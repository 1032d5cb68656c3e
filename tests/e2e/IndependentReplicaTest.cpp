// Black-box replicas of public datasets, built from reference/datasets.md alone (folders, file
// names, formats, label values, the extras a real download holds), converted with the bundled
// configs (`--dataset NAME`) and checked against names derived here from SPEC sections 2, 3 and 5.
// Written without looking at the configs or the other replica tests, the way a reviewer who
// unpacks a download would check the tool: every expectation comes from the planted labels. The
// names are derived, and the runs checked, by support/Replica.hpp (shared with the second wave).

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "support/DatasetClasses.hpp"
#include "support/DatasetRun.hpp"
#include "support/DicomWriter.hpp"
#include "support/Matchers.hpp"
#include "support/Replica.hpp"
#include "support/RunTool.hpp"
#include "support/TestData.hpp"

namespace samed2d::test::replica {
namespace {

// Each run writes OUTS/outN; the files hold this test file's own pixels.
ConvertAndCheck convert_and_check{"out"};
const Planter plant{{37, 11, 400, -100}, 0.5f};

// A training case of an MSD task: imagesTr/CASE.nii.gz (3D, or 4D with `channels` channels) and
// labelsTr/CASE.nii.gz, each with its AppleDouble twin, as the task tars unpack on macOS.
void msd_training_case(const fs::path& task, const std::string& c, const Vol& lab,
                       std::size_t channels) {
  const fs::path image = task / "imagesTr" / (c + ".nii.gz");
  const fs::path label = task / "labelsTr" / (c + ".nii.gz");
  if (channels == 0)
    plant.image3d(image, lab.size());
  else
    plant.image4d(image, lab.size(), channels);
  plant.label3d(label, lab);
  apple_double(image);
  apple_double(label);
}

// MetaImage with zlib-compressed data (.mhd + .zraw), as the LUNA16 lung masks ship.
void label_zraw(const fs::path& f, const Vol& v) {
  write_itk_image(f, {v.ni, v.nj, v.nk}, v.as<std::uint8_t>(), {}, true);
}

const std::vector<ClassDef> kBrats = classes_of(kBratsClasses);

}  // namespace

// ---------------------------------------------------------------------------------------------

TEST(IndependentReplica, ACDC) {
  TempDir tmp, outs;
  const fs::path root = tmp / "ACDC";  // the zip's top folder
  const auto classes = classes_of(kAcdcClasses);
  Expect e;
  std::size_t shift = 0;
  for (const auto& [split, pid, frames] :
       std::vector<std::tuple<std::string, std::string, std::vector<std::string>>>{
           {"training", "patient001", {"01", "12"}}, {"testing", "patient101", {"01", "14"}}}) {
    const fs::path dir = root / "database" / split / pid;
    write_text_file(dir / "Info.cfg",
                    "ED: 1\nES: 12\nGroup: DCM\nHeight: 184.0\nNbFrame: 30\nWeight: 95.0\n");
    plant.image4d(dir / (pid + "_4d.nii.gz"), {20, 16, 3}, 2);
    for (const auto& f : frames) {
      const std::string stem = pid + "_frame" + f;
      const Vol lab = standard_label(20, 16, 3, {1, 2, 3, 3}, shift++);
      plant.image3d(dir / (stem + ".nii.gz"), lab.size(), static_cast<int>(shift));
      plant.label3d(dir / (stem + "_gt.nii.gz"), lab);
      e.add_3d({"mr_00"}, "ACDC", stem, lab, classes);
    }
  }
  convert_and_check("ACDC", {root, tmp.path(), root / "database"}, outs, e);
}

TEST(IndependentReplica, BraTS2021) {
  TempDir tmp, outs;
  const fs::path train = tmp / "RSNA_ASNR_MICCAI_BraTS2021_TrainingData";
  Expect e;
  std::size_t shift = 0;
  for (const std::string c : {"BraTS2021_00000", "BraTS2021_00218"}) {
    const Vol lab = standard_label(20, 18, 3, {1, 2, 4, 4}, shift++);
    for (const std::string s : {"flair", "t1", "t1ce", "t2"})
      plant.image3d(train / c / (c + "_" + s + ".nii.gz"), lab.size(), static_cast<int>(s.size()));
    plant.label3d(train / c / (c + "_seg.nii.gz"), lab);
    e.add_3d({"mr_t1", "mr_t1ce", "mr_t2", "mr_flair"}, "BraTS2021", c, lab, kBrats);
  }
  // The validation data has no _seg: not cases.
  const fs::path val = tmp / "RSNA_ASNR_MICCAI_BraTS2021_ValidationData" / "BraTS2021_00001";
  for (const std::string s : {"flair", "t1", "t1ce", "t2"})
    plant.image3d(val / ("BraTS2021_00001_" + s + ".nii.gz"), {20, 18, 3});
  convert_and_check("BraTS2021", {tmp.path(), train}, outs, e);
}

TEST(IndependentReplica, BraTS2020KaggleNiiWithCase355) {
  TempDir tmp, outs;
  const fs::path train = tmp / "MICCAI_BraTS2020_TrainingData";
  write_text_file(
      train / "name_mapping.csv",
      "Grade,BraTS_2017_subject_ID,BraTS_2018_subject_ID,BraTS_2019_subject_ID,BraTS_2020_subject_"
      "ID\nHGG,,,,BraTS20_Training_001\n");
  write_text_file(
      train / "survival_info.csv",
      "Brats20ID,Age,Survival_days,Extent_of_Resection\nBraTS20_Training_001,60.463,289,GTR\n");
  Expect e;
  std::size_t shift = 0;
  for (const std::string c : {"BraTS20_Training_001", "BraTS20_Training_355"}) {
    const Vol lab = standard_label(20, 18, 3, {1, 2, 4}, shift++);
    for (const std::string s : {"flair", "t1", "t1ce", "t2"})
      plant.image3d(train / c / (c + "_" + s + ".nii"), lab.size());
    const std::string seg =
        c == "BraTS20_Training_355" ? "W39_1998.09.19_Segm.nii" : c + "_seg.nii";
    plant.label3d(train / c / seg, lab);
    e.add_3d({"mr_t1", "mr_t1ce", "mr_t2", "mr_flair"}, "BraTS2020", c, lab, kBrats);
  }
  convert_and_check("BraTS2020", {tmp.path(), train}, outs, e);
}

TEST(IndependentReplica, BrainTumour4D) {
  TempDir tmp, outs;
  const fs::path task = tmp / "Task01_BrainTumour";
  write_text_file(task / "dataset.json", R"({"name": "BRATS", "tensorImageSize": "4D",
    "modality": {"0": "FLAIR", "1": "T1w", "2": "t1gd", "3": "T2w"},
    "labels": {"0": "background", "1": "edema", "2": "non-enhancing tumor", "3": "enhancing tumour"},
    "numTraining": 2, "numTest": 1,
    "training": [{"image": "./imagesTr/BRATS_001.nii.gz", "label": "./labelsTr/BRATS_001.nii.gz"},
                 {"image": "./imagesTr/BRATS_106.nii.gz", "label": "./labelsTr/BRATS_106.nii.gz"}],
    "test": ["./imagesTs/BRATS_485.nii.gz"]})");
  // MSD: 1 edema, 2 non-enhancing tumour, 3 enhancing tumour (not the BraTS codes).
  const auto classes = classes_of(kBrainTumourClasses);
  Expect e;
  std::size_t shift = 0;
  for (const std::string c : {"BRATS_001", "BRATS_106"}) {
    const Vol lab = standard_label(20, 18, 3, {1, 2, 3}, shift++);
    msd_training_case(task, c, lab, 4);
    e.add_3d({"mr_flair", "mr_t1w", "mr_t1gd", "mr_t2w"}, "BrainTumour", c, lab, classes);
  }
  plant.image4d(task / "imagesTs" / "BRATS_485.nii.gz", {20, 18, 3}, 4);
  apple_double(task / "imagesTs" / "BRATS_485.nii.gz");
  convert_and_check("BrainTumour", {task, tmp.path()}, outs, e);
}

TEST(IndependentReplica, MSDProstate4D) {
  TempDir tmp, outs;
  const fs::path task = tmp / "Task05_Prostate";
  write_text_file(task / "dataset.json", R"({"name": "PROSTATE", "relase": "1.0 04/05/2018",
    "tensorImageSize": "4D", "modality": {"0": "T2", "1": "ADC"},
    "labels": {"0": "background", "1": "PZ", "2": "TZ"}})");
  const std::vector<ClassDef> classes = {
      {"prostate_peripheral_zone", {1}}, {"prostate_transition_zone", {2}}, {"prostate", {1, 2}}};
  Expect e;
  std::size_t shift = 0;
  for (const std::string c : {"prostate_00", "prostate_16"}) {
    Vol lab(20, 20, 3);
    lab.box(4, 14, 4, 14, shift, shift + 1, 2);   // TZ inside,
    lab.box(4, 14, 14, 17, shift, shift + 2, 1);  // PZ behind it: one prostate component
    ++shift;
    msd_training_case(task, c, lab, 2);
    e.add_3d({"mr_t2", "mr_adc"}, "MSD_Prostate", c, lab, classes);
  }
  plant.image4d(task / "imagesTs" / "prostate_03.nii.gz", {20, 20, 3}, 2);
  convert_and_check("MSD_Prostate", {task, tmp.path()}, outs, e);
}

TEST(IndependentReplica, MSDLiverWithAppleDoubleFiles) {
  TempDir tmp, outs;
  const fs::path task = tmp / "Task03_Liver";
  write_text_file(
      task / "dataset.json",
      R"({"name": "LiTS", "labels": {"0": "background", "1": "liver", "2": "cancer"}})");
  const std::vector<ClassDef> classes = {{"liver", {1}}, {"liver_tumor", {2}}};
  Expect e;
  std::size_t shift = 0;
  for (const std::string c : {"liver_0", "liver_10", "liver_123"}) {
    Vol lab(20, 16, 3);
    lab.box(2, 16, 2, 14, shift % 3, shift % 3 + 1, 1);
    lab.box(5, 9, 5, 9, shift % 3, shift % 3 + 1, 2);  // tumour inside the liver
    ++shift;
    msd_training_case(task, c, lab, 0);
    e.add_3d({"ct_00"}, "MSD_Liver", c, lab, classes);
  }
  plant.image3d(task / "imagesTs" / "test_liver_132.nii.gz", {20, 16, 3});
  plant.image3d(task / "imagesTs" / "liver_132.nii.gz", {20, 16, 3});
  apple_double(task / "imagesTs" / "liver_132.nii.gz");
  convert_and_check("MSD_Liver", {task, tmp.path()}, outs, e);
}

TEST(IndependentReplica, AMOS2022CtAndMrById) {
  TempDir tmp, outs;
  const fs::path root = tmp / "amos22";
  write_text_file(root / "dataset.json",
                  R"({"name": "AMOS", "labels": {"0": "background", "1": "spleen"}})");
  const auto classes = classes_of(kAmos2022Classes);
  Expect e;
  std::size_t shift = 0;
  for (const auto& [split, id] : std::vector<std::pair<std::string, std::string>>{
           {"Tr", "0001"}, {"Tr", "0500"}, {"Tr", "0540"}, {"Va", "0004"}, {"Va", "0507"}}) {
    const Vol lab = standard_label(20, 16, 3, {1, 6, 8, 15}, shift++);
    const std::string name = "amos_" + id;
    plant.image3d(root / ("images" + split) / (name + ".nii.gz"), lab.size());
    plant.label3d(root / ("labels" + split) / (name + ".nii.gz"), lab);
    apple_double(tmp / "__MACOSX" / "amos22" / ("images" + split) / (name + ".nii.gz"));
    apple_double(tmp / "__MACOSX" / "amos22" / ("labels" + split) / (name + ".nii.gz"));
    e.add_3d({std::stoi(id) <= 500 ? "ct_00" : "mr_00"}, "AMOS2022", name, lab, classes);
  }
  plant.image3d(root / "imagesTs" / "amos_0002.nii.gz", {20, 16, 3});
  plant.image3d(root / "imagesTs" / "amos_0550.nii.gz", {20, 16, 3});
  convert_and_check("AMOS2022", {root, tmp.path()}, outs, e);
}

namespace {

std::vector<std::string> ts_v1_keys() {
  std::vector<std::string> k = {"spleen",
                                "kidney_right",
                                "kidney_left",
                                "gallbladder",
                                "liver",
                                "stomach",
                                "aorta",
                                "inferior_vena_cava",
                                "portal_vein_and_splenic_vein",
                                "pancreas",
                                "adrenal_gland_right",
                                "adrenal_gland_left",
                                "lung_upper_lobe_left",
                                "lung_lower_lobe_left",
                                "lung_upper_lobe_right",
                                "lung_middle_lobe_right",
                                "lung_lower_lobe_right"};
  for (int n = 5; n >= 1; --n) k.push_back("vertebrae_L" + std::to_string(n));
  for (int n = 12; n >= 1; --n) k.push_back("vertebrae_T" + std::to_string(n));
  for (int n = 7; n >= 1; --n) k.push_back("vertebrae_C" + std::to_string(n));
  for (const char* s : {"esophagus", "trachea", "heart_myocardium", "heart_atrium_left",
                        "heart_ventricle_left", "heart_atrium_right", "heart_ventricle_right",
                        "pulmonary_artery", "brain", "iliac_artery_left", "iliac_artery_right",
                        "iliac_vena_left", "iliac_vena_right", "small_bowel", "duodenum", "colon"})
    k.emplace_back(s);
  for (int n = 1; n <= 12; ++n) k.push_back("rib_left_" + std::to_string(n));
  for (int n = 1; n <= 12; ++n) k.push_back("rib_right_" + std::to_string(n));
  for (const char* s : {"humerus_left",
                        "humerus_right",
                        "scapula_left",
                        "scapula_right",
                        "clavicula_left",
                        "clavicula_right",
                        "femur_left",
                        "femur_right",
                        "hip_left",
                        "hip_right",
                        "sacrum",
                        "face",
                        "gluteus_maximus_left",
                        "gluteus_maximus_right",
                        "gluteus_medius_left",
                        "gluteus_medius_right",
                        "gluteus_minimus_left",
                        "gluteus_minimus_right",
                        "autochthon_left",
                        "autochthon_right",
                        "iliopsoas_left",
                        "iliopsoas_right",
                        "urinary_bladder"})
    k.emplace_back(s);
  return k;
}

std::vector<std::string> ts_v2_keys() {
  std::vector<std::string> k;
  const std::set<std::string> dropped = {"heart_myocardium",
                                         "heart_atrium_left",
                                         "heart_ventricle_left",
                                         "heart_atrium_right",
                                         "heart_ventricle_right",
                                         "pulmonary_artery",
                                         "face"};
  for (const auto& key : ts_v1_keys())
    if (!dropped.count(key)) k.push_back(key);
  for (const char* s : {"heart",
                        "skull",
                        "thyroid_gland",
                        "prostate",
                        "kidney_cyst_left",
                        "kidney_cyst_right",
                        "vertebrae_S1",
                        "spinal_cord",
                        "sternum",
                        "costal_cartilages",
                        "pulmonary_vein",
                        "brachiocephalic_trunk",
                        "brachiocephalic_vein_left",
                        "brachiocephalic_vein_right",
                        "common_carotid_artery_left",
                        "common_carotid_artery_right",
                        "subclavian_artery_left",
                        "subclavian_artery_right",
                        "atrial_appendage_left",
                        "superior_vena_cava"})
    k.emplace_back(s);
  return k;
}

const std::vector<std::pair<std::string, std::string>> kTsPlanted = {
    {"spleen", "spleen"},
    {"kidney_right", "right_kidney"},
    {"vertebrae_L5", "vertebra_l5"},
    {"rib_left_1", "left_rib_1"},
    {"lung_upper_lobe_left", "left_upper_lung_lobe"},
    {"clavicula_left", "left_clavicle"},
    {"portal_vein_and_splenic_vein", "portal_and_splenic_vein"},
    {"iliac_vena_right", "right_iliac_vein"},
    {"urinary_bladder", "urinary_bladder"}};

// Builds TotalSegmentator subjects: every key a file, the planted ones non-empty (kTsPlanted,
// then `more`, as key and class name); returns what they give.
Expect ts_subjects(const fs::path& root, const std::vector<std::string>& keys,
                   const std::vector<std::pair<std::string, std::string>>& more) {
  auto planted = kTsPlanted;
  planted.insert(planted.end(), more.begin(), more.end());
  Expect e;
  write_text_file(root / "meta.csv",
                  "image_id;age;gender;institute;study_type;split\ns0000;61;f;A;ct;train\n");
  std::size_t shift = 0;
  for (const std::string subject : {"s0000", "s0065"}) {
    const std::array<std::size_t, 3> n{24, 20, 3};
    plant.image3d(root / subject / "ct.nii.gz", n);
    Vol all(n[0], n[1], n[2]);
    std::vector<ClassDef> classes;
    int value = 1;
    for (const auto& key : keys) {
      Vol m(n[0], n[1], n[2]);
      for (std::size_t p = 0; p < planted.size(); ++p)
        if (planted[p].first == key) {
          const std::size_t k0 = (p + shift) % n[2];
          const std::size_t i0 = 1 + (p % 5) * 4, j0 = 1 + (p / 5) * 5;
          m.box(i0, i0 + 3, j0, j0 + 4, k0, k0 + 1, 1);
          all.box(i0, i0 + 3, j0, j0 + 4, k0, k0 + 1, value);
          classes.push_back({planted[p].second, {value}});
        }
      plant.label3d(root / subject / "segmentations" / (key + ".nii.gz"), m);
      ++value;
    }
    ++shift;
    e.add_3d({"ct_00"}, "Totalsegmentator_dataset", subject, all, classes);
  }
  return e;
}

}  // namespace

TEST(IndependentReplica, TotalsegmentatorV1) {
  TempDir tmp, outs;
  const fs::path root = tmp / "Totalsegmentator_dataset";
  ASSERT_EQ(ts_v1_keys().size(), 104u);
  const Expect e =
      ts_subjects(root, ts_v1_keys(),
                  {{"heart_myocardium", "myocardium"}, {"heart_ventricle_left", "left_ventricle"}});
  convert_and_check("Totalsegmentator_dataset", {root, tmp.path()}, outs, e);
}

TEST(IndependentReplica, TotalsegmentatorV2) {
  TempDir tmp, outs;
  const fs::path root = tmp / "Totalsegmentator_dataset_v201";
  ASSERT_EQ(ts_v2_keys().size(), 117u);
  const Expect e = ts_subjects(root, ts_v2_keys(),
                               {{"heart", "heart"},
                                {"vertebrae_S1", "vertebra_s1"},
                                {"kidney_cyst_left", "left_kidney_cyst"}});
  convert_and_check("Totalsegmentator_dataset", {root}, outs, e);
}

TEST(IndependentReplica, KiTS19AllAxes) {
  TempDir tmp, outs;
  const fs::path data = tmp / "kits19" / "data";
  write_text_file(data / "kits.json", "[{\"case_id\": \"case_00000\"}]");
  write_text_file(tmp / "kits19" / "README.md", "# KiTS19\n");
  // KiTS19 has no cyst: the region class "kidney and masses" is kidney + tumour.
  const auto classes = classes_of(kKits19Classes);
  Expect e;
  std::size_t shift = 0;
  for (const std::string c : {"case_00000", "case_00209"}) {
    // (slices, rows, cols): i is the axial index; sizes chosen so every family passes min_aspect.
    Vol lab(8, 12, 10);
    lab.box(1 + shift, 5 + shift, 2, 9, 2, 8, 1);
    lab.box(2 + shift, 4 + shift, 4, 6, 3, 5, 2);
    ++shift;
    plant.image3d(data / c / "imaging.nii.gz", lab.size());
    plant.label3d(data / c / "segmentation.nii.gz", lab);
    e.add_3d({"ct_00"}, "KiTS", c, lab, classes, "xyz");
  }
  plant.image3d(data / "case_00210" / "imaging.nii.gz", {8, 12, 10});  // test case: no label
  convert_and_check("KiTS", {tmp / "kits19", data}, outs, e, "x,y,z");
}

TEST(IndependentReplica, AbdomenCT1KPartsAndMask) {
  TempDir tmp, outs;
  const std::vector<ClassDef> classes = {
      {"liver", {1}}, {"kidney", {2}}, {"spleen", {3}}, {"pancreas", {4}}};
  Expect e;
  std::size_t shift = 0;
  for (const auto& [part, c] : std::vector<std::pair<std::string, std::string>>{
           {"AbdomenCT-1K-ImagePart1", "Case_00001"}, {"AbdomenCT-1K-ImagePart3", "Case_00999"}}) {
    const Vol lab = standard_label(20, 16, 3, {1, 2, 3, 4}, shift++);
    plant.image3d(tmp / part / (c + "_0000.nii.gz"), lab.size());
    plant.label3d(tmp / "Mask" / (c + ".nii.gz"), lab);
    e.add_3d({"ct_00"}, "AbdomenCT1K", c, lab, classes);
  }
  // 112 of the 1112 images have no mask.
  plant.image3d(tmp / "AbdomenCT-1K-ImagePart3" / "Case_01001_0000.nii.gz", {20, 16, 3});
  convert_and_check("AbdomenCT1K", {tmp.path()}, outs, e);
}

TEST(IndependentReplica, FLARE22) {
  TempDir tmp, outs;
  const fs::path root = tmp / "FLARE22";
  const auto classes = classes_of(
      numbered_classes({"liver", "right_kidney", "spleen", "pancreas", "aorta",
                        "inferior_vena_cava", "right_adrenal_gland", "left_adrenal_gland",
                        "gallbladder", "esophagus", "stomach", "duodenum", "left_kidney"}));
  Expect e;
  std::size_t shift = 0;
  const fs::path labelled = root / "Training" / "FLARE22_LabeledCase50";
  for (const std::string c : {"FLARE22_Tr_0001", "FLARE22_Tr_0050"}) {
    const Vol lab = standard_label(20, 16, 3, {1, 2, 13, 5}, shift++);
    plant.image3d(labelled / "images" / (c + "_0000.nii.gz"), lab.size());
    plant.label3d(labelled / "labels" / (c + ".nii.gz"), lab);
    e.add_3d({"ct_00"}, "FLARE22", c, lab, classes);
  }
  plant.image3d(root / "Training" / "FLARE22_UnlabeledCase1-1000" / "Case_00001_0000.nii.gz",
                {20, 16, 3});
  plant.image3d(root / "Validation" / "FLARE22_Ts_0001_0000.nii.gz", {20, 16, 3});
  convert_and_check("FLARE22", {root, labelled}, outs, e);
}

TEST(IndependentReplica, CTORGFloatLabels) {
  TempDir tmp, outs;
  const fs::path root = tmp / "OrganSegmentations";
  write_text_file(root / "README.md", "CT-ORG\n");
  const std::vector<ClassDef> classes = {{"liver", {1}}, {"urinary_bladder", {2}},
                                         {"lung", {3}},  {"kidney", {4}},
                                         {"bone", {5}},  {"brain", {6}}};
  Expect e;
  std::size_t shift = 0;
  for (const std::string n : {"0", "68", "139"}) {
    const Vol lab = standard_label(20, 16, 3, {1, 3, 5, 6}, shift++);
    std::vector<float> img(lab.v.size());
    for (std::size_t p = 0; p < img.size(); ++p)
      img[p] = static_cast<float>(p % 97) * 3.5f - 1000.f;
    write_volume(root / ("volume-" + n + ".nii.gz"), lab.size(), img);
    write_volume(root / ("labels-" + n + ".nii.gz"), lab.size(), lab.as<float>());
    e.add_3d({"ct_00"}, "CT_ORG", "volume-" + n, lab, classes);
  }
  convert_and_check("CT_ORG", {root, tmp.path()}, outs, e);
}

TEST(IndependentReplica, VerSe19Bids) {
  TempDir tmp, outs;
  std::vector<ClassDef> classes;
  const char* names[] = {
      "vertebra_c1", "vertebra_c2",  "vertebra_c3",  "vertebra_c4",  "vertebra_c5",
      "vertebra_c6", "vertebra_c7",  "vertebra_t1",  "vertebra_t2",  "vertebra_t3",
      "vertebra_t4", "vertebra_t5",  "vertebra_t6",  "vertebra_t7",  "vertebra_t8",
      "vertebra_t9", "vertebra_t10", "vertebra_t11", "vertebra_t12", "vertebra_l1",
      "vertebra_l2", "vertebra_l3",  "vertebra_l4",  "vertebra_l5",  "vertebra_l6"};
  for (int v = 1; v <= 25; ++v) classes.push_back({names[v - 1], {v}});
  classes.push_back({"vertebra_t13", {28}});
  Expect e;
  std::size_t shift = 0;
  for (const auto& [split, sub] : std::vector<std::pair<std::string, std::string>>{
           {"dataset-verse19training", "sub-verse004"},
           {"dataset-verse19validation", "sub-verse012"},
           {"dataset-verse19test", "sub-verse100"}}) {
    const Vol lab = standard_label(20, 16, 3, {1, 19, 24, 28}, shift++);
    const fs::path raw = tmp / split / "rawdata" / sub, der = tmp / split / "derivatives" / sub;
    plant.image3d(raw / (sub + "_ct.nii.gz"), lab.size());
    plant.label3d(der / (sub + "_seg-vert_msk.nii.gz"), lab);
    write_text_file(der / (sub + "_seg-subreg_ctd.json"),
                    "[{\"direction\": [\"P\", \"I\", \"R\"]}]");
    write_volume(der / (sub + "_seg-vert_snp.png"), {16, 12, 1},
                 std::vector<std::uint8_t>(16 * 12, 90), 2);
    e.add_3d({"ct_00"}, "VerSe19", sub, lab, classes);
  }
  convert_and_check("VerSe19", {tmp.path()}, outs, e);
}

TEST(IndependentReplica, LUNA16MhdAndZraw) {
  TempDir tmp, outs;
  write_text_file(tmp / "annotations.csv", "seriesuid,coordX,coordY,coordZ,diameter_mm\n");
  write_text_file(tmp / "candidates.csv", "seriesuid,coordX,coordY,coordZ,class\n");
  const std::vector<ClassDef> classes = {{"left_lung", {3}}, {"right_lung", {4}}, {"trachea", {5}}};
  Expect e;
  std::size_t shift = 0;
  for (const auto& [subset, uid] : std::vector<std::pair<std::string, std::string>>{
           {"subset0", "1.3.6.1.4.1.14519.5.2.1.6279.6001.105756658031515062000744821260"},
           {"subset9", "1.3.6.1.4.1.14519.5.2.1.6279.6001.997611074084993415992563148335"}}) {
    const Vol lab = standard_label(20, 16, 3, {3, 4, 5}, shift++);
    plant.image3d(tmp / subset / (uid + ".mhd"), lab.size());
    label_zraw(tmp / "seg-lungs-LUNA16" / (uid + ".mhd"), lab);
    e.add_3d({"ct_00"}, "LUNA16", uid, lab, classes);
  }
  ASSERT_TRUE(fs::exists(tmp / "seg-lungs-LUNA16" /
                         "1.3.6.1.4.1.14519.5.2.1.6279.6001.105756658031515062000744821260.zraw"));
  convert_and_check("LUNA16", {tmp.path()}, outs, e);
}

// ---------------------------------------------------------------------------------------------
// 2D datasets

TEST(IndependentReplica, KvasirSegJpegMasks) {
  TempDir tmp, outs;
  const fs::path root = tmp / "Kvasir-SEG";
  write_text_file(root / "kavsir_bboxes.json", "{}");
  const std::vector<ClassDef> classes = {{"polyp", {1}}};
  Expect e;
  for (const std::string c : {"cju0qkwl35piu0993l0dewei2", "cju0roawvklrq0799vmjorwfv"}) {
    const std::size_t w = 64, h = 48;
    std::vector<std::uint8_t> img(w * h * 3), mask(w * h * 3, 0);
    for (std::size_t p = 0; p < img.size(); ++p) img[p] = static_cast<std::uint8_t>(p * 7 % 256);
    Slice s{h, w, std::vector<int>(w * h, 0)};
    for (std::size_t r = 10; r < 30; ++r)
      for (std::size_t col = 12; col < 40; ++col) {
        s.lab[r * w + col] = 1;
        for (int ch = 0; ch < 3; ++ch) mask[(r * w + col) * 3 + static_cast<std::size_t>(ch)] = 255;
      }
    write_rgb_image(root / "images" / (c + ".jpg"), w, h, 3, img);
    write_rgb_image(root / "masks" / (c + ".jpg"), w, h, 3, mask);
    e.add_2d("endoscopy_00", "kvasir_seg", c, s, classes);
  }
  convert_and_check("kvasir_seg", {root, tmp.path()}, outs, e);
}

TEST(IndependentReplica, BUSIMultipleMasks) {
  TempDir tmp, outs;
  const fs::path root = tmp / "Dataset_BUSI_with_GT";
  const std::vector<ClassDef> classes = {{"breast_tumor", {1}}};
  Expect e;
  const std::size_t w = 60, h = 40;
  auto rgb = [&](const fs::path& f, const std::vector<int>& lab, unsigned channels) {
    std::vector<std::uint8_t> v(w * h * channels);
    for (std::size_t p = 0; p < w * h; ++p)
      for (unsigned c = 0; c < channels; ++c)
        v[p * channels + c] = c == 3 ? 255 : static_cast<std::uint8_t>(lab[p] ? 255 : 0);
    write_rgb_image(f, w, h, channels, v);
  };
  auto image = [&](const fs::path& f) {
    std::vector<std::uint8_t> v(w * h * 3);
    for (std::size_t p = 0; p < v.size(); ++p) v[p] = static_cast<std::uint8_t>((p / 3) % 200);
    write_rgb_image(f, w, h, 3, v);
  };
  auto rect = [&](std::size_t r0, std::size_t r1, std::size_t c0, std::size_t c1) {
    std::vector<int> lab(w * h, 0);
    for (std::size_t r = r0; r < r1; ++r)
      for (std::size_t c = c0; c < c1; ++c) lab[r * w + c] = 1;
    return lab;
  };
  // benign (1): two lesions in two mask files; benign (12): one lesion, RGBA mask.
  image(root / "benign" / "benign (1).png");
  const auto m1 = rect(5, 15, 5, 20), m2 = rect(22, 35, 30, 50);
  {
    std::vector<std::uint8_t> g(w * h);
    for (std::size_t p = 0; p < g.size(); ++p) g[p] = m1[p] ? 255 : 0;
    write_volume(root / "benign" / "benign (1)_mask.png", {w, h, 1}, g, 2);
    for (std::size_t p = 0; p < g.size(); ++p) g[p] = m2[p] ? 255 : 0;
    write_volume(root / "benign" / "benign (1)_mask_1.png", {w, h, 1}, g, 2);
  }
  Slice s1{h, w, m1};
  for (std::size_t p = 0; p < s1.lab.size(); ++p) s1.lab[p] = m1[p] || m2[p];
  e.add_2d("ultrasound_00", "breast_ultrasound_images_dataset", "benign_(1)", s1, classes);
  image(root / "benign" / "benign (12).png");
  const auto m3 = rect(10, 30, 10, 40);
  rgb(root / "benign" / "benign (12)_mask.png", m3, 4);
  e.add_2d("ultrasound_00", "breast_ultrasound_images_dataset", "benign_(12)", Slice{h, w, m3},
           classes);
  image(root / "malignant" / "malignant (3).png");
  const auto m4 = rect(2, 38, 20, 58);
  rgb(root / "malignant" / "malignant (3)_mask.png", m4, 3);
  e.add_2d("ultrasound_00", "breast_ultrasound_images_dataset", "malignant_(3)", Slice{h, w, m4},
           classes);
  // normal: empty mask, no output.
  image(root / "normal" / "normal (1).png");
  rgb(root / "normal" / "normal (1)_mask.png", std::vector<int>(w * h, 0), 3);
  convert_and_check("breast_ultrasound_images_dataset", {root, tmp.path()}, outs, e);
}

TEST(IndependentReplica, CovidChestXrayLungs) {
  TempDir tmp, outs;
  const fs::path root = tmp / "covid-chestxray-dataset";
  write_text_file(root / "metadata.csv", "patientid,offset,sex,age,finding,filename\n");
  write_text_file(root / "README.md", "# COVID-19 image data collection\n");
  const std::vector<ClassDef> classes = {{"lung", {1}}};
  Expect e;
  const std::size_t w = 50, h = 40;
  std::vector<int> lungs(w * h, 0);
  for (std::size_t r = 5; r < 35; ++r)
    for (std::size_t c = 0; c < w; ++c)
      if ((c >= 5 && c < 20) || (c >= 30 && c < 45)) lungs[r * w + c] = 1;
  std::vector<std::uint8_t> mask(w * h);
  for (std::size_t p = 0; p < mask.size(); ++p) mask[p] = lungs[p] ? 255 : 0;
  std::vector<std::uint8_t> grey(w * h);
  for (std::size_t p = 0; p < grey.size(); ++p) grey[p] = static_cast<std::uint8_t>(p % 211);
  // Mixed formats: .jpg grey, .png grey, .jpeg RGB.
  write_volume(root / "images" / "16660_5_1.jpg", {w, h, 1}, grey, 2);
  write_volume(root / "images" / "1-s2.0-S0929664620300449-gr2_lrg-a.png", {w, h, 1}, grey, 2);
  std::vector<std::uint8_t> rgb(w * h * 3, 77);
  write_rgb_image(root / "images" / "covid-19-pneumonia-58-prior.jpeg", w, h, 3, rgb);
  for (const std::string c :
       {"16660_5_1", "1-s2.0-S0929664620300449-gr2_lrg-a", "covid-19-pneumonia-58-prior"}) {
    write_volume(root / "annotations" / "lungVAE-masks" / (c + "_mask.png"), {w, h, 1}, mask, 2);
    e.add_2d("x_ray", "covid_19_ct_cxr", c, Slice{h, w, lungs}, classes);
  }
  // Most images have no lung mask.
  write_volume(root / "images" / "nejmoa2001191_f1-PA.jpeg", {w, h, 1}, grey, 2);
  convert_and_check("covid_19_ct_cxr", {root}, outs, e);
}

namespace {

// SIIM RLE: (relative start, length) pairs over the column-major raster.
std::string rle_rect(std::size_t h, std::size_t r0, std::size_t r1, std::size_t c0,
                     std::size_t c1) {
  std::string out;
  std::size_t pos = 0;
  for (std::size_t c = c0; c < c1; ++c) {
    const std::size_t start = c * h + r0;
    out += (out.empty() ? "" : " ") + std::to_string(start - pos) + " " + std::to_string(r1 - r0);
    pos = start + (r1 - r0);
  }
  return out;
}

}  // namespace

TEST(IndependentReplica, ChestImagePneumDicomAndRle) {
  TempDir tmp, outs;
  const std::size_t n = 1024;
  const std::vector<ClassDef> classes = {{"pneumothorax", {1}}};
  Expect e;
  const std::string uid1 = "1.2.276.0.7230010.3.1.4.8323329.2320.1517875172.159451";
  const std::string uid2 = "1.2.276.0.7230010.3.1.4.8323329.5597.1517875188.959090";
  const std::string uid3 = "1.2.276.0.7230010.3.1.4.8323329.1000.1517875165.878027";
  std::string csv = "ImageId, EncodedPixels\n";
  for (const auto& [uid, folder] : std::vector<std::pair<std::string, std::string>>{
           {uid1,
            "1.2.276.0.7230010.3.1.2.8323329.2320.1517875172.159450/"
            "1.2.276.0.7230010.3.1.3.8323329.2320.1517875172.159449"},
           {uid2,
            "1.2.276.0.7230010.3.1.2.8323329.5597.1517875188.959089/"
            "1.2.276.0.7230010.3.1.3.8323329.5597.1517875188.959088"},
           {uid3,
            "1.2.276.0.7230010.3.1.2.8323329.1000.1517875165.878026/"
            "1.2.276.0.7230010.3.1.3.8323329.1000.1517875165.878025"}}) {
    DicomImage2D im;
    im.columns = n;
    im.rows = n;
    im.pixel = DicomPixel::UInt8;
    im.values.resize(n * n);
    for (std::size_t p = 0; p < n * n; ++p) im.values[p] = static_cast<double>(p % 251);
    im.sop_instance_uid = uid;
    im.series_uid = uid.substr(0, uid.size() - 2) + ".9";
    write_dicom_image(tmp / "chestimage_train_datasets" / folder / (uid + ".dcm"), im);
  }
  // uid1: two regions on two rows (OR-ed); uid2: one region; uid3: -1 (no pneumothorax).
  Slice s1{n, n, std::vector<int>(n * n, 0)}, s2{n, n, std::vector<int>(n * n, 0)};
  for (std::size_t r = 100; r < 200; ++r)
    for (std::size_t c = 50; c < 100; ++c) s1.lab[r * n + c] = 1;
  for (std::size_t r = 500; r < 600; ++r)
    for (std::size_t c = 700; c < 760; ++c) s1.lab[r * n + c] = 1;
  for (std::size_t r = 300; r < 380; ++r)
    for (std::size_t c = 300; c < 380; ++c) s2.lab[r * n + c] = 1;
  csv += uid1 + ", " + rle_rect(n, 100, 200, 50, 100) + "\n";
  csv += uid3 + ", -1\n";
  csv += uid1 + ", " + rle_rect(n, 500, 600, 700, 760) + "\n";
  csv += uid2 + ", " + rle_rect(n, 300, 380, 300, 380) + "\n";
  write_text_file(tmp / "chestimage_train-rle_datasets.csv", csv);
  e.add_2d("x_ray", "Chest_Image_Pneum", uid1, s1, classes);
  e.add_2d("x_ray", "Chest_Image_Pneum", uid2, s2, classes);
  // Test images: no runs, not cases.
  DicomImage2D test_im;
  test_im.columns = 64;
  test_im.rows = 64;
  test_im.pixel = DicomPixel::UInt8;
  test_im.values.assign(64 * 64, 3);
  test_im.sop_instance_uid = "1.2.276.0.7230010.3.1.4.8323329.6904.1517875201.850819";
  write_dicom_image(tmp / "chestimage_test_datasets" / (test_im.sop_instance_uid + ".dcm"),
                    test_im);
  convert_and_check("Chest_Image_Pneum", {tmp.path()}, outs, e);
}

namespace {

struct ChaosSeries {
  fs::path dicom_dir, ground_dir;
  std::vector<std::string> dicom_names, png_names;  // in slice (file-number) order
  std::string modality;                             // "CT" or "MR"
};

// Writes one CHAOS series: single-slice DICOMs (positions descending, so position order is the
// reverse of file-number order) and one 8-bit PNG mask per slice; returns the label volume in
// file-number order.
Vol chaos_series(const ChaosSeries& c, std::size_t cols, std::size_t rows,
                 const std::vector<std::vector<std::array<std::size_t, 5>>>& boxes) {
  const std::size_t n = c.dicom_names.size();
  Vol lab(cols, rows, n);
  auto spec = numbered_series(cols, rows,
                              "1.2.826.0.1.3680043.9.7777.55." +
                                  std::to_string(c.dicom_names[0].size()) + std::to_string(rows),
                              c.dicom_names, [&](std::size_t k, std::size_t i, std::size_t j) {
                                return static_cast<double>(((j * cols + i) * 7 + k * 3) % 300) - 50;
                              });
  spec.modality = c.modality;
  spec.pixel = DicomPixel::Int16;
  for (std::size_t k = 0; k < n; ++k) {
    auto& sl = spec.slices[k];
    sl.position[2] = -static_cast<double>(k) * 2.5;
    // Anonymised CHAOS slices carry varying instance UIDs.
    sl.sop_uid = spec.series_uid + "." + std::to_string(100 + k);
    std::vector<std::uint8_t> png(cols * rows, 0);
    for (const auto& b : boxes[k]) {  // {c0, c1, r0, r1, grey}
      for (std::size_t r = b[2]; r < b[3]; ++r)
        for (std::size_t col = b[0]; col < b[1]; ++col)
          png[r * cols + col] = static_cast<std::uint8_t>(b[4]);
      lab.box(b[0], b[1], b[2], b[3], k, k + 1, static_cast<int>(b[4]));
    }
    write_volume(c.ground_dir / c.png_names[k], {cols, rows, 1}, png, 2);
  }
  write_dicom_series(c.dicom_dir, spec);
  return lab;
}

}  // namespace

TEST(IndependentReplica, CHAOSDicomAndPngMasks) {
  TempDir tmp, outs;
  const fs::path train = tmp / "CHAOS_Train_Sets" / "Train_Sets";
  // CT patient 1: liver 255; slices named i0000,0000b.dcm ..., masks liver_GT_000.png ...
  ChaosSeries ct{train / "CT" / "1" / "DICOM_anon", train / "CT" / "1" / "Ground", {}, {}, "CT"};
  for (int k = 0; k < 4; ++k) {
    char d[32], g[32];
    std::snprintf(d, sizeof d, "i%04d,0000b.dcm", k);
    std::snprintf(g, sizeof g, "liver_GT_%03d.png", k);
    ct.dicom_names.push_back(d);
    ct.png_names.push_back(g);
  }
  const Vol ct_lab =
      chaos_series(ct, 24, 20, {{}, {{2, 10, 2, 8, 255}}, {{12, 20, 10, 18, 255}}, {}});
  // MR patient 1 (the same number as the CT patient): grey ranges, not exact values.
  const fs::path mr = train / "MR" / "1";
  const std::vector<std::vector<std::array<std::size_t, 5>>> mr_boxes = {
      {{2, 8, 2, 8, 60}, {12, 18, 2, 8, 130}}, {}, {{2, 8, 10, 16, 186}, {12, 18, 10, 16, 249}}};
  ChaosSeries in{mr / "T1DUAL" / "DICOM_anon" / "InPhase",
                 mr / "T1DUAL" / "Ground",
                 {"IMG-0004-00002.dcm", "IMG-0004-00004.dcm", "IMG-0004-00006.dcm"},
                 {"IMG-0004-00002.png", "IMG-0004-00004.png", "IMG-0004-00006.png"},
                 "MR"};
  ChaosSeries out_phase{mr / "T1DUAL" / "DICOM_anon" / "OutPhase",
                        mr / "T1DUAL" / "Ground",
                        {"IMG-0004-00001.dcm", "IMG-0004-00003.dcm", "IMG-0004-00005.dcm"},
                        {"IMG-0004-00002.png", "IMG-0004-00004.png", "IMG-0004-00006.png"},
                        "MR"};
  ChaosSeries t2{mr / "T2SPIR" / "DICOM_anon",
                 mr / "T2SPIR" / "Ground",
                 {"IMG-0002-00001.dcm", "IMG-0002-00002.dcm", "IMG-0002-00003.dcm"},
                 {"IMG-0002-00001.png", "IMG-0002-00002.png", "IMG-0002-00003.png"},
                 "MR"};
  const Vol in_lab = chaos_series(in, 20, 20, mr_boxes);
  chaos_series(out_phase, 20, 20, mr_boxes);
  const std::vector<std::vector<std::array<std::size_t, 5>>> t2_boxes = {
      {}, {{4, 16, 4, 16, 66}}, {{1, 5, 1, 5, 252}, {10, 19, 10, 19, 252}}};
  const Vol t2_lab = chaos_series(t2, 20, 20, t2_boxes);
  // The test set has no Ground.
  ChaosSeries test_ct{tmp / "CHAOS_Test_Sets" / "Test_Sets" / "CT" / "3" / "DICOM_anon",
                      tmp / "unused",
                      {"i0000,0000b.dcm", "i0001,0000b.dcm"},
                      {"a.png", "b.png"},
                      "CT"};
  chaos_series(test_ct, 24, 20, {{}, {}});
  fs::remove_all(tmp / "unused");

  // Expected slices per (modality, case); the case names are the config's choice, so they are
  // checked for being distinct per series and carrying the patient number.
  auto expected_slices = [](const Vol& lab, const std::vector<ClassDef>& classes) {
    Expect e;
    e.add_3d({"m"}, "d", "c", lab, classes);
    std::set<std::string> out;
    for (const auto& m : e.masks) out.insert(m.substr(std::string("m--d--c--").size()));
    return out;
  };
  const std::vector<ClassDef> ct_classes = {{"liver", {255}}};
  const std::vector<ClassDef> mr_classes = {
      {"liver", {55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70}},
      {"right_kidney", {130}},
      {"left_kidney", {186}},
      {"spleen", {249, 252}}};
  const fs::path out = outs / "chaos";
  const auto r = run_samed2d({"convert", "--dataset", "CHAOS_Task_4", "--input",
                              (tmp / "CHAOS_Train_Sets").string(), "--output", out.string(),
                              "--axes", "x", "--quiet"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::map<std::pair<std::string, std::string>, std::set<std::string>> got;  // masks by series
  for (const auto& m : names_in(out / "masks")) {
    const auto a = m.find("--"), b = m.find("--", a + 2), c = m.find("--", b + 2);
    ASSERT_EQ(m.substr(a + 2, b - a - 2), "CHAOS_Task_4") << m;
    got[{m.substr(0, a), m.substr(b + 2, c - b - 2)}].insert(m.substr(c + 2));
  }
  std::set<std::string> cases;
  for (const auto& [key, slices] : got) {
    cases.insert(key.first + "/" + key.second);
    EXPECT_NE(key.second.find('1'), std::string::npos) << key.second;
    if (key.first == "ct_00")
      EXPECT_EQ(slices, expected_slices(ct_lab, ct_classes)) << key.second;
    else if (key.first == "mr_t1")
      EXPECT_EQ(slices, expected_slices(in_lab, mr_classes)) << key.second;
    else if (key.first == "mr_t2")
      EXPECT_EQ(slices, expected_slices(t2_lab, mr_classes)) << key.second;
    else
      ADD_FAILURE() << "unexpected modality " << key.first;
  }
  std::set<std::string> modalities;
  for (const auto& [key, slices] : got) modalities.insert(key.first);
  EXPECT_EQ(modalities, (std::set<std::string>{"ct_00", "mr_t1", "mr_t2"}));
  for (const auto& cs : cases) std::printf("CHAOS series: %s\n", cs.c_str());
}

TEST(IndependentReplica, UltrasoundNerveSkipsMaskFilesAndEmptyMasks) {
  TempDir tmp, outs;
  const std::vector<ClassDef> classes = {{"brachial_plexus", {255}}};
  Expect e;
  const std::size_t w = 58, h = 42;
  std::vector<std::uint8_t> img(w * h);
  for (std::size_t p = 0; p < img.size(); ++p) img[p] = static_cast<std::uint8_t>(p % 199);
  for (const std::string c : {"1_1", "19_3", "47_120"}) {
    std::vector<std::uint8_t> m(w * h, 0);
    Slice s{h, w, std::vector<int>(w * h, 0)};
    if (c != "47_120")  // an empty mask
      for (std::size_t r = 10; r < 25; ++r)
        for (std::size_t col = 20; col < 40; ++col) {
          m[r * w + col] = 255;
          s.lab[r * w + col] = 255;
        }
    write_volume(tmp / "train" / (c + ".tif"), {w, h, 1}, img, 2);
    write_volume(tmp / "train" / (c + "_mask.tif"), {w, h, 1}, m, 2);
    e.add_2d("ultrasound_00", "ultrasound_nerve_segmentation", c, s, classes);
  }
  write_volume(tmp / "test" / "1.tif", {w, h, 1}, img, 2);
  write_text_file(tmp / "train_masks.csv", "subject,img,pixels\n1,1,\n");
  write_text_file(tmp / "sample_submission.csv", "img,pixels\n1,1 1\n");
  convert_and_check("ultrasound_nerve_segmentation", {tmp.path()}, outs, e);
}

}  // namespace samed2d::test::replica
