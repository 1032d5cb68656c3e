// Writes the seed corpora of the fuzz targets into OUT (scripts/fuzz.sh runs it), so that no
// binary seed is committed:
//   OUT/volume/  small valid files of every format fuzz_volume_read picks, written with ITK (and
//                libpng for palettes, by hand for NIfTI-2), each behind its format's first byte
//                (VolumeFormats.hpp); plus every EXTRA file given, behind the byte of its
//                extension (scripts/fuzz.sh passes a few small files of sample-data/).
//   OUT/name/    real image and mask names, and a few near misses.
// The dataset config seeds are the bundled configs, which scripts/fuzz.sh copies itself.
// Usage: fuzz_seeds OUT [EXTRA...]

#include <gdcmTrace.h>
#include <itkGDCMImageIO.h>
#include <itkImage.h>
#include <itkImageFileWriter.h>
#include <itkImageRegionIterator.h>
#include <itkObject.h>
#include <itkRGBPixel.h>
#include <png.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/VolumeFormats.hpp"
#include "pipeline/core/Naming.hpp"

namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;

Bytes read_bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_bytes(const fs::path& file, const Bytes& bytes) {
  std::ofstream out(file, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + file.string());
}

// A value for voxel number n: a little structure for the decoders, and every component differs.
template <class T>
T value_at(std::size_t n) {
  if constexpr (std::is_floating_point_v<T>) {
    if (n == 5) return std::numeric_limits<T>::quiet_NaN();
    return static_cast<T>(n) * T(0.5) - T(3);
  } else {
    return static_cast<T>((n * 37) % 251);
  }
}

template <class Pixel, unsigned D>
Bytes itk_file(const fs::path& tmp, const std::array<itk::SizeValueType, D>& size,
               bool compress = false) {
  using Image = itk::Image<Pixel, D>;
  auto image = Image::New();
  typename Image::RegionType region;
  typename Image::SizeType s;
  for (unsigned d = 0; d < D; ++d) s[d] = size[d];
  region.SetSize(s);
  image->SetRegions(region);
  image->Allocate();
  std::size_t n = 0;
  for (itk::ImageRegionIterator<Image> it(image, region); !it.IsAtEnd(); ++it, ++n) {
    if constexpr (std::is_same_v<Pixel, itk::RGBPixel<std::uint8_t>>) {
      Pixel p;
      p.Set(value_at<std::uint8_t>(n), value_at<std::uint8_t>(n + 1),
            value_at<std::uint8_t>(n + 2));
      it.Set(p);
    } else {
      it.Set(value_at<Pixel>(n));
    }
  }
  {
    // Destroyed before the file is read: ITK's BMP writer flushes the file only then.
    auto writer = itk::ImageFileWriter<Image>::New();
    writer->SetFileName(tmp.string());
    writer->SetInput(image);
    writer->SetUseCompression(compress);
    writer->Update();
  }
  Bytes bytes = read_bytes(tmp);
  fs::remove(tmp);
  return bytes;
}

// An indexed-colour PNG (libpng): ITK writes none, and samed2d reads them itself.
Bytes palette_png(const fs::path& tmp, bool grey_palette) {
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) throw std::runtime_error("cannot write " + tmp.string());
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    std::fclose(f);
    throw std::runtime_error("libpng failed on " + tmp.string());
  }
  png_init_io(png, f);
  constexpr png_uint_32 kWidth = 5, kHeight = 3;
  png_set_IHDR(png, info, kWidth, kHeight, 8, PNG_COLOR_TYPE_PALETTE, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  std::array<png_color, 4> palette{};
  for (std::size_t i = 0; i < palette.size(); ++i) {
    const auto v = static_cast<png_byte>(60 * i);
    palette[i] =
        grey_palette ? png_color{v, v, v} : png_color{v, static_cast<png_byte>(255 - v), 7};
  }
  png_set_PLTE(png, info, palette.data(), static_cast<int>(palette.size()));
  if (!grey_palette) {
    std::array<png_byte, 2> alpha{0, 128};
    png_set_tRNS(png, info, alpha.data(), static_cast<int>(alpha.size()), nullptr);
  }
  png_write_info(png, info);
  std::array<png_byte, kWidth> row{};
  for (png_uint_32 y = 0; y < kHeight; ++y) {
    for (png_uint_32 x = 0; x < kWidth; ++x) row[x] = static_cast<png_byte>((x + y) % 4);
    png_write_row(png, row.data());
  }
  png_write_end(png, info);
  png_destroy_write_struct(&png, &info);
  std::fclose(f);
  Bytes bytes = read_bytes(tmp);
  fs::remove(tmp);
  return bytes;
}

template <class T>
void put(Bytes& b, std::size_t at, T v) {
  std::memcpy(b.data() + at, &v, sizeof v);
}

// A NIfTI-2 single file (540-byte header, 4 extension bytes, int16 data at 544), which ITK 5.2
// cannot write; samed2d's NiftiReader reads it.
Bytes nifti2_file() {
  constexpr std::array<std::int64_t, 3> kSize{4, 3, 2};
  Bytes b(544, 0);
  put<std::int32_t>(b, 0, 540);
  std::memcpy(b.data() + 4, "n+2\0\r\n\032\n", 8);
  put<std::int16_t>(b, 12, 4);   // datatype: int16
  put<std::int16_t>(b, 14, 16);  // bitpix
  put<std::int64_t>(b, 16, 3);   // dim[0]
  for (std::size_t d = 0; d < 3; ++d) put<std::int64_t>(b, 24 + 8 * d, kSize[d]);
  for (std::size_t d = 0; d < 8; ++d) put<double>(b, 104 + 8 * d, 1.0);  // pixdim
  put<std::int64_t>(b, 168, 544);                                        // vox_offset
  put<double>(b, 176, 2.0);                                              // scl_slope
  put<double>(b, 184, -1.0);                                             // scl_inter
  put<std::int32_t>(b, 348, 1);                                          // sform_code
  put<double>(b, 400, 1.0);                                              // srow_x[0]
  put<double>(b, 440, 1.0);                                              // srow_y[1]
  put<double>(b, 480, 1.0);                                              // srow_z[2]
  for (std::int64_t n = 0; n < kSize[0] * kSize[1] * kSize[2]; ++n) {
    const auto v = static_cast<std::int16_t>(n * 11 - 40);
    const auto* p = reinterpret_cast<const std::uint8_t*>(&v);
    b.insert(b.end(), p, p + sizeof v);
  }
  return b;
}

// The extension fuzz_volume_read must give a file to read it as what it is.
std::string_view extension_of(const fs::path& file) {
  const std::string name = file.filename().string();
  for (const std::string_view ext : samed2d::fuzz::kVolumeExtensions)
    if (ext == ".nii.gz" && name.ends_with(ext)) return ext;
  for (const std::string_view ext : samed2d::fuzz::kVolumeExtensions)
    if (!ext.empty() && name.ends_with(ext)) return ext;
  return "";
}

void write_seed(const fs::path& dir, const std::string& name, std::string_view extension,
                const Bytes& file) {
  Bytes seed{samed2d::fuzz::volume_format_byte(extension)};
  seed.insert(seed.end(), file.begin(), file.end());
  write_bytes(dir / name, seed);
}

void volume_seeds(const fs::path& dir, const fs::path& tmp, const std::vector<fs::path>& extra) {
  using RGB = itk::RGBPixel<std::uint8_t>;
  using A3 = std::array<itk::SizeValueType, 3>;
  using A2 = std::array<itk::SizeValueType, 2>;
  using A4 = std::array<itk::SizeValueType, 4>;
  const Bytes nii = itk_file<std::int16_t, 3>(tmp / "a.nii", A3{4, 3, 2});
  write_seed(dir, "int16_3d.nii", ".nii", nii);
  write_seed(dir, "float_nan_3d.nii", ".nii", itk_file<float, 3>(tmp / "a.nii", A3{3, 3, 2}));
  write_seed(dir, "uint8_2d.nii", ".nii", itk_file<std::uint8_t, 2>(tmp / "a.nii", A2{5, 4}));
  write_seed(dir, "int16_4d.nii.gz", ".nii.gz",
             itk_file<std::int16_t, 4>(tmp / "a.nii.gz", A4{3, 2, 2, 2}));
  write_seed(dir, "uint8_label.nii.gz", ".nii.gz",
             itk_file<std::uint8_t, 3>(tmp / "a.nii.gz", A3{4, 3, 2}));
  write_seed(dir, "nifti2.nii", ".nii", nifti2_file());
  write_seed(dir, "float_3d.mha", ".mha", itk_file<float, 3>(tmp / "a.mha", A3{3, 2, 2}));
  write_seed(dir, "uint8_zlib.mha", ".mha",
             itk_file<std::uint8_t, 3>(tmp / "a.mha", A3{4, 3, 2}, true));
  write_seed(dir, "int16_local.mhd", ".mhd", itk_file<std::int16_t, 3>(tmp / "a.mha", A3{2, 2, 2}));
  write_seed(dir, "int16_3d.nrrd", ".nrrd", itk_file<std::int16_t, 3>(tmp / "a.nrrd", A3{4, 3, 2}));
  write_seed(dir, "uint16_gzip.nrrd", ".nrrd",
             itk_file<std::uint16_t, 3>(tmp / "a.nrrd", A3{3, 3, 2}, true));
  write_seed(dir, "uint8_attached.nhdr", ".nhdr",
             itk_file<std::uint8_t, 2>(tmp / "a.nrrd", A2{3, 3}));
  write_seed(dir, "grey.png", ".png", itk_file<std::uint8_t, 2>(tmp / "a.png", A2{5, 4}));
  write_seed(dir, "grey16.png", ".png", itk_file<std::uint16_t, 2>(tmp / "a.png", A2{4, 3}));
  write_seed(dir, "rgb.png", ".png", itk_file<RGB, 2>(tmp / "a.png", A2{4, 3}));
  write_seed(dir, "palette_grey.png", ".png", palette_png(tmp / "a.png", true));
  write_seed(dir, "palette_colour_trns.png", ".png", palette_png(tmp / "a.png", false));
  write_seed(dir, "grey.jpg", ".jpg", itk_file<std::uint8_t, 2>(tmp / "a.jpg", A2{8, 8}));
  write_seed(dir, "rgb.jpg", ".jpg", itk_file<RGB, 2>(tmp / "a.jpg", A2{8, 8}));
  write_seed(dir, "grey.bmp", ".bmp", itk_file<std::uint8_t, 2>(tmp / "a.bmp", A2{5, 3}));
  write_seed(dir, "rgb.bmp", ".bmp", itk_file<RGB, 2>(tmp / "a.bmp", A2{5, 3}));
  write_seed(dir, "grey.tif", ".tif", itk_file<std::uint8_t, 2>(tmp / "a.tif", A2{5, 3}));
  write_seed(dir, "uint16.tif", ".tif", itk_file<std::uint16_t, 2>(tmp / "a.tif", A2{4, 3}));
  write_seed(dir, "rgb.tif", ".tif", itk_file<RGB, 2>(tmp / "a.tif", A2{4, 3}));
  const Bytes dcm = itk_file<std::int16_t, 2>(tmp / "a.dcm", A2{4, 3});
  write_seed(dir, "int16.dcm", ".dcm", dcm);
  write_seed(dir, "uint8.dcm", ".dcm", itk_file<std::uint8_t, 2>(tmp / "a.dcm", A2{5, 2}));
  // No extension: the readers must tell the format from the bytes alone.
  write_seed(dir, "nifti_no_extension", "", nii);
  write_seed(dir, "dicom_no_extension", "", dcm);
  for (const fs::path& file : extra) {
    if (!fs::is_regular_file(file)) continue;
    write_seed(dir, "extra_" + file.filename().string(), extension_of(file), read_bytes(file));
  }
}

void name_seeds(const fs::path& dir) {
  using samed2d::Axis;
  std::vector<std::string> names;
  const std::string acdc = samed2d::image_stem("mr_cine", "ACDC", "patient001_frame01",
                                               samed2d::slice_label(Axis::X, 6));
  names.push_back(acdc + ".png");
  names.push_back(samed2d::mask_stem(acdc, "0001", 0) + ".png");
  const std::string liver =
      samed2d::image_stem("ct_00", "MSD_Liver", "liver_12", samed2d::slice_label(Axis::Z, 12345));
  names.push_back(samed2d::mask_stem(liver, "0003", 1234) + ".png");
  const std::string covid = samed2d::image_stem("ct_00", "COVID-19-20", "volume-covid19-A-0003",
                                                samed2d::slice_label(Axis::Y, 0));
  names.push_back(covid + ".png");
  names.push_back(samed2d::mask_stem(covid, "0151", 2) + ".png");
  const std::string isic =
      samed2d::image_stem("dermoscopy_00", "ISIC2018", "ISIC_0000000", samed2d::kSlice2d);
  names.push_back(isic + ".png");
  names.push_back(samed2d::mask_stem(isic, "0156", 0) + ".png");
  names.push_back(
      samed2d::image_stem("x_ray", "SIIM-ACR", "1.2.276.0.7230010.3.1.4", samed2d::kSlice2d) +
      ".png");
  names.push_back("mr_t1--BraTS2021--BraTS2021_00000---x_0077--0023_000.png");
  // Near misses: '--' in a case, a short slice, a short class field, no .png.
  names.push_back("ct_00--MSD_Liver--a--b--x_0001.png");
  names.push_back("ct_00--MSD_Liver--liver_1--x_001.png");
  names.push_back("ct_00--MSD_Liver--liver_1--x_0001--003_000.png");
  names.push_back("ct_00--MSD_Liver--liver_1--x_0001");
  for (std::size_t i = 0; i < names.size(); ++i)
    write_bytes(dir / ("name_" + std::to_string(i)), Bytes(names[i].begin(), names[i].end()));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: fuzz_seeds OUT [EXTRA...]\n";
    return 2;
  }
  // Quiet: GDCM notes what the DICOM files written here lack (they need none of it).
  itk::Object::GlobalWarningDisplayOff();
  gdcm::Trace::WarningOff();
  try {
    const fs::path out = argv[1];
    const std::vector<fs::path> extra(argv + 2, argv + argc);
    for (const char* sub : {"volume", "name", "tmp"}) fs::create_directories(out / sub);
    volume_seeds(out / "volume", out / "tmp", extra);
    name_seeds(out / "name");
    fs::remove_all(out / "tmp");
  } catch (const std::exception& e) {
    std::cerr << "fuzz_seeds: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
