// The corpus of bad and awkward inputs (issue 4, item 1): each input is generated here, beside
// two good cases, and has one exact outcome. A failing input must give one line naming the file,
// the problem and what to do; the case is listed in report.json; the good cases are complete;
// the exit status follows SPEC section 9; images/ and masks/ hold no partial or temporary file;
// and the JSON files name exactly what is on disk. An awkward but usable input is converted,
// with a warning naming the file where the user should know.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "e2e/Oracle.hpp"
#include "support/DatasetReplica.hpp"
#include "support/DatasetRun.hpp"
#include "support/DicomWriter.hpp"
#include "support/PlantedCase.hpp"
#include "support/RunTool.hpp"
#include "support/TestData.hpp"

namespace samed2d::test {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr Size3 kSize{12, 10, 8};
const std::vector<LabelBox> kBoxes{{{1, 1, 1}, {5, 5, 7}, 1}, {{6, 4, 2}, {11, 9, 6}, 2}};
const ClassValues kClasses{{"liver", {1}}, {"spleen", {2}}};
constexpr const char* kConfig = R"({"dataset": "Corpus", "cases": "*_img.{nii.gz,nii,mha,mhd}",
  "case_name": "{stem%_img}", "modality": "ct_00", "label": "{dir}/{stem%_img}_seg.nii.gz",
  "labels": {"1": "liver", "2": "spleen"}})";

PlantedCase planted(const std::string& name, Size3 size = kSize,
                    std::vector<LabelBox> boxes = kBoxes) {
  PlantedCase c;
  c.name = name;
  c.size = size;
  c.boxes = std::move(boxes);
  return c;
}

// The lines of `text` that contain `what`.
std::vector<std::string> lines_with(const std::string& text, const std::string& what) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.find(what) != std::string::npos) out.push_back(line);
  return out;
}

void put_bytes(std::vector<unsigned char>& b, std::size_t offset, const void* v, std::size_t n) {
  std::memcpy(b.data() + offset, v, n);
}
template <class T>
void put(std::vector<unsigned char>& b, std::size_t offset, T v) {
  put_bytes(b, offset, &v, sizeof v);
}

void write_gzip(const fs::path& file, const std::vector<unsigned char>& bytes) {
  fs::create_directories(file.parent_path());
  gzFile gz = gzopen(file.c_str(), "wb");
  ASSERT_NE(gz, nullptr);
  ASSERT_EQ(gzwrite(gz, bytes.data(), static_cast<unsigned>(bytes.size())),
            static_cast<int>(bytes.size()));
  gzclose(gz);
}

// A NIfTI-1 .nii of int16 voxels whose sform (code 1) is sheared, so not orthonormal, as some
// exporters write; the qform is unset.
void write_sheared_nifti(const fs::path& file, Size3 size, const std::vector<std::int16_t>& v) {
  std::vector<unsigned char> b(352, 0);
  put(b, 0, std::int32_t{348});
  put(b, 40, std::int16_t{3});
  for (std::size_t d = 0; d < 3; ++d) put(b, 42 + 2 * d, static_cast<std::int16_t>(size[d]));
  put(b, 70, std::int16_t{4});   // DT_INT16
  put(b, 72, std::int16_t{16});  // bitpix
  for (int d = 0; d < 4; ++d) put(b, 76 + 4 * static_cast<std::size_t>(d), 1.0f);
  put(b, 108, 352.0f);           // vox_offset
  put(b, 112, 1.0f);             // scl_slope
  put(b, 254, std::int16_t{1});  // sform_code
  const float srow[12] = {1, 0.5f, 0, 3, 0, 1, 0.3f, 4, 0.2f, 0, 1, 5};
  for (std::size_t r = 0; r < 12; ++r) put(b, 280 + 4 * r, srow[r]);
  std::memcpy(b.data() + 344, "n+1\0", 4);
  b.resize(352 + v.size() * 2);
  std::memcpy(b.data() + 352, v.data(), v.size() * 2);
  write_bytes(file, b);
}

// A NIfTI-2 header (540 bytes, then 4 bytes of extension flags) claiming ni x nj x nk int16
// voxels, with none of them in the file: NIfTI-1's 16-bit dimensions cannot say 60000.
void write_nifti2_header(const fs::path& file, std::int64_t ni, std::int64_t nj, std::int64_t nk) {
  std::vector<unsigned char> b(544, 0);
  put(b, 0, std::int32_t{540});
  std::memcpy(b.data() + 4, "n+2\0\r\n\032\n", 8);
  put(b, 12, std::int16_t{4});   // DT_INT16
  put(b, 14, std::int16_t{16});  // bitpix
  const std::int64_t dim[8] = {3, ni, nj, nk, 1, 1, 1, 1};
  for (std::size_t d = 0; d < 8; ++d) put(b, 16 + 8 * d, dim[d]);
  for (std::size_t d = 0; d < 8; ++d) put(b, 104 + 8 * d, 1.0);  // pixdim
  put(b, 168, std::int64_t{544});                                // vox_offset
  put(b, 176, 1.0);                                              // scl_slope
  write_bytes(file, b);
}

// A label map with a fourth dimension of 2 (two label maps in one file).
void write_4d_label(const fs::path& file, Size3 size) {
  write_itk_image(file, {size[0], size[1], size[2], 2},
                  std::vector<std::uint8_t>(size[0] * size[1] * size[2] * 2, 1));
}

class BadInputCorpusTest : public ::testing::Test {
 protected:
  TempDir dir;
  fs::path in = dir / "in";
  fs::path out = dir / "out";
  fs::path config = dir / "Corpus.json";
  std::vector<PlantedCase> good{planted("a_good"), planted("z_good")};

  void SetUp() override {
    write_text_file(config, kConfig);
    for (const auto& c : good) write_case(c);
  }

  void write_case(const PlantedCase& c) {
    c.write_image(in / (c.name + "_img.nii.gz"));
    c.write_label(in / (c.name + "_seg.nii.gz"));
  }

  std::vector<std::string> convert_args(const fs::path& output,
                                        const std::vector<std::string>& extra = {}) const {
    std::vector<std::string> args{"convert",   "--config", config.string(), "--input",
                                  in.string(), "--output", output.string(), "--axes",
                                  "x",         "--quiet"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  ConvertedDataset convert(const std::vector<std::string>& extra = {}) {
    const ToolRun run = run_samed2d(convert_args(out, extra));
    ConvertedDataset d = read_output(out);
    d.run = run;
    return d;
  }

  // The command prefix that runs samed2d without root's power over permissions: as root,
  // setpriv to nobody (root reads any file whatever its mode), with the test folder opened for
  // nobody to read; nothing for another user.
  std::vector<std::string> unprivileged() const {
    if (::geteuid() != 0) return {};
    fs::permissions(dir.path(), fs::perms::owner_all | fs::perms::group_exec |
                                    fs::perms::group_read | fs::perms::others_exec |
                                    fs::perms::others_read);
    return {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"};
  }

  // convert() as that user, into a folder the user may write (OUT moves there as root).
  ConvertedDataset convert_unprivileged() {
    std::vector<std::string> argv = unprivileged();
    if (!argv.empty()) {
      fs::create_directories(dir / "writable");
      fs::permissions(dir / "writable", fs::perms::all);
      out = dir / "writable" / "out";
    }
    argv.push_back(samed2d_binary());
    for (const auto& a : convert_args(out)) argv.push_back(a);
    const ToolRun run = run_command(argv);
    ConvertedDataset d = read_output(out);
    d.run = run;
    return d;
  }

  // Exactly the files of `cases`, an index and a class mapping that name exactly them, and no
  // other file anywhere in OUT: no temporary, partial or stray file.
  static void expect_tree(const ConvertedDataset& d, const fs::path& output,
                          const std::vector<PlantedCase>& cases, int exit_code) {
    expect_converted(d, expected_files("Corpus", kClasses, cases), exit_code);
    std::set<std::string> classes_on_disk;
    for (const auto& m : d.masks) {
      const auto cut = m.rfind("--");
      classes_on_disk.insert(m.substr(cut + 2, 4));
    }
    std::set<std::string> mapped;
    ASSERT_TRUE(d.mapping.is_object());
    for (const auto& [name, id] : d.mapping.items()) mapped.insert(id.get<std::string>());
    EXPECT_EQ(mapped, classes_on_disk);
    for (const auto& e : fs::recursive_directory_iterator(output)) {
      if (e.is_directory()) continue;
      const std::string rel = fs::relative(e.path(), output).string();
      const bool known =
          rel == "SAMed2D_v1.json" || rel == "SAMed2D_v1_class_mapping_id.json" ||
          rel == "report.json" || rel == ".samed2d/lock" ||
          (rel.rfind(".samed2d/cases/Corpus--", 0) == 0 && e.path().extension() == ".json") ||
          ((rel.rfind("images/", 0) == 0 || rel.rfind("masks/", 0) == 0) &&
           e.path().extension() == ".png");
      EXPECT_TRUE(known) << "stray file in OUT: " << rel;
    }
  }

  // The outcome of a bad input: its case fails alone with one line on stderr naming `file` (and
  // saying each of `says`), listed in report.json with the same reason; the good cases are
  // complete; exit 1.
  void expect_fails_alone(const ConvertedDataset& d, const std::string& case_name,
                          const std::string& file, const std::vector<std::string>& says) {
    expect_tree(d, out, good, 1);
    const auto lines = lines_with(d.run.err, file);
    ASSERT_EQ(lines.size(), 1u) << d.run.err;
    EXPECT_THAT(lines[0], HasSubstr("error: case '" + case_name + "'"));
    for (const auto& s : says) EXPECT_THAT(lines[0], HasSubstr(s));
    ASSERT_EQ(d.report.at("failed").size(), 1u) << d.report.dump(2);
    const auto& failed = d.report["failed"][0];
    EXPECT_EQ(failed.at("case"), case_name);
    const std::string reason = failed.at("reason");
    EXPECT_THAT(lines[0], HasSubstr(reason));
    EXPECT_THAT(reason, HasSubstr(file));
  }

  // The outcome of an awkward but usable input: every case in `cases` converted, exit 0, and
  // one warning line naming `file` (saying each of `says`), also in report.json.
  void expect_converted_with_warning(const ConvertedDataset& d,
                                     const std::vector<PlantedCase>& cases,
                                     const std::string& case_name, const std::string& file,
                                     const std::vector<std::string>& says) {
    expect_tree(d, out, cases, 0);
    const auto lines = lines_with(d.run.err, file);
    ASSERT_EQ(lines.size(), 1u) << d.run.err;
    EXPECT_THAT(lines[0], HasSubstr("warning: "));
    for (const auto& s : says) EXPECT_THAT(lines[0], HasSubstr(s));
    const auto warnings = warnings_of(d, case_name);
    EXPECT_EQ(std::count_if(warnings.begin(), warnings.end(),
                            [&](const std::string& w) {
                              return w.find(file) != std::string::npos &&
                                     lines[0].find(w) != std::string::npos;
                            }),
              1)
        << ::testing::PrintToString(warnings);
    EXPECT_EQ(d.report.at("failed").size(), 0u);
  }
};

// --- Broken files ------------------------------------------------------------------------------

TEST_F(BadInputCorpusTest, TruncatedGzipFailsItsCase) {
  write_case(planted("m_bad"));
  const fs::path file = in / "m_bad_img.nii.gz";
  fs::resize_file(file, fs::file_size(file) / 2);
  expect_fails_alone(convert(), "m_bad", "m_bad_img.nii.gz", {"truncated", "re-download"});
}

TEST_F(BadInputCorpusTest, ZeroByteFileIsCalledEmpty) {
  write_case(planted("m_bad"));
  std::ofstream(in / "m_bad_seg.nii.gz", std::ios::trunc).close();
  expect_fails_alone(convert(), "m_bad", "m_bad_seg.nii.gz",
                     {"empty (0 bytes)", "re-download or re-export"});
}

TEST_F(BadInputCorpusTest, WrongMagicFailsItsCase) {
  // What a failed download often leaves: an HTML error page, here gzipped under the right name.
  write_case(planted("m_bad"));
  const std::string page = "<html><body>404 Not Found</body></html>\n";
  write_gzip(in / "m_bad_img.nii.gz", std::vector<unsigned char>(page.begin(), page.end()));
  expect_fails_alone(convert(), "m_bad", "m_bad_img.nii.gz",
                     {"not a valid NIfTI file", "re-download"});
}

TEST_F(BadInputCorpusTest, HeaderClaiming60000CubedVoxelsIsRefusedBeforeAllocating) {
  // 216e12 voxels: an allocation would fail (or, under ASan, abort the run), so the case must
  // fail on the limit's message, naming the size and the option.
  write_case(planted("m_bad"));
  fs::remove(in / "m_bad_img.nii.gz");
  write_nifti2_header(in / "m_bad_img.nii", 60000, 60000, 60000);
  expect_fails_alone(convert(), "m_bad", "m_bad_img.nii",
                     {"60000 x 60000 x 60000", "--max-voxels"});
}

TEST_F(BadInputCorpusTest, ImageAndLabelOfDifferentSizesFailTheCase) {
  const auto c = planted("m_bad");
  c.write_image(in / "m_bad_img.nii.gz");
  planted("m_bad", {12, 10, 7}, {{{1, 1, 1}, {5, 5, 6}, 1}}).write_label(in / "m_bad_seg.nii.gz");
  expect_fails_alone(convert(), "m_bad", "m_bad_seg.nii.gz",
                     {"label map is 12x10x7 but image", "12x10x8", "pair the image with its own"});
}

TEST_F(BadInputCorpusTest, NonIntegralFloatLabelFailsTheCase) {
  const auto c = planted("m_bad", kSize, {{{1, 1, 1}, {5, 5, 7}, 1.5}});
  c.write_image(in / "m_bad_img.nii.gz");
  c.write_label<float>(in / "m_bad_seg.nii.gz");
  expect_fails_alone(convert(), "m_bad", "m_bad_seg.nii.gz", {"1.5", "integer"});
}

TEST_F(BadInputCorpusTest, FourDLabelMapFailsTheCase) {
  write_case(planted("m_bad"));
  write_4d_label(in / "m_bad_seg.nii.gz", kSize);
  expect_fails_alone(convert(), "m_bad", "m_bad_seg.nii.gz", {"2 components"});
}

TEST_F(BadInputCorpusTest, MissingLabelFileFailsTheCase) {
  write_case(planted("m_bad"));
  fs::remove(in / "m_bad_seg.nii.gz");
  expect_fails_alone(convert(), "m_bad", "m_bad_seg.nii.gz",
                     {"not found", "check the path and the dataset config"});
}

TEST_F(BadInputCorpusTest, UnreadableFileFailsTheCase) {
  write_case(planted("m_bad"));
  fs::permissions(in / "m_bad_seg.nii.gz", fs::perms::none);
  expect_fails_alone(convert_unprivileged(), "m_bad", "m_bad_seg.nii.gz",
                     {"cannot open it (Permission denied)", "make it readable"});
}

// A 2D dataset (X-ray or endoscopy files with a PNG mask each): a_good and z_good are fine.
class BadRasterCorpusTest : public BadInputCorpusTest {
 protected:
  void SetUp() override {
    write_text_file(config, R"({"dataset": "Corpus", "cases": "*.{png,jpg,bmp}",
      "exclude": "*_mask.png", "modality": "x_ray", "label": "{stem}_mask.png",
      "labels": {"255": "liver"}})");
    std::vector<std::uint8_t> grey(16), mask(16, 0);
    for (std::size_t p = 0; p < 16; ++p) grey[p] = static_cast<std::uint8_t>(10 * p);
    for (std::size_t p : {5u, 6u, 9u, 10u}) mask[p] = 255;
    for (const std::string name : {"a_good", "m_bad", "z_good"}) {
      if (name != "m_bad") write_volume(in / (name + ".png"), {4, 4, 1}, grey, 2);
      write_volume(in / (name + "_mask.png"), {4, 4, 1}, mask, 2);
    }
  }

  // An 8x8 RGB TIFF as ITK writes it (little endian, one directory), as bytes to damage.
  std::vector<std::uint8_t> itk_rgb_tiff() {
    write_rgb_image(dir / "whole.tif", 8, 8, 3, std::vector<std::uint8_t>(8 * 8 * 3, 120));
    return read_bytes(dir / "whole.tif");
  }

  // Where the first directory of a little-endian TIFF starts, and its number of entries.
  static std::pair<std::size_t, std::size_t> first_directory(const std::vector<std::uint8_t>& tif) {
    const std::size_t ifd =
        tif[4] | tif[5] << 8 | tif[6] << 16 | static_cast<std::size_t>(tif[7]) << 24;
    return {ifd, static_cast<std::size_t>(tif[ifd] | tif[ifd + 1] << 8)};
  }

  // The 8x8 TIFF `tif` as case m_bad (with a mask beside it) among the good cases.
  void expect_tiff_fails(const std::vector<std::uint8_t>& tif,
                         const std::vector<std::string>& says) {
    write_bytes(in / "m_bad.tif", std::vector<unsigned char>(tif.begin(), tif.end()));
    write_text_file(config, R"({"dataset": "Corpus", "cases": "*.{png,tif}",
      "exclude": "*_mask.png", "modality": "x_ray", "label": "{stem}_mask.png",
      "labels": {"255": "liver"}})");
    std::vector<std::uint8_t> mask(64, 0);
    mask[9] = 255;
    write_volume(in / "m_bad_mask.png", {8, 8, 1}, mask, 2);
    expect_raster_fails(convert(), "m_bad.tif", says);
  }

  void expect_raster_fails(const ConvertedDataset& d, const std::string& file,
                           const std::vector<std::string>& says) {
    EXPECT_EQ(d.run.exit_code, 1) << d.run.err;
    EXPECT_EQ(d.images, (std::vector<std::string>{"x_ray--Corpus--a_good--2d_none.png",
                                                  "x_ray--Corpus--z_good--2d_none.png"}));
    const std::string mask_id = "--" + class_id("liver") + "_000.png";
    EXPECT_EQ(d.masks, (std::vector<std::string>{"x_ray--Corpus--a_good--2d_none" + mask_id,
                                                 "x_ray--Corpus--z_good--2d_none" + mask_id}));
    EXPECT_EQ(d.index.size(), 2u);
    const auto lines = lines_with(d.run.err, file);
    ASSERT_EQ(lines.size(), 1u) << d.run.err;
    EXPECT_THAT(lines[0], HasSubstr("error: case 'm_bad'"));
    for (const auto& s : says) EXPECT_THAT(lines[0], HasSubstr(s));
    ASSERT_EQ(d.report.at("failed").size(), 1u);
    EXPECT_EQ(d.report["failed"][0].at("case"), "m_bad");
  }
};

TEST_F(BadRasterCorpusTest, PngClaiming100000SquaredPixelsIsRefusedBeforeAllocating) {
  // An X-ray whose PNG header claims 100000 x 100000 RGBA (40 GB of rows).
  auto chunk = [](std::vector<unsigned char>& png, const char* type,
                  std::vector<unsigned char> data) {
    const auto be32 = [&](std::uint32_t v) {
      for (int s = 24; s >= 0; s -= 8) png.push_back(static_cast<unsigned char>(v >> s));
    };
    be32(static_cast<std::uint32_t>(data.size()));
    std::vector<unsigned char> body(type, type + 4);
    body.insert(body.end(), data.begin(), data.end());
    png.insert(png.end(), body.begin(), body.end());
    be32(static_cast<std::uint32_t>(crc32(0, body.data(), static_cast<uInt>(body.size()))));
  };
  std::vector<unsigned char> png{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  chunk(png, "IHDR", {0, 1, 0x86, 0xa0, 0, 1, 0x86, 0xa0, 8, 6, 0, 0, 0});  // 100000^2, RGBA
  std::vector<unsigned char> zeros(1000, 0), idat(compressBound(1000));
  uLongf idat_size = idat.size();
  ASSERT_EQ(compress(idat.data(), &idat_size, zeros.data(), zeros.size()), Z_OK);
  idat.resize(idat_size);
  chunk(png, "IDAT", idat);
  chunk(png, "IEND", {});
  write_bytes(in / "m_bad.png", png);
  expect_raster_fails(convert(), "m_bad.png",
                      {"100000 x 100000 x 1 x 4 components is more than", "--max-voxels"});
}

TEST_F(BadRasterCorpusTest, BmpClaiming60000SquaredPixelsIsRefusedBeforeItIsRead) {
  // ITK's BMP reader fills a buffer of the claimed size before anything else looks at it.
  std::vector<unsigned char> bmp(54 + 1024 + 64, 0);
  bmp[0] = 'B';
  bmp[1] = 'M';
  put(bmp, 2, static_cast<std::uint32_t>(bmp.size()));
  put(bmp, 10, std::uint32_t{54 + 1024});  // pixel data offset
  put(bmp, 14, std::uint32_t{40});         // BITMAPINFOHEADER
  put(bmp, 18, std::int32_t{60000});
  put(bmp, 22, std::int32_t{60000});
  put(bmp, 26, std::uint16_t{1});
  put(bmp, 28, std::uint16_t{8});
  put(bmp, 46, std::uint32_t{256});
  for (std::size_t c = 0; c < 256; ++c)
    for (std::size_t k = 0; k < 3; ++k) bmp[54 + 4 * c + k] = static_cast<unsigned char>(c);
  write_bytes(in / "m_bad.bmp", bmp);
  expect_raster_fails(convert(), "m_bad.bmp", {"60000 x 60000 x 1 is more than", "--max-voxels"});
}

TEST_F(BadRasterCorpusTest, TiffDateTimeShorterThanTheStandardIsRefusedBeforeItk) {
  // ITK copies a DateTime tag as 20 bytes whatever its count: the CI fuzz run turned the
  // 15-byte Software tag ITK writes ("InsightToolkit") into a DateTime and ASan saw the read
  // past libtiff's buffer.
  auto tif = itk_rgb_tiff();
  ASSERT_EQ(tif[0], 'I');
  const auto [ifd, entries] = first_directory(tif);
  bool patched = false;
  for (std::size_t e = 0; e < entries; ++e) {
    const std::size_t at = ifd + 2 + 12 * e;
    if ((tif[at] | tif[at + 1] << 8) == 0x0131) {  // Software
      tif[at] = 0x32;
      patched = true;
    }
  }
  ASSERT_TRUE(patched) << "ITK wrote no Software tag to turn into a DateTime";
  expect_tiff_fails(tif, {"TIFF DateTime tag has", "instead of 20"});
}

TEST_F(BadRasterCorpusTest, TiffDirectoryChainThatLoopsIsRefusedBeforeItk) {
  // The fuzz step: a directory that names itself as the next one kept ITK's libtiff counting
  // directories (TIFFNumberOfDirectories) for good.
  auto tif = itk_rgb_tiff();
  ASSERT_EQ(tif[0], 'I');
  const auto [ifd, entries] = first_directory(tif);
  const std::size_t next = ifd + 2 + 12 * entries;
  ASSERT_EQ(tif[next] | tif[next + 1] | tif[next + 2] | tif[next + 3], 0) << "one directory";
  for (int i = 0; i < 4; ++i) tif[next + i] = static_cast<std::uint8_t>(ifd >> (8 * i));
  expect_tiff_fails(
      tif, {"TIFF directory chain loops back to the directory at byte " + std::to_string(ifd)});
}

TEST_F(BadRasterCorpusTest, CorruptJpegFailsItsCaseWithoutKillingTheRun) {
  // ITK 5.2's JPEG reader crashed the whole process (SIGSEGV) on this file.
  std::vector<unsigned char> jpeg(500, 0);
  jpeg[0] = 0xFF;
  jpeg[1] = 0xD8;
  write_bytes(in / "m_bad.jpg", jpeg);
  expect_raster_fails(convert(), "m_bad.jpg", {"not a readable JPEG", "re-download"});
}

TEST_F(BadRasterCorpusTest, TruncatedJpegFailsInsteadOfBeingFilledWithGrey) {
  // A download cut inside the compressed data: libjpeg only warns and paints the rest grey.
  std::vector<std::uint8_t> rgb(64 * 64 * 3);
  for (std::size_t p = 0; p < rgb.size(); ++p) rgb[p] = static_cast<std::uint8_t>((p * 37) % 251);
  write_rgb_image(dir / "whole.jpg", 64, 64, 3, rgb);
  auto bytes = read_bytes(dir / "whole.jpg");
  bytes.resize(bytes.size() * 2 / 3);
  write_bytes(in / "m_bad.jpg", std::vector<unsigned char>(bytes.begin(), bytes.end()));
  std::vector<std::uint8_t> mask(64 * 64, 0);
  for (std::size_t p = 0; p < 64 * 20; ++p) mask[p] = 255;
  write_volume(in / "m_bad_mask.png", {64, 64, 1}, mask, 2);
  expect_raster_fails(convert(), "m_bad.jpg", {"ends before the image does", "re-download"});
}

TEST_F(BadInputCorpusTest, BrokenSymbolicLinkIsACaseThatSaysSo) {
  // A dataset tree of links into a download folder that moved: dropping the case silently
  // would lose it without a word.
  const auto c = planted("m_link");
  c.write_label(in / "m_link_seg.nii.gz");
  fs::create_symlink(dir / "moved" / "m_link_img.nii.gz", in / "m_link_img.nii.gz");
  expect_fails_alone(
      convert(), "m_link", "m_link_img.nii.gz",
      {"a broken symbolic link (to " + (dir / "moved").string(), "restore what it points to"});
}

TEST_F(BadInputCorpusTest, GzipNamedNiiIsReadWithAWarningToRenameIt) {
  const auto c = planted("m_gz");
  c.write_image(dir / "m_gz_img.nii.gz");
  fs::copy_file(dir / "m_gz_img.nii.gz", in / "m_gz_img.nii");
  c.write_label(in / "m_gz_seg.nii.gz");
  const auto d = convert();
  expect_converted_with_warning(
      d, {good[0], c, good[1]}, "m_gz", "m_gz_img.nii",
      {"gzip-compressed although its name does not end in .gz", "rename it to .nii.gz"});
  EXPECT_EQ(d.run.err.find("** ERROR"), std::string::npos) << d.run.err;
}

// A MetaImage header for the planted 12 x 10 x 8 int16 volume, with `tail` as its last lines.
std::string metaimage_header(const std::string& tail) {
  return "ObjectType = Image\nNDims = 3\nBinaryData = True\nDimSize = 12 10 8\n"
         "ElementType = MET_SHORT\n" +
         tail;
}

std::vector<unsigned char> zlib_compress(const std::vector<unsigned char>& raw) {
  std::vector<unsigned char> packed(compressBound(static_cast<uLong>(raw.size())));
  uLongf size = packed.size();
  compress(packed.data(), &size, raw.data(), static_cast<uLong>(raw.size()));
  packed.resize(size);
  return packed;
}

std::vector<unsigned char> int16_bytes(const std::vector<std::int16_t>& v, bool big_endian) {
  std::vector<unsigned char> b;
  for (const auto x : v) {
    const auto u = static_cast<std::uint16_t>(x);
    const auto lo = static_cast<unsigned char>(u & 0xFF), hi = static_cast<unsigned char>(u >> 8);
    b.push_back(big_endian ? hi : lo);
    b.push_back(big_endian ? lo : hi);
  }
  return b;
}

TEST_F(BadInputCorpusTest, CorruptCompressedMetaImageFailsInsteadOfReadingGarbage) {
  // ITK's MetaIO printed "Uncompress failed" and went on with whatever the buffer held: the
  // images changed from run to run.
  const auto c = planted("m_bad");
  c.write_label(in / "m_bad_seg.nii.gz");
  auto packed = zlib_compress(int16_bytes(c.image<std::int16_t>(), false));
  packed.resize(packed.size() / 2);
  const std::string header = metaimage_header(
      "CompressedData = True\nCompressedDataSize = " + std::to_string(packed.size()) +
      "\nElementDataFile = m_bad_img.zraw\n");
  write_text_file(in / "m_bad_img.mhd", header);
  write_bytes(in / "m_bad_img.zraw", packed);
  expect_fails_alone(convert(), "m_bad", "m_bad_img.mhd",
                     {"its compressed data is corrupt or cut short (inflates to", "re-download"});
}

TEST_F(BadInputCorpusTest, BigEndianCompressedMetaImageReadsLikeTheLittleEndianOne) {
  // The compressed path is samed2d's own now, so byte order is its job too: m_msb holds the
  // same values as a_good, so its images must be the same bytes.
  const auto c = planted("m_msb");
  c.write_label(in / "m_msb_seg.nii.gz");
  const auto packed = zlib_compress(int16_bytes(c.image<std::int16_t>(), true));
  write_bytes(in / "m_msb_img.mha", [&] {
    const std::string h = metaimage_header(
        "BinaryDataByteOrderMSB = True\nCompressedData = True\nCompressedDataSize = " +
        std::to_string(packed.size()) + "\nElementDataFile = LOCAL\n");
    std::vector<unsigned char> b(h.begin(), h.end());
    b.insert(b.end(), packed.begin(), packed.end());
    return b;
  }());
  const auto d = convert();
  expect_tree(d, out, {good[0], c, good[1]}, 0);
  const auto a_images = files_of_case(d.images, "a_good");
  const auto m_images = files_of_case(d.images, "m_msb");
  ASSERT_EQ(a_images.size(), m_images.size());
  for (std::size_t i = 0; i < a_images.size(); ++i)
    EXPECT_TRUE(read_bytes(out / "images" / a_images[i]) ==
                read_bytes(out / "images" / m_images[i]))
        << m_images[i];
}

TEST_F(BadInputCorpusTest, MetaImageListWithAMissingFileFails) {
  const auto c = planted("m_bad");
  c.write_label(in / "m_bad_seg.nii.gz");
  const auto raw = int16_bytes(c.image<std::int16_t>(), false);
  write_bytes(in / "slices" / "s0.raw", std::vector<unsigned char>(raw.begin(), raw.begin() + 240));
  write_text_file(in / "m_bad_img.mhd", metaimage_header("ElementDataFile = LIST\nslices/s0.raw\n"
                                                         "slices/s1.raw\n"));
  expect_fails_alone(convert(), "m_bad", "m_bad_img.mhd",
                     {"its data file slices/s1.raw (listed after ElementDataFile = LIST) is "
                      "missing"});
}

TEST_F(BadInputCorpusTest, MetaImageDataFileOutsideItsFolderIsRefused) {
  // "ElementDataFile = ../../../etc/passwd" was read as voxels.
  const auto c = planted("m_bad");
  c.write_label(in / "m_bad_seg.nii.gz");
  write_bytes(dir / "elsewhere.raw", int16_bytes(c.image<std::int16_t>(), false));
  write_text_file(in / "m_bad_img.mhd", metaimage_header("ElementDataFile = ../elsewhere.raw\n"));
  expect_fails_alone(convert(), "m_bad", "m_bad_img.mhd",
                     {"its data file ../elsewhere.raw is not beside the header"});
}

TEST_F(BadInputCorpusTest, LibrariesPrintNothingOfTheirOwn) {
  // MetaIO ("DimSize required and not defined."), GDCM (multi-line "Warning: In ..." blocks),
  // niftilib ("** ERROR") and libtiff ("TIFFFillStrip: ...") used to print between samed2d's
  // lines. Every line on stderr must be samed2d's.
  write_text_file(config, R"({"dataset": "Corpus", "cases": "m_*.{mha,dcm,tif,nii}",
    "case_name": "{stem}", "modality": "ct_00", "label": "{stem}_seg.nii.gz",
    "labels": {"1": "liver"}})");
  write_text_file(in / "m_nodim.mha",
                  "ObjectType = Image\nNDims = 9\nElementType = MET_SHORT\nElementDataFile = "
                  "LOCAL\n0123456789");
  const auto ct = read_bytes(sample_data_dir() / "pydicom" / "CT_small.dcm");
  write_bytes(in / "m_short.dcm", std::vector<unsigned char>(ct.begin(), ct.begin() + 30000));
  std::vector<std::uint8_t> rgb(32 * 32 * 3, 90);
  write_rgb_image(dir / "whole.tif", 32, 32, 3, rgb);
  auto tif = read_bytes(dir / "whole.tif");
  write_bytes(in / "m_cut.tif", std::vector<unsigned char>(tif.begin(), tif.begin() + 200));
  const auto c = planted("m_gz");
  c.write_image(dir / "m_gz.nii.gz");
  fs::copy_file(dir / "m_gz.nii.gz", in / "m_gz.nii");
  for (const std::string stem : {"m_nodim", "m_short", "m_cut", "m_gz"})
    c.write_label(in / (stem + "_seg.nii.gz"));
  const auto d = convert();
  EXPECT_EQ(d.run.exit_code, 1);
  EXPECT_EQ(d.report.at("failed").size(), 3u) << d.run.err;
  std::istringstream lines(d.run.err);
  std::size_t n = 0;
  for (std::string line; std::getline(lines, line); ++n)
    EXPECT_EQ(line.rfind("samed2d: ", 0), 0u) << "a line not from samed2d: " << line;
  EXPECT_GE(n, 4u) << d.run.err;
}

TEST_F(BadInputCorpusTest, UnreadableSubfolderIsSkippedWithAWarning) {
  // --input above the dataset often holds a lost+found or another user's folder: it is
  // skipped with one warning, and the cases elsewhere are converted (exit 0). As root, the tool
  // runs as nobody, for whom the folder is closed.
  write_text_file(config,
                  std::string(kConfig).replace(std::string(kConfig).find("*_img"), 5, "**/*_img"));
  fs::create_directories(in / "lost+found");
  fs::permissions(in / "lost+found", fs::perms::owner_all);
  const auto d = convert_unprivileged();
  expect_tree(d, out, good, 0);
  const auto lines = lines_with(d.run.err, "lost+found");
  ASSERT_EQ(lines.size(), 1u) << d.run.err;
  EXPECT_THAT(lines[0], HasSubstr("warning: "));
  EXPECT_THAT(lines[0], HasSubstr("cannot list the folder (Permission denied)"));
  EXPECT_THAT(lines[0], HasSubstr("fix its permissions"));
}

TEST_F(BadInputCorpusTest, ControlCharactersInAFileNameStayOnOneEscapedLine) {
  // A new line in a name split the message in two; an escape sequence reached the terminal.
  write_case(planted("m\nbad\x1b[31m"));
  std::ofstream(in / "m\nbad\x1b[31m_img.nii.gz", std::ios::trunc).close();
  const auto d = convert();
  EXPECT_EQ(d.run.exit_code, 1);
  const auto lines = lines_with(d.run.err, "m\\nbad\\x1b[31m_img.nii.gz");
  ASSERT_EQ(lines.size(), 1u) << d.run.err;
  EXPECT_THAT(lines[0], HasSubstr("the file is empty"));
  EXPECT_EQ(d.run.err.find('\x1b'), std::string::npos);
  std::istringstream all(d.run.err);
  for (std::string line; std::getline(all, line);)
    EXPECT_EQ(line.rfind("samed2d: ", 0), 0u) << line;
}

// --- Awkward values ----------------------------------------------------------------------------

TEST_F(BadInputCorpusTest, NegativeLabelValuesAreReportedUnlessTheConfigMapsThem) {
  // -1 (a common "ignore" value) and -3: not in "labels", so counted and reported, never
  // written; a config that maps -3 gets masks for it.
  const auto c =
      planted("m_odd", kSize,
              {{{1, 1, 1}, {5, 5, 7}, 1}, {{6, 4, 2}, {11, 9, 6}, -3}, {{0, 0, 0}, {2, 2, 2}, -1}});
  c.write_image(in / "m_odd_img.nii.gz");
  c.write_label<std::int16_t>(in / "m_odd_seg.nii.gz");
  const auto unmapped =
      planted("m_odd", kSize, {{{1, 1, 1}, {5, 5, 7}, 1}, {{0, 0, 0}, {2, 2, 2}, -1}});
  // The -1 corner box is painted last, over one voxel of the liver box.
  expect_converted_with_warning(
      convert(), {good[0], unmapped, good[1]}, "m_odd", "m_odd_seg.nii.gz",
      {"label values -3 (100 voxels), -1 (8 voxels) are not in the config"});

  std::string mapped_config = kConfig;
  mapped_config.replace(mapped_config.find("\"2\": \"spleen\""), 13, "\"-3\": \"spleen\"");
  write_text_file(config, mapped_config);
  fs::remove_all(out);
  const auto d = convert();
  const auto as_spleen =
      planted("m_odd", kSize,
              {{{1, 1, 1}, {5, 5, 7}, 1}, {{6, 4, 2}, {11, 9, 6}, 2}, {{0, 0, 0}, {2, 2, 2}, -1}});
  // The good cases' value 2 is now unmapped; only m_odd has spleen masks.
  const auto liver_only = [&](const PlantedCase& g) { return planted(g.name, kSize, {kBoxes[0]}); };
  expect_tree(d, out, {liver_only(good[0]), as_spleen, liver_only(good[1])}, 0);
}

TEST_F(BadInputCorpusTest, LabelValuesAbove65535AreNeverConfusedWithSmallerOnes) {
  // 65537 and 135536 are 1 and 70000 modulo 65536: a reader that narrowed labels to 16 bits
  // would paint them as liver and spleen.
  write_text_file(config,
                  std::string(kConfig).replace(std::string(kConfig).find("\"2\""), 3, "\"70000\""));
  const auto c = planted("m_big", kSize,
                         {{{1, 1, 1}, {5, 5, 7}, 1},
                          {{6, 4, 2}, {11, 9, 6}, 70000},
                          {{0, 0, 0}, {1, 10, 8}, 65537},
                          {{11, 0, 0}, {12, 10, 8}, 135536}});
  c.write_image(in / "m_big_img.nii.gz");
  write_volume(in / "m_big_seg.nii.gz", kSize, [&] {
    std::vector<std::int32_t> v;
    for (double x : c.label<float>()) v.push_back(static_cast<std::int32_t>(x));
    return v;
  }());
  for (const auto& g : good)
    write_volume(in / (g.name + "_seg.nii.gz"), kSize, [&] {
      std::vector<std::int32_t> v;
      for (auto x : g.label<std::uint8_t>()) v.push_back(x == 2 ? 70000 : x);
      return v;
    }());
  const auto d = convert();
  const auto as_planted =
      planted("m_big", kSize, {{{1, 1, 1}, {5, 5, 7}, 1}, {{6, 4, 2}, {11, 9, 6}, 2}});
  expect_converted_with_warning(d, {good[0], as_planted, good[1]}, "m_big", "m_big_seg.nii.gz",
                                {"65537 (80 voxels), 135536 (80 voxels) are not in the config"});
}

TEST_F(BadInputCorpusTest, NanAndInfVoxelsAreBlackAndTheRestIsScaledOnFiniteValues) {
  // SPEC section 4: m and M over the finite values; a non-finite voxel is 0.
  const auto c = planted("m_nan");
  auto image = c.image<float>();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  for (std::size_t v = 0; v < image.size(); v += 7) image[v] = nan;
  for (std::size_t v = 3; v < image.size(); v += 11) image[v] = (v % 2) ? inf : -inf;
  write_volume(in / "m_nan_img.nii.gz", kSize, image);
  c.write_label(in / "m_nan_seg.nii.gz");
  const auto d = convert();
  expect_tree(d, out, {good[0], c, good[1]}, 0);
  EXPECT_EQ(d.run.err, "");

  OracleCase oc =
      oracle_case("ct_00", "Corpus", "m_nan", kSize, image, c.label<std::uint8_t>(),
                  {{"liver", class_id("liver"), {1}}, {"spleen", class_id("spleen"), {2}}});
  oc.axes = {'x'};
  OracleOutput want;
  oracle_add(oc, want);
  ASSERT_FALSE(want.images.empty());
  for (const auto& [rel, pixels] : want.images) {
    const auto png = read_png(out / rel);
    ASSERT_EQ(png.channels, 3) << rel;
    for (std::size_t p = 0; p < pixels.size(); ++p)
      ASSERT_EQ(png.pixels[3 * p], pixels[p]) << rel << " pixel " << p;
  }
}

TEST_F(BadInputCorpusTest, ConstantImageIsConvertedBlackWithAWarning) {
  const auto c = planted("m_flat");
  write_volume(in / "m_flat_img.nii.gz", kSize, std::vector<std::int16_t>(960, -1024));
  c.write_label(in / "m_flat_seg.nii.gz");
  const auto d = convert();
  expect_converted_with_warning(d, {good[0], c, good[1]}, "m_flat", "m_flat_img.nii.gz",
                                {"every voxel has the same value (-1024)", "blank or damaged"});
  for (const auto& name : files_of_case(d.images, "m_flat")) {
    const auto png = read_png(out / "images" / name);
    EXPECT_EQ(std::count(png.pixels.begin(), png.pixels.end(), 0),
              static_cast<std::ptrdiff_t>(png.pixels.size()))
        << name;
  }
}

// --- Layout accidents --------------------------------------------------------------------------

TEST_F(BadInputCorpusTest, NiiBesideNiiGzIsOneCaseReadFromTheGzip) {
  // An unpacked copy beside its archive: one case, read from X.nii.gz, and a warning naming
  // X.nii. The .nii here holds other values, so reading it would change the images.
  const auto c = planted("m_twin");
  write_case(c);
  write_volume(in / "m_twin_img.nii", kSize, std::vector<std::int16_t>(960, 5));
  const auto d = convert();
  expect_converted_with_warning(d, {good[0], c, good[1]}, "m_twin",
                                "m_twin_img.nii:", {"NIfTI twins", "m_twin_img.nii.gz"});
  const auto png = read_png(out / "images" / files_of_case(d.images, "m_twin").front());
  EXPECT_NE(std::count(png.pixels.begin(), png.pixels.end(), 0),
            static_cast<std::ptrdiff_t>(png.pixels.size()));
}

TEST_F(BadInputCorpusTest, NonOrthonormalSformIsReadWithAWarning) {
  const auto c = planted("m_shear");
  write_sheared_nifti(in / "m_shear_img.nii", kSize, c.image<std::int16_t>());
  c.write_label(in / "m_shear_seg.nii.gz");
  // (The label's identity geometry differs from the shear: a second warning says so, naming
  // the image after "image ", so the needle is the image's own line.)
  expect_converted_with_warning(convert(), {good[0], c, good[1]}, "m_shear",
                                "m_shear_img.nii:", {"not orthonormal"});
}

TEST_F(BadInputCorpusTest, NamesThatSanitizeAlikeFailTheSecondCase) {
  // "m bad" and "m_bad" are both written "m_bad" (SPEC section 2): the first in byte order is
  // converted, the second fails naming both files.
  write_case(planted("m bad"));
  write_case(planted("m_bad"));
  auto d = convert();
  const auto first = planted("m_bad");
  expect_tree(d, out, {good[0], first, good[1]}, 1);
  const auto lines = lines_with(d.run.err, "m_bad_img.nii.gz");
  ASSERT_EQ(lines.size(), 1u) << d.run.err;
  EXPECT_THAT(lines[0], HasSubstr("collides with"));
  EXPECT_THAT(lines[0], HasSubstr("m bad_img.nii.gz"));
  EXPECT_THAT(lines[0], HasSubstr("case_name"));
  ASSERT_EQ(d.report.at("failed").size(), 1u);
  EXPECT_EQ(d.report["failed"][0].at("source"), "m_bad_img.nii.gz");
}

TEST_F(BadInputCorpusTest, AsciiNrrdFilesReadInParallelGiveTheSameBytesEveryRun) {
  // NrrdIO's ASCII decoder keeps global state: two files decoded at once failed with "PANIC
  // memory corruption detected" or crashed, about one run in fifteen. A stress test: it catches
  // the fault with good probability, not with certainty.
  write_text_file(config, R"({"dataset": "Corpus", "cases": "*.nrrd", "case_name": "{stem}",
    "modality": "ct_00", "label": "{stem}_seg.nii.gz", "labels": {"1": "liver", "2": "spleen"}})");
  std::vector<PlantedCase> cases;
  for (int n = 0; n < 6; ++n) {
    auto c = planted("asc" + std::to_string(n));
    std::string text = "NRRD0004\ntype: short\ndimension: 3\nsizes: 12 10 8\nencoding: ascii\n\n";
    for (const auto v : c.image<std::int16_t>()) text += std::to_string(v + 7 * n) + "\n";
    write_text_file(in / (c.name + ".nrrd"), text);
    c.write_label(in / (c.name + "_seg.nii.gz"));
    cases.push_back(c);
  }
  std::map<std::string, std::vector<std::uint8_t>> first;
  for (int run = 0; run < 8; ++run) {
    fs::remove_all(out);
    const auto d = convert({"--threads", "2"});
    ASSERT_EQ(d.run.exit_code, 0) << "run " << run << ": " << d.run.err;
    ASSERT_EQ(d.run.err, "") << "run " << run;
    std::map<std::string, std::vector<std::uint8_t>> images;
    for (const auto& name : d.images) images[name] = read_bytes(out / "images" / name);
    if (run == 0) {
      expect_tree(d, out, cases, 0);
      first = images;
    } else {
      ASSERT_TRUE(images == first) << "run " << run << " wrote other images";
    }
  }
}

TEST_F(BadInputCorpusTest, CaseNameWithADashAtEitherEndFails) {
  // "-dash" gave ct_00--Corpus---dash--x_0001.png, which splits into other fields.
  for (const std::string name : {"-m_bad", "m_bad-"}) {
    write_case(planted(name));
    fs::remove_all(out);
    const auto d = convert();
    expect_tree(d, out, good, 1);
    const auto lines = lines_with(d.run.err, name + "_img.nii.gz");
    ASSERT_EQ(lines.size(), 1u) << d.run.err;
    EXPECT_THAT(lines[0], HasSubstr("makes its file names ambiguous"));
    EXPECT_THAT(lines[0], HasSubstr("case_name template"));
    fs::remove(in / (name + "_img.nii.gz"));
    fs::remove(in / (name + "_seg.nii.gz"));
  }
}

// --- DICOM folders -----------------------------------------------------------------------------

class BadDicomCorpusTest : public BadInputCorpusTest {
 protected:
  static constexpr Size3 kDicomSize{6, 5, 4};
  const std::vector<LabelBox> kDicomBoxes{{{1, 1, 0}, {5, 4, 4}, 1}};

  void SetUp() override {
    write_text_file(config, R"({"dataset": "Corpus", "cases": "*/CT/", "case_name": "{parent}",
      "modality": "ct_00", "label": "{dir}/seg.nrrd", "labels": {"1": "liver", "2": "spleen"}})");
    good = {planted("a_good", kDicomSize, kDicomBoxes), planted("z_good", kDicomSize, kDicomBoxes)};
    for (const auto& c : good)
      write_dicom_case(c.name, "1.2.826.0.1.3680043.9.7777.40." + std::to_string(c.name[0]));
  }

  // Slices at z = 0, 2, 4, 6 (or `positions`), and the label map beside the series folder.
  DicomSeriesSpec series(const std::string& uid, std::vector<double> positions = {0, 2, 4, 6}) {
    DicomSeriesSpec spec;
    spec.columns = kDicomSize[0];
    spec.rows = kDicomSize[1];
    spec.series_uid = uid;
    for (std::size_t k = 0; k < positions.size(); ++k) {
      DicomSlice s;
      s.file = "IM" + std::to_string(k + 1) + ".dcm";
      s.position[2] = positions[k];
      s.instance = static_cast<int>(k + 1);
      for (std::size_t p = 0; p < 30; ++p) s.values.push_back(100.0 * double(k) + double(p));
      spec.slices.push_back(std::move(s));
    }
    return spec;
  }

  void write_dicom_case(const std::string& name, const std::string& uid,
                        std::vector<double> positions = {0, 2, 4, 6}) {
    write_dicom_series(in / name / "CT", series(uid, std::move(positions)));
    planted(name, kDicomSize, kDicomBoxes).write_label(in / name / "seg.nrrd");
  }
};

TEST_F(BadDicomCorpusTest, FolderWithTwoSeriesFailsListingThem) {
  write_dicom_case("m_two", "1.2.826.0.1.3680043.9.7777.41.1");
  auto second = series("1.2.826.0.1.3680043.9.7777.41.2");
  for (auto& s : second.slices) s.file = "B" + s.file;
  write_dicom_series(in / "m_two" / "CT", second);
  expect_fails_alone(
      convert(), "m_two", "m_two/CT",
      {"1.2.826.0.1.3680043.9.7777.41.1", "1.2.826.0.1.3680043.9.7777.41.2", "series"});
}

TEST_F(BadDicomCorpusTest, MissingSliceFailsTheCase) {
  write_dicom_case("m_gap", "1.2.826.0.1.3680043.9.7777.42.1", {0, 2, 6, 8});
  expect_fails_alone(convert(), "m_gap", "m_gap/CT", {"gap", "missing"});
}

TEST_F(BadDicomCorpusTest, DuplicatePositionsFailTheCase) {
  write_dicom_case("m_dup", "1.2.826.0.1.3680043.9.7777.43.1", {0, 2, 2, 4});
  expect_fails_alone(convert(), "m_dup", "m_dup/CT", {"same position"});
}

TEST_F(BadDicomCorpusTest, TruncatedSliceFailsTheCaseWithoutKillingTheRun) {
  // Cut inside an element header, Debian's GDCM aborts the whole process (an assertion).
  write_dicom_case("m_cut", "1.2.826.0.1.3680043.9.7777.44.1");
  const fs::path slice = in / "m_cut" / "CT" / "IM3.dcm";
  const auto bytes = read_bytes(slice);
  const std::vector<std::uint8_t> tag{0xE0, 0x7F, 0x10, 0x00};  // pixel data
  const auto at = static_cast<std::size_t>(
      std::search(bytes.begin(), bytes.end(), tag.begin(), tag.end()) - bytes.begin());
  ASSERT_LT(at, bytes.size());
  fs::resize_file(slice, at + 6);
  expect_fails_alone(convert(), "m_cut", "IM3.dcm",
                     {"the DICOM file is damaged or cut short", "re-download it"});
}

// --- The output folder -------------------------------------------------------------------------

TEST_F(BadInputCorpusTest, OutputThatCannotBeWrittenExitsTwoAndWritesNothing) {
  // A file where the folder should be, and a folder inside it.
  write_text_file(dir / "taken", "a file\n");
  for (const fs::path& bad : {dir / "taken", dir / "taken" / "out"}) {
    const ToolRun run = run_samed2d(convert_args(bad));
    EXPECT_EQ(run.exit_code, 2) << run.err;
    const auto lines = lines_with(run.err, (dir / "taken").string());
    ASSERT_EQ(lines.size(), 1u) << run.err;
    EXPECT_THAT(lines[0], HasSubstr("--output"));
  }
  EXPECT_EQ(read_bytes(dir / "taken").size(), 7u);
  EXPECT_FALSE(fs::exists(dir / "out"));

  // An existing folder this user may not write (as root, the tool runs as nobody).
  fs::create_directories(dir / "readonly");
  fs::permissions(dir / "readonly", fs::perms::owner_read | fs::perms::owner_exec |
                                        fs::perms::group_read | fs::perms::group_exec |
                                        fs::perms::others_read | fs::perms::others_exec);
  std::vector<std::string> argv = unprivileged();
  argv.push_back(samed2d_binary());
  for (const auto& a : convert_args(dir / "readonly")) argv.push_back(a);
  const ToolRun run = run_command(argv);
  EXPECT_EQ(run.exit_code, 2) << run.err;
  const auto lines = lines_with(run.err, (dir / "readonly").string());
  ASSERT_EQ(lines.size(), 1u) << run.err;
  EXPECT_THAT(lines[0], HasSubstr("cannot write in it (Permission denied)"));
  EXPECT_THAT(lines[0], HasSubstr("choose a folder you can write"));
  EXPECT_TRUE(fs::is_empty(dir / "readonly"));

  // An output of an earlier run whose root became read-only: refused before any work, since
  // the JSON files (in the root) could not be rewritten at the end.
  fs::create_directories(dir / "shared");
  fs::permissions(dir / "shared", fs::perms::all);
  argv.resize(argv.size() - convert_args(dir / "readonly").size());
  auto run_into = [&](const fs::path& output) {
    auto a = argv;
    for (const auto& x : convert_args(output)) a.push_back(x);
    return run_command(a);
  };
  ASSERT_EQ(run_into(dir / "shared" / "out").exit_code, 0);
  const auto before = read_bytes(dir / "shared" / "out" / "SAMed2D_v1.json");
  write_case(planted("n_new"));
  fs::permissions(dir / "shared" / "out",
                  fs::perms::owner_write | fs::perms::group_write | fs::perms::others_write,
                  fs::perm_options::remove);
  const ToolRun again = run_into(dir / "shared" / "out");
  EXPECT_EQ(again.exit_code, 2) << again.err;
  EXPECT_THAT(again.err, HasSubstr("cannot write in " + (dir / "shared" / "out").string() +
                                   " (Permission denied)"));
  EXPECT_TRUE(read_bytes(dir / "shared" / "out" / "SAMed2D_v1.json") == before);
  EXPECT_TRUE(files_of_case(read_output(dir / "shared" / "out").images, "n_new").empty());
}

// --- A full disk ---------------------------------------------------------------------------------

// Every file under `root` (relative path -> bytes).
std::map<std::string, std::vector<std::uint8_t>> tree_of(const fs::path& root) {
  std::map<std::string, std::vector<std::uint8_t>> files;
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file()) files[fs::relative(e.path(), root).string()] = read_bytes(e.path());
  return files;
}

std::string quoted(const std::string& s) {
  std::string q = "'";
  for (char ch : s) q += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return q + "'";
}

TEST_F(BadInputCorpusTest, FullDiskStopsTheRunKeepsFinishedCasesAndTheRerunCompletesIt) {
  // OUT sits on a 256 KiB tmpfs, mounted in a private mount namespace (unshare), so the test
  // needs no root and leaves no mount behind. Each step's OUT is copied out with cp -a.
  // 1. a_good fits (about 70 KiB in 4 KiB pages); m_big's 64 slices do not, so the disk fills
  //    while it is written: m_big fails with one line, the run stops (z_good is not started, and
  //    would fail the same way), the finished case is kept and the JSON files name it alone.
  // 2. With room again (remount), the same command completes the tree.
  // 3. A new case and a disk filled to the last byte: the case fails, and the JSON files cannot
  //    be rewritten, so they are removed rather than left describing another tree.
  // 4. With room again, the tree is byte-identical to one uninterrupted run's.
  write_case(planted("m_big", {64, 64, 64}, {{{2, 2, 0}, {60, 60, 64}, 1}}));
  const auto n_new = planted("n_new");
  n_new.write_image(dir / "later" / "n_new_img.nii.gz");
  n_new.write_label(dir / "later" / "n_new_seg.nii.gz");
  const fs::path disk = dir / "disk";
  const fs::path snaps = dir / "snaps";
  fs::create_directories(disk);
  fs::create_directories(snaps);
  const std::vector<std::string> extra{"--threads", "1", "--cases-in-flight", "1"};
  std::string command;
  for (const auto& a : convert_args(disk / "out", extra)) command += " " + quoted(a);
  command = quoted(samed2d_binary()) + command;
  const std::string d = quoted(disk.string());
  const std::string s = quoted(snaps.string());
  std::string script = "mount -t tmpfs -o size=256k tmpfs " + d + " || exit 90\n";
  auto step = [&](const std::string& n) {
    script += command + " >" + s + "/" + n + ".out 2>" + s + "/" + n + ".err; echo $? >" + s + "/" +
              n + ".rc; cp -a " + d + "/out " + s + "/" + n + "\n";
  };
  step("1");
  script += "mount -o remount,size=64m tmpfs " + d + " || exit 91\n";
  step("2");
  script += "cp " + quoted((dir / "later").string()) + "/* " + quoted(in.string()) + "/\n";
  script += "dd if=/dev/zero of=" + d + "/filler bs=4096 2>/dev/null\n";
  step("3");
  script += "rm " + d + "/filler\n";
  step("4");
  std::vector<std::string> argv{"unshare", "--mount"};
  if (::geteuid() != 0) argv = {"unshare", "--user", "--map-root-user", "--mount"};
  argv.insert(argv.end(), {"sh", "-c", script});
  const ToolRun ns = run_command(argv);
  if (ns.exit_code == 90 || ns.exit_code == 127 || ns.exit_code == 1)
    GTEST_SKIP() << "cannot mount a tmpfs in a private mount namespace here: " << ns.err;
  ASSERT_EQ(ns.exit_code, 0) << ns.err;
  auto step_result = [&](const std::string& n) {
    ConvertedDataset r = read_output(snaps / n);
    const auto rc = read_bytes(snaps / (n + ".rc"));
    r.run.exit_code = std::stoi(std::string(rc.begin(), rc.end()));
    const auto err = read_bytes(snaps / (n + ".err"));
    r.run.err.assign(err.begin(), err.end());
    return r;
  };

  // 1.
  const auto first = step_result("1");
  expect_tree(first, snaps / "1", {good[0]}, 1);
  auto lines = lines_with(first.run.err, "m_big");
  ASSERT_EQ(lines.size(), 1u) << first.run.err;
  EXPECT_THAT(lines[0], HasSubstr("error: case 'm_big'"));
  EXPECT_THAT(lines[0], HasSubstr("the output disk is full (No space left on device)"));
  EXPECT_THAT(lines[0], HasSubstr("free space there"));
  EXPECT_THAT(first.run.err, HasSubstr("stopped: the output disk is full, so 1 case(s) were not "
                                       "started or not finished"));
  ASSERT_EQ(first.report.at("failed").size(), 1u);
  EXPECT_EQ(first.report["failed"][0].at("case"), "m_big");
  EXPECT_TRUE(first.report.contains("stopped"));

  // 2.
  const auto second = step_result("2");
  EXPECT_EQ(second.run.exit_code, 0) << second.run.err;
  EXPECT_EQ(second.report.at("cases"), 3);
  EXPECT_EQ(second.report.at("failed").size(), 0u);

  // 3.
  const auto third = step_result("3");
  EXPECT_EQ(third.run.exit_code, 1) << third.run.err;
  EXPECT_TRUE(third.index.is_null());
  EXPECT_TRUE(third.mapping.is_null());
  EXPECT_TRUE(third.report.is_null());
  EXPECT_EQ(third.images, second.images);
  EXPECT_EQ(third.masks, second.masks);
  lines = lines_with(third.run.err, "SAMed2D_v1.json");
  ASSERT_EQ(lines.size(), 1u) << third.run.err;
  EXPECT_THAT(lines[0], HasSubstr("the output disk is full"));
  EXPECT_THAT(lines[0], HasSubstr("removed rather than left out of date"));
  EXPECT_EQ(lines_with(third.run.err, "error: case 'n_new'").size(), 1u) << third.run.err;
  for (const auto& e : fs::recursive_directory_iterator(snaps / "3"))
    EXPECT_EQ(e.path().string().find(".part"), std::string::npos) << e.path();

  // 4.
  const auto fourth = step_result("4");
  EXPECT_EQ(fourth.run.exit_code, 0) << fourth.run.err;
  const ToolRun reference = run_samed2d(convert_args(dir / "reference", extra));
  ASSERT_EQ(reference.exit_code, 0) << reference.err;
  const auto want = tree_of(dir / "reference");
  const auto got = tree_of(snaps / "4");
  EXPECT_EQ(want.size(), got.size());
  for (const auto& [rel, bytes] : want) {
    const auto it = got.find(rel);
    ASSERT_NE(it, got.end()) << rel << " missing after the reruns";
    EXPECT_TRUE(it->second == bytes) << rel << " differs from the uninterrupted run's";
  }
}

}  // namespace
}  // namespace samed2d::test
