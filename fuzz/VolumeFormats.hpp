#pragma once
// The file name extensions fuzz_volume_read gives its input, chosen by the input's first byte
// (modulo their count); the rest of the input is the file. The seed generator writes each seed
// behind the byte of its format. The empty extension leaves the choice of reader to the bytes.

#include <array>
#include <cstdint>
#include <string_view>

namespace samed2d::fuzz {

inline constexpr std::array<std::string_view, 12> kVolumeExtensions{
    ".nii", ".nii.gz", ".mha", ".mhd", ".nrrd", ".nhdr",
    ".dcm", ".png",    ".jpg", ".bmp", ".tif",  ""};

inline std::string_view volume_extension(std::uint8_t first_byte) {
  return kVolumeExtensions[first_byte % kVolumeExtensions.size()];
}

// The first byte that selects `extension`; 0 for one not in the list.
inline std::uint8_t volume_format_byte(std::string_view extension) {
  for (std::size_t i = 0; i < kVolumeExtensions.size(); ++i)
    if (kVolumeExtensions[i] == extension) return static_cast<std::uint8_t>(i);
  return 0;
}

}  // namespace samed2d::fuzz
