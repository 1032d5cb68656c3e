// `samed2d convert` and `samed2d merge`: the checks of the command line, the configs and the
// output folder before any work, the run, and its summary line.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <set>

#include "app/BundledConfigs.hpp"
#include "app/Commands.hpp"
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

namespace samed2d {

namespace fs = std::filesystem;

namespace {

std::atomic<bool> g_cancel{false};

extern "C" void on_signal(int) {
  // A second Ctrl-C ends the process at once (files in images/ and masks/ are still whole).
  if (g_cancel.exchange(true)) std::_Exit(130);
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

// The datasets of a run from --dataset, --config or --sources, each config loaded and its input
// and the output checked, in dataset name order.
std::vector<DatasetJob> plan_jobs(const ConvertArgs& a, const fs::path& dir,
                                  const ClassRegistry& classes) {
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
  return jobs;
}

// The cases of every dataset, warning about the folders their discovery could not list.
std::vector<CaseSpec> discover_jobs(const std::vector<DatasetJob>& jobs, Console& console) {
  std::vector<CaseSpec> cases;
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
  return cases;
}

// The summary line of a run (and where its failed cases are listed); returns the exit status.
int print_summary(const ConvertResult& r, const std::string& output) {
  // Without the JSON files (they could not be written) the totals of OUT are unknown.
  const std::string shown_output = printable(output);
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

    const std::vector<DatasetJob> jobs = plan_jobs(a, dir, classes);
    cases = discover_jobs(jobs, console);
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
  return print_summary(r, a.output);
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

}  // namespace

Command add_convert(CLI::App& app) {
  auto a = std::make_shared<ConvertArgs>();
  auto* conv = app.add_subcommand("convert",
                                  "Convert one or several datasets into an SA-Med2D output folder");
  conv->add_option("--dataset", a->dataset, "A bundled dataset by name, e.g. ACDC (see `list`)");
  conv->add_option("--config", a->config,
                   "Dataset config: a JSON file of your own, or the name of a bundled one");
  conv->add_option("--sources", a->sources,
                   "JSON file of dataset name -> input folder: several datasets in one run");
  conv->add_option("--input", a->input, "Folder the source dataset was unpacked into");
  conv->add_option("--output", a->output, "Output folder (created; a rerun skips finished cases)")
      ->required();
  conv->add_option("--classes", a->classes, "Class registry (default: the bundled classes.json)");
  conv->add_option("--profile", a->profile,
                   "Profile NAME or FILE: samed2d_v1 (the release), isotropic (square pixels), "
                   "sam_med2d_256, medsam_1024 (fixed sizes); `samed2d list` describes them")
      ->capture_default_str();
  conv->add_option("--threads", a->threads, "Worker threads (default: all cores)")
      ->check(count_validator());
  conv->add_option("--cases-in-flight", a->cases_in_flight,
                   "Cases held in memory at once (default: threads/2, between 2 and 6)")
      ->check(count_validator());
  conv->add_option("--max-voxels", a->max_voxels,
                   "Refuse volumes larger than N voxels (a corrupt header must not exhaust "
                   "memory)")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 50))
      ->capture_default_str();
  auto* axes =
      conv->add_option("--axes", a->axes, "Slice axes, overriding the profile's, e.g. x,y,z or z");
  conv->add_flag("--quiet", a->quiet, "No progress lines (errors and the summary still print)");
  conv->add_option("--shard", a->shard,
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
  return {conv, [a, axes] {
            a->axes_given = axes->count() > 0;
            return convert(*a);
          }};
}

Command add_merge(CLI::App& app) {
  struct MergeArgs {
    std::string output;
    std::vector<std::string> dirs;
    bool quiet = false;
  };
  auto m = std::make_shared<MergeArgs>();
  auto* merge_cmd = app.add_subcommand(
      "merge",
      "Put the output folders of a sharded conversion (convert --shard) together into one, as "
      "a single run would have written it");
  merge_cmd->add_option("--output", m->output, "The merged output folder")->required();
  merge_cmd->add_option("shards", m->dirs, "The shards' output folders")->required();
  merge_cmd->add_flag("--quiet", m->quiet, "No progress lines");
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
  return {merge_cmd, [m] { return merge(m->output, m->dirs, m->quiet); }};
}

}  // namespace samed2d
