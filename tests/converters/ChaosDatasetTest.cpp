// The bundled CHAOS_Task_4 config (converter dicom_png_slices) on a miniature replica of
// CHAOS_Train_Sets.zip: CT and MR patients as single-slice DICOM files written with ITK/GDCM
// plus one PNG mask per slice (datasets.md section 8).

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "converters/ConverterRegistry.hpp"
#include "converters/DicomPngSlicesConverter.hpp"
#include "pipeline/core/ClassRegistry.hpp"
#include "pipeline/core/Volume.hpp"
#include "support/DatasetRun.hpp"
#include "support/DicomWriter.hpp"
#include "support/TestData.hpp"

namespace samed2d {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

constexpr std::size_t kNi = 8, kNj = 6;  // DICOM columns x rows, PNG width x height

// Value of pixel (i, j) of the DICOM file with index `f` in file-name order.
double pixel_value(std::size_t f, std::size_t i, std::size_t j) {
  return static_cast<double>(100 * f + i + kNi * j);
}

// One folder of single-slice DICOM files named `names` (in file-name order); file f lies at
// z = z0 + dz * f, so a negative dz puts the positions in the reverse order of the names.
void write_dicom_folder(const fs::path& folder, const std::vector<std::string>& names,
                        const std::string& uid, double z0, double dz,
                        const std::string& modality = "CT") {
  test::DicomSeriesSpec spec = test::numbered_series(kNi, kNj, uid, names, pixel_value);
  spec.modality = modality;
  for (std::size_t f = 0; f < names.size(); ++f)
    spec.slices[f].position[2] = z0 + dz * static_cast<double>(f);
  test::write_dicom_series(folder, spec);
}

struct Box {
  std::size_t i0, j0, i1, j1;  // [i0, i1) x [j0, j1)
  std::uint8_t value;
};

// An 8-bit grey PNG mask holding `boxes` on 0.
void write_mask(const fs::path& file, const std::vector<Box>& boxes = {}) {
  std::vector<std::uint8_t> px(kNi * kNj, 0);
  for (const Box& b : boxes)
    for (std::size_t j = b.j0; j < b.j1; ++j)
      for (std::size_t i = b.i0; i < b.i1; ++i) px[i + kNi * j] = b.value;
  test::write_volume<std::uint8_t>(file, {kNi, kNj, 1}, px, 2);
}

std::vector<std::string> numbered(std::size_t n, const std::function<std::string(std::size_t)>& f) {
  std::vector<std::string> out;
  for (std::size_t k = 0; k < n; ++k) out.push_back(f(k));
  return out;
}

std::string ct_name(std::size_t k) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "i%04zu,0000b.dcm", k);
  return buf;
}
std::string ct_mask(std::size_t k) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "liver_GT_%03zu.png", k);
  return buf;
}

// CT patient `pid` with 4 slices (positions descending with the file names) and a liver box
// only on liver_GT_002.png.
void write_ct_patient(const fs::path& train, const std::string& pid) {
  const fs::path p = train / "CT" / pid;
  write_dicom_folder(p / "DICOM_anon", numbered(4, ct_name), "1.2.826.0.1.3680043.9.7777.3" + pid,
                     10, -2.5);
  for (std::size_t k = 0; k < 4; ++k)
    write_mask(p / "Ground" / ct_mask(k),
               k == 2 ? std::vector<Box>{{1, 1, 5, 4, 255}} : std::vector<Box>{});
}

// MR patient `pid`: T1DUAL InPhase/OutPhase (3 slices, shared Ground) and T2SPIR with 11 slices
// named without zero padding (IMG-0002-1 ... IMG-0002-11), so file-name numbers and byte order
// differ. Grey levels are off the nominal 63/126/189/252 by a few, as in CHAOS.
void write_mr_patient(const fs::path& train, const std::string& pid) {
  const fs::path p = train / "MR" / pid;
  auto t1 = [](const std::string& ext) {
    return [ext](std::size_t k) { return "IMG-0004-0000" + std::to_string(k + 1) + ext; };
  };
  write_dicom_folder(p / "T1DUAL" / "DICOM_anon" / "InPhase", numbered(3, t1(".dcm")),
                     "1.2.826.0.1.3680043.9.7777.4" + pid, 0, 6, "MR");
  write_dicom_folder(p / "T1DUAL" / "DICOM_anon" / "OutPhase", numbered(3, t1(".dcm")),
                     "1.2.826.0.1.3680043.9.7777.5" + pid, 0, 6, "MR");
  for (std::size_t k = 0; k < 3; ++k)
    write_mask(p / "T1DUAL" / "Ground" / t1(".png")(k),
               k == 1 ? std::vector<Box>{{0, 0, 3, 3, 60}, {4, 2, 7, 5, 130}} : std::vector<Box>{});
  auto t2 = [](const std::string& ext) {
    return [ext](std::size_t k) { return "IMG-0002-" + std::to_string(k + 1) + ext; };
  };
  write_dicom_folder(p / "T2SPIR" / "DICOM_anon", numbered(11, t2(".dcm")),
                     "1.2.826.0.1.3680043.9.7777.6" + pid, 30, -7, "MR");
  for (std::size_t k = 0; k < 11; ++k) {
    std::vector<Box> boxes;
    if (k == 0) boxes.push_back({2, 2, 6, 5, 250});  // spleen
    if (k == 9) boxes.push_back({0, 1, 2, 6, 180});  // left kidney, on IMG-0002-10.png
    write_mask(p / "T2SPIR" / "Ground" / t2(".png")(k), boxes);
  }
}

// CHAOS_Train_Sets/Train_Sets/{CT,MR}/... plus a Test_Sets patient without Ground.
fs::path write_replica(const fs::path& top) {
  const fs::path train = top / "Train_Sets";
  write_ct_patient(train, "1");
  write_mr_patient(train, "2");
  write_dicom_folder(top / "Test_Sets" / "CT" / "3" / "DICOM_anon", numbered(2, ct_name),
                     "1.2.826.0.1.3680043.9.7777.79", 0, 1);
  return train;
}

std::string image(const std::string& modality, const std::string& case_name,
                  const std::string& slice) {
  return modality + "--CHAOS_Task_4--" + case_name + "--" + slice + ".png";
}
std::string mask(const std::string& modality, const std::string& case_name,
                 const std::string& slice, const std::string& cls) {
  return modality + "--CHAOS_Task_4--" + case_name + "--" + slice + "--" + test::class_id(cls) +
         "_000.png";
}

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

TEST(ChaosDataset, SlicesAndMasksArePairedByFileNameNumbers) {
  TempDir dir;
  write_replica(dir / "CHAOS_Train_Sets");
  const auto out =
      test::convert_dataset("CHAOS_Task_4", dir / "CHAOS_Train_Sets", dir / "out", {"--axes", "x"});
  ASSERT_EQ(out.run.exit_code, 0) << out.run.err;
  EXPECT_EQ(out.images, sorted({image("ct_00", "1", "x_0002"), image("mr_t1", "2", "x_0001"),
                                image("mr_t2", "2", "x_0000"), image("mr_t2", "2", "x_0009")}));
  EXPECT_EQ(
      out.masks,
      sorted({mask("ct_00", "1", "x_0002", "liver"), mask("mr_t1", "2", "x_0001", "liver"),
              mask("mr_t1", "2", "x_0001", "right_kidney"), mask("mr_t2", "2", "x_0000", "spleen"),
              mask("mr_t2", "2", "x_0009", "left_kidney")}));
  ASSERT_TRUE(out.report.is_object());
  EXPECT_EQ(out.report["failed"].size(), 0u) << out.report.dump(2);
  EXPECT_EQ(out.report["cases"], 3);
  // The mask pixels: the box planted on the PNG, at the same (row, column).
  const auto m = test::read_png(dir / "out" / "masks" / mask("mr_t1", "2", "x_0001", "liver"));
  ASSERT_EQ(m.width, kNi);
  ASSERT_EQ(m.height, kNj);
  std::size_t on = 0;
  for (std::size_t j = 0; j < kNj; ++j)
    for (std::size_t i = 0; i < kNi; ++i) {
      const bool inside = i < 3 && j < 3;
      EXPECT_EQ(m.pixels[i + kNi * j] != 0, inside) << i << "," << j;
      on += m.pixels[i + kNi * j] != 0;
    }
  EXPECT_EQ(on, 9u);
}

TEST(ChaosDataset, InputMayBeTrainSetsOrAFolderAbove) {
  TempDir dir;
  const fs::path train = write_replica(dir / "a" / "CHAOS_Train_Sets");
  const auto top = test::convert_dataset("CHAOS_Task_4", dir / "a", dir / "out1", {"--axes", "x"});
  const auto inner = test::convert_dataset("CHAOS_Task_4", train, dir / "out2", {"--axes", "x"});
  ASSERT_EQ(top.run.exit_code, 0) << top.run.err;
  ASSERT_EQ(inner.run.exit_code, 0) << inner.run.err;
  EXPECT_EQ(top.images.size(), 4u);
  EXPECT_EQ(top.images, inner.images);
  EXPECT_EQ(top.masks, inner.masks);
}

TEST(ChaosDataset, VolumeIsStackedInFileNameOrderNotByPosition) {
  TempDir dir;
  const fs::path train = write_replica(dir / "CHAOS_Train_Sets");
  const fs::path source(test::source_dir());
  const auto classes = ClassRegistry::load(source / "configs" / "classes.json");
  const auto converter = load_dataset_config(test::bundled_config("CHAOS_Task_4"), classes);
  EXPECT_EQ(converter->dataset(), "CHAOS_Task_4");
  const auto cases = converter->discover(dir / "CHAOS_Train_Sets").cases;
  ASSERT_EQ(cases.size(), 3u);  // CT 1, MR 2 T1 InPhase, MR 2 T2SPIR; no OutPhase, no Test_Sets
  const CaseSpec& t2 = cases[2];
  EXPECT_EQ(t2.name, "2");
  EXPECT_EQ(t2.source, "Train_Sets/MR/2/T2SPIR/DICOM_anon");
  EXPECT_TRUE(t2.discovery_error.empty()) << t2.discovery_error;
  ASSERT_EQ(t2.sequences.size(), 1u);
  EXPECT_EQ(t2.sequences[0].modality, "mr_t2");
  ASSERT_TRUE(t2.sequences[0].assemble);
  ASSERT_TRUE(t2.assemble_label);
  EXPECT_EQ(t2.extra_sources.size(), 22u);
  std::vector<std::string> warnings;
  const Volume v = t2.sequences[0].assemble(warnings);
  ASSERT_EQ(v.size(), (std::array<std::size_t, 3>{kNi, kNj, 11}));
  ASSERT_EQ(v.type(), VoxelType::Int16);
  // Slice k is IMG-0002-(k+1).dcm, whose positions descend: z = 30 - 7k.
  for (std::size_t k = 0; k < 11; ++k)
    EXPECT_EQ(v.data<std::int16_t>()[kNi * kNj * k + 3], pixel_value(k, 3, 0)) << k;
  EXPECT_DOUBLE_EQ(v.geometry.origin[2], 30.0);
  EXPECT_DOUBLE_EQ(v.geometry.spacing[2], 7.0);
  EXPECT_DOUBLE_EQ(v.geometry.direction[8], -1.0);
  const Volume label = t2.assemble_label(ImageGrid{}, warnings);
  ASSERT_EQ(label.size(), v.size());
  EXPECT_EQ(label.geometry.direction, v.geometry.direction);
  EXPECT_EQ(label.geometry.origin, v.geometry.origin);
  EXPECT_EQ(label.data<std::uint8_t>()[kNi * kNj * 9 + kNi * 1 + 0], 180);
  EXPECT_EQ(label.data<std::uint8_t>()[kNi * kNj * 0 + kNi * 2 + 2], 250);
  EXPECT_TRUE(warnings.empty());
}

TEST(ChaosDataset, MalformedCasesFailClearlyWhileOthersFinish) {
  TempDir dir;
  const fs::path train = write_replica(dir / "in");
  // CT 5: liver_GT_003.png is missing.
  write_ct_patient(train, "5");
  fs::remove(train / "CT" / "5" / "Ground" / ct_mask(3));
  // CT 6: a stray DICOM slice of another size (an extra mask keeps the counts equal).
  write_ct_patient(train, "6");
  test::DicomSeriesSpec stray;
  stray.columns = stray.rows = 4;
  stray.series_uid = "1.2.826.0.1.3680043.9.7777.99";
  test::DicomSlice s;
  s.file = ct_name(4);
  s.values.assign(16, 0);
  s.position[2] = -20;
  stray.slices.push_back(s);
  test::write_dicom_series(train / "CT" / "6" / "DICOM_anon", stray);
  write_mask(train / "CT" / "6" / "Ground" / ct_mask(4));

  const auto out = test::convert_dataset("CHAOS_Task_4", dir / "in", dir / "out", {"--axes", "x"});
  EXPECT_EQ(out.run.exit_code, 1) << out.run.err;
  EXPECT_EQ(out.images.size(), 4u);  // CT 1 and MR 2 finish
  ASSERT_TRUE(out.report.is_object());
  const auto& failed = out.report["failed"];
  ASSERT_EQ(failed.size(), 2u) << out.report.dump(2);
  EXPECT_EQ(failed[0]["case"], "5");
  const std::string missing = failed[0]["reason"];
  EXPECT_NE(missing.find((train / "CT" / "5" / "Ground").string() + ": 3 mask(s)"),
            std::string::npos)
      << missing;
  EXPECT_NE(missing.find("4 DICOM slice(s) of " + (train / "CT" / "5" / "DICOM_anon").string()),
            std::string::npos)
      << missing;
  EXPECT_EQ(failed[1]["case"], "6");
  const std::string odd = failed[1]["reason"];
  EXPECT_NE(odd.find(ct_name(4) + ": its size 4x4 differs"), std::string::npos) << odd;
  for (const auto& f : failed)
    EXPECT_EQ(f["reason"].get<std::string>().find('\n'), std::string::npos);
}

TEST(ChaosDataset, NaturalOrderComparesNumbersInNames) {
  // Through the converter's public helper: digit runs compare as numbers.
  std::vector<std::string> names{"IMG-0002-10.dcm", "IMG-0002-2.dcm", "IMG-0002-1.dcm",
                                 "i0001,0000b.dcm", "i0000,0000b.dcm"};
  std::sort(names.begin(), names.end(), natural_less);
  EXPECT_EQ(names, (std::vector<std::string>{"IMG-0002-1.dcm", "IMG-0002-2.dcm", "IMG-0002-10.dcm",
                                             "i0000,0000b.dcm", "i0001,0000b.dcm"}));
}

}  // namespace
}  // namespace samed2d
