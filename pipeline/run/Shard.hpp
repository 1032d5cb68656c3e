#pragma once
// Shards: one conversion split over the tasks of a job array (Slurm, Kubernetes Indexed Jobs).
// Every task sees the same case list and computes the same partition, balanced by the cases'
// source bytes; each converts its own part into its own output folder, and `samed2d merge`
// puts the folders back together.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "pipeline/core/CaseSpec.hpp"
#include "pipeline/core/Console.hpp"

namespace samed2d {

struct ShardChoice {
  std::size_t index = 0;  // 0-based
  std::size_t count = 1;
  std::string origin;  // how it was chosen, for the console ("--shard 1/3", "SLURM_ARRAY_...")
};

// Reads the environment (std::getenv by default; tests pass their own).
using EnvLookup = std::function<const char*(const char*)>;

// Parses the value of --shard: "I/N" (0 <= I < N), "auto" (Slurm's SLURM_ARRAY_TASK_ID,
// _MIN, _STEP and _COUNT) or "auto/N" (Slurm's, or Kubernetes' JOB_COMPLETION_INDEX, with N
// tasks). Throws ConfigError with what to do.
ShardChoice parse_shard(const std::string& text, const EnvLookup& env);

// The bytes a case reads: its images, label map and extra sources (a DICOM folder counts its
// files), as the case record stamps them.
std::uint64_t case_source_bytes(const CaseSpec& spec);

// Which shard each case goes to: the largest case first (ties in list order) onto the shard with
// the fewest bytes so far (ties to the lower index). The same `bytes` give the same partition.
std::vector<std::size_t> assign_shards(const std::vector<std::uint64_t>& bytes, std::size_t count);

// Keeps the cases of `shard`, in their order, and tells the console which share they are.
std::vector<CaseSpec> take_shard(std::vector<CaseSpec> cases, const ShardChoice& shard,
                                 Console& console);

// OUT/.samed2d/shard.json: which shard of which run (`run`: tool version, profile, datasets)
// this folder holds, for `samed2d merge`. Written atomically.
void write_shard_state(const std::filesystem::path& output, const ShardChoice& shard,
                       const nlohmann::json& run);

}  // namespace samed2d
