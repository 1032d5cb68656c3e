#include "pipeline/cli/Cli.hpp"

int main(int argc, char** argv) {
  return samed2d::run_cli(argc, argv);
}
