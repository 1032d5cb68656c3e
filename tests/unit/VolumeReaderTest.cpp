#include <gtest/gtest.h>
#include <itkImage.h>
#include <itkImageFileReader.h>
#include <itkImageFileWriter.h>
#include <png.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <limits>
#include <thread>

#include "pipeline/core/Errors.hpp"
#include "pipeline/core/Volume.hpp"
#include "pipeline/io/VolumeReader.hpp"
#include "support/DicomBytes.hpp"
#include "support/HandWrittenFiles.hpp"
#include "support/TestData.hpp"
#include "support/VolumeValues.hpp"

namespace samed2d {
namespace {

using test::get;
using test::gunzip;
using test::PngSpec;
using test::put;
using test::TempDir;
using test::write_bytes;
using test::write_png;
namespace fs = std::filesystem;

// ---- helpers ----

Volume read(const fs::path& file) {
  std::vector<std::string> warnings;
  Volume v = read_volume(file, warnings);
  EXPECT_TRUE(warnings.empty()) << file << ": " << (warnings.empty() ? "" : warnings[0]);
  return v;
}

// The error message of read_volume, checked to be one line naming the file.
std::string error_of(const fs::path& file) {
  std::vector<std::string> warnings;
  try {
    (void)read_volume(file, warnings);
  } catch (const InputError& e) {
    const std::string msg = e.what();
    EXPECT_EQ(msg.rfind(file.string() + ": ", 0), 0u) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
    return msg;
  }
  ADD_FAILURE() << file << ": no InputError";
  return {};
}

// Decodes a NIfTI-1 int16/uint8 file by hand: voxels after vox_offset, in file byte order.
template <class T>
std::vector<T> decode_nifti1(const std::vector<unsigned char>& raw, std::size_t count) {
  const bool be = get<std::int32_t>(raw, 0, false) != 348;
  const auto offset = static_cast<std::size_t>(get<float>(raw, 108, be));
  std::vector<T> out(count);
  for (std::size_t e = 0; e < count; ++e) out[e] = get<T>(raw, offset + e * sizeof(T), be);
  return out;
}

template <class T, unsigned D>
void write_itk(const fs::path& file, const std::array<std::size_t, D>& size,
               const std::vector<T>& values, bool compress = false) {
  using Image = itk::Image<T, D>;
  auto image = Image::New();
  typename Image::RegionType region;
  for (unsigned d = 0; d < D; ++d) region.SetSize(d, size[d]);
  image->SetRegions(region);
  image->Allocate();
  std::copy(values.begin(), values.end(), image->GetBufferPointer());
  auto writer = itk::ImageFileWriter<Image>::New();
  writer->SetFileName(file.string());
  writer->SetInput(image);
  writer->SetUseCompression(compress);
  writer->Update();
}

// ---- volumes: MetaImage, NRRD ----

template <class T>
void expect_round_trip(const fs::path& file, double start, double step) {
  const std::array<std::size_t, 3> size{6, 5, 4};
  const auto values = test::ramp<T>(120, start, step);
  test::write_volume<T>(file, size, values, 3, {0.5, 0.75, 2.5}, {-10, 20, 30.5});
  const Volume v = read(file);
  EXPECT_EQ(v.type(), voxel_type_of<T>()) << file;
  EXPECT_EQ(v.size(), size) << file;
  EXPECT_EQ(v.components(), 1u);
  EXPECT_EQ(v.stored_dimensions, 3u);
  EXPECT_EQ(test::values_of<T>(v), values) << file;
  EXPECT_EQ(v.geometry.spacing, (std::array<double, 3>{0.5, 0.75, 2.5})) << file;
  EXPECT_EQ(v.geometry.origin, (std::array<double, 3>{-10, 20, 30.5})) << file;
}

TEST(VolumeReader, MetaImageAndNrrdKeepVoxelTypeAndValues) {
  TempDir dir;
  for (const char* ext : {".mha", ".mhd", ".nrrd", ".nhdr", ".nii", ".nii.gz"}) {
    expect_round_trip<std::int16_t>(dir / (std::string("s") + ext), -1000, 37);
    expect_round_trip<std::uint8_t>(dir / (std::string("u") + ext), 0, 2);
    expect_round_trip<float>(dir / (std::string("f") + ext), -3.5, 0.125);
    expect_round_trip<double>(dir / (std::string("d") + ext), 1e10, -3.3e8);
  }
  // .mhd and .nhdr keep their data in a detached file.
  EXPECT_TRUE(fs::exists(dir / "s.raw"));
  bool nhdr_detached = false;
  for (const auto& e : fs::directory_iterator(dir.path()))
    nhdr_detached |= e.path().filename().string().rfind("s.raw", 0) == 0 ||
                     e.path().filename().string().rfind("s.nhdr.", 0) == 0;
  EXPECT_TRUE(nhdr_detached);
}

TEST(VolumeReader, CompressedMetaImage) {
  TempDir dir;
  const auto file = dir / "c.mhd";
  const auto values = test::ramp<std::uint16_t>(7 * 3 * 2, 5, 1111);
  write_itk<std::uint16_t, 3>(file, {7, 3, 2}, values, true);
  ASSERT_TRUE(fs::exists(dir / "c.zraw"));
  const Volume v = read(file);
  EXPECT_EQ(v.type(), VoxelType::UInt16);
  EXPECT_EQ(test::values_of<std::uint16_t>(v), values);
}

TEST(VolumeReader, FourDimensionalMetaImageGivesNonInterleavedComponents) {
  TempDir dir;
  const auto file = dir / "t.mha";
  const auto values = test::ramp<std::int16_t>(3 * 2 * 2 * 4, -50, 3);
  write_itk<std::int16_t, 4>(file, {3, 2, 2, 4}, values);
  const Volume v = read(file);
  EXPECT_EQ(v.size(), (std::array<std::size_t, 3>{3, 2, 2}));
  EXPECT_EQ(v.components(), 4u);
  EXPECT_EQ(v.voxel_stride(), 1u);
  EXPECT_EQ(v.component_stride(), 12u);
  EXPECT_EQ(v.stored_dimensions, 4u);
  // voxel (i, j, k) of volume t sits at i + 3 * (j + 2 * (k + 2 * t)) in the file's order.
  const auto* p = v.data<std::int16_t>();
  EXPECT_EQ(p[2 * v.component_stride() + (1 + 3 * (0 + 2 * 1))],
            values[1 + 3 * (0 + 2 * (1 + 2 * 2))]);
  EXPECT_EQ(test::values_of<std::int16_t>(v), values);
}

// ---- NIfTI, real files ----

TEST(VolumeReader, Colin27MatchesAnIndependentDecode) {
  const auto file = test::sample_data_dir() / "colin27/ch2.nii.gz";
  if (!fs::exists(file)) GTEST_SKIP() << "sample data not fetched";
  const Volume v = read(file);
  ASSERT_EQ(v.type(), VoxelType::UInt8);
  ASSERT_EQ(v.size(), (std::array<std::size_t, 3>{181, 217, 181}));
  const auto raw = gunzip(file);
  const auto expected = decode_nifti1<std::uint8_t>(raw, v.voxel_count());
  const auto* p = v.data<std::uint8_t>();
  for (std::size_t idx : {std::size_t{0}, std::size_t{90 + 181 * (108 + 217 * 90)},
                          std::size_t{45 + 181 * (150 + 217 * 30)}, v.voxel_count() - 1})
    EXPECT_EQ(p[idx], expected[idx]) << idx;
  EXPECT_EQ(test::values_of<std::uint8_t>(v), expected);
  EXPECT_NE(*std::max_element(p, p + v.voxel_count()), 0);
}

TEST(VolumeReader, Example4dHasTwoNonInterleavedComponents) {
  const auto file = test::sample_data_dir() / "nibabel/example4d.nii.gz";
  if (!fs::exists(file)) GTEST_SKIP() << "sample data not fetched";
  const Volume v = read(file);
  ASSERT_EQ(v.type(), VoxelType::Int16);
  EXPECT_EQ(v.size(), (std::array<std::size_t, 3>{128, 96, 24}));
  EXPECT_EQ(v.components(), 2u);
  EXPECT_EQ(v.component_stride(), v.voxel_count());
  EXPECT_EQ(v.stored_dimensions, 4u);
  EXPECT_EQ(test::values_of<std::int16_t>(v),
            decode_nifti1<std::int16_t>(gunzip(file), 2 * v.voxel_count()));
}

TEST(VolumeReader, Nifti2SampleIsRead) {
  const auto file = test::sample_data_dir() / "nibabel/example_nifti2.nii.gz";
  if (!fs::exists(file)) GTEST_SKIP() << "sample data not fetched";
  const Volume v = read(file);
  EXPECT_EQ(v.type(), VoxelType::Int16);
  EXPECT_EQ(v.size(), (std::array<std::size_t, 3>{32, 20, 12}));
  EXPECT_EQ(v.components(), 2u);
  const auto raw = gunzip(file);
  const auto offset = static_cast<std::size_t>(get<std::int64_t>(raw, 168, false));
  const auto* p = v.data<std::int16_t>();
  for (std::size_t e : {std::size_t{0}, std::size_t{5000}, v.element_count() - 1})
    EXPECT_EQ(p[e], get<std::int16_t>(raw, offset + 2 * e, false)) << e;
}

// ---- NIfTI scl_slope / scl_inter ----

TEST(VolumeReader, NiftiScalingGivesPhysicalValues) {
  const auto src = test::sample_data_dir() / "nibabel/anatomical.nii";  // big-endian int16
  if (!fs::exists(src)) GTEST_SKIP() << "sample data not fetched";
  TempDir dir;
  auto raw = test::read_bytes(src);
  ASSERT_EQ(get<std::int16_t>(raw, 70, true), 4);
  put<float>(raw, 112, 2.0f, true);
  put<float>(raw, 116, -5.0f, true);
  const auto file = dir / "scaled.nii";
  write_bytes(file, raw);
  const Volume v = read(file);
  const auto stored = decode_nifti1<std::int16_t>(raw, 33 * 41 * 25);
  ASSERT_EQ(v.type(), VoxelType::Float32);  // every 2v-5 of an int16 is a float
  for (std::size_t e = 0; e < stored.size(); ++e)
    ASSERT_EQ(v.data<float>()[e], 2.0f * stored[e] - 5.0f) << e;

  // What ITK 5.2 does with the same file: promotes to float and applies the scaling itself.
  using Image = itk::Image<float, 3>;
  auto reader = itk::ImageFileReader<Image>::New();
  reader->SetFileName(file.string());
  reader->Update();
  EXPECT_EQ(reader->GetImageIO()->GetComponentType(), itk::IOComponentEnum::FLOAT);
  EXPECT_EQ(reader->GetOutput()->GetBufferPointer()[7], 2.0f * stored[7] - 5.0f);
}

TEST(VolumeReader, RealScaledNiftiIsFloat64WhenFloatCannotHoldIt) {
  const auto file = test::sample_data_dir() / "nibabel/functional.nii";
  if (!fs::exists(file)) GTEST_SKIP() << "sample data not fetched";
  const auto raw = test::read_bytes(file);
  const bool be = get<std::int32_t>(raw, 0, false) != 348;
  const double slope = get<float>(raw, 112, be), inter = get<float>(raw, 116, be);
  ASSERT_NE(slope, 1.0);
  const Volume v = read(file);
  ASSERT_EQ(v.type(), VoxelType::Float64);
  EXPECT_EQ(v.components(), 20u);
  const auto stored = decode_nifti1<std::int16_t>(raw, v.element_count());
  for (std::size_t e = 0; e < stored.size(); ++e)
    ASSERT_EQ(v.data<double>()[e], stored[e] * slope + inter) << e;
}

// ---- the two traps of Debian's ITK 5.2 ----

TEST(VolumeReader, ReadsTheNamedFileNotItsSiblingWithTheOtherExtension) {
  TempDir dir;
  const std::array<std::size_t, 3> size{4, 3, 2};
  const auto a = test::ramp<std::int16_t>(24, 0, 1);
  const auto b = test::ramp<std::int16_t>(24, 500, -7);
  test::write_volume<std::int16_t>(dir / "X.nii", size, a, 3, {1, 1, 1});
  test::write_volume<std::int16_t>(dir / "X.nii.gz", size, b, 3, {2, 2, 2});
  const Volume gz = read(dir / "X.nii.gz");
  EXPECT_EQ(test::values_of<std::int16_t>(gz), b);
  EXPECT_EQ(gz.geometry.spacing[0], 2.0);
  const Volume plain = read(dir / "X.nii");
  EXPECT_EQ(test::values_of<std::int16_t>(plain), a);
  EXPECT_EQ(plain.geometry.spacing[0], 1.0);
}

TEST(VolumeReader, NonOrthonormalSformFallsBackWithAWarning) {
  TempDir dir;
  const auto file = dir / "shear.nii";
  const std::array<std::size_t, 3> size{5, 4, 3};
  const auto values = test::ramp<std::int16_t>(60, -30, 11);
  test::write_volume<std::int16_t>(file, size, values);
  auto raw = test::read_bytes(file);
  ASSERT_EQ(get<std::int32_t>(raw, 0, false), 348);
  const float srow[12] = {1, 0.5f, 0, 3, 0, 1, 0.3f, 4, 0.2f, 0, 1, 5};  // sheared
  for (int r = 0; r < 12; ++r) put<float>(raw, 280 + 4 * r, srow[r], false);
  put<std::int16_t>(raw, 252, 0, false);  // qform_code
  put<std::int16_t>(raw, 254, 1, false);  // sform_code
  write_bytes(file, raw);

  using Image = itk::Image<std::int16_t, 3>;
  auto reader = itk::ImageFileReader<Image>::New();
  reader->SetFileName(file.string());
  EXPECT_THROW(reader->Update(), itk::ExceptionObject);  // so the fallback is what reads it

  std::vector<std::string> warnings;
  const Volume v = read_volume(file, warnings);
  EXPECT_EQ(v.type(), VoxelType::Int16);
  EXPECT_EQ(v.size(), size);
  EXPECT_EQ(test::values_of<std::int16_t>(v), values);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0], file.string() +
                             ": sform is not orthonormal, ITK refuses it; read with samed2d's own "
                             "NIfTI reader (voxel order kept, direction ignored)");
}

// fuzz_volume_read found that a NIfTI-1 file whose sform (sform_code 1) held NaN in srow_x[3]
// aborted the process: ITK 5.2's NiftiImageIO::ReadImageInformation hands the matrix to vnl_svd,
// whose assert_finite calls abort().
TEST(VolumeReader, NonFinitePlacementInANiftiHeaderIsAnInputError) {
  TempDir dir;
  const auto file = dir / "nan.nii";
  test::write_volume<std::int16_t>(file, {3, 3, 2}, test::ramp<std::int16_t>(18, 0, 1));
  const auto sound = test::read_bytes(file);
  auto raw = sound;
  put<std::int16_t>(raw, 254, 1, false);                                         // sform_code
  put<float>(raw, 280 + 4 * 3, std::numeric_limits<float>::quiet_NaN(), false);  // srow_x[3]
  write_bytes(file, raw);
  EXPECT_EQ(error_of(file), file.string() +
                                ": NIfTI header field srow_x..srow_z[3] is nan, not a finite "
                                "number; the header is corrupt, re-export the file");
  raw = sound;
  put<float>(raw, 80, std::numeric_limits<float>::infinity(), false);  // pixdim[1]
  write_bytes(file, raw);
  EXPECT_EQ(error_of(file), file.string() +
                                ": NIfTI header field pixdim[1] is inf, not a finite number; the "
                                "header is corrupt, re-export the file");
  // The CI fuzz step: a finite but absurd sform offset (1.7e38) overflowed ITK's float
  // arithmetic into NaN, and vnl_svd then looped for good.
  raw = sound;
  put<std::int16_t>(raw, 254, 1, false);               // sform_code
  put<float>(raw, 280, -1.0f, false);                  // srow_x[0]
  put<float>(raw, 280 + 4 * 5, -1.0f, false);          // srow_y[1]
  put<float>(raw, 280 + 4 * 10, 1.0f, false);          // srow_z[2]
  put<float>(raw, 280 + 4 * 3, 1.7014118e38f, false);  // srow_x[3]
  write_bytes(file, raw);
  EXPECT_EQ(error_of(file), file.string() +
                                ": NIfTI header field srow_x..srow_z[3] is 1.70141e+38, beyond any "
                                "placement (at most 1e9 mm); the header is corrupt, re-export the "
                                "file");
  // The same hazard in a header that ITK reads (magic "ni1": a header/image pair), found by the
  // CI fuzz step: NaN there aborted vnl_svd too.
  auto pair = sound;
  put<std::int16_t>(pair, 254, 1, false);                                         // sform_code
  put<float>(pair, 280 + 4 * 3, std::numeric_limits<float>::quiet_NaN(), false);  // srow_x[3]
  pair[344] = 'n';
  pair[345] = 'i';
  pair[346] = '1';
  write_bytes(file, pair);
  EXPECT_EQ(error_of(file), file.string() +
                                ": NIfTI header field srow_x..srow_z[3] is nan, not a finite "
                                "number; the header is corrupt, re-export the file");
  // A real placement far from the scanner's centre is fine.
  put<float>(raw, 280 + 4 * 3, -250000.0f, false);
  write_bytes(file, raw);
  std::vector<std::string> warnings;
  EXPECT_EQ(read_volume(file, warnings).geometry.origin[0], 250000.0);
}

// The voxels of the small MetaImage, written by ITK, whose header the tests below damage.
const std::vector<std::uint8_t> kSmallValues = test::ramp<std::uint8_t>(8, 0, 1);

// Writes a 2 x 2 x 2 MetaImage holding kSmallValues; returns its bytes as text.
std::string write_small_mha(const fs::path& file) {
  test::write_volume<std::uint8_t>(file, {2, 2, 2}, kSmallValues);
  const auto bytes = test::read_bytes(file);
  return std::string(bytes.begin(), bytes.end());
}

void write_text(const fs::path& file, const std::string& text) {
  write_bytes(file, std::vector<std::uint8_t>(text.begin(), text.end()));
}

// `text` with its first `what`, which must be there, replaced by `with`.
std::string replaced(std::string text, const std::string& what, const std::string& with) {
  const auto at = text.find(what);
  EXPECT_NE(at, std::string::npos) << what;
  return at == std::string::npos ? text : text.replace(at, what.size(), with);
}

TEST(VolumeReader, MetaImageHeaderLineWithoutAnEqualsSignIsAnInputError) {
  // The CI fuzz run found a header whose "Offset" line had no '=': MET_Read then took the
  // following lines as its numbers and ITK's reader ran for over 10 s on a 1.7 KB file.
  TempDir dir;
  const auto file = dir / "bare.mha";
  write_text(file, replaced(write_small_mha(file), "NDims", "Offset\nNDims"));
  EXPECT_EQ(error_of(file), file.string() +
                                ": MetaImage header line 'Offset' has no '='; the header is "
                                "corrupt, re-export the file");
}

// The fuzz step: a compressed MetaImage whose ElementDataFile was only NUL bytes (empty, as MetaIO
// reads it as a C string) made MetaIO size its read buffer from tellg() on a file it could not
// open: new[] of SIZE_MAX.
TEST(VolumeReader, MetaImageWithAnEmptyElementDataFileIsAnInputError) {
  TempDir dir;
  const auto file = dir / "empty.mha";
  const std::string text = replaced(write_small_mha(file), "CompressedData = False",
                                    "CompressedData = True\nCompressedDataSize = 8");
  for (const std::string& empty : {std::string(5, '\0'), std::string("  ")}) {
    write_text(file, replaced(text, "ElementDataFile = LOCAL", "ElementDataFile = " + empty));
    EXPECT_EQ(error_of(file), file.string() +
                                  ": MetaImage ElementDataFile is empty (it names the data file, "
                                  "or LOCAL); the header is corrupt, re-export the file");
  }
}

// fuzz_volume_read found that a MetaImage header line of 255 or more characters aborted the
// process ("*** buffer overflow detected ***"): ITK 5.2's MetaIO strcpy's the name of a field it
// does not know (MET_InitReadField), and the value of a string field such as Comment
// (MetaObject::M_Read), into 255-byte buffers.
TEST(VolumeReader, MetaImageHeaderLineTooLongForMetaIoIsAnInputError) {
  TempDir dir;
  const auto file = dir / "long.mha";
  const std::string text = write_small_mha(file);
  for (const bool name : {true, false}) {
    const std::string line =
        name ? std::string(300, 'K') + " = 1\n" : "Comment = " + std::string(300, 'v') + "\n";
    write_text(file, replaced(text, "NDims", line + "NDims"));
    EXPECT_EQ(error_of(file),
              file.string() + ": MetaImage header field " + (name ? "name" : "value") +
                  " of 300 characters (ITK reads at most 254); the header is corrupt, re-export "
                  "the file");
  }
  // Then it found that an ElementDataFile with a '%' that is no integer conversion
  // ("MET_NONE%") made MetaIO's string_format throw std::length_error, which ended the process
  // through std::terminate.
  write_text(file, replaced(text, "ElementDataFile = LOCAL", "ElementDataFile = MET_NONE%"));
  EXPECT_EQ(error_of(file), file.string() +
                                ": MetaImage ElementDataFile 'MET_NONE%' is not a file name "
                                "pattern with one %d; the header is corrupt, re-export the file");
  // 254 characters are fine.
  write_text(file, replaced(text, "NDims", "Comment = " + std::string(254, 'v') + "\nNDims"));
  EXPECT_EQ(test::values_of<std::uint8_t>(read(file)), kSmallValues);
}

// Sets the SHORT value of `tag` in the first directory of a little endian TIFF ITK wrote.
void set_tiff_short(std::vector<unsigned char>& tif, std::uint16_t tag, std::uint16_t value) {
  ASSERT_EQ(tif[0], 'I');
  const std::size_t ifd = tif[4] | tif[5] << 8 | tif[6] << 16 | std::size_t{tif[7]} << 24;
  const std::size_t entries = tif[ifd] | tif[ifd + 1] << 8;
  for (std::size_t e = 0; e < entries; ++e) {
    const std::size_t at = ifd + 2 + 12 * e;
    if ((tif[at] | tif[at + 1] << 8) != tag) continue;
    ASSERT_EQ(tif[at + 2] | tif[at + 3] << 8, 3) << "not a SHORT";
    tif[at + 8] = static_cast<unsigned char>(value);
    tif[at + 9] = static_cast<unsigned char>(value >> 8);
    return;
  }
  FAIL() << "ITK wrote no tag " << tag;
}

// The fuzz step ran out of memory on TIFF files ITK gives up on after allocating a scanline,
// which it then leaks: 35 MB a file for a BitsPerSample of 65535. Such files, and the two
// layouts ITK refuses only after that allocation, fail before ITK reads them.
TEST(VolumeReader, TiffLayoutsItkLeaksOnAreInputErrors) {
  TempDir dir;
  const auto grey = dir / "grey.tif";
  test::write_volume<std::uint16_t>(grey, {4, 3, 1}, test::ramp<std::uint16_t>(12, 0, 100), 2);
  const auto sound = test::read_bytes(grey);
  EXPECT_EQ(test::values_of<std::uint16_t>(read(grey)), test::ramp<std::uint16_t>(12, 0, 100));
  auto bytes = sound;
  set_tiff_short(bytes, 0x0102, 65535);
  write_bytes(grey, bytes);
  EXPECT_EQ(error_of(grey),
            grey.string() + ": TIFF BitsPerSample is 65535; the file is corrupt, re-export it");
  bytes = sound;
  set_tiff_short(bytes, 0x0112, 3);  // bottom-right
  write_bytes(grey, bytes);
  EXPECT_EQ(error_of(grey), grey.string() +
                                ": TIFF Orientation 3 is neither top-left (1) nor bottom-left "
                                "(4), the ones ITK reads; re-export the image");
  // A DateTime long enough but cut short by a NUL (89 bytes at offset 0: "II*\0..."): ITK copied
  // 20 bytes from libtiff's 4-byte string (a fuzz find).
  bytes = sound;
  {
    const std::size_t ifd = bytes[4] | bytes[5] << 8;
    const std::size_t entries = bytes[ifd] | bytes[ifd + 1] << 8;
    const std::size_t last = ifd + 2 + 12 * (entries - 1);  // Software, ASCII
    ASSERT_EQ(bytes[last] | bytes[last + 1] << 8, 0x0131);
    bytes[last] = 0x32;
    bytes[last + 4] = 89;
    for (int i = 8; i < 12; ++i) bytes[last + i] = 0;
  }
  write_bytes(grey, bytes);
  EXPECT_EQ(error_of(grey), grey.string() +
                                ": TIFF DateTime tag is cut short by a NUL byte; the file is "
                                "corrupt, re-export it");
  const auto rgb = dir / "rgb.tif";
  test::write_rgb_image(rgb, 4, 3, 3, std::vector<std::uint8_t>(36, 9));
  bytes = test::read_bytes(rgb);
  set_tiff_short(bytes, 0x011C, 2);
  write_bytes(rgb, bytes);
  EXPECT_EQ(error_of(rgb), rgb.string() +
                               ": TIFF with 3 samples per pixel in separate planes "
                               "(PlanarConfiguration 2), which ITK does not read; re-export the "
                               "image with contiguous samples");
}

// ---- 2D sources ----

TEST(VolumeReader, GreyAnd16BitPngKeepTheirSamples) {
  TempDir dir;
  const auto grey = test::ramp<std::uint8_t>(7 * 5, 3, 7);
  test::write_volume<std::uint8_t>(dir / "g.png", {7, 5, 1}, grey, 2);
  Volume v = read(dir / "g.png");
  EXPECT_EQ(v.type(), VoxelType::UInt8);
  EXPECT_EQ(v.size(), (std::array<std::size_t, 3>{7, 5, 1}));
  EXPECT_EQ(v.components(), 1u);
  EXPECT_EQ(v.stored_dimensions, 2u);
  EXPECT_TRUE(v.is_2d());
  EXPECT_EQ(test::values_of<std::uint8_t>(v), grey);

  const auto deep = test::ramp<std::uint16_t>(6 * 4, 1, 2700);
  test::write_volume<std::uint16_t>(dir / "d.png", {6, 4, 1}, deep, 2);
  v = read(dir / "d.png");
  EXPECT_EQ(v.type(), VoxelType::UInt16);
  EXPECT_EQ(v.components(), 1u);
  EXPECT_EQ(test::values_of<std::uint16_t>(v), deep);
}

TEST(VolumeReader, RgbPngStaysRgbAndRgbaLosesAlpha) {
  TempDir dir;
  const std::size_t w = 4, h = 3;
  std::vector<std::uint8_t> rgba(w * h * 4), rgb;
  for (std::size_t e = 0; e < rgba.size(); ++e) rgba[e] = static_cast<std::uint8_t>(e * 5 + 1);
  for (std::size_t p = 0; p < w * h; ++p) rgb.insert(rgb.end(), &rgba[4 * p], &rgba[4 * p] + 3);
  test::write_rgb_image(dir / "a.png", w, h, 4, rgba);
  test::write_rgb_image(dir / "c.png", w, h, 3, rgb);
  for (const char* name : {"a.png", "c.png"}) {
    const Volume v = read(dir / name);
    EXPECT_EQ(v.components(), 3u) << name;
    EXPECT_EQ(v.voxel_stride(), 3u) << name;
    EXPECT_EQ(test::values_of<std::uint8_t>(v), rgb) << name;
  }
}

TEST(VolumeReader, PalettePngExpandsToGreyOrRgb) {
  TempDir dir;
  PngSpec grey;
  grey.width = 4;
  grey.height = 2;
  grey.color_type = PNG_COLOR_TYPE_PALETTE;
  for (int i = 0; i < 16; ++i)
    grey.palette.push_back({png_byte(i * 16), png_byte(i * 16), png_byte(i * 16)});
  grey.rows = {0, 3, 15, 7, 1, 2, 4, 8};
  write_png(dir / "pg.png", grey);
  Volume v = read(dir / "pg.png");
  EXPECT_EQ(v.components(), 1u);
  EXPECT_EQ(test::values_of<std::uint8_t>(v),
            (std::vector<std::uint8_t>{0, 48, 240, 112, 16, 32, 64, 128}));

  // 4-bit colour palette with a tRNS chunk: RGB through the palette, transparency ignored.
  PngSpec colour;
  colour.width = 3;
  colour.height = 1;
  colour.bit_depth = 4;
  colour.color_type = PNG_COLOR_TYPE_PALETTE;
  colour.palette = {{10, 20, 30}, {40, 50, 60}, {70, 80, 90}};
  colour.trns = {0, 128, 255};
  colour.rows = {0x21, 0x00};  // indices 2, 1, 0 packed high nibble first
  write_png(dir / "pc.png", colour);
  v = read(dir / "pc.png");
  EXPECT_EQ(v.components(), 3u);
  EXPECT_EQ(test::values_of<std::uint8_t>(v),
            (std::vector<std::uint8_t>{70, 80, 90, 40, 50, 60, 10, 20, 30}));
}

TEST(VolumeReader, GreyAlphaSbitAndOneBitPng) {
  TempDir dir;
  PngSpec ga;
  ga.width = 3;
  ga.height = 1;
  ga.color_type = PNG_COLOR_TYPE_GRAY_ALPHA;
  ga.rows = {10, 255, 20, 0, 30, 128};
  write_png(dir / "ga.png", ga);
  Volume v = read(dir / "ga.png");
  EXPECT_EQ(v.components(), 1u);
  EXPECT_EQ(test::values_of<std::uint8_t>(v), (std::vector<std::uint8_t>{10, 20, 30}));

  PngSpec sbit;  // sBIT says 4 significant bits; the stored samples must stay as they are
  sbit.width = 3;
  sbit.height = 1;
  sbit.sbit_grey = 4;
  sbit.rows = {0x10, 0x80, 0xF0};
  write_png(dir / "sb.png", sbit);
  v = read(dir / "sb.png");
  EXPECT_EQ(test::values_of<std::uint8_t>(v), sbit.rows);

  PngSpec bits;
  bits.width = 8;
  bits.height = 1;
  bits.bit_depth = 1;
  bits.rows = {0xA5};
  write_png(dir / "b1.png", bits);
  v = read(dir / "b1.png");
  EXPECT_EQ(test::values_of<std::uint8_t>(v),
            (std::vector<std::uint8_t>{255, 0, 255, 0, 0, 255, 0, 255}));
}

TEST(VolumeReader, JpegGreyAndRgb) {
  TempDir dir;
  const std::vector<std::uint8_t> grey(16 * 8, 100);
  test::write_volume<std::uint8_t>(dir / "g.jpg", {16, 8, 1}, grey, 2);
  Volume v = read(dir / "g.jpg");
  EXPECT_EQ(v.type(), VoxelType::UInt8);
  EXPECT_EQ(v.components(), 1u);
  EXPECT_EQ(v.size(), (std::array<std::size_t, 3>{16, 8, 1}));
  for (auto x : test::values_of<std::uint8_t>(v)) EXPECT_NEAR(x, 100, 2);

  std::vector<std::uint8_t> rgb;
  for (int p = 0; p < 16 * 8; ++p) rgb.insert(rgb.end(), {200, 50, 10});
  test::write_rgb_image(dir / "c.jpeg", 16, 8, 3, rgb);
  v = read(dir / "c.jpeg");
  EXPECT_EQ(v.components(), 3u);
  const auto got = test::values_of<std::uint8_t>(v);
  for (std::size_t e = 0; e < got.size(); ++e) EXPECT_NEAR(got[e], rgb[e], 4) << e;
}

// JPEGs are decoded by samed2d's own libjpeg reader (ITK's crashes on damaged files): it must
// give what ITK's reader gives for a sound file, samples and pixel size alike.
TEST(VolumeReader, JpegSamplesAndSpacingAreItksOwn) {
  TempDir dir;
  std::vector<std::uint8_t> grey(23 * 9);
  for (std::size_t p = 0; p < grey.size(); ++p) grey[p] = static_cast<std::uint8_t>(p * 37 % 251);
  // Pixel sizes that are whole dots per inch: ITK's writer stores a JFIF density per cm with a
  // unit of 0 (no unit), which its reader then ignores.
  test::write_volume<std::uint8_t>(dir / "g.jpg", {23, 9, 1}, grey, 2, {0.254, 0.508, 1});
  const Volume v = read(dir / "g.jpg");
  using Grey = itk::Image<std::uint8_t, 2>;
  auto reader = itk::ImageFileReader<Grey>::New();
  reader->SetFileName((dir / "g.jpg").string());
  reader->Update();
  const Grey* itk_image = reader->GetOutput();
  ASSERT_EQ(v.size(), (std::array<std::size_t, 3>{23, 9, 1}));
  const auto got = test::values_of<std::uint8_t>(v);
  const std::vector<std::uint8_t> want(itk_image->GetBufferPointer(),
                                       itk_image->GetBufferPointer() + 23 * 9);
  EXPECT_EQ(got, want);
  EXPECT_NE(got, grey);  // lossy: the comparison above is not trivially true
  EXPECT_EQ(v.geometry.spacing[0], itk_image->GetSpacing()[0]);
  EXPECT_EQ(v.geometry.spacing[1], itk_image->GetSpacing()[1]);
  EXPECT_DOUBLE_EQ(v.geometry.spacing[0], 0.254);
  EXPECT_DOUBLE_EQ(v.geometry.spacing[1], 0.508);
}

// fuzz_volume_read found that a progressive JPEG whose second scan has invalid parameters
// (Ah=9, Al=4) killed the process with SIGSEGV in jpeg_read_scanlines: ITK 5.2's JPEGImageIO
// lets libjpeg longjmp into a stack frame that has already returned.
TEST(VolumeReader, DamagedProgressiveJpegIsAnInputError) {
  TempDir dir;
  test::write_volume<std::uint8_t>(dir / "g.jpg", {16, 16, 1}, std::vector<std::uint8_t>(256, 90),
                                   2);
  auto bytes = test::read_bytes(dir / "g.jpg");
  // ITK writes progressive JPEGs; Ah/Al is the last byte of a scan header (FF DA).
  std::vector<std::size_t> scans;
  for (std::size_t i = 0; i + 4 < bytes.size(); ++i)
    if (bytes[i] == 0xFF && bytes[i + 1] == 0xDA) scans.push_back(i);
  ASSERT_GE(scans.size(), 2u);
  const std::size_t length = std::size_t{bytes[scans[1] + 2]} << 8 | bytes[scans[1] + 3];
  bytes[scans[1] + 2 + length - 1] = 0x94;
  write_bytes(dir / "bad.jpg", bytes);
  const std::string error = error_of(dir / "bad.jpg");
  EXPECT_EQ(error.rfind((dir / "bad.jpg").string() +
                            ": not a readable JPEG (Invalid progressive parameters Ss=",
                        0),
            0u)
      << error;
  EXPECT_TRUE(
      error.ends_with(" Ah=9 Al=4); the file is truncated or corrupt, re-download or re-export it"))
      << error;
  std::vector<std::string> warnings;
  EXPECT_THROW(read_label_volume(dir / "bad.jpg", warnings), InputError);
  // Then it found the same wild jump from ITK's CanReadFile for a .jpg file starting with FF D8
  // but not FF D8 FF: ITK checks two bytes before it hands the file to libjpeg, so must we.
  write_bytes(dir / "soi.jpg", {0xFF, 0xD8, 0x00, 0x10, 'J', 'F', 'I', 'F', 0, 1, 2});
  EXPECT_EQ(error_of(dir / "soi.jpg"),
            (dir / "soi.jpg").string() +
                ": not a readable JPEG (JPEG datastream contains no image); the file is "
                "truncated or corrupt, re-download or re-export it");
}

TEST(VolumeReader, BmpGreyRgbAndColourPalette) {
  TempDir dir;
  const auto grey = test::ramp<std::uint8_t>(5 * 3, 0, 17);
  test::write_volume<std::uint8_t>(dir / "g.bmp", {5, 3, 1}, grey, 2);
  Volume v = read(dir / "g.bmp");
  EXPECT_EQ(v.components(), 1u);  // ITK alone would expand the grey palette to RGB
  EXPECT_EQ(test::values_of<std::uint8_t>(v), grey);

  std::vector<std::uint8_t> rgb(5 * 3 * 3);
  for (std::size_t e = 0; e < rgb.size(); ++e) rgb[e] = static_cast<std::uint8_t>(e * 6);
  test::write_rgb_image(dir / "c.bmp", 5, 3, 3, rgb);
  v = read(dir / "c.bmp");
  EXPECT_EQ(v.components(), 3u);
  EXPECT_EQ(test::values_of<std::uint8_t>(v), rgb);

  // 8-bit BMP with a colour table.
  const int w = 3, h = 2;
  const std::vector<std::uint8_t> index = {0, 1, 2, 2, 2, 1};  // top row first
  const std::vector<std::array<std::uint8_t, 3>> table = {{255, 0, 0}, {0, 128, 0}, {1, 2, 3}};
  test::write_palette_bmp(dir / "p.bmp", w, h, index, table);
  v = read(dir / "p.bmp");
  ASSERT_EQ(v.components(), 3u);
  std::vector<std::uint8_t> expected;
  for (const std::uint8_t i : index)
    expected.insert(expected.end(), table[i].begin(), table[i].end());
  EXPECT_EQ(test::values_of<std::uint8_t>(v), expected);
}

// ITK's BMP reader took a BMP cut inside its pixel rows without a word, and the rows it lacked kept
// whatever the memory held: another label map on every run.
TEST(VolumeReader, BmpCutInsideItsPixelRowsIsRefused) {
  TempDir dir;
  const std::vector<std::array<std::uint8_t, 3>> table = {{0, 0, 0}, {1, 1, 1}, {2, 2, 2}};
  test::write_palette_bmp(dir / "p.bmp", 8, 6, std::vector<std::uint8_t>(8 * 6, 2), table);
  auto bytes = test::read_bytes(dir / "p.bmp");
  const std::size_t whole = bytes.size();
  bytes.resize(whole - 10);
  write_bytes(dir / "cut.bmp", bytes);
  std::vector<std::string> warnings;
  for (const bool label : {false, true}) {
    try {
      if (label)
        read_label_volume(dir / "cut.bmp", warnings);
      else
        read_volume(dir / "cut.bmp", warnings);
      ADD_FAILURE() << "a cut BMP was read";
    } catch (const InputError& e) {
      EXPECT_EQ(std::string(e.what()), (dir / "cut.bmp").string() +
                                           ": BMP file is cut short: its 6 pixel rows end at "
                                           "byte " +
                                           std::to_string(whole) + ", the file holds " +
                                           std::to_string(whole - 10) +
                                           " bytes; download or export it again");
    }
  }
  // The whole file still reads.
  EXPECT_EQ(read_label_volume(dir / "p.bmp", warnings).size()[0], 8u);
}

// fuzz_volume_read found that a 658-byte colour-palette BMP claiming 754974725 x 3 pixels made
// read_expanded_palette allocate its 6.8 GB scratch buffer before anything checked the size
// against --max-voxels; a grey palette or an alpha channel took the same path in read_with_itk.
TEST(VolumeReader, PaletteBmpOverMaxVoxelsIsRefusedBeforeItsScratchBuffer) {
  TempDir dir;
  for (const bool grey : {false, true}) {
    std::vector<unsigned char> bmp(14 + 40 + 4 * 2 + 8, 0);
    bmp[0] = 'B';
    bmp[1] = 'M';
    put<std::uint32_t>(bmp, 2, static_cast<std::uint32_t>(bmp.size()), false);
    put<std::uint32_t>(bmp, 10, 14 + 40 + 8, false);
    put<std::uint32_t>(bmp, 14, 40, false);
    put<std::int32_t>(bmp, 18, 754974725, false);  // width
    put<std::int32_t>(bmp, 22, 3, false);          // height
    put<std::uint16_t>(bmp, 26, 1, false);
    put<std::uint16_t>(bmp, 28, 8, false);  // 8-bit indices
    put<std::uint32_t>(bmp, 46, 2, false);  // two colours
    bmp[54] = 200;                          // colour 0: b, g, r
    bmp[55] = grey ? 200 : 10;
    bmp[56] = grey ? 200 : 90;
    const fs::path file = dir / (grey ? "grey.bmp" : "colour.bmp");
    write_bytes(file, bmp);
    const std::uint64_t limit = max_voxels();
    set_max_voxels(1000);
    const std::string error = error_of(file);
    set_max_voxels(limit);
    EXPECT_NE(error.find(": its size 754974725 x 3 x 1"), std::string::npos) << error;
    EXPECT_NE(error.find("is more than the 1000 voxels samed2d reads at most"), std::string::npos)
        << error;
  }
}

TEST(VolumeReader, TiffGrey16BitAndRgb) {
  TempDir dir;
  const auto grey = test::ramp<std::uint8_t>(6 * 4, 1, 9);
  test::write_volume<std::uint8_t>(dir / "g.tif", {6, 4, 1}, grey, 2);
  Volume v = read(dir / "g.tif");
  EXPECT_EQ(v.type(), VoxelType::UInt8);
  EXPECT_EQ(v.components(), 1u);
  EXPECT_TRUE(v.is_2d());
  EXPECT_EQ(test::values_of<std::uint8_t>(v), grey);

  const auto deep = test::ramp<std::uint16_t>(6 * 4, 3, 2001);
  test::write_volume<std::uint16_t>(dir / "d.tiff", {6, 4, 1}, deep, 2);
  v = read(dir / "d.tiff");
  EXPECT_EQ(v.type(), VoxelType::UInt16);
  EXPECT_EQ(test::values_of<std::uint16_t>(v), deep);

  std::vector<std::uint8_t> rgb(6 * 4 * 3);
  for (std::size_t e = 0; e < rgb.size(); ++e) rgb[e] = static_cast<std::uint8_t>(255 - 3 * e);
  test::write_rgb_image(dir / "c.tif", 6, 4, 3, rgb);
  v = read(dir / "c.tif");
  EXPECT_EQ(v.components(), 3u);
  EXPECT_EQ(test::values_of<std::uint8_t>(v), rgb);
}

TEST(VolumeReader, ThreeDimensionalFileWithOneSliceIsA2dSource) {
  TempDir dir;
  const auto values = test::ramp<std::int16_t>(5 * 4, 0, 3);
  test::write_volume<std::int16_t>(dir / "flat.nii.gz", {5, 4, 1}, values);
  const Volume v = read(dir / "flat.nii.gz");
  EXPECT_EQ(v.stored_dimensions, 3u);
  EXPECT_TRUE(v.is_2d());
  EXPECT_EQ(test::values_of<std::int16_t>(v), values);
}

// ---- DICOM single files ----

// The physical values of an uncompressed single-frame grey DICOM file, decoded by hand: the
// stored samples of (7FE0,0010) (16 bits allocated, pixel representation from (0028,0103)) times
// Rescale Slope (0028,1053) plus Rescale Intercept (0028,1052), absent meaning 1 and 0.
std::vector<double> decode_dicom(const std::vector<std::uint8_t>& bytes, std::size_t& rows,
                                 std::size_t& cols) {
  const auto us = [&](std::uint16_t e) {
    const test::DicomLookup l = test::find_dicom_element(bytes, 0x0028, e);
    EXPECT_TRUE(l.found);
    return l.found ? get<std::uint16_t>(bytes, l.at.value_offset, false) : std::uint16_t{0};
  };
  rows = us(0x0010);
  cols = us(0x0011);
  EXPECT_EQ(us(0x0100), 16);
  EXPECT_EQ(us(0x0002), 1);
  const bool is_signed = us(0x0103) == 1;
  const std::string slope_text = test::dicom_string(bytes, 0x0028, 0x1053);
  const std::string inter_text = test::dicom_string(bytes, 0x0028, 0x1052);
  const double slope = slope_text.empty() ? 1 : std::stod(slope_text);
  const double inter = inter_text.empty() ? 0 : std::stod(inter_text);
  const test::DicomLookup px = test::find_dicom_element(bytes, 0x7FE0, 0x0010);
  EXPECT_TRUE(px.found);
  EXPECT_EQ(px.at.length, rows * cols * 2);
  std::vector<double> out(rows * cols);
  for (std::size_t e = 0; e < out.size(); ++e) {
    const std::size_t at = px.at.value_offset + 2 * e;
    const double stored =
        is_signed ? get<std::int16_t>(bytes, at, false) : get<std::uint16_t>(bytes, at, false);
    out[e] = slope * stored + inter;
  }
  return out;
}

std::vector<double> as_doubles(const Volume& v) {
  std::vector<double> out(v.element_count());
  v.visit([&](const auto* p) {
    for (std::size_t e = 0; e < out.size(); ++e) out[e] = static_cast<double>(p[e]);
  });
  return out;
}

void expect_dicom_matches_decode(const fs::path& file) {
  const auto bytes = test::read_bytes(file);
  std::size_t rows = 0, cols = 0;
  const std::vector<double> expected = decode_dicom(bytes, rows, cols);
  const Volume v = read(file);
  EXPECT_EQ(v.size(), (std::array<std::size_t, 3>{cols, rows, 1})) << file;
  EXPECT_EQ(v.stored_dimensions, 2u) << file;
  EXPECT_TRUE(v.is_2d());
  EXPECT_EQ(v.components(), 1u);
  EXPECT_EQ(as_doubles(v), expected) << file;
}

TEST(VolumeReader, DicomCtIsRescaledToPhysicalValues) {
  const fs::path file = test::sample_data_dir() / "pydicom" / "CT_small.dcm";
  const auto bytes = test::read_bytes(file);
  ASSERT_EQ(test::dicom_string(bytes, 0x0028, 0x1052), "-1024");  // so that rescale matters
  expect_dicom_matches_decode(file);
  // int16 stored values shifted by -1024 need more than int16: ITK widens to int32.
  EXPECT_EQ(read(file).type(), VoxelType::Int32);
}

TEST(VolumeReader, DicomMrWithoutRescaleKeepsInt16) {
  const fs::path file = test::sample_data_dir() / "pydicom" / "MR_small.dcm";
  expect_dicom_matches_decode(file);
  EXPECT_EQ(read(file).type(), VoxelType::Int16);
}

TEST(VolumeReader, DicomMonochrome1KeepsPhysicalValuesIsMarkedAndWarned) {
  TempDir dir;
  for (const char* name : {"CT_small.dcm", "MR_small.dcm"}) {
    auto bytes = test::read_bytes(test::sample_data_dir() / "pydicom" / name);
    std::size_t rows = 0, cols = 0;
    const std::vector<double> expected = decode_dicom(bytes, rows, cols);
    test::set_dicom_string(bytes, 0x0028, 0x0004, "CS", "MONOCHROME1");
    write_bytes(dir / name, std::vector<unsigned char>(bytes.begin(), bytes.end()));
    std::vector<std::string> warnings;
    const Volume v = read_volume(dir / name, warnings);
    // ITK alone would invert the stored samples (e.g. 905 -> -906) before rescaling.
    EXPECT_EQ(as_doubles(v), expected) << name;
    EXPECT_TRUE(v.monochrome1) << name;  // its images are written inverted (SPEC 4)
    ASSERT_EQ(warnings.size(), 1u) << name;
    EXPECT_EQ(warnings[0].rfind((dir / name).string() + ": MONOCHROME1", 0), 0u) << warnings[0];
  }
}

TEST(VolumeReader, TruncatedDicomIsAnInputError) {
  TempDir dir;
  auto bytes = test::read_bytes(test::sample_data_dir() / "pydicom" / "CT_small.dcm");
  bytes.resize(bytes.size() - 5000);
  write_bytes(dir / "cut.dcm", std::vector<unsigned char>(bytes.begin(), bytes.end()));
  EXPECT_NE(error_of(dir / "cut.dcm").find("short"), std::string::npos);
}

// ---- errors ----

TEST(VolumeReader, MissingAndUnknownFilesAreInputErrors) {
  TempDir dir;
  EXPECT_NE(error_of(dir / "nothere.nii.gz").find("not found"), std::string::npos);
  write_bytes(dir / "notes.txt", std::vector<unsigned char>(100, 'a'));
  EXPECT_NE(error_of(dir / "notes.txt").find("no reader"), std::string::npos);
  write_bytes(dir / "fake.nii.gz", std::vector<unsigned char>(100, 'a'));
  EXPECT_NE(error_of(dir / "fake.nii.gz").find("not a valid NIfTI"), std::string::npos);
  std::vector<unsigned char> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  png.resize(64, 7);
  write_bytes(dir / "broken.png", png);
  error_of(dir / "broken.png");
}

TEST(VolumeReader, TruncatedFilesAreInputErrors) {
  TempDir dir;
  const auto values = test::ramp<std::int16_t>(40 * 30 * 20, -2000, 0.37);
  test::write_volume<std::int16_t>(dir / "v.nii.gz", {40, 30, 20}, values);
  test::write_volume<std::int16_t>(dir / "v.nii", {40, 30, 20}, values);
  test::write_volume<std::int16_t>(dir / "v.mha", {40, 30, 20}, values);
  test::write_volume<std::int16_t>(dir / "v.nrrd", {40, 30, 20}, values);
  for (const char* name : {"v.nii.gz", "v.nii", "v.mha", "v.nrrd"}) {
    auto bytes = test::read_bytes(dir / name);
    bytes.resize(bytes.size() * 2 / 3);
    write_bytes(dir / (std::string("cut_") + name), bytes);
    error_of(dir / (std::string("cut_") + name));
  }
  // A detached MetaImage data file that is shorter than the header claims.
  test::write_volume<std::int16_t>(dir / "d.mhd", {40, 30, 20}, values);
  auto raw = test::read_bytes(dir / "d.raw");
  raw.resize(raw.size() - 1);
  write_bytes(dir / "d.raw", raw);
  EXPECT_NE(error_of(dir / "d.mhd").find("short"), std::string::npos);
  // Corrupt deflate data in the middle of a .nii.gz must fail, not hang or crash.
  auto bytes = test::read_bytes(dir / "v.nii.gz");
  for (std::size_t e = bytes.size() / 2; e < bytes.size() / 2 + 64; ++e) bytes[e] ^= 0x5A;
  write_bytes(dir / "garbled.nii.gz", bytes);
  error_of(dir / "garbled.nii.gz");
}

TEST(VolumeReader, ZeroSizedDimensionsAreInputErrors) {
  TempDir dir;
  test::write_volume<std::uint8_t>(dir / "z.nii", {3, 3, 3}, std::vector<std::uint8_t>(27, 1));
  auto raw = test::read_bytes(dir / "z.nii");
  put<std::int16_t>(raw, 42 + 2, 0, false);  // dim[2] = 0
  write_bytes(dir / "z.nii", raw);
  EXPECT_NE(error_of(dir / "z.nii").find("size 0"), std::string::npos);

  std::ofstream(dir / "z.mha") << "ObjectType = Image\nNDims = 3\nDimSize = 4 0 2\n"
                                  "ElementType = MET_UCHAR\nElementDataFile = LOCAL\n";
  error_of(dir / "z.mha");
}

TEST(VolumeReader, FourDWithVectorPixelsIsAnInputError) {
  TempDir dir;
  using Image = itk::Image<itk::Vector<float, 2>, 4>;
  auto image = Image::New();
  Image::RegionType region;
  region.SetSize({{2, 2, 2, 3}});
  image->SetRegions(region);
  image->Allocate(true);
  auto writer = itk::ImageFileWriter<Image>::New();
  writer->SetFileName((dir / "vec4d.mha").string());
  writer->SetInput(image);
  writer->Update();
  EXPECT_NE(error_of(dir / "vec4d.mha").find("4D"), std::string::npos);
}

// ---- concurrency ----

TEST(VolumeReader, ConcurrentReadsOfDifferentFiles) {
  TempDir dir;
  struct Case {
    fs::path file;
    std::vector<std::int16_t> values;
  };
  std::vector<Case> cases;
  const char* exts[] = {".nii.gz", ".nii", ".mha", ".nrrd", ".mhd", ".nii.gz", ".nhdr", ".nii"};
  for (int c = 0; c < 8; ++c) {
    Case k{dir / ("c" + std::to_string(c) + exts[c]),
           test::ramp<std::int16_t>(32 * 32 * 16, -c * 100, c + 1)};
    test::write_volume<std::int16_t>(k.file, {32, 32, 16}, k.values);
    cases.push_back(std::move(k));
  }
  std::vector<int> failures(cases.size(), 0);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < cases.size(); ++t)
    threads.emplace_back([&, t] {
      for (int round = 0; round < 5; ++round) {
        const Case& k = cases[(t + round) % cases.size()];
        std::vector<std::string> warnings;
        try {
          const Volume v = read_volume(k.file, warnings);
          if (v.type() != VoxelType::Int16 || test::values_of<std::int16_t>(v) != k.values)
            ++failures[t];
        } catch (...) {
          ++failures[t];
        }
      }
    });
  for (auto& th : threads) th.join();
  for (std::size_t t = 0; t < failures.size(); ++t) EXPECT_EQ(failures[t], 0) << "thread " << t;
}

}  // namespace
}  // namespace samed2d
