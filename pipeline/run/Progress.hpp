#pragma once
// Counters of a run and a thread that shows them: cases, images, masks, rate and time left.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <string>
#include <thread>

#include "pipeline/core/Console.hpp"
#include "pipeline/core/Text.hpp"

namespace samed2d {

struct ProgressCounters {
  std::atomic<std::size_t> cases_total{0};
  std::atomic<std::size_t> cases_done{0};  // converted or failed
  std::atomic<std::size_t> cases_failed{0};
  std::atomic<std::size_t> images{0};
  std::atomic<std::size_t> masks{0};
  std::atomic<std::size_t> slices_total{0};  // kept slices of the cases loaded so far
  std::atomic<std::size_t> slices_done{0};
};

// Formats one progress line: "cases 3/10 (1 failed) | images 420 | masks 1,337 | 52.1 img/s |
// 0:42 elapsed | ~1:10 left".
std::string format_progress(const ProgressCounters& c, double elapsed_seconds);

class ProgressReporter {
 public:
  // Starts the reporting thread: every 0.5 s on a terminal, every `interval` otherwise.
  ProgressReporter(Console& console, const ProgressCounters& counters,
                   std::chrono::seconds interval = std::chrono::seconds(5));
  ~ProgressReporter();  // stops the thread and ends the live line
  ProgressReporter(const ProgressReporter&) = delete;
  ProgressReporter& operator=(const ProgressReporter&) = delete;

 private:
  void loop();
  Console& console_;
  const ProgressCounters& counters_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace samed2d
