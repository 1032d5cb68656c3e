#include <gtest/gtest.h>
#include <itkImage.h>
#include <itkImageFileReader.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "pipeline/core/Errors.hpp"
#include "pipeline/io/NiftiReader.hpp"
#include "support/HandWrittenFiles.hpp"
#include "support/TestData.hpp"
#include "support/VolumeValues.hpp"

namespace samed2d {
namespace {

using test::gunzip;
using test::put;
using test::TempDir;
using test::write_bytes;

// ---- independent NIfTI writing and decoding, by the byte layout of nifti1.h / nifti2.h ----

template <class T>
void append_values(std::vector<unsigned char>& b, const std::vector<T>& values, bool big_endian) {
  for (T v : values) {
    unsigned char bytes[sizeof(T)];
    std::memcpy(bytes, &v, sizeof(T));
    if (big_endian) std::reverse(bytes, bytes + sizeof(T));
    b.insert(b.end(), bytes, bytes + sizeof(T));
  }
}

// A NIfTI-1 single file: 348-byte header, 4 extension bytes, data at 352.
std::vector<unsigned char> nifti1_header(const std::vector<std::int64_t>& dims,
                                         std::int16_t datatype, std::int16_t bitpix,
                                         bool big_endian, float slope = 1, float inter = 0) {
  std::vector<unsigned char> h(352, 0);
  put<std::int32_t>(h, 0, 348, big_endian);
  put<std::int16_t>(h, 40, static_cast<std::int16_t>(dims.size()), big_endian);
  for (std::size_t d = 0; d < dims.size(); ++d)
    put<std::int16_t>(h, 42 + 2 * d, static_cast<std::int16_t>(dims[d]), big_endian);
  put<std::int16_t>(h, 70, datatype, big_endian);
  put<std::int16_t>(h, 72, bitpix, big_endian);
  for (int d = 0; d < 8; ++d) put<float>(h, 76 + 4 * d, 1.0f, big_endian);
  put<float>(h, 108, 352.0f, big_endian);
  put<float>(h, 112, slope, big_endian);
  put<float>(h, 116, inter, big_endian);
  std::memcpy(h.data() + 344, "n+1\0", 4);
  return h;
}

// A NIfTI-2 single file: 540-byte header, 4 extension bytes, data at 544.
std::vector<unsigned char> nifti2_header(const std::vector<std::int64_t>& dims,
                                         std::int16_t datatype, std::int16_t bitpix,
                                         bool big_endian, double slope = 1, double inter = 0) {
  std::vector<unsigned char> h(544, 0);
  put<std::int32_t>(h, 0, 540, big_endian);
  std::memcpy(h.data() + 4, "n+2\0\r\n\032\n", 8);
  put<std::int16_t>(h, 12, datatype, big_endian);
  put<std::int16_t>(h, 14, bitpix, big_endian);
  put<std::int64_t>(h, 16, static_cast<std::int64_t>(dims.size()), big_endian);
  for (std::size_t d = 0; d < dims.size(); ++d)
    put<std::int64_t>(h, 24 + 8 * d, dims[d], big_endian);
  for (int d = 0; d < 8; ++d) put<double>(h, 104 + 8 * d, 1.0, big_endian);
  put<std::int64_t>(h, 168, 544, big_endian);
  put<double>(h, 176, slope, big_endian);
  put<double>(h, 184, inter, big_endian);
  return h;
}

void write_nifti_file(const std::filesystem::path& file, const std::vector<unsigned char>& bytes) {
  if (file.extension() == ".gz") {
    gzFile f = gzopen(file.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    ASSERT_EQ(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())),
              static_cast<int>(bytes.size()));
    gzclose(f);
  } else {
    write_bytes(file, bytes);
  }
}

// One gzip member holding `n` bytes, by zlib's deflate with a gzip wrapper.
std::vector<unsigned char> gzip_member(const unsigned char* data, std::size_t n) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY),
            Z_OK);
  std::vector<unsigned char> out(deflateBound(&z, static_cast<uLong>(n)) + 32);
  z.next_in = const_cast<unsigned char*>(data);
  z.avail_in = static_cast<uInt>(n);
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

// The gzip trailer's ISIZE field (RFC 1952): the last four bytes, little-endian.
std::uint32_t isize_of(const std::vector<unsigned char>& gz) {
  const std::size_t n = gz.size();
  return std::uint32_t{gz[n - 4]} | std::uint32_t{gz[n - 3]} << 8 | std::uint32_t{gz[n - 2]} << 16 |
         std::uint32_t{gz[n - 1]} << 24;
}

void set_isize(std::vector<unsigned char>& gz, std::uint32_t isize) {
  for (int b = 0; b < 4; ++b) gz[gz.size() - 4 + b] = static_cast<unsigned char>(isize >> (8 * b));
}

// CT-like int16 values: a smooth pattern plus pseudo-random noise, so that deflate needs many
// blocks with literals, matches and distances of every kind.
std::vector<std::int16_t> noisy_ct(std::size_t n) {
  std::vector<std::int16_t> v(n);
  std::uint64_t rng = 88172645463325252ULL;
  for (std::size_t e = 0; e < n; ++e) {
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    const int base = (e / 97) % 7 == 0 ? -1000 : 40 + static_cast<int>(e % 251);
    v[e] = static_cast<std::int16_t>(base + static_cast<int>(rng % 61) - 30);
  }
  return v;
}

template <class T>
std::vector<T> itk_voxels(const std::filesystem::path& file) {
  using Image = itk::Image<T, 3>;
  auto reader = itk::ImageFileReader<Image>::New();
  reader->SetFileName(file.string());
  reader->Update();
  const Image* img = reader->GetOutput();
  const std::size_t n = img->GetLargestPossibleRegion().GetNumberOfPixels();
  return {img->GetBufferPointer(), img->GetBufferPointer() + n};
}

// ---- the tests ----

template <class T>
void expect_same_as_itk(const char* ext, double start, double step) {
  TempDir dir;
  const auto file = dir / (std::string("v") + ext);
  const std::array<std::size_t, 3> size{5, 4, 3};
  const auto values = test::ramp<T>(60, start, step);
  test::write_volume<T>(file, size, values);
  const Volume v = NiftiReader(file).read();
  EXPECT_EQ(v.type(), voxel_type_of<T>());
  EXPECT_EQ(v.size(), size);
  EXPECT_EQ(test::values_of<T>(v), itk_voxels<T>(file));
  EXPECT_EQ(test::values_of<T>(v), values);
}

TEST(NiftiReader, SameVoxelsAsItkForEachDatatype) {
  expect_same_as_itk<std::uint8_t>(".nii.gz", 0, 4);
  expect_same_as_itk<std::int16_t>(".nii", -3000, 97);
  expect_same_as_itk<std::uint16_t>(".nii.gz", 100, 1000);
  expect_same_as_itk<std::int32_t>(".nii", -2e9, 6.5e7);
  expect_same_as_itk<float>(".nii.gz", -1.25, 0.37);
  expect_same_as_itk<double>(".nii", 1e-3, 1e5);
}

TEST(NiftiReader, BigEndianFileMatchesItkAndTheWrittenValues) {
  TempDir dir;
  const auto file = dir / "be.nii";
  const auto values = test::ramp<std::int32_t>(4 * 3 * 2, -70000, 12345);
  auto bytes = nifti1_header({4, 3, 2}, 8, 32, true);
  append_values(bytes, values, true);
  write_nifti_file(file, bytes);
  const NiftiReader reader(file);
  EXPECT_TRUE(reader.header().swapped);
  const Volume v = reader.read();
  EXPECT_EQ(test::values_of<std::int32_t>(v), values);
  EXPECT_EQ(test::values_of<std::int32_t>(v), itk_voxels<std::int32_t>(file));
}

TEST(NiftiReader, RealBigEndianSampleMatchesItk) {
  const auto file = test::sample_data_dir() / "nibabel/anatomical.nii";
  if (!std::filesystem::exists(file)) GTEST_SKIP() << "sample data not fetched";
  const NiftiReader reader(file);
  EXPECT_TRUE(reader.header().swapped);
  const Volume v = reader.read();
  EXPECT_EQ(v.size(), (std::array<std::size_t, 3>{33, 41, 25}));
  EXPECT_EQ(test::values_of<std::int16_t>(v), itk_voxels<std::int16_t>(file));
}

TEST(NiftiReader, HandWrittenNifti2LittleAndBigEndian) {
  for (bool be : {false, true}) {
    TempDir dir;
    const auto file = dir / "n2.nii.gz";
    const auto values = test::ramp<std::uint16_t>(3 * 2 * 4, 7, 2500);
    auto bytes = nifti2_header({3, 2, 4}, 512, 16, be);
    append_values(bytes, values, be);
    write_nifti_file(file, bytes);
    const NiftiReader reader(file);
    EXPECT_EQ(reader.header().version, 2);
    EXPECT_EQ(reader.header().swapped, be);
    const Volume v = reader.read();
    EXPECT_EQ(v.type(), VoxelType::UInt16);
    EXPECT_EQ(v.size(), (std::array<std::size_t, 3>{3, 2, 4}));
    EXPECT_EQ(test::values_of<std::uint16_t>(v), values);
  }
}

TEST(NiftiReader, RealNifti2SampleMatchesAnIndependentDecode) {
  const auto file = test::sample_data_dir() / "nibabel/example_nifti2.nii.gz";
  if (!std::filesystem::exists(file)) GTEST_SKIP() << "sample data not fetched";
  const auto raw = gunzip(file);
  std::int64_t dims[8], vox_offset;
  std::int16_t datatype;
  std::memcpy(dims, raw.data() + 16, sizeof dims);
  std::memcpy(&vox_offset, raw.data() + 168, 8);
  std::memcpy(&datatype, raw.data() + 12, 2);
  ASSERT_EQ(datatype, 4);  // int16
  const Volume v = NiftiReader(file).read();
  EXPECT_EQ(v.size(), (std::array<std::size_t, 3>{std::size_t(dims[1]), std::size_t(dims[2]),
                                                  std::size_t(dims[3])}));
  EXPECT_EQ(v.components(), static_cast<std::size_t>(dims[4]));
  EXPECT_EQ(v.stored_dimensions, 4u);
  const std::size_t n = v.element_count();
  ASSERT_EQ(raw.size(), static_cast<std::size_t>(vox_offset) + 2 * n);
  std::vector<std::int16_t> expected(n);
  std::memcpy(expected.data(), raw.data() + vox_offset, 2 * n);
  EXPECT_EQ(test::values_of<std::int16_t>(v), expected);
}

TEST(NiftiReader, Rgb24IsInterleavedThreeComponents) {
  TempDir dir;
  const auto file = dir / "rgb.nii";
  std::vector<std::uint8_t> values(2 * 2 * 1 * 3);
  for (std::size_t e = 0; e < values.size(); ++e) values[e] = static_cast<std::uint8_t>(10 * e + 1);
  auto bytes = nifti1_header({2, 2, 1}, 128, 24, false, 3.0f, 1.0f);  // scaling ignored for RGB
  append_values(bytes, values, false);
  write_nifti_file(file, bytes);
  const Volume v = NiftiReader(file).read();
  EXPECT_EQ(v.type(), VoxelType::UInt8);
  EXPECT_EQ(v.components(), 3u);
  EXPECT_EQ(v.voxel_stride(), 3u);
  EXPECT_EQ(test::values_of<std::uint8_t>(v), values);
}

TEST(NiftiReader, ScalingGivesFloat32WhenExactElseFloat64) {
  TempDir dir;
  const auto values = test::ramp<std::int16_t>(8, -4, 3);
  {
    const auto file = dir / "exact.nii";
    auto bytes = nifti1_header({2, 2, 2}, 4, 16, false, 2.0f, -5.0f);
    append_values(bytes, values, false);
    write_nifti_file(file, bytes);
    const Volume v = NiftiReader(file).read();
    ASSERT_EQ(v.type(), VoxelType::Float32);
    for (std::size_t e = 0; e < 8; ++e) EXPECT_EQ(v.data<float>()[e], 2.0f * values[e] - 5.0f);
  }
  {
    const auto file = dir / "inexact.nii";
    const float slope = 0.1f, inter = 1000.3f;
    auto bytes = nifti1_header({2, 2, 2}, 4, 16, false, slope, inter);
    append_values(bytes, values, false);
    write_nifti_file(file, bytes);
    const Volume v = NiftiReader(file).read();
    ASSERT_EQ(v.type(), VoxelType::Float64);
    for (std::size_t e = 0; e < 8; ++e)
      EXPECT_EQ(v.data<double>()[e], double(slope) * values[e] + double(inter));
  }
  {
    const auto file = dir / "zero_slope.nii";  // scl_slope 0 means "no scaling"
    auto bytes = nifti1_header({2, 2, 2}, 4, 16, false, 0.0f, 7.0f);
    append_values(bytes, values, false);
    write_nifti_file(file, bytes);
    const Volume v = NiftiReader(file).read();
    ASSERT_EQ(v.type(), VoxelType::Int16);
    EXPECT_EQ(test::values_of<std::int16_t>(v), values);
  }
}

TEST(NiftiReader, ShortDataIsAnInputError) {
  TempDir dir;
  for (const char* name : {"short.nii", "short.nii.gz"}) {
    const auto file = dir / name;
    auto bytes = nifti1_header({10, 10, 10}, 2, 8, false);
    bytes.resize(bytes.size() + 500, 1);  // 1000 voxels claimed
    write_nifti_file(file, bytes);
    const NiftiReader reader(file);
    try {
      (void)reader.read();
      ADD_FAILURE() << name << ": no error";
    } catch (const InputError& e) {
      const std::string msg = e.what();
      EXPECT_NE(msg.find(file.string()), std::string::npos) << msg;
      EXPECT_NE(msg.find("500 of 1000"), std::string::npos) << msg;
      EXPECT_EQ(msg.find('\n'), std::string::npos);
    }
  }
}

TEST(NiftiReader, Rgba32LosesItsAlphaInPlainAndGzipFiles) {
  TempDir dir;
  std::vector<std::uint8_t> rgba(3 * 2 * 2 * 4), rgb;
  for (std::size_t e = 0; e < rgba.size(); ++e) rgba[e] = static_cast<std::uint8_t>(7 * e + 2);
  for (std::size_t p = 0; p < rgba.size() / 4; ++p)
    rgb.insert(rgb.end(), &rgba[4 * p], &rgba[4 * p] + 3);
  auto bytes = nifti1_header({3, 2, 2}, 2304, 32, false);
  append_values(bytes, rgba, false);
  for (const char* name : {"rgba.nii", "rgba.nii.gz"}) {
    write_nifti_file(dir / name, bytes);
    const Volume v = NiftiReader(dir / name).read();
    EXPECT_EQ(v.components(), 3u) << name;
    EXPECT_EQ(v.voxel_stride(), 3u) << name;
    EXPECT_EQ(test::values_of<std::uint8_t>(v), rgb) << name;
  }
}

// The voxels of a .nii.gz must be exactly the bytes that zlib inflates at vox_offset, whichever
// decoder the reader uses; these files are single-member with a true trailer size, so they take
// the libdeflate path.
void expect_same_bytes_as_zlib(const std::filesystem::path& file) {
  const auto gz = test::read_bytes(file);
  const auto raw = gunzip(file);
  ASSERT_EQ(isize_of({gz.begin(), gz.end()}), raw.size()) << file;
  const NiftiReader reader(file);
  const auto offset = static_cast<std::size_t>(reader.header().vox_offset);
  ASSERT_FALSE(nifti_scaling(reader.header()).has_value());
  ASSERT_FALSE(reader.header().swapped);
  const Volume v = reader.read();
  ASSERT_EQ(offset + v.byte_size(), raw.size()) << file;
  EXPECT_EQ(std::memcmp(v.raw(), raw.data() + offset, v.byte_size()), 0) << file;
}

TEST(NiftiReader, GzipVoxelsAreExactlyWhatZlibInflates) {
  const auto colin = test::sample_data_dir() / "colin27/ch2.nii.gz";
  if (std::filesystem::exists(colin)) expect_same_bytes_as_zlib(colin);
  TempDir dir;
  const std::array<std::size_t, 3> size{96, 80, 24};
  const auto values = noisy_ct(size[0] * size[1] * size[2]);
  test::write_volume<std::int16_t>(dir / "ct.nii.gz", size, values);
  expect_same_bytes_as_zlib(dir / "ct.nii.gz");
  EXPECT_EQ(test::values_of<std::int16_t>(NiftiReader(dir / "ct.nii.gz").read()), values);
}

TEST(NiftiReader, MultiMemberGzipIsReadWhole) {
  TempDir dir;
  const std::array<std::size_t, 3> size{24, 20, 10};
  const auto values = noisy_ct(size[0] * size[1] * size[2]);
  auto bytes = nifti1_header({24, 20, 10}, 4, 16, false);
  append_values(bytes, values, false);
  const std::size_t n = bytes.size();
  // Cuts inside the header, at the data offset, inside the data, and empty first or last
  // members (an empty first member leaves the last member's trailer size equal to the whole).
  const std::vector<std::vector<std::size_t>> cuts{
      {0}, {1}, {200}, {351}, {352}, {353}, {352 + 4801}, {n - 1}, {n}, {100, 5000}, {0, 352, n}};
  for (const auto& cut : cuts) {
    std::vector<unsigned char> gz;
    std::size_t from = 0;
    for (std::size_t c : cut) {
      const auto m = gzip_member(bytes.data() + from, c - from);
      gz.insert(gz.end(), m.begin(), m.end());
      from = c;
    }
    const auto m = gzip_member(bytes.data() + from, n - from);
    gz.insert(gz.end(), m.begin(), m.end());
    const auto file = dir / "multi.nii.gz";
    write_bytes(file, gz);
    ASSERT_EQ(gunzip(file), bytes) << "cut at " << cut[0];  // a valid multi-member file
    const Volume v = NiftiReader(file).read();
    EXPECT_EQ(v.size(), size);
    EXPECT_EQ(test::values_of<std::int16_t>(v), values) << "cut at " << cut[0];
  }
}

// A one-line InputError that names `file` and calls it corrupt.
void expect_corrupt_file_message(const InputError& e, const std::filesystem::path& file) {
  const std::string msg = e.what();
  EXPECT_NE(msg.find(file.string()), std::string::npos) << msg;
  EXPECT_NE(msg.find("corrupt"), std::string::npos) << msg;
  EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
}

// Reading `file`, header and voxels, fails with such an error; `what` names the case.
void expect_corrupt_file_error(const std::filesystem::path& file, const std::string& what) {
  try {
    (void)NiftiReader(file).read();
    ADD_FAILURE() << "no error, " << what;
  } catch (const InputError& e) {
    expect_corrupt_file_message(e, file);
  }
}

// zlib checks the trailer only when it reaches it, which depends on its buffer sizes: a file with
// complete voxels but a wrong trailer may be read or refused; it must never give other voxels.
template <class T>
void expect_values_or_corrupt_file_error(const std::filesystem::path& file,
                                         const std::vector<T>& values, const std::string& what) {
  try {
    EXPECT_EQ(test::values_of<T>(NiftiReader(file).read()), values) << what;
  } catch (const InputError& e) {
    expect_corrupt_file_message(e, file);
  }
}

TEST(NiftiReader, GzipTrailerSizeThatDisagreesWithTheHeader) {
  TempDir dir;
  // 64 KiB of voxels: more than zlib inflates to read the header, so the header probe does not
  // reach the trailer.
  const auto values = noisy_ct(64 * 64 * 8);
  auto bytes = nifti1_header({64, 64, 8}, 4, 16, false);
  append_values(bytes, values, false);
  const auto expected = static_cast<std::uint32_t>(bytes.size());
  const auto file = dir / "v.nii.gz";

  auto gz = gzip_member(bytes.data(), bytes.size());
  for (std::uint32_t isize : {expected + 1, expected - 1, 0u}) {
    set_isize(gz, isize);
    write_bytes(file, gz);
    expect_values_or_corrupt_file_error(file, values, "ISIZE " + std::to_string(isize));
  }

  // Bytes after the voxels: valid with the true trailer size, corrupt with one that claims none.
  auto longer = bytes;
  longer.resize(bytes.size() + 100, 0xab);
  gz = gzip_member(longer.data(), longer.size());
  ASSERT_EQ(isize_of(gz), expected + 100);
  write_bytes(file, gz);
  EXPECT_EQ(test::values_of<std::int16_t>(NiftiReader(file).read()), values);
  set_isize(gz, expected);
  write_bytes(file, gz);
  expect_values_or_corrupt_file_error(file, values, "extra bytes, ISIZE without them");

  // Short data whose trailer claims the size the header needs.
  auto shorter = bytes;
  shorter.resize(bytes.size() - 2 * 30);
  gz = gzip_member(shorter.data(), shorter.size());
  set_isize(gz, expected);
  write_bytes(file, gz);
  EXPECT_NO_THROW((void)NiftiReader(file));  // the header is whole: the voxels must fail
  expect_corrupt_file_error(file, "short data");
}

TEST(NiftiReader, TruncatedGzipIsAOneLineInputError) {
  TempDir dir;
  const auto values = noisy_ct(40 * 30 * 8);
  auto bytes = nifti1_header({40, 30, 8}, 4, 16, false);
  append_values(bytes, values, false);
  const auto whole = gzip_member(bytes.data(), bytes.size());
  const auto file = dir / "cut.nii.gz";
  // Cuts inside the header and inside the voxels; with the last four bytes as they fall, and
  // replaced by the size the header needs, as a complete file's trailer would give it.
  for (std::size_t keep : {std::size_t{30}, whole.size() / 2, whole.size() * 3 / 4}) {
    for (bool forge_isize : {false, true}) {
      std::vector<unsigned char> gz(whole.begin(),
                                    whole.begin() + static_cast<std::ptrdiff_t>(keep));
      if (forge_isize) set_isize(gz, static_cast<std::uint32_t>(bytes.size()));
      write_bytes(file, gz);
      expect_corrupt_file_error(file, std::to_string(keep) + " bytes kept");
    }
  }
}

TEST(NiftiReader, BadHeadersAreInputErrors) {
  TempDir dir;
  auto zero = nifti1_header({4, 0, 3}, 2, 8, false);
  write_nifti_file(dir / "zero.nii", zero);
  EXPECT_THROW(NiftiReader(dir / "zero.nii"), InputError);
  auto complex = nifti1_header({2, 2, 2}, 32, 64, false);
  complex.resize(complex.size() + 64);
  write_nifti_file(dir / "complex.nii", complex);
  EXPECT_THROW(NiftiReader(dir / "complex.nii"), InputError);
  write_nifti_file(dir / "text.nii", std::vector<unsigned char>(400, 'x'));
  EXPECT_FALSE(NiftiReader::probe(dir / "text.nii").has_value());
  EXPECT_THROW(NiftiReader(dir / "text.nii"), InputError);
}

TEST(NiftiReader, VoxOffsetThatIsNoByteOffsetIsAnInputError) {
  // 1e30 does not fit in 64 bits: the CI fuzz run found the float-to-integer cast (undefined
  // behaviour, caught by UBSan); NaN, infinity and negative values are no offsets either.
  TempDir dir;
  for (const float bad : {1e30f, -1e30f, std::numeric_limits<float>::quiet_NaN(),
                          std::numeric_limits<float>::infinity(), -4.0f}) {
    auto h = nifti1_header({2, 2, 2}, 2, 8, false);
    put<float>(h, 108, bad, false);
    h.resize(h.size() + 8);
    write_nifti_file(dir / "x.nii", h);
    const auto header = NiftiReader::probe(dir / "x.nii");
    ASSERT_TRUE(header.has_value());
    EXPECT_EQ(header->vox_offset, -1) << bad;
    try {
      NiftiReader reader(dir / "x.nii");
      ADD_FAILURE() << "vox_offset " << bad << " was accepted";
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find("vox_offset is not a byte offset"), std::string::npos)
          << e.what();
    }
  }
}

}  // namespace
}  // namespace samed2d
