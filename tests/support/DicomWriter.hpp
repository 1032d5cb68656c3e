#pragma once
// DICOM files for the tests, written with ITK's GDCMImageIO (the same library that reads them,
// but through its writer: headers carry exactly the fields given here plus what GDCM adds).
//
// ITK's writer takes the pixels as physical values: with a rescale slope/intercept in the header
// it stores (value - intercept) / slope, so the values given here are what a reader must give
// back after applying the rescale.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace samed2d::test {

enum class DicomPixel { Int16, UInt16, UInt8 };

// One file of a series: its name inside the folder and its header fields.
struct DicomSlice {
  std::string file;                // file name inside the folder (caller's choice)
  std::vector<double> values;      // columns * rows physical values, row-major
  double position[3] = {0, 0, 0};  // Image Position (Patient) (0020,0032)
  int instance = 0;                // Instance Number (0020,0013)
  std::string slope = "1";         // Rescale Slope (0028,1053), as written into the header
  std::string intercept = "0";     // Rescale Intercept (0028,1052)
  std::string sop_uid;             // SOP Instance UID; empty: series_uid + "." + (index + 1)
};

struct DicomSeriesSpec {
  std::size_t columns = 0;               // Ni
  std::size_t rows = 0;                  // Nj
  DicomPixel pixel = DicomPixel::Int16;  // stored pixel type
  std::string series_uid;                // Series Instance UID (0020,000E)
  std::string description;               // Series Description (0008,103E); empty: none
  std::string study_uid = "1.2.826.0.1.3680043.9.7777.1";
  // "MR" with a rescale makes GDCM write Enhanced MR Image Storage, whose positions sit in
  // functional group sequences only (read_dicom_series then orders by Instance Number).
  std::string modality = "CT";                 // (0008,0060)
  double orientation[6] = {1, 0, 0, 0, 1, 0};  // Image Orientation (Patient) (0020,0037)
  double pixel_spacing[2] = {1, 1};            // (0028,0030): row spacing, column spacing
  std::vector<DicomSlice> slices;              // one file each, in any order
};

// A series of one slice, `file`, of columns x rows pixels all `value`, at position (0, 0, 0).
DicomSeriesSpec one_slice_series(const std::string& file, std::size_t columns, std::size_t rows,
                                 double value, const std::string& series_uid);

// A series of one file per name in `files`, each columns x rows pixels: slice f is files[f] with
// Instance Number f + 1, and holds value(f, i, j) at column i, row j. Positions and the other
// fields keep their defaults, for the caller to set.
DicomSeriesSpec numbered_series(
    std::size_t columns, std::size_t rows, const std::string& series_uid,
    const std::vector<std::string>& files,
    const std::function<double(std::size_t, std::size_t, std::size_t)>& value);

// Writes every slice of `spec` into `folder` (created) as one single-frame file each, through
// itk::ImageSeriesWriter + GDCMImageIO with the original UIDs kept. Throws std::runtime_error / itk
// exceptions on failure.
void write_dicom_series(const std::filesystem::path& folder, const DicomSeriesSpec& spec);

// One single-frame 2D DICOM file (e.g. an X-ray, MONOCHROME2): `values` holds columns * rows
// pixels, row-major, stored as uint8 or uint16 (pixel must be UInt8 or UInt16).
struct DicomImage2D {
  std::size_t columns = 0;
  std::size_t rows = 0;
  DicomPixel pixel = DicomPixel::UInt16;
  std::vector<double> values;
  std::string sop_instance_uid = "1.2.826.0.1.3680043.9.7777.100.1";
  std::string series_uid = "1.2.826.0.1.3680043.9.7777.100";
  std::string modality = "DX";
  double pixel_spacing[2] = {1, 1};
};
void write_dicom_image(const std::filesystem::path& file, const DicomImage2D& image);

// One multi-frame file holding a volume (columns x rows x frames, int16, values i fastest),
// written by GDCMImageIO from a 3D image; frame k lies at z = k * frame_spacing.
void write_dicom_multiframe(const std::filesystem::path& file, std::size_t columns,
                            std::size_t rows, std::size_t frames,
                            const std::vector<std::int16_t>& values, double frame_spacing = 1);

}  // namespace samed2d::test
