// libFuzzer target: the bytes are a dataset config's text, read by the code that
// `samed2d convert --config FILE` runs (load_dataset_config_text with the bundled class
// registry), and a config that loads then discovers the cases of a small fixed tree as the CLI
// does. Each input must end in a converter or a ConfigError (discovery: also the
// filesystem_error the CLI reports); any other exception, a crash, a sanitizer report or a hang
// is a bug.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "converters/ConverterRegistry.hpp"
#include "fuzz/ScratchDir.hpp"
#include "pipeline/core/ClassRegistry.hpp"
#include "pipeline/core/Errors.hpp"

namespace {

namespace fs = std::filesystem;

// Empty files in the shapes the bundled configs look for (MSD, ACDC, BraTS, 2D image + mask,
// DICOM folders, a CSV): enough for patterns and path templates to match something.
fs::path make_input_tree() {
  const fs::path root = samed2d::fuzz::scratch_dir() / "input";
  for (const char* rel :
       {"imagesTr/case_001.nii.gz", "labelsTr/case_001.nii.gz", "imagesTr/._case_002.nii.gz",
        "training/patient001/patient001_frame01.nii.gz",
        "training/patient001/patient001_frame01_gt.nii.gz",
        "BraTS2021_00000/BraTS2021_00000_t1.nii.gz", "BraTS2021_00000/BraTS2021_00000_seg.nii.gz",
        "images/a.png", "masks/a_mask.png", "Train/1/DICOM_anon/i0000,0000b.dcm",
        "Train/1/Ground/liver_GT_000.png", "train-rle.csv",
        "dicom-images-train/1.2.3/1.2.3.4/1.2.3.4.5.dcm", "case 1/scan.mha", "case 1/label.nrrd"}) {
    fs::create_directories((root / rel).parent_path());
    std::ofstream(root / rel).put('\n');
  }
  return root;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const samed2d::ClassRegistry classes = samed2d::ClassRegistry::load(SAMED2D_CLASSES_JSON);
  static const fs::path input = make_input_tree();
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const auto converter = samed2d::load_dataset_config_text(text, "fuzz.json", classes);
    (void)converter->dataset();
    (void)converter->layout();
    (void)converter->modalities();
    (void)converter->discover(input);
  } catch (const samed2d::ConfigError&) {
  } catch (const fs::filesystem_error&) {
  }
  return 0;
}
