#pragma once
// The flow graph of a conversion, in the manner of oneTBB's fgbzip2 example: an input
// node hands out the planned cases in order, a limiter bounds how many are loaded at once, the
// load node reads a case and sends one job per slice, slice workers write PNGs in parallel, and
// a serial collector records each case when its last slice is in.

#include <cstddef>
#include <vector>

#include "pipeline/core/Console.hpp"
#include "pipeline/output/OutputTree.hpp"
#include "pipeline/run/Conversion.hpp"
#include "pipeline/run/Plan.hpp"

namespace samed2d {

struct GraphOutcome {
  std::size_t converted = 0;  // cases recorded
  std::size_t images_written = 0;
  std::size_t masks_written = 0;
  // Cases not converted nor failed: not started, or dropped by an interruption or a full disk.
  std::size_t unfinished = 0;
  bool output_full = false;  // OUT's disk filled up: no case was started after it
};

// True once the user asked the run to stop (ConvertOptions::cancel).
bool cancel_requested(const ConvertOptions& options);

// How many cases are loaded at once for `threads` workers: enough to overlap reading (one
// thread per case) with slice work, few enough to bound memory.
std::size_t cases_in_flight_for(std::size_t threads);

// Converts the planned cases with options.threads workers, showing progress on the console;
// a failed case goes to `failures`, a converted one gets its record in OUT. Stops starting
// cases on an interruption or a full disk, and removes the files of the cases it drops.
GraphOutcome run_graph(std::vector<PlannedCase> todo, const ConvertOptions& options,
                       const OutputTree& out, FailureLog& failures, Console& console);

}  // namespace samed2d
