#pragma once
// The two kinds of failure the tool tells apart: a config or command line that is wrong (the run
// stops before any work, exit 2) and an input that is wrong (that case fails, the run goes on).

#include <stdexcept>
#include <string>

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

}  // namespace samed2d
