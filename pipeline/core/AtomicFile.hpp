#pragma once
// A file written in pieces through a temporary name in its own folder, then renamed into place
// by commit(): a kill never leaves a half file under the real name, and memory stays at one
// buffer whatever the file's size (SAMed2D_v1.json and the export lists are gigabytes at
// SA-Med2D scale).

#include <filesystem>
#include <functional>
#include <string>

namespace samed2d {

class AtomicFile {
 public:
  // Called with the file's real name, what failed ("create", "write", "move into place") and
  // errno; it must throw.
  using Fail = std::function<void(const std::filesystem::path& file, const char* what, int err)>;

  AtomicFile(std::filesystem::path file, Fail fail);
  ~AtomicFile();  // removes the temporary file unless committed
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  // Append to it; flush_if_full() writes it out once it holds 1 MiB.
  std::string& buffer() { return buffer_; }
  void flush_if_full();
  // Writes the rest, fsyncs when `sync`, and closes it, still under its temporary name (so that
  // several files can be finished before any of them appears).
  void finish(bool sync);
  // Renames it into place (finishing it first, without fsync, when finish() was not called).
  void commit();

 private:
  void flush();
  [[noreturn]] void failed(const char* what, int err) const;

  std::filesystem::path file_;
  std::filesystem::path tmp_;
  Fail fail_;
  int fd_ = -1;
  bool committed_ = false;
  std::string buffer_;
};

}  // namespace samed2d
