// JPEG, read with libjpeg: Debian's ITK 5.2 JPEGImageIO calls setjmp inside a helper function
// that has returned by the time libjpeg reports an error, so libjpeg's longjmp on a damaged file
// (e.g. a progressive scan with invalid parameters) jumps into a dead stack frame and the process
// dies (SIGSEGV, or a wild jump), in CanReadFile as in Read. Here setjmp is called in the
// function that decodes, and the result is what ITK's reader gives: 8-bit samples with libjpeg's
// default decoding, a grey+alpha or 4-channel file keeping 1 or 3 channels, the pixel size from
// the JFIF density.
#include <cstdio>
// jpeglib.h needs FILE declared first.
#include <jerror.h>
#include <jpeglib.h>

#include <array>
#include <csetjmp>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/core/Errors.hpp"
#include "pipeline/core/Text.hpp"
#include "pipeline/io/FormatReader.hpp"

namespace samed2d {

namespace {

struct JpegState {
  jpeg_decompress_struct cinfo{};
  jpeg_error_mgr err{};
  std::jmp_buf jump{};
  std::string error;
  std::string warning;     // the first of libjpeg's notes on damaged data
  bool truncated = false;  // the data ended before the image (libjpeg fills the rest with grey)
  std::vector<JSAMPLE> row;
  std::optional<Volume> volume;
};

JpegState& jpeg_state(j_common_ptr cinfo) {
  return *static_cast<JpegState*>(cinfo->client_data);
}

void jpeg_error_fn(j_common_ptr cinfo) {
  char message[JMSG_LENGTH_MAX] = {};
  (*cinfo->err->format_message)(cinfo, message);
  jpeg_state(cinfo).error = message;
  std::longjmp(jpeg_state(cinfo).jump, 1);
}

// Warnings only (level < 0: damaged data that libjpeg decodes anyway); traces are dropped.
void jpeg_message_fn(j_common_ptr cinfo, int level) {
  if (level < 0 && cinfo->err->msg_code == JWRN_JPEG_EOF) jpeg_state(cinfo).truncated = true;
  if (level >= 0 || !jpeg_state(cinfo).warning.empty()) return;
  char message[JMSG_LENGTH_MAX] = {};
  (*cinfo->err->format_message)(cinfo, message);
  jpeg_state(cinfo).warning = message;
}

// The two bytes ITK's JPEGImageIO::CanReadFile looks for before it hands the file to libjpeg:
// every file ITK would try as JPEG must come here instead.
bool has_jpeg_signature(const std::filesystem::path& file) {
  return file_starts_with(file, "\xFF\xD8");
}

Volume read_jpeg(const std::filesystem::path& file, std::vector<std::string>& warnings, ReadAs) {
  std::unique_ptr<std::FILE, FileCloser> fp(std::fopen(file.c_str(), "rb"));
  if (!fp) throw InputError(file.string() + ": cannot open the file; check that it is readable");
  // Everything the decoder changes lives behind this pointer, which stays the same after setjmp.
  const auto state = std::make_unique<JpegState>();
  jpeg_decompress_struct& cinfo = state->cinfo;
  cinfo.err = jpeg_std_error(&state->err);
  state->err.error_exit = jpeg_error_fn;
  state->err.emit_message = jpeg_message_fn;
  cinfo.client_data = state.get();
  if (setjmp(state->jump)) {
    jpeg_destroy_decompress(&cinfo);
    throw InputError(file.string() + ": not a readable JPEG (" + one_line(state->error) +
                     "); the file is truncated or corrupt, re-download or re-export it");
  }
  jpeg_create_decompress(&cinfo);
  jpeg_stdio_src(&cinfo, fp.get());
  jpeg_read_header(&cinfo, TRUE);
  jpeg_calc_output_dimensions(&cinfo);
  const std::size_t width = cinfo.output_width, height = cinfo.output_height;
  const std::size_t channels = static_cast<std::size_t>(cinfo.output_components);
  const std::size_t keep = channels == 2 ? 1 : channels == 4 ? 3 : channels;
  try {
    // Before libjpeg allocates for the image (a progressive one needs all its coefficients):
    // --max-voxels refuses a hostile header here.
    state->volume.emplace(VoxelType::UInt8, std::array<std::size_t, 3>{width, height, 1}, keep,
                          true);
  } catch (...) {
    jpeg_destroy_decompress(&cinfo);
    throw;
  }
  jpeg_start_decompress(&cinfo);
  state->row.resize(width * channels);
  auto* out = state->volume->data<std::uint8_t>();
  while (cinfo.output_scanline < cinfo.output_height) {
    const std::size_t y = cinfo.output_scanline;
    JSAMPROW row = state->row.data();
    if (jpeg_read_scanlines(&cinfo, &row, 1) != 1) {
      state->error = "no more image data";
      std::longjmp(state->jump, 1);
    }
    for (std::size_t x = 0; x < width; ++x)
      std::memcpy(out + (y * width + x) * keep, row + x * channels, keep);
  }
  jpeg_finish_decompress(&cinfo);
  Volume v = std::move(*state->volume);
  v.stored_dimensions = 2;
  // As ITK: the JFIF density gives the pixel size when it is in dots per inch or per cm.
  if (cinfo.X_density > 0 && cinfo.Y_density > 0 &&
      (cinfo.density_unit == 1 || cinfo.density_unit == 2)) {
    const double unit = cinfo.density_unit == 1 ? 25.4 : 10.0;
    v.geometry.spacing[0] = unit / cinfo.X_density;
    v.geometry.spacing[1] = unit / cinfo.Y_density;
  }
  jpeg_destroy_decompress(&cinfo);
  // A cut download is a wrong image, not a damaged one: the case fails.
  if (state->truncated)
    throw InputError(file.string() +
                     ": the JPEG data ends before the image does (the file is truncated); "
                     "re-download or re-export it");
  if (!state->warning.empty())
    warnings.push_back(file.string() + ": JPEG data is damaged (" + one_line(state->warning) +
                       "); read anyway, parts of the image may be wrong, re-export it");
  return v;
}

}  // namespace

const FormatReader kJpegFormat{has_jpeg_signature, read_jpeg, true};

}  // namespace samed2d
