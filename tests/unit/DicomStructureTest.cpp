// DICOM files cut at every byte of their header, and at spread places in their pixel data: the
// reader must fail each with an InputError or read the whole image, never abort. Debian's GDCM
// asserts (and so aborts the process) on a file cut inside an element header, which a truncated
// download is.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "pipeline/core/Errors.hpp"
#include "pipeline/io/VolumeReader.hpp"
#include "pipeline/io/dicom/DicomStructure.hpp"
#include "support/DicomWriter.hpp"
#include "support/TestData.hpp"

namespace samed2d {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

void write_prefix(const fs::path& file, const std::vector<std::uint8_t>& bytes, std::size_t n) {
  std::ofstream(file, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(n));
}

bool same_voxels(const Volume& a, const Volume& b) {
  return a.size() == b.size() && a.type() == b.type() && a.byte_size() == b.byte_size() &&
         std::memcmp(a.raw(), b.raw(), a.byte_size()) == 0;
}

// Every cut of `file` in its first `dense` bytes, then every 97th: an InputError or the image.
void expect_every_cut_fails_cleanly(const fs::path& file, std::size_t dense) {
  test::TempDir dir;
  const auto bytes = test::read_bytes(file);
  std::vector<std::string> warnings;
  const Volume whole = read_volume(file, warnings);
  std::size_t failed = 0;
  std::size_t flagged = 0;
  for (std::size_t n = 0; n < bytes.size(); n += n < dense ? 1 : 97) {
    const fs::path cut = dir / ("cut" + std::to_string(n) + ".dcm");
    write_prefix(cut, bytes, n);
    if (dicom_truncation(cut)) ++flagged;
    try {
      const Volume v = read_volume(cut, warnings);
      EXPECT_TRUE(same_voxels(v, whole)) << file << " cut at " << n << " read as another image";
    } catch (const InputError& e) {
      ++failed;
      EXPECT_THAT(e.what(), HasSubstr(cut.string())) << "cut at " << n;
    }
    fs::remove(cut);
  }
  EXPECT_GT(failed, 0u);
  EXPECT_GT(flagged, 0u);
  EXPECT_FALSE(dicom_truncation(file)) << *dicom_truncation(file);
}

TEST(DicomStructureTest, RealCtSliceCutAnywhereNeverAborts) {
  expect_every_cut_fails_cleanly(test::sample_data_dir() / "pydicom" / "CT_small.dcm", 1500);
}

TEST(DicomStructureTest, RealMrSliceCutAnywhereNeverAborts) {
  expect_every_cut_fails_cleanly(test::sample_data_dir() / "pydicom" / "MR_small.dcm", 1500);
}

// The other way round: 1 to 16 bytes after the last element, zeros or not. GDCM takes up to 3
// as the end of the file, but reads 4 or more as a tag and then, in an explicit VR data set,
// asserts in its VR16ExplicitDataElement recovery reader (a fuzz find: 4 zero bytes after a
// real file aborted the process).
void expect_every_tail_reads_or_fails_cleanly(const fs::path& file) {
  test::TempDir dir;
  const auto bytes = test::read_bytes(file);
  std::vector<std::string> warnings;
  const Volume whole = read_volume(file, warnings);
  for (const std::uint8_t fill : {std::uint8_t{0x00}, std::uint8_t{0x11}}) {
    for (std::size_t n = 1; n <= 16; ++n) {
      auto grown = bytes;
      grown.resize(bytes.size() + n, fill);
      const fs::path tail = dir / ("tail" + std::to_string(n) + ".dcm");
      write_prefix(tail, grown, grown.size());
      try {
        const Volume v = read_volume(tail, warnings);
        EXPECT_TRUE(same_voxels(v, whole)) << file << " + " << n << " bytes read as another image";
      } catch (const InputError& e) {
        EXPECT_THAT(e.what(), HasSubstr(tail.string())) << n << " bytes";
      }
    }
  }
}

TEST(DicomStructureTest, RealSlicesWithBytesAfterTheLastElementNeverAbort) {
  for (const char* real : {"CT_small.dcm", "MR_small.dcm"})
    expect_every_tail_reads_or_fails_cleanly(test::sample_data_dir() / "pydicom" / real);
}

TEST(DicomStructureTest, ZeroPaddingIsTheEndOfTheFileOnlyWhileShorterThanATag) {
  const fs::path file = test::sample_data_dir() / "pydicom" / "MR_small.dcm";  // explicit VR
  auto bytes = test::read_bytes(file);
  const std::size_t end = bytes.size();
  test::TempDir dir;
  bytes.resize(end + 3, 0);
  write_prefix(dir / "pad3.dcm", bytes, bytes.size());
  EXPECT_EQ(dicom_truncation(dir / "pad3.dcm").value_or("(none)"), "(none)");
  bytes.resize(end + 4, 0);
  write_prefix(dir / "pad4.dcm", bytes, bytes.size());
  EXPECT_EQ(dicom_truncation(dir / "pad4.dcm").value_or("(none)"),
            "the file ends inside the element header at byte " + std::to_string(end));
}

TEST(DicomStructureTest, WhereTheFileIsCutIsNamed) {
  const fs::path file = test::sample_data_dir() / "pydicom" / "CT_small.dcm";
  const auto bytes = test::read_bytes(file);
  test::TempDir dir;
  auto problem_at = [&](std::size_t n) {
    write_prefix(dir / "cut.dcm", bytes, n);
    return dicom_truncation(dir / "cut.dcm").value_or("(none)");
  };
  // 132 bytes of preamble and "DICM", then (0002,0000) UL, 12 bytes: even an element boundary
  // inside the meta group is a cut (GDCM asserts on it).
  EXPECT_THAT(problem_at(132 + 12 + 6), HasSubstr("ends at byte 150, inside its meta header"));
  EXPECT_THAT(problem_at(132 + 12), HasSubstr("inside its meta header"));
  // The pixel data element (7FE0,0010) OW: cut inside its 12-byte header, then inside its value.
  const std::vector<std::uint8_t> tag{0xE0, 0x7F, 0x10, 0x00, 'O', 'W'};
  const auto at = static_cast<std::size_t>(
      std::search(bytes.begin(), bytes.end(), tag.begin(), tag.end()) - bytes.begin());
  ASSERT_LT(at, bytes.size());
  EXPECT_THAT(
      problem_at(at + 10),
      HasSubstr("ends inside the header of element (7FE0,0010) at byte " + std::to_string(at)));
  // Cut inside its value, it is left to the reader's pixel data check ("pixel data is short").
  EXPECT_EQ(problem_at(at + 1000), "(none)");
  EXPECT_EQ(problem_at(bytes.size()), "(none)");
}

TEST(DicomStructureTest, WholeFilesAndOtherFormatsPass) {
  test::TempDir dir;
  test::DicomSeriesSpec spec;
  spec.columns = 4;
  spec.rows = 3;
  spec.series_uid = "1.2.826.0.1.3680043.9.7777.60.1";
  test::DicomSlice s;
  s.file = "IM1.dcm";
  s.values.assign(12, 5);
  spec.slices.push_back(s);
  test::write_dicom_series(dir / "series", spec);
  EXPECT_FALSE(dicom_truncation(dir / "series" / "IM1.dcm"));
  test::write_volume(dir / "x.nii", {4, 3, 2}, std::vector<std::int16_t>(24, 1));
  EXPECT_FALSE(dicom_truncation(dir / "x.nii"));
  EXPECT_FALSE(dicom_truncation(dir / "missing.dcm"));
}

}  // namespace
}  // namespace samed2d
