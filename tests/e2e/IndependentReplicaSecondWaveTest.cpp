// Black-box replicas of second-wave public datasets, built from reference/datasets.md alone
// (folders, file names, formats, label values, the extras a real download holds), converted with
// the bundled configs (`--dataset NAME`) and checked against names derived here from SPEC
// sections 2, 3 and 5. Written without looking at the configs or their tests, the way a reviewer
// who unpacks a download would check the tool: every expectation comes from the planted labels.
// The files are written with ITK directly; nothing of the tool's own code is used, only the test
// harness that runs its binary and derives the names (support/Replica.hpp, shared with the first
// wave).
//
// Where the tool's choice differed from the first reading of datasets.md and its config's
// description documents a reasonable choice, the expectation follows the tool and says so
// ("adapted:").

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "support/DatasetClasses.hpp"
#include "support/DatasetRun.hpp"
#include "support/Matchers.hpp"
#include "support/Replica.hpp"
#include "support/TestData.hpp"

namespace samed2d::test::replica {
namespace {

// Each run writes OUTS/checkN; the files hold this test file's own pixels.
ConvertAndCheck convert_and_check{"check"};
const Planter plant{{29, 13, 350, -90}, 1.0f};

// 8-bit grey 2D PNG.
void png(const fs::path& f, std::size_t w, std::size_t h, const std::vector<std::uint8_t>& v) {
  write_itk_image(f, {w, h}, v);
}

std::vector<std::uint8_t> grey(std::size_t w, std::size_t h, int seed) {
  std::vector<std::uint8_t> v(w * h);
  for (std::size_t p = 0; p < v.size(); ++p)
    v[p] = static_cast<std::uint8_t>((p * 7 + static_cast<std::size_t>(seed)) % 251);
  return v;
}

// 0/255 mask of a 2D label (value != 0 is foreground).
std::vector<std::uint8_t> binary(const Vol& lab) {
  std::vector<std::uint8_t> v(lab.v.size());
  for (std::size_t p = 0; p < v.size(); ++p) v[p] = lab.v[p] ? 255 : 0;
  return v;
}

std::vector<ClassDef> vertebrae_1_to_25() {
  std::vector<ClassDef> out;
  for (int n = 1; n <= 7; ++n) out.push_back({"vertebra_c" + std::to_string(n), {n}});
  for (int n = 1; n <= 12; ++n) out.push_back({"vertebra_t" + std::to_string(n), {n + 7}});
  for (int n = 1; n <= 6; ++n) out.push_back({"vertebra_l" + std::to_string(n), {n + 19}});
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// 22. CTSpine1K, official layout: data/<part>/<stem>.nii.gz, label/<Part>/<stem>_seg.nii.gz.

namespace {

void ctspine_tree(const fs::path& base, Expect& e) {
  write_text_file(base / "CTSpine1K" / "Path.csv",
                  "name,path\nHN_P001,HNSCC-3DCT-RT/HN_P001/...\n");
  write_text_file(base / "CTSpine1K" / "data_split.txt", "trainset:\nHN_P001.nii.gz\n");
  write_text_file(base / "CTSpine1K" / "readme.txt", "CTSpine1K\n");
  std::size_t shift = 0;
  for (const auto& [data_part, label_part, stem] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"COVID-19", "COVID-19", "volume-covid19-A-0003_ct"},
           {"HNSCC-3DCT-RT_neck", "HNSCC-3DCT-RT_neck", "HN_P001"},
           {"colon", "conlon", "1.3.6.1.4.1.9328.50.4.0001"},
           {"liver", "Liver", "liver_0"}}) {
    const Vol lab = standard_label(20, 16, 3, {1, 8, 20, 25}, shift++);
    plant.image3d(base / "data" / data_part / (stem + ".nii.gz"), lab.size(),
                  static_cast<int>(shift));
    plant.label3d(base / "label" / label_part / (stem + "_seg.nii.gz"), lab);
    e.add_3d({"ct_00"}, "CTSpine1K_Full", stem, lab, vertebrae_1_to_25());
  }
  // An image whose label is not (yet) there.
  plant.image3d(base / "data" / "colon" / "1.3.6.1.4.1.9328.50.4.0002.nii.gz", {20, 16, 3});
}

}  // namespace

TEST(IndependentReplicaSecondWave, CTSpine1KOfficialLayout) {
  TempDir tmp, outs;
  Expect e;
  ctspine_tree(tmp.path(), e);
  convert_and_check("CTSpine1K_Full", {tmp.path()}, outs, e);
  // The same tree with data/ and label/ inside CTSpine1K/.
  TempDir tmp2;
  Expect e2;
  ctspine_tree(tmp2 / "CTSpine1K", e2);
  convert_and_check("CTSpine1K_Full", {tmp2.path()}, outs, e2);
}

TEST(IndependentReplicaSecondWave, CTSpine1KVerseLabelsWithoutImages) {
  // label/Verse and label/completed_annotation_verse hold labels whose images come from the
  // VerSe download, not from data/: they are no cases here.
  TempDir tmp, outs;
  Expect e;
  ctspine_tree(tmp.path(), e);
  plant.label3d(tmp / "label" / "Verse" / "sub-verse004_seg.nii.gz",
                standard_label(20, 16, 3, {5, 6}, 0));
  plant.label3d(tmp / "label" / "completed_annotation_verse" / "sub-verse010_seg.nii.gz",
                standard_label(20, 16, 3, {9}, 1));
  convert_and_check("CTSpine1K_Full", {tmp.path()}, outs, e);
}

// ---------------------------------------------------------------------------------------------
// 23. MM-WHS 2017: ct_train/ct_train_1001_image.nii.gz + _label (values up to 850).

TEST(IndependentReplicaSecondWave, MMWHSCtAndMr) {
  TempDir tmp, outs;
  const fs::path root = tmp / "MM-WHS 2017 Dataset";
  const auto classes = classes_of(kMmwhsClasses);
  Expect e;
  std::size_t shift = 0;
  for (const auto& [folder, id, modality] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"ct_train", "1001", "ct_00"},
           {"ct_train", "1020", "ct_00"},
           {"mr_train", "1001", "mr_00"},
           {"mr_train", "1007", "mr_00"}}) {
    const Vol lab = standard_label(20, 16, 3, {205, 420, 500, 550, 600, 820, 850}, shift++);
    const std::string c = folder + "_" + id;
    plant.image3d(root / folder / (c + "_image.nii.gz"), lab.size(), static_cast<int>(shift));
    plant.label3d<std::uint16_t>(root / folder / (c + "_label.nii.gz"), lab);
    e.add_3d({modality}, "MMWHS", c, lab, classes);
  }
  plant.image3d(root / "ct_test" / "ct_test_2001_image.nii.gz", {20, 16, 3});
  plant.image3d(root / "mr_test" / "mr_test_2001_image.nii.gz", {20, 16, 3});
  convert_and_check("MMWHS", {root, tmp.path()}, outs, e);
}

// ---------------------------------------------------------------------------------------------
// 24. M&Ms-2: MnM2/dataset/NNN/NNN_{SA,LA}_{ED,ES}.nii.gz + _gt, 4D cines to skip.

TEST(IndependentReplicaSecondWave, MnMs2SaAndLa) {
  TempDir tmp, outs;
  const fs::path root = tmp / "MnM2";
  write_text_file(root / "dataset_information.csv", "SUBJECT_CODE,DISEASE,VENDOR\n1,NOR,SIEMENS\n");
  // M&Ms-2: 1 LV, 2 myocardium, 3 RV (reversed against ACDC).
  const std::vector<ClassDef> classes = {
      {"left_ventricle", {1}}, {"myocardium", {2}}, {"right_ventricle", {3}}};
  Expect e;
  std::size_t shift = 0;
  for (const std::string id : {"001", "160"}) {
    const fs::path dir = root / "dataset" / id;
    for (const std::string phase : {"ED", "ES"}) {
      const std::string sa = id + "_SA_" + phase, la = id + "_LA_" + phase;
      const Vol sa_lab = standard_label(20, 16, 3, {1, 2, 3}, shift++);
      plant.image3d(dir / (sa + ".nii.gz"), sa_lab.size(), static_cast<int>(shift));
      plant.label3d(dir / (sa + "_gt.nii.gz"), sa_lab);
      e.add_3d({"mr_00"}, "mnms2", sa, sa_lab, classes);
      // LA: one slice (H x W x 1), a 2D source by SPEC 9.
      Vol la_lab(24, 18, 1);
      la_lab.box(2, 8, 2, 8, 0, 1, 1);
      la_lab.box(10, 16, 4, 12, 0, 1, 2);
      la_lab.box(17, 22, 10, 16, 0, 1, phase == "ED" ? 3 : 0);
      plant.image3d(dir / (la + ".nii.gz"), la_lab.size(), static_cast<int>(shift));
      plant.label3d(dir / (la + "_gt.nii.gz"), la_lab);
      e.add_2d({"mr_00"}, "mnms2", la, la_lab, classes);
    }
    plant.image4d(dir / (id + "_SA_CINE.nii.gz"), {20, 16, 3}, 4);
    plant.image4d(dir / (id + "_LA_CINE.nii.gz"), {24, 18, 1}, 4);
  }
  // An unlabelled subject of the test part (images only).
  plant.image3d(root / "dataset" / "201" / "201_SA_ED.nii.gz", {20, 16, 3});
  plant.image3d(root / "dataset" / "201" / "201_LA_ED.nii.gz", {24, 18, 1});
  convert_and_check("mnms2", {root, tmp.path()}, outs, e);
}

// ---------------------------------------------------------------------------------------------
// 25. ISLES 2022: DWI + ADC on the mask's grid, FLAIR on its own grid.

namespace {

const std::vector<ClassDef> kStroke = {{"stroke_lesion", {1}}};
// First reading of datasets.md ("FLAIR is not co-registered ... do not pair it with the mask"):
// only DWI and ADC. adapted: the config's description documents FLAIR resampled linearly onto
// the mask grid (as the SA-Med2D group's dataset card counts its slices), so it shares the
// DWI/ADC slice names; reasonable, since it is resampled, not paired index-wise.
const std::vector<std::string> kIslesModalities = {"mr_dwi", "mr_adc", "mr_flair"};
// The case: the image stem without its role suffix.
std::string isles_case(const std::string& sub) {
  return sub + "_ses-0001";
}

// One ISLES 2022 subject: DWI and ADC in `dwi` on the mask's grid (2 x 2 x 4 mm), FLAIR in
// `anat` on its own finer grid, the lesion mask in `mask`.
void isles2022_subject(const fs::path& dwi, const fs::path& anat, const fs::path& mask,
                       const std::string& stem, const Vol& lab) {
  plant.image3d(dwi / (stem + "_dwi.nii.gz"), lab.size(), 1, {2, 2, 4});
  plant.image3d(dwi / (stem + "_adc.nii.gz"), lab.size(), 2, {2, 2, 4});
  plant.image3d(anat / (stem + "_FLAIR.nii.gz"), {40, 32, 12}, 3, {1, 1, 1});
  plant.label3d(mask / (stem + "_msk.nii.gz"), lab, {2, 2, 4});
}

}  // namespace

TEST(IndependentReplicaSecondWave, ISLES2022ZenodoBids) {
  TempDir tmp, outs;
  const fs::path root = tmp / "ISLES-2022";
  write_text_file(root / "dataset_description.json",
                  R"({"Name": "ISLES 2022", "BIDSVersion": "1.6.0"})");
  write_text_file(root / "participants.tsv", "participant_id\nsub-strokecase0001\n");
  Expect e;
  std::size_t shift = 0;
  for (const std::string sub : {"sub-strokecase0001", "sub-strokecase0250"}) {
    const std::string stem = sub + "_ses-0001";
    const fs::path ses = root / sub / "ses-0001";
    Vol lab(20, 16, 3);
    lab.box(3 + shift, 9 + shift, 3, 9, shift, shift + 1, 1);
    lab.box(12, 18, 10, 15, 2, 3, 1);
    ++shift;
    const fs::path der = root / "derivatives" / sub / "ses-0001";
    isles2022_subject(ses / "dwi", ses / "anat", der, stem, lab);
    png(der / (stem + "_snp.png"), 30, 20, grey(30, 20, 1));
    e.add_3d(kIslesModalities, "ISLES2022", isles_case(sub), lab, kStroke);
  }
  convert_and_check("ISLES2022", {root, tmp.path()}, outs, e);
}

TEST(IndependentReplicaSecondWave, ISLES2022GrandChallenge) {
  TempDir tmp, outs;
  const fs::path root = tmp / "dataset";
  Expect e;
  std::size_t shift = 0;
  for (const std::string sub : {"sub-strokecase0003", "sub-strokecase0107"}) {
    const std::string stem = sub + "_ses-0001";
    const fs::path ses = root / "rawdata" / sub / "ses-0001";
    Vol lab(20, 16, 3);
    lab.box(2, 10, 4 + shift, 10 + shift, 2 - shift, 3 - shift, 1);
    ++shift;
    isles2022_subject(ses, ses, root / "derivatives" / sub / "ses-0001", stem, lab);
    e.add_3d(kIslesModalities, "ISLES2022", isles_case(sub), lab, kStroke);
  }
  convert_and_check("ISLES2022", {root, tmp.path()}, outs, e);
}

// ---------------------------------------------------------------------------------------------
// 26. PI-CAI: Zenodo image folds and the picai_labels repository side by side.

TEST(IndependentReplicaSecondWave, PicaiBaselineHumanExpertResampled) {
  TempDir tmp, outs;
  const fs::path labels = tmp / "picai_labels";
  const fs::path human = labels / "csPCa_lesion_delineations" / "human_expert";
  write_text_file(labels / "README.md", "# PI-CAI labels\n");
  write_text_file(labels / "clinical_information" / "marksheet.csv",
                  "patient_id,study_id,case_ISUP\n10417,1000424,2\n");
  const std::vector<ClassDef> classes = {{"prostate_cancer", {1, 2, 3, 4, 5}}};
  // First reading of datasets.md: only T2W is on the resampled labels' grid. adapted: the
  // config's description documents ADC and HBV resampled linearly onto the label grid (the
  // datasets.md pitfall says slicing them "needs resampling"), so they share T2W's slice names.
  const std::vector<std::string> modalities = {"mr_t2w", "mr_adc", "mr_hbv"};
  const std::array<double, 3> t2_spacing = {0.5, 0.5, 3.0}, low_spacing = {1.0, 1.0, 3.0};
  Expect e;
  std::size_t shift = 0;
  for (const auto& [pid, sid, isup] : std::vector<std::tuple<std::string, std::string, int>>{
           {"10417", "1000424", 2}, {"10999", "1000999", 4}, {"11000", "1001000", 0}}) {
    const std::string c = pid + "_" + sid;
    Vol lab(20, 16, 3);
    if (isup) {
      lab.box(2, 8, 3, 9, shift, shift + 1, isup);
      lab.box(12, 17, 9, 14, 2, 3, 5);
    }
    ++shift;
    plant.image3d(tmp / pid / (c + "_t2w.mha"), lab.size(), 1, t2_spacing);
    plant.image3d(tmp / pid / (c + "_adc.mha"), {10, 8, 3}, 2, low_spacing);
    plant.image3d(tmp / pid / (c + "_hbv.mha"), {10, 8, 3}, 3, low_spacing);
    plant.image3d(tmp / pid / (c + "_cor.mha"), {20, 3, 16}, 4, {0.5, 3, 0.5});
    plant.image3d(tmp / pid / (c + "_sag.mha"), {3, 16, 20}, 5, {3, 0.5, 0.5});
    plant.label3d(human / "resampled" / (c + ".nii.gz"), lab, t2_spacing);
    // The original-grid delineation (here on the ADC grid) and the AI label: not for baseline.
    Vol orig(10, 8, 3);
    if (isup) orig.box(1, 9, 1, 7, 0, 3, isup);
    plant.label3d(human / "original" / (c + ".nii.gz"), orig, low_spacing);
    Vol ai(20, 16, 3);
    ai.box(1, 19, 1, 15, 1, 2, 1);
    plant.label3d(labels / "csPCa_lesion_delineations" / "AI" / "Bosma22a" / (c + ".nii.gz"), ai,
                  t2_spacing);
    plant.label3d(
        labels / "anatomical_delineations" / "whole_gland" / "AI" / "Guerbet23" / (c + ".nii.gz"),
        ai, t2_spacing);
    e.add_3d(modalities, "picai_baseline", c, lab, classes);
  }
  // A study with only the AI label (no human delineation): not a picai_baseline case.
  for (const std::string seq : {"t2w", "adc", "hbv"})
    plant.image3d(tmp / "10005" / ("10005_1000005_" + seq + ".mha"), {20, 16, 3}, 1,
                  seq == "t2w" ? t2_spacing : low_spacing);
  Vol ai(20, 16, 3);
  ai.box(1, 19, 1, 15, 0, 1, 1);
  plant.label3d(labels / "csPCa_lesion_delineations" / "AI" / "Bosma22a" / "10005_1000005.nii.gz",
                ai, t2_spacing);
  convert_and_check("picai_baseline", {tmp.path()}, outs, e);
}

// ---------------------------------------------------------------------------------------------
// 28. StructSeg 2019: <Task>/<n>/data.nii.gz + label.nii.gz, the four tasks side by side.

namespace {

const std::vector<ClassDef> kHaN = classes_of(numbered_classes({"brainstem",
                                                                "left_eye",
                                                                "right_eye",
                                                                "left_lens",
                                                                "right_lens",
                                                                "left_optic_nerve",
                                                                "right_optic_nerve",
                                                                "optic_chiasm",
                                                                "left_temporal_lobe",
                                                                "right_temporal_lobe",
                                                                "pituitary_gland",
                                                                "left_parotid_gland",
                                                                "right_parotid_gland",
                                                                "left_inner_ear",
                                                                "right_inner_ear",
                                                                "left_middle_ear",
                                                                "right_middle_ear",
                                                                "left_temporomandibular_joint",
                                                                "right_temporomandibular_joint",
                                                                "spinal_cord",
                                                                "left_mandible",
                                                                "right_mandible"}));
const std::vector<ClassDef> kThorax = classes_of(
    numbered_classes({"left_lung", "right_lung", "heart", "esophagus", "trachea", "spinal_cord"}));

// Plants all four tasks under `base`; fills the expectations of subtask1 (HaN) and 2 (thorax).
void structseg_tree(const fs::path& base, Expect& han, Expect& thorax) {
  std::size_t shift = 0;
  for (const std::string n : {"1", "50"}) {
    const Vol lab = standard_label(24, 20, 3, {1, 2, 3, 8, 11, 14, 18, 20, 21, 22}, shift++);
    plant.image3d(base / "HaN_OAR" / n / "data.nii.gz", lab.size(), static_cast<int>(shift));
    plant.label3d(base / "HaN_OAR" / n / "label.nii.gz", lab);
    han.add_3d({"ct_00"}, "StructSeg2019_subtask1", n, lab, kHaN);
  }
  for (const std::string n : {"1", "7"}) {
    const Vol lab = standard_label(24, 20, 3, {1, 2, 3, 4, 5, 6}, shift++);
    plant.image3d(base / "Thoracic_OAR" / n / "data.nii.gz", lab.size(), static_cast<int>(shift));
    plant.label3d(base / "Thoracic_OAR" / n / "label.nii.gz", lab);
    thorax.add_3d({"ct_00"}, "StructSeg2019_subtask2", n, lab, kThorax);
  }
  for (const std::string task : {"Naso_GTV", "Lung_GTV"}) {
    const Vol lab = standard_label(24, 20, 3, {1}, shift++);
    plant.image3d(base / task / "1" / "data.nii.gz", lab.size());
    plant.label3d(base / task / "1" / "label.nii.gz", lab);
  }
}

}  // namespace

TEST(IndependentReplicaSecondWave, StructSeg2019Subtask1And2) {
  TempDir tmp, outs;
  Expect han, thorax;
  structseg_tree(tmp.path(), han, thorax);
  convert_and_check("StructSeg2019_subtask1", {tmp.path()}, outs, han);
  convert_and_check("StructSeg2019_subtask2", {tmp.path()}, outs, thorax);
  convert_and_check("StructSeg2019_subtask1", {tmp / "HaN_OAR"}, outs, han);
  convert_and_check("StructSeg2019_subtask2", {tmp / "Thoracic_OAR"}, outs, thorax);
  // One more enclosing folder per zip.
  TempDir tmp2;
  Expect han2, thorax2;
  structseg_tree(tmp2 / "StructSeg2019", han2, thorax2);
  convert_and_check("StructSeg2019_subtask1", {tmp2.path()}, outs, han2);
  convert_and_check("StructSeg2019_subtask2", {tmp2.path()}, outs, thorax2);
}

// ---------------------------------------------------------------------------------------------
// 29b. Kaggle SIIM-ACR PNG version: png_images/<n>_{train|test}_<0|1>_.png + png_masks/.

TEST(IndependentReplicaSecondWave, ChestXrayPneumothoraxPngMasks) {
  TempDir tmp, outs;
  const fs::path root = tmp / "siim-acr-pneumothorax";
  write_text_file(root / "stage_1_train_images.csv",
                  "new_filename,ImageId,has_pneumo\n0_train_1_.png,x,1\n");
  write_text_file(root / "stage_1_test_images.csv",
                  "new_filename,ImageId,has_pneumo\n2_test_1_.png,y,1\n");
  const std::vector<ClassDef> classes = {{"pneumothorax", {1}}};
  Expect e;
  const std::size_t w = 64, h = 64;
  std::size_t shift = 0;
  for (const std::string c : {"0_train_1_", "1_train_0_", "2_test_1_", "10674_train_1_"}) {
    Vol lab(w, h, 1);
    if (c.back() == '_' && c[c.size() - 2] == '1') {
      lab.box(4 + shift, 20 + shift, 5, 30, 0, 1, 1);
      lab.box(40, 60, 40, 44 + shift, 0, 1, 1);
    }
    ++shift;
    png(root / "png_images" / (c + ".png"), w, h, grey(w, h, static_cast<int>(shift)));
    png(root / "png_masks" / (c + ".png"), w, h, binary(lab));
    e.add_2d({"x_ray"}, "chest_x_ray_images_with_pneumothorax_masks", c, lab, classes);
  }
  convert_and_check("chest_x_ray_images_with_pneumothorax_masks", {root, tmp.path()}, outs, e);
}

// ---------------------------------------------------------------------------------------------
// 29c. Montgomery: CXR_png/MCUCXR_NNNN_d.png + ManualMask/{leftMask,rightMask}/<same>.png.

TEST(IndependentReplicaSecondWave, MontgomeryLeftAndRightLungs) {
  TempDir tmp, outs;
  const fs::path root = tmp / "MontgomerySet";
  const std::vector<ClassDef> classes = {{"left_lung", {1}}, {"right_lung", {2}}};
  Expect e;
  const std::size_t w = 60, h = 50;
  std::size_t shift = 0;
  for (const std::string c : {"MCUCXR_0001_0", "MCUCXR_0104_1"}) {
    // The patient's right lung is on the image's left.
    Vol left(w, h, 1), right(w, h, 1), both(w, h, 1);
    right.box(5, 25, 5 + shift, 45, 0, 1, 1);
    left.box(35, 55, 8, 45 - shift, 0, 1, 1);
    for (std::size_t p = 0; p < both.v.size(); ++p) both.v[p] = left.v[p] ? 1 : right.v[p] ? 2 : 0;
    ++shift;
    png(root / "CXR_png" / (c + ".png"), w, h, grey(w, h, static_cast<int>(shift)));
    png(root / "ManualMask" / "leftMask" / (c + ".png"), w, h, binary(left));
    png(root / "ManualMask" / "rightMask" / (c + ".png"), w, h, binary(right));
    write_text_file(root / "ClinicalReadings" / (c + ".txt"),
                    "Patient's Sex: F\nPatient's Age: 040Y\n");
    e.add_2d({"x_ray"}, "Pulmonary_Chest_X-Ray_Abnormalities_seg", c, both, classes);
  }
  convert_and_check("Pulmonary_Chest_X-Ray_Abnormalities_seg", {root, tmp.path()}, outs, e);
}

// ---------------------------------------------------------------------------------------------
// 31. CrossMoDA: ceT1 + _Label labelled, hrT2 unlabelled.

namespace {
const std::vector<ClassDef> kCrossmoda = classes_of(kCrossModaClasses);
}  // namespace

TEST(IndependentReplicaSecondWave, CrossMoDA21) {
  TempDir tmp, outs;
  const fs::path src = tmp / "crossmoda_training" / "source_training";
  Expect e;
  std::size_t shift = 0;
  for (const std::string c : {"crossmoda_1", "crossmoda_105"}) {
    const Vol lab = standard_label(20, 16, 3, {1, 2, 2}, shift++);
    plant.image3d(src / (c + "_ceT1.nii.gz"), lab.size(), static_cast<int>(shift));
    plant.label3d(src / (c + "_Label.nii.gz"), lab);
    e.add_3d({"mr_t1ce"}, "CrossMoDA21", c, lab, kCrossmoda);
  }
  plant.image3d(tmp / "crossmoda_training" / "target_training" / "crossmoda_106_hrT2.nii.gz",
                {20, 16, 3});
  plant.image3d(tmp / "crossmoda_validation" / "target_validation" / "crossmoda_211_hrT2.nii.gz",
                {20, 16, 3});
  convert_and_check("CrossMoDA21", {tmp.path(), tmp / "crossmoda_training"}, outs, e);
}

TEST(IndependentReplicaSecondWave, CrossMoDA22) {
  TempDir tmp, outs;
  Expect e;
  std::size_t shift = 0;
  for (const std::string c : {"crossmoda2022_ldn_1", "crossmoda2022_etz_105"}) {
    const Vol lab = standard_label(20, 16, 3, {2, 1, 2}, shift++);
    plant.image3d(tmp / "training_source" / (c + "_ceT1.nii.gz"), lab.size(),
                  static_cast<int>(shift));
    plant.label3d(tmp / "training_source" / (c + "_Label.nii.gz"), lab);
    e.add_3d({"mr_t1ce"}, "CrossMoDA22", c, lab, kCrossmoda);
  }
  plant.image3d(tmp / "training_target" / "crossmoda2022_etz_106_hrT2.nii.gz", {20, 16, 3});
  plant.image3d(tmp / "training_target" / "crossmoda2022_ldn_170_hrT2.nii.gz", {20, 16, 3});
  convert_and_check("CrossMoDA22", {tmp.path()}, outs, e);
}

// ---------------------------------------------------------------------------------------------
// 32. HVSMR 2016, both naming patterns.

namespace {
const std::vector<ClassDef> kHvsmr = classes_of(kHvsmrClasses);
// First guess: mr_00 (datasets.md names no modality string). adapted: the config documents
// mr_cmr, a released modality string, after torch-em's "in CMR" note [U].
const std::string kHvsmrModality = "mr_cmr";

Vol hvsmr_label(std::size_t shift) {
  Vol lab(20, 18, 4);
  lab.box(3, 15, 3, 15, shift, shift + 2, 1);  // myocardium ring around
  lab.box(6, 12, 6, 12, shift, shift + 2, 2);  // the blood pool
  return lab;
}
}  // namespace

TEST(IndependentReplicaSecondWave, HVSMR2016TrainingDatasetAndGroundTruthFolders) {
  // First reading: Axial-cropped/Training dataset/training_axial_crop_patN + Ground truth/...
  // -label. The tool read nothing there (exit 2, no case matches). adapted: datasets.md says the
  // cropped and full variants duplicate each other, "so pick one", and the config documents that
  // it picks the axial full variant only; so both variants are planted side by side here (as
  // two unpacked zips) and only the full one is expected.
  TempDir tmp, outs;
  Expect e;
  std::size_t shift = 0;
  for (const auto& [pat, ext] :
       std::vector<std::pair<std::string, std::string>>{{"pat0", ".nii.gz"}, {"pat1", ".nii"}}) {
    const Vol lab = hvsmr_label(shift++);
    for (const auto& [folder, variant] : std::vector<std::pair<std::string, std::string>>{
             {"Axial-full", "axial_full"}, {"Axial-cropped", "axial_crop"}}) {
      const std::string c = "training_" + variant + "_" + pat;
      plant.image3d(tmp / folder / "Training dataset" / (c + ext), lab.size(),
                    static_cast<int>(shift));
      plant.label3d(tmp / folder / "Ground truth" / (c + "-label" + ext), lab);
    }
    e.add_3d({kHvsmrModality}, "hvsmr_2016", "training_axial_full_" + pat, lab, kHvsmr);
  }
  plant.image3d(tmp / "Axial-full" / "Test dataset" / "testing_axial_full_pat10.nii.gz",
                {20, 18, 4});
  convert_and_check("hvsmr_2016", {tmp / "Axial-full", tmp.path()}, outs, e);
}

TEST(IndependentReplicaSecondWave, HVSMR2016CroppedVariantAlone) {
  // The example line of datasets.md as written: only Axial-cropped unpacked. The config reads
  // the cropped volume where the full one is absent.
  TempDir tmp, outs;
  Expect e;
  std::size_t shift = 0;
  for (const std::string pat : {"pat0", "pat1"}) {
    const Vol lab = hvsmr_label(shift++);
    const std::string c = "training_axial_crop_" + pat;
    plant.image3d(tmp / "Axial-cropped" / "Training dataset" / (c + ".nii.gz"), lab.size(),
                  static_cast<int>(shift));
    plant.label3d(tmp / "Axial-cropped" / "Ground truth" / (c + "-label.nii.gz"), lab);
    e.add_3d({kHvsmrModality}, "hvsmr_2016", c, lab, kHvsmr);
  }
  convert_and_check("hvsmr_2016", {tmp.path()}, outs, e);
}

TEST(IndependentReplicaSecondWave, HVSMR2016AmdLabelAB) {
  TempDir tmp, outs;
  const fs::path root = tmp / "hvsmr_2016_training";
  Expect e;
  std::size_t shift = 0;
  for (const std::string c : {"training_axial_full_pat0", "training_axial_full_pat9"}) {
    const Vol lab = hvsmr_label(shift++);
    plant.image3d(root / (c + ".nii.gz"), lab.size(), static_cast<int>(shift));
    // Two label files per image; planted identical, so any reading of A/B gives these names.
    plant.label3d(root / (c + "_label_A.nii.gz"), lab);
    plant.label3d(root / (c + "_label_B.nii.gz"), lab);
    e.add_3d({kHvsmrModality}, "hvsmr_2016", c, lab, kHvsmr);
  }
  convert_and_check("hvsmr_2016", {root, tmp.path()}, outs, e);
}

}  // namespace samed2d::test::replica
