#pragma once
// samed2d's own reader of single-file NIfTI-1 and NIfTI-2 (.nii, .nii.gz). read_volume uses it
// for the voxels of every NIfTI file because Debian's ITK 5.2 reads no NIfTI-2 at all, refuses a
// non-orthonormal sform, returns garbage without an error for a truncated file, and takes the data
// of X.nii.gz from X.nii when both exist. This reader opens exactly the file it is given, reads
// the voxels straight into the Volume's buffer and fails loudly on short data.

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>

#include "pipeline/core/Volume.hpp"

namespace samed2d {

struct NiftiHeader {
  int version = 1;          // 1 (348-byte header) or 2 (540-byte header)
  bool swapped = false;     // the file's byte order is not the host's
  bool single_file = true;  // magic n+1 / n+2; false for a .hdr/.img pair (ni1 / ni2)
  std::array<std::int64_t, 8> dim{};
  std::int32_t datatype = 0;
  std::array<double, 8> pixdim{};
  std::int64_t vox_offset = 0;
  double scl_slope = 0;
  double scl_inter = 0;
  std::int32_t qform_code = 0;
  std::int32_t sform_code = 0;
  std::array<double, 6> quatern{};  // quatern_b, c, d, qoffset_x, y, z
  std::array<double, 12> srow{};    // srow_x, srow_y, srow_z, row-major 3x4
};

class NiftiReader {
 public:
  // Reads the header of `file` (plain or gzip); nullopt when the file does not start with a
  // NIfTI-1 or NIfTI-2 header (Analyze 7.5 included). Throws InputError only when the file cannot
  // be opened.
  static std::optional<NiftiHeader> probe(const std::filesystem::path& file);

  // Throws InputError when `file` is not a single-file NIfTI-1/2 or its header is unusable
  // (zero-sized dimension, unsupported datatype or dimensionality).
  explicit NiftiReader(std::filesystem::path file);

  const NiftiHeader& header() const { return header_; }

  // Placement from the header in ITK's LPS convention: qform when qform_code > 0, else sform when
  // sform_code > 0 (columns normalised), else identity. With `ignore_direction` the direction is
  // the identity (for a sform that no rotation describes).
  Geometry geometry(bool ignore_direction) const;

  // The voxels in the file's order, scaled to physical values when the header asks for it
  // (nifti_scaling). Throws InputError when the data is short or corrupt.
  Volume read() const;

 private:
  std::filesystem::path file_;
  NiftiHeader header_;
};

// The scaling the NIfTI standard defines: y = scl_slope * x + scl_inter when scl_slope is finite
// and nonzero and not the identity; never for RGB datatypes. nullopt when no scaling applies.
struct NiftiScaling {
  double slope = 1;
  double inter = 0;
};
std::optional<NiftiScaling> nifti_scaling(const NiftiHeader& header);

// slope * v + inter computed in double for every element of `raw`. The result is Float32 when
// every value is exactly a float (e.g. int16 with slope 1, inter -1024), else Float64, so the
// physical values are never rounded beyond double precision. Size, layout and geometry are kept.
Volume apply_scaling(const Volume& raw, NiftiScaling scaling);

}  // namespace samed2d
