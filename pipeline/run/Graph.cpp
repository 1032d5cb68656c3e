#include "pipeline/run/Graph.hpp"

#include <fmt/format.h>
#include <oneapi/tbb/flow_graph.h>
#include <oneapi/tbb/global_control.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <tuple>
#include <utility>

#include "pipeline/core/Errors.hpp"
#include "pipeline/core/Text.hpp"
#include "pipeline/run/CaseLoad.hpp"
#include "pipeline/run/Progress.hpp"
#include "pipeline/run/SliceWrite.hpp"

namespace samed2d {

namespace flow = oneapi::tbb::flow;

namespace {

using LoadNode = flow::multifunction_node<std::size_t, std::tuple<SliceJob, SliceDone>>;
using CollectNode = flow::multifunction_node<SliceDone, std::tuple<flow::continue_msg>>;

// A dataset with thousands of negative cases (SIIM, BUSI normal/, the nerve set) or a warning
// every file earns (ACDC's sform) would bury the rest of the console; report.json keeps all.
constexpr std::size_t kCaseWarningLines = 20;

// What the nodes share: the cases, the options, OUT and the counters the progress line shows.
struct Run {
  Run(std::vector<PlannedCase> planned, const ConvertOptions& run_options, const OutputTree& tree)
      : todo(std::move(planned)), options(run_options), out(tree) {
    // The record headers move into the cases in flight: one copy each, held to the end.
    for (auto& c : todo) {
      auto w = std::make_shared<CaseWork>();
      w->spec = c.spec;
      w->record = std::move(c.record);
      work.push_back(std::move(w));
    }
    counters.cases_total = todo.size();
  }

  bool stopping() const {
    return cancel_requested(options) || output_full.load(std::memory_order_relaxed);
  }

  std::vector<PlannedCase> todo;  // their records moved into `work`
  std::vector<std::shared_ptr<CaseWork>> work;
  const ConvertOptions& options;
  const OutputTree& out;
  ProgressCounters counters;
  // Set when OUT's disk is full: no case is started after it (each would fail the same way,
  // one error line per case for the rest of a long run), the cases in flight are dropped like
  // interrupted ones, and the finished ones are kept for the rerun.
  std::atomic<bool> output_full{false};
};

// The load node's work on case i: marked pending, read, and one job sent per slice; a case with
// no slice to do (or that failed) goes to the collector at once.
void load_and_plan(Run& run, std::size_t i, LoadNode::output_ports_type& ports) {
  const auto& w = run.work[i];
  SliceDone empty;
  empty.work = w;
  empty.empty_case = true;
  try {
    run.out.write_pending(w->record.key(), run.todo[i].prefixes);
    load_case(*w, run.options.profile);
    const auto jobs = plan_slices(*w, run.options.profile);
    w->total_slices = jobs.size();
    run.counters.slices_total.fetch_add(jobs.size(), std::memory_order_relaxed);
    if (jobs.empty()) {
      const char* why = any_labels(*w->labels)
                            ? "no slice kept (every labelled slice failed the aspect or area "
                              "rule), so the case gives no image"
                            : "no voxel of a class in the config's \"labels\", so the case "
                              "gives no image";
      w->record.warnings.push_back(fmt::format("{}: {}", w->spec->label.string(), why));
      std::get<1>(ports).try_put(empty);
      return;
    }
    for (const auto& [axis, s] : jobs) std::get<0>(ports).try_put(SliceJob{w, axis, s});
  } catch (const OutputFull& e) {
    empty.error = one_line(e.what());
    empty.output_full = true;
    std::get<1>(ports).try_put(empty);
  } catch (const std::exception& e) {
    empty.error = one_line(e.what());
    std::get<1>(ports).try_put(empty);
  }
}

// The slice node's work: the slice written, or dropped once the run is stopping.
SliceDone write_slice(Run& run, const SliceJob& job) {
  if (run.stopping()) {
    SliceDone d;
    d.work = job.work;
    d.cancelled = true;
    return d;
  }
  return process_slice(job, run.options.profile, run.out, run.counters);
}

// The serial collector: gathers what each slice wrote into its case and, when the case's last
// slice is in, records the case (the record is written last) or removes its files.
class Collector {
 public:
  Collector(Run& run, FailureLog& failures, Console& console)
      : run_(run), failures_(failures), console_(console) {}

  // Adds one slice's result to its case; true when that completed the case.
  bool take(const SliceDone& d) {
    CaseWork& w = *d.work;
    w.written.insert(w.written.end(), d.written.begin(), d.written.end());
    if (!d.error.empty() && w.error.empty()) {
      w.error = d.error;
      if (d.output_full) run_.output_full = true;
    }
    if (d.cancelled) w.cancelled = true;
    for (const auto& [image, masks] : d.images) w.record.images[image] = masks;
    for (const auto& [id, name] : d.classes) w.record.classes[id] = name;
    if (!d.empty_case) {
      ++w.done_slices;
      run_.counters.slices_done.fetch_add(1, std::memory_order_relaxed);
      if (w.done_slices < w.total_slices) return false;
    }
    finish(w);
    return true;
  }

  GraphOutcome outcome;
  std::size_t finished = 0;  // cases converted or failed
  std::size_t warnings_shown = 0;

 private:
  void finish(CaseWork& w) {
    const CaseSpec& spec = *w.spec;
    if (w.error.empty() && !w.cancelled) {
      try {
        run_.out.write_record(w.record);
        ++outcome.converted;
        for (const auto& warning : w.record.warnings) {
          if (warnings_shown++ < kCaseWarningLines)
            console_.warning(fmt::format("case '{}': {}", spec.name, warning));
        }
      } catch (const OutputFull& e) {
        w.error = one_line(e.what());
        run_.output_full = true;
      } catch (const std::exception& e) {
        w.error = one_line(e.what());
      }
    }
    if (!w.error.empty() || w.cancelled) {
      run_.out.remove_files(w.written);
      // A case that failed and was then stopped still failed.
      if (!w.error.empty()) {
        failures_.fail(spec, w.error);
        run_.counters.cases_failed.fetch_add(1, std::memory_order_relaxed);
      }
    } else {
      outcome.images_written += w.record.images.size();
      for (const auto& [image, masks] : w.record.images) outcome.masks_written += masks.size();
    }
    if (!w.cancelled || !w.error.empty()) ++finished;
    // Recorded, or its files removed: no longer pending.
    run_.out.remove_pending(w.record.key());
    run_.counters.cases_done.fetch_add(1, std::memory_order_relaxed);
    // Release the case's volumes now; the slice messages still holding it are already done.
    w.sequences.clear();
    w.labels.reset();
    w.label.reset();
    // ...and its file lists: the record on disk has them, and a dataset of a thousand cases
    // would otherwise hold millions of names until the end.
    std::map<std::string, std::vector<std::string>>().swap(w.record.images);
    std::vector<std::string>().swap(w.written);
  }

  Run& run_;
  FailureLog& failures_;
  Console& console_;
};

}  // namespace

bool cancel_requested(const ConvertOptions& options) {
  return options.cancel != nullptr && options.cancel->load(std::memory_order_relaxed);
}

std::size_t cases_in_flight_for(std::size_t threads) {
  return std::clamp<std::size_t>(threads / 2, 2, 6);
}

GraphOutcome run_graph(std::vector<PlannedCase> todo, const ConvertOptions& options,
                       const OutputTree& out, FailureLog& failures, Console& console) {
  Run run(std::move(todo), options, out);
  Collector collector(run, failures, console);
  const std::size_t threads = options.threads > 0
                                  ? options.threads
                                  : std::max<std::size_t>(1, std::thread::hardware_concurrency());
  const std::size_t in_flight =
      options.cases_in_flight > 0 ? options.cases_in_flight : cases_in_flight_for(threads);
  {
    oneapi::tbb::global_control parallelism(oneapi::tbb::global_control::max_allowed_parallelism,
                                            threads);
    ProgressReporter reporter(console, run.counters);

    flow::graph g;
    std::size_t next = 0;
    flow::input_node<std::size_t> source(g, [&](oneapi::tbb::flow_control& fc) -> std::size_t {
      if (next >= run.work.size() || run.stopping()) {
        fc.stop();
        return 0;
      }
      return next++;
    });
    flow::limiter_node<std::size_t> limiter(g, in_flight);
    LoadNode load(g, flow::unlimited,
                  [&](const std::size_t& i, LoadNode::output_ports_type& ports) {
                    load_and_plan(run, i, ports);
                  });
    flow::function_node<SliceJob, SliceDone> slicer(
        g, flow::unlimited, [&](const SliceJob& job) { return write_slice(run, job); });
    CollectNode collect(g, flow::serial,
                        [&](const SliceDone& d, CollectNode::output_ports_type& ports) {
                          if (collector.take(d)) std::get<0>(ports).try_put(flow::continue_msg());
                        });

    flow::make_edge(source, limiter);
    flow::make_edge(limiter, load);
    flow::make_edge(flow::output_port<0>(load), slicer);
    flow::make_edge(flow::output_port<1>(load), collect);
    flow::make_edge(slicer, collect);
    // A case leaving the collector lets the limiter start the next.
    flow::make_edge(flow::output_port<0>(collect), limiter.decrementer());
    source.activate();
    g.wait_for_all();
  }

  if (collector.warnings_shown > kCaseWarningLines)
    console.warning(
        fmt::format("{} more case warnings not shown; {}/report.json lists every warning",
                    collector.warnings_shown - kCaseWarningLines, options.output.string()));
  GraphOutcome outcome = collector.outcome;
  outcome.unfinished = run.work.size() - collector.finished;
  outcome.output_full = run.output_full;
  return outcome;
}

}  // namespace samed2d
