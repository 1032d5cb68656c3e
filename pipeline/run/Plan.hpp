#pragma once
// The plan of a conversion run: which cases are finished (skipped), which fail before they start
// (names that clash or do not fit), and which are to do; what unfinished runs left behind is
// removed, so that the graph starts on a clean tree.

#include <cstddef>
#include <string>
#include <unordered_set>
#include <vector>

#include "pipeline/core/CaseSpec.hpp"
#include "pipeline/core/Console.hpp"
#include "pipeline/core/Profile.hpp"
#include "pipeline/output/CaseRecord.hpp"
#include "pipeline/output/OutputTree.hpp"
#include "pipeline/run/Finalize.hpp"

namespace samed2d {

// Where failed cases go: one error line each on the console, and the list for report.json.
// Used by the plan and by the graph's serial collector, never by two threads at once.
class FailureLog {
 public:
  FailureLog(Console& console, std::vector<FailedCase>& failures)
      : console_(console), failures_(failures) {}
  void fail(const CaseSpec& spec, const std::string& why);

 private:
  Console& console_;
  std::vector<FailedCase>& failures_;
};

struct PlannedCase {
  const CaseSpec* spec = nullptr;
  // The record header: everything that decides whether a later run can keep the case's output.
  CaseRecord record;
  std::vector<std::string> prefixes;  // "{modality}--{dataset}--{case}--" of each sequence
};

struct RunPlan {
  std::vector<PlannedCase> todo;  // in input order
  std::size_t skipped = 0;        // finished by an earlier run with the same inputs and options
  // Case prefixes whose files are samed2d's (this run's cases and the interrupted ones), so that
  // finalize removes a stray file of theirs instead of warning about it.
  std::unordered_set<std::string> owned;
};

// Decides what the run does for each case and clears OUT of what earlier runs did not finish.
// Fails (through `failures`) the cases that cannot start; warns about cases earlier runs
// converted that this run did not find.
RunPlan plan_run(const std::vector<CaseSpec>& cases, const Profile& profile, const OutputTree& out,
                 FailureLog& failures, Console& console);

}  // namespace samed2d
