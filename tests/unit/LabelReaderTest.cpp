// read_label_volume: how 2D colour files become label values (palette indices, equal-channel RGB
// collapsed to one channel, real colour refused), and that everything else reads as read_volume.
#include <gtest/gtest.h>
#include <itkBMPImageIO.h>
#include <itkImageIOBase.h>
#include <itkImageIOFactory.h>
#include <itkTIFFImageIO.h>
#include <png.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "pipeline/core/Errors.hpp"
#include "pipeline/io/VolumeReader.hpp"
#include "support/HandWrittenFiles.hpp"
#include "support/TestData.hpp"
#include "support/VolumeValues.hpp"

namespace samed2d {
namespace {

using test::PngSpec;
using test::put;
using test::TempDir;
using test::write_bytes;
using test::write_palette_bmp;
using test::write_png;
namespace fs = std::filesystem;
using Rgb = std::array<std::uint8_t, 3>;

// ---- helpers ----

Volume read_label(const fs::path& file) {
  std::vector<std::string> warnings;
  Volume v = read_label_volume(file, warnings);
  EXPECT_TRUE(warnings.empty()) << file << ": " << (warnings.empty() ? "" : warnings[0]);
  return v;
}

Volume read_image(const fs::path& file) {
  std::vector<std::string> warnings;
  return read_volume(file, warnings);
}

// The InputError message of read_label_volume, or "" (with a failure) when none is thrown.
std::string label_error_of(const fs::path& file) {
  std::vector<std::string> warnings;
  try {
    (void)read_label_volume(file, warnings);
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << file << ": no InputError";
  return {};
}

std::string colour_error(const fs::path& file, const std::string& pixel) {
  return file.string() + ": label map is a colour image (channels differ at pixel " + pixel +
         "); save it as 8-bit grey or indexed colour with the label values as indices";
}

// A palette PNG (ITK 5.2 cannot write one). `rows` as PNG packs them.
void write_palette_png(const fs::path& file, png_uint_32 width, png_uint_32 height, int bit_depth,
                       std::vector<png_color> palette, const std::vector<png_byte>& trns,
                       const std::vector<unsigned char>& rows) {
  PngSpec spec;
  spec.width = width;
  spec.height = height;
  spec.bit_depth = bit_depth;
  spec.color_type = PNG_COLOR_TYPE_PALETTE;
  spec.palette = std::move(palette);
  spec.trns = trns;
  spec.rows = rows;
  write_png(file, spec);
}

// An uncompressed little-endian 8-bit palette TIFF (PhotometricInterpretation 3), by the TIFF 6.0
// baseline: header, one IFD, a ColorMap of 3 * 256 16-bit entries (all reds, then greens, then
// blues), one strip of indices.
void write_palette_tiff(const fs::path& file, int w, int h, const std::vector<std::uint8_t>& index,
                        const std::vector<Rgb>& table) {
  struct Entry {
    std::uint16_t tag, type;
    std::uint32_t count, value;
  };
  const std::uint16_t kShort = 3, kLong = 4;
  const std::size_t n_entries = 10;
  const std::size_t ifd_at = 8;
  const std::size_t map_at = ifd_at + 2 + 12 * n_entries + 4;
  const std::size_t strip_at = map_at + 2 * 3 * 256;
  const std::uint32_t strip_bytes = static_cast<std::uint32_t>(w * h);
  const std::vector<Entry> entries = {
      {256, kLong, 1, static_cast<std::uint32_t>(w)},
      {257, kLong, 1, static_cast<std::uint32_t>(h)},
      {258, kShort, 1, 8},  // BitsPerSample
      {259, kShort, 1, 1},  // Compression: none
      {262, kShort, 1, 3},  // PhotometricInterpretation: palette
      {273, kLong, 1, static_cast<std::uint32_t>(strip_at)},
      {277, kShort, 1, 1},  // SamplesPerPixel
      {278, kLong, 1, static_cast<std::uint32_t>(h)},
      {279, kLong, 1, strip_bytes},
      {320, kShort, 3 * 256, static_cast<std::uint32_t>(map_at)},
  };
  ASSERT_EQ(entries.size(), n_entries);
  std::vector<unsigned char> tif(strip_at + strip_bytes, 0);
  tif[0] = 'I';
  tif[1] = 'I';
  put<std::uint16_t>(tif, 2, 42, false);
  put<std::uint32_t>(tif, 4, static_cast<std::uint32_t>(ifd_at), false);
  put<std::uint16_t>(tif, ifd_at, static_cast<std::uint16_t>(n_entries), false);
  for (std::size_t e = 0; e < n_entries; ++e) {
    const std::size_t at = ifd_at + 2 + 12 * e;
    put<std::uint16_t>(tif, at, entries[e].tag, false);
    put<std::uint16_t>(tif, at + 2, entries[e].type, false);
    put<std::uint32_t>(tif, at + 4, entries[e].count, false);
    if (entries[e].type == kShort && entries[e].count == 1)
      put<std::uint16_t>(tif, at + 8, static_cast<std::uint16_t>(entries[e].value), false);
    else
      put<std::uint32_t>(tif, at + 8, entries[e].value, false);
  }
  for (std::size_t c = 0; c < table.size(); ++c)
    for (int k = 0; k < 3; ++k)  // 8-bit colour v as the 16-bit v * 257
      put<std::uint16_t>(tif, map_at + 2 * (k * 256 + c),
                         static_cast<std::uint16_t>(table[c][k] * 257), false);
  std::copy(index.begin(), index.end(), tif.begin() + static_cast<std::ptrdiff_t>(strip_at));
  write_bytes(file, tif);
}

// Same voxel type, shape, layout, placement and bytes.
void expect_same_volume(const Volume& a, const Volume& b, const fs::path& file) {
  EXPECT_EQ(a.type(), b.type()) << file;
  EXPECT_EQ(a.size(), b.size()) << file;
  EXPECT_EQ(a.components(), b.components()) << file;
  EXPECT_EQ(a.voxel_stride(), b.voxel_stride()) << file;
  EXPECT_EQ(a.component_stride(), b.component_stride()) << file;
  EXPECT_EQ(a.stored_dimensions, b.stored_dimensions) << file;
  EXPECT_EQ(a.geometry.origin, b.geometry.origin) << file;
  EXPECT_EQ(a.geometry.spacing, b.geometry.spacing) << file;
  EXPECT_EQ(a.geometry.direction, b.geometry.direction) << file;
  ASSERT_EQ(a.byte_size(), b.byte_size()) << file;
  EXPECT_EQ(std::memcmp(a.raw(), b.raw(), a.byte_size()), 0) << file;
}

// A VOC-style palette: no index equals any of its colour's channels, and the colours are not grey.
const std::vector<Rgb> kVocTable = {{0, 0, 0}, {200, 0, 0}, {0, 128, 255}};

// Indices 0/1/2 in a 5 x 3 pattern that is not symmetric in x and y.
const std::vector<std::uint8_t> kIndices = {0, 1, 1, 2, 0,  //
                                            2, 0, 1, 0, 0,  //
                                            1, 2, 2, 0, 1};

// What ITK 5.2 reports for a palette file read with palette expansion off.
struct ItkPaletteView {
  bool scalar_plus_palette = false;
  std::size_t components = 0;
  itk::IOComponentEnum component = itk::IOComponentEnum::UNKNOWNCOMPONENTTYPE;
  std::vector<std::uint8_t> samples;
};

ItkPaletteView itk_view(const fs::path& file) {
  ItkPaletteView out;
  itk::ImageIOBase::Pointer io =
      itk::ImageIOFactory::CreateImageIO(file.c_str(), itk::CommonEnums::IOFileMode::ReadMode);
  if (!io) {
    ADD_FAILURE() << file << ": no ITK reader";
    return out;
  }
  io->SetFileName(file.string());
  io->SetExpandRGBPalette(false);
  io->ReadImageInformation();
  out.scalar_plus_palette = io->GetIsReadAsScalarPlusPalette();
  out.components = io->GetNumberOfComponents();
  out.component = io->GetComponentType();
  itk::ImageIORegion region(io->GetNumberOfDimensions());
  for (unsigned d = 0; d < io->GetNumberOfDimensions(); ++d)
    region.SetSize(d, io->GetDimensions(d));
  io->SetIORegion(region);
  out.samples.resize(static_cast<std::size_t>(io->GetImageSizeInBytes()));
  io->Read(out.samples.data());
  return out;
}

// A 5 x 3 palette file holding kIndices: ITK 5.2 itself reads it as one scalar component of
// indices, plus a palette, and read_label_volume gives those indices.
void expect_itk_and_label_indices(const fs::path& file) {
  const ItkPaletteView itk = itk_view(file);
  EXPECT_TRUE(itk.scalar_plus_palette) << file;
  EXPECT_EQ(itk.components, 1u) << file;
  EXPECT_EQ(itk.component, itk::IOComponentEnum::UCHAR) << file;
  EXPECT_EQ(itk.samples, kIndices) << file;

  const Volume v = read_label(file);
  EXPECT_EQ(v.type(), VoxelType::UInt8) << file;
  EXPECT_EQ(v.size(), (std::array<std::size_t, 3>{5, 3, 1})) << file;
  EXPECT_EQ(v.components(), 1u) << file;
  EXPECT_EQ(test::values_of<std::uint8_t>(v), kIndices) << file;
}

// ---- palettes give their indices ----

TEST(LabelReader, PalettePngGivesIndicesNotColours) {
  TempDir dir;
  std::vector<png_color> pal;
  for (const Rgb& c : kVocTable) pal.push_back({c[0], c[1], c[2]});
  write_palette_png(dir / "voc.png", 5, 3, 8, pal, {}, kIndices);
  const Volume v = read_label(dir / "voc.png");
  EXPECT_EQ(v.type(), VoxelType::UInt8);
  EXPECT_EQ(v.size(), (std::array<std::size_t, 3>{5, 3, 1}));
  EXPECT_EQ(v.components(), 1u);
  EXPECT_EQ(v.stored_dimensions, 2u);
  EXPECT_EQ(test::values_of<std::uint8_t>(v), kIndices);
  // The same file as an image still gets its colours.
  EXPECT_EQ(read_image(dir / "voc.png").components(), 3u);

  // 2-bit packed indices with a tRNS chunk (VOC masks carry one): still the plain indices.
  std::vector<unsigned char> packed;
  for (std::size_t r = 0; r < 3; ++r) {
    unsigned char b0 = 0, b1 = 0;
    for (std::size_t x = 0; x < 4; ++x)
      b0 = static_cast<unsigned char>(b0 | (kIndices[r * 5 + x] << (6 - 2 * x)));
    b1 = static_cast<unsigned char>(kIndices[r * 5 + 4] << 6);
    packed.insert(packed.end(), {b0, b1});
  }
  write_palette_png(dir / "voc2.png", 5, 3, 2, pal, {0, 255, 128}, packed);
  EXPECT_EQ(test::values_of<std::uint8_t>(read_label(dir / "voc2.png")), kIndices);
}

TEST(LabelReader, GreyPalettePngAlsoGivesIndices) {
  // A grey palette that is not the identity: index i shows as grey 16 * i + 5.
  TempDir dir;
  std::vector<png_color> pal;
  for (int i = 0; i < 3; ++i)
    pal.push_back({png_byte(16 * i + 5), png_byte(16 * i + 5), png_byte(16 * i + 5)});
  write_palette_png(dir / "g.png", 5, 3, 8, pal, {}, kIndices);
  const Volume v = read_label(dir / "g.png");
  EXPECT_EQ(v.components(), 1u);
  EXPECT_EQ(test::values_of<std::uint8_t>(v), kIndices);
}

TEST(LabelReader, PaletteBmpGivesIndicesNotColours) {
  TempDir dir;
  const auto file = dir / "voc.bmp";
  write_palette_bmp(file, 5, 3, kIndices, kVocTable);
  expect_itk_and_label_indices(file);
  EXPECT_EQ(read_image(file).components(), 3u);

  // A grey but non-identity table: indices too, not the greys.
  write_palette_bmp(dir / "g.bmp", 5, 3, kIndices, {{7, 7, 7}, {90, 90, 90}, {250, 250, 250}});
  EXPECT_EQ(test::values_of<std::uint8_t>(read_label(dir / "g.bmp")), kIndices);
}

TEST(LabelReader, PaletteTiffGivesIndicesNotColours) {
  TempDir dir;
  const auto file = dir / "voc.tif";
  write_palette_tiff(file, 5, 3, kIndices, kVocTable);
  expect_itk_and_label_indices(file);
  // As an image the palette gives the colours (a check that the file is what it claims).
  const Volume image = read_image(file);
  ASSERT_EQ(image.components(), 3u);
  const auto rgb = test::values_of<std::uint8_t>(image);
  for (std::size_t p = 0; p < kIndices.size(); ++p)
    for (int c = 0; c < 3; ++c) EXPECT_EQ(rgb[3 * p + c], kVocTable[kIndices[p]][c]) << p;
}

// ---- colour rasters whose channels are equal ----

TEST(LabelReader, RgbWithEqualChannelsBecomesOneChannel) {
  TempDir dir;
  const std::size_t w = 5, h = 3;
  std::vector<std::uint8_t> grey(w * h), rgb;
  for (std::size_t p = 0; p < grey.size(); ++p) grey[p] = static_cast<std::uint8_t>((p * 37) % 7);
  for (auto g : grey) rgb.insert(rgb.end(), {g, g, g});
  for (const char* name : {"busi.png", "busi.tif", "busi.bmp"}) {
    test::write_rgb_image(dir / name, w, h, 3, rgb);
    ASSERT_EQ(read_image(dir / name).components(), 3u) << name;  // so the collapse is tested
    const Volume v = read_label(dir / name);
    EXPECT_EQ(v.type(), VoxelType::UInt8) << name;
    EXPECT_EQ(v.size(), (std::array<std::size_t, 3>{w, h, 1})) << name;
    EXPECT_EQ(v.components(), 1u) << name;
    EXPECT_EQ(v.voxel_stride(), 1u) << name;
    EXPECT_EQ(v.stored_dimensions, 2u) << name;
    EXPECT_EQ(test::values_of<std::uint8_t>(v), grey) << name;
  }
}

TEST(LabelReader, RgbaWithEqualChannelsBecomesOneChannelWhateverTheAlpha) {
  TempDir dir;
  const std::size_t w = 4, h = 3;
  std::vector<std::uint8_t> grey(w * h), rgba;
  for (std::size_t p = 0; p < grey.size(); ++p)
    grey[p] = static_cast<std::uint8_t>(p % 3 * 255 / 2);
  for (std::size_t p = 0; p < grey.size(); ++p)  // alpha unlike the colour, and varying
    rgba.insert(rgba.end(), {grey[p], grey[p], grey[p], static_cast<std::uint8_t>(11 * p + 3)});
  for (const char* name : {"a.png", "a.tif"}) {
    test::write_rgb_image(dir / name, w, h, 4, rgba);
    const Volume v = read_label(dir / name);
    EXPECT_EQ(v.components(), 1u) << name;
    EXPECT_EQ(test::values_of<std::uint8_t>(v), grey) << name;
  }
}

TEST(LabelReader, GreyAlphaPngDropsAlpha) {
  TempDir dir;
  PngSpec ga;  // ITK 5.2 cannot write a grey+alpha PNG
  ga.width = 3;
  ga.height = 1;
  ga.color_type = PNG_COLOR_TYPE_GRAY_ALPHA;
  ga.rows = {2, 255, 0, 0, 1, 128};
  write_png(dir / "ga.png", ga);
  const Volume v = read_label(dir / "ga.png");
  EXPECT_EQ(v.components(), 1u);
  EXPECT_EQ(test::values_of<std::uint8_t>(v), (std::vector<std::uint8_t>{2, 0, 1}));
}

// ---- real colour is refused ----

TEST(LabelReader, RgbWithUnequalChannelsIsAnInputErrorNamingFileAndPixel) {
  TempDir dir;
  const std::size_t w = 5, h = 3;
  // One pixel, (x 3, y 1), differs: in green for one file, only in blue for the other.
  for (int channel : {1, 2}) {
    std::vector<std::uint8_t> rgb;
    for (std::size_t p = 0; p < w * h; ++p) {
      const auto g = static_cast<std::uint8_t>(p % 2);
      rgb.insert(rgb.end(), {g, g, g});
    }
    rgb[3 * (1 * w + 3) + static_cast<std::size_t>(channel)] = 200;
    for (const char* ext : {".png", ".tif"}) {
      const auto file = dir / ("c" + std::to_string(channel) + ext);
      test::write_rgb_image(file, w, h, 3, rgb);
      EXPECT_EQ(label_error_of(file), colour_error(file, "(3, 1)"));
      EXPECT_EQ(read_image(file).components(), 3u) << file;  // images are unaffected
    }
  }
  // RGBA, all channels 1 except green at (0, 2): alpha is dropped before the check.
  std::vector<std::uint8_t> rgba;
  for (std::size_t p = 0; p < w * h; ++p) rgba.insert(rgba.end(), {1, 1, 1, 1});
  rgba[4 * (2 * w + 0) + 1] = 0;
  test::write_rgb_image(dir / "a.png", w, h, 4, rgba);
  EXPECT_EQ(label_error_of(dir / "a.png"), colour_error(dir / "a.png", "(0, 2)"));
}

// ---- everything else reads as read_volume ----

TEST(LabelReader, NiftiAndGreyFilesReadAsReadVolume) {
  TempDir dir;
  std::vector<std::int16_t> labels(6 * 5 * 4);
  for (std::size_t e = 0; e < labels.size(); ++e) labels[e] = static_cast<std::int16_t>(e % 5);
  test::write_volume<std::int16_t>(dir / "l.nii.gz", {6, 5, 4}, labels, 3, {0.5, 1, 2.5},
                                   {-3, 4, 5});
  std::vector<std::uint8_t> grey(7 * 3);
  for (std::size_t e = 0; e < grey.size(); ++e) grey[e] = static_cast<std::uint8_t>(e % 4);
  test::write_volume<std::uint8_t>(dir / "g.png", {7, 3, 1}, grey, 2);
  test::write_volume<std::uint8_t>(dir / "g.tif", {7, 3, 1}, grey, 2);
  test::write_volume<std::uint8_t>(dir / "g.mha", {7, 3, 1}, grey, 2);
  std::vector<std::uint16_t> deep(7 * 3);
  for (std::size_t e = 0; e < deep.size(); ++e) deep[e] = static_cast<std::uint16_t>(e * 1000);
  test::write_volume<std::uint16_t>(dir / "d.png", {7, 3, 1}, deep, 2);

  std::vector<fs::path> files = {dir / "l.nii.gz", dir / "g.png", dir / "g.tif", dir / "g.mha",
                                 dir / "d.png"};
  for (const char* real : {"colin27/aal.nii.gz", "pydicom/CT_small.dcm"})
    if (fs::exists(test::sample_data_dir() / real)) files.push_back(test::sample_data_dir() / real);
  for (const auto& file : files) {
    const Volume label = read_label(file);
    const Volume image = read_image(file);
    expect_same_volume(label, image, file);
  }
  // And the values are the ones written (so the comparison is not of two equal wrong reads).
  EXPECT_EQ(test::values_of<std::int16_t>(read_label(dir / "l.nii.gz")), labels);
  EXPECT_EQ(test::values_of<std::uint8_t>(read_label(dir / "g.tif")), grey);
  EXPECT_EQ(test::values_of<std::uint16_t>(read_label(dir / "d.png")), deep);
}

}  // namespace
}  // namespace samed2d
