#include "pipeline/io/VolumeReader.hpp"

#include <dlfcn.h>
#include <fcntl.h>
#include <gdcmTrace.h>
#include <nifti1_io.h>
#include <png.h>
// jpeglib.h needs FILE declared first (png.h includes stdio.h).
#include <jerror.h>
#include <jpeglib.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <csetjmp>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <streambuf>
#include <string>
#include <type_traits>
#include <vector>

// itkImageFileReader.h pulls in the generated IO factory register manager, which registers the
// IO modules named in cmake/Dependencies.cmake when this file's statics are initialised.
#include <fmt/format.h>
#include <itkBMPImageIO.h>
#include <itkDataObject.h>
#include <itkImageFileReader.h>
#include <itkImageIOFactory.h>
#include <itkNiftiImageIO.h>
#include <itkObjectFactoryBase.h>
#include <itkOutputWindow.h>
#include <itkTIFFImageIO.h>

#include "pipeline/core/Errors.hpp"
#include "pipeline/core/ItkImageInfo.hpp"
#include "pipeline/core/Text.hpp"
#include "pipeline/io/MetaImageReader.hpp"
#include "pipeline/io/NiftiReader.hpp"
#include "pipeline/io/TiffChecks.hpp"
#include "pipeline/io/dicom/DicomLengths.hpp"
#include "pipeline/io/dicom/DicomSeries.hpp"

namespace samed2d {

namespace {

std::string str(const std::filesystem::path& p) {
  return p.string();
}

// Creating the first ITK object walks the factory list; doing it once before any thread asks
// keeps concurrent first calls from racing on ITK's lazy initialisation.
void init_itk_once() {
  static std::once_flag once;
  std::call_once(once, [] { itk::ObjectFactoryBase::GetRegisteredFactories(); });
}

// ---------------------------------------------------------------------------------------------
// PNG, read with libpng: ITK 5.2's PNG reader shifts samples by the sBIT chunk (an 8-bit grey
// PNG with sBIT 7 loses a bit), and with palette expansion off it still turns a palette with a
// tRNS chunk into RGBA. Reading it here keeps the stored samples and lets the palette decide
// between grey and RGB (SPEC section 4).

struct PngState {
  std::string error;
  std::vector<unsigned char> pixels;
  std::vector<png_bytep> rows;
};

void png_error_fn(png_structp png, png_const_charp msg) {
  auto* state = static_cast<PngState*>(png_get_error_ptr(png));
  state->error = msg != nullptr ? msg : "libpng error";
  longjmp(png_jmpbuf(png), 1);
}

void png_warning_fn(png_structp, png_const_charp) {}

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

// How a file is read: as an image (palettes expanded to their colours) or as a label map
// (palette indices are the label values).
enum class ReadAs { Image, Label };

Volume read_png(const std::filesystem::path& file, ReadAs mode) {
  std::unique_ptr<std::FILE, FileCloser> fp(std::fopen(file.c_str(), "rb"));
  if (!fp) throw InputError(str(file) + ": cannot open the file; check that it is readable");
  const auto state = std::make_unique<PngState>();
  png_structp png =
      png_create_read_struct(PNG_LIBPNG_VER_STRING, state.get(), png_error_fn, png_warning_fn);
  if (png == nullptr) throw std::bad_alloc();
  png_infop info = png_create_info_struct(png);
  png_uint_32 width = 0, height = 0;
  int bit_depth = 0, color_type = 0, channels = 0;
  png_colorp palette = nullptr;
  int palette_size = 0;
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_read_struct(&png, &info, nullptr);
    throw InputError(str(file) + ": not a readable PNG (" + one_line(state->error) +
                     "); the file is truncated or corrupt, re-export it");
  }
  if (info == nullptr) png_error(png, "out of memory");
  png_init_io(png, fp.get());
  png_read_info(png, info);
  png_get_IHDR(png, info, &width, &height, &bit_depth, &color_type, nullptr, nullptr, nullptr);
  if (color_type == PNG_COLOR_TYPE_PALETTE) {
    png_set_packing(png);  // indices of 1, 2, 4 bits become one byte each
    png_get_PLTE(png, info, &palette, &palette_size);
  }
  if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
  if (bit_depth == 16 && std::endian::native == std::endian::little) png_set_swap(png);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  channels = png_get_channels(png, info);
  check_voxel_limit({width, height, 1}, static_cast<std::size_t>(channels));
  const std::size_t rowbytes = png_get_rowbytes(png, info);
  state->pixels.resize(rowbytes * height);
  state->rows.resize(height);
  for (png_uint_32 r = 0; r < height; ++r) state->rows[r] = state->pixels.data() + r * rowbytes;
  png_read_image(png, state->rows.data());
  std::vector<png_color> pal(palette, palette + (palette != nullptr ? palette_size : 0));
  png_destroy_read_struct(&png, &info, nullptr);

  const std::array<std::size_t, 3> size{width, height, 1};
  const std::size_t n = std::size_t{width} * height;
  const auto& px = state->pixels;
  if (color_type == PNG_COLOR_TYPE_PALETTE && mode == ReadAs::Label) {
    Volume v(VoxelType::UInt8, size, 1, true);
    v.stored_dimensions = 2;
    std::memcpy(v.raw(), px.data(), n);
    return v;
  }
  if (color_type == PNG_COLOR_TYPE_PALETTE) {
    bool grey = true;
    for (const png_color& c : pal) grey = grey && c.red == c.green && c.green == c.blue;
    Volume v(VoxelType::UInt8, size, grey ? 1 : 3, true);
    v.stored_dimensions = 2;
    auto* out = v.data<std::uint8_t>();
    for (std::size_t p = 0; p < n; ++p) {
      const png_color c = px[p] < pal.size() ? pal[px[p]] : png_color{0, 0, 0};
      if (grey) {
        out[p] = c.red;
      } else {
        out[3 * p] = c.red;
        out[3 * p + 1] = c.green;
        out[3 * p + 2] = c.blue;
      }
    }
    return v;
  }
  // Grey+alpha keeps grey, RGBA keeps RGB: alpha is dropped (SPEC section 4).
  const int keep = channels >= 3 ? 3 : 1;
  const std::size_t sample = bit_depth == 16 ? 2 : 1;
  Volume v(sample == 2 ? VoxelType::UInt16 : VoxelType::UInt8, size, keep, true);
  v.stored_dimensions = 2;
  auto* out = static_cast<unsigned char*>(v.raw());
  if (keep == channels) {
    std::memcpy(out, px.data(), n * keep * sample);
  } else {
    const std::size_t in_px = channels * sample, out_px = keep * sample;
    for (std::size_t p = 0; p < n; ++p)
      std::memcpy(out + p * out_px, px.data() + p * in_px, out_px);
  }
  return v;
}

bool has_png_signature(const std::filesystem::path& file) {
  std::unique_ptr<std::FILE, FileCloser> fp(std::fopen(file.c_str(), "rb"));
  unsigned char sig[8] = {};
  return fp && std::fread(sig, 1, 8, fp.get()) == 8 && png_sig_cmp(sig, 0, 8) == 0;
}

// ---------------------------------------------------------------------------------------------
// JPEG, read with libjpeg: Debian's ITK 5.2 JPEGImageIO calls setjmp inside a helper function
// that has returned by the time libjpeg reports an error, so libjpeg's longjmp on a damaged file
// (e.g. a progressive scan with invalid parameters) jumps into a dead stack frame and the process
// dies (SIGSEGV, or a wild jump), in CanReadFile as in Read. Here setjmp is called in the
// function that decodes, and the result is what ITK's reader gives: 8-bit samples with libjpeg's
// default decoding, a grey+alpha or 4-channel file keeping 1 or 3 channels, the pixel size from
// the JFIF density.

struct JpegState {
  jpeg_decompress_struct cinfo{};
  jpeg_error_mgr err{};
  std::jmp_buf jump{};
  std::string error;
  std::string warning;     // the first of libjpeg's notes on damaged data
  bool truncated = false;  // the data ended before the image (libjpeg fills the rest with grey)
  std::vector<JSAMPLE> row;
  std::optional<Volume> volume;
};

JpegState& jpeg_state(j_common_ptr cinfo) {
  return *static_cast<JpegState*>(cinfo->client_data);
}

void jpeg_error_fn(j_common_ptr cinfo) {
  char message[JMSG_LENGTH_MAX] = {};
  (*cinfo->err->format_message)(cinfo, message);
  jpeg_state(cinfo).error = message;
  std::longjmp(jpeg_state(cinfo).jump, 1);
}

// Warnings only (level < 0: damaged data that libjpeg decodes anyway); traces are dropped.
void jpeg_message_fn(j_common_ptr cinfo, int level) {
  if (level < 0 && cinfo->err->msg_code == JWRN_JPEG_EOF) jpeg_state(cinfo).truncated = true;
  if (level >= 0 || !jpeg_state(cinfo).warning.empty()) return;
  char message[JMSG_LENGTH_MAX] = {};
  (*cinfo->err->format_message)(cinfo, message);
  jpeg_state(cinfo).warning = message;
}

// The two bytes ITK's JPEGImageIO::CanReadFile looks for before it hands the file to libjpeg:
// every file ITK would try as JPEG must come here instead.
bool has_jpeg_signature(const std::filesystem::path& file) {
  std::unique_ptr<std::FILE, FileCloser> fp(std::fopen(file.c_str(), "rb"));
  unsigned char sig[2] = {};
  return fp && std::fread(sig, 1, 2, fp.get()) == 2 && sig[0] == 0xFF && sig[1] == 0xD8;
}

Volume read_jpeg(const std::filesystem::path& file, std::vector<std::string>& warnings) {
  std::unique_ptr<std::FILE, FileCloser> fp(std::fopen(file.c_str(), "rb"));
  if (!fp) throw InputError(str(file) + ": cannot open the file; check that it is readable");
  // Everything the decoder changes lives behind this pointer, which stays the same after setjmp.
  const auto state = std::make_unique<JpegState>();
  jpeg_decompress_struct& cinfo = state->cinfo;
  cinfo.err = jpeg_std_error(&state->err);
  state->err.error_exit = jpeg_error_fn;
  state->err.emit_message = jpeg_message_fn;
  cinfo.client_data = state.get();
  if (setjmp(state->jump)) {
    jpeg_destroy_decompress(&cinfo);
    throw InputError(str(file) + ": not a readable JPEG (" + one_line(state->error) +
                     "); the file is truncated or corrupt, re-download or re-export it");
  }
  jpeg_create_decompress(&cinfo);
  jpeg_stdio_src(&cinfo, fp.get());
  jpeg_read_header(&cinfo, TRUE);
  jpeg_calc_output_dimensions(&cinfo);
  const std::size_t width = cinfo.output_width, height = cinfo.output_height;
  const std::size_t channels = static_cast<std::size_t>(cinfo.output_components);
  const std::size_t keep = channels == 2 ? 1 : channels == 4 ? 3 : channels;
  try {
    // Before libjpeg allocates for the image (a progressive one needs all its coefficients):
    // --max-voxels refuses a hostile header here.
    state->volume.emplace(VoxelType::UInt8, std::array<std::size_t, 3>{width, height, 1}, keep,
                          true);
  } catch (...) {
    jpeg_destroy_decompress(&cinfo);
    throw;
  }
  jpeg_start_decompress(&cinfo);
  state->row.resize(width * channels);
  auto* out = state->volume->data<std::uint8_t>();
  while (cinfo.output_scanline < cinfo.output_height) {
    const std::size_t y = cinfo.output_scanline;
    JSAMPROW row = state->row.data();
    if (jpeg_read_scanlines(&cinfo, &row, 1) != 1) {
      state->error = "no more image data";
      std::longjmp(state->jump, 1);
    }
    for (std::size_t x = 0; x < width; ++x)
      std::memcpy(out + (y * width + x) * keep, row + x * channels, keep);
  }
  jpeg_finish_decompress(&cinfo);
  Volume v = std::move(*state->volume);
  v.stored_dimensions = 2;
  // As ITK: the JFIF density gives the pixel size when it is in dots per inch or per cm.
  if (cinfo.X_density > 0 && cinfo.Y_density > 0 &&
      (cinfo.density_unit == 1 || cinfo.density_unit == 2)) {
    const double unit = cinfo.density_unit == 1 ? 25.4 : 10.0;
    v.geometry.spacing[0] = unit / cinfo.X_density;
    v.geometry.spacing[1] = unit / cinfo.Y_density;
  }
  jpeg_destroy_decompress(&cinfo);
  // A cut download is a wrong image, not a damaged one: the case fails.
  if (state->truncated)
    throw InputError(str(file) +
                     ": the JPEG data ends before the image does (the file is truncated); "
                     "re-download or re-export it");
  if (!state->warning.empty())
    warnings.push_back(str(file) + ": JPEG data is damaged (" + one_line(state->warning) +
                       "); read anyway, parts of the image may be wrong, re-export it");
  return v;
}

// ---------------------------------------------------------------------------------------------
// NIfTI: voxels by samed2d's own reader (see NiftiReader.hpp for why), placement from ITK so
// that an image and its label map read either way are compared on the same terms.

bool is_gzip(const std::filesystem::path& file) {
  unsigned char magic[2] = {0, 0};
  std::ifstream in(file, std::ios::binary);
  in.read(reinterpret_cast<char*>(magic), 2);
  return in.gcount() == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
}

bool has_extension(const std::filesystem::path& file, const char* ext) {
  std::string name = file.filename().string();
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const std::string e(ext);
  return name.size() > e.size() && name.compare(name.size() - e.size(), e.size(), e) == 0;
}

// The header fields that place the voxels (pixdim[1..3], the quaternion and offsets when
// qform_code > 0, the sform rows when sform_code > 0) must be finite: ITK 5.2 aborts the process
// (vnl_svd's assert_finite) on a NaN there, and no placement could come from it anyway. They must
// also be below 1e9 (a thousand kilometres in millimetres): an sform offset of 1.7e38 (found by
// the CI fuzz step) overflows ITK's float arithmetic into NaN, on which vnl_svd loops for good.
void check_nifti_placement(const std::filesystem::path& file, const NiftiHeader& header) {
  constexpr double kMaxPlacement = 1e9;
  auto check = [&](const auto& values, std::size_t from, std::size_t to, const char* what) {
    for (std::size_t i = from; i < to; ++i) {
      const double v = values[i];
      if (!std::isfinite(v))
        throw InputError(str(file) + ": NIfTI header field " + what + "[" + std::to_string(i) +
                         "] is " + std::to_string(v) +
                         ", not a finite number; the header is corrupt, re-export the file");
      if (std::abs(v) > kMaxPlacement)
        throw InputError(fmt::format(
            "{}: NIfTI header field {}[{}] is {:g}, beyond any placement (at most 1e9 mm); the "
            "header is corrupt, re-export the file",
            str(file), what, i, v));
    }
  };
  check(header.pixdim, 1, 4, "pixdim");
  if (header.qform_code > 0)
    check(header.quatern, 0, header.quatern.size(), "quatern_b..qoffset_z");
  if (header.sform_code > 0) check(header.srow, 0, header.srow.size(), "srow_x..srow_z");
}

Volume read_nifti(const std::filesystem::path& file, const NiftiHeader& header,
                  std::vector<std::string>& warnings) {
  check_nifti_placement(file, header);
  NiftiReader reader(file);
  Volume v = reader.read();
  if (header.version != 1) return v;  // ITK 5.2 has no NIfTI-2 reader; the header's placement
  if (is_gzip(file) && !has_extension(file, ".gz")) {
    // ITK goes by the name and would parse the compressed bytes as a header (niftilib then
    // prints "** ERROR" lines of its own); samed2d's reader looks at the bytes.
    warnings.push_back(str(file) +
                       ": gzip-compressed although its name does not end in .gz; read anyway "
                       "(rename it to .nii.gz so that other tools read it too)");
    return v;
  }
  try {
    auto io = itk::NiftiImageIO::New();
    io->SetFileName(file.string());
    {
      // One header at a time through ITK: LeakSanitizer once caught a std::string leaked
      // inside NiftiImageIO::ReadImageInformation when two cases loaded at once (the symptom of
      // a race in it), and a header costs microseconds; the voxels are still read in parallel by
      // NiftiReader.
      static std::mutex itk_nifti_header;
      const std::lock_guard<std::mutex> lock(itk_nifti_header);
      io->ReadImageInformation();
    }
    v.geometry = geometry_of(*io);
    // ITK puts 1 in place of a pixdim of 0; the header alone tells that it was missing.
    v.geometry.spacing_known = reader.geometry(true).spacing_known;
  } catch (const itk::ExceptionObject& e) {
    const std::string text = itk_text(e);
    if (text.find("orthonormal") != std::string::npos) {
      v.geometry = reader.geometry(true);
      warnings.push_back(str(file) +
                         ": sform is not orthonormal, ITK refuses it; read with samed2d's own "
                         "NIfTI reader (voxel order kept, direction ignored)");
    } else {
      warnings.push_back(str(file) + ": ITK cannot read the NIfTI header (" + text +
                         "); placement taken from samed2d's own NIfTI reader");
    }
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// Everything else through ITK's ImageIOBase, in the file's own component type.

bool is_raster_format(const itk::ImageIOBase& io) {
  const std::string name = io.GetNameOfClass();
  return name == "PNGImageIO" || name == "JPEGImageIO" || name == "BMPImageIO" ||
         name == "TIFFImageIO";
}

// Palette as 8-bit RGB; TIFF stores 16-bit entries, scaled down the way libtiff does unless every
// entry already fits in 8 bits.
std::optional<std::vector<std::array<std::uint8_t, 3>>> palette_of(itk::ImageIOBase& io) {
  std::vector<std::array<std::uint8_t, 3>> pal;
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
    if (!dicom && std::string(io->GetNameOfClass()) == "GDCMImageIO") continue;
    if (io->CanReadFile(file.c_str())) return io;
  }
  return nullptr;
}

// A colour BMP palette through ITK's own expansion (see read_with_itk for why).
Volume read_expanded_palette(const std::filesystem::path& file, unsigned stored,
                             const Geometry& geometry) {
  itk::ImageIOBase::Pointer io = choose_image_io(file);
  io->SetFileName(file.string());
  io->SetExpandRGBPalette(true);
  io->ReadImageInformation();
  const std::size_t comps = io->GetNumberOfComponents();
  if (io->GetComponentType() != itk::IOComponentEnum::UCHAR || (comps != 3 && comps != 4))
    throw InputError(str(file) + ": palette image of an unsupported kind; convert it to RGB");
  const std::array<std::size_t, 3> size{io->GetDimensions(0), io->GetDimensions(1), 1};
  itk::ImageIORegion region(io->GetNumberOfDimensions());
  for (unsigned d = 0; d < io->GetNumberOfDimensions(); ++d)
    region.SetSize(d, io->GetDimensions(d));
  io->SetIORegion(region);
  // The output first: its constructor refuses a size over --max-voxels before the scratch buffer
  // of the size the header claims is allocated.
  Volume v(VoxelType::UInt8, size, 3, true);
  std::vector<unsigned char> scratch(static_cast<std::size_t>(io->GetImageSizeInBytes()));
  io->Read(scratch.data());
  v.stored_dimensions = stored;
  v.geometry = geometry;
  auto* out = v.data<std::uint8_t>();
  for (std::size_t p = 0; p < size[0] * size[1]; ++p)
    std::memcpy(out + 3 * p, scratch.data() + comps * p, 3);
  return v;
}

// A colour raster read as a label map: BUSI-style masks store grey values in all three channels,
// which is one label per pixel; any pixel whose channels differ means the colours themselves
// encode the classes, which no label value can stand for.
Volume single_channel_label(const std::filesystem::path& file, Volume v) {
  if (v.components() <= 1) return v;
  const std::size_t comps = v.components();
  // Not a structured binding: clang 14 (the fuzz build) cannot capture one in the lambda below.
  const std::size_t ni = v.size()[0], nj = v.size()[1], nk = v.size()[2];
  Volume out(v.type(), v.size(), 1, true);
  out.stored_dimensions = v.stored_dimensions;
  out.geometry = v.geometry;
  v.visit([&](const auto* in) {
    using T = std::remove_const_t<std::remove_pointer_t<decltype(in)>>;
    T* dst = out.data<T>();
    for (std::size_t p = 0; p < v.voxel_count(); ++p) {
      const T* px = in + p * v.voxel_stride();
      for (std::size_t c = 1; c < comps; ++c) {
        if (px[c * v.component_stride()] == px[0]) continue;
        const std::size_t x = p % ni, y = (p / ni) % nj, z = p / (ni * nj);
        const std::string at = "(" + std::to_string(x) + ", " + std::to_string(y) +
                               (nk > 1 ? ", " + std::to_string(z) : std::string()) + ")";
        throw InputError(str(file) + ": label map is a colour image (channels differ at pixel " +
                         at +
                         "); save it as 8-bit grey or indexed colour with the label values as "
                         "indices");
      }
      dst[p] = px[0];
    }
  });
  return out;
}

Volume read_with_itk(const std::filesystem::path& file, std::vector<std::string>& warnings,
                     ReadAs mode) {
  itk::ImageIOBase::Pointer io = choose_image_io(file);
  if (!io)
    throw InputError(str(file) +
                     ": no reader recognises this file format; use NIfTI, MetaImage, NRRD, "
                     "DICOM, PNG, JPEG, BMP or TIFF (or check that the file is not corrupt)");
  if (std::string(io->GetNameOfClass()) == "GDCMImageIO") return read_dicom_file(file, warnings);
  if (std::string(io->GetNameOfClass()) == "MetaImageIO") check_metaimage_header_lines(file);
  io->SetFileName(file.string());
  io->SetExpandRGBPalette(false);
  io->ReadImageInformation();

  const unsigned ndim = io->GetNumberOfDimensions();
  std::vector<std::size_t> dims(ndim);
  for (unsigned d = 0; d < ndim; ++d) {
    dims[d] = io->GetDimensions(d);
    if (dims[d] == 0)
      throw InputError(str(file) + ": dimension " + std::to_string(d) +
                       " has size 0 (empty image); re-export the file");
  }
  for (unsigned d = 4; d < ndim; ++d)
    if (dims[d] > 1)
      throw InputError(str(file) + ": images with more than 4 dimensions are not supported; " +
                       "split the file into 3D or 4D files");
  const std::size_t comps = io->GetNumberOfComponents();
  const std::size_t frames = ndim >= 4 ? dims[3] : 1;
  if (frames > 1 && comps > 1)
    throw InputError(str(file) +
                     ": 4D images with multi-component pixels are not supported; split the file "
                     "into one file per component or per volume");
  const auto type = voxel_type(io->GetComponentType());
  if (!type || io->GetPixelType() == itk::IOPixelEnum::COMPLEX)
    throw InputError(str(file) + ": voxel type " +
                     itk::ImageIOBase::GetComponentTypeAsString(io->GetComponentType()) + " " +
                     itk::ImageIOBase::GetPixelTypeAsString(io->GetPixelType()) +
                     " is not supported; convert the file to integer or real voxels");

  const std::array<std::size_t, 3> size{ndim > 0 ? dims[0] : 1, ndim > 1 ? dims[1] : 1,
                                        ndim > 2 ? dims[2] : 1};
  // Before ITK reads anything: its BMP reader, given a header claiming 60000 x 60000, fills a
  // buffer of that size first.
  check_voxel_limit(size, (frames > 1 ? frames : 1) * comps);
  itk::ImageIORegion region(ndim);
  for (unsigned d = 0; d < ndim; ++d) {
    region.SetIndex(d, 0);
    region.SetSize(d, dims[d]);
  }
  io->SetIORegion(region);
  const unsigned stored = ndim <= 2 ? 2u : (frames > 1 ? 4u : 3u);
  const bool metaimage = std::string(io->GetNameOfClass()) == "MetaImageIO";
  const MetaImageData meta =
      metaimage ? check_metaimage(file, static_cast<std::size_t>(io->GetImageSizeInBytes()))
                : MetaImageData{};
  const Geometry geometry = geometry_of(*io);

  // A label map keeps a palette image's indices, which ITK reads as its scalar samples.
  const bool palette = io->GetIsReadAsScalarPlusPalette() && comps == 1 && mode == ReadAs::Image;
  const bool raster = is_raster_format(*io);
  const bool strip_alpha = raster && (comps == 2 || comps == 4);
  const auto finish = [&](Volume v) {
    if (mode == ReadAs::Label && raster) return single_channel_label(file, std::move(v));
    return v;
  };
  if (!palette && !strip_alpha) {
    Volume v(*type, size, frames > 1 ? frames : comps, comps > 1);
    if (static_cast<std::size_t>(io->GetImageSizeInBytes()) != v.byte_size())
      throw InputError(str(file) +
                       ": ITK reports an inconsistent image size; the header is "
                       "corrupt, re-export the file");
    v.stored_dimensions = stored;
    v.geometry = geometry;
    if (meta.compressed && meta.file) {
      inflate_metaimage(file, meta, v.raw(), v.byte_size(), voxel_type_size(v.type()));
    } else {
      // Whatever read path ITK's MetaIO takes, a slice it could not read stays zero rather than
      // whatever the memory held: the same bytes on every run.
      if (metaimage) std::memset(v.raw(), 0, v.byte_size());
      io->Read(v.raw());
    }
    return finish(std::move(v));
  }

  const std::size_t n = size[0] * size[1] * size[2];
  std::optional<std::vector<std::array<std::uint8_t, 3>>> pal;
  bool grey = true;
  if (palette) {
    pal = palette_of(*io);
    if (!pal || (*type != VoxelType::UInt8 && *type != VoxelType::UInt16))
      throw InputError(str(file) + ": palette image of an unsupported kind; convert it to RGB");
    for (const auto& c : *pal) grey = grey && c[0] == c[1] && c[1] == c[2];
    // ITK 5.2's BMP reader hands out its palette with red and blue swapped, while its own
    // expansion gets the colours right: colour BMP palettes are expanded by ITK, grey ones (which
    // the swap cannot change) are mapped here to keep one channel. TIFF palettes are right but
    // ITK expands them to 16-bit RGB, so they are mapped here too.
    if (!grey && dynamic_cast<itk::BMPImageIO*>(io.GetPointer()) != nullptr)
      return read_expanded_palette(file, stored, geometry);
  }
  // Small 2D raster images only: read into scratch memory, then expand or drop alpha. The output
  // is made first: its constructor refuses a size over --max-voxels before the scratch buffer of
  // the size the header claims is allocated.
  const std::size_t keep = palette ? (grey ? 1 : 3) : (comps == 4 ? 3 : 1);
  Volume v(palette ? VoxelType::UInt8 : *type, size, keep, true);
  std::vector<unsigned char> scratch(static_cast<std::size_t>(io->GetImageSizeInBytes()));
  io->Read(scratch.data());
  if (palette) {
    v.stored_dimensions = stored;
    v.geometry = geometry;
    auto* out = v.data<std::uint8_t>();
    for (std::size_t p = 0; p < n; ++p) {
      std::size_t index = scratch[p];
      if (*type == VoxelType::UInt16) {
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
  const std::size_t elem = voxel_type_size(*type);
  v.stored_dimensions = stored;
  v.geometry = geometry;
  auto* out = static_cast<unsigned char*>(v.raw());
  for (std::size_t p = 0; p < n; ++p)
    std::memcpy(out + p * keep * elem, scratch.data() + p * comps * elem, keep * elem);
  return finish(std::move(v));
}

Volume read_source(const std::filesystem::path& file, std::vector<std::string>& warnings,
                   ReadAs mode, const ReadOptions& options = {}) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) {
    if (std::filesystem::is_symlink(file, ec))
      throw InputError(str(file) + ": a broken symbolic link (to " +
                       std::filesystem::read_symlink(file, ec).string() +
                       "); restore what it points to, or remove the link");
    throw InputError(str(file) + ": file not found; check the path and the dataset config");
  }
  init_itk_once();
  if (std::filesystem::is_directory(file, ec))
    return read_dicom_series(file, warnings, options.dicom_series);
  if (!std::filesystem::is_regular_file(file, ec))
    throw InputError(str(file) +
                     ": not a regular file; point the config at an image file or a DICOM "
                     "series folder");
  // Two common accidents, named for what they are rather than as an unreadable format.
  if (const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC); fd < 0) {
    throw InputError(str(file) + ": cannot open it (" + std::strerror(errno) +
                     "); make it readable by the user running samed2d (chmod or chown)");
  } else {
    ::close(fd);
  }
  if (std::filesystem::file_size(file, ec) == 0 && !ec)
    throw InputError(str(file) +
                     ": the file is empty (0 bytes), likely a download or copy that was cut "
                     "short; re-download or re-export it");
  try {
    if (has_png_signature(file)) {
      Volume v = read_png(file, mode);
      if (mode == ReadAs::Label) return single_channel_label(file, std::move(v));
      return v;
    }
    if (has_jpeg_signature(file)) {
      Volume v = read_jpeg(file, warnings);
      if (mode == ReadAs::Label) return single_channel_label(file, std::move(v));
      return v;
    }
    const auto nifti = NiftiReader::probe(file);
    if (nifti && nifti->single_file) return read_nifti(file, *nifti, warnings);
    // A header/image pair (or a .nii whose magic says so) is ITK's to read, with the same
    // placement hazards (the CI fuzz step: NaN placement in an "ni1" header aborted vnl_svd).
    if (nifti) check_nifti_placement(file, *nifti);
    if (!nifti && (has_extension(file, ".nii") || has_extension(file, ".nii.gz")))
      throw InputError(str(file) +
                       ": not a valid NIfTI file (header missing or unreadable: truncated, "
                       "corrupt or another format); re-download or re-export it");
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
  } catch (const itk::ExceptionObject& e) {
    throw InputError(str(file) + ": ITK cannot read it (" + itk_text(e) +
                     "); check that the file is complete and in a supported format");
  } catch (const VolumeTooLarge& e) {
    throw InputError(str(file) + ": " + e.what());
  } catch (const std::bad_alloc&) {
    throw InputError(str(file) + ": not enough memory to read it; lower --threads or free memory");
  }
}

}  // namespace

Volume read_volume(const std::filesystem::path& file, std::vector<std::string>& warnings,
                   const ReadOptions& options) {
  return read_source(file, warnings, ReadAs::Image, options);
}

Volume read_label_volume(const std::filesystem::path& file, std::vector<std::string>& warnings) {
  return read_source(file, warnings, ReadAs::Label);
}

namespace {

// Drops everything written to it.
class DiscardBuffer : public std::streambuf {
 protected:
  int overflow(int c) override { return traits_type::not_eof(c); }
  std::streamsize xsputn(const char*, std::streamsize n) override { return n; }
};

// The readers' libraries print to stderr on their own (MetaIO's "Uncompress failed", GDCM's
// multi-line warnings, niftilib's "** ERROR", libtiff's "TIFFFillStrip: ..."), between and
// inside samed2d's one-line messages, and say nothing samed2d does not say better: a bad file
// fails its case with its own line. SAMED2D_LIBRARY_MESSAGES=1 keeps them, for debugging.
void quiet_library_messages() {
  if (const char* keep = std::getenv("SAMED2D_LIBRARY_MESSAGES");
      keep != nullptr && *keep != '\0' && std::string(keep) != "0")
    return;
  static DiscardBuffer discard;
  std::cerr.rdbuf(&discard);  // MetaIO writes to std::cerr; samed2d's console uses stdio
  std::clog.rdbuf(&discard);
  gdcm::Trace::WarningOff();
  gdcm::Trace::ErrorOff();
  gdcm::Trace::DebugOff();
  nifti_set_debug_level(0);
  // ITK's TIFF reader uses its own copy of libtiff (itktiff, symbols prefixed itk_); its
  // handlers are set through the loaded library rather than by linking it for two calls.
  using TiffHandler = void (*)(const char*, const char*, va_list);
  using SetTiffHandler = TiffHandler (*)(TiffHandler);
  for (const char* name : {"itk_TIFFSetWarningHandler", "itk_TIFFSetErrorHandler"})
    if (void* symbol = ::dlsym(RTLD_DEFAULT, name))
      reinterpret_cast<SetTiffHandler>(symbol)(nullptr);
}

}  // namespace

void prepare_readers_for_threads() {
  static std::once_flag once;
  std::call_once(once, [] {
    quiet_library_messages();
    // The DataObject's global release flag and the output window are singletons every reader
    // touches; creating one of each registered ImageIO runs their factories' and libraries'
    // first-use setup (GDCM's globals included).
    itk::DataObject::New()->ShouldIReleaseData();
    itk::OutputWindow::GetInstance();
    itk::ObjectFactoryBase::CreateAllInstance("itkImageIOBase");
    itk::NiftiImageIO::New()->SetFileName("");
  });
}

}  // namespace samed2d
