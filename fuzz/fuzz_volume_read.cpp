// libFuzzer target: the bytes as a source file, read the way the converter reads an image and a
// label map (read_volume and read_label_volume, after prepare_readers_for_threads, under a
// --max-voxels limit). The first byte picks the file name's extension (VolumeFormats.hpp), the
// rest is the file. Each read must end in a Volume or an InputError; any other exception, a
// crash, a sanitizer report, an allocation past libFuzzer's -rss_limit_mb or a hang is a bug.

#include <gdcmTrace.h>
#include <itkObject.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "fuzz/ScratchDir.hpp"
#include "fuzz/VolumeFormats.hpp"
#include "pipeline/core/Errors.hpp"
#include "pipeline/core/Volume.hpp"
#include "pipeline/io/VolumeReader.hpp"

namespace {

// 4 Mi voxels: every seed fits, and a header claiming more is refused before allocating, as
// `samed2d convert --max-voxels` refuses it; the fuzzer then never dies of a legitimately large
// volume.
constexpr std::uint64_t kMaxVoxels = std::uint64_t{1} << 22;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  samed2d::set_max_voxels(kMaxVoxels);
  samed2d::prepare_readers_for_threads();
  // ITK's and GDCM's warnings (to stderr) would drown libFuzzer's output and slow every input
  // down; they never change what is read.
  itk::Object::GlobalWarningDisplayOff();
  gdcm::Trace::WarningOff();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::filesystem::path file =
      samed2d::fuzz::scratch_dir() /
      ("input" + std::string(samed2d::fuzz::volume_extension(data[0])));
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data + 1), static_cast<std::streamsize>(size - 1));
    if (!out) std::abort();  // the scratch folder is full or gone: not the input's fault
  }
  std::vector<std::string> warnings;
  try {
    const samed2d::Volume v = samed2d::read_volume(file, warnings, samed2d::ReadOptions{});
    (void)v;
  } catch (const samed2d::InputError&) {
  }
  try {
    const samed2d::Volume v = samed2d::read_label_volume(file, warnings);
    (void)v;
  } catch (const samed2d::InputError&) {
  }
  std::error_code ec;
  std::filesystem::remove(file, ec);
  return 0;
}
