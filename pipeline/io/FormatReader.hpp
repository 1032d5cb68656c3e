#pragma once
// What read_volume is made of, in the spirit of ITK's ImageIO factories: one FormatReader per
// format samed2d reads itself (PNG, JPEG, NIfTI), asked in the order of VolumeReader.cpp's table,
// then ITK's own factories for every other file (ItkReader.cpp), with the checks samed2d runs
// before ITK sees a file (MetaImageReader.hpp, TiffChecks.hpp). Also the few helpers the readers
// share. Internal to pipeline/io: callers use VolumeReader.hpp.

#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/core/Volume.hpp"

namespace samed2d {

// How a file is read: as an image (palettes expanded to their colours) or as a label map
// (palette indices are the label values, see read_label_volume).
enum class ReadAs { Image, Label };

// One format: the first reader of the table whose can_read says yes reads the file. Both may
// throw InputError, read also ITK's exceptions, VolumeTooLarge and std::bad_alloc, which
// read_volume turns into InputErrors; read appends to `warnings` one line per recoverable oddity.
struct FormatReader {
  bool (*can_read)(const std::filesystem::path& file);
  Volume (*read)(const std::filesystem::path& file, std::vector<std::string>& warnings,
                 ReadAs mode);
  // A 2D raster format: what it reads as a label map goes through single_channel_label.
  bool raster;
};

extern const FormatReader kPngFormat;    // PngReader.cpp
extern const FormatReader kJpegFormat;   // JpegReader.cpp
extern const FormatReader kNiftiFormat;  // NiftiFormat.cpp

// Every file no reader of the table takes: checked as ITK's readers need (DICOM before GDCM, TIFF
// directories, MetaImage headers), then read by the ImageIO that ITK's factories choose.
Volume read_with_itk_factories(const std::filesystem::path& file,
                               std::vector<std::string>& warnings, ReadAs mode);

// A colour raster read as a label map becomes one channel (see read_label_volume); a volume of
// one component is returned as it is.
Volume single_channel_label(const std::filesystem::path& file, Volume v);

// Whether `file` begins with the bytes of `magic` (false when it cannot be read that far).
bool file_starts_with(const std::filesystem::path& file, std::string_view magic);

// Whether the name of `file` ends in `ext` (lower case, e.g. ".nii.gz"), whatever its case, and
// is longer than `ext`.
bool has_extension(const std::filesystem::path& file, const char* ext);

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

}  // namespace samed2d
