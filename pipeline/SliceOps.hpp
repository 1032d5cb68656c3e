#pragma once
// Per-slice work of SPEC sections 3 to 5: slicing a volume by index, intensity normalization,
// canonical reorientation, label slices to per-class binary masks, and 8-/4-connected instance
// splitting. One header for the pipeline; each unit has its own.

#include "Components.hpp"
#include "Intensity.hpp"
#include "LabelIndex.hpp"
#include "Reorient.hpp"
#include "Slicing.hpp"
