#include "app/Cli.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <itkMultiThreaderBase.h>
#include <sys/file.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <array>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "converters/ConverterRegistry.hpp"
#include "pipeline/core/ClassRegistry.hpp"
#include "pipeline/core/Console.hpp"
#include "pipeline/core/Errors.hpp"
#include "pipeline/core/JsonFile.hpp"
#include "pipeline/core/Profile.hpp"
#include "pipeline/core/Text.hpp"
#include "pipeline/core/Volume.hpp"
#include "pipeline/run/Conversion.hpp"
#include "pipeline/run/Merge.hpp"
#include "pipeline/run/Progress.hpp"
#include "pipeline/run/Shard.hpp"
#include "pipeline/tree/Export.hpp"
#include "pipeline/tree/Report.hpp"
#include "pipeline/tree/Stats.hpp"
#include "pipeline/tree/Validate.hpp"

namespace samed2d {

namespace fs = std::filesystem;

namespace {

std::atomic<bool> g_cancel{false};

extern "C" void on_signal(int) {
  // A second Ctrl-C ends the process at once (files in images/ and masks/ are still whole).
  if (g_cancel.exchange(true)) std::_Exit(130);
}

fs::path config_dir() {
  if (const char* env = std::getenv("SAMED2D_CONFIG_DIR")) return env;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path installed = exe.parent_path().parent_path() / "share" / "samed2d" / "configs";
    if (fs::is_directory(installed / "profiles")) return installed;
  }
  return SAMED2D_DEFAULT_CONFIG_DIR;
}

std::vector<std::string> bundled_dataset_names(const fs::path& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(dir / "datasets", ec), end; !ec && it != end; it.increment(ec))
    if (it->path().extension() == ".json") names.push_back(it->path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

// --dataset NAME: the bundled config of that dataset.
fs::path bundled_dataset_config(const std::string& name, const fs::path& dir,
                                std::string_view option = "--dataset") {
  const fs::path bundled = dir / "datasets" / (name + ".json");
  if (name.find('/') == std::string::npos && !name.empty() && fs::is_regular_file(bundled))
    return bundled;
  const auto names = bundled_dataset_names(dir);
  const std::vector<std::string_view> known(names.begin(), names.end());
  throw ConfigError(
      fmt::format("{} {}: no bundled dataset config of that name{}; `samed2d list` shows them, and "
                  "--config FILE takes a config of your own",
                  option, name, did_you_mean(name, known)));
}

// --config FILE, or the name of a bundled config.
fs::path resolve_dataset_config(const std::string& value, const fs::path& dir) {
  const fs::path as_path(value);
  if (fs::exists(as_path)) return as_path;
  if (value.find('/') == std::string::npos && as_path.extension() != ".json")
    return bundled_dataset_config(value, dir, "--config");
  throw ConfigError(
      fmt::format("--config {}: no such file, and no bundled dataset config of that "
                  "name; `samed2d list` shows the bundled ones",
                  value));
}

// One dataset of a run: its converter and the folder it reads.
struct DatasetJob {
  std::string label;  // how messages name it: the config file or "--sources FILE: NAME"
  std::unique_ptr<Converter> converter;
  std::string input;
};

// --sources FILE: a JSON object of dataset name (or config file) -> input folder. Relative
// folders and config files are taken from FILE's folder.
std::vector<std::pair<std::string, std::string>> read_sources(const std::string& file) {
  nlohmann::json j;
  try {
    j = read_json_file(file);
  } catch (const ConfigError& e) {
    throw ConfigError(fmt::format("--sources {}", e.what()));
  }
  if (!j.is_object() || j.empty())
    throw ConfigError(
        fmt::format("--sources {}: must be a JSON object of dataset name -> input folder, e.g. "
                    "{{\"ACDC\": \"/data/ACDC\", \"BraTS2021\": \"/data/BraTS2021\"}}",
                    file));
  const fs::path base = fs::path(file).parent_path();
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [name, folder] : j.items()) {
    if (!folder.is_string() || folder.get<std::string>().empty())
      throw ConfigError(fmt::format(
          "--sources {}: \"{}\" maps to {}; give the folder the dataset was unpacked into, "
          "as a string",
          file, name, folder.dump()));
    fs::path in = folder.get<std::string>();
    if (in.is_relative()) in = base / in;
    std::string config = name;
    if (fs::path(name).extension() == ".json" && fs::path(name).is_relative())
      config = (base / name).string();
    out.emplace_back(config, in.string());
  }
  return out;
}

std::vector<Axis> parse_axes(const std::string& text) {
  std::vector<Axis> axes;
  std::set<Axis> seen;
  std::string item;
  auto flush = [&] {
    const auto axis = parse_axis(item);
    if (!axis)
      throw ConfigError(
          fmt::format("--axes {}: '{}' is not an axis; use a comma-separated list "
                      "of x, y and z, e.g. --axes x,z",
                      text, item));
    if (!seen.insert(*axis).second)
      throw ConfigError(fmt::format("--axes {}: axis '{}' is given twice", text, item));
    axes.push_back(*axis);
    item.clear();
  };
  for (char c : text) {
    if (c == ',')
      flush();
    else if (c != ' ')
      item += c;
  }
  flush();
  if (axes.empty()) throw ConfigError("--axes is empty; give x, y and/or z, e.g. --axes x,z");
  std::sort(axes.begin(), axes.end());
  return axes;
}

struct ConvertArgs {
  std::string config;
  std::string dataset;
  std::string sources;
  std::string input;
  std::string output;
  std::string classes;
  std::string profile = "samed2d_v1";
  std::size_t threads = 0;
  std::size_t cases_in_flight = 0;
  std::uint64_t max_voxels = kDefaultMaxVoxels;
  std::string axes;
  bool axes_given = false;
  bool quiet = false;
  std::string shard;
};

bool inside(const fs::path& child, const fs::path& parent) {
  auto c = child.begin();
  for (auto p = parent.begin(); p != parent.end(); ++p, ++c)
    if (c == child.end() || *p != *c) return false;
  return true;
}

bool holds_files(const fs::path& dir) {
  std::error_code ec;
  return fs::is_directory(dir, ec) && !fs::is_empty(dir, ec);
}

// The output folder must be safe to write into: never the input, never a folder whose images/
// or masks/ another tool (or a download of SA-Med2D-20M) filled.
void check_output(const std::string& output, const std::string& input) {
  if (output.empty())
    throw ConfigError("--output is empty; give the folder to write the dataset into");
  const fs::path out = fs::weakly_canonical(fs::absolute(output));
  const fs::path in = fs::weakly_canonical(fs::absolute(input));
  if (inside(out, in))
    throw ConfigError(
        fmt::format("--output {} is inside --input {}; the output would be read as "
                    "input next time, so choose a folder outside the input",
                    output, input));
  std::error_code ec;
  if (fs::exists(fs::symlink_status(output, ec)) && !fs::is_directory(output, ec))
    throw ConfigError(
        fmt::format("--output {}: exists and is not a folder; choose a folder", output));
  if ((holds_files(out / "images") || holds_files(out / "masks")) &&
      !fs::is_directory(out / ".samed2d", ec))
    throw ConfigError(fmt::format(
        "--output {}: its images/ or masks/ hold files that samed2d did not write (there is no "
        "{}/.samed2d); choose a new or empty folder",
        output, output));
}

// Creates the output folder and its state folder, so that an unwritable place is a command-line
// error (exit 2) found before any work, and takes the folder's lock: two runs writing into one
// folder would remove each other's unfinished cases. The lock lasts as long as the process.
void create_output(const std::string& output) {
  std::error_code ec;
  try {
    fs::create_directories(fs::path(output) / ".samed2d");
  } catch (const fs::filesystem_error& e) {
    throw ConfigError(fmt::format(
        "--output {}: cannot {} ({}); choose a folder you can "
        "write",
        output, fs::is_directory(output, ec) ? "write in it" : "create it", e.code().message()));
  }
  const fs::path lock = fs::path(output) / ".samed2d" / "lock";
  const int fd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    throw ConfigError(
        fmt::format("--output {}: cannot create {} ({}); choose a folder you can "
                    "write",
                    output, lock.string(), std::strerror(errno)));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0)
    throw ConfigError(
        fmt::format("--output {}: another samed2d is writing into it; wait for it "
                    "to finish or choose another folder",
                    output));
  // Every folder samed2d writes in must take a new file, or the run would fail at its end
  // (the JSON files live in the root) after hours of work. The root and the state folder are
  // probed with a file; images/ and masks/ only by access(), since a kill between a probe's
  // creation and removal must never leave a stray file among the PNGs.
  for (const fs::path& folder :
       {fs::path(output), fs::path(output) / ".samed2d", fs::path(output) / ".samed2d" / "cases"}) {
    if (!fs::is_directory(folder, ec)) continue;
    // One fixed name (the lock is held): a probe left by a kill is reused and removed here.
    const fs::path probe = folder / ".samed2d-write-test";
    const int test_fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (test_fd < 0)
      throw ConfigError(
          fmt::format("--output {}: cannot write in {} ({}); choose a folder you "
                      "can write, or fix its permissions",
                      output, folder.string(), std::strerror(errno)));
    ::close(test_fd);
    ::unlink(probe.c_str());
  }
  for (const fs::path& folder : {fs::path(output) / "images", fs::path(output) / "masks"}) {
    if (fs::is_directory(folder, ec) && ::access(folder.c_str(), W_OK | X_OK) != 0)
      throw ConfigError(
          fmt::format("--output {}: cannot write in {} ({}); choose a folder you "
                      "can write, or fix its permissions",
                      output, folder.string(), std::strerror(errno)));
  }
}

void check_input(const std::string& input, const std::string& origin) {
  if (!fs::exists(input))
    throw ConfigError(
        fmt::format("{}--input {}: does not exist; give the folder the dataset was unpacked into",
                    origin, input));
  if (!fs::is_directory(input))
    throw ConfigError(
        fmt::format("{}--input {}: not a folder; give the folder the dataset was unpacked into",
                    origin, input));
}

int convert(const ConvertArgs& a) {
  Console console(a.quiet);
  set_max_voxels(a.max_voxels);
  std::vector<CaseSpec> cases;
  ConvertOptions options;
  try {
    const fs::path dir = config_dir();
    const ClassRegistry classes =
        ClassRegistry::load(a.classes.empty() ? dir / "classes.json" : fs::path(a.classes));
    options.profile = load_profile(a.profile, dir);
    if (a.axes_given) options.profile.axes = parse_axes(a.axes);

    const int given = !a.config.empty() + !a.dataset.empty() + !a.sources.empty();
    if (given != 1)
      throw ConfigError(
          "give exactly one of --dataset NAME (a bundled dataset), --config FILE (a dataset "
          "config of your own) or --sources FILE (several datasets); `samed2d list` shows the "
          "bundled datasets");
    if (!a.sources.empty() && !a.input.empty())
      throw ConfigError(
          "--input is not used with --sources: the sources file names each dataset's input "
          "folder");
    if (a.sources.empty() && a.input.empty())
      throw ConfigError("--input is missing; give the folder the dataset was unpacked into");

    std::vector<DatasetJob> jobs;
    if (!a.sources.empty()) {
      for (const auto& [name, input] : read_sources(a.sources)) {
        const bool is_file = fs::path(name).extension() == ".json";
        const fs::path config =
            is_file ? fs::path(name)
                    : bundled_dataset_config(name, dir, "--sources " + a.sources + ":");
        if (is_file && !fs::is_regular_file(config))
          throw ConfigError(
              fmt::format("--sources {}: {}: no such dataset config file", a.sources, name));
        auto converter = load_dataset_config(config, classes);
        if (!is_file && converter->dataset() != name)
          throw ConfigError(fmt::format("{}: names the dataset \"{}\", not \"{}\"", config.string(),
                                        converter->dataset(), name));
        jobs.push_back(
            {fmt::format("--sources {}: {}", a.sources, name), std::move(converter), input});
      }
    } else {
      const fs::path config = a.dataset.empty() ? resolve_dataset_config(a.config, dir)
                                                : bundled_dataset_config(a.dataset, dir);
      jobs.push_back({a.dataset.empty() ? a.config : "--dataset " + a.dataset,
                      load_dataset_config(config, classes), a.input});
    }
    std::set<std::string> datasets;
    for (const auto& job : jobs) {
      if (!datasets.insert(job.converter->dataset()).second)
        throw ConfigError(fmt::format(
            "{}: the dataset {} is given twice; give each dataset once (one input folder each)",
            job.label, job.converter->dataset()));
      const std::string origin = a.sources.empty() ? "" : job.label + ": ";
      check_input(job.input, origin);
      check_output(a.output, job.input);
    }
    // Datasets in name order, so that a sources file's key order does not change the run.
    std::sort(jobs.begin(), jobs.end(), [](const DatasetJob& x, const DatasetJob& y) {
      return x.converter->dataset() < y.converter->dataset();
    });
    for (const auto& job : jobs) {
      Discovery found = job.converter->discover(job.input);
      const auto& unreadable = found.warnings;
      for (std::size_t i = 0; i < unreadable.size() && i < 20; ++i)
        console.warning(unreadable[i] +
                        "; its files are not looked at, so fix its permissions if it holds cases");
      if (unreadable.size() > 20)
        console.warning(fmt::format("{} more folders could not be listed", unreadable.size() - 20));
      if (found.cases.empty())
        throw ConfigError(
            fmt::format("{}: no file under {} matches the {} config's \"cases\"; check the input "
                        "folder and the config's \"cases\" pattern",
                        job.label, job.input, job.converter->dataset()));
      for (auto& c : found.cases) cases.push_back(std::move(c));
    }
    if (!a.shard.empty()) {
      const ShardChoice shard =
          parse_shard(a.shard, [](const char* name) { return std::getenv(name); });
      cases = take_shard(std::move(cases), shard, console);
      create_output(a.output);
      // What every shard of one run shares; merge refuses folders that differ in it.
      nlohmann::json run = {{"version", SAMED2D_VERSION},
                            {"profile", options.profile.to_json()},
                            {"datasets", nlohmann::json::array()}};
      for (const auto& job : jobs) run["datasets"].push_back(job.converter->dataset());
      write_shard_state(a.output, shard, run);
    } else {
      create_output(a.output);
    }
  } catch (const ConfigError& e) {
    console.error(e.what());
    return 2;
  } catch (const fs::filesystem_error& e) {
    console.error(fmt::format("{}: {}; check the paths given to --input and --output",
                              e.path1().string(), e.code().message()));
    return 2;
  }

  options.output = a.output;
  options.threads = a.threads;
  options.cases_in_flight = a.cases_in_flight;
  options.cancel = &g_cancel;
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::signal(SIGHUP, on_signal);  // a closed terminal or ssh session stops as cleanly as Ctrl-C

  ConvertResult r;
  try {
    r = run_conversion(cases, options, console);
  } catch (const std::exception& e) {
    console.error(fmt::format("{}: {}", a.output, e.what()));
    return 1;
  }
  // Without the JSON files (they could not be written) the totals of OUT are unknown.
  const std::string shown_output = printable(a.output);
  const std::string holds = r.output_error.empty()
                                ? fmt::format(" | {} now holds {} images, {} masks", shown_output,
                                              r.totals.images, r.totals.masks)
                                : std::string();
  std::cout << fmt::format(
      "samed2d: {} case(s): {} converted, {} already done, {} failed{}{} | wrote {} images, {} "
      "masks in {}{}\n",
      r.cases, r.converted, r.skipped, r.failed,
      r.not_converted > 0 ? fmt::format(", {} not converted (disk full)", r.not_converted) : "",
      r.interrupted ? ", interrupted" : "", r.images_written, r.masks_written,
      format_duration(r.seconds), holds);
  if (r.failed > 0 && r.output_error.empty())
    std::cout << fmt::format("samed2d: see {}/report.json for the failed cases\n", shown_output);
  if (r.interrupted) return 130;
  return r.failed > 0 || !r.stopped.empty() || !r.output_error.empty() ? 1 : 0;
}

int merge(const std::string& output, const std::vector<std::string>& dirs, bool quiet) {
  Console console(quiet);
  const auto start = std::chrono::steady_clock::now();
  MergeResult r;
  try {
    if (output.empty())
      throw ConfigError("--output is empty; give the folder to merge the shards into");
    std::vector<fs::path> shards(dirs.begin(), dirs.end());
    for (const auto& dir : shards)
      if (!fs::is_directory(dir))
        throw ConfigError(
            fmt::format("{}: not a folder; give the folders that `samed2d convert --shard` wrote",
                        dir.string()));
    create_output(output);
    r = merge_shards(output, shards, console);
  } catch (const ConfigError& e) {
    console.error(e.what());
    return 2;
  } catch (const std::exception& e) {
    console.error(
        fmt::format("{}: {}; rerun the same merge to finish it", output, one_line(e.what())));
    return 1;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << fmt::format(
      "samed2d: merged {} shard(s): {} case(s) placed ({} files linked, {} copied), {} already "
      "there, {} failed in the shards | {} now holds {} images, {} masks in {}\n",
      r.shards, r.merged, r.linked, r.copied, r.already, r.failed, printable(output),
      r.totals.images, r.totals.masks, format_duration(seconds));
  if (r.failed > 0)
    std::cout << fmt::format("samed2d: see {}/report.json for the failed cases\n",
                             printable(output));
  return r.failed > 0 ? 1 : 0;
}

int list() {
  const fs::path dir = config_dir();
  if (!fs::is_directory(dir / "datasets"))
    std::cerr << fmt::format(
        "samed2d: warning: {} has no datasets/ folder; set "
        "SAMED2D_CONFIG_DIR to the configs/ folder of samed2d\n",
        dir.string());
  std::cout << "Converters (the \"converter\" of a dataset config):\n";
  for (const auto& c : converter_registry())
    std::cout << fmt::format("  {:<18} {}\n", c.name, c.description);

  std::cout << fmt::format("Bundled datasets ({}; use with --dataset NAME):\n",
                           (dir / "datasets").string());
  std::optional<ClassRegistry> classes;
  try {
    classes = ClassRegistry::load(dir / "classes.json");
  } catch (const ConfigError& e) {
    std::cerr << "samed2d: error: " << e.what() << "\n";
    return 2;
  }
  int status = 0;
  std::vector<std::pair<std::string, std::string>> not_convertible;  // name, reason
  // Rows first, then the columns as wide as their longest cell.
  std::vector<std::array<std::string, 4>> rows{{"NAME", "MODALITY", "LAYOUT", "CONVERTER"}};
  for (const auto& name : bundled_dataset_names(dir)) {
    const fs::path file = dir / "datasets" / (name + ".json");
    try {
      const auto converter = load_dataset_config(file, *classes);
      std::string converter_name = "generic";
      const auto j = read_json_file(file);
      if (j.contains("converter") && j["converter"].is_string())
        converter_name = j["converter"].get<std::string>();
      rows.push_back({name, fmt::format("{}", fmt::join(converter->modalities(), ",")),
                      converter->layout(), converter_name});
    } catch (const NotConvertible& e) {
      not_convertible.emplace_back(name, e.reason());
      rows.push_back({name, "-", "not convertible", std::string(kNotConvertible)});
    } catch (const ConfigError& e) {
      std::cerr << "samed2d: error: " << e.what() << "\n";
      status = 2;
    }
  }
  std::array<std::size_t, 3> width{0, 0, 0};
  for (const auto& row : rows)
    for (std::size_t c = 0; c < width.size(); ++c) width[c] = std::max(width[c], row[c].size());
  for (const auto& row : rows)
    std::cout << fmt::format("  {:<{}} {:<{}} {:<{}} {}\n", row[0], width[0], row[1], width[1],
                             row[2], width[2], row[3]);
  if (!not_convertible.empty()) {
    std::cout << "Not convertible (datasets of the release without a public source samed2d can "
                 "read):\n";
    for (const auto& [name, reason] : not_convertible)
      std::cout << fmt::format("  {}: {}\n", name, reason);
  }
  std::cout << fmt::format("Profiles ({}):\n", (dir / "profiles").string());
  std::vector<std::string> profiles;
  std::error_code ec;
  for (fs::directory_iterator it(dir / "profiles", ec), end; !ec && it != end; it.increment(ec))
    if (it->path().extension() == ".json") profiles.push_back(it->path().stem().string());
  std::sort(profiles.begin(), profiles.end());
  std::size_t name_width = 0;
  for (const auto& n : profiles) name_width = std::max(name_width, n.size());
  for (const auto& n : profiles) {
    try {
      std::cout << fmt::format("  {:<{}} {}\n", n, name_width,
                               profile_summary(load_profile(n, dir)));
    } catch (const ConfigError& e) {
      std::cerr << "samed2d: error: " << e.what() << "\n";
      status = 2;
    }
  }
  return status;
}

// A config's description, indented and wrapped at 96 columns.
void print_wrapped(const std::string& text) {
  std::string line = "  ";
  std::istringstream words(text);
  for (std::string word; words >> word;) {
    if (line.size() + word.size() + 1 > 96 && line.size() > 2) {
      std::cout << line << "\n";
      line = "  ";
    }
    line += (line.size() > 2 ? " " : "") + word;
  }
  std::cout << line << "\n";
}

// `samed2d list NAME`: what a bundled dataset's config reads and writes, for a user deciding
// where to point --input.
int describe(const std::string& name) {
  const fs::path dir = config_dir();
  try {
    const ClassRegistry classes = ClassRegistry::load(dir / "classes.json");
    // A bundled profile's name (no dataset has one): its options and what it is for.
    std::error_code ec;
    if (!fs::exists(dir / "datasets" / (name + ".json"), ec) &&
        fs::is_regular_file(dir / "profiles" / (name + ".json"), ec)) {
      const Profile p = load_profile(name, dir);
      std::cout << fmt::format("{}\n  profile:    {}\n  does:       {}\n  options:    {}\n", name,
                               (dir / "profiles" / (name + ".json")).string(), profile_summary(p),
                               p.to_json().dump());
      print_wrapped(p.description.empty() ? "(no description)" : p.description);
      return 0;
    }
    const fs::path file = bundled_dataset_config(name, dir, "list");
    const auto config = read_json_file(file);
    if (config.value("converter", std::string()) == kNotConvertible) {
      try {
        (void)load_dataset_config(file, classes);
      } catch (const NotConvertible& e) {
        std::cout << fmt::format("{}\n  config:     {}\n  not convertible: {}\n", name,
                                 file.string(), e.reason());
        if (config.contains("description") && config["description"].is_string())
          print_wrapped(config["description"].get<std::string>());
        return 0;
      }
    }
    const auto converter = load_dataset_config(file, classes);
    std::cout << fmt::format("{}\n  config:     {}\n  converter:  {}\n  layout:     {}\n", name,
                             file.string(), config.value("converter", std::string("generic")),
                             converter->layout());
    std::cout << fmt::format("  modalities: {}\n", fmt::join(converter->modalities(), ", "));
    for (const auto& line : converter->details()) std::cout << "  " << line << "\n";
    print_wrapped(config.value("description", std::string("(no description)")));
    return 0;
  } catch (const ConfigError& e) {
    std::cerr << "samed2d: error: " << e.what() << "\n";
    return 2;
  }
}

// `samed2d validate DIR`: 0 when the tree is clean, 1 when it has problems, 2 when DIR is not a
// tree at all.
int validate(const std::string& dir, std::size_t examples, std::size_t threads) {
  try {
    const auto report = validate_tree(dir, examples, threads);
    std::cout << format_validation_report(report, dir);
    return report.clean() ? 0 : 1;
  } catch (const ConfigError& e) {
    std::cerr << "samed2d: error: " << e.what() << "\n";
    return 2;
  }
}

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

}  // namespace

int run_cli(int argc, char** argv) {
  // Slice work is parallel across TBB workers; ITK's own threads would only compete with them.
  itk::MultiThreaderBase::SetGlobalDefaultNumberOfThreads(1);

  CLI::App app{
      "samed2d: rebuild SA-Med2D-20M-style 2D segmentation datasets from public 3D and "
      "2D medical imaging datasets"};
  app.set_version_flag("--version", std::string("samed2d ") + SAMED2D_VERSION);
  app.require_subcommand(1);

  ConvertArgs a;
  auto* conv = app.add_subcommand("convert",
                                  "Convert one or several datasets into an SA-Med2D output folder");
  conv->add_option("--dataset", a.dataset, "A bundled dataset by name, e.g. ACDC (see `list`)");
  conv->add_option("--config", a.config,
                   "Dataset config: a JSON file of your own, or the name of a bundled one");
  conv->add_option("--sources", a.sources,
                   "JSON file of dataset name -> input folder: several datasets in one run");
  conv->add_option("--input", a.input, "Folder the source dataset was unpacked into");
  conv->add_option("--output", a.output, "Output folder (created; a rerun skips finished cases)")
      ->required();
  conv->add_option("--classes", a.classes, "Class registry (default: the bundled classes.json)");
  conv->add_option("--profile", a.profile,
                   "Profile NAME or FILE: samed2d_v1 (the release), isotropic (square pixels), "
                   "sam_med2d_256, medsam_1024 (fixed sizes); `samed2d list` describes them")
      ->capture_default_str();
  conv->add_option("--threads", a.threads, "Worker threads (default: all cores)")
      ->check(count_validator());
  conv->add_option("--cases-in-flight", a.cases_in_flight,
                   "Cases held in memory at once (default: threads/2, between 2 and 6)")
      ->check(count_validator());
  conv->add_option("--max-voxels", a.max_voxels,
                   "Refuse volumes larger than N voxels (a corrupt header must not exhaust "
                   "memory)")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 50))
      ->capture_default_str();
  auto* axes =
      conv->add_option("--axes", a.axes, "Slice axes, overriding the profile's, e.g. x,y,z or z");
  conv->add_flag("--quiet", a.quiet, "No progress lines (errors and the summary still print)");
  conv->add_option("--shard", a.shard,
                   "Convert only shard I of N (I/N, from 0), or auto: the task of a Slurm job "
                   "array (auto/N: also Kubernetes' JOB_COMPLETION_INDEX); each shard needs its "
                   "own --output, put together by `samed2d merge`");
  conv->footer(
      "Examples:\n"
      "  samed2d convert --dataset Colin27_AAL --input sample-data/colin27 --output out\n"
      "  samed2d convert --dataset ACDC --input /data/ACDC --output out\n"
      "  samed2d convert --sources sources.json --output out   # {\"ACDC\": \"/data/ACDC\", ...}\n"
      "Exit status: 0 every case converted; 1 some case failed (see OUT/report.json); 2 bad "
      "command line or config (nothing written); 130 interrupted (rerun to resume).");

  std::string merge_output;
  std::vector<std::string> merge_dirs;
  bool merge_quiet = false;
  auto* merge_cmd = app.add_subcommand(
      "merge",
      "Put the output folders of a sharded conversion (convert --shard) together into one, as "
      "a single run would have written it");
  merge_cmd->add_option("--output", merge_output, "The merged output folder")->required();
  merge_cmd->add_option("shards", merge_dirs, "The shards' output folders")->required();
  merge_cmd->add_flag("--quiet", merge_quiet, "No progress lines");
  merge_cmd->footer(
      "Files are hard-linked from the shards (copied across file systems), so the shards stay "
      "whole and\n"
      "can be rerun. Shards can be merged in several rounds; a killed merge is finished by "
      "running it again.\n"
      "Example:\n"
      "  samed2d merge --output /data/SAMed2D /scratch/shard-0 /scratch/shard-1 "
      "/scratch/shard-2\n"
      "Exit status: 0 merged; 1 some case failed in a shard (see OUT/report.json) or a file "
      "could not be placed (rerun); 2 the shards cannot be merged (nothing written).");

  std::string list_dataset;
  auto* list_cmd = app.add_subcommand(
      "list",
      "List the converters, bundled datasets and profiles, or describe one dataset or profile");
  list_cmd->add_option("name", list_dataset,
                       "A bundled dataset (what it reads, its modalities, layout and classes) or "
                       "profile (its options)");

  std::string validate_dir;
  std::size_t validate_examples = 5;
  std::size_t validate_threads = 0;
  auto* validate_cmd = app.add_subcommand(
      "validate",
      "Check an SA-Med2D tree (one samed2d wrote, or the downloaded release): names, the two "
      "JSON files, and the mask PNGs");
  validate_cmd
      ->add_option("dir", validate_dir, "The folder that holds images/, masks/ and the JSON files")
      ->required();
  validate_cmd->add_option("--examples", validate_examples, "Examples shown per kind of problem")
      ->capture_default_str()
      ->check(count_validator());
  validate_cmd->add_option("--threads", validate_threads, "Worker threads (default: all cores)")
      ->check(count_validator());
  validate_cmd->footer(
      "Checks SPEC sections 1, 2, 5 and 6: every file name parses; every path in "
      "SAMed2D_v1.json exists; every file on disk is named by it exactly once, under the image "
      "whose name is its prefix; keys and lists are in ascending byte order; no mask list is "
      "empty; masks are 8-bit grey PNGs of 0 and 255 of their image's size; their class ids are "
      "in SAMed2D_v1_class_mapping_id.json, and each class there has a mask.\n"
      "Examples:\n"
      "  samed2d validate out\n"
      "  samed2d validate /data/SAMed2Dv1 --examples 20\n"
      "Exit status: 0 no problems; 1 problems (each kind with its count and first examples); 2 "
      "bad command line, or DIR is not an SA-Med2D tree.");

  ExportOptions export_options;
  std::string export_format, export_split = "case", export_paths = "absolute";
  auto* export_cmd = app.add_subcommand(
      "export", "Write the JSON files a training framework reads from an SA-Med2D tree");
  export_cmd->add_option("format", export_format, "The framework: sam-med2d")
      ->required()
      ->check(CLI::IsMember({"sam-med2d"}));
  export_cmd->add_option("tree", export_options.tree, "The SA-Med2D tree")->required();
  export_cmd->add_option("--to", export_options.to,
                         "Folder for image2label_train.json and label2image_test.json (default: "
                         "the tree); SAM-Med2D's data_path");
  export_cmd
      ->add_option("--test-fraction", export_options.test_fraction,
                   "Share of each dataset in the test file")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  export_cmd->add_option("--seed", export_options.seed, "Seed of the split")->capture_default_str();
  export_cmd
      ->add_option("--split-by", export_split,
                   "case: every slice of a case on one side (no patient in both); image")
      ->capture_default_str()
      ->check(CLI::IsMember({"case", "image"}));
  export_cmd
      ->add_option("--paths", export_paths,
                   "absolute, or relative to --to (SAM-Med2D opens paths as written)")
      ->capture_default_str()
      ->check(CLI::IsMember({"absolute", "relative"}));
  export_cmd->add_flag("--quiet", export_options.quiet, "No progress line");
  export_cmd->footer(
      "Writes image2label_train.json (image -> its masks, for SAM-Med2D's TrainingDataset) and "
      "label2image_test.json (mask -> its image, for TestingDataset). The split is stratified per "
      "dataset and a function of the seed and the tree alone.\n"
      "Examples:\n"
      "  samed2d export sam-med2d out\n"
      "  samed2d export sam-med2d out --to /data/sammed --test-fraction 0.1 --seed 7\n"
      "  python train.py --data_path /data/sammed   # in SAM-Med2D's checkout\n"
      "Exit status: 0 written; 2 bad command line, or TREE is not a valid SA-Med2D tree.");

  std::string stats_tree, stats_format = "table";
  auto* stats_cmd = app.add_subcommand(
      "stats", "Count images, masks and cases per modality, dataset and class of an SA-Med2D tree");
  stats_cmd->add_option("tree", stats_tree, "The SA-Med2D tree")->required();
  stats_cmd->add_option("--format", stats_format, "table (for a terminal), csv or json")
      ->capture_default_str()
      ->check(CLI::IsMember({"table", "csv", "json"}));
  StatsOptions stats_options;
  bool stats_no_sizes = false;
  stats_cmd->add_flag("--no-sizes", stats_no_sizes,
                      "Read only the JSON files, not the image PNG headers (no image sizes)");
  stats_cmd->add_option("--threads", stats_options.threads, "Worker threads (default: all cores)")
      ->check(count_validator());
  stats_cmd->footer(
      "Reads SAMed2D_v1.json, the class mapping and the image PNG headers (for the sizes; "
      "--no-sizes skips them).\n"
      "Examples:\n"
      "  samed2d stats out\n"
      "  samed2d stats /data/SAMed2Dv1 --format csv > counts.csv\n"
      "Exit status: 0 printed; 2 bad command line, or TREE is not an SA-Med2D tree.");

  ReportOptions report_options;
  auto* report_cmd = app.add_subcommand(
      "report", "Write an HTML page with a tree's statistics, charts and sample previews");
  report_cmd->add_option("tree", report_options.tree, "The SA-Med2D tree")->required();
  report_cmd->add_option("--to", report_options.to,
                         "The HTML file (default: TREE/report.html); previews go to a folder "
                         "beside it");
  report_cmd->add_option("--samples", report_options.samples, "Preview images per dataset")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{0}, std::size_t{1000}));
  report_cmd->add_flag("--quiet", report_options.quiet, "No progress line");
  report_cmd->footer(
      "The page needs no network: charts are inline SVG, previews PNG files in "
      "<page name>_previews/ beside it (never in images/ or masks/).\n"
      "Examples:\n"
      "  samed2d report out && chromium out/report.html\n"
      "  samed2d report /data/SAMed2Dv1 --to /tmp/sa.html --samples 8\n"
      "Exit status: 0 written; 2 bad command line, or TREE is not an SA-Med2D tree.");

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
    static const std::set<std::string> kCommands{"convert", "merge", "list",  "validate",
                                                 "export",  "stats", "report"};
    if (argc > 1 && kCommands.count(argv[1]) == 0 && argv[1][0] != '-')
      what = fmt::format("unknown command '{}'", argv[1]);
    std::cerr << fmt::format("samed2d: error: {}; run 'samed2d --help' for the usage\n", what);
    return 2;
  }
  a.axes_given = axes->count() > 0;
  if (conv->parsed()) return convert(a);
  if (merge_cmd->parsed()) return merge(merge_output, merge_dirs, merge_quiet);
  if (validate_cmd->parsed()) return validate(validate_dir, validate_examples, validate_threads);
  if (export_cmd->parsed()) {
    export_options.split_by_case = export_split == "case";
    export_options.absolute_paths = export_paths == "absolute";
    return export_sam_med2d(export_options);
  }
  if (stats_cmd->parsed()) {
    stats_options.sizes = !stats_no_sizes;
    return print_stats(stats_tree, stats_format, stats_options);
  }
  if (report_cmd->parsed()) return write_report(report_options);
  return list_dataset.empty() ? list() : describe(list_dataset);
}

}  // namespace samed2d
