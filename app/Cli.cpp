#include "app/Cli.hpp"

#include <fmt/format.h>
#include <itkMultiThreaderBase.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <iostream>
#include <string>
#include <vector>

#include "app/Commands.hpp"

namespace samed2d {

// A count of at least 1, with a message that says what was wrong with the value.
CLI::Validator count_validator() {
  return CLI::Validator(
      [](std::string& s) -> std::string {
        std::size_t v = 0;
        const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        if (ec != std::errc() || end != s.data() + s.size() || s.empty())
          return "'" + s + "' is not a whole number";
        if (v < 1 || v > 4096) return "'" + s + "' must be between 1 and 4096";
        return {};
      },
      "N");
}

int run_cli(int argc, char** argv) {
  // Slice work is parallel across TBB workers; ITK's own threads would only compete with them.
  itk::MultiThreaderBase::SetGlobalDefaultNumberOfThreads(1);

  CLI::App app{
      "samed2d: rebuild SA-Med2D-20M-style 2D segmentation datasets from public 3D and "
      "2D medical imaging datasets"};
  app.set_version_flag("--version", std::string("samed2d ") + SAMED2D_VERSION);
  app.require_subcommand(1);
  const std::vector<Command> commands{add_convert(app),  add_merge(app),  add_list(app),
                                      add_validate(app), add_export(app), add_stats(app),
                                      add_report(app)};

  if (argc <= 1) {
    std::cout << app.help();
    return 2;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string what = e.what();
    const bool known = std::any_of(commands.begin(), commands.end(),
                                   [&](const Command& c) { return c.sub->get_name() == argv[1]; });
    if (argc > 1 && !known && argv[1][0] != '-')
      what = fmt::format("unknown command '{}'", argv[1]);
    std::cerr << fmt::format("samed2d: error: {}; run 'samed2d --help' for the usage\n", what);
    return 2;
  }
  for (const Command& c : commands)
    if (c.sub->parsed()) return c.run();
  return 2;  // not reached: require_subcommand(1) makes the parse fail without a command
}

}  // namespace samed2d
