#include "pipeline/run/Plan.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string_view>
#include <unordered_map>

#include "pipeline/core/Naming.hpp"
#include "pipeline/output/PngWriter.hpp"

namespace samed2d {

namespace fs = std::filesystem;

namespace {

// Bumped whenever the bytes the tool writes for the same options change (PNG settings,
// naming), so that records of older runs are not taken as finished. 2: PNG streams compressed
// by libdeflate instead of zlib (same pixels, other bytes).
constexpr int kOutputFormat = 2;
// NAME_MAX of Linux file systems.
constexpr std::size_t kMaxFileName = 255;

nlohmann::json mapping_json(const LabelMapping& m) {
  auto j = nlohmann::json::array();
  for (const auto& c : m.classes)
    j.push_back({{"name", c.name}, {"id", c.id_text}, {"values", c.values}});
  return j;
}

nlohmann::json png_json(const PngOptions& o) {
  return {{"deflate", "libdeflate"}, {"level", o.level}, {"filter", static_cast<int>(o.filter)}};
}

std::string abs_path(const fs::path& p) {
  std::error_code ec;
  auto a = fs::absolute(p, ec);
  return (ec ? p : a).lexically_normal().generic_string();
}

CaseRecord record_header(const CaseSpec& spec, const Profile& profile) {
  CaseRecord r;
  r.dataset = spec.dataset;
  r.case_name = spec.name;
  for (const auto& s : spec.sequences) r.modalities.push_back(s.modality);
  std::sort(r.modalities.begin(), r.modalities.end());
  auto seqs = nlohmann::json::array();
  for (const auto& s : spec.sequences) {
    nlohmann::json q = {{"modality", s.modality}, {"image", abs_path(s.image)}};
    if (s.component) q["component"] = *s.component;
    if (!s.dicom_series.empty()) q["dicom_series"] = s.dicom_series;
    if (s.resample_to_label) q["resample"] = "linear";
    seqs.push_back(q);
  }
  r.options = {{"output_format", kOutputFormat},
               {"profile", profile.to_json()},
               {"png",
                {{"gray", png_json(image_png_options(PngColor::Gray))},
                 {"rgb", png_json(image_png_options(PngColor::Rgb))},
                 {"gray_as_rgb", png_json(image_png_options(PngColor::GrayAsRgb))},
                 {"mask", png_json(mask_png_options())}}},
               {"classes", spec.mapping ? mapping_json(*spec.mapping) : nlohmann::json::array()},
               {"sequences", seqs},
               {"label", abs_path(spec.label)}};
  // Layout options that change the label map (absent where unused, so older records still match).
  if (!spec.label_recipe.empty()) r.options["label_recipe"] = spec.label_recipe;
  if (spec.mapping && spec.mapping->background != 0)
    r.options["background"] = spec.mapping->background;
  for (const auto& s : spec.sequences) r.sources.push_back(stamp_source(s.image));
  r.sources.push_back(stamp_source(spec.label));
  for (const auto& e : spec.extra_sources) r.sources.push_back(stamp_source(e));
  return r;
}

// The case prefixes of the cases a kill interrupted: their files are samed2d's and go, unless
// the case was recorded (the record is written after every file) and its files are all there.
std::unordered_set<std::string> interrupted_prefixes(
    const OutputTree& out,
    const std::vector<std::pair<std::string, std::vector<std::string>>>& pending) {
  std::unordered_set<std::string> interrupted;
  for (const auto& [key, prefixes] : pending) {
    const auto record = out.read_record(key);
    if (record && out.all_files_exist(*record)) continue;
    interrupted.insert(prefixes.begin(), prefixes.end());
  }
  return interrupted;
}

// Why the case's names cannot be written, or an empty string.
std::string name_problem(const CaseSpec& spec, const std::vector<std::string>& prefixes) {
  // A case name with a '-' at either end makes "---" next to a separator, and the names can
  // no longer be split into their fields (SPEC section 2): "-dash" and "dash-" would read as
  // other cases.
  if (!spec.name.empty() && (spec.name.front() == '-' || spec.name.back() == '-'))
    return fmt::format(
        "the case name '{}' {} with '-', which makes its file names ambiguous next to the '--' "
        "separators; give the config a case_name template without it (e.g. {{stem#-}} or "
        "{{stem%-}})",
        spec.name, spec.name.front() == '-' ? "starts" : "ends");
  // The longest name the case can write (4-digit slices, 3-digit instances) must fit in a
  // file name, or the case would fail halfway with "File name too long".
  std::size_t longest = 0;
  for (const auto& p : prefixes) longest = std::max(longest, p.size());
  if (longest + std::string_view("x_0000--0000_000.png").size() > kMaxFileName)
    return fmt::format(
        "its mask names would be longer than {} bytes, the file-system limit; give the config a "
        "case_name template that makes a shorter name",
        kMaxFileName);
  return "";
}

// True when an earlier run finished the case with the same inputs and options and every file
// it wrote is still there. Otherwise the earlier run's record and files of it go.
bool finished_earlier(const OutputTree& out, const CaseRecord& header) {
  const std::string key = header.key();
  const auto old = out.read_record(key);
  if (!old) return false;
  if (old->same_work(header) && out.all_files_exist(*old)) return true;
  std::vector<std::string> files;
  for (const auto& [image, masks] : old->images) {
    files.push_back(image);
    files.insert(files.end(), masks.begin(), masks.end());
  }
  out.remove_record(key);
  out.remove_files(files);
  return false;
}

// Cases of these datasets that earlier runs converted but this run did not find: kept (the
// output may merge several inputs), but the user should know.
void warn_missing_cases(const std::vector<CaseSpec>& cases, const Profile& profile,
                        const OutputTree& out, Console& console) {
  std::set<std::string> found;
  std::set<std::string> datasets;
  for (const auto& spec : cases) {
    found.insert(record_header(spec, profile).key());
    datasets.insert(spec.dataset);
  }
  std::map<std::string, std::size_t> missing;
  for (const auto& key : out.record_keys()) {
    const std::string dataset = key.substr(0, key.find("--"));
    if (datasets.count(dataset) != 0 && found.count(key) == 0) ++missing[dataset];
  }
  for (const auto& [dataset, n] : missing)
    console.warning(fmt::format(
        "{} case(s) of {} in {} were not found in this run's input; they stay in the output "
        "(delete their records in {} and rerun to drop them)",
        n, dataset, out.root().string(), (out.state_dir() / "cases").string()));
}

std::vector<std::string> files_of(const CaseSpec& spec) {
  std::vector<std::string> f;
  for (const auto& s : spec.sequences) f.push_back(s.image.string());
  f.push_back(spec.label.string());
  for (const auto& e : spec.extra_sources) f.push_back(e.string());
  return f;
}

}  // namespace

void FailureLog::fail(const CaseSpec& spec, const std::string& why) {
  console_.error(
      fmt::format("case '{}' of {} ({}): {}", spec.name, spec.dataset, spec.source, why));
  failures_.push_back({spec.dataset, spec.name, spec.source, files_of(spec), why});
}

RunPlan plan_run(const std::vector<CaseSpec>& cases, const Profile& profile, const OutputTree& out,
                 FailureLog& failures, Console& console) {
  RunPlan plan;
  const auto pending = out.read_pending();
  const std::unordered_set<std::string> interrupted = interrupted_prefixes(out, pending);
  plan.owned.insert(interrupted.begin(), interrupted.end());

  // Skip finished cases; clear what unfinished ones left behind.
  std::unordered_set<std::string> seen_keys;
  std::unordered_set<std::string> stale_prefixes = interrupted;
  std::unordered_map<std::string, std::string> prefix_owner;  // case prefix -> source
  for (const auto& spec : cases) {
    if (!spec.discovery_error.empty()) {
      failures.fail(spec, spec.discovery_error);
      continue;
    }
    PlannedCase c{&spec, record_header(spec, profile), {}};
    bool clash = !seen_keys.insert(c.record.key()).second;
    for (const auto& s : spec.sequences) {
      std::string p = case_prefix(s.modality, spec.dataset, spec.name);
      if (!prefix_owner.emplace(p, spec.source).second) clash = true;
      c.prefixes.push_back(std::move(p));
    }
    const std::string problem =
        clash ? fmt::format(
                    "its output names ({}...) are already used by case {} of this run; give the "
                    "config a case_name template that tells them apart",
                    c.prefixes.front(), prefix_owner[c.prefixes.front()])
              : name_problem(spec, c.prefixes);
    if (!problem.empty()) {
      failures.fail(spec, problem);
      continue;
    }
    if (finished_earlier(out, c.record)) {
      ++plan.skipped;
      continue;
    }
    stale_prefixes.insert(c.prefixes.begin(), c.prefixes.end());
    plan.todo.push_back(std::move(c));
  }
  for (const auto& [prefix, source] : prefix_owner) plan.owned.insert(prefix);
  out.remove_files_with_prefixes(stale_prefixes);
  for (const auto& [key, prefixes] : pending) out.remove_pending(key);

  warn_missing_cases(cases, profile, out, console);
  return plan;
}

}  // namespace samed2d
