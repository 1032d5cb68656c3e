// read_volume: the checks every source file gets, then the ordered table of format readers
// (FormatReader.hpp) and ITK's factories for the rest; and the set-up of the readers' libraries.
#include "pipeline/io/VolumeReader.hpp"

#include <dlfcn.h>
#include <fcntl.h>
#include <gdcmTrace.h>
#include <nifti1_io.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdarg>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <mutex>
#include <new>
#include <streambuf>
#include <string>
#include <vector>

// itkImageFileReader.h pulls in the generated IO factory register manager, which registers the
// IO modules named in cmake/Dependencies.cmake when this file's statics are initialised.
#include <itkDataObject.h>
#include <itkImageFileReader.h>
#include <itkImageIOFactory.h>
#include <itkNiftiImageIO.h>
#include <itkObjectFactoryBase.h>
#include <itkOutputWindow.h>

#include "pipeline/core/Errors.hpp"
#include "pipeline/core/Text.hpp"
#include "pipeline/io/FormatReader.hpp"
#include "pipeline/io/dicom/DicomSeries.hpp"

namespace samed2d {

namespace {

// Creating the first ITK object walks the factory list; doing it once before any thread asks
// keeps concurrent first calls from racing on ITK's lazy initialisation.
void init_itk_once() {
  static std::once_flag once;
  std::call_once(once, [] { itk::ObjectFactoryBase::GetRegisteredFactories(); });
}

// The formats samed2d reads itself, in the order they are tried: PNG and JPEG by their signature
// before anything else, so that no ITK reader ever sees them (see PngReader.cpp, JpegReader.cpp),
// then NIfTI by its header or its name. A file none of them takes goes to ITK's factories.
constexpr std::array<const FormatReader*, 3> kFormats{&kPngFormat, &kJpegFormat, &kNiftiFormat};

Volume read_source(const std::filesystem::path& file, std::vector<std::string>& warnings,
                   ReadAs mode, const ReadOptions& options = {}) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) {
    if (std::filesystem::is_symlink(file, ec))
      throw InputError(file.string() + ": a broken symbolic link (to " +
                       std::filesystem::read_symlink(file, ec).string() +
                       "); restore what it points to, or remove the link");
    throw InputError(file.string() + ": file not found; check the path and the dataset config");
  }
  init_itk_once();
  if (std::filesystem::is_directory(file, ec))
    return read_dicom_series(file, warnings, options.dicom_series);
  if (!std::filesystem::is_regular_file(file, ec))
    throw InputError(file.string() +
                     ": not a regular file; point the config at an image file or a DICOM "
                     "series folder");
  // Two common accidents, named for what they are rather than as an unreadable format.
  if (const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC); fd < 0) {
    throw InputError(file.string() + ": cannot open it (" + std::strerror(errno) +
                     "); make it readable by the user running samed2d (chmod or chown)");
  } else {
    ::close(fd);
  }
  if (std::filesystem::file_size(file, ec) == 0 && !ec)
    throw InputError(file.string() +
                     ": the file is empty (0 bytes), likely a download or copy that was cut "
                     "short; re-download or re-export it");
  try {
    for (const FormatReader* format : kFormats) {
      if (!format->can_read(file)) continue;
      Volume v = format->read(file, warnings, mode);
      if (format->raster && mode == ReadAs::Label) return single_channel_label(file, std::move(v));
      return v;
    }
    return read_with_itk_factories(file, warnings, mode);
  } catch (const itk::ExceptionObject& e) {
    throw InputError(file.string() + ": ITK cannot read it (" + itk_text(e) +
                     "); check that the file is complete and in a supported format");
  } catch (const VolumeTooLarge& e) {
    throw InputError(file.string() + ": " + e.what());
  } catch (const std::bad_alloc&) {
    throw InputError(file.string() +
                     ": not enough memory to read it; lower --threads or free memory");
  }
}

}  // namespace

Volume read_volume(const std::filesystem::path& file, std::vector<std::string>& warnings,
                   const ReadOptions& options) {
  return read_source(file, warnings, ReadAs::Image, options);
}

Volume read_label_volume(const std::filesystem::path& file, std::vector<std::string>& warnings) {
  return read_source(file, warnings, ReadAs::Label);
}

namespace {

// Drops everything written to it.
class DiscardBuffer : public std::streambuf {
 protected:
  int overflow(int c) override { return traits_type::not_eof(c); }
  std::streamsize xsputn(const char*, std::streamsize n) override { return n; }
};

// The readers' libraries print to stderr on their own (MetaIO's "Uncompress failed", GDCM's
// multi-line warnings, niftilib's "** ERROR", libtiff's "TIFFFillStrip: ..."), between and
// inside samed2d's one-line messages, and say nothing samed2d does not say better: a bad file
// fails its case with its own line. SAMED2D_LIBRARY_MESSAGES=1 keeps them, for debugging.
void quiet_library_messages() {
  if (const char* keep = std::getenv("SAMED2D_LIBRARY_MESSAGES");
      keep != nullptr && *keep != '\0' && std::string(keep) != "0")
    return;
  static DiscardBuffer discard;
  std::cerr.rdbuf(&discard);  // MetaIO writes to std::cerr; samed2d's console uses stdio
  std::clog.rdbuf(&discard);
  gdcm::Trace::WarningOff();
  gdcm::Trace::ErrorOff();
  gdcm::Trace::DebugOff();
  nifti_set_debug_level(0);
  // ITK's TIFF reader uses its own copy of libtiff (itktiff, symbols prefixed itk_); its
  // handlers are set through the loaded library rather than by linking it for two calls.
  using TiffHandler = void (*)(const char*, const char*, va_list);
  using SetTiffHandler = TiffHandler (*)(TiffHandler);
  for (const char* name : {"itk_TIFFSetWarningHandler", "itk_TIFFSetErrorHandler"})
    if (void* symbol = ::dlsym(RTLD_DEFAULT, name))
      reinterpret_cast<SetTiffHandler>(symbol)(nullptr);
}

}  // namespace

void prepare_readers_for_threads() {
  static std::once_flag once;
  std::call_once(once, [] {
    quiet_library_messages();
    // The DataObject's global release flag and the output window are singletons every reader
    // touches; creating one of each registered ImageIO runs their factories' and libraries'
    // first-use setup (GDCM's globals included).
    itk::DataObject::New()->ShouldIReleaseData();
    itk::OutputWindow::GetInstance();
    itk::ObjectFactoryBase::CreateAllInstance("itkImageIOBase");
    itk::NiftiImageIO::New()->SetFileName("");
  });
}

}  // namespace samed2d
