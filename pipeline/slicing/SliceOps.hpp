#pragma once
// Per-slice work of SPEC sections 3 to 5: slicing a volume by index, intensity normalization,
// canonical reorientation, label slices to per-class binary masks, and 8-/4-connected instance
// splitting. One header for the pipeline; each unit has its own.

#include "pipeline/slicing/Components.hpp"
#include "pipeline/slicing/Intensity.hpp"
#include "pipeline/slicing/LabelIndex.hpp"
#include "pipeline/slicing/Reorient.hpp"
#include "pipeline/slicing/Slicing.hpp"
