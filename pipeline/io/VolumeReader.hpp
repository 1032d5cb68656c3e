#pragma once
// Reads any supported source file into a Volume in its own voxel type: NIfTI-1/2 (.nii,
// .nii.gz), MetaImage (.mha, .mhd + detached/compressed data), NRRD (.nrrd, .nhdr), DICOM
// (a file, or a folder holding one series: see DicomSeries.hpp), and 2D PNG, JPEG, BMP, TIFF.
// Values are the physical values the format defines (NIfTI scl_slope and scl_inter, DICOM
// Rescale Slope and Intercept applied).

#include <filesystem>
#include <string>
#include <vector>

#include "pipeline/core/Volume.hpp"

namespace samed2d {

// Options of a read that only some sources need.
struct ReadOptions {
  // For a folder holding several DICOM series: the one to read (see read_dicom_series).
  std::string dicom_series;
};

// Throws InputError with one line naming the file, what is wrong and what to do.
// Appends to `warnings` one line per recoverable oddity (e.g. the fallback NIfTI reader was used
// because the file's sform is not orthonormal).
// `file` may be a folder: it is read as one DICOM series.
Volume read_volume(const std::filesystem::path& file, std::vector<std::string>& warnings,
                   const ReadOptions& options = {});

// ITK 5.2 creates its global singletons (object factories, the DataObject release flag, ...)
// on first use without a lock, so the first reads running at once in several threads can
// corrupt the heap (ITK issue #5493: "rare crash when I run ITK functionality for the first time
// from multiple threads"; seen here as "malloc(): unaligned tcache chunk detected" when two
// cases loaded together). Call this once, in one thread, before reading in parallel: it
// touches every singleton a read uses. Safe to call again.
void prepare_readers_for_threads();

// Reads a label map: as read_volume, except for 2D raster files (PNG, JPEG, BMP, TIFF), whose
// colours are not label values. An indexed-colour (palette) file gives its indices, as VOC-style
// masks expect; an RGB or RGBA file whose colour channels are equal at every pixel gives channel
// 0 (alpha is dropped, as for grey+alpha); one whose channels differ anywhere is an InputError.
Volume read_label_volume(const std::filesystem::path& file, std::vector<std::string>& warnings);

}  // namespace samed2d
