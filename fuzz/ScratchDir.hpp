#pragma once
// A folder of the fuzzing process's own for the files a target must hand to code that reads
// paths: in RAM (/dev/shm) where there is one, so that rewriting a file per input costs no disk
// I/O, else in the temp dir. Removed when the process exits normally; a crash leaves it behind
// next to the reproducer, which is what one wants then.

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace samed2d::fuzz {

inline const std::filesystem::path& scratch_dir() {
  namespace fs = std::filesystem;
  // Never destroyed, so that the exit handler below can still read it.
  static const fs::path* const dir = [] {
    std::error_code ec;
    fs::path base = fs::temp_directory_path(ec);
    if (fs::is_directory("/dev/shm", ec) && access("/dev/shm", W_OK) == 0) base = "/dev/shm";
    auto* d = new fs::path(base / ("samed2d-fuzz-" + std::to_string(getpid())));
    fs::remove_all(*d, ec);
    fs::create_directories(*d);
    return d;
  }();
  static const bool cleanup = [] {
    return std::atexit([] {
             std::error_code ignored;
             fs::remove_all(*dir, ignored);
           }) == 0;
  }();
  (void)cleanup;
  return *dir;
}

}  // namespace samed2d::fuzz
