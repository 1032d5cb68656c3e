// Every file the readers of VolumeReader.cpp's table do not take, through ITK's ImageIOBase in
// the file's own component type: the ImageIO that ITK's factories choose, after the checks that
// keep ITK's readers from crashing on a hostile file (DICOM before GDCM, TIFF directories,
// MetaImage headers), with samed2d's own handling of palettes and alpha channels.
#include <fmt/format.h>
#include <itkBMPImageIO.h>
#include <itkImageIOBase.h>
#include <itkObjectFactoryBase.h>
#include <itkTIFFImageIO.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/core/Errors.hpp"
#include "pipeline/core/ItkImageInfo.hpp"
#include "pipeline/io/FormatReader.hpp"
#include "pipeline/io/MetaImageReader.hpp"
#include "pipeline/io/TiffChecks.hpp"
#include "pipeline/io/dicom/DicomPrecheck.hpp"
#include "pipeline/io/dicom/DicomSeries.hpp"

namespace samed2d {

namespace {

using Palette = std::vector<std::array<std::uint8_t, 3>>;

bool is_named(const itk::ImageIOBase& io, const char* name) {
  return std::string(io.GetNameOfClass()) == name;
}

bool is_raster_format(const itk::ImageIOBase& io) {
  const std::string name = io.GetNameOfClass();
  return name == "PNGImageIO" || name == "JPEGImageIO" || name == "BMPImageIO" ||
         name == "TIFFImageIO";
}

// Palette as 8-bit RGB; TIFF stores 16-bit entries, scaled down the way libtiff does unless every
// entry already fits in 8 bits.
std::optional<Palette> palette_of(itk::ImageIOBase& io) {
  Palette pal;
  if (auto* bmp = dynamic_cast<itk::BMPImageIO*>(&io)) {
    for (const auto& c : bmp->GetColorPalette())
      pal.push_back({c.GetRed(), c.GetGreen(), c.GetBlue()});
    return pal;
  }
  if (auto* tiff = dynamic_cast<itk::TIFFImageIO*>(&io)) {
    const auto& entries = tiff->GetColorPalette();
    bool eight_bit = true;
    for (const auto& c : entries)
      eight_bit = eight_bit && c.GetRed() < 256 && c.GetGreen() < 256 && c.GetBlue() < 256;
    auto cvt = [&](unsigned v) {
      return static_cast<std::uint8_t>(eight_bit ? v : (v * 255u) / 65535u);
    };
    for (const auto& c : entries)
      pal.push_back({cvt(c.GetRed()), cvt(c.GetGreen()), cvt(c.GetBlue())});
    return pal;
  }
  return std::nullopt;
}

// ITK's factory asks each registered reader whether it takes the file, GDCM last: so a damaged
// TIFF, BMP or MetaImage that every other reader turns down reaches GDCM, which parses it as a
// data set and can assert (the CI fuzz run found one). The same choice is made here, in the same
// order, but GDCM is asked only about a file that looks like DICOM, which the pre-GDCM checks
// have then walked.
itk::ImageIOBase::Pointer choose_image_io(const std::filesystem::path& file) {
  const bool dicom = looks_like_dicom(file);
  for (auto& object : itk::ObjectFactoryBase::CreateAllInstance("itkImageIOBase")) {
    auto* io = dynamic_cast<itk::ImageIOBase*>(object.GetPointer());
    if (io == nullptr) continue;
    if (!dicom && is_named(*io, "GDCMImageIO")) continue;
    if (io->CanReadFile(file.c_str())) return io;
  }
  return nullptr;
}

// The region ITK reads: the whole image.
void select_whole_image(itk::ImageIOBase& io) {
  itk::ImageIORegion region(io.GetNumberOfDimensions());
  for (unsigned d = 0; d < io.GetNumberOfDimensions(); ++d) {
    region.SetIndex(d, 0);
    region.SetSize(d, io.GetDimensions(d));
  }
  io.SetIORegion(region);
}

// The image as ITK reads it, into scratch memory (small 2D raster images only), for samed2d to
// expand a palette or drop alpha. The caller makes its output Volume first: its constructor
// refuses a size over --max-voxels before this buffer of the size the header claims is allocated.
std::vector<unsigned char> read_scratch(itk::ImageIOBase& io) {
  std::vector<unsigned char> scratch(static_cast<std::size_t>(io.GetImageSizeInBytes()));
  io.Read(scratch.data());
  return scratch;
}

// A colour BMP palette through ITK's own expansion (see read_palette_image for why).
Volume read_expanded_palette(const std::filesystem::path& file, unsigned stored,
                             const Geometry& geometry) {
  itk::ImageIOBase::Pointer io = choose_image_io(file);
  io->SetFileName(file.string());
  io->SetExpandRGBPalette(true);
  io->ReadImageInformation();
  const std::size_t comps = io->GetNumberOfComponents();
  if (io->GetComponentType() != itk::IOComponentEnum::UCHAR || (comps != 3 && comps != 4))
    throw InputError(file.string() + ": palette image of an unsupported kind; convert it to RGB");
  const std::array<std::size_t, 3> size{io->GetDimensions(0), io->GetDimensions(1), 1};
  select_whole_image(*io);
  // The output first: its constructor refuses a size over --max-voxels before the scratch buffer
  // of the size the header claims is allocated.
  Volume v(VoxelType::UInt8, size, 3, true);
  const std::vector<unsigned char> scratch = read_scratch(*io);
  v.stored_dimensions = stored;
  v.geometry = geometry;
  auto* out = v.data<std::uint8_t>();
  for (std::size_t p = 0; p < size[0] * size[1]; ++p)
    std::memcpy(out + 3 * p, scratch.data() + comps * p, 3);
  return v;
}

// What ITK's header says about the image, as samed2d keeps it.
struct ItkLayout {
  std::array<std::size_t, 3> size{};
  std::size_t comps = 1;   // components per pixel
  std::size_t frames = 1;  // volumes of a 4D image
  VoxelType type = VoxelType::UInt8;
  unsigned stored = 3;  // the Volume's stored_dimensions
};

// Reads the header of `file` through `io` and refuses what samed2d does not read (empty, over 4
// dimensions, 4D with vector pixels, complex or unknown voxels, over --max-voxels); ITK then
// reads the whole image.
ItkLayout read_layout(const std::filesystem::path& file, itk::ImageIOBase& io) {
  io.SetFileName(file.string());
  io.SetExpandRGBPalette(false);
  // MetaIO ends its "File cannot be read" message with strerror(errno), the errno of whatever call
  // failed last before it: cleared, the message reads the same whichever checks ran first.
  errno = 0;
  io.ReadImageInformation();

  const unsigned ndim = io.GetNumberOfDimensions();
  std::vector<std::size_t> dims(ndim);
  for (unsigned d = 0; d < ndim; ++d) {
    dims[d] = io.GetDimensions(d);
    if (dims[d] == 0)
      throw InputError(file.string() + ": dimension " + std::to_string(d) +
                       " has size 0 (empty image); re-export the file");
  }
  for (unsigned d = 4; d < ndim; ++d)
    if (dims[d] > 1)
      throw InputError(file.string() + ": images with more than 4 dimensions are not supported; " +
                       "split the file into 3D or 4D files");
  ItkLayout image;
  image.comps = io.GetNumberOfComponents();
  image.frames = ndim >= 4 ? dims[3] : 1;
  if (image.frames > 1 && image.comps > 1)
    throw InputError(file.string() +
                     ": 4D images with multi-component pixels are not supported; split the file "
                     "into one file per component or per volume");
  const auto type = voxel_type(io.GetComponentType());
  if (!type || io.GetPixelType() == itk::IOPixelEnum::COMPLEX)
    throw InputError(file.string() + ": voxel type " +
                     itk::ImageIOBase::GetComponentTypeAsString(io.GetComponentType()) + " " +
                     itk::ImageIOBase::GetPixelTypeAsString(io.GetPixelType()) +
                     " is not supported; convert the file to integer or real voxels");
  image.type = *type;
  image.size = {ndim > 0 ? dims[0] : 1, ndim > 1 ? dims[1] : 1, ndim > 2 ? dims[2] : 1};
  // Before ITK reads anything: its BMP reader, given a header claiming 60000 x 60000, fills a
  // buffer of that size first.
  check_voxel_limit(image.size, (image.frames > 1 ? image.frames : 1) * image.comps);
  select_whole_image(io);
  image.stored = ndim <= 2 ? 2u : (image.frames > 1 ? 4u : 3u);
  return image;
}

// The voxels as they are, read by ITK straight into the Volume; `meta` (MetaImage only) says
// whether samed2d inflates the data itself.
Volume read_voxels(const std::filesystem::path& file, itk::ImageIOBase& io, const ItkLayout& image,
                   const Geometry& geometry, const MetaImageData* meta) {
  Volume v(image.type, image.size, image.frames > 1 ? image.frames : image.comps, image.comps > 1);
  if (static_cast<std::size_t>(io.GetImageSizeInBytes()) != v.byte_size())
    throw InputError(file.string() +
                     ": ITK reports an inconsistent image size; the header is "
                     "corrupt, re-export the file");
  v.stored_dimensions = image.stored;
  v.geometry = geometry;
  if (meta != nullptr && meta->compressed && meta->file) {
    inflate_metaimage(file, *meta, v.raw(), v.byte_size(), voxel_type_size(v.type()));
  } else {
    // Whatever read path ITK's MetaIO takes, a slice it could not read stays zero rather than
    // whatever the memory held: the same bytes on every run.
    if (meta != nullptr) std::memset(v.raw(), 0, v.byte_size());
    io.Read(v.raw());
  }
  return v;
}

// A palette image read as an image: its indices through the palette, one grey channel when
// every entry is grey, else RGB.
Volume read_palette_image(const std::filesystem::path& file, itk::ImageIOBase& io,
                          const ItkLayout& image, const Geometry& geometry) {
  const std::optional<Palette> pal = palette_of(io);
  if (!pal || (image.type != VoxelType::UInt8 && image.type != VoxelType::UInt16))
    throw InputError(file.string() + ": palette image of an unsupported kind; convert it to RGB");
  bool grey = true;
  for (const auto& c : *pal) grey = grey && c[0] == c[1] && c[1] == c[2];
  // ITK 5.2's BMP reader hands out its palette with red and blue swapped, while its own
  // expansion gets the colours right: colour BMP palettes are expanded by ITK, grey ones (which
  // the swap cannot change) are mapped here to keep one channel. TIFF palettes are right but
  // ITK expands them to 16-bit RGB, so they are mapped here too.
  if (!grey && dynamic_cast<itk::BMPImageIO*>(&io) != nullptr)
    return read_expanded_palette(file, image.stored, geometry);
  Volume v(VoxelType::UInt8, image.size, grey ? 1 : 3, true);
  const std::vector<unsigned char> scratch = read_scratch(io);
  v.stored_dimensions = image.stored;
  v.geometry = geometry;
  auto* out = v.data<std::uint8_t>();
  for (std::size_t p = 0; p < v.voxel_count(); ++p) {
    std::size_t index = scratch[p];
    if (image.type == VoxelType::UInt16) {
      std::uint16_t i16;
      std::memcpy(&i16, scratch.data() + 2 * p, 2);
      index = i16;
    }
    const std::array<std::uint8_t, 3> c =
        index < pal->size() ? (*pal)[index] : std::array<std::uint8_t, 3>{0, 0, 0};
    if (grey)
      out[p] = c[0];
    else
      std::memcpy(out + 3 * p, c.data(), 3);
  }
  return v;
}

// A raster image with alpha: grey+alpha keeps grey, RGBA keeps RGB (SPEC section 4).
Volume read_without_alpha(itk::ImageIOBase& io, const ItkLayout& image, const Geometry& geometry) {
  const std::size_t keep = image.comps == 4 ? 3 : 1;
  Volume v(image.type, image.size, keep, true);
  const std::vector<unsigned char> scratch = read_scratch(io);
  const std::size_t elem = voxel_type_size(image.type);
  v.stored_dimensions = image.stored;
  v.geometry = geometry;
  auto* out = static_cast<unsigned char*>(v.raw());
  for (std::size_t p = 0; p < v.voxel_count(); ++p)
    std::memcpy(out + p * keep * elem, scratch.data() + p * image.comps * elem, keep * elem);
  return v;
}

// ITK 5.2's BMP reader reads the pixel rows of an uncompressed BMP without checking that the file
// holds them: the rows a cut file lacks kept whatever the memory held, different on every run.
void check_bmp_pixel_rows(const std::filesystem::path& file) {
  if (!file_starts_with(file, "BM")) return;
  std::ifstream in(file, std::ios::binary);
  std::array<unsigned char, 34> h{};
  if (!in.read(reinterpret_cast<char*>(h.data()), h.size())) return;  // left to ITK
  const auto u32 = [&h](std::size_t at) {
    return std::uint32_t{h[at]} | std::uint32_t{h[at + 1]} << 8 | std::uint32_t{h[at + 2]} << 16 |
           std::uint32_t{h[at + 3]} << 24;
  };
  const std::uint32_t header_size = u32(14);
  const auto width = static_cast<std::int32_t>(u32(18));
  const auto height = static_cast<std::int32_t>(u32(22));
  const std::uint32_t bits = u32(28) & 0xffffu;
  const std::uint32_t compression = u32(30);
  // Only the uncompressed layout of the 40-byte (and later) headers has rows of a known size.
  if (header_size < 40 || compression != 0 || width <= 0 || height == 0 || bits == 0) return;
  const std::uint64_t stride =
      (std::uint64_t{bits} * static_cast<std::uint64_t>(width) + 31) / 32 * 4;
  const std::uint64_t rows = height < 0 ? -std::int64_t{height} : std::int64_t{height};
  const std::uint64_t needed = std::uint64_t{u32(10)} + stride * rows;
  std::error_code ec;
  const std::uintmax_t size = std::filesystem::file_size(file, ec);
  if (!ec && size < needed)
    throw InputError(fmt::format(
        "{}: BMP file is cut short: its {} pixel rows end at byte {}, the file holds {} bytes; "
        "download or export it again",
        file.string(), rows, needed, size));
}

Volume read_with_itk(const std::filesystem::path& file, std::vector<std::string>& warnings,
                     ReadAs mode) {
  itk::ImageIOBase::Pointer io = choose_image_io(file);
  if (!io)
    throw InputError(file.string() +
                     ": no reader recognises this file format; use NIfTI, MetaImage, NRRD, "
                     "DICOM, PNG, JPEG, BMP or TIFF (or check that the file is not corrupt)");
  if (is_named(*io, "GDCMImageIO")) return read_dicom_file(file, warnings);
  const bool metaimage = is_named(*io, "MetaImageIO");
  if (metaimage) check_metaimage_header_lines(file);
  const ItkLayout image = read_layout(file, *io);  // refuses sizes over --max-voxels first
  if (is_named(*io, "BMPImageIO")) check_bmp_pixel_rows(file);
  const MetaImageData meta =
      metaimage ? check_metaimage(file, static_cast<std::size_t>(io->GetImageSizeInBytes()))
                : MetaImageData{};
  const Geometry geometry = geometry_of(*io);

  // A label map keeps a palette image's indices, which ITK reads as its scalar samples.
  const bool palette =
      io->GetIsReadAsScalarPlusPalette() && image.comps == 1 && mode == ReadAs::Image;
  const bool raster = is_raster_format(*io);
  Volume v;
  if (palette)
    v = read_palette_image(file, *io, image, geometry);
  else if (raster && (image.comps == 2 || image.comps == 4))
    v = read_without_alpha(*io, image, geometry);
  else
    v = read_voxels(file, *io, image, geometry, metaimage ? &meta : nullptr);
  if (mode == ReadAs::Label && raster) return single_channel_label(file, std::move(v));
  return v;
}

}  // namespace

Volume read_with_itk_factories(const std::filesystem::path& file,
                               std::vector<std::string>& warnings, ReadAs mode) {
  // ITK's factory asks GDCM whether it takes the file, which parses it.
  check_dicom_before_gdcm(file);
  check_tiff_directories(file);
  // NrrdIO keeps global state (airStrtok in its ASCII decoder, biff's error messages): two
  // NRRD files read at once corrupted each other's voxels or the heap. One at a time, then.
  std::unique_lock<std::mutex> nrrd_lock;
  if (has_extension(file, ".nrrd") || has_extension(file, ".nhdr")) {
    static std::mutex nrrd_mutex;
    nrrd_lock = std::unique_lock<std::mutex>(nrrd_mutex);
  }
  return read_with_itk(file, warnings, mode);
}

}  // namespace samed2d
