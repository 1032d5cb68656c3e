// The demo conversion on real data: the Colin27 T1 brain with the AAL atlas (Debian's
// mricron-data), through the bundled dataset config, checked slice by slice against the oracle.

#include <gtest/gtest.h>
#include <itkImage.h>
#include <itkImageFileReader.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "e2e/Oracle.hpp"
#include "support/RunTool.hpp"
#include "support/TestData.hpp"

namespace samed2d::test {
namespace {

namespace fs = std::filesystem;

template <class T>
std::vector<T> read_nifti(const fs::path& file, std::array<std::size_t, 3>& n) {
  using Image = itk::Image<T, 3>;
  auto reader = itk::ImageFileReader<Image>::New();
  reader->SetFileName(file.string());
  reader->Update();
  const auto size = reader->GetOutput()->GetLargestPossibleRegion().GetSize();
  for (unsigned d = 0; d < 3; ++d) n[d] = size[d];
  const T* p = reader->GetOutput()->GetBufferPointer();
  return std::vector<T>(p, p + n[0] * n[1] * n[2]);
}

TEST(Colin27Test, DemoConversionMatchesTheSpecOnRealData) {
  const fs::path data = sample_data_dir() / "colin27";
  ASSERT_TRUE(fs::exists(data / "ch2.nii.gz"))
      << "sample data missing: run scripts/fetch-sample-data.sh";
  TempDir dir;
  const fs::path out = dir / "out";
  const auto run = run_samed2d({"convert", "--config", "Colin27_AAL", "--input", data.string(),
                                "--output", out.string(), "--quiet"});
  ASSERT_EQ(run.exit_code, 0) << run.err;

  // The JSON names exactly what is on disk.
  std::ifstream in(out / "SAMed2D_v1.json");
  const auto j = nlohmann::json::parse(in);
  std::set<std::string> listed_images, listed_masks, disk_images, disk_masks;
  for (const auto& [image, masks] : j.items()) {
    listed_images.insert(image);
    for (const auto& m : masks) EXPECT_TRUE(listed_masks.insert(m.get<std::string>()).second);
  }
  for (const auto& e : fs::directory_iterator(out / "images"))
    disk_images.insert("images/" + e.path().filename().string());
  for (const auto& e : fs::directory_iterator(out / "masks"))
    disk_masks.insert("masks/" + e.path().filename().string());
  EXPECT_EQ(listed_images, disk_images);
  EXPECT_EQ(listed_masks, disk_masks);
  EXPECT_GT(disk_images.size(), 400u);  // three axes of a whole brain

  // Spot slices on every axis against the oracle.
  std::array<std::size_t, 3> n{};
  const auto t1 = read_nifti<std::uint8_t>(data / "ch2.nii.gz", n);
  std::array<std::size_t, 3> nl{};
  const auto aal = read_nifti<std::uint8_t>(data / "aal.nii.gz", nl);
  ASSERT_EQ(n, nl);
  OracleCase c = oracle_case("mr_t1", "Colin27_AAL", "ch2", n, t1, aal);
  c.only = {{'x', 30}, {'x', 90}, {'y', 108}, {'z', 45}, {'z', 160}};
  // The class names and ids come from the bundled registry and config.
  std::ifstream reg(test::source_dir() / "configs/classes.json");
  const auto registry = nlohmann::json::parse(reg, nullptr, true, true);
  std::ifstream cfg(test::source_dir() / "configs/datasets/Colin27_AAL.json");
  const auto config = nlohmann::json::parse(cfg, nullptr, true, true);
  for (const auto& [value, name] : config["labels"].items())
    c.classes.push_back({name.get<std::string>(),
                         registry[name.get<std::string>()].get<std::string>(),
                         {std::stoll(value)}});
  OracleOutput want;
  oracle_add(c, want);
  ASSERT_GE(want.images.size(), 4u);
  for (const auto& [rel, pixels] : want.images) {
    ASSERT_TRUE(disk_images.count(rel)) << rel;
    const auto png = read_png(out / rel);
    ASSERT_EQ(png.channels, 3);
    const auto [H, W] = want.shapes.at(rel);
    ASSERT_EQ(png.height, H);
    ASSERT_EQ(png.width, W);
    for (std::size_t p = 0; p < H * W; ++p)
      ASSERT_EQ(png.pixels[p * 3], pixels[p]) << rel << " " << p;
    std::vector<std::string> got = j.at(rel).get<std::vector<std::string>>();
    EXPECT_EQ(got, want.json.at(rel));
  }
  for (const auto& [rel, pixels] : want.masks) EXPECT_EQ(read_png(out / rel).pixels, pixels) << rel;
}

}  // namespace
}  // namespace samed2d::test
