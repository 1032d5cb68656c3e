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

}  // namespace samed2d::test
