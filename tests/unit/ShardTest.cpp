#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <string>
#include <vector>

#include "pipeline/core/Errors.hpp"
#include "pipeline/run/Shard.hpp"
#include "support/ErrorOf.hpp"

namespace samed2d {
namespace {

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> const char* {
    const auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}

std::string error_of(const std::string& text, const EnvLookup& env) {
  return test::error_of<ConfigError>([&] { parse_shard(text, env); }, "no ConfigError");
}

TEST(ShardTest, GivenShardsAreCountedFromZero) {
  const auto none = env_of({});
  const ShardChoice c = parse_shard("2/5", none);
  EXPECT_EQ(c.index, 2u);
  EXPECT_EQ(c.count, 5u);
  EXPECT_EQ(c.origin, "--shard 2/5");
  EXPECT_EQ(parse_shard("0/1", none).count, 1u);
  EXPECT_EQ(error_of("5/5", none), "--shard 5/5: shard 5 does not exist among 5 (they are 0 to 4)");
  EXPECT_EQ(error_of("1/0", none),
            "--shard 1/0: the shard count must be a number from 1 to 100000");
  for (const char* bad : {"3", "a/4", "-1/4", "/4", ""})
    EXPECT_NE(error_of(bad, none).find("give I/N (shard I of N, counted from 0"), std::string::npos)
        << bad;
  EXPECT_NE(error_of("1/4x", none).find("the shard count must be a number"), std::string::npos);
}

TEST(ShardTest, AutoReadsTheSlurmArrayWhateverItsFirstIdAndStep) {
  // sbatch --array=0-3: IDs 0..3.
  ShardChoice c =
      parse_shard("auto", env_of({{"SLURM_ARRAY_TASK_ID", "3"}, {"SLURM_ARRAY_TASK_COUNT", "4"}}));
  EXPECT_EQ(c.index, 3u);
  EXPECT_EQ(c.count, 4u);
  // --array=1-7:2: IDs 1, 3, 5, 7 are shards 0..3.
  c = parse_shard("auto", env_of({{"SLURM_ARRAY_TASK_ID", "5"},
                                  {"SLURM_ARRAY_TASK_MIN", "1"},
                                  {"SLURM_ARRAY_TASK_STEP", "2"},
                                  {"SLURM_ARRAY_TASK_COUNT", "4"}}));
  EXPECT_EQ(c.index, 2u);
  EXPECT_EQ(c.count, 4u);
  EXPECT_EQ(c.origin,
            "SLURM_ARRAY_TASK_ID=5, SLURM_ARRAY_TASK_MIN=1, SLURM_ARRAY_TASK_STEP=2, 4 tasks");
  EXPECT_NE(
      error_of("auto/3", env_of({{"SLURM_ARRAY_TASK_ID", "1"}, {"SLURM_ARRAY_TASK_COUNT", "4"}}))
          .find("the array has 4 tasks (SLURM_ARRAY_TASK_COUNT), not 3"),
      std::string::npos);
  EXPECT_NE(error_of("auto", env_of({{"SLURM_ARRAY_TASK_ID", "x"}})).find("is not a number"),
            std::string::npos);
}

TEST(ShardTest, AutoWithACountReadsAKubernetesIndexedJob) {
  const ShardChoice c = parse_shard("auto/6", env_of({{"JOB_COMPLETION_INDEX", "4"}}));
  EXPECT_EQ(c.index, 4u);
  EXPECT_EQ(c.count, 6u);
  EXPECT_EQ(c.origin, "JOB_COMPLETION_INDEX=4, 6 tasks");
  EXPECT_NE(error_of("auto", env_of({{"JOB_COMPLETION_INDEX", "4"}})).find("use --shard auto/N"),
            std::string::npos);
  EXPECT_NE(error_of("auto/6", env_of({{"JOB_COMPLETION_INDEX", "6"}})).find("does not exist"),
            std::string::npos);
  EXPECT_NE(error_of("auto", env_of({})).find("neither SLURM_ARRAY_TASK_ID"), std::string::npos);
}

TEST(ShardTest, PartitionBalancesBytesAndIsTheSameEveryTime) {
  // One big case and many small ones: the big one alone, the small ones spread over the rest.
  std::vector<std::uint64_t> bytes{10, 1000, 10, 10, 10, 10, 10, 10, 10};
  const auto shard = assign_shards(bytes, 3);
  ASSERT_EQ(shard.size(), bytes.size());
  EXPECT_EQ(shard[1], 0u);
  std::vector<std::uint64_t> load(3, 0);
  std::vector<std::size_t> cases(3, 0);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    load[shard[i]] += bytes[i];
    ++cases[shard[i]];
  }
  EXPECT_EQ(load, (std::vector<std::uint64_t>{1000, 40, 40}));
  EXPECT_EQ(cases, (std::vector<std::size_t>{1, 4, 4}));
  EXPECT_EQ(assign_shards(bytes, 3), shard);
  // Equal sizes: round robin in list order.
  EXPECT_EQ(assign_shards({5, 5, 5, 5, 5}, 2), (std::vector<std::size_t>{0, 1, 0, 1, 0}));
  // Empty cases still spread; more shards than cases leave some empty.
  EXPECT_EQ(assign_shards({0, 0, 0}, 3), (std::vector<std::size_t>{0, 1, 2}));
  EXPECT_EQ(assign_shards({7}, 4), (std::vector<std::size_t>{0}));
  // Greedy by size: no shard holds more than the lightest plus the largest case.
  std::vector<std::uint64_t> many(200);
  for (std::size_t i = 0; i < many.size(); ++i) many[i] = (i * 7919) % 1000 + 1;
  const auto s8 = assign_shards(many, 8);
  std::vector<std::uint64_t> l8(8, 0);
  for (std::size_t i = 0; i < many.size(); ++i) l8[s8[i]] += many[i];
  EXPECT_LE(*std::max_element(l8.begin(), l8.end()) - *std::min_element(l8.begin(), l8.end()),
            *std::max_element(many.begin(), many.end()));
}

}  // namespace
}  // namespace samed2d
