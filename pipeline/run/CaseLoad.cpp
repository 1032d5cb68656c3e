#include "pipeline/run/CaseLoad.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>

#include "pipeline/core/Errors.hpp"
#include "pipeline/io/VolumeReader.hpp"
#include "pipeline/slicing/Intensity.hpp"
#include "pipeline/slicing/Reorient.hpp"
#include "pipeline/slicing/Resample.hpp"

namespace samed2d {

namespace fs = std::filesystem;

namespace {

// A sequence's source: its file, and which DICOM series of a folder.
using SourceKey = std::pair<fs::path, std::string>;

// The volumes a case's sequences read, while the case loads.
struct SequenceVolumes {
  std::map<SourceKey, std::shared_ptr<const Volume>> read_once;  // a 4D file serves several
  // Sequences on another grid than the label: read now, resampled once the label is read.
  std::set<SourceKey> to_resample;
  std::optional<ImageGrid> first_grid;  // for an assembled label, before reorientation
};

// The value every element of `v` holds, as text, or nothing when two differ (found at once for
// a real image, so the check costs nothing but for a blank file). Bytes are compared, so a
// volume of NaN counts as constant too.
std::optional<std::string> constant_value(const Volume& v) {
  const std::size_t size = voxel_type_size(v.type());
  const std::size_t n = v.element_count();
  if (n < 2) return std::nullopt;
  const auto* bytes = static_cast<const unsigned char*>(v.raw());
  for (std::size_t e = 1; e < n; ++e)
    if (std::memcmp(bytes, bytes + e * size, size) != 0) return std::nullopt;
  return v.visit([](const auto* p) { return fmt::format("{}", p[0]); });
}

// The volume of one sequence: read (or assembled) once per source, checked for a blank file and
// reoriented; one to resample is kept as read until the label is known.
std::shared_ptr<const Volume> sequence_volume(const SequenceSpec& seq, SequenceVolumes& volumes,
                                              const Profile& profile,
                                              std::vector<std::string>& warnings) {
  auto& vol = volumes.read_once[{seq.image, seq.dicom_series}];
  if (!vol && seq.resample_to_label) {
    // Stored as read (the checks below need it), replaced by its resampled copy later.
    vol = std::make_shared<const Volume>(
        read_volume(seq.image, warnings, ReadOptions{seq.dicom_series}));
    volumes.to_resample.emplace(seq.image, seq.dicom_series);
  }
  if (!vol) {
    Volume v = seq.assemble ? seq.assemble(warnings)
                            : read_volume(seq.image, warnings, ReadOptions{seq.dicom_series});
    if (!volumes.first_grid) volumes.first_grid = ImageGrid{seq.image, v.size(), v.geometry};
    if (auto value = constant_value(v))
      warnings.push_back(fmt::format(
          "{}: every voxel has the same value ({}), so its images are black; check that the "
          "file is not blank or damaged",
          seq.image.string(), *value));
    if (profile.orientation != Orientation::AsStored && !v.is_2d())
      v = reorient(v, profile.orientation);
    vol = std::make_shared<const Volume>(std::move(v));
  }
  return vol;
}

// The sequence as the slice workers use it: which component, RGB or not, its intensity window.
// Throws InputError for components the config does not account for.
LoadedSequence loaded_sequence(const SequenceSpec& seq, std::shared_ptr<const Volume> vol,
                               const Profile& profile) {
  LoadedSequence s;
  s.modality = seq.modality;
  s.volume = vol;
  s.file = seq.image.string();
  const std::size_t n = vol->components();
  if (seq.expected_components && n != *seq.expected_components)
    throw InputError(
        fmt::format("{}: has {} component(s) but every image of this dataset has {}; the file "
                    "is malformed or not from this dataset, so replace it or leave the case out",
                    s.file, n, *seq.expected_components));
  const bool rgb_2d = vol->is_2d() && n == 3 && vol->type() == VoxelType::UInt8;
  if (seq.component) {
    if (*seq.component >= n)
      throw InputError(
          fmt::format("{}: has {} component(s), so component {} does not exist; "
                      "fix the sequence's \"component\" in the dataset config",
                      s.file, n, *seq.component));
    s.component = *seq.component;
  } else if (rgb_2d) {
    s.rgb = true;
  } else if (n > 1 && vol->is_2d()) {
    throw InputError(
        fmt::format("{}: a {}-bit image with {} channels is not supported; convert "
                    "it to 8-bit RGB or grey, or pick one \"component\"",
                    s.file, 8 * voxel_type_size(vol->type()), n));
  } else if (n > 1) {
    throw InputError(
        fmt::format("{}: has {} components (a 4D or multi-component image); pick one in "
                    "the dataset config with a sequence's \"component\", or list them all "
                    "with \"components\"",
                    s.file, n));
  }
  s.intensity = &profile.intensity_for(s.modality);
  if (s.intensity->mode == IntensityMode::MinMaxVolume)
    s.volume_range = finite_range(*vol, s.component);
  return s;
}

// Reads (or assembles) the label map; the sequences waiting for it are resampled onto its grid
// and take their place in w.sequences. Returns the label, reoriented.
std::shared_ptr<const Volume> read_label(CaseWork& w, SequenceVolumes& volumes,
                                         const Profile& profile) {
  const CaseSpec& spec = *w.spec;
  std::vector<std::string>& warnings = w.record.warnings;
  // An assembled label is reoriented like a read one, or it would not match the image.
  Volume v = spec.assemble_label
                 ? spec.assemble_label(volumes.first_grid.value_or(ImageGrid{}), warnings)
                 : read_label_volume(spec.label, warnings);
  // Sequences on another grid are resampled onto the label's stored grid, then reoriented
  // with it; one already on that grid is used as it is.
  for (const auto& key : volumes.to_resample) {
    auto shared = volumes.read_once[key];
    if (!on_grid(*shared, v.size(), v.geometry))
      shared = std::make_shared<const Volume>(
          resample_onto(*shared, v.size(), v.geometry, key.first.string(), spec.label.string()));
    if (profile.orientation != Orientation::AsStored && !shared->is_2d())
      shared = std::make_shared<const Volume>(reorient(*shared, profile.orientation));
    for (std::size_t q = 0; q < spec.sequences.size(); ++q) {
      const auto& seq = spec.sequences[q];
      if (std::make_pair(seq.image, seq.dicom_series) != key) continue;
      w.sequences[q].volume = shared;
      if (w.sequences[q].intensity->mode == IntensityMode::MinMaxVolume)
        w.sequences[q].volume_range = finite_range(*shared, w.sequences[q].component);
    }
  }
  if (profile.orientation != Orientation::AsStored && !v.is_2d())
    v = reorient(v, profile.orientation);
  return std::make_shared<const Volume>(std::move(v));
}

// Slicing is by index: every image must have the label's size; another placement only warns.
void check_against_label(const CaseWork& w, const Volume& label, const std::string& label_file,
                         std::vector<std::string>& warnings) {
  for (const auto& s : w.sequences) {
    if (s.volume->size() != label.size())
      throw InputError(fmt::format(
          "{}: label map is {}x{}x{} but image {} is {}x{}x{}; slicing by index needs equal sizes, "
          "so pair the image with its own label map",
          label_file, label.size()[0], label.size()[1], label.size()[2], s.file,
          s.volume->size()[0], s.volume->size()[1], s.volume->size()[2]));
    if (!same_geometry(s.volume->geometry, label.geometry))
      warnings.push_back(fmt::format(
          "{}: origin, spacing or direction differs from image {}; converted anyway since "
          "slicing is by index",
          label_file, s.file));
  }
}

// Label values no class maps: every one into the record, a short list into a warning.
void note_unmapped(CaseWork& w, const std::string& label_file) {
  const auto& unmapped = w.labels->unmapped_counts();
  for (const auto& [value, count] : unmapped)
    w.record.unmapped_values[std::to_string(value)] = count;
  if (unmapped.empty()) return;
  // In numeric order, and short: a whole atlas (AAL's 116 values) mapped to one class would
  // otherwise make a line of several kilobytes. The case record keeps every value.
  constexpr std::size_t kListed = 10;
  std::string list;
  std::size_t listed = 0;
  std::uint64_t rest_voxels = 0;
  for (const auto& [value, count] : unmapped) {
    if (listed++ < kListed)
      list += fmt::format("{}{} ({} voxels)", list.empty() ? "" : ", ", value, count);
    else
      rest_voxels += count;
  }
  if (unmapped.size() > kListed)
    list += fmt::format(" and {} more values ({} voxels)", unmapped.size() - kListed, rest_voxels);
  w.record.warnings.push_back(
      fmt::format("{}: label values {} are not in the config's \"labels\"; they "
                  "are not written",
                  label_file, list));
}

// The frame of each axis. Square pixels take the spacing of the case's first image (the label
// map's header is more often a placeholder); a 3D case without a usable spacing fails here.
void set_frames(CaseWork& w, const Profile& profile) {
  const Volume& image = w.sequences.empty() ? *w.label : *w.sequences.front().volume;
  const std::string file = w.sequences.empty() ? w.spec->label.string() : w.sequences.front().file;
  const Geometry& g = image.geometry;
  if (profile.pixel_spacing == PixelSpacing::Isotropic && !image.is_2d()) {
    bool usable = g.spacing_known;
    for (const double sp : g.spacing) usable = usable && std::isfinite(sp) && sp > 0;
    if (!usable)
      throw InputError(fmt::format(
          "{}: the file does not give the voxel spacing of every axis (read as {} x {} x {}, a "
          "missing one taken as 1), which profile option "
          "\"pixel_spacing\": \"isotropic\" needs; fix the header's spacing or convert with a "
          "profile that keeps the stored pixels",
          file, g.spacing[0], g.spacing[1], g.spacing[2]));
  }
  // A 2D source without a known spacing (PNG, JPEG) has square pixels by convention.
  const std::array<double, 3> spacing =
      image.is_2d() && !g.spacing_known ? std::array<double, 3>{1, 1, 1} : g.spacing;
  // A 2D source has only its x slice; a volume the axes the profile slices.
  const std::vector<Axis> axes = w.is_2d ? std::vector<Axis>{Axis::X} : profile.axes;
  for (Axis axis : axes) {
    const auto shape = slice_shape(w.labels->size(), axis);
    SliceFrame& f = w.frames[static_cast<std::size_t>(axis)];
    f = slice_frame(shape.height, shape.width, slice_spacing(spacing, axis), profile);
    constexpr std::size_t kMaxSide = 65536;
    if (f.shape_height > kMaxSide || f.shape_width > kMaxSide)
      throw InputError(fmt::format(
          "{}: square pixels would make {} slices {} x {} pixels (voxel spacing {} x {} x {}); "
          "the spacing in the header is implausible, so fix it or keep the stored pixels",
          file, axis_letter(axis), f.shape_height, f.shape_width, spacing[0], spacing[1],
          spacing[2]));
  }
}

}  // namespace

void load_case(CaseWork& w, const Profile& profile) {
  const CaseSpec& spec = *w.spec;
  if (!spec.mapping)
    throw InputError(fmt::format("{}: the dataset config has no label mapping", spec.source));
  std::vector<std::string>& warnings = w.record.warnings;
  warnings.insert(warnings.end(), spec.warnings.begin(), spec.warnings.end());

  SequenceVolumes volumes;
  for (const auto& seq : spec.sequences)
    w.sequences.push_back(
        loaded_sequence(seq, sequence_volume(seq, volumes, profile, warnings), profile));
  const std::shared_ptr<const Volume> label = read_label(w, volumes, profile);
  const std::string label_file = spec.label.string();
  check_against_label(w, *label, label_file, warnings);
  w.label = label;
  w.labels = std::make_unique<LabelIndex>(*label, *spec.mapping, label_file);
  note_unmapped(w, label_file);
  w.is_2d = label->is_2d();
  set_frames(w, profile);
}

bool any_labels(const LabelIndex& labels) {
  for (std::size_t k = 0; k < slice_count(labels.size(), Axis::X); ++k)
    if (labels.slice_has_labels(Axis::X, k)) return true;
  return false;
}

std::vector<std::pair<Axis, std::size_t>> plan_slices(const CaseWork& w, const Profile& profile) {
  std::vector<std::pair<Axis, std::size_t>> jobs;
  const auto& n = w.labels->size();
  if (w.is_2d) {
    // SPEC 5: the aspect rule is for slices of 3D volumes; a 2D source is never skipped for it.
    if (w.labels->slice_has_labels(Axis::X, 0)) jobs.emplace_back(Axis::X, 0);
    return jobs;
  }
  for (Axis axis : {Axis::X, Axis::Y, Axis::Z}) {
    if (std::find(profile.axes.begin(), profile.axes.end(), axis) == profile.axes.end()) continue;
    const SliceFrame& frame = w.frames[static_cast<std::size_t>(axis)];
    if (!profile.keeps_aspect(frame.shape_height, frame.shape_width)) continue;
    const std::size_t count = slice_count(n, axis);
    for (std::size_t s = 0; s < count; s += profile.slice_step)
      if (w.labels->slice_has_labels(axis, s)) jobs.emplace_back(axis, s);
  }
  return jobs;
}

}  // namespace samed2d
