#include "pipeline/run/Merge.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <string>
#include <unordered_set>

#include "pipeline/core/Errors.hpp"
#include "pipeline/core/Naming.hpp"
#include "pipeline/core/Text.hpp"
#include "pipeline/output/CaseRecord.hpp"
#include "pipeline/run/Finalize.hpp"

namespace samed2d {

namespace fs = std::filesystem;

namespace {

struct Shard {
  fs::path dir;
  std::size_t index = 0;
  std::size_t count = 0;
  nlohmann::json run;                // tool version, profile, datasets: one per convert command
  std::vector<FailedCase> failures;  // from its report.json
};

nlohmann::json read_json(const fs::path& file, const std::string& what_to_do) {
  std::ifstream in(file);
  if (!in) throw ConfigError(fmt::format("{}: cannot be read; {}", file.string(), what_to_do));
  try {
    return nlohmann::json::parse(in);
  } catch (const std::exception& e) {
    throw ConfigError(
        fmt::format("{}: not valid JSON ({}); {}", file.string(), one_line(e.what()), what_to_do));
  }
}

std::string rerun(const Shard& s) {
  return fmt::format(
      "rerun the convert command of shard {} (array task {}; it resumes), then merge "
      "again",
      s.index, s.index);
}

Shard read_shard(const fs::path& dir) {
  const fs::path state = dir / ".samed2d" / "shard.json";
  std::error_code ec;
  if (!fs::is_regular_file(state, ec))
    throw ConfigError(fmt::format(
        "{}: not a shard (it has no .samed2d/shard.json); give the folders that `samed2d "
        "convert --shard` wrote",
        dir.string()));
  Shard s;
  s.dir = dir;
  const nlohmann::json j =
      read_json(state, "rerun the shard's convert command into a new folder, then merge again");
  try {
    s.index = j.at("shard").get<std::size_t>();
    s.count = j.at("shards").get<std::size_t>();
    s.run = j.at("run");
  } catch (const nlohmann::json::exception& e) {
    throw ConfigError(
        fmt::format("{}: damaged ({}); rerun the shard's convert command into a new "
                    "folder, then merge again",
                    state.string(), one_line(e.what())));
  }
  const auto pending = OutputTree(dir).read_pending();
  if (!pending.empty())
    throw ConfigError(fmt::format(
        "{}: shard {} of {} has {} unfinished case(s) (first: {}), so its run was interrupted; {}",
        dir.string(), s.index, s.count, pending.size(), pending.front().first, rerun(s)));
  const fs::path report = dir / "report.json";
  if (!fs::is_regular_file(report, ec))
    throw ConfigError(
        fmt::format("{}: shard {} of {} has no report.json, so its run has not "
                    "finished; {}",
                    dir.string(), s.index, s.count, rerun(s)));
  const nlohmann::json r = read_json(report, rerun(s));
  if (r.contains("stopped"))
    throw ConfigError(fmt::format(
        "{}: shard {} of {} stopped before its end ({}); {}", dir.string(), s.index, s.count,
        r["stopped"].is_string() ? r["stopped"].get<std::string>() : "", rerun(s)));
  try {
    s.failures = failures_from_json(r.at("failed"));
  } catch (const nlohmann::json::exception& e) {
    throw ConfigError(
        fmt::format("{}: damaged ({}); {}", report.string(), one_line(e.what()), rerun(s)));
  }
  return s;
}

fs::path canonical_or_self(const fs::path& p) {
  std::error_code ec;
  const fs::path c = fs::weakly_canonical(fs::absolute(p), ec);
  return ec ? p : c;
}

// The shards given, checked to be the finished shards of one run, in the order given.
std::vector<Shard> read_shards(const fs::path& output, const std::vector<fs::path>& dirs) {
  if (dirs.empty())
    throw ConfigError("no shard folders given; run samed2d merge --output OUT SHARD_DIR...");
  const fs::path out = canonical_or_self(output);
  std::vector<Shard> shards;
  std::map<std::size_t, fs::path> by_index;
  for (const auto& dir : dirs) {
    const fs::path here = canonical_or_self(dir);
    if (here == out)
      throw ConfigError(
          fmt::format("{}: is the --output itself; merge into another folder", dir.string()));
    Shard s = read_shard(dir);
    const auto [it, inserted] = by_index.emplace(s.index, here);
    if (!inserted) {
      if (it->second == here) continue;  // the same folder twice
      throw ConfigError(
          fmt::format("shard {} is given twice, as {} and {}; give each shard's folder once",
                      s.index, it->second.string(), here.string()));
    }
    shards.push_back(std::move(s));
  }
  const Shard& first = shards.front();
  for (const auto& s : shards) {
    if (s.count != first.count)
      throw ConfigError(fmt::format(
          "{} is shard {} of {} but {} is shard {} of {}: they come from different runs; merge "
          "the shards of one convert command",
          first.dir.string(), first.index, first.count, s.dir.string(), s.index, s.count));
    if (s.run != first.run)
      throw ConfigError(
          fmt::format("{} and {} were converted with different options (tool version, profile or "
                      "datasets); merge the shards of one convert command",
                      first.dir.string(), s.dir.string()));
  }
  return shards;
}

struct Source {
  const Shard* shard = nullptr;
  std::string bytes_digest;  // of the record file: one convert writes one case's record alike
};

std::string file_digest(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return fmt::format("{}:{:016x}", bytes.size(), std::hash<std::string>{}(bytes));
}

// Every case of the shards by record key, checked readable; a case in two shards must have the
// same record. Records are read one at a time: a shard of SA-Med2D names millions of files.
std::map<std::string, Source> read_cases(const std::vector<Shard>& shards) {
  std::map<std::string, Source> cases;
  for (const auto& s : shards) {
    const OutputTree tree(s.dir);
    for (const auto& key : tree.record_keys()) {
      const auto record = tree.read_record(key);
      if (!record)
        throw ConfigError(fmt::format("{}: the case record {} cannot be read; {}", s.dir.string(),
                                      key, rerun(s)));
      const std::string digest = file_digest(tree.state_dir() / "cases" / key);
      const auto [it, inserted] = cases.try_emplace(key, Source{&s, digest});
      if (!inserted && it->second.bytes_digest != digest)
        throw ConfigError(fmt::format(
            "case {} of {} is in {} and in {} with different records (other inputs or "
            "options); remove it from one shard (delete its record in .samed2d/cases) and merge "
            "again",
            record->case_name, record->dataset, it->second.shard->dir.string(), s.dir.string()));
    }
  }
  return cases;
}

// Puts shard/rel at OUT/rel: a hard link (the shard keeps its file), or a copy across file
// systems, through a temporary name and a rename, so OUT never holds a partial file.
class Placer {
 public:
  explicit Placer(const OutputTree& out) : out_(out) {}

  void place(const Shard& shard, const CaseRecord& record, const std::string& rel) {
    const fs::path from = shard.dir / rel;
    const fs::path to = out_.root() / rel;
    // A hard link appears whole under its name at once: straight into place when it can.
    if (::link(from.c_str(), to.c_str()) == 0) {
      ++linked;
      return;
    }
    std::error_code ec;
    if (errno == EEXIST && fs::equivalent(from, to, ec)) return;  // linked by an earlier try
    const fs::path tmp = out_.state_dir() / "tmp" / fmt::format("{}-{}.merge", ::getpid(), n_++);
    if (::link(from.c_str(), tmp.c_str()) == 0) {
      ++linked;
    } else if (errno == EXDEV || errno == EPERM || errno == EMLINK) {
      fs::copy_file(from, tmp, fs::copy_options::overwrite_existing);
      ++copied;
    } else if (errno == ENOENT && !fs::exists(from, ec)) {
      throw std::runtime_error(
          fmt::format("{}: named by the record of case {} of {} but missing; {}", from.string(),
                      record.case_name, record.dataset, rerun(shard)));
    } else {
      throw std::runtime_error(fmt::format("{}: cannot be linked into {} ({})", from.string(),
                                           to.string(), std::strerror(errno)));
    }
    fs::rename(tmp, to);
  }

  std::size_t linked = 0;
  std::size_t copied = 0;

 private:
  const OutputTree& out_;
  std::size_t n_ = 0;
};

std::vector<std::string> prefixes_of(const CaseRecord& r) {
  std::vector<std::string> prefixes;
  for (const auto& m : r.modalities) prefixes.push_back(case_prefix(m, r.dataset, r.case_name));
  return prefixes;
}

// OUT/.samed2d/merged/shard-I.json keeps each merged shard's failed cases, so that a merge in
// several rounds reports the failures of all of them.
void remember_failures(const OutputTree& out, const Shard& s) {
  fs::create_directories(out.state_dir() / "merged");
  write_text_atomic(out.state_dir() / "merged" / fmt::format("shard-{}.json", s.index),
                    nlohmann::json{{"failed", failures_to_json(s.failures)}}.dump(2) + "\n");
}

std::vector<FailedCase> remembered_failures(const OutputTree& out) {
  std::vector<FailedCase> failures;
  std::error_code ec;
  for (fs::directory_iterator it(out.state_dir() / "merged", ec), end; !ec && it != end;
       it.increment(ec)) {
    const nlohmann::json j = read_json(it->path(), "merge the shards into a new folder");
    auto more = failures_from_json(j.at("failed"));
    failures.insert(failures.end(), std::make_move_iterator(more.begin()),
                    std::make_move_iterator(more.end()));
  }
  return failures;
}

}  // namespace

MergeResult merge_shards(const fs::path& output, const std::vector<fs::path>& dirs,
                         Console& console) {
  MergeResult result;
  const std::vector<Shard> shards = read_shards(output, dirs);
  result.shards = shards.size();
  OutputTree out(output);
  const nlohmann::json state = {{"shards", shards.front().count}, {"run", shards.front().run}};
  const fs::path state_file = out.state_dir() / "merge.json";
  std::error_code ec;
  if (fs::exists(state_file, ec)) {
    if (read_json(state_file, "merge into a new folder") != state)
      throw ConfigError(fmt::format(
          "--output {}: holds shards of another convert command; merge into a new folder",
          output.string()));
  } else if (!out.record_keys().empty() || fs::exists(out.state_dir() / "shard.json", ec)) {
    throw ConfigError(fmt::format(
        "--output {}: holds a conversion of its own, not a merge; merge into a new folder",
        output.string()));
  }
  const std::map<std::string, Source> cases = read_cases(shards);
  std::vector<std::pair<const std::string*, const Source*>> todo;
  for (const auto& [key, source] : cases) {
    const fs::path mine = out.state_dir() / "cases" / key;
    if (fs::exists(mine, ec)) {
      if (file_digest(mine) != source.bytes_digest)
        throw ConfigError(fmt::format(
            "--output {}: case record {} was merged from another conversion of its case (it "
            "differs from {}'s); merge into a new folder",
            output.string(), key, source.shard->dir.string()));
      const auto old = out.read_record(key);
      if (old && out.all_files_exist(*old)) {
        ++result.already;
        continue;
      }
    }
    todo.push_back({&key, &source});
  }

  // Every check passed: from here on OUT changes, and a kill is finished by a rerun.
  out.prepare();
  write_text_atomic(state_file, state.dump(2) + "\n");
  for (const auto& s : shards) remember_failures(out, s);
  std::unordered_set<std::string> owned;
  for (const auto& [key, prefixes] : out.read_pending()) {
    owned.insert(prefixes.begin(), prefixes.end());  // an earlier merge was killed here
    out.remove_pending(key);
  }
  Placer placer(out);
  for (const auto& [key, source] : todo) {
    const auto record = OutputTree(source->shard->dir).read_record(*key);
    if (!record)
      throw std::runtime_error(fmt::format("{}: the case record {} cannot be read any more; {}",
                                           source->shard->dir.string(), *key,
                                           rerun(*source->shard)));
    const CaseRecord& r = *record;
    const auto prefixes = prefixes_of(r);
    owned.insert(prefixes.begin(), prefixes.end());
    out.write_pending(r.key(), prefixes);
    for (const auto& [image, masks] : r.images) {
      for (const auto& m : masks) placer.place(*source->shard, r, m);
      placer.place(*source->shard, r, image);
    }
    out.write_record(r);  // last: the case is merged
    out.remove_pending(r.key());
    ++result.merged;
  }
  result.linked = placer.linked;
  result.copied = placer.copied;

  result.totals = rebuild_summaries(out, owned, console);
  // The failures of every shard merged so far, less a case some shard has since converted.
  std::set<std::pair<std::string, std::string>> recorded;
  for (const auto& key : out.record_keys())
    if (const auto r = out.read_record(key)) recorded.emplace(r->dataset, r->case_name);
  std::vector<FailedCase> failures;
  for (auto& f : remembered_failures(out))
    if (recorded.count({f.dataset, f.case_name}) == 0) failures.push_back(std::move(f));
  result.failed = failures.size();
  write_run_report(out, result.totals, failures, "");
  out.cleanup_tmp();
  return result;
}

}  // namespace samed2d
