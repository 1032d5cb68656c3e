// End-to-end: a conversion of two datasets split with --shard and put back together with
// `samed2d merge` must equal one run of the same command, byte for byte (PNGs, both JSON files,
// report.json, case records), however the merge is done: all at once, in rounds, or killed and
// rerun. Shards that cannot be merged are refused before anything is written.

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "support/DatasetRun.hpp"
#include "support/RunTool.hpp"
#include "support/TestData.hpp"

namespace samed2d::test {
namespace {

namespace fs = std::filesystem;

// One case: a ramp image and a label holding `values` in boxes on a few slices. `depth` varies
// the source bytes, so that the partition has sizes to balance.
void make_case(const fs::path& root, const std::string& name, std::size_t depth,
               const std::vector<std::uint8_t>& values) {
  const std::array<std::size_t, 3> size{14, 12, depth};
  std::vector<std::int16_t> image(size[0] * size[1] * size[2]);
  for (std::size_t v = 0; v < image.size(); ++v)
    image[v] = static_cast<std::int16_t>((v * 7 + depth) % 401);
  write_volume(root / (name + ".nii.gz"), size, image);
  std::vector<std::uint8_t> label;
  for (std::size_t i = 0; i < values.size(); ++i)
    fill_box(label, size, {1 + 6 * i, 2, 1}, {5 + 6 * i, 8, depth - 1}, values[i]);
  label.resize(image.size(), 0);
  write_volume(root / (name + "_seg.nii.gz"), size, label);
}

// Files that say how a folder was made (a shard, a merge) rather than what it holds: the only
// ones allowed to differ from a single run.
bool state_file(const std::string& rel) {
  return rel == ".samed2d/lock" || rel == ".samed2d/shard.json" || rel == ".samed2d/merge.json" ||
         rel.rfind(".samed2d/merged/", 0) == 0;
}

std::map<std::string, std::vector<std::uint8_t>> content(const fs::path& root) {
  auto files = tree_bytes(root);
  std::erase_if(files, [](const auto& f) { return state_file(f.first); });
  return files;
}

std::vector<std::string> names(const std::map<std::string, std::vector<std::uint8_t>>& files) {
  std::vector<std::string> out;
  for (const auto& [name, bytes] : files) out.push_back(name);
  return out;
}

class ShardMergeTest : public ::testing::Test {
 protected:
  TempDir dir;
  fs::path sources = dir / "sources.json";

  void SetUp() override {
    // Two datasets; one case of the second is a damaged file, so the report has a failure.
    for (int c = 0; c < 5; ++c)
      make_case(dir / "a", "a_" + std::to_string(c), 3 + static_cast<std::size_t>(c) * 2, {1, 2});
    for (int c = 0; c < 3; ++c)
      make_case(dir / "b", "b_" + std::to_string(c), 4 + static_cast<std::size_t>(c), {1});
    write_text_file(dir / "b" / "b_9.nii.gz", "not a NIfTI file");
    write_volume<std::uint8_t>(dir / "b" / "b_9_seg.nii.gz", {14, 12, 4},
                               std::vector<std::uint8_t>(14 * 12 * 4, 0));
    write_text_file(dir / "cfg" / "ShardA.json", R"({"dataset": "ShardA",
      "cases": "*[0-9].nii.gz", "modality": "ct_00", "label": "{stem}_seg.nii.gz",
      "labels": {"1": "liver", "2": "spleen"}})");
    write_text_file(dir / "cfg" / "ShardB.json", R"({"dataset": "ShardB",
      "cases": "*[0-9].nii.gz", "modality": "mr_t1", "label": "{stem}_seg.nii.gz",
      "labels": {"1": "left_kidney"}})");
    write_text_file(sources, R"({"cfg/ShardA.json": "a", "cfg/ShardB.json": "b"})");
  }

  ToolRun convert(const fs::path& out, const std::string& shard = "",
                  const std::string& profile = "samed2d_v1") {
    std::vector<std::string> args{"convert",    "--sources", sources.string(), "--output",
                                  out.string(), "--profile", profile,          "--quiet"};
    if (!shard.empty()) args.insert(args.end(), {"--shard", shard});
    return run_samed2d(args);
  }

  std::vector<std::string> merge_args(const fs::path& out, const std::vector<int>& shards) {
    std::vector<std::string> args{"merge", "--output", out.string(), "--quiet"};
    for (const int s : shards) args.push_back((dir / ("s" + std::to_string(s))).string());
    return args;
  }

  // The single run and three shards of the same command.
  std::map<std::string, std::vector<std::uint8_t>> single_and_shards() {
    const auto one = convert(dir / "single");
    EXPECT_EQ(one.exit_code, 1) << one.err;  // the damaged case
    for (int s = 0; s < 3; ++s) {
      const auto run = convert(dir / ("s" + std::to_string(s)), std::to_string(s) + "/3");
      EXPECT_TRUE(run.exit_code == 0 || run.exit_code == 1) << run.err;
      EXPECT_NE(run.err.find("shard " + std::to_string(s) + " of 3 (--shard " + std::to_string(s) +
                             "/3): "),
                std::string::npos)
          << run.err;
    }
    return content(dir / "single");
  }

  void expect_same(const fs::path& merged,
                   const std::map<std::string, std::vector<std::uint8_t>>& want) {
    const auto got = content(merged);
    ASSERT_EQ(names(got), names(want));
    for (const auto& [name, bytes] : want) EXPECT_EQ(got.at(name), bytes) << name;
  }
};

TEST_F(ShardMergeTest, ThreeShardsMergedAreByteIdenticalToOneRun) {
  const auto want = single_and_shards();
  // The shards split the cases: each holds some, none holds one twice, together all.
  std::multiset<std::string> records;
  for (int s = 0; s < 3; ++s) {
    std::size_t here = 0;
    for (const auto& e :
         fs::directory_iterator(dir / ("s" + std::to_string(s)) / ".samed2d" / "cases")) {
      records.insert(e.path().filename().string());
      ++here;
    }
    EXPECT_GE(here, 2u) << "shard " << s << " is unbalanced";
  }
  std::multiset<std::string> single_records;
  for (const auto& e : fs::directory_iterator(dir / "single" / ".samed2d" / "cases"))
    single_records.insert(e.path().filename().string());
  EXPECT_EQ(records, single_records);

  const auto merged = run_samed2d(merge_args(dir / "merged", {0, 1, 2}));
  EXPECT_EQ(merged.exit_code, 1) << merged.err;  // a shard reports the damaged case
  EXPECT_NE(merged.out.find("8 case(s) placed"), std::string::npos) << merged.out;
  EXPECT_NE(merged.out.find("1 failed in the shards"), std::string::npos) << merged.out;
  expect_same(dir / "merged", want);
  // Hard links: the shards keep their files.
  const fs::path some_image = fs::directory_iterator(dir / "merged" / "images")->path();
  EXPECT_EQ(fs::hard_link_count(some_image), 2u);
  // Merging again changes nothing.
  const auto again = run_samed2d(merge_args(dir / "merged", {0, 1, 2}));
  EXPECT_NE(again.out.find("0 case(s) placed"), std::string::npos) << again.out;
  expect_same(dir / "merged", want);
}

TEST_F(ShardMergeTest, MergedInRoundsOrKilledAndRerunGivesTheSameTree) {
  const auto want = single_and_shards();
  // Rounds: what is finished first, the rest later.
  ASSERT_LE(run_samed2d(merge_args(dir / "rounds", {2})).exit_code, 1);
  EXPECT_NE(content(dir / "rounds"), want);
  ASSERT_LE(run_samed2d(merge_args(dir / "rounds", {0, 1})).exit_code, 1);
  expect_same(dir / "rounds", want);

  // SIGKILL at moments spread over a merge (tens of milliseconds here), then one whole rerun.
  int kills = 0;
  for (const int us : {500, 2000, 5000, 9000, 14000, 20000, 30000, 45000}) {
    const int pid = start_samed2d(merge_args(dir / "killed", {0, 1, 2}));
    ::usleep(static_cast<useconds_t>(us));
    ::kill(pid, SIGKILL);
    if (wait_samed2d(pid) == 128 + SIGKILL) ++kills;
    for (const char* sub : {"images", "masks"}) {
      if (!fs::exists(dir / "killed" / sub)) continue;
      for (const auto& e : fs::directory_iterator(dir / "killed" / sub))
        EXPECT_NO_THROW(read_png(e.path())) << e.path() << " after a kill at " << us << " us";
    }
  }
  EXPECT_GE(kills, 3);
  ASSERT_LE(run_samed2d(merge_args(dir / "killed", {0, 1, 2})).exit_code, 1);
  expect_same(dir / "killed", want);
  // Nothing temporary is left.
  EXPECT_TRUE(fs::is_empty(dir / "killed" / ".samed2d" / "pending"));
  EXPECT_FALSE(fs::exists(dir / "killed" / ".samed2d" / "tmp"));
}

TEST_F(ShardMergeTest, ShardsThatCannotBeMergedAreRefusedBeforeAnythingIsWritten) {
  single_and_shards();
  auto refused = [&](const std::vector<std::string>& args, const std::string& says) {
    const fs::path out = args[2];
    const bool existed = fs::exists(out);
    const auto before = existed ? content(out) : decltype(content(out)){};
    const auto run = run_samed2d(args);
    EXPECT_EQ(run.exit_code, 2) << run.err;
    EXPECT_NE(run.err.find(says), std::string::npos) << run.err;
    if (existed)
      EXPECT_EQ(content(out), before) << out << " changed";
    else
      EXPECT_FALSE(fs::exists(out / "images")) << "something was written into " << out;
  };
  // A folder that is no shard.
  auto args = merge_args(dir / "m1", {0, 1});
  args.push_back((dir / "single").string());
  refused(args, "single: not a shard (it has no .samed2d/shard.json)");
  // A shard of another profile.
  ASSERT_LE(convert(dir / "iso", "1/3", "isotropic").exit_code, 1);
  args = merge_args(dir / "m2", {0, 2});
  args.push_back((dir / "iso").string());
  refused(args, "were converted with different options");
  // A shard given twice under two folders.
  fs::copy(dir / "s1", dir / "s1copy", fs::copy_options::recursive);
  args = merge_args(dir / "m3", {0, 1});
  args.push_back((dir / "s1copy").string());
  refused(args, "shard 1 is given twice");
  // An unfinished shard: its run was killed with a case in flight.
  fs::copy(dir / "s2", dir / "s2unfinished", fs::copy_options::recursive);
  write_text_file(dir / "s2unfinished" / ".samed2d" / "pending" / "ShardA--a_9--ct_00.json",
                  "[\"ct_00--ShardA--a_9--\"]\n");
  args = merge_args(dir / "m4", {0, 1});
  args.push_back((dir / "s2unfinished").string());
  refused(args,
          "has 1 unfinished case(s) (first: ShardA--a_9--ct_00.json), so its run was "
          "interrupted; rerun the convert command of shard 2");
  // The same case in two shards with different records.
  const fs::path cases0 = dir / "s0" / ".samed2d" / "cases";
  const fs::path record = fs::directory_iterator(cases0)->path();
  const auto bytes = read_bytes(record);
  auto edited = nlohmann::json::parse(bytes.begin(), bytes.end());
  edited["warnings"].push_back("edited");
  fs::copy(dir / "s1", dir / "s1dup", fs::copy_options::recursive);
  write_text_file(dir / "s1dup" / ".samed2d" / "cases" / record.filename(), edited.dump(2));
  args = merge_args(dir / "m5", {0, 2});
  args.push_back((dir / "s1dup").string());
  refused(args, "with different records (other inputs or options)");
  // An output that holds a conversion of its own.
  refused(merge_args(dir / "single", {0, 1, 2}), "holds a conversion of its own, not a merge");
}

TEST_F(ShardMergeTest, AShardFolderServesOneShardOfOneRun) {
  ASSERT_LE(convert(dir / "s0", "0/3").exit_code, 1);
  const auto other = convert(dir / "s0", "1/3");
  EXPECT_EQ(other.exit_code, 2);
  EXPECT_NE(other.err.find("holds shard 0 of 3 of another sharded run"), std::string::npos)
      << other.err;
  // The same shard again resumes like any rerun.
  const auto again = convert(dir / "s0", "0/3");
  EXPECT_LE(again.exit_code, 1) << again.err;
  EXPECT_NE(again.out.find("0 converted"), std::string::npos) << again.out;
  const auto bad = convert(dir / "s9", "3/3");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--shard 3/3: shard 3 does not exist among 3 (they are 0 to 2)"),
            std::string::npos)
      << bad.err;
}

}  // namespace
}  // namespace samed2d::test
