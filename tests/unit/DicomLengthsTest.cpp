#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "pipeline/core/Errors.hpp"
#include "pipeline/core/Volume.hpp"
#include "pipeline/io/VolumeReader.hpp"
#include "pipeline/io/dicom/DicomLengths.hpp"
#include "support/DicomBytes.hpp"
#include "support/DicomWriter.hpp"
#include "support/TestData.hpp"

namespace samed2d {
namespace {

namespace fs = std::filesystem;
using test::write_bytes;
using Bytes = std::vector<std::uint8_t>;

void put32(Bytes& b, std::size_t at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
}

// A small X-ray written by ITK/GDCM: explicit VR little endian with a file meta group.
Bytes xray(const fs::path& file) {
  test::DicomImage2D image;
  image.columns = 4;
  image.rows = 3;
  image.values.assign(12, 100);
  test::write_dicom_image(file, image);
  return test::read_bytes(file);
}

// pydicom's MR_small.dcm: explicit VR little endian (the X-ray above is implicit VR); empty when
// the sample data is not there.
Bytes explicit_mr() {
  const fs::path mr = test::sample_data_dir() / "pydicom" / "MR_small.dcm";
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

TEST(DicomLengthsTest, SoundFilesPass) {
  test::TempDir dir;
  xray(dir / "x.dcm");
  EXPECT_TRUE(looks_like_dicom(dir / "x.dcm"));
  EXPECT_NO_THROW(check_dicom_element_lengths(dir / "x.dcm"));
  test::write_dicom_multiframe(dir / "m.dcm", 3, 2, 4, std::vector<std::int16_t>(24, 7));
  EXPECT_NO_THROW(check_dicom_element_lengths(dir / "m.dcm"));
  for (const char* real : {"pydicom/CT_small.dcm", "pydicom/MR_small.dcm"}) {
    const fs::path file = test::sample_data_dir() / real;
    if (!fs::exists(file)) continue;
    EXPECT_TRUE(looks_like_dicom(file)) << file;
    EXPECT_NO_THROW(check_dicom_element_lengths(file)) << file;
  }
  test::write_volume<std::uint8_t>(dir / "a.mha", {2, 2, 1}, {1, 2, 3, 4}, 2);
  EXPECT_FALSE(looks_like_dicom(dir / "a.mha"));
}

// fuzz_volume_read found that a 3.9 KB DICOM file whose File Meta Information Version (0002,0001,
// OB) claimed 3640592452 bytes made GDCM allocate and zero-fill 3.6 GB while ITK merely asked it
// whether it reads the file (GDCMImageIO::CanReadFile).
TEST(DicomLengthsTest, ElementLongerThanTheFileIsAnInputErrorBeforeGdcmAllocatesIt) {
  test::TempDir dir;
  Bytes bytes = xray(dir / "x.dcm");
  const auto version = test::find_dicom_element(bytes, 0x0002, 0x0001);
  ASSERT_TRUE(version.found);
  ASSERT_EQ(version.at.vr, "OB");
  put32(bytes, version.at.value_offset - 4, 3640592452u);
  write_bytes(dir / "big.dcm", bytes);
  const std::size_t follow = bytes.size() - version.at.value_offset;
  const std::string want = (dir / "big.dcm").string() +
                           ": element (0002,0001) claims 3640592452 bytes but only " +
                           std::to_string(follow) +
                           " follow; the file is truncated or corrupt, re-download or re-export it";
  EXPECT_EQ(read_error(dir / "big.dcm"), want);
}

// Then it found the same allocation (2.4 GB) for a data set element whose VR bytes were not a VR
// ("00"). GDCM reads such an element with its recovery readers for broken files, which the fuzz
// step later saw abort the process; the element is refused where it stands.
TEST(DicomLengthsTest, ElementWithoutAVrInAnExplicitDataSetIsAnInputError) {
  Bytes bytes = explicit_mr();
  if (bytes.empty()) GTEST_SKIP() << "no sample data (scripts/fetch-sample-data.sh)";
  test::TempDir dir;
  const auto first = test::find_dicom_element(bytes, 0x0008, 0x0008);
  ASSERT_TRUE(first.found);
  ASSERT_FALSE(first.at.vr.empty());  // an explicit VR data set
  const Bytes bad{0x4E, 0x52, 0x52, 0x44, '0', '0', 0x00, 0x90};
  bytes.insert(bytes.begin() + static_cast<std::ptrdiff_t>(first.at.header_offset), bad.begin(),
               bad.end());
  write_bytes(dir / "novr.dcm", bytes);
  EXPECT_EQ(read_error(dir / "novr.dcm"),
            (dir / "novr.dcm").string() + ": element (524E,4452) at byte " +
                std::to_string(first.at.header_offset) +
                " has no value representation, though the data set is explicit VR; the file is "
                "truncated or corrupt, re-download or re-export it");
}

// The CI fuzz step: Pixel Data whose VR bytes were no VR, followed by two non-zero bytes, tripped
// GDCM's assertion in VR16ExplicitDataElement::ReadPreValue (from GDCMImageIO::CanReadFile) and
// aborted the process.
TEST(DicomLengthsTest, PixelDataWithoutAVrIsAnInputErrorNotAnAbort) {
  Bytes bytes = explicit_mr();
  if (bytes.empty()) GTEST_SKIP() << "no sample data (scripts/fetch-sample-data.sh)";
  test::TempDir dir;
  const auto pixels = test::find_dicom_element(bytes, 0x7FE0, 0x0010);
  ASSERT_TRUE(pixels.found);
  ASSERT_EQ(pixels.at.vr.size(), 2u);
  const std::size_t at = pixels.at.header_offset;
  for (std::size_t i = 4; i < 8; ++i) bytes[at + i] = 0x18;
  write_bytes(dir / "pixels.dcm", bytes);
  EXPECT_EQ(read_error(dir / "pixels.dcm"),
            (dir / "pixels.dcm").string() + ": element (7FE0,0010) at byte " + std::to_string(at) +
                " has no value representation, though the data set is explicit VR; the file is "
                "truncated or corrupt, re-download or re-export it");
}

// The fuzz step: a file whose first element after "DICM" was (2002,0000) instead of the meta
// group's (0002,0000). GDCM then guessed big endian and zero-filled a 3 GB element the little
// endian walk had not seen.
TEST(DicomLengthsTest, PreambleWithoutAFileMetaGroupIsAnInputError) {
  test::TempDir dir;
  Bytes bytes = xray(dir / "x.dcm");
  ASSERT_EQ(std::string(bytes.begin() + 128, bytes.begin() + 132), "DICM");
  ASSERT_EQ(bytes[132], 0x02);
  ASSERT_EQ(bytes[133], 0x00);
  bytes[133] = 0x20;
  write_bytes(dir / "nometa.dcm", bytes);
  EXPECT_EQ(read_error(dir / "nometa.dcm"),
            (dir / "nometa.dcm").string() +
                ": no file meta group (0002,xxxx) after the DICM preamble, but element "
                "(2002,0000); the file is truncated or corrupt, re-download or re-export it");
}

// A sequence delimiter where no sequence is open makes GDCM's explicit reader give up on the data
// set and start its recovery readers from a wrong offset.
TEST(DicomLengthsTest, SequenceDelimiterOutsideASequenceIsAnInputError) {
  test::TempDir dir;
  Bytes bytes = xray(dir / "x.dcm");
  const auto pixels = test::find_dicom_element(bytes, 0x7FE0, 0x0010);
  ASSERT_TRUE(pixels.found);
  const Bytes delimiter{0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0};
  bytes.insert(bytes.begin() + static_cast<std::ptrdiff_t>(pixels.at.header_offset),
               delimiter.begin(), delimiter.end());
  write_bytes(dir / "delimiter.dcm", bytes);
  EXPECT_EQ(read_error(dir / "delimiter.dcm"),
            (dir / "delimiter.dcm").string() + ": a sequence delimiter (FFFE,E0DD) at byte " +
                std::to_string(pixels.at.header_offset) +
                " is outside any sequence; the file is truncated or corrupt, re-download or "
                "re-export it");
}

// An exploring fuzz run: (FFFE,9F00) in the data set, an item tag that is no item, sent GDCM to
// its recovery readers, which then zero-filled a 700 MB element.
TEST(DicomLengthsTest, ItemGroupElementThatIsNoItemIsAnInputError) {
  test::TempDir dir;
  Bytes bytes = xray(dir / "x.dcm");
  const auto pixels = test::find_dicom_element(bytes, 0x7FE0, 0x0010);
  ASSERT_TRUE(pixels.found);
  const Bytes odd{0xFE, 0xFF, 0x00, 0x9F, 0, 0, 0, 0};
  bytes.insert(bytes.begin() + static_cast<std::ptrdiff_t>(pixels.at.header_offset), odd.begin(),
               odd.end());
  write_bytes(dir / "odd.dcm", bytes);
  EXPECT_EQ(read_error(dir / "odd.dcm"),
            (dir / "odd.dcm").string() + ": (FFFE,9F00) at byte " +
                std::to_string(pixels.at.header_offset) +
                " is neither an item nor a delimiter; the file is truncated or corrupt, "
                "re-download or re-export it");
}

// What the refusal above must not catch: a VR UN sequence of undefined length (DICOM CP-246, common
// after anonymization) holds implicit VR items inside an explicit data set.
TEST(DicomLengthsTest, ImplicitItemsOfAnUndefinedLengthUnSequenceAreRead) {
  Bytes bytes = explicit_mr();
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
  bytes.insert(bytes.begin() + static_cast<std::ptrdiff_t>(pixels.at.header_offset),
               un_sequence.begin(), un_sequence.end());
  write_bytes(dir / "cp246.dcm", bytes);
  EXPECT_NO_THROW(check_dicom_element_lengths(dir / "cp246.dcm"));
  std::vector<std::string> warnings;
  const Volume v = read_volume(dir / "cp246.dcm", warnings);
  EXPECT_EQ(v.size()[0], 64u);
  EXPECT_EQ(v.size()[1], 64u);
}

// And for an element after the pixel data (GDCM reads on past it): (2D88,A9CB) with no VR claimed
// 2974957190 bytes (in an implicit VR data set, where the 4 bytes after a tag are its length).
TEST(DicomLengthsTest, ElementsAfterThePixelDataAreCheckedToo) {
  test::TempDir dir;
  Bytes bytes = xray(dir / "x.dcm");
  const Bytes bad{0x88, 0x2D, 0xCB, 0xA9, 0x86, 0x3E, 0x52, 0xB1};
  bytes.insert(bytes.end(), bad.begin(), bad.end());
  bytes.resize(bytes.size() + 130, 0);
  write_bytes(dir / "tail.dcm", bytes);
  EXPECT_EQ(read_error(dir / "tail.dcm"),
            (dir / "tail.dcm").string() +
                ": element (2D88,A9CB) claims 2974957190 bytes but only 130 follow; the file is "
                "truncated or corrupt, re-download or re-export it");
}

// And that a file meta element with letters that are no VR ("DE") aborted the process: GDCM's
// FileMetaInformation::Read asserts "Should not happen".
TEST(DicomLengthsTest, FileMetaElementWithoutARealVrIsAnInputError) {
  test::TempDir dir;
  Bytes bytes = xray(dir / "x.dcm");
  const auto syntax = test::find_dicom_element(bytes, 0x0002, 0x0010);
  ASSERT_TRUE(syntax.found);
  ASSERT_EQ(syntax.at.vr, "UI");
  bytes[syntax.at.header_offset + 4] = 'D';
  bytes[syntax.at.header_offset + 5] = 'E';
  write_bytes(dir / "meta.dcm", bytes);
  EXPECT_EQ(read_error(dir / "meta.dcm"),
            (dir / "meta.dcm").string() +
                ": file meta element (0002,0010) has no DICOM value representation; the file is "
                "truncated or corrupt, re-download or re-export it");
}

TEST(DicomLengthsTest, PixelDataBeyondMaxVoxelsIsRefusedAndShortPixelDataIsLeftToTheReader) {
  test::TempDir dir;
  Bytes bytes = xray(dir / "x.dcm");
  const auto pixels = test::find_dicom_element(bytes, 0x7FE0, 0x0010);
  ASSERT_TRUE(pixels.found);
  Bytes huge = bytes;
  put32(huge, pixels.at.value_offset - 4, 0xF0000000u);
  write_bytes(dir / "huge.dcm", huge);
  const std::uint64_t limit = max_voxels();
  set_max_voxels(1000);
  const std::string error = read_error(dir / "huge.dcm");
  set_max_voxels(limit);
  EXPECT_EQ(error, (dir / "huge.dcm").string() +
                       ": pixel data claims 4026531840 bytes, more than --max-voxels (1000) "
                       "allows; the file is truncated or corrupt, re-download or re-export it");
  // Cut short: the reader's own message, which says how much is missing.
  bytes.resize(bytes.size() - 5);
  write_bytes(dir / "short.dcm", bytes);
  EXPECT_NO_THROW(check_dicom_element_lengths(dir / "short.dcm"));
  EXPECT_NE(read_error(dir / "short.dcm").find("DICOM pixel data is short"), std::string::npos)
      << read_error(dir / "short.dcm");
}

// fuzz_volume_read found that a DICOM file whose Bits Stored exceeded its Bits Allocated aborted
// the process: GDCM's PixelFormat::GetScalarType asserts (gdcmAssertAlwaysMacro) while ITK's
// GDCMImageIO::ReadImageInformation asks for the pixel type.
TEST(DicomLengthsTest, ImpossiblePixelDescriptionIsAnInputError) {
  test::TempDir dir;
  const Bytes sound = xray(dir / "x.dcm");
  const auto stored = test::find_dicom_element(sound, 0x0028, 0x0101);
  const auto representation = test::find_dicom_element(sound, 0x0028, 0x0103);
  ASSERT_TRUE(stored.found && representation.found);
  Bytes bytes = sound;
  bytes[stored.at.value_offset] = 17;  // Bits Allocated is 16
  bytes[stored.at.value_offset + 1] = 0;
  write_bytes(dir / "bits.dcm", bytes);
  EXPECT_EQ(read_error(dir / "bits.dcm"),
            (dir / "bits.dcm").string() +
                ": Bits Stored (0028,0101) is 17 but Bits Allocated (0028,0100) is 16; the file is "
                "truncated or corrupt, re-download or re-export it");
  bytes = sound;
  bytes[representation.at.value_offset] = 7;
  write_bytes(dir / "sign.dcm", bytes);
  EXPECT_EQ(read_error(dir / "sign.dcm"),
            (dir / "sign.dcm").string() +
                ": Pixel Representation (0028,0103) is 7, not 0 or 1; the file is truncated or "
                "corrupt, re-download or re-export it");
  // A fuzz run of the finished suite: Samples per Pixel over 4 trips GDCM's assertion in
  // PixelFormat::SetSamplesPerPixel.
  const auto samples = test::find_dicom_element(sound, 0x0028, 0x0002);
  ASSERT_TRUE(samples.found);
  bytes = sound;
  bytes[samples.at.value_offset] = 5;
  write_bytes(dir / "samples.dcm", bytes);
  EXPECT_EQ(read_error(dir / "samples.dcm"),
            (dir / "samples.dcm").string() +
                ": Samples per Pixel (0028,0002) is 5, more than 4; the file is truncated or "
                "corrupt, re-download or re-export it");
}

TEST(DicomLengthsTest, AbsurdlyDeepSequencesAreAnInputError) {
  test::TempDir dir;
  Bytes bytes = xray(dir / "x.dcm");
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
  bytes.insert(bytes.begin() + static_cast<std::ptrdiff_t>(pixels.at.header_offset), nest.begin(),
               nest.end());
  write_bytes(dir / "deep.dcm", bytes);
  const std::string error = read_error(dir / "deep.dcm");
  EXPECT_NE(error.find(": sequences nest more than 64 deep at byte "), std::string::npos) << error;
}

}  // namespace
}  // namespace samed2d
