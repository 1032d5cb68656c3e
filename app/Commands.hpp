#pragma once
// The subcommands of `samed2d`, one family per file: each add_* function defines its
// subcommand's options and help on `app` (in the order they are added, the order of --help) and
// returns what runs it once the command line is parsed. Cli.cpp parses and dispatches.

#include <CLI/CLI.hpp>
#include <functional>

namespace samed2d {

struct Command {
  CLI::App* sub = nullptr;
  std::function<int()> run;  // the exit status (SPEC 9)
};

// ConvertCommands.cpp: `convert`, and `merge` of a sharded conversion's folders.
Command add_convert(CLI::App& app);
Command add_merge(CLI::App& app);

// ListCommand.cpp: `list` and `list NAME`.
Command add_list(CLI::App& app);

// TreeCommands.cpp: the commands over a finished SA-Med2D tree.
Command add_validate(CLI::App& app);
Command add_export(CLI::App& app);
Command add_stats(CLI::App& app);
Command add_report(CLI::App& app);

// A count of at least 1 (threads, examples), with a message that says what was wrong with the
// value.
CLI::Validator count_validator();

}  // namespace samed2d
