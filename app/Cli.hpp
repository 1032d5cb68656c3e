#pragma once

namespace samed2d {

// Parses the command line and runs `convert` or `list`. Returns the exit status (SPEC 9).
int run_cli(int argc, char** argv);

}  // namespace samed2d
