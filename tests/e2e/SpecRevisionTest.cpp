// End-to-end: the two SPEC revisions of the second wave. SPEC 5: the aspect rule skips slices of
// 3D volumes only, never a 2D source. SPEC 4: a MONOCHROME1 DICOM (low values white) is written
// as a viewer shows it, its 8-bit result inverted (255 - out), so the same pixels stored as
// MONOCHROME2 and as MONOCHROME1 give images that are each other's inverse, pixel by pixel.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support/ConfigRunTest.hpp"
#include "support/DatasetReplica.hpp"
#include "support/DatasetRun.hpp"
#include "support/DicomBytes.hpp"
#include "support/Matchers.hpp"
#include "support/TestData.hpp"
#include "support/TwoD.hpp"

namespace samed2d::test {
namespace {

class SpecRevisionTest : public ConfigRunTest {};

TEST_F(SpecRevisionTest, TwoDSourceIsNeverSkippedForItsAspect) {
  const std::size_t w = 60, h = 20;  // aspect 0.33, under min_aspect 0.5
  std::vector<std::uint8_t> rgb(w * h * 3);
  for (std::size_t p = 0; p < rgb.size(); ++p) rgb[p] = static_cast<std::uint8_t>(p % 199);
  write_rgb_image(input / "img" / "wide.png", w, h, 3, rgb);
  write_volume<std::uint8_t>(input / "gt" / "wide.png", {w, h, 1},
                             painted(w, h, {{2, 18, 5, 50}}, 1), 2);
  const auto d = convert(R"({"dataset": "endovis15", "cases": "**/img/*.png",
      "modality": "endoscopy_00", "label": "{dir}/../gt/{name}", "labels": {"1": "polyp"}})");
  ASSERT_EQ(d.run.exit_code, 0) << d.run.err;
  EXPECT_THAT(d.images, ElementsAre("endoscopy_00--endovis15--wide--2d_none.png"));
  EXPECT_THAT(d.masks, ElementsAre("endoscopy_00--endovis15--wide--2d_none--" + class_id("polyp") +
                                   "_000.png"));
}

TEST_F(SpecRevisionTest, Monochrome1IsWrittenInvertedAfterNormalization) {
  auto bytes = read_bytes(sample_data_dir() / "pydicom" / "CT_small.dcm");
  ASSERT_EQ(dicom_string(bytes, 0x0028, 0x0004), "MONOCHROME2");
  const auto write_case = [&](const std::string& name) {
    fs::create_directories(input / name);
    std::ofstream(input / name / "image.dcm", std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
    write_volume<std::uint8_t>(input / name / "mask.png", {128, 128, 1},
                               painted(128, 128, {{30, 90, 40, 100}}, 1), 2);
  };
  write_case("mono2");
  set_dicom_string(bytes, 0x0028, 0x0004, "CS", "MONOCHROME1");
  write_case("mono1");
  const auto d = convert(R"({"dataset": "Chest_Image_Pneum", "cases": "**/image.dcm",
      "case_name": "{parent}", "modality": "x_ray", "label": "{dir}/mask.png",
      "labels": {"1": "pneumothorax"}})");
  ASSERT_EQ(d.run.exit_code, 0) << d.run.err;
  const auto mono2 = read_png(out / "images" / "x_ray--Chest_Image_Pneum--mono2--2d_none.png");
  const auto mono1 = read_png(out / "images" / "x_ray--Chest_Image_Pneum--mono1--2d_none.png");
  ASSERT_EQ(mono2.channels, 1);  // a 16-bit 2D source, normalized to 8-bit grey
  ASSERT_EQ(mono1.pixels.size(), mono2.pixels.size());
  std::size_t distinct = 0;
  for (std::size_t p = 0; p < mono2.pixels.size(); ++p) {
    ASSERT_EQ(mono1.pixels[p], 255 - mono2.pixels[p]) << "pixel " << p;
    distinct += mono2.pixels[p] != mono2.pixels[0];
  }
  EXPECT_GT(distinct, 1000u);  // a real image, not a constant one
  // Inverting the physical values before normalizing would round differently: 255 - floor(x)
  // is not floor(255 - x) where x is not whole, so the check above tells the two apart.
  const auto said = [&](const std::string& case_name) {
    std::size_t n = 0;
    for (const auto& w : warnings_of(d, case_name))
      n += w.find("MONOCHROME1") != std::string::npos &&
           w.find("written inverted") != std::string::npos;
    return n;
  };
  EXPECT_EQ(said("mono1"), 1u);
  EXPECT_EQ(said("mono2"), 0u);
}

}  // namespace
}  // namespace samed2d::test
