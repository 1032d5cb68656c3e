#include "pipeline/core/Console.hpp"

#include <unistd.h>

#include <cstdio>
#include <exception>

#include "pipeline/core/Errors.hpp"
#include "pipeline/core/Text.hpp"

namespace samed2d {

Console::Console(bool quiet) : terminal_(::isatty(STDERR_FILENO) == 1), quiet_(quiet) {}

void Console::print(const std::string& prefix, const std::string& line) {
  std::lock_guard lock(mutex_);
  if (live_line_) {
    std::fputs("\r\033[K", stderr);
    live_line_ = false;
  }
  std::fprintf(stderr, "%s%s\n", prefix.c_str(), printable(line).c_str());
  std::fflush(stderr);
}

void Console::error(const std::string& line) {
  print("samed2d: error: ", line);
}
void Console::warning(const std::string& line) {
  print("samed2d: warning: ", line);
}
void Console::info(const std::string& line) {
  print("samed2d: ", line);
}

void Console::progress(const std::string& line) {
  if (quiet_) return;
  std::lock_guard lock(mutex_);
  if (terminal_) {
    std::fprintf(stderr, "\r\033[K%s", printable(line).c_str());
    live_line_ = true;
  } else {
    std::fprintf(stderr, "samed2d: %s\n", printable(line).c_str());
  }
  std::fflush(stderr);
}

void Console::finish_progress() {
  std::lock_guard lock(mutex_);
  if (live_line_) {
    std::fputs("\n", stderr);
    std::fflush(stderr);
    live_line_ = false;
  }
}

int run_reporting_errors(Console& console, const std::function<int()>& command) {
  try {
    return command();
  } catch (const ConfigError& e) {
    console.finish_progress();
    console.error(e.what());
    return 2;
  } catch (const std::exception& e) {
    console.finish_progress();
    console.error(e.what());
    return 1;
  }
}

}  // namespace samed2d
