#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "pipeline/core/Errors.hpp"
#include "pipeline/io/VolumeReader.hpp"
#include "pipeline/io/dicom/DicomSeries.hpp"
#include "support/DicomBytes.hpp"
#include "support/DicomWriter.hpp"
#include "support/TestData.hpp"

namespace samed2d {
namespace {

using test::TempDir;
using test::write_bytes;
namespace fs = std::filesystem;

constexpr std::size_t kNi = 6, kNj = 4;

// Value of voxel (i, j) of slice `s`: distinct across slices and pixels, negatives included.
std::int16_t value_at(std::size_t s, std::size_t i, std::size_t j) {
  return static_cast<std::int16_t>(-300 + 100 * static_cast<int>(s) +
                                   static_cast<int>(i + kNi * j));
}

struct Slice {
  std::string file;         // file name inside the folder
  double z = 0;             // Image Position (Patient) z
  int instance = 0;         // Instance Number
  std::string slope = "1";  // Rescale Slope and Intercept as written into the header
  std::string intercept = "0";
};

// Writes one series (int16, through test::write_dicom_series): slice s of `slices` holds
// value_at(s, i, j) and the header fields of slices[s].
void write_series(const fs::path& folder, const std::vector<Slice>& slices,
                  const std::string& series_uid, const std::string& description = {}) {
  test::DicomSeriesSpec spec;
  spec.description = description;
  spec.columns = kNi;
  spec.rows = kNj;
  spec.series_uid = series_uid;
  for (std::size_t s = 0; s < slices.size(); ++s) {
    test::DicomSlice d;
    d.file = slices[s].file;
    for (std::size_t j = 0; j < kNj; ++j)
      for (std::size_t i = 0; i < kNi; ++i) d.values.push_back(value_at(s, i, j));
    d.position[2] = slices[s].z;
    d.instance = slices[s].instance;
    d.slope = slices[s].slope;
    d.intercept = slices[s].intercept;
    spec.slices.push_back(std::move(d));
  }
  test::write_dicom_series(folder, spec);
}

// Five slices whose file names, instance numbers and positions all sort differently.
std::vector<Slice> shuffled_slices() {
  return {{"c.dcm", 4.0, 2},
          {"a.dcm", -1.0, 5},
          {"e.dcm", 6.0, 1},
          {"b.dcm", 2.0, 4},
          {"d.dcm", 0.5, 3}};
}

std::string error_of(const fs::path& folder) {
  std::vector<std::string> warnings;
  try {
    (void)read_dicom_series(folder, warnings);
  } catch (const InputError& e) {
    const std::string msg = e.what();
    EXPECT_EQ(msg.rfind(folder.string() + ": ", 0), 0u) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
    return msg;
  }
  ADD_FAILURE() << folder << ": no InputError";
  return {};
}

// The written slice indices in ascending z: the order the volume must have.
std::vector<std::size_t> by_position(const std::vector<Slice>& slices) {
  std::vector<std::size_t> order(slices.size());
  for (std::size_t s = 0; s < order.size(); ++s) order[s] = s;
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return slices[a].z < slices[b].z; });
  return order;
}

template <class T>
void expect_slices(const Volume& v, const std::vector<Slice>& slices, double slope,
                   double intercept) {
  const auto order = by_position(slices);
  ASSERT_EQ(v.size(), (std::array<std::size_t, 3>{kNi, kNj, slices.size()}));
  const T* p = v.data<T>();
  for (std::size_t k = 0; k < order.size(); ++k)
    for (std::size_t j = 0; j < kNj; ++j)
      for (std::size_t i = 0; i < kNi; ++i)
        ASSERT_EQ(static_cast<double>(p[i + kNi * (j + kNj * k)]),
                  slope * value_at(order[k], i, j) + intercept)
            << "slice " << k << " voxel " << i << "," << j;
}

TEST(DicomSeries, SlicesComeInGeometricOrderWithTheirValues) {
  TempDir dir;
  const auto slices = shuffled_slices();
  write_series(dir / "s", slices, "1.2.826.0.1.3680043.9.7777.2");
  std::vector<std::string> warnings;
  const Volume v = read_dicom_series(dir / "s", warnings);
  EXPECT_EQ(v.type(), VoxelType::Int16);
  EXPECT_EQ(v.components(), 1u);
  EXPECT_EQ(v.stored_dimensions, 3u);
  EXPECT_FALSE(v.is_2d());
  expect_slices<std::int16_t>(v, slices, 1, 0);
  // Lowest position first; the gaps are uneven (1.5, 1.5, 2, 2), which is reported.
  EXPECT_DOUBLE_EQ(v.geometry.origin[2], -1.0);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("evenly spaced"), std::string::npos) << warnings[0];
}

TEST(DicomSeries, ReadVolumeAcceptsAFolder) {
  TempDir dir;
  std::vector<Slice> slices = shuffled_slices();
  for (std::size_t s = 0; s < slices.size(); ++s) slices[s].z = 2.5 * static_cast<double>(s);
  std::swap(slices[0].z, slices[3].z);
  write_series(dir / "s", slices, "1.2.826.0.1.3680043.9.7777.3");
  std::vector<std::string> warnings;
  const Volume v = read_volume(dir / "s", warnings);
  expect_slices<std::int16_t>(v, slices, 1, 0);
  EXPECT_DOUBLE_EQ(v.geometry.spacing[2], 2.5);
  EXPECT_TRUE(warnings.empty()) << warnings[0];
}

TEST(DicomSeries, RescaleIsAppliedInATypeThatHoldsIt) {
  TempDir dir;
  std::vector<Slice> slices = shuffled_slices();
  for (Slice& s : slices) s.intercept = "-1024";
  write_series(dir / "s", slices, "1.2.826.0.1.3680043.9.7777.4");
  // The files store v + 1024 with intercept -1024 (ITK's writer takes the image as physical).
  for (std::size_t s = 0; s < slices.size(); ++s) {
    const auto bytes = test::read_bytes(dir / "s" / slices[s].file);
    ASSERT_EQ(test::dicom_string(bytes, 0x0028, 0x1052), "-1024");
    const test::DicomLookup pixels = test::find_dicom_element(bytes, 0x7FE0, 0x0010);
    ASSERT_TRUE(pixels.found);
    ASSERT_EQ(pixels.at.length, kNi * kNj * 2);
    std::int16_t first = 0;
    std::memcpy(&first, bytes.data() + pixels.at.value_offset, 2);
    ASSERT_EQ(first, value_at(s, 0, 0) + 1024);
  }
  std::vector<std::string> warnings;
  const Volume v = read_dicom_series(dir / "s", warnings);
  ASSERT_TRUE(v.type() == VoxelType::Int32 || v.type() == VoxelType::Float64)
      << voxel_type_name(v.type());
  v.visit([&](const auto* p) {
    using T = std::remove_cv_t<std::remove_pointer_t<decltype(p)>>;
    expect_slices<T>(v, slices, 1, 0);
  });
}

TEST(DicomSeries, SlicesWithDifferentRescaleKeepExactValues) {
  TempDir dir;
  const std::vector<Slice> slices = shuffled_slices();
  write_series(dir / "s", slices, "1.2.826.0.1.3680043.9.7777.5");
  // ITK's writer cannot store a fractional intercept for int16, so one file's header is patched:
  // its stored values stay value_at(2, i, j), its physical values become 0.25 * v + 3.5.
  const fs::path patched = dir / "s" / slices[2].file;
  auto bytes = test::read_bytes(patched);
  test::set_dicom_string(bytes, 0x0028, 0x1052, "DS", "3.5");
  test::set_dicom_string(bytes, 0x0028, 0x1053, "DS", "0.25");
  write_bytes(patched, bytes);
  std::vector<std::string> warnings;
  const Volume v = read_dicom_series(dir / "s", warnings);
  ASSERT_EQ(v.type(), VoxelType::Float64);
  const auto order = by_position(slices);
  const double* p = v.data<double>();
  for (std::size_t k = 0; k < order.size(); ++k) {
    const double slope = order[k] == 2 ? 0.25 : 1, intercept = order[k] == 2 ? 3.5 : 0;
    for (std::size_t j = 0; j < kNj; ++j)
      for (std::size_t i = 0; i < kNi; ++i)
        ASSERT_EQ(p[i + kNi * (j + kNj * k)], slope * value_at(order[k], i, j) + intercept);
  }
}

TEST(DicomSeries, Monochrome1SeriesKeepsPhysicalValues) {
  TempDir dir;
  const auto slices = shuffled_slices();
  write_series(dir / "s", slices, "1.2.826.0.1.3680043.9.7777.6");
  for (const Slice& s : slices) {
    auto bytes = test::read_bytes(dir / "s" / s.file);
    ASSERT_EQ(test::dicom_string(bytes, 0x0028, 0x0004), "MONOCHROME2");
    test::set_dicom_string(bytes, 0x0028, 0x0004, "CS", "MONOCHROME1");
    write_bytes(dir / "s" / s.file, bytes);
  }
  std::vector<std::string> warnings;
  const Volume v = read_dicom_series(dir / "s", warnings);
  ASSERT_EQ(v.type(), VoxelType::Int16);
  expect_slices<std::int16_t>(v, slices, 1, 0);
  EXPECT_TRUE(v.monochrome1);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("MONOCHROME1"), std::string::npos);
}

TEST(DicomSeries, TwoSeriesInOneFolderIsAnInputError) {
  TempDir dir;
  const std::string uid_a = "1.2.826.0.1.3680043.9.7777.7", uid_b = "1.2.826.0.1.3680043.9.7777.8";
  write_series(dir / "s", shuffled_slices(), uid_a);
  std::vector<Slice> other = shuffled_slices();
  for (Slice& s : other) s.file = "x" + s.file;
  write_series(dir / "s", other, uid_b);
  const std::string msg = error_of(dir / "s");
  EXPECT_NE(msg.find(uid_a), std::string::npos) << msg;
  EXPECT_NE(msg.find(uid_b), std::string::npos) << msg;
  EXPECT_NE(msg.find("one series"), std::string::npos) << msg;
}

TEST(DicomSeries, FolderWithoutDicomIsAnInputError) {
  TempDir dir;
  fs::create_directories(dir / "empty");
  EXPECT_NE(error_of(dir / "empty").find("no DICOM series"), std::string::npos);
  fs::create_directories(dir / "other");
  std::ofstream(dir / "other" / "notes.txt") << "not an image";
  test::write_volume<std::uint8_t>(dir / "other" / "v.nii.gz", {2, 2, 2},
                                   std::vector<std::uint8_t>(8, 1));
  EXPECT_NE(error_of(dir / "other").find("no DICOM series"), std::string::npos);
  EXPECT_NE(error_of(dir / "missing").find("not a folder"), std::string::npos);
}

TEST(DicomSeries, SliceOfAnotherSizeIsAnInputError) {
  TempDir dir;
  const std::string uid = "1.2.826.0.1.3680043.9.7777.9";
  write_series(dir / "s", shuffled_slices(), uid);
  // One more file of the same series with another size.
  test::DicomSeriesSpec odd = test::one_slice_series("odd.dcm", 3, 3, 0, uid);
  odd.slices[0].position[2] = 20;
  odd.slices[0].sop_uid = uid + ".99";
  test::write_dicom_series(dir / "s", odd);
  error_of(dir / "s");
}

TEST(DicomSeries, TruncatedSliceIsAnInputErrorNamingIt) {
  TempDir dir;
  const auto slices = shuffled_slices();
  write_series(dir / "s", slices, "1.2.826.0.1.3680043.9.7777.10");
  const fs::path cut = dir / "s" / slices[3].file;
  auto bytes = test::read_bytes(cut);
  bytes.resize(bytes.size() - 7);
  write_bytes(cut, bytes);
  std::vector<std::string> warnings;
  try {
    (void)read_dicom_series(dir / "s", warnings);
    ADD_FAILURE() << "no InputError";
  } catch (const InputError& e) {
    const std::string msg = e.what();
    EXPECT_EQ(msg.rfind(cut.string() + ": ", 0), 0u) << msg;
    EXPECT_NE(msg.find("short"), std::string::npos) << msg;
  }
}

TEST(DicomSeries, SingleFileXrayIsA2DSource) {
  TempDir dir;
  for (const test::DicomPixel pixel : {test::DicomPixel::UInt8, test::DicomPixel::UInt16}) {
    test::DicomImage2D xray;
    xray.columns = 5;
    xray.rows = 3;
    xray.pixel = pixel;
    const double scale = pixel == test::DicomPixel::UInt8 ? 10 : 4000;
    for (std::size_t n = 0; n < 15; ++n) xray.values.push_back(scale * static_cast<double>(n) / 2);
    const fs::path file = dir / (pixel == test::DicomPixel::UInt8 ? "a.dcm" : "b.dcm");
    test::write_dicom_image(file, xray);
    const auto bytes = test::read_bytes(file);
    EXPECT_EQ(test::dicom_string(bytes, 0x0008, 0x0018), xray.sop_instance_uid);
    EXPECT_EQ(test::dicom_string(bytes, 0x0028, 0x0004), "MONOCHROME2");
    std::vector<std::string> warnings;
    const Volume v = read_dicom_file(file, warnings);
    EXPECT_EQ(v.stored_dimensions, 2u);
    EXPECT_TRUE(v.is_2d());
    ASSERT_EQ(v.size(), (std::array<std::size_t, 3>{5, 3, 1}));
    ASSERT_EQ(v.type(), pixel == test::DicomPixel::UInt8 ? VoxelType::UInt8 : VoxelType::UInt16);
    v.visit([&](const auto* p) {
      for (std::size_t n = 0; n < 15; ++n) EXPECT_EQ(static_cast<double>(p[n]), xray.values[n]);
    });
    EXPECT_TRUE(warnings.empty());
  }
}

TEST(DicomSeries, Uint16SeriesWithSlopeAndDescription) {
  TempDir dir;
  test::DicomSeriesSpec spec;
  spec.columns = 2;
  spec.rows = 2;
  spec.pixel = test::DicomPixel::UInt16;
  spec.series_uid = "1.2.826.0.1.3680043.9.7777.11";
  spec.description = "t2_spir";
  for (int s = 0; s < 3; ++s) {
    test::DicomSlice slice;
    slice.file = "im" + std::to_string(s) + ".dcm";
    slice.position[2] = 3.0 * s;
    slice.instance = s + 1;
    slice.slope = "2";
    slice.intercept = "-10";
    // Physical values 2 * stored - 10 for stored 100 * s + n.
    for (int n = 0; n < 4; ++n) slice.values.push_back(2.0 * (100 * s + n) - 10);
    spec.slices.push_back(slice);
  }
  test::write_dicom_series(dir / "s", spec);
  const auto bytes = test::read_bytes(dir / "s" / "im1.dcm");
  EXPECT_EQ(test::dicom_string(bytes, 0x0008, 0x103E), "t2_spir");
  const test::DicomLookup pixels = test::find_dicom_element(bytes, 0x7FE0, 0x0010);
  ASSERT_TRUE(pixels.found);
  EXPECT_EQ(pixels.at.length, 4u * 2);  // stored as 16 bits
  std::vector<std::string> warnings;
  const Volume v = read_dicom_series(dir / "s", warnings);
  ASSERT_EQ(v.size(), (std::array<std::size_t, 3>{2, 2, 3}));
  v.visit([&](const auto* p) {
    for (std::size_t k = 0; k < 3; ++k)
      for (std::size_t n = 0; n < 4; ++n)
        EXPECT_EQ(static_cast<double>(p[n + 4 * k]), 2.0 * static_cast<double>(100 * k + n) - 10);
  });
  EXPECT_DOUBLE_EQ(v.geometry.spacing[2], 3.0);
  EXPECT_TRUE(warnings.empty()) << warnings[0];
}

// A series of `n` slices at z = z0 + spacing * s (s = 0..n-1) named by `name_of(s)`.
std::vector<Slice> regular_slices(std::size_t n,
                                  const std::function<std::string(std::size_t)>& name,
                                  double spacing = 2.0) {
  std::vector<Slice> slices;
  for (std::size_t s = 0; s < n; ++s)
    slices.push_back({name(s), spacing * static_cast<double>(s), static_cast<int>(s + 1)});
  return slices;
}

TEST(DicomSeries, OrderIsByPositionNotByFileName) {
  TempDir dir;
  // File names in the reverse order of the positions: s4.dcm is the lowest slice.
  const auto slices =
      regular_slices(5, [](std::size_t s) { return "s" + std::to_string(4 - s) + ".dcm"; });
  write_series(dir / "s", slices, "1.2.826.0.1.3680043.9.7777.20");
  std::vector<std::string> warnings;
  const Volume v = read_dicom_series(dir / "s", warnings);
  expect_slices<std::int16_t>(v, slices, 1, 0);
  EXPECT_DOUBLE_EQ(v.geometry.origin[2], 0.0);
  EXPECT_DOUBLE_EQ(v.geometry.spacing[2], 2.0);
  EXPECT_TRUE(warnings.empty());
}

// Two series in one folder: a (T1, 3 slices) and b (T2 SPIR, 4 slices), interleaved names.
struct TwoSeries {
  std::string uid_a = "1.2.826.0.1.3680043.9.7777.21", uid_b = "1.2.826.0.1.3680043.9.7777.22";
  std::vector<Slice> a, b;
  explicit TwoSeries(const fs::path& folder) {
    a = regular_slices(3, [](std::size_t s) { return "x" + std::to_string(2 * s) + ".dcm"; });
    b = regular_slices(
        4, [](std::size_t s) { return "x" + std::to_string(2 * s + 1) + ".dcm"; }, 3.0);
    write_series(folder, a, uid_a, "T1 in phase");
    write_series(folder, b, uid_b, "T2 SPIR");
  }
};

std::string series_error(const fs::path& folder, const std::string& series) {
  std::vector<std::string> warnings;
  try {
    (void)read_dicom_series(folder, warnings, series);
  } catch (const InputError& e) {
    const std::string msg = e.what();
    EXPECT_EQ(msg.rfind(folder.string() + ": ", 0), 0u) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
    EXPECT_NE(msg.find("\"series\""), std::string::npos) << msg;
    return msg;
  }
  ADD_FAILURE() << folder << ": no InputError for series '" << series << "'";
  return {};
}

TEST(DicomSeries, SeriesIsPickedByUidOrDescription) {
  TempDir dir;
  const TwoSeries two(dir / "s");
  std::vector<std::string> warnings;
  const Volume by_uid = read_dicom_series(dir / "s", warnings, two.uid_b);
  expect_slices<std::int16_t>(by_uid, two.b, 1, 0);
  EXPECT_DOUBLE_EQ(by_uid.geometry.spacing[2], 3.0);
  const Volume by_description = read_dicom_series(dir / "s", warnings, "T1*");
  expect_slices<std::int16_t>(by_description, two.a, 1, 0);
  const Volume by_question = read_dicom_series(dir / "s", warnings, "T2?SPIR");
  expect_slices<std::int16_t>(by_question, two.b, 1, 0);
  EXPECT_TRUE(warnings.empty());
}

TEST(DicomSeries, SeveralSeriesWithoutAChoiceAreListed) {
  TempDir dir;
  const TwoSeries two(dir / "s");
  for (const std::string& series : {std::string(), std::string("T3*"), std::string("T*"),
                                    std::string("1.2.826.0.1.3680043.9.7777.2")}) {
    const std::string msg = series_error(dir / "s", series);
    // Both series with UID, description and file count.
    EXPECT_NE(msg.find(two.uid_a + " \"T1 in phase\" (3 files)"), std::string::npos) << msg;
    EXPECT_NE(msg.find(two.uid_b + " \"T2 SPIR\" (4 files)"), std::string::npos) << msg;
  }
}

TEST(DicomSeries, MissingSlicesAreAnInputError) {
  TempDir dir;
  auto slices = regular_slices(6, [](std::size_t s) { return "m" + std::to_string(s) + ".dcm"; });
  slices.erase(slices.begin() + 3);  // z = 6 is missing: 0 2 4 8 10
  write_series(dir / "s", slices, "1.2.826.0.1.3680043.9.7777.23");
  const std::string msg = error_of(dir / "s");
  EXPECT_NE(msg.find("missing between m2.dcm (4 mm) and m4.dcm (8 mm"), std::string::npos) << msg;
  EXPECT_NE(msg.find("regular spacing is 2 mm"), std::string::npos) << msg;
  EXPECT_NE(msg.find("re-download"), std::string::npos) << msg;
}

TEST(DicomSeries, DuplicatePositionsAreAnInputError) {
  TempDir dir;
  auto slices = regular_slices(4, [](std::size_t s) { return "d" + std::to_string(s) + ".dcm"; });
  slices[2].z = slices[1].z;  // d1 and d2 at 2 mm
  write_series(dir / "s", slices, "1.2.826.0.1.3680043.9.7777.24");
  const std::string msg = error_of(dir / "s");
  EXPECT_NE(msg.find("d1.dcm and d2.dcm are at the same position (2 mm"), std::string::npos) << msg;
  EXPECT_NE(msg.find("keep one slice per position"), std::string::npos) << msg;
}

TEST(DicomSeries, MultiFrameFileIsAVolume) {
  TempDir dir;
  std::vector<std::int16_t> values(3 * 2 * 4);
  for (std::size_t n = 0; n < values.size(); ++n) values[n] = static_cast<std::int16_t>(7 * n - 50);
  test::write_dicom_multiframe(dir / "mf" / "volume.dcm", 3, 2, 4, values, 2.5);
  std::vector<std::string> warnings;
  for (const Volume& v : {read_dicom_file(dir / "mf" / "volume.dcm", warnings),
                          read_volume(dir / "mf" / "volume.dcm", warnings),
                          read_dicom_series(dir / "mf", warnings)}) {
    ASSERT_EQ(v.size(), (std::array<std::size_t, 3>{3, 2, 4}));
    EXPECT_EQ(v.stored_dimensions, 3u);
    ASSERT_EQ(v.type(), VoxelType::Int16);
    for (std::size_t n = 0; n < values.size(); ++n) ASSERT_EQ(v.data<std::int16_t>()[n], values[n]);
    EXPECT_DOUBLE_EQ(v.geometry.spacing[2], 2.5);
  }
  EXPECT_TRUE(warnings.empty());
}

TEST(DicomSeries, StackedSlicesKeepTheGivenOrder) {
  TempDir dir;
  // Positions descend with the file order: the stack's third axis points down.
  auto slices = regular_slices(3, [](std::size_t s) { return "f" + std::to_string(s) + ".dcm"; });
  for (std::size_t s = 0; s < 3; ++s) slices[s].z = 10.0 - 4.0 * static_cast<double>(s);
  write_series(dir / "s", slices, "1.2.826.0.1.3680043.9.7777.25");
  std::vector<fs::path> files;
  for (const Slice& s : slices) files.push_back(dir / "s" / s.file);
  std::vector<std::string> warnings;
  const Volume v = stack_dicom_slices(files, (dir / "s").string(), warnings);
  ASSERT_EQ(v.size(), (std::array<std::size_t, 3>{kNi, kNj, 3}));
  ASSERT_EQ(v.type(), VoxelType::Int16);
  for (std::size_t k = 0; k < 3; ++k)
    EXPECT_EQ(v.data<std::int16_t>()[kNi * kNj * k], value_at(k, 0, 0));
  EXPECT_DOUBLE_EQ(v.geometry.origin[2], 10.0);
  EXPECT_DOUBLE_EQ(v.geometry.spacing[2], 4.0);
  EXPECT_DOUBLE_EQ(v.geometry.direction[8], -1.0);
  const Geometry g = dicom_stack_geometry(files);
  EXPECT_EQ(g.direction, v.geometry.direction);
  EXPECT_EQ(g.origin, v.geometry.origin);
  EXPECT_TRUE(warnings.empty());
  // A slice of another size is refused, naming it.
  test::write_dicom_series(
      dir / "s", test::one_slice_series("odd.dcm", 3, 3, 0, "1.2.826.0.1.3680043.9.7777.26"));
  files.push_back(dir / "s" / "odd.dcm");
  try {
    (void)stack_dicom_slices(files, (dir / "s").string(), warnings);
    ADD_FAILURE() << "no InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("odd.dcm: its size 3x3 differs"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace samed2d
