// The DICOM pre-check (DicomPrecheck.hpp) on files damaged the way each of its rules was found:
// by the fuzz step (elements that make GDCM allocate gigabytes or assert) and by truncated
// downloads (GDCM asserts on a file cut inside an element header). Each must fail its case with
// one line naming the file, or be read whole; never abort the process.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/core/Errors.hpp"
#include "pipeline/core/Volume.hpp"
#include "pipeline/io/VolumeReader.hpp"
#include "pipeline/io/dicom/DicomPrecheck.hpp"
#include "support/DicomBytes.hpp"
#include "support/DicomWriter.hpp"
#include "support/TestData.hpp"

namespace samed2d {
namespace {

namespace fs = std::filesystem;
using test::write_bytes;
using ::testing::HasSubstr;
using Bytes = std::vector<std::uint8_t>;

fs::path sample(const char* name) {
  return test::sample_data_dir() / "pydicom" / name;
}

void put32(Bytes& b, std::size_t at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
}

// `bytes` with `more` put in at `at`.
Bytes inserted(Bytes bytes, std::size_t at, const Bytes& more) {
  bytes.insert(bytes.begin() + static_cast<std::ptrdiff_t>(at), more.begin(), more.end());
  return bytes;
}

// A small X-ray written by ITK/GDCM: implicit VR little endian with a file meta group.
Bytes xray(const fs::path& file) {
  test::DicomImage2D image;
  image.columns = 4;
  image.rows = 3;
  image.values.assign(12, 100);
  test::write_dicom_image(file, image);
  return test::read_bytes(file);
}

// Writes the X-ray (in `dir`) with `more` put before its pixel data as `dir` / `name`; where `more`
// went, or nothing when the X-ray has no pixel data element.
std::optional<std::size_t> xray_with_before_pixels(const fs::path& dir, const std::string& name,
                                                   const Bytes& more) {
  const Bytes bytes = xray(dir / "x.dcm");
  const auto pixels = test::find_dicom_element(bytes, 0x7FE0, 0x0010);
  if (!pixels.found) return std::nullopt;
  write_bytes(dir / name, inserted(bytes, pixels.at.header_offset, more));
  return pixels.at.header_offset;
}

// pydicom's MR_small.dcm: explicit VR little endian (the X-ray above is implicit VR); empty when
// the sample data is not there.
Bytes explicit_mr() {
  const fs::path mr = sample("MR_small.dcm");
  return fs::exists(mr) ? test::read_bytes(mr) : Bytes{};
}

std::string read_error(const fs::path& file) {
  std::vector<std::string> warnings;
  try {
    (void)read_volume(file, warnings);
  } catch (const InputError& e) {
    return e.what();
  }
  return "no InputError";
}

// read_error of `bytes` written to `file`.
std::string read_error(const fs::path& file, const Bytes& bytes) {
  write_bytes(file, bytes);
  return read_error(file);
}

// The message for an element of `file` that claims what cannot be.
std::string corrupt(const fs::path& file, const std::string& what) {
  return file.string() + ": " + what +
         "; the file is truncated or corrupt, re-download or re-export it";
}

// What dicom_fault says of `file`: "(none)", where it is cut, or "corrupt: " and what is wrong.
std::string fault_of(const fs::path& file) {
  const auto fault = dicom_fault(file);
  if (!fault) return "(none)";
  return fault->kind == DicomFault::Kind::Cut ? fault->what : "corrupt: " + fault->what;
}

// The first `n` bytes of `bytes` written to `file`.
void write_prefix(const fs::path& file, const Bytes& bytes, std::size_t n) {
  write_bytes(file, Bytes(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n)));
}

bool same_voxels(const Volume& a, const Volume& b) {
  return a.size() == b.size() && a.type() == b.type() && a.byte_size() == b.byte_size() &&
         std::memcmp(a.raw(), b.raw(), a.byte_size()) == 0;
}

// --- Elements that claim what cannot be --------------------------------------------------------

TEST(DicomPrecheckTest, SoundFilesPass) {
  test::TempDir dir;
  xray(dir / "x.dcm");
  EXPECT_TRUE(looks_like_dicom(dir / "x.dcm"));
  EXPECT_NO_THROW(check_dicom_before_gdcm(dir / "x.dcm"));
  test::write_dicom_multiframe(dir / "m.dcm", 3, 2, 4, std::vector<std::int16_t>(24, 7));
  EXPECT_NO_THROW(check_dicom_before_gdcm(dir / "m.dcm"));
  for (const char* real : {"CT_small.dcm", "MR_small.dcm"}) {
    const fs::path file = sample(real);
    if (!fs::exists(file)) continue;
    EXPECT_TRUE(looks_like_dicom(file)) << file;
    EXPECT_NO_THROW(check_dicom_before_gdcm(file)) << file;
  }
  test::write_volume<std::uint8_t>(dir / "a.mha", {2, 2, 1}, {1, 2, 3, 4}, 2);
  EXPECT_FALSE(looks_like_dicom(dir / "a.mha"));
}

// fuzz_volume_read found that a 3.9 KB DICOM file whose File Meta Information Version (0002,0001,
// OB) claimed 3640592452 bytes made GDCM allocate and zero-fill 3.6 GB while ITK merely asked it
// whether it reads the file (GDCMImageIO::CanReadFile).
TEST(DicomPrecheckTest, ElementLongerThanTheFileIsAnInputErrorBeforeGdcmAllocatesIt) {
  test::TempDir dir;
  Bytes bytes = xray(dir / "x.dcm");
  const auto version = test::find_dicom_element(bytes, 0x0002, 0x0001);
  ASSERT_TRUE(version.found);
  ASSERT_EQ(version.at.vr, "OB");
  put32(bytes, version.at.value_offset - 4, 3640592452u);
  const std::size_t follow = bytes.size() - version.at.value_offset;
  EXPECT_EQ(read_error(dir / "big.dcm", bytes),
            corrupt(dir / "big.dcm", "element (0002,0001) claims 3640592452 bytes but only " +
                                         std::to_string(follow) + " follow"));
}

// Then it found the same allocation (2.4 GB) for a data set element whose VR bytes were not a VR
// ("00"). GDCM reads such an element with its recovery readers for broken files, which the fuzz
// step later saw abort the process; the element is refused where it stands.
TEST(DicomPrecheckTest, ElementWithoutAVrInAnExplicitDataSetIsAnInputError) {
  const Bytes bytes = explicit_mr();
  if (bytes.empty()) GTEST_SKIP() << "no sample data (scripts/fetch-sample-data.sh)";
  test::TempDir dir;
  const auto first = test::find_dicom_element(bytes, 0x0008, 0x0008);
  ASSERT_TRUE(first.found);
  ASSERT_FALSE(first.at.vr.empty());  // an explicit VR data set
  const Bytes bad{0x4E, 0x52, 0x52, 0x44, '0', '0', 0x00, 0x90};
  const std::size_t at = first.at.header_offset;
  EXPECT_EQ(read_error(dir / "novr.dcm", inserted(bytes, at, bad)),
            corrupt(dir / "novr.dcm", "element (524E,4452) at byte " + std::to_string(at) +
                                          " has no value representation, though the data set is "
                                          "explicit VR"));
}

// The CI fuzz step: Pixel Data whose VR bytes were no VR, followed by two non-zero bytes, tripped
// GDCM's assertion in VR16ExplicitDataElement::ReadPreValue (from GDCMImageIO::CanReadFile) and
// aborted the process.
TEST(DicomPrecheckTest, PixelDataWithoutAVrIsAnInputErrorNotAnAbort) {
  Bytes bytes = explicit_mr();
  if (bytes.empty()) GTEST_SKIP() << "no sample data (scripts/fetch-sample-data.sh)";
  test::TempDir dir;
  const auto pixels = test::find_dicom_element(bytes, 0x7FE0, 0x0010);
  ASSERT_TRUE(pixels.found);
  ASSERT_EQ(pixels.at.vr.size(), 2u);
  const std::size_t at = pixels.at.header_offset;
  for (std::size_t i = 4; i < 8; ++i) bytes[at + i] = 0x18;
  EXPECT_EQ(read_error(dir / "pixels.dcm", bytes),
            corrupt(dir / "pixels.dcm", "element (7FE0,0010) at byte " + std::to_string(at) +
                                            " has no value representation, though the data set "
                                            "is explicit VR"));
}

// The fuzz step: a file whose first element after "DICM" was (2002,0000) instead of the meta
// group's (0002,0000). GDCM then guessed big endian and zero-filled a 3 GB element the little
// endian walk had not seen.
TEST(DicomPrecheckTest, PreambleWithoutAFileMetaGroupIsAnInputError) {
  test::TempDir dir;
  Bytes bytes = xray(dir / "x.dcm");
  ASSERT_EQ(std::string(bytes.begin() + 128, bytes.begin() + 132), "DICM");
  ASSERT_EQ(bytes[132], 0x02);
  ASSERT_EQ(bytes[133], 0x00);
  bytes[133] = 0x20;
  EXPECT_EQ(read_error(dir / "nometa.dcm", bytes),
            corrupt(dir / "nometa.dcm",
                    "no file meta group (0002,xxxx) after the DICM preamble, but element "
                    "(2002,0000)"));
}

// A sequence delimiter where no sequence is open makes GDCM's explicit reader give up on the data
// set and start its recovery readers from a wrong offset.
TEST(DicomPrecheckTest, SequenceDelimiterOutsideASequenceIsAnInputError) {
  test::TempDir dir;
  const auto at =
      xray_with_before_pixels(dir.path(), "delimiter.dcm", {0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0});
  ASSERT_TRUE(at);
  EXPECT_EQ(read_error(dir / "delimiter.dcm"),
            corrupt(dir / "delimiter.dcm", "a sequence delimiter (FFFE,E0DD) at byte " +
                                               std::to_string(*at) + " is outside any sequence"));
}

// An exploring fuzz run: (FFFE,9F00) in the data set, an item tag that is no item, sent GDCM to
// its recovery readers, which then zero-filled a 700 MB element.
TEST(DicomPrecheckTest, ItemGroupElementThatIsNoItemIsAnInputError) {
  test::TempDir dir;
  const auto at =
      xray_with_before_pixels(dir.path(), "odd.dcm", {0xFE, 0xFF, 0x00, 0x9F, 0, 0, 0, 0});
  ASSERT_TRUE(at);
  EXPECT_EQ(read_error(dir / "odd.dcm"),
            corrupt(dir / "odd.dcm", "(FFFE,9F00) at byte " + std::to_string(*at) +
                                         " is neither an item nor a delimiter"));
}

// What the refusal above must not catch: a VR UN sequence of undefined length (DICOM CP-246, common
// after anonymization) holds implicit VR items inside an explicit data set.
TEST(DicomPrecheckTest, ImplicitItemsOfAnUndefinedLengthUnSequenceAreRead) {
  const Bytes bytes = explicit_mr();
  if (bytes.empty()) GTEST_SKIP() << "no sample data (scripts/fetch-sample-data.sh)";
  test::TempDir dir;
  const auto pixels = test::find_dicom_element(bytes, 0x7FE0, 0x0010);
  ASSERT_TRUE(pixels.found);
  // (0009,1010) UN of undefined length; an item of undefined length holding the implicit VR
  // element (0009,1011) = "AB"; the item's end; the sequence's end.
  const Bytes un_sequence{0x09, 0x00, 0x10, 0x10, 'U',  'N',  0,    0,    0xFF, 0xFF, 0xFF, 0xFF,
                          0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF, 0x09, 0x00, 0x11, 0x10,
                          0x02, 0x00, 0x00, 0x00, 'A',  'B',  0xFE, 0xFF, 0x0D, 0xE0, 0,    0,
                          0,    0,    0xFE, 0xFF, 0xDD, 0xE0, 0,    0,    0,    0};
  write_bytes(dir / "cp246.dcm", inserted(bytes, pixels.at.header_offset, un_sequence));
  EXPECT_NO_THROW(check_dicom_before_gdcm(dir / "cp246.dcm"));
  std::vector<std::string> warnings;
  const Volume v = read_volume(dir / "cp246.dcm", warnings);
  EXPECT_EQ(v.size()[0], 64u);
  EXPECT_EQ(v.size()[1], 64u);
}

// And for an element after the pixel data (GDCM reads on past it): (2D88,A9CB) with no VR claimed
// 2974957190 bytes (in an implicit VR data set, where the 4 bytes after a tag are its length).
TEST(DicomPrecheckTest, ElementsAfterThePixelDataAreCheckedToo) {
  test::TempDir dir;
  Bytes bytes = xray(dir / "x.dcm");
  bytes = inserted(bytes, bytes.size(), {0x88, 0x2D, 0xCB, 0xA9, 0x86, 0x3E, 0x52, 0xB1});
  bytes.resize(bytes.size() + 130, 0);
  EXPECT_EQ(read_error(dir / "tail.dcm", bytes),
            corrupt(dir / "tail.dcm",
                    "element (2D88,A9CB) claims 2974957190 bytes but only 130 "
                    "follow"));
}

// And that a file meta element with letters that are no VR ("DE") aborted the process: GDCM's
// FileMetaInformation::Read asserts "Should not happen".
TEST(DicomPrecheckTest, FileMetaElementWithoutARealVrIsAnInputError) {
  test::TempDir dir;
  Bytes bytes = xray(dir / "x.dcm");
  const auto syntax = test::find_dicom_element(bytes, 0x0002, 0x0010);
  ASSERT_TRUE(syntax.found);
  ASSERT_EQ(syntax.at.vr, "UI");
  bytes[syntax.at.header_offset + 4] = 'D';
  bytes[syntax.at.header_offset + 5] = 'E';
  EXPECT_EQ(
      read_error(dir / "meta.dcm", bytes),
      corrupt(dir / "meta.dcm", "file meta element (0002,0010) has no DICOM value representation"));
}

TEST(DicomPrecheckTest, PixelDataBeyondMaxVoxelsIsRefusedAndShortPixelDataIsLeftToTheReader) {
  test::TempDir dir;
  Bytes bytes = xray(dir / "x.dcm");
  const auto pixels = test::find_dicom_element(bytes, 0x7FE0, 0x0010);
  ASSERT_TRUE(pixels.found);
  Bytes huge = bytes;
  put32(huge, pixels.at.value_offset - 4, 0xF0000000u);
  const std::uint64_t limit = max_voxels();
  set_max_voxels(1000);
  const std::string error = read_error(dir / "huge.dcm", huge);
  set_max_voxels(limit);
  EXPECT_EQ(error, corrupt(dir / "huge.dcm",
                           "pixel data claims 4026531840 bytes, more than --max-voxels (1000) "
                           "allows"));
  // Cut short: the reader's own message, which says how much is missing.
  bytes.resize(bytes.size() - 5);
  write_bytes(dir / "short.dcm", bytes);
  EXPECT_NO_THROW(check_dicom_before_gdcm(dir / "short.dcm"));
  EXPECT_NE(read_error(dir / "short.dcm").find("DICOM pixel data is short"), std::string::npos)
      << read_error(dir / "short.dcm");
}

// fuzz_volume_read found that a DICOM file whose Bits Stored exceeded its Bits Allocated aborted
// the process: GDCM's PixelFormat::GetScalarType asserts (gdcmAssertAlwaysMacro) while ITK's
// GDCMImageIO::ReadImageInformation asks for the pixel type.
TEST(DicomPrecheckTest, ImpossiblePixelDescriptionIsAnInputError) {
  test::TempDir dir;
  const Bytes sound = xray(dir / "x.dcm");
  const auto stored = test::find_dicom_element(sound, 0x0028, 0x0101);
  const auto representation = test::find_dicom_element(sound, 0x0028, 0x0103);
  ASSERT_TRUE(stored.found && representation.found);
  Bytes bytes = sound;
  bytes[stored.at.value_offset] = 17;  // Bits Allocated is 16
  bytes[stored.at.value_offset + 1] = 0;
  EXPECT_EQ(read_error(dir / "bits.dcm", bytes),
            corrupt(dir / "bits.dcm",
                    "Bits Stored (0028,0101) is 17 but Bits Allocated (0028,0100) is 16"));
  bytes = sound;
  bytes[representation.at.value_offset] = 7;
  EXPECT_EQ(read_error(dir / "sign.dcm", bytes),
            corrupt(dir / "sign.dcm", "Pixel Representation (0028,0103) is 7, not 0 or 1"));
  // A fuzz run of the finished suite: Samples per Pixel over 4 trips GDCM's assertion in
  // PixelFormat::SetSamplesPerPixel.
  const auto samples = test::find_dicom_element(sound, 0x0028, 0x0002);
  ASSERT_TRUE(samples.found);
  bytes = sound;
  bytes[samples.at.value_offset] = 5;
  EXPECT_EQ(read_error(dir / "samples.dcm", bytes),
            corrupt(dir / "samples.dcm", "Samples per Pixel (0028,0002) is 5, more than 4"));
}

TEST(DicomPrecheckTest, AbsurdlyDeepSequencesAreAnInputError) {
  test::TempDir dir;
  const Bytes bytes = xray(dir / "x.dcm");
  const auto pixels = test::find_dicom_element(bytes, 0x7FE0, 0x0010);
  ASSERT_TRUE(pixels.found);
  // 100 nested sequences of undefined length, each holding one item of undefined length, put
  // before the pixel data (a private tag; SQ when the data set has explicit VRs).
  const bool explicit_vr = !pixels.at.vr.empty();
  Bytes nest;
  for (int level = 0; level < 100; ++level) {
    nest.insert(nest.end(), {0x09, 0x00, 0x10, 0x10});
    if (explicit_vr) nest.insert(nest.end(), {'S', 'Q', 0, 0});
    nest.insert(nest.end(), {0xFF, 0xFF, 0xFF, 0xFF});
    nest.insert(nest.end(), {0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF});
  }
  const std::string error =
      read_error(dir / "deep.dcm", inserted(bytes, pixels.at.header_offset, nest));
  EXPECT_NE(error.find(": sequences nest more than 64 deep at byte "), std::string::npos) << error;
}

// GDCM asserts on a long VR whose two reserved bytes are not zero, which is noted like a cut; an
// element further on that claims what cannot be is still what the file is refused for, as it was
// when the lengths were checked in a walk of their own before the cuts.
TEST(DicomPrecheckTest, ReservedBytesAreRefusedButAClaimFurtherOnComesFirst) {
  test::TempDir dir;
  Bytes bytes = xray(dir / "x.dcm");
  const auto version = test::find_dicom_element(bytes, 0x0002, 0x0001);
  ASSERT_TRUE(version.found);
  ASSERT_EQ(version.at.vr, "OB");
  bytes[version.at.header_offset + 7] = 1;
  write_bytes(dir / "reserved.dcm", bytes);
  EXPECT_EQ(fault_of(dir / "reserved.dcm"), "element (0002,0001) at byte " +
                                                std::to_string(version.at.header_offset) +
                                                " has non-zero reserved bytes after its VR OB");
  bytes = inserted(bytes, bytes.size(), {0x88, 0x2D, 0xCB, 0xA9, 0x86, 0x3E, 0x52, 0xB1});
  EXPECT_EQ(read_error(dir / "both.dcm", bytes),
            corrupt(dir / "both.dcm",
                    "element (2D88,A9CB) claims 2974957190 bytes but only 0 "
                    "follow"));
}

// --- Files cut short ---------------------------------------------------------------------------

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
    if (const auto fault = dicom_fault(cut); fault && fault->kind == DicomFault::Kind::Cut)
      ++flagged;
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
  EXPECT_EQ(fault_of(file), "(none)");
}

TEST(DicomPrecheckTest, RealCtSliceCutAnywhereNeverAborts) {
  expect_every_cut_fails_cleanly(sample("CT_small.dcm"), 1500);
}

TEST(DicomPrecheckTest, RealMrSliceCutAnywhereNeverAborts) {
  expect_every_cut_fails_cleanly(sample("MR_small.dcm"), 1500);
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
      write_bytes(tail, grown);
      try {
        const Volume v = read_volume(tail, warnings);
        EXPECT_TRUE(same_voxels(v, whole)) << file << " + " << n << " bytes read as another image";
      } catch (const InputError& e) {
        EXPECT_THAT(e.what(), HasSubstr(tail.string())) << n << " bytes";
      }
    }
  }
}

TEST(DicomPrecheckTest, RealSlicesWithBytesAfterTheLastElementNeverAbort) {
  for (const char* real : {"CT_small.dcm", "MR_small.dcm"})
    expect_every_tail_reads_or_fails_cleanly(sample(real));
}

TEST(DicomPrecheckTest, ZeroPaddingIsTheEndOfTheFileOnlyWhileShorterThanATag) {
  auto bytes = test::read_bytes(sample("MR_small.dcm"));  // explicit VR
  const std::size_t end = bytes.size();
  test::TempDir dir;
  bytes.resize(end + 3, 0);
  write_bytes(dir / "pad3.dcm", bytes);
  EXPECT_EQ(fault_of(dir / "pad3.dcm"), "(none)");
  bytes.resize(end + 4, 0);
  write_bytes(dir / "pad4.dcm", bytes);
  EXPECT_EQ(fault_of(dir / "pad4.dcm"),
            "the file ends inside the element header at byte " + std::to_string(end));
}

TEST(DicomPrecheckTest, WhereTheFileIsCutIsNamed) {
  const auto bytes = test::read_bytes(sample("CT_small.dcm"));
  test::TempDir dir;
  auto problem_at = [&](std::size_t n) {
    write_prefix(dir / "cut.dcm", bytes, n);
    return fault_of(dir / "cut.dcm");
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

TEST(DicomPrecheckTest, WholeFilesAndOtherFormatsPass) {
  test::TempDir dir;
  test::write_dicom_series(
      dir / "series",
      test::one_slice_series("IM1.dcm", 4, 3, 5, "1.2.826.0.1.3680043.9.7777.60.1"));
  EXPECT_EQ(fault_of(dir / "series" / "IM1.dcm"), "(none)");
  test::write_volume(dir / "x.nii", {4, 3, 2}, std::vector<std::int16_t>(24, 1));
  EXPECT_EQ(fault_of(dir / "x.nii"), "(none)");
  EXPECT_EQ(fault_of(dir / "missing.dcm"), "(none)");
}

}  // namespace
}  // namespace samed2d
