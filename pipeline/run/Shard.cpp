#include "pipeline/run/Shard.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numeric>
#include <optional>
#include <string_view>

#include "pipeline/core/Errors.hpp"
#include "pipeline/output/CaseRecord.hpp"
#include "pipeline/output/OutputTree.hpp"

namespace samed2d {

namespace {

constexpr std::size_t kMaxShards = 100000;

std::optional<std::size_t> number(std::string_view text) {
  std::size_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return v;
}

std::size_t count_of(std::string_view text, const std::string& shown) {
  const auto n = number(text);
  if (!n || *n == 0 || *n > kMaxShards)
    throw ConfigError(fmt::format("--shard {}: the shard count must be a number from 1 to {}",
                                  shown, kMaxShards));
  return *n;
}

std::optional<std::size_t> env_number(const EnvLookup& env, const char* name,
                                      const std::string& shown) {
  const char* value = env(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  const auto n = number(value);
  if (!n)
    throw ConfigError(
        fmt::format("--shard {}: {}={} is not a number; run the command as a task of the job "
                    "array, or give the shard as I/N",
                    shown, name, value));
  return n;
}

ShardChoice from_environment(const std::string& text, std::optional<std::size_t> given_count,
                             const EnvLookup& env) {
  ShardChoice c;
  if (const auto id = env_number(env, "SLURM_ARRAY_TASK_ID", text)) {
    const std::size_t min = env_number(env, "SLURM_ARRAY_TASK_MIN", text).value_or(0);
    const std::size_t step = env_number(env, "SLURM_ARRAY_TASK_STEP", text).value_or(1);
    const auto count = env_number(env, "SLURM_ARRAY_TASK_COUNT", text);
    if (*id < min || step == 0 || (*id - min) % step != 0)
      throw ConfigError(fmt::format(
          "--shard {}: SLURM_ARRAY_TASK_ID={} is not on the array's range (min {}, step {}); "
          "submit the job as an array (sbatch --array=0-N)",
          text, *id, min, step));
    if (!count && !given_count)
      throw ConfigError(fmt::format(
          "--shard {}: SLURM_ARRAY_TASK_COUNT is not set; give the task count as auto/N", text));
    if (count && given_count && *count != *given_count)
      throw ConfigError(fmt::format(
          "--shard {}: the array has {} tasks (SLURM_ARRAY_TASK_COUNT), not {}; give the same "
          "count as the array, or plain auto",
          text, *count, *given_count));
    c.index = (*id - min) / step;
    c.count = given_count ? *given_count : *count;
    c.origin = fmt::format(
        "SLURM_ARRAY_TASK_ID={}, SLURM_ARRAY_TASK_MIN={}, SLURM_ARRAY_TASK_STEP={}, {} tasks", *id,
        min, step, c.count);
  } else if (const auto k8s = env_number(env, "JOB_COMPLETION_INDEX", text)) {
    if (!given_count)
      throw ConfigError(fmt::format(
          "--shard {}: JOB_COMPLETION_INDEX={} gives the task but not how many there are; use "
          "--shard auto/N with the Job's completions",
          text, *k8s));
    c.index = *k8s;
    c.count = *given_count;
    c.origin = fmt::format("JOB_COMPLETION_INDEX={}, {} tasks", *k8s, c.count);
  } else {
    throw ConfigError(fmt::format(
        "--shard {}: neither SLURM_ARRAY_TASK_ID (a Slurm job array) nor JOB_COMPLETION_INDEX "
        "(a Kubernetes Indexed Job) is set; give the shard as I/N outside a job array",
        text));
  }
  if (c.count > kMaxShards)
    throw ConfigError(
        fmt::format("--shard {}: {} tasks is more than {}", text, c.count, kMaxShards));
  return c;
}

std::string size_text(std::uint64_t bytes) {
  if (bytes < 1000000) return fmt::format("{} KB", (bytes + 999) / 1000);
  if (bytes < 1000000000) return fmt::format("{:.1f} MB", static_cast<double>(bytes) / 1e6);
  return fmt::format("{:.1f} GB", static_cast<double>(bytes) / 1e9);
}

}  // namespace

ShardChoice parse_shard(const std::string& text, const EnvLookup& env) {
  const auto slash = text.find('/');
  const std::string_view head = std::string_view(text).substr(0, slash);
  const std::optional<std::size_t> count =
      slash == std::string::npos
          ? std::nullopt
          : std::optional<std::size_t>(count_of(std::string_view(text).substr(slash + 1), text));
  ShardChoice c;
  if (head == "auto") {
    c = from_environment(text, count, env);
  } else {
    const auto index = number(head);
    if (!index || !count)
      throw ConfigError(fmt::format(
          "--shard {}: give I/N (shard I of N, counted from 0, e.g. 0/4) or auto", text));
    c.index = *index;
    c.count = *count;
    c.origin = "--shard " + text;
  }
  if (c.index >= c.count)
    throw ConfigError(fmt::format("--shard {}: shard {} does not exist among {} (they are 0 to {})",
                                  text, c.index, c.count, c.count - 1));
  return c;
}

std::uint64_t case_source_bytes(const CaseSpec& spec) {
  std::uint64_t bytes = stamp_source(spec.label).size;
  for (const auto& s : spec.sequences) bytes += stamp_source(s.image).size;
  for (const auto& e : spec.extra_sources) bytes += stamp_source(e).size;
  return bytes;
}

std::vector<std::size_t> assign_shards(const std::vector<std::uint64_t>& bytes, std::size_t count) {
  std::vector<std::size_t> order(bytes.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return bytes[a] > bytes[b]; });
  std::vector<std::uint64_t> load(count, 0);
  std::vector<std::size_t> shard(bytes.size(), 0);
  for (const std::size_t c : order) {
    const auto lightest = static_cast<std::size_t>(std::min_element(load.begin(), load.end()) -
                                                   load.begin());  // the first of equals
    shard[c] = lightest;
    // A case of 0 bytes still counts, so that empty cases spread too.
    load[lightest] += std::max<std::uint64_t>(bytes[c], 1);
  }
  return shard;
}

std::vector<CaseSpec> take_shard(std::vector<CaseSpec> cases, const ShardChoice& shard,
                                 Console& console) {
  std::vector<std::uint64_t> bytes;
  bytes.reserve(cases.size());
  for (const auto& c : cases) bytes.push_back(case_source_bytes(c));
  const auto where = assign_shards(bytes, shard.count);
  std::vector<CaseSpec> mine;
  std::uint64_t mine_bytes = 0;
  const std::uint64_t all_bytes = std::accumulate(bytes.begin(), bytes.end(), std::uint64_t{0});
  for (std::size_t i = 0; i < cases.size(); ++i) {
    if (where[i] != shard.index) continue;
    mine_bytes += bytes[i];
    mine.push_back(std::move(cases[i]));
  }
  console.info(fmt::format("shard {} of {} ({}): {} of {} cases, {} of {} of sources", shard.index,
                           shard.count, shard.origin, mine.size(), cases.size(),
                           size_text(mine_bytes), size_text(all_bytes)));
  return mine;
}

void write_shard_state(const std::filesystem::path& output, const ShardChoice& shard,
                       const nlohmann::json& run) {
  const nlohmann::json state = {{"shard", shard.index}, {"shards", shard.count}, {"run", run}};
  const auto file = output / ".samed2d" / "shard.json";
  std::error_code ec;
  if (std::filesystem::exists(file, ec)) {
    std::ifstream in(file);
    const auto old = nlohmann::json::parse(in, nullptr, false);
    if (old != state)
      throw ConfigError(fmt::format(
          "--output {}: holds {} of another sharded run (other shard, count, profile or "
          "datasets); give each shard of each run its own --output",
          output.string(),
          old.is_object() && old.contains("shard") && old.contains("shards")
              ? fmt::format("shard {} of {}", old["shard"].dump(), old["shards"].dump())
              : std::string("a shard")));
    return;
  }
  if (std::filesystem::exists(output / ".samed2d" / "cases", ec) &&
      !std::filesystem::is_empty(output / ".samed2d" / "cases", ec))
    throw ConfigError(fmt::format(
        "--output {}: holds a conversion without --shard; give each shard its own new --output",
        output.string()));
  std::filesystem::create_directories(output / ".samed2d");
  write_text_atomic(output / ".samed2d" / "shard.json", state.dump(2) + "\n");
}

}  // namespace samed2d
