#pragma once
// `samed2d merge`: the output folders of a sharded conversion (convert --shard) put together into
// one, byte-identical to a single run of the same command. Files are hard-linked from the shards
// (copied when OUT is on another file system), so the shards stay whole: a shard can be rerun
// and merged again, and a merge killed at any moment is finished by running it again.

#include <cstddef>
#include <filesystem>
#include <vector>

#include "pipeline/core/Console.hpp"
#include "pipeline/output/OutputTree.hpp"

namespace samed2d {

struct MergeResult {
  std::size_t shards = 0;
  std::size_t merged = 0;   // cases placed into OUT by this merge
  std::size_t already = 0;  // cases OUT held from an earlier merge
  std::size_t linked = 0;   // files hard-linked
  std::size_t copied = 0;   // files copied (another file system)
  std::size_t failed = 0;   // failed cases the shards report
  OutputTree::Totals totals;
};

// Merges `shards` into `output` (which the caller has created and locked). Throws ConfigError,
// before anything is written, for folders that are no shards, shards of different runs,
// unfinished shards and cases present twice with different records; std::runtime_error when a
// file cannot be placed (the rerun finishes the merge).
MergeResult merge_shards(const std::filesystem::path& output,
                         const std::vector<std::filesystem::path>& shards, Console& console);

}  // namespace samed2d
