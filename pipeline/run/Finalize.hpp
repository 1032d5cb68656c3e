#pragma once
// The end of a conversion or a merge: SAMed2D_v1.json and the class mapping rebuilt from the case
// records, and OUT/report.json with the totals, the failed cases and every case warning.

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <unordered_set>
#include <vector>

#include "pipeline/core/Console.hpp"
#include "pipeline/output/OutputTree.hpp"

namespace samed2d {

struct FailedCase {
  std::string dataset;
  std::string case_name;
  std::string source;
  std::vector<std::string> files;
  std::string reason;
};

// The "failed" list of report.json (and of a merge's memory of its shards), and back. Reading
// throws nlohmann::json::exception for an entry that lacks a field; the caller says what to do.
nlohmann::json failures_to_json(const std::vector<FailedCase>& failures);
std::vector<FailedCase> failures_from_json(const nlohmann::json& failed);

// Writes OUT/report.json: the totals, the failed cases (sorted here), why the run stopped (when
// it did), and every case record's warnings.
void write_run_report(const OutputTree& out, const OutputTree::Totals& totals,
                      std::vector<FailedCase>& failures, const std::string& stopped);

// Rebuilds SAMed2D_v1.json and the class mapping from the case records (OutputTree::finalize)
// and prints what it warns about. Throws when a file cannot be written.
OutputTree::Totals rebuild_summaries(const OutputTree& out,
                                     const std::unordered_set<std::string>& owned,
                                     Console& console);

// A conversion's end: rebuild_summaries, then report.json, then the temporary folder removed.
// When a JSON file cannot be written, the three JSON files are removed rather than left out of
// date, and the returned line (printed as an error) says so; it is empty when all went well.
std::string finalize_conversion(const OutputTree& out, const std::unordered_set<std::string>& owned,
                                OutputTree::Totals& totals, std::vector<FailedCase>& failures,
                                const std::string& stopped, Console& console);

}  // namespace samed2d
