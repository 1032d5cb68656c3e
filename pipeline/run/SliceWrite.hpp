#pragma once
// The graph's slice step: one slice of a case turned into its mask PNGs (one per class
// instance) and one image PNG per sequence, written into OUT.

#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "pipeline/core/Axis.hpp"
#include "pipeline/core/Profile.hpp"
#include "pipeline/output/OutputTree.hpp"
#include "pipeline/run/CaseLoad.hpp"
#include "pipeline/run/Progress.hpp"

namespace samed2d {

struct SliceJob {
  std::shared_ptr<CaseWork> work;
  Axis axis = Axis::X;
  std::size_t index = 0;
};

// What one slice wrote (or why it could not), for the serial collector.
struct SliceDone {
  std::shared_ptr<CaseWork> work;
  bool empty_case = false;  // sent by the load node for a case with no slice to do (or failed)
  std::vector<std::pair<std::string, std::vector<std::string>>> images;
  std::vector<std::pair<std::string, std::string>> classes;  // id text, name
  std::vector<std::string> written;
  std::string error;
  bool output_full = false;  // the error is OUT's disk being full: the run stops
  bool cancelled = false;
};

// Writes the slice's masks, then each sequence's image, and counts them. Never throws: an error
// is returned in SliceDone::error. A slice with no mask after the area rule writes nothing.
SliceDone process_slice(const SliceJob& job, const Profile& profile, const OutputTree& out,
                        ProgressCounters& counters);

}  // namespace samed2d
