#pragma once
// What samed2d checks in a TIFF file before ITK's TIFFImageIO (and its copy of libtiff) reads
// it. ItkReader.cpp calls it for every file it hands to ITK's factories. Internal to pipeline/io.

#include <filesystem>

namespace samed2d {

// ITK 5.2's TIFF reader copies a DateTime tag (0132) as the 20 bytes the TIFF standard gives it
// ("YYYY:MM:DD HH:MM:SS" and a NUL), whatever its count: a shorter one is read past the end of
// libtiff's buffer (the CI fuzz run found a 15-byte one). The directories of a TIFF file are walked
// here first; a DateTime that is not 20 bytes, or an entry whose value lies outside the file, is
// an InputError, and so are the layouts ITK allocates for and then gives up on (see the .cpp).
// A file that is not a classic TIFF is left to ITK.
void check_tiff_directories(const std::filesystem::path& file);

}  // namespace samed2d
