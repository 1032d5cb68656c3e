#include "pipeline/run/SliceWrite.hpp"

#include <fmt/format.h>

#include <cstdint>

#include "pipeline/core/Errors.hpp"
#include "pipeline/core/Naming.hpp"
#include "pipeline/core/Text.hpp"
#include "pipeline/output/PngWriter.hpp"
#include "pipeline/slicing/Components.hpp"
#include "pipeline/slicing/Intensity.hpp"
#include "pipeline/slicing/Slicing.hpp"

namespace samed2d {

namespace {

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

// The masks of one slice, encoded: each class's instances on the output grid.
std::vector<EncodedMask> encode_masks(const SliceJob& job, const Profile& profile) {
  const CaseWork& w = *job.work;
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
  return masks;
}

}  // namespace

SliceDone process_slice(const SliceJob& job, const Profile& profile, const OutputTree& out,
                        ProgressCounters& counters) {
  SliceDone done;
  done.work = job.work;
  const CaseWork& w = *job.work;
  try {
    const std::vector<EncodedMask> masks = encode_masks(job, profile);
    if (masks.empty()) return done;
    for (const auto& m : masks) done.classes.emplace_back(m.id_text, m.name);

    const SliceFrame& frame = w.frames[static_cast<std::size_t>(job.axis)];
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

}  // namespace samed2d
