// End-to-end: the slicing options of the bundled profiles and of profile files. Square pixels
// give thick-slice volumes their physical proportions, fixed sizes are exact with the canvas
// around a padded slice left at 0, masks stay binary and on their image, every modality gets
// its own intensity mode, SAM-Med2D's loader reads a 256 x 256 tree, and a volume whose pixels
// are already square gives samed2d_v1's bytes.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support/ConfigRunTest.hpp"
#include "support/DatasetReplica.hpp"
#include "support/DatasetRun.hpp"
#include "support/Matchers.hpp"
#include "support/RunTool.hpp"
#include "support/TestData.hpp"
#include "support/TwoD.hpp"

namespace samed2d::test {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// An ACDC-like cine MR frame: 1.5625 x 1.5625 mm pixels, 8 slices 10 mm apart, a left ventricle
// (label 3) in the box i [30, 60), j [20, 50), k [2, 6), brighter than everything around it.
constexpr std::size_t kNi = 96, kNj = 80, kNk = 8;
constexpr double kPixel = 1.5625, kSlice = 10.0;
constexpr double kSlices = 8.0;  // kNk as a real number
const std::array<std::size_t, 3> kBoxLo{30, 20, 2}, kBoxHi{60, 50, 6};

const char* const kAcdcConfig = R"({"dataset": "ACDC", "cases": "*/image.nii.gz",
    "case_name": "{parent}", "modality": "mr_cmr", "label": "{dir}/label.nii.gz",
    "labels": {"3": "left_ventricle"}})";

// The centre of the box along axis a, in stored voxel units (edges, not pixel centres).
double box_centre(std::size_t a) {
  return static_cast<double>(kBoxLo[a] + kBoxHi[a]) / 2.0;
}

bool in_box(std::size_t i, std::size_t j, std::size_t k) {
  return i >= kBoxLo[0] && i < kBoxHi[0] && j >= kBoxLo[1] && j < kBoxHi[1] && k >= kBoxLo[2] &&
         k < kBoxHi[2];
}

void write_acdc_case(const fs::path& folder, std::array<double, 3> spacing,
                     const std::string& image_file = "image.nii.gz") {
  std::vector<std::int16_t> image(kNi * kNj * kNk);
  std::vector<std::uint8_t> label(image.size(), 0);
  for (std::size_t k = 0; k < kNk; ++k)
    for (std::size_t j = 0; j < kNj; ++j)
      for (std::size_t i = 0; i < kNi; ++i) {
        const std::size_t n = i + kNi * (j + kNj * k);
        image[n] =
            static_cast<std::int16_t>(in_box(i, j, k) ? 900 + (i + j) % 5 : (i * 3 + j) % 97);
        label[n] = in_box(i, j, k) ? 3 : 0;
      }
  write_volume(folder / image_file, {kNi, kNj, kNk}, image, 3, spacing);
  write_volume(folder / "label.nii.gz", {kNi, kNj, kNk}, label, 3, spacing);
}

struct Centroid {
  double row = 0, col = 0;
  std::size_t pixels = 0;
};

// Centroid of the pixels of channel 0 for which `inside` holds.
template <class Pred>
Centroid centroid(const PngImage& png, Pred inside) {
  Centroid c;
  for (std::size_t r = 0; r < png.height; ++r)
    for (std::size_t x = 0; x < png.width; ++x)
      if (inside(png.pixels[(r * png.width + x) * static_cast<std::size_t>(png.channels)])) {
        c.row += static_cast<double>(r);
        c.col += static_cast<double>(x);
        ++c.pixels;
      }
  if (c.pixels > 0) {
    c.row /= static_cast<double>(c.pixels);
    c.col /= static_cast<double>(c.pixels);
  }
  return c;
}

// "x_0003": the name of x slice k.
std::string x_slice(std::size_t k) {
  std::string digits = std::to_string(k);
  return "x_" + std::string(4 - std::min<std::size_t>(4, digits.size()), '0') + digits;
}

std::vector<std::string> starting_with(const std::vector<std::string>& names,
                                       const std::string& prefix) {
  std::vector<std::string> out;
  for (const auto& n : names)
    if (n.rfind(prefix, 0) == 0) out.push_back(n);
  return out;
}

// Every value of a mask is 0 or 255, and it has some 255.
void expect_binary(const PngImage& mask, const std::string& name) {
  std::size_t on = 0;
  for (const auto v : mask.pixels) {
    ASSERT_TRUE(v == 0 || v == 255) << name << " holds " << int(v);
    on += v == 255;
  }
  EXPECT_GT(on, 0u) << name;
}

class SlicingOptionsTest : public ConfigRunTest {
 protected:
  std::string profile_file(const std::string& text) const {
    const fs::path file = dir / "profile.json";
    write_text_file(file, text);
    return file.string();
  }
};

TEST_F(SlicingOptionsTest, IsotropicGivesThickSliceVolumesTheirPhysicalProportions) {
  write_acdc_case(input / "patient001", {kPixel, kPixel, kSlice});
  // As stored, y and z slices are 8 rows high: under half their width, skipped whole.
  const auto v1 = convert_to(kAcdcConfig, dir / "v1");
  ASSERT_EQ(v1.run.exit_code, 0) << v1.run.err;
  EXPECT_THAT(starting_with(v1.images, "mr_cmr--ACDC--patient001--y_"), IsEmpty());
  EXPECT_THAT(starting_with(v1.images, "mr_cmr--ACDC--patient001--z_"), IsEmpty());
  EXPECT_EQ(starting_with(v1.images, "mr_cmr--ACDC--patient001--x_").size(), 4u);

  const auto d = convert(kAcdcConfig, {"--profile", "isotropic"});
  ASSERT_EQ(d.run.exit_code, 0) << d.run.err;
  // 8 slices x 10 mm / 1.5625 mm = 51.2, rounded half up: 51 rows.
  const auto rows = static_cast<std::size_t>(std::floor(kSlices * kSlice / kPixel + 0.5));
  ASSERT_EQ(rows, 51u);
  const auto y = starting_with(d.images, "mr_cmr--ACDC--patient001--y_");
  const auto z = starting_with(d.images, "mr_cmr--ACDC--patient001--z_");
  EXPECT_EQ(y.size(), kBoxHi[1] - kBoxLo[1]);  // every j of the box
  EXPECT_EQ(z.size(), kBoxHi[0] - kBoxLo[0]);  // every i of the box
  for (const auto& name : y) {
    const auto png = read_png(out / "images" / name);
    EXPECT_EQ(png.height, rows) << name;
    EXPECT_EQ(png.width, kNi) << name;
  }
  for (const auto& name : z) {
    const auto png = read_png(out / "images" / name);
    EXPECT_EQ(png.height, rows) << name;
    EXPECT_EQ(png.width, kNj) << name;
  }
  // x slices were square already: their stored size.
  const auto x = read_png(out / "images" / "mr_cmr--ACDC--patient001--x_0003.png");
  EXPECT_EQ(x.height, kNj);
  EXPECT_EQ(x.width, kNi);

  // The mask of a y slice is binary and sits where the ventricle is in millimetres: its rows
  // span k 2..5, i.e. 20 to 60 mm of the 80, centred at 40 mm, which is output row
  // 40 / (80 / 51) - 0.5 (pixel centres); its columns are stored columns 30..59.
  const std::string stem = "mr_cmr--ACDC--patient001--y_0035";
  const auto mask =
      read_png(out / "masks" / (stem + "--" + class_id("left_ventricle") + "_000.png"));
  ASSERT_EQ(mask.height, rows);
  ASSERT_EQ(mask.width, kNi);
  expect_binary(mask, stem);
  const auto m = centroid(mask, [](std::uint8_t v) { return v == 255; });
  const double mm_per_row = kSlices * kSlice / static_cast<double>(rows);
  const double centre_mm = box_centre(2) * kSlice;
  EXPECT_NEAR(m.row, centre_mm / mm_per_row - 0.5, 1.0);
  EXPECT_NEAR(m.col, box_centre(0) - 0.5, 1.0);
  // The bright ventricle of the image lies under the mask.
  const auto image = read_png(out / "images" / (stem + ".png"));
  const auto bright = centroid(image, [](std::uint8_t v) { return v > 127; });
  EXPECT_NEAR(bright.row, m.row, 1.0);
  EXPECT_NEAR(bright.col, m.col, 1.0);
  EXPECT_NEAR(static_cast<double>(bright.pixels), static_cast<double>(m.pixels),
              0.15 * static_cast<double>(m.pixels));
}

TEST_F(SlicingOptionsTest, SquarePixelsAlreadyGiveTheBytesOfSamed2dV1) {
  write_acdc_case(input / "patient001", {0.8, 0.8, 0.8});
  const auto v1 = convert_to(kAcdcConfig, dir / "v1");
  const auto iso = convert(kAcdcConfig, {"--profile", "isotropic"});
  ASSERT_EQ(v1.run.exit_code, 0) << v1.run.err;
  ASSERT_EQ(iso.run.exit_code, 0) << iso.run.err;
  ASSERT_EQ(iso.images, v1.images);
  ASSERT_EQ(iso.masks, v1.masks);
  EXPECT_EQ(iso.index, v1.index);
  for (const auto& name : v1.images)
    ASSERT_EQ(read_bytes(out / "images" / name), read_bytes(dir / "v1" / "images" / name)) << name;
  for (const auto& name : v1.masks)
    ASSERT_EQ(read_bytes(out / "masks" / name), read_bytes(dir / "v1" / "masks" / name)) << name;
}

TEST_F(SlicingOptionsTest, SamMed2d256PadsEverySliceOntoAnExactCanvas) {
  write_acdc_case(input / "patient001", {kPixel, kPixel, kSlice});
  const auto d = convert(kAcdcConfig, {"--profile", "sam_med2d_256"});
  ASSERT_EQ(d.run.exit_code, 0) << d.run.err;
  ASSERT_FALSE(d.images.empty());
  // The aspect rule judges the slice before the fit: y and z slices (8 x 96) are still skipped.
  EXPECT_THAT(starting_with(d.images, "mr_cmr--ACDC--patient001--y_"), IsEmpty());
  for (const auto& name : d.images) {
    const auto png = read_png(out / "images" / name);
    EXPECT_EQ(png.width, 256u) << name;
    EXPECT_EQ(png.height, 256u) << name;
    EXPECT_EQ(png.channels, 3) << name;
  }
  for (const auto& name : d.masks) {
    const auto png = read_png(out / "masks" / name);
    ASSERT_EQ(png.width, 256u) << name;
    ASSERT_EQ(png.height, 256u) << name;
    expect_binary(png, name);
  }
  // An x slice is 80 rows x 96 columns: 96 -> 256 wide, 80 * 256 / 96 = 213.3 -> 213 rows, at
  // row (256 - 213) / 2 = 21. The canvas around it is exactly 0.
  const auto image = read_png(out / "images" / "mr_cmr--ACDC--patient001--x_0003.png");
  const std::size_t top = 21, content = 213;
  const auto row_max = [&](std::size_t r) {
    return *std::max_element(image.pixels.begin() + static_cast<std::ptrdiff_t>(r * 256 * 3),
                             image.pixels.begin() + static_cast<std::ptrdiff_t>((r + 1) * 256 * 3));
  };
  for (std::size_t r = 0; r < 256; ++r) {
    if (r < top || r >= top + content)
      ASSERT_EQ(row_max(r), 0) << "row " << r << " is padding";
    else
      ASSERT_GT(row_max(r), 0) << "row " << r << " is content";
  }
  // The mask is on its image: the ventricle box (j 20..49 of 80, i 30..59 of 96) scaled by
  // 256 / 96 and moved down by the padding.
  const auto mask =
      read_png(out / "masks" /
               ("mr_cmr--ACDC--patient001--x_0003--" + class_id("left_ventricle") + "_000.png"));
  const auto m = centroid(mask, [](std::uint8_t v) { return v == 255; });
  const double scale = 256.0 / kNi;
  EXPECT_NEAR(m.row, static_cast<double>(top) + box_centre(1) * scale - 0.5, 1.0);
  EXPECT_NEAR(m.col, box_centre(0) * scale - 0.5, 1.0);
  const auto bright = centroid(image, [](std::uint8_t v) { return v > 127; });
  EXPECT_NEAR(bright.row, m.row, 1.0);
  EXPECT_NEAR(bright.col, m.col, 1.0);

  // SAM-Med2D's loaders read the exported tree, every image 256 x 256 and every mask binary.
  const std::string python = python_with_cv2();
  if (python.empty())
    GTEST_SKIP() << "python3 with cv2 is missing (Debian: apt-get install python3-opencv)";
  const fs::path to = dir / "export";
  const auto exported = run_samed2d(
      {"export", "sam-med2d", out.string(), "--to", to.string(), "--paths", "relative", "--quiet"});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  const fs::path script = source_dir() / "tests" / "python" / "read_like_sam_med2d.py";
  const auto py = run_command(
      {"sh", "-c", "cd '" + to.string() + "' && '" + python + "' '" + script.string() + "' . 256"});
  ASSERT_EQ(py.exit_code, 0) << py.err;
  EXPECT_THAT(py.out, HasSubstr("train "));
}

TEST_F(SlicingOptionsTest, StretchFillsTheCanvasAndSquarePixelsComeFirst) {
  write_acdc_case(input / "patient001", {kPixel, kPixel, kSlice});
  const auto d = convert(kAcdcConfig, {"--profile", profile_file(R"({"pixel_spacing": "isotropic",
      "size": 64, "fit": "stretch", "channels_3d": "gray"})")});
  ASSERT_EQ(d.run.exit_code, 0) << d.run.err;
  // Square pixels let the y slices through the aspect rule; the stretch then fills 64 x 64.
  const auto y = starting_with(d.images, "mr_cmr--ACDC--patient001--y_");
  ASSERT_EQ(y.size(), kBoxHi[1] - kBoxLo[1]);
  const auto image = read_png(out / "images" / y.front());
  EXPECT_EQ(image.width, 64u);
  EXPECT_EQ(image.height, 64u);
  EXPECT_EQ(image.channels, 1);
  // No padding: the first and last rows hold the slice's own (dark, varied) background.
  const auto mask = read_png(
      out / "masks" /
      (y.front().substr(0, y.front().size() - 4) + "--" + class_id("left_ventricle") + "_000.png"));
  expect_binary(mask, y.front());
  // k 2..5 of 8 stretched to 64 rows: rows 16..47, centred at 31.5.
  const auto m = centroid(mask, [](std::uint8_t v) { return v == 255; });
  EXPECT_NEAR(m.row, 31.5, 1.0);
}

TEST_F(SlicingOptionsTest, TwoDSourcesAreResizedTheSameWay) {
  // A 60 x 20 RGB picture with a polyp box: medsam_1024 scales it to 1024 x 341 (20 * 1024 / 60
  // = 341.3), centred at row (1024 - 341) / 2 = 341, and keeps its colour.
  const std::size_t w = 60, h = 20;
  write_rgb_image(input / "img" / "wide.png", w, h, 3, pixel_ramp(w, h, 3));
  write_volume<std::uint8_t>(input / "gt" / "wide.png", {w, h, 1},
                             painted(w, h, {{4, 16, 10, 40}}, 1), 2);
  const auto d = convert(R"({"dataset": "endovis15", "cases": "**/img/*.png",
      "modality": "endoscopy_00", "label": "{dir}/../gt/{name}", "labels": {"1": "polyp"}})",
                         {"--profile", "medsam_1024"});
  ASSERT_EQ(d.run.exit_code, 0) << d.run.err;
  ASSERT_EQ(d.images.size(), 1u);
  ASSERT_EQ(d.masks.size(), 1u);
  const auto image = read_png(out / "images" / d.images[0]);
  EXPECT_EQ(image.width, 1024u);
  EXPECT_EQ(image.height, 1024u);
  EXPECT_EQ(image.channels, 3);
  const std::size_t top = 341, content = 341;
  for (std::size_t r : {std::size_t{0}, top - 1, top + content, std::size_t{1023}})
    for (std::size_t b = 0; b < 1024 * 3; ++b)
      ASSERT_EQ(image.pixels[r * 1024 * 3 + b], 0) << "padding row " << r;
  // Content pixels are the source's, interpolated: the top-left content pixel samples the
  // source's top-left corner (clamped), so it has the source's colour there.
  const auto source = pixel_ramp(w, h, 3);
  for (std::size_t c = 0; c < 3; ++c)
    EXPECT_EQ(image.pixels[top * 1024 * 3 + c], source[c]) << "channel " << c;
  const auto mask = read_png(out / "masks" / d.masks[0]);
  ASSERT_EQ(mask.width, 1024u);
  ASSERT_EQ(mask.height, 1024u);
  expect_binary(mask, d.masks[0]);
  const auto m = centroid(mask, [](std::uint8_t v) { return v == 255; });
  const double scale = 1024.0 / w;
  EXPECT_NEAR(m.row, static_cast<double>(top) + (4 + 16) / 2.0 * scale - 0.5, 1.0);
  EXPECT_NEAR(m.col, (10 + 40) / 2.0 * scale - 0.5, 1.0);
}

TEST_F(SlicingOptionsTest, EachModalityGetsItsOwnIntensityByFormula) {
  // One case, three sequences on one 16 x 12 x 3 grid: ct_00 windowed (level 40, width 400),
  // mr_t1 min-max over the volume ("mr" prefix), pet_00 the default min-max per slice.
  const std::size_t ni = 16, nj = 12, nk = 3, n = ni * nj * nk;
  std::vector<float> ct(n), mr(n), pet(n);
  std::vector<std::uint8_t> label(n, 0);
  for (std::size_t v = 0; v < n; ++v) {
    ct[v] = -600.0f + 3.7f * static_cast<float>(v);  // -600 .. 1524 HU
    mr[v] = static_cast<float>((v * 37) % 1000) + 0.25f;
    pet[v] = static_cast<float>((v * 11) % 250) * 0.5f;
    label[v] = (v % ni) >= 4 && (v % ni) < 12 ? 1 : 0;
  }
  write_volume(input / "c1" / "ct.nii.gz", {ni, nj, nk}, ct);
  write_volume(input / "c1" / "mr.nii.gz", {ni, nj, nk}, mr);
  write_volume(input / "c1" / "pet.nii.gz", {ni, nj, nk}, pet);
  write_volume(input / "c1" / "label.nii.gz", {ni, nj, nk}, label);
  const auto d = convert(R"({"dataset": "Multi", "cases": "*/label.nii.gz", "case_name": "{parent}",
      "sequences": [{"image": "{dir}/ct.nii.gz", "modality": "ct_00"},
                    {"image": "{dir}/mr.nii.gz", "modality": "mr_t1"},
                    {"image": "{dir}/pet.nii.gz", "modality": "pet_00"}],
      "label": "{dir}/label.nii.gz", "labels": {"1": "liver"}})",
                         {"--axes", "x", "--profile", profile_file(R"({"channels_3d": "gray",
      "intensity": "minmax-slice", "intensity_by_modality": {
        "ct": {"intensity": "window", "window": {"level": 40, "width": 400}},
        "mr": {"intensity": "minmax-volume"}}})")});
  ASSERT_EQ(d.run.exit_code, 0) << d.run.err;
  const auto formula = [](double v, double lo, double hi) {
    const double c = std::clamp(v, lo, hi);
    return static_cast<int>(
        std::min(255.0, std::max(0.0, std::floor((c - lo) * 255.0 / (hi - lo)))));
  };
  const double mr_lo = *std::min_element(mr.begin(), mr.end());
  const double mr_hi = *std::max_element(mr.begin(), mr.end());
  for (std::size_t k = 0; k < nk; ++k) {
    const std::string slice = x_slice(k);
    const auto ct_png = read_png(out / "images" / ("ct_00--Multi--c1--" + slice + ".png"));
    const auto mr_png = read_png(out / "images" / ("mr_t1--Multi--c1--" + slice + ".png"));
    const auto pet_png = read_png(out / "images" / ("pet_00--Multi--c1--" + slice + ".png"));
    const auto first = pet.begin() + static_cast<std::ptrdiff_t>(k * ni * nj);
    const double pet_lo = *std::min_element(first, first + static_cast<std::ptrdiff_t>(ni * nj));
    const double pet_hi = *std::max_element(first, first + static_cast<std::ptrdiff_t>(ni * nj));
    for (std::size_t p = 0; p < ni * nj; ++p) {
      const std::size_t v = k * ni * nj + p;
      ASSERT_EQ(ct_png.pixels[p], formula(ct[v], -160, 240)) << "ct voxel " << v;
      ASSERT_EQ(mr_png.pixels[p], formula(mr[v], mr_lo, mr_hi)) << "mr voxel " << v;
      ASSERT_EQ(pet_png.pixels[p], formula(pet[v], pet_lo, pet_hi)) << "pet voxel " << v;
    }
  }
}

TEST_F(SlicingOptionsTest, IsotropicFailsACaseWithoutSpacingAndGoesOn) {
  write_acdc_case(input / "patient001", {kPixel, kPixel, kSlice}, "image.nii");
  write_acdc_case(input / "patient002", {kPixel, kPixel, kSlice}, "image.nii");
  {
    // patient002's image says nothing about its slice spacing: NIfTI pixdim[3] = 0.
    std::fstream f(input / "patient002" / "image.nii",
                   std::ios::in | std::ios::out | std::ios::binary);
    const float zero = 0;
    f.seekp(76 + 3 * 4);  // pixdim[3]
    f.write(reinterpret_cast<const char*>(&zero), sizeof zero);
    ASSERT_TRUE(f.good());
  }
  const char* config = R"({"dataset": "ACDC", "cases": "*/image.nii", "case_name": "{parent}",
      "modality": "mr_cmr", "label": "{dir}/label.nii.gz", "labels": {"3": "left_ventricle"}})";
  const auto d = convert(config, {"--profile", "isotropic"});
  EXPECT_EQ(d.run.exit_code, 1) << d.run.err;
  expect_one_failure(d, {"patient002", "image.nii", "spacing", "isotropic"});
  EXPECT_FALSE(starting_with(d.images, "mr_cmr--ACDC--patient001--y_").empty());
  EXPECT_THAT(starting_with(d.images, "mr_cmr--ACDC--patient002--"), IsEmpty());
  // As stored, the same case converts: slicing by index needs no spacing.
  const auto v1 = convert_to(config, dir / "v1");
  EXPECT_EQ(v1.run.exit_code, 0) << v1.run.err;
  EXPECT_FALSE(starting_with(v1.images, "mr_cmr--ACDC--patient002--x_").empty());
}

TEST_F(SlicingOptionsTest, AnotherProfileIntoTheSameOutputRedoesTheCase) {
  write_acdc_case(input / "patient001", {kPixel, kPixel, kSlice});
  const auto first = convert(kAcdcConfig);
  ASSERT_EQ(first.run.exit_code, 0) << first.run.err;
  ASSERT_THAT(starting_with(first.images, "mr_cmr--ACDC--patient001--y_"), IsEmpty());
  // The profile's options are in the case record: the case is not "already done".
  const auto second = convert(kAcdcConfig, {"--profile", "isotropic"});
  ASSERT_EQ(second.run.exit_code, 0) << second.run.err;
  EXPECT_EQ(starting_with(second.images, "mr_cmr--ACDC--patient001--y_").size(),
            kBoxHi[1] - kBoxLo[1]);
  EXPECT_EQ(read_png(out / "images" / "mr_cmr--ACDC--patient001--y_0035.png").height, 51u);
}

}  // namespace
}  // namespace samed2d::test
