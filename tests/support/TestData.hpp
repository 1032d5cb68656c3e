#pragma once
// Builders for the tests: temporary folders, small volumes written with ITK, and a PNG reader
// (libpng) to check what the tool wrote.

#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace samed2d::test {

// A fresh folder under the system temp dir, removed with its content on destruction
// (kept when SAMED2D_KEEP_TEST_DIRS is set, for debugging, and then named after the test).
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& rel) const { return path_ / rel; }

 private:
  std::filesystem::path path_;
};

// Writes a volume with ITK (format from the extension: .nii, .nii.gz, .mha, .mhd, .nrrd, ...).
// `values` holds size[0] * size[1] * size[2] voxels, i fastest. dims 2 writes a 2D image
// (size[2] must be 1). Parent folders are created. Instantiated for uint8, int16, uint16, int32,
// float and double.
template <class T>
void write_volume(const std::filesystem::path& file, std::array<std::size_t, 3> size,
                  const std::vector<T>& values, unsigned dims = 3,
                  std::array<double, 3> spacing = {1, 1, 1},
                  std::array<double, 3> origin = {0, 0, 0});

// Where an image lies: spacing and origin with one entry per dimension (1 and 0 when left
// empty), and the direction matrix row by row (the identity when left empty).
struct ImageGeometry {
  std::vector<double> spacing;
  std::vector<double> origin;
  std::vector<double> direction;
};

// Writes an image of 2, 3 or 4 dimensions with ITK (format from the extension), for the inputs
// write_volume cannot describe: 4D files, set directions, compressed MetaImage. `size` has one
// entry per dimension and `values` their product, first index fastest; `compress` asks the writer
// to compress (MetaIO: a zlib .zraw beside the .mhd). Parent folders are created. Instantiated for
// uint8, int16, uint16, int32, float and double.
template <class T>
void write_itk_image(const std::filesystem::path& file, const std::vector<std::size_t>& size,
                     const std::vector<T>& values, const ImageGeometry& geometry = {},
                     bool compress = false);

// Writes an RGB (3) or RGBA (4) 8-bit 2D image with ITK; `values` interleaved, row-major.
void write_rgb_image(const std::filesystem::path& file, std::size_t width, std::size_t height,
                     unsigned channels, const std::vector<std::uint8_t>& values);

struct PngImage {
  std::size_t width = 0;
  std::size_t height = 0;
  int channels = 0;                  // 1 grey, 3 RGB (after reading; no palette or alpha expected)
  int bit_depth = 0;                 // as stored
  int color_type = 0;                // libpng PNG_COLOR_TYPE_*
  std::vector<std::uint8_t> pixels;  // row-major, interleaved
};
// Reads an 8-bit PNG as stored (no transformations); throws std::runtime_error on failure.
PngImage read_png(const std::filesystem::path& file);

// The folder of the real sample data fetched by scripts/fetch-sample-data.sh
// (Colin27 T1 + AAL from Debian's mricron-data, nibabel and pydicom test files).
std::filesystem::path sample_data_dir();

// The source checkout (configs/, README.md, ...).
std::filesystem::path source_dir();

// Reads a whole file as bytes.
std::vector<std::uint8_t> read_bytes(const std::filesystem::path& file);

// Writes `bytes` as the whole of `file`, creating its parent folders.
void write_bytes(const std::filesystem::path& file, const std::vector<std::uint8_t>& bytes);

// Every regular file below `root`, as relative path (with '/') -> bytes.
std::map<std::string, std::vector<std::uint8_t>> tree_bytes(const std::filesystem::path& root);

}  // namespace samed2d::test
