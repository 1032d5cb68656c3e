#pragma once
// What a converter hands to the pipeline: one case, its sequences and its label map.

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/core/Volume.hpp"

namespace samed2d {

// One class of a dataset: its registry id and the label values that belong to it. A union class
// holds the values of all its members.
struct ClassDef {
  std::string name;
  int id = 0;
  std::string id_text;               // "0003"
  std::vector<std::int64_t> values;  // sorted, unique
};

// The label values -> classes table of a dataset, classes in ascending id order.
struct LabelMapping {
  std::vector<ClassDef> classes;
  // The value of no class that is not reported as unmapped either: 0, or e.g. 255 for fundus
  // masks drawn black on white (where 0 is the structure).
  std::int64_t background = 0;
};

struct SequenceSpec {
  std::filesystem::path image;  // absolute or relative to the working directory
  std::string modality;         // e.g. "mr_t1"
  std::optional<std::size_t> component;
  // When set, the image must have exactly this many components (a dataset whose 4D files all
  // hold 4 channels); another count fails the case instead of slicing the wrong channel.
  std::optional<std::size_t> expected_components;
  // When `image` is a folder holding several DICOM series: which one to read (see
  // read_dicom_series). Empty: the folder must hold exactly one.
  std::string dicom_series;
  // The image is on another grid than the label map (PI-CAI's ADC and HBV, ISLES 2022's FLAIR):
  // it is resampled with linear interpolation onto the label map's physical grid before slicing.
  // An image already on that grid is never touched.
  bool resample_to_label = false;
  // Set by converters whose layout needs an image volume assembled from several files (CHAOS's
  // one DICOM file per slice, stacked in file-name order); when set, it is called instead of
  // reading `image` (which then only names the source in messages and records), and may throw
  // InputError. The files it reads belong in the case's extra_sources.
  std::function<Volume(std::vector<std::string>& warnings)> assemble;
};

// The voxel grid of a case's first image as stored in its file (before any reorientation), for
// label assemblers that check each of their files against the image.
struct ImageGrid {
  std::filesystem::path file;
  std::array<std::size_t, 3> size{0, 0, 0};
  Geometry geometry;
};

struct CaseSpec {
  std::string dataset;  // e.g. "ACDC"
  std::string name;     // sanitized case name
  std::string source;   // the matching file's path relative to the input root (for messages)
  std::vector<SequenceSpec> sequences;
  std::filesystem::path label;  // the label map file
  // Set by converters whose layout needs a label volume assembled from several files (one mask
  // file per class); when set, it is called instead of reading `label` (which then only names
  // the source in messages and records) and may throw InputError. It gets the first image's
  // stored grid and returns a volume in stored orientation; the pipeline reorients it like a
  // label it read itself.
  std::function<Volume(const ImageGrid& image, std::vector<std::string>& warnings)> assemble_label;
  std::vector<std::filesystem::path> extra_sources;  // files read by assemble_label
  // How assemble_label builds the label (e.g. how raters combine), for the case record: a change
  // of it redoes the case. Empty for a label read from one file.
  std::string label_recipe;
  std::shared_ptr<const LabelMapping> mapping;
  // Set when discovery already knows the case cannot be converted (e.g. its sanitized name
  // collides with an earlier case's); the pipeline reports it as failed with this line.
  std::string discovery_error;
  // Recoverable oddities discovery noticed (e.g. X.nii beside X.nii.gz, one of them ignored);
  // they go into the case's record and the run's report like the pipeline's own warnings.
  std::vector<std::string> warnings;
};

}  // namespace samed2d
