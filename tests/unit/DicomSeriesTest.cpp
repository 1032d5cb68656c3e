#include <gtest/gtest.h>
#include <itkGDCMImageIO.h>
#include <itkImage.h>
#include <itkImageSeriesWriter.h>
#include <itkMetaDataObject.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "pipeline/DicomSeries.hpp"
#include "pipeline/Errors.hpp"
#include "pipeline/VolumeReader.hpp"
#include "support/DicomBytes.hpp"
#include "support/TestData.hpp"

namespace samed2d {
namespace {

using test::TempDir;
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

// Writes one series with itk::ImageSeriesWriter + GDCMImageIO: slice s of `slices` holds
// value_at(s, i, j) and the header fields of slices[s]. Slices carry explicit UIDs so that all
// files belong to `series_uid`.
void write_series(const fs::path& folder, const std::vector<Slice>& slices,
                  const std::string& series_uid) {
  using Image = itk::Image<std::int16_t, 3>;
  auto image = Image::New();
  Image::RegionType region;
  region.SetSize({{kNi, kNj, slices.size()}});
  image->SetRegions(region);
  image->Allocate();
  for (std::size_t s = 0; s < slices.size(); ++s)
    for (std::size_t j = 0; j < kNj; ++j)
      for (std::size_t i = 0; i < kNi; ++i)
        image->GetBufferPointer()[i + kNi * (j + kNj * s)] = value_at(s, i, j);

  using Dictionary = itk::MetaDataDictionary;
  std::vector<Dictionary> dicts(slices.size());
  std::vector<Dictionary*> dict_ptrs;
  std::vector<std::string> names;
  for (std::size_t s = 0; s < slices.size(); ++s) {
    Dictionary& d = dicts[s];
    auto put = [&](const char* tag, const std::string& value) {
      itk::EncapsulateMetaData<std::string>(d, tag, value);
    };
    put("0008|0016", "1.2.840.10008.5.1.4.1.1.2");  // CT Image Storage
    put("0008|0060", "CT");
    put("0028|0004", "MONOCHROME2");
    put("0020|000d", "1.2.826.0.1.3680043.9.7777.1");
    put("0020|000e", series_uid);
    put("0008|0018", series_uid + "." + std::to_string(s + 1));
    put("0020|0013", std::to_string(slices[s].instance));
    put("0020|0032", "0\\0\\" + std::to_string(slices[s].z));
    put("0020|0037", "1\\0\\0\\0\\1\\0");
    put("0028|1053", slices[s].slope);
    put("0028|1052", slices[s].intercept);
    dict_ptrs.push_back(&d);
    names.push_back((folder / slices[s].file).string());
  }
  fs::create_directories(folder);
  auto io = itk::GDCMImageIO::New();
  io->KeepOriginalUIDOn();
  auto writer = itk::ImageSeriesWriter<Image, itk::Image<std::int16_t, 2>>::New();
  writer->SetInput(image);
  writer->SetImageIO(io);
  writer->SetFileNames(names);
  writer->SetMetaDataDictionaryArray(&dict_ptrs);
  writer->Update();
}

// Five slices whose file names, instance numbers and positions all sort differently.
std::vector<Slice> shuffled_slices() {
  return {{"c.dcm", 4.0, 2},
          {"a.dcm", -1.0, 5},
          {"e.dcm", 9.5, 1},
          {"b.dcm", 2.0, 4},
          {"d.dcm", 0.5, 3}};
}

void write_bytes(const fs::path& file, const std::vector<std::uint8_t>& bytes) {
  std::ofstream(file, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
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
  // Lowest position first; the gaps are uneven (1.5, 1.5, 2, 5.5), which is reported.
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
  using Image = itk::Image<std::int16_t, 3>;
  auto image = Image::New();
  Image::RegionType region;
  region.SetSize({{3, 3, 1}});
  image->SetRegions(region);
  image->Allocate(true);
  itk::MetaDataDictionary d;
  itk::EncapsulateMetaData<std::string>(d, "0008|0016", "1.2.840.10008.5.1.4.1.1.2");
  itk::EncapsulateMetaData<std::string>(d, "0020|000d", "1.2.826.0.1.3680043.9.7777.1");
  itk::EncapsulateMetaData<std::string>(d, "0020|000e", uid);
  itk::EncapsulateMetaData<std::string>(d, "0008|0018", uid + ".99");
  itk::EncapsulateMetaData<std::string>(d, "0020|0032", "0\\0\\20");
  itk::EncapsulateMetaData<std::string>(d, "0020|0037", "1\\0\\0\\0\\1\\0");
  std::vector<itk::MetaDataDictionary*> dicts{&d};
  auto io = itk::GDCMImageIO::New();
  io->KeepOriginalUIDOn();
  auto writer = itk::ImageSeriesWriter<Image, itk::Image<std::int16_t, 2>>::New();
  writer->SetInput(image);
  writer->SetImageIO(io);
  writer->SetFileNames({(dir / "s" / "odd.dcm").string()});
  writer->SetMetaDataDictionaryArray(&dicts);
  writer->Update();
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

}  // namespace
}  // namespace samed2d
