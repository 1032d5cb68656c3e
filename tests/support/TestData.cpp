#include "support/TestData.hpp"

#include <gtest/gtest.h>
#include <itkImage.h>
#include <itkImageFileWriter.h>
#include <itkImportImageFilter.h>
#include <itkRGBAPixel.h>
#include <itkRGBPixel.h>
#include <png.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace samed2d::test {

namespace {

// With SAMED2D_KEEP_TEST_DIRS set, folders are named after the test that makes them (and a count
// within it), so that two runs of the suite with two builds of samed2d can be compared folder by
// folder (scripts/compare-output.sh).
std::filesystem::path kept_dir_name() {
  const auto* unit = ::testing::UnitTest::GetInstance();
  const auto* info = unit->current_test_info();
  const auto* suite = unit->current_test_suite();  // in SetUpTestSuite, no test runs yet
  if (info == nullptr && suite == nullptr) return {};
  static std::string last_test;
  static int count = 0;
  std::string name = info != nullptr ? std::string(info->test_suite_name()) + "." + info->name()
                                     : std::string(suite->name()) + ".SetUpTestSuite";
  for (char& c : name) {
    if (c == '/') c = '_';
  }
  count = name == last_test ? count + 1 : 0;
  last_test = name;
  return std::filesystem::temp_directory_path() /
         ("samed2d-test-" + name + "-" + std::to_string(count));
}

}  // namespace

TempDir::TempDir() {
  if (std::getenv("SAMED2D_KEEP_TEST_DIRS") != nullptr) {
    path_ = kept_dir_name();
    if (!path_.empty()) {
      std::filesystem::remove_all(path_);
      std::filesystem::create_directories(path_);
      return;
    }
  }
  std::string tmpl = (std::filesystem::temp_directory_path() / "samed2d-test-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  if (std::getenv("SAMED2D_KEEP_TEST_DIRS") != nullptr) return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

namespace {

template <class T, unsigned D>
void write_itk(const std::filesystem::path& file, const std::vector<std::size_t>& size,
               const std::vector<T>& values, const ImageGeometry& geometry, bool compress) {
  using Image = itk::Image<T, D>;
  auto image = Image::New();
  typename Image::RegionType region;
  typename Image::SpacingType sp;
  typename Image::PointType org;
  typename Image::DirectionType direction;
  direction.SetIdentity();
  for (unsigned d = 0; d < D; ++d) {
    region.SetSize(d, size[d]);
    sp[d] = geometry.spacing.empty() ? 1.0 : geometry.spacing[d];
    org[d] = geometry.origin.empty() ? 0.0 : geometry.origin[d];
    for (unsigned e = 0; e < D && !geometry.direction.empty(); ++e)
      direction[d][e] = geometry.direction[d * D + e];
  }
  image->SetRegions(region);
  image->SetSpacing(sp);
  image->SetOrigin(org);
  image->SetDirection(direction);
  image->Allocate();
  std::copy(values.begin(), values.end(), image->GetBufferPointer());
  std::filesystem::create_directories(file.parent_path());
  auto writer = itk::ImageFileWriter<Image>::New();
  writer->SetFileName(file.string());
  writer->SetInput(image);
  writer->SetUseCompression(compress);
  writer->Update();
}

}  // namespace

template <class T>
void write_itk_image(const std::filesystem::path& file, const std::vector<std::size_t>& size,
                     const std::vector<T>& values, const ImageGeometry& geometry, bool compress) {
  std::size_t count = 1;
  for (const std::size_t n : size) count *= n;
  if (values.size() != count)
    throw std::invalid_argument("write_itk_image: value count does not match size");
  for (const auto* v : {&geometry.spacing, &geometry.origin})
    if (!v->empty() && v->size() != size.size())
      throw std::invalid_argument("write_itk_image: one spacing and origin per dimension");
  if (!geometry.direction.empty() && geometry.direction.size() != size.size() * size.size())
    throw std::invalid_argument("write_itk_image: the direction matrix does not match size");
  switch (size.size()) {
    case 2:
      return write_itk<T, 2>(file, size, values, geometry, compress);
    case 3:
      return write_itk<T, 3>(file, size, values, geometry, compress);
    case 4:
      return write_itk<T, 4>(file, size, values, geometry, compress);
    default:
      throw std::invalid_argument("write_itk_image: 2, 3 or 4 dimensions");
  }
}

template <class T>
void write_volume(const std::filesystem::path& file, std::array<std::size_t, 3> size,
                  const std::vector<T>& values, unsigned dims, std::array<double, 3> spacing,
                  std::array<double, 3> origin) {
  if (values.size() != size[0] * size[1] * size[2])
    throw std::invalid_argument("write_volume: value count does not match size");
  if (dims == 2 && size[2] != 1) throw std::invalid_argument("write_volume: 2D needs size[2] == 1");
  const ImageGeometry geometry{
      {spacing.begin(), spacing.begin() + dims}, {origin.begin(), origin.begin() + dims}, {}};
  write_itk_image<T>(file, {size.begin(), size.begin() + (dims == 2 ? 2 : 3)}, values, geometry);
}

// Both writers for every voxel type the tests write.
#define SAMED2D_INSTANTIATE_WRITERS(T)                                                            \
  template void write_itk_image<T>(const std::filesystem::path&, const std::vector<std::size_t>&, \
                                   const std::vector<T>&, const ImageGeometry&, bool);            \
  template void write_volume<T>(const std::filesystem::path&, std::array<std::size_t, 3>,         \
                                const std::vector<T>&, unsigned, std::array<double, 3>,           \
                                std::array<double, 3>);
SAMED2D_INSTANTIATE_WRITERS(std::uint8_t)
SAMED2D_INSTANTIATE_WRITERS(std::int16_t)
SAMED2D_INSTANTIATE_WRITERS(std::uint16_t)
SAMED2D_INSTANTIATE_WRITERS(std::int32_t)
SAMED2D_INSTANTIATE_WRITERS(float)
SAMED2D_INSTANTIATE_WRITERS(double)
#undef SAMED2D_INSTANTIATE_WRITERS

void write_rgb_image(const std::filesystem::path& file, std::size_t width, std::size_t height,
                     unsigned channels, const std::vector<std::uint8_t>& values) {
  if (values.size() != width * height * channels)
    throw std::invalid_argument("write_rgb_image: value count does not match size");
  std::filesystem::create_directories(file.parent_path());
  auto write = [&](auto pixel_tag) {
    using Pixel = decltype(pixel_tag);
    using Image = itk::Image<Pixel, 2>;
    auto image = Image::New();
    typename Image::RegionType region;
    region.SetSize(0, width);
    region.SetSize(1, height);
    image->SetRegions(region);
    image->Allocate();
    auto* out = image->GetBufferPointer();
    for (std::size_t p = 0; p < width * height; ++p)
      for (unsigned c = 0; c < channels; ++c) out[p][c] = values[p * channels + c];
    auto writer = itk::ImageFileWriter<Image>::New();
    writer->SetFileName(file.string());
    writer->SetInput(image);
    writer->Update();
  };
  if (channels == 3)
    write(itk::RGBPixel<std::uint8_t>{});
  else if (channels == 4)
    write(itk::RGBAPixel<std::uint8_t>{});
  else
    throw std::invalid_argument("write_rgb_image: channels must be 3 or 4");
}

PngImage read_png(const std::filesystem::path& file) {
  FILE* fp = std::fopen(file.c_str(), "rb");
  if (fp == nullptr) throw std::runtime_error("cannot open " + file.string());
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_read_struct(&png, &info, nullptr);
    std::fclose(fp);
    throw std::runtime_error("not a valid PNG: " + file.string());
  }
  png_init_io(png, fp);
  png_read_info(png, info);
  PngImage img;
  img.width = png_get_image_width(png, info);
  img.height = png_get_image_height(png, info);
  img.bit_depth = png_get_bit_depth(png, info);
  img.color_type = png_get_color_type(png, info);
  img.channels = png_get_channels(png, info);
  const std::size_t rowbytes = png_get_rowbytes(png, info);
  img.pixels.resize(rowbytes * img.height);
  std::vector<png_bytep> rows(img.height);
  for (std::size_t r = 0; r < img.height; ++r) rows[r] = img.pixels.data() + r * rowbytes;
  png_read_image(png, rows.data());
  png_read_end(png, nullptr);
  png_destroy_read_struct(&png, &info, nullptr);
  std::fclose(fp);
  return img;
}

std::filesystem::path source_dir() {
  return SAMED2D_SOURCE_DIR;
}

std::filesystem::path sample_data_dir() {
  if (const char* env = std::getenv("SAMED2D_SAMPLE_DATA")) return env;
  return SAMED2D_SAMPLE_DATA_DIR;
}

std::vector<std::uint8_t> read_bytes(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + file.string());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::filesystem::path& file, const std::vector<std::uint8_t>& bytes) {
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path());
  std::ofstream out(file, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + file.string());
}

std::map<std::string, std::vector<std::uint8_t>> tree_bytes(const std::filesystem::path& root) {
  std::map<std::string, std::vector<std::uint8_t>> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root))
    if (e.is_regular_file())
      files[std::filesystem::relative(e.path(), root).generic_string()] = read_bytes(e.path());
  return files;
}

}  // namespace samed2d::test
