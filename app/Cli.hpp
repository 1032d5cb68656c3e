#pragma once
// The command line of samed2d: main() hands it argc and argv.

namespace samed2d {

// Parses the command line and runs its subcommand (app/Commands.hpp). Returns the exit status
// (SPEC 9).
int run_cli(int argc, char** argv);

}  // namespace samed2d
