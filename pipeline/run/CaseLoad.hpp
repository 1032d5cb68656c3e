#pragma once
// A case in flight through the graph, and its load step: its files read and checked against
// each other (the graph's load node), then the slices it will write chosen.

#include <array>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "pipeline/core/Axis.hpp"
#include "pipeline/core/CaseSpec.hpp"
#include "pipeline/core/Profile.hpp"
#include "pipeline/core/Volume.hpp"
#include "pipeline/output/CaseRecord.hpp"
#include "pipeline/slicing/LabelIndex.hpp"
#include "pipeline/slicing/SliceFrame.hpp"

namespace samed2d {

struct LoadedSequence {
  std::string modality;
  std::shared_ptr<const Volume> volume;
  std::size_t component = 0;
  bool rgb = false;  // a 2D 8-bit RGB source written whole (no "component" picked)
  const IntensityOptions* intensity = nullptr;            // the profile's, for this modality
  std::optional<std::pair<double, double>> volume_range;  // for "minmax-volume"
  std::string file;
};

// A case in flight: its volumes, its label index and what its slices wrote. The load node fills
// it; slice workers only read it; the serial collector alone writes the result fields.
struct CaseWork {
  const CaseSpec* spec = nullptr;
  CaseRecord record;  // header (dataset, case, modalities, options, sources) filled before load
  std::vector<LoadedSequence> sequences;
  std::shared_ptr<const Volume> label;
  std::unique_ptr<LabelIndex> labels;
  bool is_2d = false;
  std::array<SliceFrame, 3> frames;  // per axis: where a slice lands in its output image
  std::size_t total_slices = 0;
  // Collector-owned.
  std::size_t done_slices = 0;
  std::vector<std::string> written;
  std::string error;
  bool cancelled = false;
};

// Reads the case's files, checks them against each other and sets the frame of each axis; its
// warnings go into the record. Throws InputError (or another std::exception) for a bad case.
void load_case(CaseWork& w, const Profile& profile);

// True when some slice of the label map holds a class of the mapping.
bool any_labels(const LabelIndex& labels);

// The slices the case writes, as (axis, index), in axis then index order.
std::vector<std::pair<Axis, std::size_t>> plan_slices(const CaseWork& w, const Profile& profile);

}  // namespace samed2d
