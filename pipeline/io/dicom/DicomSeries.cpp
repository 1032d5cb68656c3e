#include "pipeline/io/dicom/DicomSeries.hpp"

#include <gdcmAttribute.h>
#include <gdcmImageReader.h>
#include <gdcmReader.h>
#include <gdcmRescaler.h>
#include <gdcmScanner.h>
#include <itkGDCMImageIO.h>
#include <itkImageSeriesReader.h>
#include <itkMetaDataObject.h>
#include <itkVectorImage.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/core/Errors.hpp"
#include "pipeline/core/ItkImageInfo.hpp"
#include "pipeline/core/Text.hpp"
#include "pipeline/io/dicom/DicomPrecheck.hpp"
#include "pipeline/io/dicom/DicomSlices.hpp"

namespace samed2d {

namespace {

std::string str(const std::filesystem::path& p) {
  return p.string();
}

// A tag of the IO's dictionary ("0028|0004"), blanks trimmed; empty when absent.
std::string dicom_tag(const itk::ImageIOBase& io, const char* key) {
  std::string value;
  itk::ExposeMetaData<std::string>(io.GetMetaDataDictionary(), key, value);
  return dicom_text(value);
}

std::optional<VoxelType> voxel_type(gdcm::PixelFormat::ScalarType t) {
  using P = gdcm::PixelFormat;
  switch (t) {
    case P::UINT8:
      return VoxelType::UInt8;
    case P::INT8:
      return VoxelType::Int8;
    case P::UINT12:
    case P::UINT16:
      return VoxelType::UInt16;
    case P::INT12:
    case P::INT16:
      return VoxelType::Int16;
    case P::UINT32:
      return VoxelType::UInt32;
    case P::INT32:
      return VoxelType::Int32;
    case P::FLOAT32:
      return VoxelType::Float32;
    case P::FLOAT64:
      return VoxelType::Float64;
    default:
      return std::nullopt;
  }
}

// ITK 5.2's GDCMImageIO inverts MONOCHROME1 pixels (to MONOCHROME2) before rescaling, which
// changes the physical values SPEC section 4 asks for. Single-bit pixels are exempt: ITK expands
// them to 0/255 before it looks at the photometric interpretation.
bool itk_would_invert(const itk::ImageIOBase& io) {
  return dicom_tag(io, "0028|0004") == "MONOCHROME1" && dicom_tag(io, "0028|0100") != "1" &&
         io.GetNumberOfComponents() == 1;
}

// The pixels of a MONOCHROME1 file as stored, decoded by GDCM, then rescaled the way ITK does
// (gdcm::Rescaler into the type ITK reported), into `v`.
void read_uninverted(const std::filesystem::path& file, const itk::GDCMImageIO& io, Volume& v) {
  gdcm::ImageReader reader;
  reader.SetFileName(file.c_str());
  if (!reader.Read())
    throw InputError(str(file) +
                     ": GDCM cannot read the DICOM pixel data; the file is corrupt "
                     "or truncated, re-export it");
  const gdcm::Image& image = reader.GetImage();
  std::vector<char> stored(image.GetBufferLength());
  if (!image.GetBuffer(stored.data()))
    throw InputError(str(file) +
                     ": GDCM cannot decode the DICOM pixel data (unsupported "
                     "compression or corrupt data); re-export it uncompressed");
  const gdcm::PixelFormat& format = image.GetPixelFormat();
  const double slope = io.GetRescaleSlope(), intercept = io.GetRescaleIntercept();
  auto mismatch = [&] {
    return InputError(str(file) +
                      ": the decoded DICOM pixel data does not match its header; "
                      "the file is corrupt, re-export it");
  };
  if (slope == 1.0 && intercept == 0.0) {
    if (stored.size() != v.byte_size() || voxel_type(format.GetScalarType()) != v.type())
      throw mismatch();
    std::memcpy(v.raw(), stored.data(), stored.size());
    return;
  }
  gdcm::Rescaler rescaler;
  rescaler.SetIntercept(intercept);
  rescaler.SetSlope(slope);
  rescaler.SetPixelFormat(format);
  const gdcm::PixelFormat out_format(rescaler.ComputeInterceptSlopePixelType());
  if (voxel_type(out_format.GetScalarType()) != v.type() || format.GetPixelSize() == 0 ||
      stored.size() / format.GetPixelSize() * voxel_type_size(v.type()) != v.byte_size())
    throw mismatch();
  rescaler.Rescale(static_cast<char*>(v.raw()), stored.data(), stored.size());
}

// Offset just past the header of the native Pixel Data element whose declared length is
// `needed` (rounded up to even); nullopt when none is found. Scanning for the tag with its
// expected length keeps a chance match inside other data from counting.
std::optional<std::uint64_t> pixel_data_end(std::ifstream& in, std::uint64_t needed,
                                            bool explicit_vr) {
  const std::uint64_t even = needed + (needed % 2);
  constexpr std::size_t kChunk = 1 << 20, kOverlap = 12;
  std::vector<unsigned char> buf;
  std::uint64_t base = 0;  // file offset of buf[0]
  std::vector<unsigned char> chunk(kChunk);
  while (in) {
    in.read(reinterpret_cast<char*>(chunk.data()), kChunk);
    const auto got = static_cast<std::size_t>(in.gcount());
    if (got == 0) break;
    buf.insert(buf.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(got));
    for (std::size_t at = 0; at + kOverlap <= buf.size(); ++at) {
      if (buf[at] != 0xE0 || buf[at + 1] != 0x7F || buf[at + 2] != 0x10 || buf[at + 3] != 0x00)
        continue;
      auto u32 = [&](std::size_t o) {
        return static_cast<std::uint64_t>(buf[o]) | (static_cast<std::uint64_t>(buf[o + 1]) << 8) |
               (static_cast<std::uint64_t>(buf[o + 2]) << 16) |
               (static_cast<std::uint64_t>(buf[o + 3]) << 24);
      };
      const bool vr_ok = buf[at + 4] == 'O' && buf[at + 6] == 0 && buf[at + 7] == 0;
      const std::uint64_t length = explicit_vr ? u32(at + 8) : u32(at + 4);
      if ((!explicit_vr || vr_ok) && (length == needed || length == even))
        return base + at + (explicit_vr ? 12 : 8);
    }
    const std::size_t keep = std::min(buf.size(), kOverlap - 1);
    base += buf.size() - keep;
    buf.erase(buf.begin(), buf.end() - static_cast<std::ptrdiff_t>(keep));
  }
  return std::nullopt;
}

// GDCM reads a file whose native (uncompressed) pixel data is cut short without an error and
// leaves the rest of the buffer as it was, so the length is checked here first.
void check_pixel_data_length(const std::filesystem::path& file) {
  gdcm::Reader reader;
  reader.SetFileName(file.c_str());
  if (!reader.ReadUpToTag(gdcm::Tag(0x7FE0, 0x0010))) return;  // ITK reports what is wrong
  const gdcm::TransferSyntax& ts = reader.GetFile().GetHeader().GetDataSetTransferSyntax();
  if (ts.IsEncapsulated() || ts == gdcm::TransferSyntax::DeflatedExplicitVRLittleEndian) return;
  const gdcm::DataSet& ds = reader.GetFile().GetDataSet();
  auto number = [&](auto attribute, double absent) {
    if (!ds.FindDataElement(attribute.GetTag())) return absent;
    attribute.SetFromDataSet(ds);
    return static_cast<double>(attribute.GetValue());
  };
  const double rows = number(gdcm::Attribute<0x0028, 0x0010>{}, 0);
  const double cols = number(gdcm::Attribute<0x0028, 0x0011>{}, 0);
  const double samples = number(gdcm::Attribute<0x0028, 0x0002>{}, 1);
  const double bits = number(gdcm::Attribute<0x0028, 0x0100>{}, 0);
  const double frames = std::max(1.0, number(gdcm::Attribute<0x0028, 0x0008>{}, 1));
  const auto needed =
      static_cast<std::uint64_t>(std::ceil(rows * cols * samples * frames * bits / 8));
  std::ifstream in(file, std::ios::binary);
  const auto data_start = pixel_data_end(in, needed, ts.IsExplicit());
  if (!data_start) return;  // not found as declared: leave the judgement to ITK
  std::error_code ec;
  const std::uint64_t size = std::filesystem::file_size(file, ec);
  if (!ec && size < *data_start + needed)
    throw InputError(str(file) + ": DICOM pixel data is short (" +
                     std::to_string(size > *data_start ? size - *data_start : 0) + " of " +
                     std::to_string(needed) +
                     " bytes); the file is truncated, re-download or re-export it");
}

std::string monochrome1_warning(const std::filesystem::path& source) {
  return str(source) +
         ": MONOCHROME1 (low values display white); normalized on its physical values and "
         "written inverted (255 - out), as a viewer shows it";
}

// ---------------------------------------------------------------------------------------------
// Series: the pixels of the slices that DicomSlices.hpp found, grouped and ordered.

// Whether every file carries the same rescale and pixel format as the first, judged from the
// raw header values (GDCM's scanner stops before the pixel data).
struct SeriesHeaders {
  bool uniform = true;
  bool monochrome1 = false;
};

SeriesHeaders scan_headers(const std::vector<std::string>& files) {
  const gdcm::Tag tags[] = {{0x0028, 0x1052}, {0x0028, 0x1053}, {0x0028, 0x0100},
                            {0x0028, 0x0101}, {0x0028, 0x0103}, {0x0028, 0x0004}};
  gdcm::Scanner scanner;
  for (const gdcm::Tag& t : tags) scanner.AddTag(t);
  SeriesHeaders h;
  if (!scanner.Scan(files)) {
    h.uniform = false;
    return h;
  }
  auto value = [&](const std::string& f, const gdcm::Tag& t) {
    const char* v = scanner.GetValue(f.c_str(), t);
    return v != nullptr ? dicom_text(v) : std::string("<none>");
  };
  for (const std::string& f : files) {
    for (const gdcm::Tag& t : tags) h.uniform = h.uniform && value(f, t) == value(files[0], t);
    h.monochrome1 = h.monochrome1 || value(f, tags[5]) == "MONOCHROME1";
  }
  return h;
}

template <class T>
Volume read_series_as(const std::vector<std::string>& files, const std::filesystem::path& folder,
                      std::vector<std::string>& warnings) {
  using Image = itk::VectorImage<T, 3>;
  auto reader = itk::ImageSeriesReader<Image>::New();
  reader->SetImageIO(itk::GDCMImageIO::New());
  reader->SetFileNames(files);
  reader->SetMetaDataDictionaryArrayUpdate(false);
  // The deviation is reported below as a warning line, not printed by ITK.
  reader->SetSpacingWarningRelThreshold(std::numeric_limits<double>::max());
  reader->Update();
  const Image* image = reader->GetOutput();
  const auto size = image->GetLargestPossibleRegion().GetSize();
  const std::size_t comps = image->GetNumberOfComponentsPerPixel();
  Volume v(voxel_type_of<T>(), {size[0], size[1], size[2]}, comps, comps > 1);
  std::memcpy(v.raw(), image->GetBufferPointer(), v.byte_size());
  for (unsigned d = 0; d < 3; ++d) {
    v.geometry.origin[d] = image->GetOrigin()[d];
    v.geometry.spacing[d] = image->GetSpacing()[d];
    for (unsigned r = 0; r < 3; ++r) v.geometry.direction[r * 3 + d] = image->GetDirection()(r, d);
  }
  double deviation = 0;
  if (itk::ExposeMetaData<double>(image->GetMetaDataDictionary(),
                                  "ITK_non_uniform_sampling_deviation", deviation) &&
      deviation > 0)
    warnings.push_back(str(folder) + ": slice positions are not evenly spaced (deviation " +
                       std::to_string(deviation) +
                       " mm: missing slices or a varying gap); slices are used as stored");
  return v;
}

Volume read_series_as(VoxelType type, const std::vector<std::string>& files,
                      const std::filesystem::path& folder, std::vector<std::string>& warnings) {
  switch (type) {
    case VoxelType::UInt8:
      return read_series_as<std::uint8_t>(files, folder, warnings);
    case VoxelType::Int8:
      return read_series_as<std::int8_t>(files, folder, warnings);
    case VoxelType::UInt16:
      return read_series_as<std::uint16_t>(files, folder, warnings);
    case VoxelType::Int16:
      return read_series_as<std::int16_t>(files, folder, warnings);
    case VoxelType::UInt32:
      return read_series_as<std::uint32_t>(files, folder, warnings);
    case VoxelType::Int32:
      return read_series_as<std::int32_t>(files, folder, warnings);
    case VoxelType::Float32:
      return read_series_as<float>(files, folder, warnings);
    default:
      return read_series_as<double>(files, folder, warnings);
  }
}

// Single-frame slices decoded one by one (by read_dicom_file, so MONOCHROME1 keeps its values)
// and stacked in the given order. `uniform`: every file has the rescale and pixel format of the
// first; else the volume is Float64 so every slice keeps its exact physical values.
Volume stack_files(const std::vector<std::string>& files, const std::string& where, bool uniform,
                   std::vector<std::string>& warnings) {
  std::optional<Volume> out;
  std::size_t slice_elements = 0;
  bool monochrome1 = false;
  for (std::size_t k = 0; k < files.size(); ++k) {
    std::vector<std::string> file_warnings;
    const Volume s = read_dicom_file(files[k], file_warnings);
    monochrome1 = monochrome1 || !file_warnings.empty();
    if (!out) {
      out.emplace(uniform ? s.type() : VoxelType::Float64,
                  std::array<std::size_t, 3>{s.size()[0], s.size()[1], files.size()},
                  s.components(), s.components() > 1);
      out->geometry = s.geometry;
      slice_elements = s.element_count();
    }
    if (s.size()[2] != 1)
      throw InputError(files[k] + ": holds " + std::to_string(s.size()[2]) +
                       " frames where one slice of " + where +
                       " was expected; remove the multi-frame file from the stack");
    if (s.size()[0] != out->size()[0] || s.size()[1] != out->size()[1] ||
        s.components() != out->components())
      throw InputError(files[k] + ": its size " + std::to_string(s.size()[0]) + "x" +
                       std::to_string(s.size()[1]) + " differs from the first slice of " + where +
                       " (" + std::to_string(out->size()[0]) + "x" +
                       std::to_string(out->size()[1]) +
                       "); remove the stray file or split the series");
    if (s.type() == out->type()) {
      std::memcpy(static_cast<char*>(out->raw()) + k * s.byte_size(), s.raw(), s.byte_size());
    } else {
      double* dst = out->data<double>() + k * slice_elements;
      s.visit([&](const auto* src) {
        for (std::size_t e = 0; e < slice_elements; ++e) dst[e] = static_cast<double>(src[e]);
      });
    }
  }
  if (monochrome1) warnings.push_back(monochrome1_warning(where));
  out->stored_dimensions = 3;
  out->monochrome1 = monochrome1;
  return std::move(*out);
}

}  // namespace

Volume read_dicom_file(const std::filesystem::path& file, std::vector<std::string>& warnings) {
  check_dicom_before_gdcm(file);
  try {
    auto io = itk::GDCMImageIO::New();
    io->SetFileName(file.string());
    io->ReadImageInformation();
    const unsigned ndim = io->GetNumberOfDimensions();
    std::array<std::size_t, 3> size{1, 1, 1};
    for (unsigned d = 0; d < ndim && d < 3; ++d) {
      size[d] = io->GetDimensions(d);
      if (size[d] == 0)
        throw InputError(str(file) + ": DICOM dimension " + std::to_string(d) +
                         " has size 0 (empty image); re-export the file");
    }
    const auto type = voxel_type(io->GetComponentType());
    if (!type)
      throw InputError(str(file) + ": DICOM voxel type " +
                       itk::ImageIOBase::GetComponentTypeAsString(io->GetComponentType()) +
                       " is not supported; convert the file to integer or real voxels");
    const std::size_t comps = io->GetNumberOfComponents();
    Volume v(*type, size, comps, comps > 1);
    v.stored_dimensions = size[2] == 1 ? 2u : 3u;
    v.geometry = geometry_of(*io);
    if (static_cast<std::size_t>(io->GetImageSizeInBytes()) != v.byte_size())
      throw InputError(str(file) +
                       ": ITK reports an inconsistent DICOM image size; the header is corrupt, "
                       "re-export the file");
    check_pixel_data_length(file);
    if (itk_would_invert(*io)) {
      read_uninverted(file, *io, v);
      warnings.push_back(monochrome1_warning(file));
      v.monochrome1 = true;
      return v;
    }
    itk::ImageIORegion region(ndim);
    for (unsigned d = 0; d < ndim; ++d) region.SetSize(d, io->GetDimensions(d));
    io->SetIORegion(region);
    io->Read(v.raw());
    return v;
  } catch (const itk::ExceptionObject& e) {
    throw InputError(str(file) + ": ITK cannot read this DICOM file (" + itk_text(e) +
                     "); check that the file is complete and holds an image");
  }
}

Volume read_dicom_series(const std::filesystem::path& folder, std::vector<std::string>& warnings,
                         const std::string& series) {
  std::error_code ec;
  if (!std::filesystem::is_directory(folder, ec))
    throw InputError(str(folder) + ": not a folder; point the config at a DICOM series folder");
  try {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(folder, ec))
      if (entry.is_regular_file(ec)) names.push_back(entry.path().string());
    if (ec)
      throw InputError(str(folder) + ": cannot list the folder (" + ec.message() +
                       "); check its permissions");
    std::sort(names.begin(), names.end());
    for (const auto& name : names) check_dicom_before_gdcm(name);
    const std::vector<SeriesGroup> groups = group_series(scan_slices(names));
    if (groups.empty())
      throw InputError(str(folder) +
                       ": no DICOM series in this folder (no readable DICOM image file); point "
                       "the config at a folder of DICOM slices");
    const SeriesGroup& chosen = pick_series(groups, folder, series);
    const SliceHeader& first = chosen.slices[0];
    for (const SliceHeader& h : chosen.slices) {
      if (h.rows != first.rows || h.columns != first.columns)
        throw InputError(str(folder) + ": slice " + name_of(h.file) + " is " +
                         std::to_string(h.columns) + "x" + std::to_string(h.rows) +
                         " pixels but slice " + name_of(first.file) + " of the same series is " +
                         std::to_string(first.columns) + "x" + std::to_string(first.rows) +
                         "; remove the stray file or split the series");
    }
    // A multi-frame file is a volume by itself.
    if (chosen.slices.size() == 1 && first.frames > 1) return read_dicom_file(first.file, warnings);
    for (const SliceHeader& h : chosen.slices)
      if (h.frames > 1)
        throw InputError(str(folder) + ": the series mixes the multi-frame file " +
                         name_of(h.file) +
                         " with other files; point the config at that file "
                         "alone, or remove it");

    const std::vector<SliceHeader> ordered = ordered_slices(chosen.slices, folder, warnings);
    std::vector<std::string> files;
    for (const SliceHeader& h : ordered) files.push_back(h.file);
    for (const std::string& f : files) check_pixel_data_length(f);
    const SeriesHeaders headers = scan_headers(files);
    if (headers.monochrome1) {
      Volume v = stack_files(files, str(folder), headers.uniform, warnings);
      v.geometry = stacked_geometry(ordered);
      return v;
    }
    auto io = itk::GDCMImageIO::New();
    io->SetFileName(files[0]);
    io->ReadImageInformation();
    const auto type = voxel_type(io->GetComponentType());
    if (!type)
      throw InputError(files[0] + ": DICOM voxel type " +
                       itk::ImageIOBase::GetComponentTypeAsString(io->GetComponentType()) +
                       " is not supported; convert the series to integer or real voxels");
    // Slices with different rescale parameters may come out of ITK in different types; double
    // holds every one of them exactly.
    Volume v =
        read_series_as(headers.uniform ? *type : VoxelType::Float64, files, folder, warnings);
    v.stored_dimensions = 3;
    return v;
  } catch (const itk::ExceptionObject& e) {
    throw InputError(str(folder) + ": ITK cannot read the DICOM series (" + itk_text(e) +
                     "); check that every slice is complete and of the same size");
  } catch (const VolumeTooLarge& e) {
    throw InputError(str(folder) + ": " + e.what());
  } catch (const std::bad_alloc&) {
    throw InputError(str(folder) +
                     ": not enough memory to read the series; lower --threads or free memory");
  }
}

Geometry dicom_stack_geometry(const std::vector<std::filesystem::path>& files) {
  std::vector<std::string> names;
  for (const auto& f : files) names.push_back(f.string());
  const std::vector<SliceHeader> slices = scan_slices(names);
  if (slices.size() != names.size()) {
    for (const std::string& n : names)
      if (std::none_of(slices.begin(), slices.end(),
                       [&](const SliceHeader& h) { return h.file == n; }))
        throw InputError(n + ": not a readable DICOM image; re-download it or remove it");
  }
  return stacked_geometry(slices);
}

Volume stack_dicom_slices(const std::vector<std::filesystem::path>& files, const std::string& where,
                          std::vector<std::string>& warnings) {
  if (files.empty()) throw InputError(where + ": no DICOM files to stack; check the folder");
  try {
    std::vector<std::string> names;
    for (const auto& f : files) names.push_back(f.string());
    Volume v = stack_files(names, where, scan_headers(names).uniform, warnings);
    v.geometry = dicom_stack_geometry(files);
    return v;
  } catch (const VolumeTooLarge& e) {
    throw InputError(where + ": " + e.what());
  } catch (const std::bad_alloc&) {
    throw InputError(where +
                     ": not enough memory to read the slices; lower --threads or free "
                     "memory");
  }
}

}  // namespace samed2d
