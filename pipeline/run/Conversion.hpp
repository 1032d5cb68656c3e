#pragma once
// A conversion run: the plan (skip finished cases, clear what unfinished ones left), then the
// flow graph (Graph.hpp) over the rest, then the JSON files rebuilt from the case records.

#include <atomic>
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "pipeline/core/CaseSpec.hpp"
#include "pipeline/core/Console.hpp"
#include "pipeline/core/Profile.hpp"
#include "pipeline/output/OutputTree.hpp"
#include "pipeline/run/Finalize.hpp"

namespace samed2d {

struct ConvertOptions {
  std::filesystem::path output;
  Profile profile;
  std::size_t threads = 0;                    // 0: all cores
  std::size_t cases_in_flight = 0;            // 0: automatic (cases_in_flight_for, Graph.hpp)
  const std::atomic<bool>* cancel = nullptr;  // set by a signal handler: stop cleanly
};

struct ConvertResult {
  std::size_t cases = 0;      // cases found by the converter
  std::size_t converted = 0;  // converted in this run
  std::size_t skipped = 0;    // finished by an earlier run with the same inputs and options
  std::size_t failed = 0;
  std::size_t images_written = 0;  // in this run
  std::size_t masks_written = 0;
  OutputTree::Totals totals;  // what OUT holds now
  double seconds = 0;
  bool interrupted = false;
  std::vector<FailedCase> failures;
  // Set when OUT's disk filled up: the run stopped starting cases (one line saying so).
  std::string stopped;
  std::size_t not_converted = 0;
  // Set when the JSON files could not be written (they were removed instead; exit 1).
  std::string output_error;
};

// Runs the conversion and writes OUT/report.json. Never throws for a bad case (it is reported
// and the others go on); throws std::runtime_error when OUT itself cannot be written.
ConvertResult run_conversion(const std::vector<CaseSpec>& cases, const ConvertOptions& options,
                             Console& console);

}  // namespace samed2d
