// `samed2d validate`'s checks of the files in images/ and masks/: their names, the class id in a
// mask's name, and (ValidationDepth::full) each PNG decoded whole: its format, a mask's size
// against its image's and its values (0 and 255, at least one 255).

#include <fmt/format.h>
#include <png.h>
#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <array>
#include <atomic>

#include "pipeline/core/Naming.hpp"
#include "pipeline/tree/PngCheck.hpp"
#include "pipeline/tree/ValidateChecks.hpp"

namespace samed2d {

namespace fs = std::filesystem;

namespace {

// A thread's buffers, reused from file to file.
struct Buffers {
  std::vector<std::uint8_t> file;
  DecodedPng png;
};

// The checks of one tree's PNG files, run by many threads at once: every image first (their
// sizes are what the masks are held against), then every mask.
class PngFileChecks {
 public:
  PngFileChecks(const fs::path& root, const FilesOnDisk& files, const MappingClasses& classes,
                bool open_pngs, ProblemSink& sink)
      : root_(root),
        files_(files),
        classes_(classes),
        open_pngs_(open_pngs),
        sink_(sink),
        image_size_(files.images.size(), {0, 0}),
        class_masks_(classes.size()) {}

  void check_image(std::size_t i, Buffers& b);
  void check_mask(std::size_t i, Buffers& b);
  std::vector<std::size_t> masks_of_class() const;

 private:
  bool decode(const std::string& rel, Buffers& b);
  void count_class(const std::string& rel, std::string_view class_id);
  void check_against_image(const std::string& rel, std::string_view image_stem, const PngHeader& h);
  void check_mask_values(const std::string& rel, const DecodedPng& png);

  const fs::path& root_;
  const FilesOnDisk& files_;
  const MappingClasses& classes_;
  bool open_pngs_;
  ProblemSink& sink_;
  std::vector<std::array<std::uint32_t, 2>> image_size_;  // 0x0 (unknown) when corrupt
  std::vector<std::atomic<std::size_t>> class_masks_;
};

// Reads and decodes ROOT/REL whole into `b`: false (a problem added) when it cannot be read or is
// corrupt.
bool PngFileChecks::decode(const std::string& rel, Buffers& b) {
  if (auto err = read_whole_file(root_ / rel, b.file); !err.empty()) {
    sink_.add("unreadable-png", rel, err);
    return false;
  }
  if (auto err = decode_whole_png(b.file, b.png); !err.empty()) {
    sink_.add("corrupt-png", rel, err);
    return false;
  }
  return true;
}

void PngFileChecks::check_image(std::size_t i, Buffers& b) {
  const std::string rel = "images/" + files_.images[i];
  ParsedName parsed;
  if (auto err = parse_name(files_.images[i], false, parsed); !err.empty())
    sink_.add("bad-name", rel, err);
  if (!open_pngs_ || !decode(rel, b)) return;
  const PngHeader& h = b.png.header;
  image_size_[i] = {h.width, h.height};
  // SPEC section 4: 8-bit grey or 8-bit RGB.
  if (h.bit_depth != 8 ||
      (h.color_type != PNG_COLOR_TYPE_GRAY && h.color_type != PNG_COLOR_TYPE_RGB))
    sink_.add("image-format", rel,
              fmt::format("is a {}-bit {} PNG; an image is 8-bit grey or 8-bit RGB", h.bit_depth,
                          color_type_name(h.color_type)));
}

void PngFileChecks::check_mask(std::size_t i, Buffers& b) {
  const std::string rel = "masks/" + files_.masks[i];
  ParsedName parsed;
  if (auto err = parse_name(files_.masks[i], true, parsed); !err.empty()) {
    sink_.add("bad-name", rel, err);
    parsed = {};
  }
  if (!parsed.class_id.empty()) count_class(rel, parsed.class_id);
  if (!open_pngs_) {
    // What the full check finds from the names alone.
    if (!parsed.image_stem.empty() &&
        !find_name(files_.images, std::string(parsed.image_stem) + ".png"))
      sink_.add("mask-without-image", rel,
                fmt::format("its image images/{}.png is not on disk", parsed.image_stem));
    return;
  }
  if (!decode(rel, b)) return;
  const PngHeader& h = b.png.header;
  if (h.bit_depth != 8 || h.color_type != PNG_COLOR_TYPE_GRAY) {
    sink_.add("mask-format", rel,
              fmt::format("is a {}-bit {} PNG; a mask is 8-bit grey", h.bit_depth,
                          color_type_name(h.color_type)));
    return;
  }
  if (!parsed.image_stem.empty()) check_against_image(rel, parsed.image_stem, h);
  check_mask_values(rel, b.png);
}

// A mask's class id must be in the mapping; counts the masks of each class.
void PngFileChecks::count_class(const std::string& rel, std::string_view class_id) {
  const auto it = std::lower_bound(classes_.begin(), classes_.end(), class_id,
                                   [](const auto& c, std::string_view id) { return c.first < id; });
  if (it != classes_.end() && it->first == class_id)
    class_masks_[static_cast<std::size_t>(it - classes_.begin())].fetch_add(
        1, std::memory_order_relaxed);
  else
    sink_.add("unknown-class", rel,
              fmt::format("class id {} is not in {}", class_id, kMappingFile));
}

// The mask's image is on disk, and (when it decoded) of the mask's size.
void PngFileChecks::check_against_image(const std::string& rel, std::string_view image_stem,
                                        const PngHeader& h) {
  const std::string image_name = std::string(image_stem) + ".png";
  if (const auto at = find_name(files_.images, image_name)) {
    const auto [w, hh] = image_size_[*at];
    if (w != 0 && (w != h.width || hh != h.height))
      sink_.add("mask-size", rel,
                fmt::format("is {}x{} (width x height) but its image {} is {}x{}", h.width,
                            h.height, image_name, w, hh));
  } else {
    sink_.add("mask-without-image", rel,
              fmt::format("its image images/{} is not on disk", image_name));
  }
}

// Only 0 and 255, and at least one 255. 8-bit grey: one byte a pixel, `row_bytes` == width.
void PngFileChecks::check_mask_values(const std::string& rel, const DecodedPng& png) {
  std::size_t bad = 0;
  std::size_t on = 0;
  std::uint8_t first_bad = 0;
  for (std::size_t p = 0, n = png.row_bytes * png.header.height; p < n; ++p) {
    const std::uint8_t v = png.pixels[p];
    if (v == 255)
      ++on;
    else if (v != 0 && bad++ == 0)
      first_bad = v;
  }
  if (bad > 0)
    sink_.add("mask-values", rel,
              fmt::format("holds the value {} ({} pixel(s) neither 0 nor 255)", first_bad, bad));
  else if (on == 0)
    sink_.add("mask-blank", rel, "holds no pixel of 255; a mask is a non-empty component");
}

std::vector<std::size_t> PngFileChecks::masks_of_class() const {
  std::vector<std::size_t> counts;
  for (const auto& n : class_masks_) counts.push_back(n.load());
  return counts;
}

}  // namespace

std::vector<std::size_t> check_png_files(const fs::path& root, const FilesOnDisk& files,
                                         const MappingClasses& classes, ValidationDepth depth,
                                         std::size_t threads, ProblemSink& sink) {
  PngFileChecks checks(root, files, classes, depth == ValidationDepth::full, sink);
  tbb::enumerable_thread_specific<Buffers> buffers;
  // `check` (check_image or check_mask) on files [0, count), in parallel; it returns once all
  // are done, so every image size is known before the first mask is held against it.
  const auto each = [&](std::size_t count, void (PngFileChecks::*check)(std::size_t, Buffers&)) {
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, count, 64),
                      [&](const tbb::blocked_range<std::size_t>& r) {
                        Buffers& b = buffers.local();
                        for (std::size_t i = r.begin(); i != r.end(); ++i) (checks.*check)(i, b);
                      });
  };
  tbb::task_arena arena(threads == 0 ? tbb::task_arena::automatic : static_cast<int>(threads));
  arena.execute([&] {
    each(files.images.size(), &PngFileChecks::check_image);
    each(files.masks.size(), &PngFileChecks::check_mask);
  });
  return checks.masks_of_class();
}

}  // namespace samed2d
