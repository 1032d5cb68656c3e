// NIfTI as read_volume reads it: voxels by samed2d's own reader (see NiftiReader.hpp for why),
// placement from ITK so that an image and its label map read either way are compared on the same
// terms. A header/image pair (magic ni1, ni2) is left to ITK, after the same placement check.
#include <fmt/format.h>
#include <itkNiftiImageIO.h>

#include <cmath>
#include <mutex>
#include <string>
#include <vector>

#include "pipeline/core/Errors.hpp"
#include "pipeline/core/ItkImageInfo.hpp"
#include "pipeline/core/Text.hpp"
#include "pipeline/io/FormatReader.hpp"
#include "pipeline/io/NiftiReader.hpp"

namespace samed2d {

namespace {

bool is_gzip(const std::filesystem::path& file) {
  return file_starts_with(file, "\x1f\x8b");
}

// The header fields that place the voxels (pixdim[1..3], the quaternion and offsets when
// qform_code > 0, the sform rows when sform_code > 0) must be finite: ITK 5.2 aborts the process
// (vnl_svd's assert_finite) on a NaN there, and no placement could come from it anyway. They must
// also be below 1e9 (a thousand kilometres in millimetres): an sform offset of 1.7e38 (found by
// the CI fuzz step) overflows ITK's float arithmetic into NaN, on which vnl_svd loops for good.
void check_nifti_placement(const std::filesystem::path& file, const NiftiHeader& header) {
  constexpr double kMaxPlacement = 1e9;
  auto check = [&](const auto& values, std::size_t from, std::size_t to, const char* what) {
    for (std::size_t i = from; i < to; ++i) {
      const double v = values[i];
      if (!std::isfinite(v))
        throw InputError(file.string() + ": NIfTI header field " + what + "[" + std::to_string(i) +
                         "] is " + std::to_string(v) +
                         ", not a finite number; the header is corrupt, re-export the file");
      if (std::abs(v) > kMaxPlacement)
        throw InputError(fmt::format(
            "{}: NIfTI header field {}[{}] is {:g}, beyond any placement (at most 1e9 mm); the "
            "header is corrupt, re-export the file",
            file.string(), what, i, v));
    }
  };
  check(header.pixdim, 1, 4, "pixdim");
  if (header.qform_code > 0)
    check(header.quatern, 0, header.quatern.size(), "quatern_b..qoffset_z");
  if (header.sform_code > 0) check(header.srow, 0, header.srow.size(), "srow_x..srow_z");
}

Volume read_nifti(const std::filesystem::path& file, const NiftiHeader& header,
                  std::vector<std::string>& warnings) {
  check_nifti_placement(file, header);
  NiftiReader reader(file);
  Volume v = reader.read();
  if (header.version != 1) return v;  // ITK 5.2 has no NIfTI-2 reader; the header's placement
  if (is_gzip(file) && !has_extension(file, ".gz")) {
    // ITK goes by the name and would parse the compressed bytes as a header (niftilib then
    // prints "** ERROR" lines of its own); samed2d's reader looks at the bytes.
    warnings.push_back(file.string() +
                       ": gzip-compressed although its name does not end in .gz; read anyway "
                       "(rename it to .nii.gz so that other tools read it too)");
    return v;
  }
  try {
    auto io = itk::NiftiImageIO::New();
    io->SetFileName(file.string());
    {
      // One header at a time through ITK: LeakSanitizer once caught a std::string leaked
      // inside NiftiImageIO::ReadImageInformation when two cases loaded at once (the symptom of
      // a race in it), and a header costs microseconds; the voxels are still read in parallel by
      // NiftiReader.
      static std::mutex itk_nifti_header;
      const std::lock_guard<std::mutex> lock(itk_nifti_header);
      io->ReadImageInformation();
    }
    v.geometry = geometry_of(*io);
    // ITK puts 1 in place of a pixdim of 0; the header alone tells that it was missing.
    v.geometry.spacing_known = reader.geometry(true).spacing_known;
  } catch (const itk::ExceptionObject& e) {
    const std::string text = itk_text(e);
    if (text.find("orthonormal") != std::string::npos) {
      v.geometry = reader.geometry(true);
      warnings.push_back(file.string() +
                         ": sform is not orthonormal, ITK refuses it; read with samed2d's own "
                         "NIfTI reader (voxel order kept, direction ignored)");
    } else {
      warnings.push_back(file.string() + ": ITK cannot read the NIfTI header (" + text +
                         "); placement taken from samed2d's own NIfTI reader");
    }
  }
  return v;
}

// Every file with a NIfTI header, and every file named as NIfTI: one without a header is refused
// here rather than tried by the readers that follow.
bool can_read_nifti(const std::filesystem::path& file) {
  return NiftiReader::probe(file).has_value() || has_extension(file, ".nii") ||
         has_extension(file, ".nii.gz");
}

Volume read_nifti_source(const std::filesystem::path& file, std::vector<std::string>& warnings,
                         ReadAs mode) {
  const auto nifti = NiftiReader::probe(file);
  if (nifti && nifti->single_file) return read_nifti(file, *nifti, warnings);
  // A header/image pair (or a .nii whose magic says so) is ITK's to read, with the same
  // placement hazards (the CI fuzz step: NaN placement in an "ni1" header aborted vnl_svd).
  if (nifti) {
    check_nifti_placement(file, *nifti);
    return read_with_itk_factories(file, warnings, mode);
  }
  throw InputError(file.string() +
                   ": not a valid NIfTI file (header missing or unreadable: truncated, "
                   "corrupt or another format); re-download or re-export it");
}

}  // namespace

const FormatReader kNiftiFormat{can_read_nifti, read_nifti_source, false};

}  // namespace samed2d
