#include "pipeline/core/AtomicFile.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>

namespace samed2d {

namespace {
constexpr std::size_t kFlushAt = 1 << 20;
}  // namespace

AtomicFile::AtomicFile(std::filesystem::path file, Fail fail)
    : file_(std::move(file)),
      tmp_(file_.parent_path() /
           fmt::format(".{}.tmp-{}", file_.filename().string(), static_cast<long>(::getpid()))),
      fail_(std::move(fail)) {
  fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) failed("create", errno);
  buffer_.reserve(kFlushAt + 4096);
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) ::unlink(tmp_.c_str());
}

void AtomicFile::flush_if_full() {
  if (buffer_.size() >= kFlushAt) flush();
}

void AtomicFile::finish(bool sync) {
  flush();
  if (sync && ::fsync(fd_) != 0 && errno != EINVAL) failed("write", errno);
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) failed("write", errno);
}

void AtomicFile::commit() {
  if (fd_ >= 0) finish(false);
  if (::rename(tmp_.c_str(), file_.c_str()) != 0) failed("move into place", errno);
  committed_ = true;
}

void AtomicFile::flush() {
  const char* p = buffer_.data();
  std::size_t left = buffer_.size();
  while (left > 0) {
    const ssize_t n = ::write(fd_, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      failed("write", errno);
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  buffer_.clear();
}

void AtomicFile::failed(const char* what, int err) const {
  fail_(file_, what, err);
  throw std::logic_error("AtomicFile: the failure handler returned");  // it must throw
}

}  // namespace samed2d
