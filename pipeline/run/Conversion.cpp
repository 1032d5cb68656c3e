#include "pipeline/run/Conversion.hpp"

#include <fmt/format.h>
#include <oneapi/tbb/flow_graph.h>
#include <oneapi/tbb/global_control.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "pipeline/core/Errors.hpp"
#include "pipeline/core/Naming.hpp"
#include "pipeline/core/Text.hpp"
#include "pipeline/io/VolumeReader.hpp"
#include "pipeline/output/PngWriter.hpp"
#include "pipeline/run/Finalize.hpp"
#include "pipeline/run/Progress.hpp"
#include "pipeline/slicing/Resample.hpp"
#include "pipeline/slicing/SliceFrame.hpp"
#include "pipeline/slicing/SliceOps.hpp"

namespace samed2d {

namespace fs = std::filesystem;
namespace flow = oneapi::tbb::flow;

namespace {

// Bumped whenever the bytes the tool writes for the same options change (PNG settings,
// naming), so that records of older runs are not taken as finished. 2: PNG streams compressed
// by libdeflate instead of zlib (same pixels, other bytes).
constexpr int kOutputFormat = 2;
// NAME_MAX of Linux file systems.
constexpr std::size_t kMaxFileName = 255;

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
  std::vector<std::string> prefixes;  // "{modality}--{dataset}--{case}--" of each sequence
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

struct SliceJob {
  std::shared_ptr<CaseWork> work;
  Axis axis = Axis::X;
  std::size_t index = 0;
};

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

nlohmann::json mapping_json(const LabelMapping& m) {
  auto j = nlohmann::json::array();
  for (const auto& c : m.classes)
    j.push_back({{"name", c.name}, {"id", c.id_text}, {"values", c.values}});
  return j;
}

nlohmann::json png_json(const PngOptions& o) {
  return {{"deflate", "libdeflate"}, {"level", o.level}, {"filter", static_cast<int>(o.filter)}};
}

std::string abs_path(const fs::path& p) {
  std::error_code ec;
  auto a = fs::absolute(p, ec);
  return (ec ? p : a).lexically_normal().generic_string();
}

// The record header: everything that decides whether an earlier run's output can be kept.
CaseRecord record_header(const CaseSpec& spec, const Profile& profile) {
  CaseRecord r;
  r.dataset = spec.dataset;
  r.case_name = spec.name;
  for (const auto& s : spec.sequences) r.modalities.push_back(s.modality);
  std::sort(r.modalities.begin(), r.modalities.end());
  auto seqs = nlohmann::json::array();
  for (const auto& s : spec.sequences) {
    nlohmann::json q = {{"modality", s.modality}, {"image", abs_path(s.image)}};
    if (s.component) q["component"] = *s.component;
    if (!s.dicom_series.empty()) q["dicom_series"] = s.dicom_series;
    if (s.resample_to_label) q["resample"] = "linear";
    seqs.push_back(q);
  }
  r.options = {{"output_format", kOutputFormat},
               {"profile", profile.to_json()},
               {"png",
                {{"gray", png_json(image_png_options(PngColor::Gray))},
                 {"rgb", png_json(image_png_options(PngColor::Rgb))},
                 {"gray_as_rgb", png_json(image_png_options(PngColor::GrayAsRgb))},
                 {"mask", png_json(mask_png_options())}}},
               {"classes", spec.mapping ? mapping_json(*spec.mapping) : nlohmann::json::array()},
               {"sequences", seqs},
               {"label", abs_path(spec.label)}};
  // Layout options that change the label map (absent where unused, so older records still match).
  if (!spec.label_recipe.empty()) r.options["label_recipe"] = spec.label_recipe;
  if (spec.mapping && spec.mapping->background != 0)
    r.options["background"] = spec.mapping->background;
  for (const auto& s : spec.sequences) r.sources.push_back(stamp_source(s.image));
  r.sources.push_back(stamp_source(spec.label));
  for (const auto& e : spec.extra_sources) r.sources.push_back(stamp_source(e));
  return r;
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

// Reads the case's files, checks them against each other and decides which slices to do.
void load_case(CaseWork& w, const Profile& profile) {
  const CaseSpec& spec = *w.spec;
  if (!spec.mapping)
    throw InputError(fmt::format("{}: the dataset config has no label mapping", spec.source));
  std::vector<std::string>& warnings = w.record.warnings;

  warnings.insert(warnings.end(), spec.warnings.begin(), spec.warnings.end());
  std::optional<ImageGrid> first_grid;  // for an assembled label, before reorientation
  std::map<std::pair<fs::path, std::string>, std::shared_ptr<const Volume>>
      read_once;  // a 4D file serves several sequences
  // Sequences on another grid than the label: read now, resampled once the label is read.
  std::set<std::pair<fs::path, std::string>> to_resample;
  for (const auto& seq : spec.sequences) {
    auto& vol = read_once[{seq.image, seq.dicom_series}];
    if (!vol && seq.resample_to_label) {
      // Stored as read (the checks below need it), replaced by its resampled copy later.
      vol = std::make_shared<const Volume>(
          read_volume(seq.image, warnings, ReadOptions{seq.dicom_series}));
      to_resample.emplace(seq.image, seq.dicom_series);
    }
    if (!vol) {
      Volume v = seq.assemble ? seq.assemble(warnings)
                              : read_volume(seq.image, warnings, ReadOptions{seq.dicom_series});
      if (!first_grid) first_grid = ImageGrid{seq.image, v.size(), v.geometry};
      if (auto value = constant_value(v))
        warnings.push_back(fmt::format(
            "{}: every voxel has the same value ({}), so its images are black; check that the "
            "file is not blank or damaged",
            seq.image.string(), *value));
      if (profile.orientation != Orientation::AsStored && !v.is_2d())
        v = reorient(v, profile.orientation);
      vol = std::make_shared<const Volume>(std::move(v));
    }
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
    w.sequences.push_back(std::move(s));
  }

  std::shared_ptr<const Volume> label;
  {
    // An assembled label is reoriented like a read one, or it would not match the image.
    Volume v = spec.assemble_label ? spec.assemble_label(first_grid.value_or(ImageGrid{}), warnings)
                                   : read_label_volume(spec.label, warnings);
    // Sequences on another grid are resampled onto the label's stored grid, then reoriented
    // with it; one already on that grid is used as it is.
    for (const auto& key : to_resample) {
      auto shared = read_once[key];
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
    label = std::make_shared<const Volume>(std::move(v));
  }
  const std::string label_file = spec.label.string();
  for (const auto& s : w.sequences) {
    if (s.volume->size() != label->size())
      throw InputError(fmt::format(
          "{}: label map is {}x{}x{} but image {} is {}x{}x{}; slicing by index needs equal sizes, "
          "so pair the image with its own label map",
          label_file, label->size()[0], label->size()[1], label->size()[2], s.file,
          s.volume->size()[0], s.volume->size()[1], s.volume->size()[2]));
    if (!same_geometry(s.volume->geometry, label->geometry))
      warnings.push_back(fmt::format(
          "{}: origin, spacing or direction differs from image {}; converted anyway since "
          "slicing is by index",
          label_file, s.file));
  }
  w.label = label;
  w.labels = std::make_unique<LabelIndex>(*label, *spec.mapping, label_file);
  const auto& unmapped = w.labels->unmapped_counts();
  for (const auto& [value, count] : unmapped)
    w.record.unmapped_values[std::to_string(value)] = count;
  if (!unmapped.empty()) {
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
      list +=
          fmt::format(" and {} more values ({} voxels)", unmapped.size() - kListed, rest_voxels);
    warnings.push_back(
        fmt::format("{}: label values {} are not in the config's \"labels\"; they "
                    "are not written",
                    label_file, list));
  }
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

struct EncodedMask {
  std::string suffix;  // "--0003_000.png"
  std::string id_text;
  std::string name;
  std::vector<std::uint8_t> png;
};

// SPEC 4: a MONOCHROME1 image is written as a viewer shows it, its 8-bit result inverted.
void invert_u8(std::vector<std::uint8_t>& pixels) {
  for (auto& p : pixels) p = static_cast<std::uint8_t>(255 - p);
}

// The image pixels of one sequence's slice, resampled and placed as its frame says, encoded.
void encode_image(const LoadedSequence& s, bool is_2d, Axis axis, std::size_t index,
                  const SliceFrame& frame, const Profile& profile, std::vector<std::uint8_t>& png) {
  thread_local std::vector<double> values;
  thread_local std::vector<double> resampled;
  thread_local std::vector<std::uint8_t> pixels;
  thread_local std::vector<std::uint8_t> canvas;
  const Volume& v = *s.volume;
  // 2D 8-bit sources keep their pixels: grey stays grey, RGB stays RGB (resampled, rounded).
  const bool keep_pixels = is_2d && v.type() == VoxelType::UInt8;
  const std::size_t channels = keep_pixels && s.rgb ? 3 : 1;
  const bool resample =
      frame.content_height != frame.stored_height || frame.content_width != frame.stored_width;
  const std::size_t count = frame.content_height * frame.content_width;
  pixels.resize(count * channels);
  // A stored 8- or 16-bit integer slice is mapped straight from its voxels (the same bytes as
  // through doubles, without the double copy); anything else takes the general path below.
  const bool direct =
      !keep_pixels && !resample &&
      normalize_slice_direct(v, s.component, axis, index, *s.intensity, s.volume_range, pixels);
  for (std::size_t c = 0; c < channels && !direct; ++c) {
    extract_slice(v, s.rgb ? c : s.component, axis, index, values);
    if (resample) resample_linear(values.data(), frame, resampled);
    const std::vector<double>& in = resample ? resampled : values;
    if (keep_pixels) {
      // Interpolated 8-bit samples lie in [0, 255]; + 0.5 and truncation round half up, and
      // leave a stored value as it is.
      for (std::size_t p = 0; p < count; ++p)
        pixels[p * channels + c] = static_cast<std::uint8_t>(static_cast<int>(in[p] + 0.5));
    } else {
      normalize_to_u8(in, *s.intensity, s.volume_range, pixels);  // one channel
    }
  }
  // SPEC 4: a MONOCHROME1 image is written as a viewer shows it, its 8-bit result inverted; the
  // canvas around a padded slice stays 0.
  if (v.monochrome1 && channels == 1) invert_u8(pixels);
  const PngColor color = keep_pixels ? (s.rgb ? PngColor::Rgb : PngColor::Gray)
                         : (is_2d || !profile.channels_3d_rgb) ? PngColor::Gray
                                                               : PngColor::GrayAsRgb;
  const bool padded =
      frame.out_height != frame.content_height || frame.out_width != frame.content_width;
  if (padded) place_on_canvas(pixels, channels, frame, canvas);
  encode_png(padded ? canvas.data() : pixels.data(), frame.out_width, frame.out_height, color,
             image_png_options(color), png);
}

SliceDone process_slice(const SliceJob& job, const Profile& profile, const OutputTree& out,
                        ProgressCounters& counters) {
  SliceDone done;
  done.work = job.work;
  const CaseWork& w = *job.work;
  try {
    const SliceFrame& frame = w.frames[static_cast<std::size_t>(job.axis)];
    const bool framed = !frame.identity();
    thread_local std::vector<std::uint8_t> resized;
    std::vector<EncodedMask> masks;
    for (auto& cm : w.labels->class_masks(job.axis, job.index)) {
      // Nearest neighbour: the label map's classes on the output grid, so that instances and the
      // area filter are judged at the size that is written, and masks stay binary.
      if (framed) resample_nearest(cm.mask.data(), frame, resized);
      auto instances = split_instances(framed ? resized.data() : cm.mask.data(), frame.out_height,
                                       frame.out_width, profile);
      for (std::size_t k = 0; k < instances.size(); ++k) {
        EncodedMask m;
        m.id_text = cm.cls->id_text;
        m.name = cm.cls->name;
        m.suffix = fmt::format("--{}_{:03d}.png", m.id_text, k);
        encode_png(instances[k].mask.data(), frame.out_width, frame.out_height, PngColor::Gray,
                   mask_png_options(), m.png);
        masks.push_back(std::move(m));
      }
    }
    if (masks.empty()) return done;
    for (const auto& m : masks) done.classes.emplace_back(m.id_text, m.name);

    const std::string slice = w.is_2d ? std::string(kSlice2d) : slice_label(job.axis, job.index);
    thread_local std::vector<std::uint8_t> png;  // reused: an RGB slice is hundreds of KB
    for (const auto& s : w.sequences) {
      const std::string stem = image_stem(s.modality, w.spec->dataset, w.spec->name, slice);
      encode_image(s, w.is_2d, job.axis, job.index, frame, profile, png);
      const std::string image_rel = "images/" + stem + ".png";
      std::vector<std::string> mask_rels;
      for (const auto& m : masks) {
        std::string rel = "masks/" + stem + m.suffix;
        out.write_file(rel, m.png.data(), m.png.size());
        done.written.push_back(rel);
        mask_rels.push_back(std::move(rel));
      }
      out.write_file(image_rel, png.data(), png.size());
      done.written.push_back(image_rel);
      counters.images.fetch_add(1, std::memory_order_relaxed);
      counters.masks.fetch_add(mask_rels.size(), std::memory_order_relaxed);
      done.images.emplace_back(image_rel, std::move(mask_rels));
    }
  } catch (const OutputFull& e) {
    done.error = one_line(e.what());
    done.output_full = true;
  } catch (const std::exception& e) {
    done.error = one_line(e.what());
  }
  return done;
}

}  // namespace

std::size_t cases_in_flight_for(std::size_t threads) {
  return std::clamp<std::size_t>(threads / 2, 2, 6);
}

ConvertResult run_conversion(const std::vector<CaseSpec>& cases, const ConvertOptions& options,
                             Console& console) {
  prepare_readers_for_threads();
  const auto start = std::chrono::steady_clock::now();
  const Profile& profile = options.profile;
  ConvertResult result;
  result.cases = cases.size();

  OutputTree out(options.output);
  out.prepare();

  auto cancelled = [&] {
    return options.cancel != nullptr && options.cancel->load(std::memory_order_relaxed);
  };
  // Set when OUT's disk is full: no case is started after it (each would fail the same way,
  // one error line per case for the rest of a long run), the cases in flight are dropped like
  // interrupted ones, and the finished ones are kept for the rerun.
  std::atomic<bool> output_full{false};
  auto stopping = [&] { return cancelled() || output_full.load(std::memory_order_relaxed); };
  auto fail = [&](const CaseSpec& spec, std::vector<std::string> files, const std::string& why) {
    console.error(
        fmt::format("case '{}' of {} ({}): {}", spec.name, spec.dataset, spec.source, why));
    result.failures.push_back({spec.dataset, spec.name, spec.source, std::move(files), why});
  };
  auto files_of = [](const CaseSpec& spec) {
    std::vector<std::string> f;
    for (const auto& s : spec.sequences) f.push_back(s.image.string());
    f.push_back(spec.label.string());
    for (const auto& e : spec.extra_sources) f.push_back(e.string());
    return f;
  };

  // Cases a kill interrupted: their files are samed2d's and go, unless the case was recorded
  // (the record is written after every file) and its files are all there.
  std::unordered_set<std::string> owned;
  const auto pending = out.read_pending();
  std::unordered_set<std::string> interrupted;
  for (const auto& [key, prefixes] : pending) {
    const auto record = out.read_record(key);
    if (record && out.all_files_exist(*record)) continue;
    interrupted.insert(prefixes.begin(), prefixes.end());
  }
  owned.insert(interrupted.begin(), interrupted.end());

  // Skip finished cases; clear what unfinished ones left behind.
  std::vector<std::shared_ptr<CaseWork>> todo;
  std::unordered_set<std::string> seen_keys;
  std::unordered_set<std::string> stale_prefixes;
  std::unordered_map<std::string, std::string> prefix_owner;
  for (const auto& spec : cases) {
    if (!spec.discovery_error.empty()) {
      fail(spec, files_of(spec), spec.discovery_error);
      continue;
    }
    auto w = std::make_shared<CaseWork>();
    w->spec = &spec;
    w->record = record_header(spec, profile);
    const std::string key = w->record.key();
    bool clash = !seen_keys.insert(key).second;
    std::vector<std::string> prefixes;
    for (const auto& s : spec.sequences) {
      std::string p = case_prefix(s.modality, spec.dataset, spec.name);
      auto [it, inserted] = prefix_owner.emplace(p, spec.source);
      if (!inserted) clash = true;
      prefixes.push_back(std::move(p));
    }
    if (clash) {
      fail(spec, files_of(spec),
           fmt::format("its output names ({}...) are already used by case {} of this run; give the "
                       "config a case_name template that tells them apart",
                       prefixes.front(), prefix_owner[prefixes.front()]));
      continue;
    }
    // A case name with a '-' at either end makes "---" next to a separator, and the names can
    // no longer be split into their fields (SPEC section 2): "-dash" and "dash-" would read as
    // other cases.
    if (!spec.name.empty() && (spec.name.front() == '-' || spec.name.back() == '-')) {
      fail(spec, files_of(spec),
           fmt::format("the case name '{}' {} with '-', which makes its file names ambiguous "
                       "next to the '--' separators; give the config a case_name template "
                       "without it (e.g. {{stem#-}} or {{stem%-}})",
                       spec.name, spec.name.front() == '-' ? "starts" : "ends"));
      continue;
    }
    // The longest name the case can write (4-digit slices, 3-digit instances) must fit in a
    // file name, or the case would fail halfway with "File name too long".
    std::size_t longest = 0;
    for (const auto& p : prefixes) longest = std::max(longest, p.size());
    if (longest + std::string_view("x_0000--0000_000.png").size() > kMaxFileName) {
      fail(spec, files_of(spec),
           fmt::format("its mask names would be longer than {} bytes, the file-system limit; give "
                       "the config a case_name template that makes a shorter name",
                       kMaxFileName));
      continue;
    }
    if (auto old = out.read_record(key)) {
      // A finished case is skipped only when its inputs and options are the same and every
      // file it wrote is still there.
      if (old->same_work(w->record) && out.all_files_exist(*old)) {
        ++result.skipped;
        continue;
      }
      std::vector<std::string> files;
      for (const auto& [image, masks] : old->images) {
        files.push_back(image);
        files.insert(files.end(), masks.begin(), masks.end());
      }
      out.remove_record(key);
      out.remove_files(files);
    }
    stale_prefixes.insert(prefixes.begin(), prefixes.end());
    w->prefixes = std::move(prefixes);
    todo.push_back(std::move(w));
  }
  for (const auto& [prefix, source] : prefix_owner) owned.insert(prefix);
  stale_prefixes.insert(interrupted.begin(), interrupted.end());
  out.remove_files_with_prefixes(stale_prefixes);
  for (const auto& [key, prefixes] : pending) out.remove_pending(key);

  // Cases of these datasets that earlier runs converted but this run did not find: kept (the
  // output may merge several inputs), but the user should know.
  {
    std::set<std::string> found;
    std::set<std::string> datasets;
    for (const auto& spec : cases) {
      found.insert(record_header(spec, profile).key());
      datasets.insert(spec.dataset);
    }
    std::map<std::string, std::size_t> missing;
    for (const auto& key : out.record_keys()) {
      const std::string dataset = key.substr(0, key.find("--"));
      if (datasets.count(dataset) != 0 && found.count(key) == 0) ++missing[dataset];
    }
    for (const auto& [dataset, n] : missing)
      console.warning(fmt::format(
          "{} case(s) of {} in {} were not found in this run's input; they stay in the output "
          "(delete their records in {} and rerun to drop them)",
          n, dataset, options.output.string(), (out.state_dir() / "cases").string()));
  }

  ProgressCounters counters;
  // A dataset with thousands of negative cases (SIIM, BUSI normal/, the nerve set) or a warning
  // every file earns (ACDC's sform) would bury the rest of the console; report.json keeps all.
  constexpr std::size_t kCaseWarningLines = 20;
  std::size_t warnings_shown = 0;  // touched by the serial collector only
  std::size_t finished = 0;        // cases converted or failed in the graph (collector only)
  counters.cases_total = todo.size();
  const std::size_t threads = options.threads > 0
                                  ? options.threads
                                  : std::max<std::size_t>(1, std::thread::hardware_concurrency());
  const std::size_t in_flight =
      options.cases_in_flight > 0 ? options.cases_in_flight : cases_in_flight_for(threads);

  {
    oneapi::tbb::global_control parallelism(oneapi::tbb::global_control::max_allowed_parallelism,
                                            threads);
    ProgressReporter reporter(console, counters);

    flow::graph g;
    std::size_t next = 0;
    flow::input_node<std::size_t> source(g, [&](oneapi::tbb::flow_control& fc) -> std::size_t {
      if (next >= todo.size() || stopping()) {
        fc.stop();
        return 0;
      }
      return next++;
    });
    flow::limiter_node<std::size_t> limiter(g, in_flight);

    using LoadNode = flow::multifunction_node<std::size_t, std::tuple<SliceJob, SliceDone>>;
    LoadNode load(
        g, flow::unlimited, [&](const std::size_t& i, LoadNode::output_ports_type& ports) {
          const auto& w = todo[i];
          SliceDone empty;
          empty.work = w;
          empty.empty_case = true;
          try {
            out.write_pending(w->record.key(), w->prefixes);
            load_case(*w, profile);
            const auto jobs = plan_slices(*w, profile);
            w->total_slices = jobs.size();
            counters.slices_total.fetch_add(jobs.size(), std::memory_order_relaxed);
            if (jobs.empty()) {
              const char* why =
                  any_labels(*w->labels)
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
        });

    flow::function_node<SliceJob, SliceDone> slicer(g, flow::unlimited, [&](const SliceJob& job) {
      if (stopping()) {
        SliceDone d;
        d.work = job.work;
        d.cancelled = true;
        return d;
      }
      return process_slice(job, profile, out, counters);
    });

    using CollectNode = flow::multifunction_node<SliceDone, std::tuple<flow::continue_msg>>;
    CollectNode collect(g, flow::serial,
                        [&](const SliceDone& d, CollectNode::output_ports_type& ports) {
                          CaseWork& w = *d.work;
                          w.written.insert(w.written.end(), d.written.begin(), d.written.end());
                          if (!d.error.empty() && w.error.empty()) {
                            w.error = d.error;
                            if (d.output_full) output_full = true;
                          }
                          if (d.cancelled) w.cancelled = true;
                          for (const auto& [image, masks] : d.images)
                            w.record.images[image] = masks;
                          for (const auto& [id, name] : d.classes) w.record.classes[id] = name;
                          if (!d.empty_case) {
                            ++w.done_slices;
                            counters.slices_done.fetch_add(1, std::memory_order_relaxed);
                            if (w.done_slices < w.total_slices) return;
                          }
                          // The case is complete: record it (written last) or clean it up.
                          const CaseSpec& spec = *w.spec;
                          if (w.error.empty() && !w.cancelled) {
                            try {
                              out.write_record(w.record);
                              ++result.converted;
                              for (const auto& warning : w.record.warnings) {
                                if (warnings_shown++ < kCaseWarningLines)
                                  console.warning(fmt::format("case '{}': {}", spec.name, warning));
                              }
                            } catch (const OutputFull& e) {
                              w.error = one_line(e.what());
                              output_full = true;
                            } catch (const std::exception& e) {
                              w.error = one_line(e.what());
                            }
                          }
                          if (!w.error.empty() || w.cancelled) {
                            out.remove_files(w.written);
                            // A case that failed and was then stopped still failed.
                            if (!w.error.empty()) {
                              fail(spec, files_of(spec), w.error);
                              counters.cases_failed.fetch_add(1, std::memory_order_relaxed);
                            }
                          } else {
                            result.images_written += w.record.images.size();
                            for (const auto& [image, masks] : w.record.images)
                              result.masks_written += masks.size();
                          }
                          if (!w.cancelled || !w.error.empty()) ++finished;
                          // Recorded, or its files removed: no longer pending.
                          out.remove_pending(w.record.key());
                          counters.cases_done.fetch_add(1, std::memory_order_relaxed);
                          // Release the case's volumes now; the slice messages still holding it are
                          // already done.
                          w.sequences.clear();
                          w.labels.reset();
                          w.label.reset();
                          // ...and its file lists: the record on disk has them, and a dataset of
                          // a thousand cases would otherwise hold millions of names until the end.
                          std::map<std::string, std::vector<std::string>>().swap(w.record.images);
                          std::vector<std::string>().swap(w.written);
                          std::get<0>(ports).try_put(flow::continue_msg());
                        });

    flow::make_edge(source, limiter);
    flow::make_edge(limiter, load);
    flow::make_edge(flow::output_port<0>(load), slicer);
    flow::make_edge(flow::output_port<1>(load), collect);
    flow::make_edge(slicer, collect);
    flow::make_edge(flow::output_port<0>(collect), limiter.decrementer());
    source.activate();
    g.wait_for_all();
  }

  if (warnings_shown > kCaseWarningLines)
    console.warning(
        fmt::format("{} more case warnings not shown; {}/report.json lists every warning",
                    warnings_shown - kCaseWarningLines, options.output.string()));
  result.interrupted = cancelled();
  result.failed = result.failures.size();
  if (output_full && todo.size() > finished) {
    result.not_converted = todo.size() - finished;
    result.stopped = fmt::format(
        "stopped: the output disk is full, so {} case(s) were not started or not finished; free "
        "space there (or choose another --output) and rerun the same command: finished cases are "
        "kept",
        result.not_converted);
    console.error(result.stopped);
  }

  result.output_error =
      finalize_conversion(out, owned, result.totals, result.failures, result.stopped, console);

  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace samed2d
