#include "pipeline/run/Progress.hpp"

#include <fmt/format.h>

#include <cmath>

namespace samed2d {

std::string format_progress(const ProgressCounters& c, double elapsed) {
  const std::size_t total = c.cases_total.load();
  const std::size_t done = c.cases_done.load();
  const std::size_t failed = c.cases_failed.load();
  const std::size_t images = c.images.load();
  std::string line = fmt::format("cases {}/{}", done, total);
  if (failed > 0) line += fmt::format(" ({} failed)", failed);
  line += fmt::format(" | images {} | masks {}", images, c.masks.load());
  if (elapsed > 0.5) line += fmt::format(" | {:.1f} img/s", static_cast<double>(images) / elapsed);
  line += " | " + format_duration(elapsed) + " elapsed";
  // Time left from the fraction of work done: finished cases, plus the slices of cases in flight.
  const std::size_t slices_total = c.slices_total.load();
  const std::size_t slices_done = c.slices_done.load();
  double fraction = 0;
  if (total > 0) {
    double in_flight = 0;
    if (slices_total > 0 && done < total)
      in_flight =
          std::min(1.0, static_cast<double>(slices_done) / static_cast<double>(slices_total));
    fraction = (static_cast<double>(done) + 0.5 * in_flight) / static_cast<double>(total);
  }
  if (fraction > 0.01 && done < total)
    line += " | ~" + format_duration(elapsed * (1 - fraction) / fraction) + " left";
  return line;
}

ProgressReporter::ProgressReporter(Console& console, const ProgressCounters& counters,
                                   std::chrono::seconds interval)
    : console_(console),
      counters_(counters),
      start_(std::chrono::steady_clock::now()),
      interval_(console.is_terminal()
                    ? std::chrono::milliseconds(500)
                    : std::chrono::duration_cast<std::chrono::milliseconds>(interval)) {
  if (!console_.quiet()) thread_ = std::thread([this] { loop(); });
}

ProgressReporter::~ProgressReporter() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  console_.finish_progress();
}

void ProgressReporter::loop() {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, interval_, [this] { return stop_; })) {
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    console_.progress(format_progress(counters_, elapsed));
  }
}

}  // namespace samed2d
