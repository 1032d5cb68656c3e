#include "pipeline/output/OutputTree.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <thread>

#include "pipeline/core/AtomicFile.hpp"
#include "pipeline/core/Errors.hpp"
#include "pipeline/core/Naming.hpp"

namespace samed2d {

namespace fs = std::filesystem;

namespace {

// Why writing `shown` failed, and what to do; a full disk (or quota) is OutputFull.
[[noreturn]] void throw_write_error(const fs::path& shown, const char* what, int err) {
  if (err == ENOSPC || err == EDQUOT)
    throw OutputFull(
        shown.string(), std::strerror(err),
        fmt::format("{}: cannot {} it: the output disk is full ({}); free space there (or choose "
                    "another --output) and rerun the same command: finished cases are kept",
                    shown.string(), what, std::strerror(err)));
  throw std::runtime_error(fmt::format("{}: cannot {} it ({}); check the output folder",
                                       shown.string(), what, std::strerror(err)));
}

// Writes `file` whole; messages name `shown` (the file's final place, not its temporary name).
void write_all(const fs::path& file, const void* data, std::size_t size, const fs::path& shown) {
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw_write_error(shown, "create", errno);
  const auto* p = static_cast<const char*>(data);
  std::size_t left = size;
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      ::unlink(file.c_str());
      throw_write_error(shown, "write", err);
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(file.c_str());
    throw_write_error(shown, "write", err);
  }
}

void rename_into_place(const fs::path& from, const fs::path& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) {
    const int err = errno;
    ::unlink(from.c_str());
    throw std::runtime_error(
        fmt::format("{}: cannot move it into place ({}); check that the output folder is "
                    "writable",
                    to.string(), std::strerror(err)));
  }
}

bool is_slice_token_start(std::string_view s) {
  if (s.rfind("2d_none", 0) == 0) return true;
  return s.size() >= 3 && (s[0] == 'x' || s[0] == 'y' || s[0] == 'z') && s[1] == '_' &&
         s[2] >= '0' && s[2] <= '9';
}

// s as a JSON string, exactly as nlohmann's dump() writes it; the usual file name (printable
// ASCII without '"' or '\\') is quoted directly, which matters for 24 million of them.
void append_json_string(std::string& out, const std::string& s) {
  const bool plain = std::all_of(
      s.begin(), s.end(), [](char c) { return c >= 0x20 && c <= 0x7e && c != '"' && c != '\\'; });
  if (!plain) {
    out += nlohmann::json(s).dump();
    return;
  }
  out += '"';
  out += s;
  out += '"';
}

std::string json_string(const std::string& s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

// A 64-bit digest of a path relative to OUT, to tell the files the records name from others
// without holding 24 million names (a collision would only keep a stray file unreported).
std::uint64_t path_digest(std::string_view rel) {
  std::uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (const char c : rel) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace

std::optional<std::string> case_prefix_of_file(std::string_view name) {
  // modality and dataset never contain "--"; the case field ends at the first "--" that is
  // followed by a slice token.
  const auto first = name.find("--");
  if (first == std::string_view::npos) return std::nullopt;
  const auto second = name.find("--", first + 2);
  if (second == std::string_view::npos) return std::nullopt;
  for (auto p = name.find("--", second + 2); p != std::string_view::npos;
       p = name.find("--", p + 1)) {
    if (is_slice_token_start(name.substr(p + 2))) return std::string(name.substr(0, p + 2));
  }
  return std::nullopt;
}

void write_text_atomic(const fs::path& file, const std::string& text) {
  const fs::path tmp = file.parent_path() / fmt::format(".{}.tmp-{}", file.filename().string(),
                                                        static_cast<long>(::getpid()));
  write_all(tmp, text.data(), text.size(), file);
  rename_into_place(tmp, file);
}

OutputTree::OutputTree(fs::path root) : root_(std::move(root)) {}

void OutputTree::prepare() {
  fs::create_directories(root_ / "images");
  fs::create_directories(root_ / "masks");
  fs::create_directories(state_dir() / "cases");
  fs::create_directories(state_dir() / "pending");
  std::error_code ec;
  fs::remove_all(state_dir() / "tmp", ec);
  fs::create_directories(state_dir() / "tmp");
}

void OutputTree::write_file(const std::string& rel, const void* data, std::size_t size) const {
  const auto n = tmp_counter_.fetch_add(1, std::memory_order_relaxed);
  const fs::path tmp = state_dir() / "tmp" / fmt::format("{}-{}.part", ::getpid(), n);
  write_all(tmp, data, size, root_ / rel);
  rename_into_place(tmp, root_ / rel);
}

std::optional<CaseRecord> OutputTree::read_record(const std::string& key) const {
  const fs::path file = state_dir() / "cases" / key;
  std::ifstream in(file);
  if (!in) return std::nullopt;
  try {
    return CaseRecord::from_json(nlohmann::json::parse(in));
  } catch (const std::exception&) {
    return std::nullopt;  // a damaged record means the case is redone
  }
}

void OutputTree::write_record(const CaseRecord& record) const {
  const std::string text = record.to_json().dump(1) + "\n";
  const auto n = tmp_counter_.fetch_add(1, std::memory_order_relaxed);
  const fs::path tmp = state_dir() / "tmp" / fmt::format("{}-{}.record", ::getpid(), n);
  write_all(tmp, text.data(), text.size(), state_dir() / "cases" / record.key());
  rename_into_place(tmp, state_dir() / "cases" / record.key());
}

void OutputTree::write_pending(const std::string& key,
                               const std::vector<std::string>& prefixes) const {
  const std::string text = nlohmann::json(prefixes).dump() + "\n";
  const auto n = tmp_counter_.fetch_add(1, std::memory_order_relaxed);
  const fs::path tmp = state_dir() / "tmp" / fmt::format("{}-{}.pending", ::getpid(), n);
  write_all(tmp, text.data(), text.size(), state_dir() / "pending" / key);
  rename_into_place(tmp, state_dir() / "pending" / key);
}

void OutputTree::remove_pending(const std::string& key) const {
  std::error_code ec;
  fs::remove(state_dir() / "pending" / key, ec);
}

std::vector<std::pair<std::string, std::vector<std::string>>> OutputTree::read_pending() const {
  std::vector<std::pair<std::string, std::vector<std::string>>> out;
  std::error_code ec;
  for (fs::directory_iterator it(state_dir() / "pending", ec), end; !ec && it != end;
       it.increment(ec)) {
    std::ifstream in(it->path());
    try {
      out.emplace_back(it->path().filename().string(),
                       nlohmann::json::parse(in).get<std::vector<std::string>>());
    } catch (const std::exception&) {
      // A marker cut short by a kill names nothing usable; its case is redone anyway.
      out.emplace_back(it->path().filename().string(), std::vector<std::string>{});
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

void OutputTree::remove_record(const std::string& key) const {
  std::error_code ec;
  fs::remove(state_dir() / "cases" / key, ec);
}

std::vector<std::string> OutputTree::record_keys() const {
  std::vector<std::string> keys;
  std::error_code ec;
  for (fs::directory_iterator it(state_dir() / "cases", ec), end; !ec && it != end;
       it.increment(ec))
    if (it->path().extension() == ".json") keys.push_back(it->path().filename().string());
  std::sort(keys.begin(), keys.end());
  return keys;
}

bool OutputTree::all_files_exist(const CaseRecord& record) const {
  std::error_code ec;
  for (const auto& [image, masks] : record.images) {
    if (!fs::exists(root_ / image, ec)) return false;
    for (const auto& m : masks)
      if (!fs::exists(root_ / m, ec)) return false;
  }
  return true;
}

std::vector<CaseRecord> OutputTree::read_all_records(std::vector<std::string>& warnings) const {
  std::vector<fs::path> files;
  std::error_code ec;
  for (fs::directory_iterator it(state_dir() / "cases", ec), end; !ec && it != end;
       it.increment(ec)) {
    if (it->path().extension() == ".json") files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  std::vector<CaseRecord> records;
  records.reserve(files.size());
  for (const auto& f : files) {
    std::ifstream in(f);
    try {
      records.push_back(CaseRecord::from_json(nlohmann::json::parse(in)));
    } catch (const std::exception& e) {
      warnings.push_back(
          fmt::format("{}: damaged case record ignored ({}); rerun the same command "
                      "to convert that case again",
                      f.string(), e.what()));
      fs::remove(f, ec);
    }
  }
  return records;
}

void OutputTree::remove_files(const std::vector<std::string>& rel_paths) const {
  std::error_code ec;
  for (const auto& rel : rel_paths) fs::remove(root_ / rel, ec);
}

std::size_t OutputTree::remove_files_with_prefixes(
    const std::unordered_set<std::string>& prefixes) const {
  if (prefixes.empty()) return 0;
  std::size_t removed = 0;
  for (const char* sub : {"images", "masks"}) {
    std::error_code ec;
    std::vector<fs::path> doomed;
    for (fs::directory_iterator it(root_ / sub, ec), end; !ec && it != end; it.increment(ec)) {
      auto prefix = case_prefix_of_file(it->path().filename().native());
      if (prefix && prefixes.count(*prefix) != 0) doomed.push_back(it->path());
    }
    for (const auto& p : doomed) removed += fs::remove(p, ec) ? 1 : 0;
  }
  return removed;
}

OutputTree::Totals OutputTree::finalize(std::vector<std::string>& warnings,
                                        const std::unordered_set<std::string>& owned) const {
  // Two passes over the records, so that memory does not grow with the number of files (SA-Med2D
  // has 24 million): the first collects each case's name prefixes, a digest of every file it
  // names and its classes; the second writes SAMed2D_v1.json as it reads the records again in
  // key order. Each prefix's images form one run of that order: names cannot hold "--" in a
  // part, so no prefix begins another.
  Totals totals;
  std::unordered_set<std::string> ours = owned;
  std::map<std::string, std::string> classes;  // id text -> name
  std::vector<std::uint64_t> known;
  struct Run {
    std::string prefix;  // "images/{modality}--{dataset}--{case}--"
    std::size_t record;  // index into `files`
  };
  std::vector<Run> runs;
  std::vector<fs::path> files;
  {
    std::error_code ec;
    for (fs::directory_iterator it(state_dir() / "cases", ec), end; !ec && it != end;
         it.increment(ec))
      if (it->path().extension() == ".json") files.push_back(it->path());
    std::sort(files.begin(), files.end());
  }
  auto read = [&](std::size_t i) -> std::optional<CaseRecord> {
    std::ifstream in(files[i]);
    try {
      return CaseRecord::from_json(nlohmann::json::parse(in));
    } catch (const std::exception& e) {
      warnings.push_back(
          fmt::format("{}: damaged case record ignored ({}); rerun the same command "
                      "to convert that case again",
                      files[i].string(), e.what()));
      std::error_code ec;
      fs::remove(files[i], ec);
      return std::nullopt;
    }
  };
  std::vector<bool> usable(files.size(), false);
  for (std::size_t i = 0; i < files.size(); ++i) {
    const auto r = read(i);
    if (!r) continue;
    usable[i] = true;
    ++totals.cases;
    for (const auto& m : r->modalities) {
      std::string prefix = case_prefix(m, r->dataset, r->case_name);
      ours.insert(prefix);
      runs.push_back({"images/" + prefix, i});
    }
    for (const auto& [image, masks] : r->images) {
      known.push_back(path_digest(image));
      for (const auto& m : masks) known.push_back(path_digest(m));
    }
    for (const auto& [id, name] : r->classes) {
      auto [it, inserted] = classes.emplace(id, name);
      if (!inserted && it->second != name)
        warnings.push_back(
            fmt::format("class id {} is '{}' in one case record and '{}' in "
                        "another; use one class registry per output folder",
                        id, it->second, name));
    }
    for (const auto& line : r->warnings)
      totals.case_warnings.push_back({r->dataset, r->case_name, line});
  }
  std::sort(known.begin(), known.end());
  std::sort(runs.begin(), runs.end(),
            [](const Run& a, const Run& b) { return a.prefix < b.prefix; });

  // Files no record names. A PNG named for one of samed2d's cases was left by a case that was
  // interrupted: it goes. Anything else is the user's, even with an SA-Med2D name: it stays,
  // and the user is told that the folder no longer matches the JSON.
  for (const char* sub : {"images", "masks"}) {
    std::error_code ec;
    std::vector<fs::path> orphans;
    for (fs::directory_iterator it(root_ / sub, ec), end; !ec && it != end; it.increment(ec)) {
      const std::string name = it->path().filename().string();
      if (std::binary_search(known.begin(), known.end(),
                             path_digest(std::string(sub) + "/" + name)))
        continue;
      const auto prefix = case_prefix_of_file(name);
      if (it->path().extension() == ".png" && prefix && ours.count(*prefix) != 0)
        orphans.push_back(it->path());
      else
        warnings.push_back(
            fmt::format("{}: not written by samed2d, so it is left in place but "
                        "not listed in SAMed2D_v1.json; move it out of {}/",
                        it->path().string(), sub));
    }
    for (const auto& p : orphans) totals.orphans_removed += fs::remove(p, ec) ? 1 : 0;
  }
  std::vector<std::uint64_t>().swap(known);

  AtomicFile index(root_ / "SAMed2D_v1.json", [](const fs::path& file, const char* what, int err) {
    if (std::string_view(what) == "move into place")
      throw std::runtime_error(
          fmt::format("{}: cannot move it into place ({}); check that the output folder is "
                      "writable",
                      file.string(), std::strerror(err)));
    throw_write_error(file, what, err);
  });
  std::string& text = index.buffer();
  text += "{";
  bool first_image = true;
  std::optional<CaseRecord> record;
  std::size_t record_at = files.size();
  for (const Run& run : runs) {
    if (record_at != run.record) {
      record.reset();
      if (usable[run.record]) record = read(run.record);
      record_at = run.record;
    }
    if (!record) continue;  // changed under us since the first pass
    for (auto it = record->images.lower_bound(run.prefix);
         it != record->images.end() && it->first.compare(0, run.prefix.size(), run.prefix) == 0;
         ++it) {
      auto& masks = it->second;
      std::sort(masks.begin(), masks.end());
      ++totals.images;
      totals.masks += masks.size();
      text += first_image ? "\n  " : ",\n  ";
      first_image = false;
      append_json_string(text, it->first);
      text += ": [";
      for (std::size_t i = 0; i < masks.size(); ++i) {
        text += i == 0 ? "\n    " : ",\n    ";
        append_json_string(text, masks[i]);
      }
      text += masks.empty() ? "]" : "\n  ]";
      index.flush_if_full();
    }
  }
  text += first_image ? "}\n" : "\n}\n";
  index.commit();

  // Ascending id order: ids are zero-padded decimal, so order by length, then bytes.
  std::vector<std::pair<std::string, std::string>> by_id(classes.begin(), classes.end());
  std::sort(by_id.begin(), by_id.end(), [](const auto& a, const auto& b) {
    return a.first.size() != b.first.size() ? a.first.size() < b.first.size() : a.first < b.first;
  });
  std::string mapping = "{";
  for (std::size_t i = 0; i < by_id.size(); ++i) {
    mapping += i == 0 ? "\n  " : ",\n  ";
    mapping += json_string(by_id[i].second) + ": " + json_string(by_id[i].first);
  }
  mapping += by_id.empty() ? "}\n" : "\n}\n";
  write_text_atomic(root_ / "SAMed2D_v1_class_mapping_id.json", mapping);
  return totals;
}

std::string OutputTree::remove_summaries() const {
  std::string failure;
  for (const char* name : {"SAMed2D_v1.json", "SAMed2D_v1_class_mapping_id.json", "report.json"}) {
    std::error_code ec;
    fs::remove(root_ / name, ec);
    if (ec && failure.empty()) failure = ec.message();
  }
  return failure;
}

void OutputTree::cleanup_tmp() const {
  std::error_code ec;
  fs::remove_all(state_dir() / "tmp", ec);
}

}  // namespace samed2d
