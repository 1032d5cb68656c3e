#pragma once
// Runs the samed2d binary as a user would and captures what it prints.

#include <string>
#include <vector>

namespace samed2d::test {

struct ToolRun {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs `samed2d args...` (the binary of this build) with stdin closed.
ToolRun run_samed2d(const std::vector<std::string>& args);

// The samed2d binary of this build.
std::string samed2d_binary();

// Runs any program (looked up in PATH) with stdin closed, capturing its output.
ToolRun run_command(std::vector<std::string> argv);

// The first Python 3 that has cv2 and numpy (Debian: python3-opencv), or "" when none has.
std::string python_with_cv2();

// Starts `samed2d args...` in the background (output discarded); returns its process id.
int start_samed2d(const std::vector<std::string>& args);
// Waits for a process started by start_samed2d; returns its exit status (128 + signal if killed).
int wait_samed2d(int pid);

}  // namespace samed2d::test
