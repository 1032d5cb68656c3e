#include "pipeline/cli/Cli.hpp"

namespace samed2d {

int run_cli(int, char**) { return 0; }

}  // namespace samed2d
