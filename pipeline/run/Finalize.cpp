#include "pipeline/run/Finalize.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <tuple>

#include "pipeline/core/Errors.hpp"
#include "pipeline/core/Text.hpp"

namespace samed2d {

nlohmann::json failures_to_json(const std::vector<FailedCase>& failures) {
  nlohmann::json failed = nlohmann::json::array();
  for (const auto& f : failures)
    failed.push_back({{"dataset", f.dataset},
                      {"case", f.case_name},
                      {"source", f.source},
                      {"files", f.files},
                      {"reason", f.reason}});
  return failed;
}

std::vector<FailedCase> failures_from_json(const nlohmann::json& failed) {
  std::vector<FailedCase> failures;
  for (const auto& f : failed)
    failures.push_back({f.at("dataset").get<std::string>(), f.at("case").get<std::string>(),
                        f.at("source").get<std::string>(),
                        f.at("files").get<std::vector<std::string>>(),
                        f.at("reason").get<std::string>()});
  return failures;
}

void write_run_report(const OutputTree& out, const OutputTree::Totals& totals,
                      std::vector<FailedCase>& failures, const std::string& stopped) {
  // Deterministic (no times), so a resumed run, or shards merged, leave the same bytes.
  std::sort(failures.begin(), failures.end(), [](const auto& a, const auto& b) {
    return std::tie(a.dataset, a.case_name, a.source) < std::tie(b.dataset, b.case_name, b.source);
  });
  nlohmann::json report;
  report["cases"] = totals.cases;
  report["images"] = totals.images;
  report["masks"] = totals.masks;
  report["failed"] = failures_to_json(failures);
  if (!stopped.empty()) report["stopped"] = stopped;
  auto& warn = report["warnings"] = nlohmann::json::array();
  for (const auto& w : totals.case_warnings)
    warn.push_back({{"dataset", w.dataset}, {"case", w.case_name}, {"warning", w.warning}});
  write_text_atomic(out.root() / "report.json", report.dump(2) + "\n");
}

OutputTree::Totals rebuild_summaries(const OutputTree& out,
                                     const std::unordered_set<std::string>& owned,
                                     Console& console) {
  std::vector<std::string> warnings;
  OutputTree::Totals totals = out.finalize(warnings, owned);
  for (const auto& w : warnings) console.warning(w);
  return totals;
}

std::string finalize_conversion(const OutputTree& out, const std::unordered_set<std::string>& owned,
                                OutputTree::Totals& totals, std::vector<FailedCase>& failures,
                                const std::string& stopped, Console& console) {
  std::string error;
  try {
    totals = rebuild_summaries(out, owned, console);
    write_run_report(out, totals, failures, stopped);
  } catch (const std::exception& e) {
    // An index that names files which are gone (or misses new ones) is worse than none: the
    // JSON files go, and the next run writes them from the case records.
    const std::string not_removed = out.remove_summaries();
    const auto* full = dynamic_cast<const OutputFull*>(&e);
    const std::string what = full ? fmt::format("{}: cannot write it: the output disk is full ({})",
                                                full->file(), full->reason())
                                  : one_line(e.what());
    const char* todo_text = full ? "free space there" : "fix that";
    error = not_removed.empty()
                ? fmt::format(
                      "{}; SAMed2D_v1.json, the class mapping and report.json were removed "
                      "rather than left out of date (the images, masks and case records are "
                      "kept): {} and rerun the same command to write them",
                      what, todo_text)
                : fmt::format(
                      "{}; SAMed2D_v1.json, the class mapping and report.json could not be "
                      "removed either ({}), so they are OUT OF DATE: {} and rerun the same "
                      "command to write them",
                      what, not_removed, todo_text);
    console.error(error);
  }
  out.cleanup_tmp();
  return error;
}

}  // namespace samed2d
