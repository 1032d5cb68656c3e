#pragma once
// The kinds of failure the tool tells apart: a config or command line that is wrong (the run
// stops before any work, exit 2), an input that is wrong (that case fails, the run goes on), and
// an output disk that is full (the run stops, keeping what is finished).

#include <stdexcept>
#include <string>
#include <utility>

namespace samed2d {

// A bad config, profile, class registry or command line. The message names the file and the
// problem and says what to do; it is printed as one line.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A source file that cannot be used (unreadable, wrong size, non-integral labels, ...). The
// message names the file, the problem and what to do; the case fails, the others go on.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// OUT's disk (or quota) is full. Not a fault of the case being written: the run stops starting
// cases, keeps the finished ones and tells the user to free space and rerun.
class OutputFull : public std::runtime_error {
 public:
  OutputFull(std::string file, std::string reason, const std::string& message)
      : std::runtime_error(message), file_(std::move(file)), reason_(std::move(reason)) {}
  const std::string& file() const { return file_; }      // the file that could not be written
  const std::string& reason() const { return reason_; }  // "No space left on device", ...

 private:
  std::string file_;
  std::string reason_;
};

}  // namespace samed2d
