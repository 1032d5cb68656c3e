#include "pipeline/run/Conversion.hpp"

#include <fmt/format.h>

#include <chrono>
#include <utility>

#include "pipeline/io/VolumeReader.hpp"
#include "pipeline/run/Finalize.hpp"
#include "pipeline/run/Graph.hpp"
#include "pipeline/run/Plan.hpp"

namespace samed2d {

ConvertResult run_conversion(const std::vector<CaseSpec>& cases, const ConvertOptions& options,
                             Console& console) {
  prepare_readers_for_threads();
  const auto start = std::chrono::steady_clock::now();
  ConvertResult result;
  result.cases = cases.size();
  OutputTree out(options.output);
  out.prepare();
  FailureLog failures(console, result.failures);

  RunPlan plan = plan_run(cases, options.profile, out, failures, console);
  result.skipped = plan.skipped;

  const GraphOutcome graph = run_graph(std::move(plan.todo), options, out, failures, console);
  result.converted = graph.converted;
  result.images_written = graph.images_written;
  result.masks_written = graph.masks_written;
  result.interrupted = cancel_requested(options);
  result.failed = result.failures.size();
  if (graph.output_full && graph.unfinished > 0) {
    result.not_converted = graph.unfinished;
    result.stopped = fmt::format(
        "stopped: the output disk is full, so {} case(s) were not started or not finished; free "
        "space there (or choose another --output) and rerun the same command: finished cases are "
        "kept",
        result.not_converted);
    console.error(result.stopped);
  }

  result.output_error =
      finalize_conversion(out, plan.owned, result.totals, result.failures, result.stopped, console);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace samed2d
