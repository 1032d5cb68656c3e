#pragma once
// Where the user reads what happens: one line per error or warning on stderr, and a progress
// line that is redrawn in place on a terminal and printed every few seconds otherwise.

#include <functional>
#include <mutex>
#include <string>

namespace samed2d {

class Console {
 public:
  // quiet: no progress lines (errors and warnings are still printed).
  explicit Console(bool quiet = false);

  void error(const std::string& line);
  void warning(const std::string& line);
  void info(const std::string& line);
  // Replaces the live progress line (terminal) or prints it as a line of its own (otherwise).
  void progress(const std::string& line);
  // Ends the live line so that what follows starts on a fresh line.
  void finish_progress();

  bool is_terminal() const { return terminal_; }
  bool quiet() const { return quiet_; }

 private:
  void print(const std::string& prefix, const std::string& line);
  std::mutex mutex_;
  bool terminal_ = false;
  bool quiet_ = false;
  bool live_line_ = false;
};

// Runs a command on a finished tree: a ConfigError (bad input or options) is one line and exit 2,
// any other failure (a file that cannot be written) one line and exit 1; the progress line is
// ended first either way.
int run_reporting_errors(Console& console, const std::function<int()>& command);

}  // namespace samed2d
