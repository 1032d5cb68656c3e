// Datasets whose labels are contours, not label maps: COSMOS 2022 (converter cascade_contours).
// The polygon fill and the CASCADE XML reading alone, then the bundled config on a miniature
// replica of the release: COSMOS2022/{Training,Validation,Testing}_dataset/<number>/ with one
// .dcm per slice (written with ITK/GDCM) and <number>L.QVJ / <number>R.QVJ naming their QVS
// contour files (openmedlab AMD COSMOS2022.md; the challenge's reading code).

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "converters/ConverterRegistry.hpp"
#include "converters/layout/CascadeContours.hpp"
#include "pipeline/core/ClassRegistry.hpp"
#include "pipeline/core/Errors.hpp"
#include "support/DatasetRun.hpp"
#include "support/DicomWriter.hpp"
#include "support/ErrorOf.hpp"
#include "support/TestData.hpp"

namespace samed2d {
namespace {

namespace fs = std::filesystem;
using cascade::Point;
using test::TempDir;

// ---------------------------------------------------------------- polygon fill and XML reading

std::vector<std::uint8_t> filled(const std::vector<Point>& polygon, std::size_t ni,
                                 std::size_t nj) {
  std::vector<std::uint8_t> px(ni * nj, 0);
  cascade::fill_polygon(polygon, ni, nj, 7, px.data());
  return px;
}

TEST(CascadeContours, TriangleFillsCentresInsideAndOnTheBoundary) {
  // Right triangle (1,1) (7,1) (1,7): centres with c >= 1, r >= 1 and c + r <= 8, the three
  // edges included.
  const auto px = filled({{1, 1}, {7, 1}, {1, 7}}, 9, 9);
  std::size_t on = 0;
  for (std::size_t r = 0; r < 9; ++r)
    for (std::size_t c = 0; c < 9; ++c) {
      const bool inside = c >= 1 && r >= 1 && c + r <= 8;
      EXPECT_EQ(px[c + 9 * r], inside ? 7 : 0) << c << "," << r;
      on += px[c + 9 * r] != 0;
    }
  EXPECT_EQ(on, 28u);
}

TEST(CascadeContours, ConcavePolygonKeepsItsNotchOpen) {
  // A U: rows 0..2 full width 0..6, rows 3..6 only the arms 0..2 and 4..6; the notch's floor
  // (row 2) and the arms' inner edges (columns 2 and 4) are boundary, so filled.
  const auto px = filled({{0, 0}, {6, 0}, {6, 6}, {4, 6}, {4, 2}, {2, 2}, {2, 6}, {0, 6}}, 8, 8);
  for (std::size_t r = 0; r < 8; ++r)
    for (std::size_t c = 0; c < 8; ++c) {
      const bool inside = r <= 6 && c <= 6 && (r <= 2 || c <= 2 || c >= 4);
      EXPECT_EQ(px[c + 8 * r] != 0, inside) << c << "," << r;
    }
}

TEST(CascadeContours, FractionalVerticesAndClipping) {
  // Rectangle (1.5, 0.5)-(4.2, 2.5): centres 2..4 x 1..2. A polygon larger than the slice fills
  // it all and writes nothing outside it.
  auto px = filled({{1.5, 0.5}, {4.2, 0.5}, {4.2, 2.5}, {1.5, 2.5}}, 6, 4);
  for (std::size_t r = 0; r < 4; ++r)
    for (std::size_t c = 0; c < 6; ++c)
      EXPECT_EQ(px[c + 6 * r] != 0, c >= 2 && c <= 4 && r >= 1 && r <= 2) << c << "," << r;
  std::vector<std::uint8_t> guarded(3 * 2 + 2, 0);
  cascade::fill_polygon({{-5, -5}, {10, -5}, {10, 10}, {-5, 10}}, 3, 2, 9, guarded.data() + 1);
  EXPECT_EQ(guarded, (std::vector<std::uint8_t>{0, 9, 9, 9, 9, 9, 9, 0}));
}

TEST(CascadeContours, ReadsQvjAndQvsFiles) {
  const std::string qvj =
      "\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<!-- CASCADE -->\n<QVAS_Project>"
      "<QVAS_Loaded_Series_List>\n  <QVASSeriesFileName> E3S101_L.QVS </QVASSeriesFileName>"
      "<QVASSeriesFileName>E3S102_L.QVS</QVASSeriesFileName></QVAS_Loaded_Series_List>"
      "</QVAS_Project>";
  EXPECT_EQ(cascade::qvs_name_of_qvj(qvj, "3L.QVJ"), "E3S101_L.QVS");

  const std::string qvs =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<QVAS_Series><QVAS_Version>1</QVAS_Version>"
      "<QVAS_Image ImageName='E3S101I1'/>"
      "<QVAS_Image ImageName=\"E3&amp;S101I2\"><QVAS_Contour>"
      "<Contour_Point><Point x=\"32.50000\" y='64'/><Point x=\"1e2\" y=\"0\" /></Contour_Point>"
      "<ContourType>\n  Outer Wall </ContourType>"
      "<Snake_Point><Point x=\"9999\" y=\"9999\"/></Snake_Point><ContourComments/>"
      "</QVAS_Contour><QVAS_Contour><Contour_Point/><ContourType><![CDATA[Lumen]]></ContourType>"
      "</QVAS_Contour></QVAS_Image></QVAS_Series>";
  const auto images = cascade::parse_qvs(qvs, "E3S101_L.QVS");
  ASSERT_EQ(images.size(), 2u);
  EXPECT_EQ(images[0].name, "E3S101I1");
  EXPECT_TRUE(images[0].contours.empty());
  EXPECT_EQ(images[1].name, "E3&S101I2");
  ASSERT_EQ(images[1].contours.size(), 2u);
  EXPECT_EQ(images[1].contours[0].type, "Outer Wall");
  ASSERT_EQ(images[1].contours[0].points.size(), 2u);  // Snake_Point is not the contour
  EXPECT_EQ(images[1].contours[0].points[0].x, 32.5);
  EXPECT_EQ(images[1].contours[0].points[0].y, 64);
  EXPECT_EQ(images[1].contours[0].points[1].x, 100);
  EXPECT_EQ(images[1].contours[1].type, "Lumen");
  EXPECT_TRUE(images[1].contours[1].points.empty());
}

TEST(CascadeContours, DamagedFilesAreOneLineInputErrors) {
  auto message = [](auto&& f) { return test::error_of<InputError>(f, "no InputError"); };
  const std::string open = message([] { cascade::parse_qvs("<QVAS_Series><QVAS_Image>", "a"); });
  EXPECT_NE(open.find("a: not well-formed XML"), std::string::npos) << open;
  EXPECT_NE(open.find("<QVAS_Image> is never closed"), std::string::npos) << open;
  const std::string nan = message([] {
    cascade::parse_qvs(
        "<S><QVAS_Image><QVAS_Contour><Contour_Point><Point x=\"1\" y=\"abc\"/></Contour_Point>"
        "</QVAS_Contour></QVAS_Image></S>",
        "b.QVS");
  });
  EXPECT_NE(nan.find("b.QVS: QVAS_Image 1 (slice 0), point 1: \"y\" is \"abc\", not a number"),
            std::string::npos)
      << nan;
  const std::string no_series =
      message([] { cascade::qvs_name_of_qvj("<QVAS_Project></QVAS_Project>", "3L.QVJ"); });
  EXPECT_NE(no_series.find("3L.QVJ: no <QVAS_Loaded_Series_List>/<QVASSeriesFileName>"),
            std::string::npos)
      << no_series;
  for (const auto& m : {open, nan, no_series}) EXPECT_EQ(m.find('\n'), std::string::npos) << m;
}

TEST(CascadeContours, ConfigIsValidated) {
  const auto classes =
      ClassRegistry::load(fs::path(test::source_dir()) / "configs" / "classes.json");
  auto error = [&](const std::string& text) {
    return test::error_of<ConfigError>([&] { load_dataset_config_text(text, "c.json", classes); },
                                       "no ConfigError");
  };
  const std::string head =
      R"({"dataset": "COSMOS2022", "converter": "cascade_contours", "cases": "**/*.QVJ",
          "modality": "mr_00", "labels": {"1": "carotid_lumen"}, )";
  EXPECT_NE(error(head + R"("contours": [{"type": "Lumen", "value": 1}]})").find("point_frame"),
            std::string::npos);
  EXPECT_NE(error(head + R"("point_frame": 512, "contours": []})").find("\"contours\""),
            std::string::npos);
  EXPECT_NE(error(head + R"("point_frame": 512, "contours": [{"type": "Lumen", "value": 1},
            {"type": "Lumen", "value": 2}]})")
                .find("repeats the type"),
            std::string::npos);
  EXPECT_NE(error(head + R"("point_frame": 512, "contours": [{"type": "Lumen", "valu": 1}]})")
                .find("did you mean"),
            std::string::npos);
  const auto ok = load_dataset_config(test::bundled_config("COSMOS2022"), classes);
  EXPECT_EQ(ok->dataset(), "COSMOS2022");
  EXPECT_EQ(ok->modalities(), std::vector<std::string>{"mr_00"});
}

// ---------------------------------------------------------------- COSMOS 2022 replica

constexpr std::size_t kNi = 16, kNj = 12, kSlices = 4;  // DICOM columns x rows, slices
constexpr double kFrame = 512;                          // the QVS coordinate frame

struct Px {  // pixel coordinates: column, row (centres at integers)
  double c, r;
};
struct Drawn {
  std::size_t image;  // QVAS_Image index = slice in position order
  std::string type;   // "Lumen" or "Outer Wall"
  std::vector<Px> points;
};

// A QVS file as CASCADE writes it (the element names the challenge code reads; the root's name
// and the other elements are as in the challenge's own writer, their content is filler). Every
// contour also carries Snake_Point points far outside the image: they must not be read.
std::string qvs_text(const std::string& exam, std::size_t images,
                     const std::vector<Drawn>& contours) {
  std::string s = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<QVAS_Series>\n";
  s += "  <QVAS_Version>1.0</QVAS_Version>\n";
  for (std::size_t k = 0; k < images; ++k) {
    s += "  <QVAS_Image ImageName=\"" + exam + "I" + std::to_string(k + 1) + "\">\n";
    s += "    <Translation><Rotation><Angle>0</Angle></Rotation></Translation>\n";
    for (const Drawn& d : contours) {
      if (d.image != k) continue;
      s += "    <QVAS_Contour>\n      <Contour_Point>\n";
      for (const Px& p : d.points) {
        char buf[96];
        std::snprintf(buf, sizeof buf, "        <Point x=\"%.5f\" y=\"%.5f\" />\n",
                      p.c * kFrame / kNi, p.r * kFrame / kNj);
        s += buf;
      }
      s += "      </Contour_Point>\n      <ContourType>" + d.type + "</ContourType>\n";
      s += "      <ContourColor>255</ContourColor>\n      "
           "<ContourOpenStatus>1</ContourOpenStatus>\n";
      s += "      <Snake_Point><Point x=\"9000.00000\" y=\"9000.00000\" /></Snake_Point>\n";
      s += "      <ContourComments />\n    </QVAS_Contour>\n";
    }
    s += "  </QVAS_Image>\n";
  }
  return s + "</QVAS_Series>\n";
}

// A QVJ project file naming `qvs` (plus the bifurcation and per-location fields the challenge's
// diagnosis task reads, which the converter ignores).
std::string qvj_text(const std::string& qvs) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<QVAS_Project>\n"
         "  <QVAS_System_Info><BifurcationLocation><BifurcationImageIndex ImageIndex=\"2\" />"
         "</BifurcationLocation></QVAS_System_Info>\n"
         "  <QVAS_Loaded_Series_List>\n    <QVASSeriesFileName>" +
         qvs +
         "</QVASSeriesFileName>\n  </QVAS_Loaded_Series_List>\n"
         "  <Location_Property><Location Index=\"0\"><IQ>3</IQ><AHAStatus>1</AHAStatus>"
         "</Location></Location_Property>\n</QVAS_Project>\n";
}

// The case's DICOM series: one file per slice named like the release's
// (1.1310.12.146843.<n>.42584.24983.1687.dcm). Positions run against the file names, so the
// slice at position rank k is file kSlices - 1 - k; that slice is 0 with one bright pixel at
// column k of row 0, which tells which slice an output image is.
void write_series(const fs::path& folder, const std::string& uid, std::size_t slices = kSlices) {
  test::DicomSeriesSpec spec;
  spec.columns = kNi;
  spec.rows = kNj;
  spec.pixel = test::DicomPixel::UInt16;
  spec.modality = "MR";
  spec.series_uid = uid;
  spec.pixel_spacing[0] = spec.pixel_spacing[1] = 0.5787;
  for (std::size_t f = 0; f < slices; ++f) {
    test::DicomSlice s;
    s.file = "1.1310.12.146843." + std::to_string(3636 + f) + ".42584.24983.1687.dcm";
    s.values.assign(kNi * kNj, 0);
    const std::size_t rank = slices - 1 - f;
    s.values[rank] = 1000;
    s.position[2] = 0.6 * static_cast<double>(rank);
    s.instance = static_cast<int>(f + 1);
    spec.slices.push_back(std::move(s));
  }
  test::write_dicom_series(folder, spec);
}

// One case folder: the series, and per side its QVJ and QVS.
void write_case(const fs::path& folder, const std::string& id,
                const std::map<char, std::vector<Drawn>>& sides, std::size_t qvs_images = kSlices) {
  write_series(folder, "1.2.826.0.1.3680043.9.7777.22" + id);
  for (const auto& [side, contours] : sides) {
    const std::string qvs = "E" + id + "S101_" + side + ".QVS";
    test::write_text_file(folder / (id + side + ".QVJ"), qvj_text(qvs));
    test::write_text_file(folder / qvs, qvs_text("E" + id + "S101", qvs_images, contours));
  }
}

// The left side's polygons: outer wall centres 2..10 x 2..9, lumen 4..8 x 3..7.
const std::vector<Px> kOuter{{2, 1.5}, {10, 1.5}, {10, 9}, {2, 9}};
const std::vector<Px> kLumen{{4, 3}, {8, 3}, {8, 7.5}, {4, 7.5}};
// The right side's: a diamond around (13, 6) and a smaller one inside.
const std::vector<Px> kOuterR{{13, 1.5}, {15, 6}, {13, 10.5}, {11, 6}};
const std::vector<Px> kLumenR{{13, 4.5}, {14, 6}, {13, 7.5}, {12, 6}};

fs::path write_replica(const fs::path& top) {
  const fs::path train = top / "Training_dataset";
  // Case 3: both sides, left on slice 1, right on slice 2.
  write_case(train / "3", "3",
             {{'L', {{1, "Outer Wall", kOuter}, {1, "Lumen", kLumen}}},
              {'R', {{2, "Lumen", kLumenR}, {2, "Outer Wall", kOuterR}}}});
  // Case 4: left only, an outer wall without a lumen on slice 0; a QVS file its QVJ does not
  // name (contours on slice 3) must not be read.
  write_case(train / "4", "4", {{'L', {{0, "Outer Wall", kOuter}}}});
  test::write_text_file(train / "4" / "E4S102_L.QVS",
                        qvs_text("E4S102", kSlices, {{3, "Outer Wall", kOuter}}));
  // macOS debris of a QVJ file, beside it and under __MACOSX.
  test::write_text_file(train / "3" / "._3L.QVJ", "\x00\x05\x16\x07 AppleDouble");
  test::write_text_file(top / "__MACOSX" / "Training_dataset" / "3" / "._3L.QVJ", "\x00\x05");
  // A validation case with a right side on slice 3.
  write_case(top / "Validation_dataset" / "1", "1",
             {{'R', {{3, "Outer Wall", kOuter}, {3, "Lumen", kLumen}}}});
  // The test set: images only (and a stray QVJ naming a missing QVS: never read).
  write_series(top / "Testing_dataset" / "16", "1.2.826.0.1.3680043.9.7777.2216");
  test::write_text_file(top / "Testing_dataset" / "55" / "55L.QVJ", qvj_text("missing.QVS"));
  return top;
}

std::string image(const std::string& case_name, std::size_t slice) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "x_%04zu", slice);
  return "mr_00--COSMOS2022--" + case_name + "--" + buf + ".png";
}
std::string mask(const std::string& case_name, std::size_t slice, const std::string& cls) {
  const std::string im = image(case_name, slice);
  return im.substr(0, im.size() - 4) + "--" + test::class_id(cls) + "_000.png";
}
std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

TEST(Cosmos2022Dataset, ContoursBecomeLumenAndWallMasks) {
  TempDir dir;
  write_replica(dir / "in" / "COSMOS2022");
  const auto out = test::convert_dataset("COSMOS2022", dir / "in", dir / "out", {"--axes", "x"});
  ASSERT_EQ(out.run.exit_code, 0) << out.run.err;
  EXPECT_EQ(out.images, sorted({image("1", 3), image("3", 1), image("3", 2), image("4", 0)}));
  EXPECT_EQ(out.masks, sorted({mask("1", 3, "carotid_lumen"), mask("1", 3, "carotid_vessel_wall"),
                               mask("3", 1, "carotid_lumen"), mask("3", 1, "carotid_vessel_wall"),
                               mask("3", 2, "carotid_lumen"), mask("3", 2, "carotid_vessel_wall"),
                               mask("4", 0, "carotid_vessel_wall")}));
  ASSERT_TRUE(out.report.is_object());
  EXPECT_EQ(out.report["failed"].size(), 0u) << out.report.dump(2);
  EXPECT_EQ(out.report["cases"], 3);
  EXPECT_EQ(test::class_id("carotid_lumen"), "0340");
  EXPECT_EQ(test::class_id("carotid_vessel_wall"), "0341");

  const fs::path masks = dir / "out" / "masks";
  auto check = [&](const std::string& file, auto&& inside) {
    const auto m = test::read_png(masks / file);
    ASSERT_EQ(m.width, kNi);
    ASSERT_EQ(m.height, kNj);
    for (std::size_t r = 0; r < kNj; ++r)
      for (std::size_t c = 0; c < kNi; ++c)
        EXPECT_EQ(m.pixels[c + kNi * r] != 0, inside(c, r)) << file << " " << c << "," << r;
  };
  auto in_outer = [](std::size_t c, std::size_t r) {
    return c >= 2 && c <= 10 && r >= 2 && r <= 9;
  };
  auto in_lumen = [](std::size_t c, std::size_t r) { return c >= 4 && c <= 8 && r >= 3 && r <= 7; };
  check(mask("3", 1, "carotid_lumen"), in_lumen);
  check(mask("3", 1, "carotid_vessel_wall"),
        [&](std::size_t c, std::size_t r) { return in_outer(c, r) && !in_lumen(c, r); });
  check(mask("4", 0, "carotid_vessel_wall"), in_outer);  // no lumen drawn: the whole outline
  // The right diamonds: |c - 13| / 2 + |r - 6| / 4.5 <= 1 outside, (|c - 13| + |r - 6| / 1.5) <= 1
  // inside.
  check(mask("3", 2, "carotid_lumen"), [](std::size_t c, std::size_t r) {
    return (c == 13 && r >= 5 && r <= 7) || ((c == 12 || c == 14) && r == 6);
  });
  check(mask("3", 2, "carotid_vessel_wall"), [](std::size_t c, std::size_t r) {
    const bool lumen = (c == 13 && r >= 5 && r <= 7) || ((c == 12 || c == 14) && r == 6);
    const double cd = static_cast<double>(c), rd = static_cast<double>(r);
    const double dc = cd > 13 ? cd - 13 : 13 - cd, dr = rd > 6 ? rd - 6 : 6 - rd;
    return dc / 2 + dr / 4.5 <= 1 && !lumen;
  });
  // The output slice x_0001 is the image at position rank 1 (its bright pixel at column 1), so
  // QVAS_Image k went onto the slice at position rank k, not the k-th file by name.
  for (std::size_t k : {1u, 2u}) {
    const auto im = test::read_png(dir / "out" / "images" / image("3", k));
    ASSERT_EQ(im.width, kNi);
    const std::size_t step = static_cast<std::size_t>(im.channels);
    for (std::size_t c = 0; c < kNi; ++c)
      EXPECT_EQ(im.pixels[c * step] != 0, c == k) << image("3", k) << " column " << c;
  }
}

TEST(Cosmos2022Dataset, InputMayBeTheTrainingFolderOrAbove) {
  TempDir dir;
  const fs::path top = write_replica(dir / "COSMOS2022");
  const auto inner =
      test::convert_dataset("COSMOS2022", top / "Training_dataset", dir / "o1", {"--axes", "x"});
  ASSERT_EQ(inner.run.exit_code, 0) << inner.run.err;
  EXPECT_EQ(inner.images, sorted({image("3", 1), image("3", 2), image("4", 0)}));
}

TEST(Cosmos2022Dataset, BadContoursFailTheirCaseAlone) {
  TempDir dir;
  const fs::path train = dir / "in" / "COSMOS2022" / "Training_dataset";
  write_case(train / "3", "3", {{'L', {{1, "Outer Wall", kOuter}, {1, "Lumen", kLumen}}}});
  // Case 7: a lumen point at column 17.5, outside the 16 columns.
  write_case(train / "7", "7",
             {{'R', {{1, "Outer Wall", kOuter}, {1, "Lumen", {{4, 3}, {17.5, 3}, {8, 7.5}}}}}});
  // Case 8: its QVS has 6 entries and draws on entry 5, beyond the 4 slices.
  write_case(train / "8", "8", {{'L', {{5, "Outer Wall", kOuter}}}}, 6);
  // Case 9: its QVJ names a QVS file that is not there.
  write_series(train / "9", "1.2.826.0.1.3680043.9.7777.229");
  test::write_text_file(train / "9" / "9L.QVJ", qvj_text("E9S101_L.QVS"));

  const auto out = test::convert_dataset("COSMOS2022", dir / "in", dir / "out", {"--axes", "x"});
  EXPECT_EQ(out.run.exit_code, 1) << out.run.err;
  EXPECT_EQ(out.images, std::vector<std::string>{image("3", 1)});
  ASSERT_TRUE(out.report.is_object());
  // The failed cases in order, each with what its one-line reason says.
  const std::vector<std::pair<std::string, std::string>> want{
      {"7", (train / "7" / "E7S101_R.QVS").string() +
                ": slice 1 (QVAS_Image 2), \"Lumen\" contour, point 2 (x=560, y=128) is pixel "
                "(17.5, 3), outside the 16x12 image"},
      {"8", (train / "8" / "E8S101_L.QVS").string() +
                ": QVAS_Image 6 (\"E8S101I6\") holds a \"Outer Wall\" contour for slice 5, but "
                "the image series has only 4 slices"},
      {"9", "names the contour file \"E9S101_L.QVS\""}};
  const auto& failed = out.report["failed"];
  ASSERT_EQ(failed.size(), want.size()) << out.report.dump(2);
  for (std::size_t n = 0; n < want.size(); ++n) {
    EXPECT_EQ(failed[n]["case"], want[n].first);
    const std::string reason = failed[n]["reason"];
    EXPECT_NE(reason.find(want[n].second), std::string::npos) << reason;
    EXPECT_EQ(reason.find('\n'), std::string::npos);
  }
}

}  // namespace
}  // namespace samed2d
