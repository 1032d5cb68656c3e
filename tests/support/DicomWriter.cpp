#include "support/DicomWriter.hpp"

#include <itkGDCMImageIO.h>
#include <itkImage.h>
#include <itkImageFileWriter.h>
#include <itkImageSeriesWriter.h>
#include <itkMetaDataObject.h>

#include <algorithm>
#include <sstream>
#include <stdexcept>
#include <type_traits>

namespace samed2d::test {

namespace fs = std::filesystem;

namespace {

std::string number(double v) {
  std::ostringstream s;
  s.precision(12);
  s << v;
  return s.str();
}

std::string joined(const double* v, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += (i ? "\\" : "") + number(v[i]);
  return out;
}

void put(itk::MetaDataDictionary& d, const char* tag, const std::string& value) {
  itk::EncapsulateMetaData<std::string>(d, tag, value);
}

itk::IOComponentEnum component_of(DicomPixel p) {
  switch (p) {
    case DicomPixel::Int16:
      return itk::IOComponentEnum::SHORT;
    case DicomPixel::UInt16:
      return itk::IOComponentEnum::USHORT;
    default:
      return itk::IOComponentEnum::UCHAR;
  }
}

// Writes one slice through itk::ImageSeriesWriter (a 3D image one slice thick, written as one 2D
// file): the writer takes Image Position/Orientation from the dictionary. `Pixel` is the image's
// pixel type: the stored type without rescale; double with a rescale, so that ITK's inverse
// rescale sees the exact physical values and stores them in the IO's internal component type.
template <class Pixel>
void write_slice(const fs::path& file, std::size_t columns, std::size_t rows,
                 const std::vector<double>& values, itk::MetaDataDictionary& dict,
                 DicomPixel stored) {
  if (values.size() != columns * rows)
    throw std::runtime_error(file.string() + ": DicomWriter needs columns * rows values");
  using Image = itk::Image<Pixel, 3>;
  auto image = Image::New();
  typename Image::RegionType region;
  region.SetSize({{columns, rows, 1}});
  image->SetRegions(region);
  image->Allocate();
  for (std::size_t n = 0; n < values.size(); ++n)
    image->GetBufferPointer()[n] = static_cast<Pixel>(values[n]);
  if (std::is_floating_point_v<Pixel>) {
    // ITK stores a floating-point image only with the stored pixel layout given explicitly.
    const bool byte = stored == DicomPixel::UInt8;
    put(dict, "0028|0100", byte ? "8" : "16");
    put(dict, "0028|0101", byte ? "8" : "16");
    put(dict, "0028|0102", byte ? "7" : "15");
    put(dict, "0028|0103", stored == DicomPixel::Int16 ? "1" : "0");
  }
  auto io = itk::GDCMImageIO::New();
  io->KeepOriginalUIDOn();
  io->SetInternalComponentType(component_of(stored));
  std::vector<itk::MetaDataDictionary*> dicts{&dict};
  auto writer = itk::ImageSeriesWriter<Image, itk::Image<Pixel, 2>>::New();
  writer->SetInput(image);
  writer->SetImageIO(io);
  writer->SetFileNames({file.string()});
  writer->SetMetaDataDictionaryArray(&dicts);
  writer->Update();
}

void write_slice(const fs::path& file, std::size_t columns, std::size_t rows,
                 const std::vector<double>& values, itk::MetaDataDictionary& dict,
                 DicomPixel stored, bool rescaled) {
  if (rescaled) return write_slice<double>(file, columns, rows, values, dict, stored);
  switch (stored) {
    case DicomPixel::Int16:
      return write_slice<std::int16_t>(file, columns, rows, values, dict, stored);
    case DicomPixel::UInt16:
      return write_slice<std::uint16_t>(file, columns, rows, values, dict, stored);
    default:
      return write_slice<std::uint8_t>(file, columns, rows, values, dict, stored);
  }
}

// Writes `image` with `dict` as one DICOM file through GDCMImageIO, keeping the UIDs given.
template <class Image>
void write_file(const fs::path& file, Image* image, const itk::MetaDataDictionary& dict) {
  image->SetMetaDataDictionary(dict);
  if (!file.parent_path().empty()) fs::create_directories(file.parent_path());
  auto io = itk::GDCMImageIO::New();
  io->KeepOriginalUIDOn();
  auto writer = itk::ImageFileWriter<Image>::New();
  writer->SetInput(image);
  writer->SetImageIO(io);
  writer->SetFileName(file.string());
  writer->Update();
}

}  // namespace

DicomSeriesSpec one_slice_series(const std::string& file, std::size_t columns, std::size_t rows,
                                 double value, const std::string& series_uid) {
  DicomSeriesSpec spec;
  spec.columns = columns;
  spec.rows = rows;
  spec.series_uid = series_uid;
  DicomSlice slice;
  slice.file = file;
  slice.values.assign(columns * rows, value);
  spec.slices.push_back(slice);
  return spec;
}

void write_dicom_series(const fs::path& folder, const DicomSeriesSpec& spec) {
  fs::create_directories(folder);
  for (std::size_t s = 0; s < spec.slices.size(); ++s) {
    const DicomSlice& slice = spec.slices[s];
    itk::MetaDataDictionary d;
    put(d, "0008|0016",
        spec.modality == "MR" ? "1.2.840.10008.5.1.4.1.1.4"    // MR Image Storage
                              : "1.2.840.10008.5.1.4.1.1.2");  // CT Image Storage
    put(d, "0008|0060", spec.modality);
    put(d, "0028|0004", "MONOCHROME2");
    put(d, "0020|000d", spec.study_uid);
    put(d, "0020|000e", spec.series_uid);
    if (!spec.description.empty()) put(d, "0008|103e", spec.description);
    put(d, "0008|0018",
        slice.sop_uid.empty() ? spec.series_uid + "." + std::to_string(s + 1) : slice.sop_uid);
    put(d, "0020|0013", std::to_string(slice.instance));
    put(d, "0020|0032", joined(slice.position, 3));
    put(d, "0020|0037", joined(spec.orientation, 6));
    put(d, "0028|0030", joined(spec.pixel_spacing, 2));
    put(d, "0028|1053", slice.slope);
    put(d, "0028|1052", slice.intercept);
    const bool rescaled = std::stod(slice.slope) != 1.0 || std::stod(slice.intercept) != 0.0;
    write_slice(folder / slice.file, spec.columns, spec.rows, slice.values, d, spec.pixel,
                rescaled);
  }
}

DicomSeriesSpec numbered_series(
    std::size_t columns, std::size_t rows, const std::string& series_uid,
    const std::vector<std::string>& files,
    const std::function<double(std::size_t, std::size_t, std::size_t)>& value) {
  DicomSeriesSpec spec;
  spec.columns = columns;
  spec.rows = rows;
  spec.series_uid = series_uid;
  for (std::size_t f = 0; f < files.size(); ++f) {
    DicomSlice slice;
    slice.file = files[f];
    for (std::size_t j = 0; j < rows; ++j)
      for (std::size_t i = 0; i < columns; ++i) slice.values.push_back(value(f, i, j));
    slice.instance = static_cast<int>(f + 1);
    spec.slices.push_back(std::move(slice));
  }
  return spec;
}

void write_dicom_image(const fs::path& file, const DicomImage2D& image) {
  if (image.pixel == DicomPixel::Int16)
    throw std::runtime_error(file.string() + ": write_dicom_image writes uint8 or uint16");
  if (image.values.size() != image.columns * image.rows)
    throw std::runtime_error(file.string() + ": write_dicom_image needs columns * rows values");
  itk::MetaDataDictionary d;
  put(d, "0008|0016", "1.2.840.10008.5.1.4.1.1.1.1");  // Digital X-Ray Image Storage
  put(d, "0008|0060", image.modality);
  put(d, "0028|0004", "MONOCHROME2");
  put(d, "0020|000d", image.series_uid + ".0");
  put(d, "0020|000e", image.series_uid);
  put(d, "0008|0018", image.sop_instance_uid);
  put(d, "0028|0030", joined(image.pixel_spacing, 2));
  auto write = [&](auto zero) {
    using Pixel = decltype(zero);
    using Image = itk::Image<Pixel, 2>;
    auto img = Image::New();
    typename Image::RegionType region;
    region.SetSize({{image.columns, image.rows}});
    img->SetRegions(region);
    img->Allocate();
    for (std::size_t n = 0; n < image.values.size(); ++n)
      img->GetBufferPointer()[n] = static_cast<Pixel>(image.values[n]);
    write_file(file, img.GetPointer(), d);
  };
  if (image.pixel == DicomPixel::UInt8)
    write(std::uint8_t{});
  else
    write(std::uint16_t{});
}

void write_dicom_multiframe(const fs::path& file, std::size_t columns, std::size_t rows,
                            std::size_t frames, const std::vector<std::int16_t>& values,
                            double frame_spacing) {
  if (values.size() != columns * rows * frames)
    throw std::runtime_error(file.string() + ": write_dicom_multiframe needs all voxels");
  using Image = itk::Image<std::int16_t, 3>;
  auto img = Image::New();
  Image::RegionType region;
  region.SetSize({{columns, rows, frames}});
  img->SetRegions(region);
  img->Allocate();
  std::copy(values.begin(), values.end(), img->GetBufferPointer());
  Image::SpacingType spacing;
  spacing[0] = spacing[1] = 1;
  spacing[2] = frame_spacing;
  img->SetSpacing(spacing);
  itk::MetaDataDictionary d;
  put(d, "0008|0060", "CT");
  put(d, "0020|000e", "1.2.826.0.1.3680043.9.7777.200");
  put(d, "0020|000d", "1.2.826.0.1.3680043.9.7777.200.0");
  put(d, "0008|0018", "1.2.826.0.1.3680043.9.7777.200.1");
  write_file(file, img.GetPointer(), d);
}

}  // namespace samed2d::test
