#include "pipeline/tree/Validate.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <png.h>
#include <sys/stat.h>
#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <csetjmp>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

#include "pipeline/core/Errors.hpp"
#include "pipeline/core/JsonFile.hpp"
#include "pipeline/core/Naming.hpp"

namespace samed2d {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kIndexFile = "SAMed2D_v1.json";
constexpr std::string_view kMappingFile = "SAMed2D_v1_class_mapping_id.json";

// Problems found by many threads at once: counts per kind, and the examples that come first by
// file name, so that the summary is the same whatever order the threads ran in.
class ProblemSink {
 public:
  explicit ProblemSink(std::size_t max_examples) : max_examples_(max_examples) {}

  void add(std::string_view kind, std::string file, std::string what) {
    std::lock_guard lock(mutex_);
    auto& k = problems_[std::string(kind)];
    ++k.count;
    auto& ex = k.examples;
    const auto at =
        std::upper_bound(ex.begin(), ex.end(), file,
                         [](const std::string& f, const auto& e) { return f < e.first; });
    if (static_cast<std::size_t>(at - ex.begin()) >= max_examples_) return;
    ex.insert(at, {std::move(file), std::move(what)});
    if (ex.size() > max_examples_) ex.pop_back();
  }

  std::map<std::string, ProblemKind> take() { return std::move(problems_); }

 private:
  std::size_t max_examples_;
  std::mutex mutex_;
  std::map<std::string, ProblemKind> problems_;
};

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The PNG header: what the IHDR chunk says.
struct PngHeader {
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  int bit_depth = 0;
  int color_type = 0;
};

std::uint32_t be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

// A file too short for a PNG, or one that does not start with the PNG signature: what is
// wrong, or "".
std::string check_png_signature(const std::uint8_t* data, std::size_t size) {
  static constexpr std::array<std::uint8_t, 8> kSignature{0x89, 'P',  'N',  'G',
                                                          0x0d, 0x0a, 0x1a, 0x0a};
  if (size < kSignature.size()) return fmt::format("is {} bytes, too short for a PNG", size);
  if (std::memcmp(data, kSignature.data(), kSignature.size()) != 0)
    return "is not a PNG (it does not start with the PNG signature)";
  return {};
}

// What libpng reads from: the file's bytes, and what went wrong.
struct PngSource {
  const std::uint8_t* data = nullptr;
  std::size_t size = 0;
  std::size_t at = 0;
  bool cut = false;        // libpng asked for bytes past the end of the file
  bool too_large = false;  // the IHDR claims more pixels than the file can hold; see below
  std::array<char, 200> message{};
};

void png_read_from_source(png_structp png, png_bytep out, std::size_t length) {
  auto* src = static_cast<PngSource*>(png_get_io_ptr(png));
  if (length > src->size - src->at) {
    src->cut = true;
    png_error(png, "the file ends early");
  }
  std::memcpy(out, src->data + src->at, length);
  src->at += length;
}

void png_on_error(png_structp png, png_const_charp message) {
  auto* src = static_cast<PngSource*>(png_get_error_ptr(png));
  if (!src->too_large) std::snprintf(src->message.data(), src->message.size(), "%s", message);
  png_longjmp(png, 1);
}

// Warnings (a CRC error in an ancillary chunk, which libpng then skips; an Adler-32 mismatch at
// the end of the image data) do not stop cv2.imread, so they are no problem here either.
void png_on_warning(png_structp, png_const_charp) {}

// Decodes a whole PNG, as cv2.imread does (libpng with its default checks: a CRC error in a
// critical chunk is an error), and reads on to its IEND chunk, which libpng only looks for in
// png_read_end. The rows land in `pixels` (interlacing undone, samples as stored), `row_bytes`
// each, and the IHDR in `h`. Returns false when libpng failed; `src` says why. No C++ object with a
// destructor lives in this frame: libpng leaves by longjmp.
bool decode_png(PngSource& src, PngHeader& h, std::vector<std::uint8_t>& pixels,
                std::vector<png_bytep>& rows, std::size_t& row_bytes) {
  png_structp png =
      png_create_read_struct(PNG_LIBPNG_VER_STRING, &src, png_on_error, png_on_warning);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  if (info == nullptr) {
    std::snprintf(src.message.data(), src.message.size(), "out of memory");
    png_destroy_read_struct(&png, nullptr, nullptr);
    return false;
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_read_struct(&png, &info, nullptr);
    return false;
  }
  png_set_read_fn(png, &src, png_read_from_source);
  png_read_info(png, info);
  h.width = png_get_image_width(png, info);
  h.height = png_get_image_height(png, info);
  h.bit_depth = png_get_bit_depth(png, info);
  h.color_type = png_get_color_type(png, info);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  row_bytes = png_get_rowbytes(png, info);
  // Deflate packs at most 1032 bytes into one, so a header that claims more pixels than the
  // file can hold is corrupt: refuse it before allocating the rows.
  if (static_cast<double>(row_bytes + 1) * h.height > 1040.0 * static_cast<double>(src.size)) {
    std::snprintf(src.message.data(), src.message.size(),
                  "is corrupt: its IHDR says %ux%u pixels, more than %zu bytes can hold", h.width,
                  h.height, src.size);
    src.too_large = true;
    png_error(png, "too large");
  }
  pixels.resize(row_bytes * h.height);
  rows.resize(h.height);
  for (std::size_t y = 0; y < h.height; ++y) rows[y] = pixels.data() + y * row_bytes;
  png_read_image(png, rows.data());
  png_read_end(png, nullptr);
  png_destroy_read_struct(&png, &info, nullptr);
  return true;
}

// What was wrong with a PNG libpng gave up on: when it ran past the end of the file, the chunk
// the file is cut in (or that IEND is missing), found by walking the chunks; else its message.
std::string describe_png_failure(const PngSource& src) {
  if (src.too_large) return src.message.data();
  if (!src.cut) return fmt::format("is corrupt: libpng says \"{}\"", src.message.data());
  std::size_t pos = 8;
  std::string last = "signature";
  while (pos + 8 <= src.size) {
    const std::size_t end = pos + 12 + std::size_t{be32(src.data + pos)};
    std::string type(reinterpret_cast<const char*>(src.data + pos + 4), 4);
    for (char& c : type)
      if (c < 0x21 || c > 0x7e) c = '?';
    if (end > src.size)
      return fmt::format(
          "is cut short: the file ends at byte {}, inside its {} chunk (which ends at byte {})",
          src.size, type, end);
    if (type == "IEND")
      return fmt::format("is corrupt: libpng read past the end of the file ({} bytes)", src.size);
    last = type + " chunk";
    pos = end;
  }
  if (pos == src.size)
    return fmt::format("has no IEND chunk: the file ends after its {} (byte {})", last, pos);
  return fmt::format(
      "is cut short: the file ends at byte {}, inside the header of the chunk after its {}",
      src.size, last);
}

// Decodes a PNG file's bytes whole: "" or what is wrong with them (a "corrupt-png" problem).
std::string check_png(const std::vector<std::uint8_t>& file, PngHeader& h,
                      std::vector<std::uint8_t>& pixels, std::vector<png_bytep>& rows,
                      std::size_t& row_bytes) {
  if (auto err = check_png_signature(file.data(), file.size()); !err.empty()) return err;
  PngSource src;
  src.data = file.data();
  src.size = file.size();
  if (decode_png(src, h, pixels, rows, row_bytes)) return {};
  return describe_png_failure(src);
}

std::string_view color_type_name(int t) {
  switch (t) {
    case 0:
      return "grey";
    case 2:
      return "RGB";
    case 3:
      return "palette";
    case 4:
      return "grey+alpha";
    case 6:
      return "RGBA";
    default:
      return "unknown colour type";
  }
}

// Reads up to `limit` bytes of a file (all of it when limit is 0) into `buf`; "" or the error.
std::string read_file(const fs::path& file, std::size_t limit, std::vector<std::uint8_t>& buf) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fmt::format("cannot be opened ({})", std::strerror(errno));
  std::size_t want = limit;
  if (limit == 0) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      ::close(fd);
      return fmt::format("cannot be read ({})", std::strerror(errno));
    }
    want = static_cast<std::size_t>(st.st_size);
  }
  buf.resize(want);
  std::size_t got = 0;
  while (got < want) {
    const auto n = ::read(fd, buf.data() + got, want - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return fmt::format("cannot be read ({})", std::strerror(err));
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  buf.resize(got);
  return {};
}

// SAMed2D_v1.json in file order (a SAX parse: keys keep their order, and a release-sized index
// of a million paths is read without building a DOM).
struct IndexEntry {
  std::string key;
  std::vector<std::string> masks;
};

class IndexReader : public nlohmann::json_sax<nlohmann::json> {
 public:
  std::vector<IndexEntry> entries;
  std::string error;  // what is wrong with its structure, "" when it is an object of lists

  bool null() override { return wrong("null"); }
  bool boolean(bool) override { return wrong("a boolean"); }
  bool number_integer(number_integer_t) override { return wrong("a number"); }
  bool number_unsigned(number_unsigned_t) override { return wrong("a number"); }
  bool number_float(number_float_t, const string_t&) override { return wrong("a number"); }
  bool binary(binary_t&) override { return wrong("binary data"); }
  bool string(string_t& s) override {
    if (depth_ != 2) return wrong("a string");
    entries.back().masks.push_back(std::move(s));
    return true;
  }
  bool start_object(std::size_t) override {
    if (depth_ != 0) return wrong("an object");
    ++depth_;
    return true;
  }
  bool key(string_t& k) override {
    entries.push_back({std::move(k), {}});
    return true;
  }
  bool end_object() override {
    --depth_;
    return true;
  }
  bool start_array(std::size_t) override {
    if (depth_ != 1) return wrong("a list");
    ++depth_;
    return true;
  }
  bool end_array() override {
    --depth_;
    return true;
  }
  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception& e) override {
    error = fmt::format("is not valid JSON at byte {} ({})", position, e.what());
    return false;
  }

 private:
  int depth_ = 0;
  bool wrong(std::string_view what) {
    if (depth_ == 0)
      error =
          fmt::format("holds {} where an object of image path -> list of mask paths belongs", what);
    else
      error = fmt::format("holds {} at {} where {} belongs", what,
                          entries.empty() ? std::string("the top") : "key " + entries.back().key,
                          depth_ == 1 ? "a list of mask paths" : "a mask path (a string)");
    return false;
  }
};

// Sorted file names of a folder; anything that is not a file is a problem.
std::vector<std::string> list_folder(const fs::path& root, std::string_view folder,
                                     ProblemSink& sink) {
  std::vector<std::string> names;
  const fs::path dir = root / folder;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    sink.add("missing-folder", std::string(folder) + "/", "missing: a tree has images/ and masks/");
    return names;
  }
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    std::error_code type_ec;
    if (!it->is_regular_file(type_ec)) {
      sink.add("not-a-file", fmt::format("{}/{}", folder, name),
               "is not a regular file; only PNG files belong here");
      continue;
    }
    names.push_back(name);
  }
  if (ec)
    sink.add("unreadable-folder", std::string(folder) + "/",
             fmt::format("cannot be listed ({})", ec.message()));
  std::sort(names.begin(), names.end());
  return names;
}

std::optional<std::size_t> find_name(const std::vector<std::string>& sorted, std::string_view n) {
  const auto it = std::lower_bound(sorted.begin(), sorted.end(), n,
                                   [](const std::string& a, std::string_view b) { return a < b; });
  if (it == sorted.end() || *it != n) return std::nullopt;
  return static_cast<std::size_t>(it - sorted.begin());
}

}  // namespace

ValidationReport validate_tree(const fs::path& root, std::size_t max_examples, std::size_t threads,
                               ValidationDepth depth) {
  const bool open_pngs = depth == ValidationDepth::full;
  std::error_code ec;
  if (!fs::is_directory(root, ec))
    throw ConfigError(
        fmt::format("{}: {}; give the folder that holds images/, masks/ "
                    "and SAMed2D_v1.json",
                    root.string(), fs::exists(root, ec) ? "not a folder" : "does not exist"));
  if (!fs::exists(root / "images", ec) && !fs::exists(root / "masks", ec) &&
      !fs::exists(root / kIndexFile, ec))
    throw ConfigError(
        fmt::format("{}: holds none of images/, masks/ and {}; it is not an "
                    "SA-Med2D tree, give the folder that holds them",
                    root.string(), kIndexFile));

  ProblemSink sink(max_examples);
  ValidationReport report;
  const std::vector<std::string> images = list_folder(root, "images", sink);
  const std::vector<std::string> masks = list_folder(root, "masks", sink);
  report.images_on_disk = images.size();
  report.masks_on_disk = masks.size();

  // The class mapping: ids of exactly 4 digits, unique.
  std::vector<std::pair<std::string, std::string>> classes;  // id, name; sorted by id
  {
    const fs::path file = root / kMappingFile;
    if (!fs::exists(file, ec)) {
      sink.add("json", std::string(kMappingFile), "missing");
    } else {
      try {
        const auto j = read_json_file(file);
        if (!j.is_object())
          sink.add("json", std::string(kMappingFile),
                   "is not an object of class name -> 4-digit id");
        else
          for (const auto& [name, id] : j.items()) {
            const std::string text = id.is_string() ? id.get<std::string>() : id.dump();
            if (!id.is_string() || text.size() != 4 || !all_digits(text))
              sink.add(
                  "mapping-id", std::string(kMappingFile),
                  fmt::format("class \"{}\" has the id {}, not a 4-digit string", name, id.dump()));
            classes.emplace_back(text, name);
          }
        // SPEC section 6: ascending id order, which only the file's own order shows.
        if (j.is_object()) {
          std::ifstream in(file, std::ios::binary);
          const auto ordered = nlohmann::ordered_json::parse(in, nullptr, false, true);
          std::string previous_id, previous_name;
          for (const auto& [name, id] : ordered.items()) {
            if (!id.is_string()) continue;
            const std::string text = id.get<std::string>();
            if (!previous_id.empty() && text < previous_id) {
              sink.add("mapping-order", std::string(kMappingFile),
                       fmt::format("class \"{}\" ({}) comes after \"{}\" ({}); ids must be in "
                                   "ascending order",
                                   name, text, previous_name, previous_id));
              break;
            }
            previous_id = text;
            previous_name = name;
          }
        }
      } catch (const ConfigError& e) {
        sink.add("json", std::string(kMappingFile), e.what());
      }
    }
    std::sort(classes.begin(), classes.end());
    for (std::size_t i = 1; i < classes.size(); ++i)
      if (classes[i].first == classes[i - 1].first)
        sink.add("mapping-id", std::string(kMappingFile),
                 fmt::format("classes \"{}\" and \"{}\" share the id {}", classes[i - 1].second,
                             classes[i].second, classes[i].first));
    report.classes = classes.size();
  }

  // The index: structure, order, paths, and that every file on disk is named exactly once.
  std::vector<std::uint32_t> image_listed(images.size(), 0);
  std::vector<std::uint32_t> mask_listed(masks.size(), 0);
  {
    const fs::path file = root / kIndexFile;
    IndexReader reader;
    std::vector<std::uint8_t> text;
    if (!fs::exists(file, ec)) {
      sink.add("json", std::string(kIndexFile), "missing");
    } else if (const auto err = read_file(file, 0, text); !err.empty()) {
      sink.add("json", std::string(kIndexFile), err);
    } else {
      nlohmann::json::sax_parse(text.begin(), text.end(), &reader);
      if (!reader.error.empty())
        sink.add("json", std::string(kIndexFile),
                 reader.error + "; the checks of its paths use what came before");
    }
    text = {};
    report.json_images = reader.entries.size();
    const IndexEntry* previous = nullptr;
    for (const auto& entry : reader.entries) {
      report.json_masks += entry.masks.size();
      const std::string& key = entry.key;
      if (previous && key <= previous->key)
        sink.add(key == previous->key ? "duplicate" : "unsorted", key,
                 key == previous->key
                     ? fmt::format("is a key of {} twice", kIndexFile)
                     : fmt::format("key comes after \"{}\" in {}; keys must be in ascending byte "
                                   "order",
                                   previous->key, kIndexFile));
      previous = &entry;
      std::string_view image_stem;
      if (key.rfind("images/", 0) != 0 || key.find('/', 7) != std::string::npos ||
          key.size() <= 11 || key.substr(key.size() - 4) != ".png") {
        sink.add("bad-path", key, fmt::format("key of {} is not images/<name>.png", kIndexFile));
      } else {
        image_stem = std::string_view(key).substr(7, key.size() - 11);
        if (const auto at = find_name(images, std::string_view(key).substr(7)))
          ++image_listed[*at];
        else
          sink.add("missing-file", key, fmt::format("is a key of {} but not on disk", kIndexFile));
      }
      if (entry.masks.empty())
        sink.add("empty-mask-list", key, fmt::format("has an empty mask list in {}", kIndexFile));
      for (std::size_t m = 0; m < entry.masks.size(); ++m) {
        const std::string& path = entry.masks[m];
        if (m > 0 && path <= entry.masks[m - 1])
          sink.add(path == entry.masks[m - 1] ? "duplicate" : "unsorted", path,
                   path == entry.masks[m - 1]
                       ? fmt::format("is twice in the list of {}", key)
                       : fmt::format("comes after \"{}\" in the list of {}; lists must be in "
                                     "ascending byte order",
                                     entry.masks[m - 1], key));
        if (path.rfind("masks/", 0) != 0 || path.find('/', 6) != std::string::npos ||
            path.size() <= 10 || path.substr(path.size() - 4) != ".png") {
          sink.add("bad-path", path, fmt::format("in the list of {} is not masks/<name>.png", key));
          continue;
        }
        const std::string_view name = std::string_view(path).substr(6);
        // The mask belongs under the image whose name is its prefix: {image stem}--CCCC_III.
        if (!image_stem.empty()) {
          const std::string_view mask_stem = name.substr(0, name.size() - 4);
          if (mask_stem.size() <= image_stem.size() + 2 ||
              mask_stem.substr(0, image_stem.size()) != image_stem ||
              mask_stem.substr(image_stem.size(), 2) != "--" ||
              mask_stem.find("--", image_stem.size() + 2) != std::string_view::npos)
            sink.add("mask-misplaced", path,
                     fmt::format("is in the list of {}, whose name is not its prefix", key));
        }
        if (const auto at = find_name(masks, name)) {
          if (++mask_listed[*at] == 2)
            sink.add("mask-listed-twice", path,
                     fmt::format("is in more than one mask list of {}", kIndexFile));
        } else {
          sink.add("missing-file", path, fmt::format("is in the list of {} but not on disk", key));
        }
      }
    }
  }
  for (std::size_t i = 0; i < images.size(); ++i)
    if (image_listed[i] == 0)
      sink.add("unlisted-file", "images/" + images[i],
               fmt::format("is on disk but not a key of {}", kIndexFile));
  for (std::size_t i = 0; i < masks.size(); ++i)
    if (mask_listed[i] == 0)
      sink.add("unlisted-file", "masks/" + masks[i],
               fmt::format("is on disk but in no mask list of {}", kIndexFile));

  // The PNGs, in parallel, each decoded whole: every image (its size for the masks), then every
  // mask. The buffers are the thread's own, reused from file to file.
  std::vector<std::array<std::uint32_t, 2>> image_size(images.size(), {0, 0});
  std::vector<std::atomic<std::size_t>> class_masks(classes.size());
  struct Buffers {
    std::vector<std::uint8_t> file;
    std::vector<std::uint8_t> pixels;
    std::vector<png_bytep> rows;
  };
  tbb::enumerable_thread_specific<Buffers> buffers;
  tbb::task_arena arena(threads == 0 ? tbb::task_arena::automatic : static_cast<int>(threads));
  arena.execute([&] {
    tbb::parallel_for(
        tbb::blocked_range<std::size_t>(0, images.size(), 64),
        [&](const tbb::blocked_range<std::size_t>& r) {
          Buffers& b = buffers.local();
          ParsedName parsed;
          for (std::size_t i = r.begin(); i != r.end(); ++i) {
            const std::string rel = "images/" + images[i];
            if (auto err = parse_name(images[i], false, parsed); !err.empty())
              sink.add("bad-name", rel, err);
            if (!open_pngs) continue;
            if (auto err = read_file(root / rel, 0, b.file); !err.empty()) {
              sink.add("unreadable-png", rel, err);
              continue;
            }
            PngHeader h;
            std::size_t row_bytes = 0;
            const std::string err = check_png(b.file, h, b.pixels, b.rows, row_bytes);
            if (!err.empty()) {
              sink.add("corrupt-png", rel, err);
              continue;
            }
            image_size[i] = {h.width, h.height};  // left 0x0 (unknown) when corrupt
            // SPEC section 4: 8-bit grey or 8-bit RGB.
            if (h.bit_depth != 8 ||
                (h.color_type != PNG_COLOR_TYPE_GRAY && h.color_type != PNG_COLOR_TYPE_RGB))
              sink.add("image-format", rel,
                       fmt::format("is a {}-bit {} PNG; an image is 8-bit grey or 8-bit RGB",
                                   h.bit_depth, color_type_name(h.color_type)));
          }
        });
    tbb::parallel_for(
        tbb::blocked_range<std::size_t>(0, masks.size(), 64),
        [&](const tbb::blocked_range<std::size_t>& r) {
          Buffers& b = buffers.local();
          ParsedName parsed;
          for (std::size_t i = r.begin(); i != r.end(); ++i) {
            const std::string rel = "masks/" + masks[i];
            if (auto err = parse_name(masks[i], true, parsed); !err.empty()) {
              sink.add("bad-name", rel, err);
              parsed = {};
            }
            if (!parsed.class_id.empty()) {
              const auto it =
                  std::lower_bound(classes.begin(), classes.end(), parsed.class_id,
                                   [](const auto& c, std::string_view id) { return c.first < id; });
              if (it != classes.end() && it->first == parsed.class_id)
                class_masks[static_cast<std::size_t>(it - classes.begin())].fetch_add(
                    1, std::memory_order_relaxed);
              else
                sink.add("unknown-class", rel,
                         fmt::format("class id {} is not in {}", parsed.class_id, kMappingFile));
            }
            if (!open_pngs) {
              // What the full check finds from the names alone.
              if (!parsed.image_stem.empty() &&
                  !find_name(images, std::string(parsed.image_stem) + ".png"))
                sink.add("mask-without-image", rel,
                         fmt::format("its image images/{}.png is not on disk", parsed.image_stem));
              continue;
            }
            if (auto err = read_file(root / rel, 0, b.file); !err.empty()) {
              sink.add("unreadable-png", rel, err);
              continue;
            }
            PngHeader h;
            std::size_t row_bytes = 0;
            if (const std::string err = check_png(b.file, h, b.pixels, b.rows, row_bytes);
                !err.empty()) {
              sink.add("corrupt-png", rel, err);
              continue;
            }
            if (h.bit_depth != 8 || h.color_type != PNG_COLOR_TYPE_GRAY) {
              sink.add("mask-format", rel,
                       fmt::format("is a {}-bit {} PNG; a mask is 8-bit grey", h.bit_depth,
                                   color_type_name(h.color_type)));
              continue;
            }
            if (!parsed.image_stem.empty()) {
              const std::string image_name = std::string(parsed.image_stem) + ".png";
              if (const auto at = find_name(images, image_name)) {
                const auto [w, hh] = image_size[*at];
                if (w != 0 && (w != h.width || hh != h.height))
                  sink.add("mask-size", rel,
                           fmt::format("is {}x{} (width x height) but its image {} is {}x{}",
                                       h.width, h.height, image_name, w, hh));
              } else {
                sink.add("mask-without-image", rel,
                         fmt::format("its image images/{} is not on disk", image_name));
              }
            }
            // 8-bit grey: one byte a pixel, `row_bytes` == width.
            std::size_t bad = 0;
            std::size_t on = 0;
            std::uint8_t first_bad = 0;
            for (std::size_t p = 0, n = row_bytes * h.height; p < n; ++p) {
              const std::uint8_t v = b.pixels[p];
              if (v == 255)
                ++on;
              else if (v != 0 && bad++ == 0)
                first_bad = v;
            }
            if (bad > 0)
              sink.add("mask-values", rel,
                       fmt::format("holds the value {} ({} pixel(s) neither 0 nor 255)", first_bad,
                                   bad));
            else if (on == 0)
              sink.add("mask-blank", rel, "holds no pixel of 255; a mask is a non-empty component");
          }
        });
  });
  for (std::size_t c = 0; c < classes.size(); ++c)
    if (class_masks[c].load() == 0)
      sink.add("unused-class", std::string(kMappingFile),
               fmt::format("class \"{}\" ({}) has no mask in masks/", classes[c].second,
                           classes[c].first));
  report.problems = sink.take();
  return report;
}

std::string format_validation_report(const ValidationReport& r, const fs::path& root) {
  std::string out = fmt::format(
      "samed2d validate {}: on disk {} images, {} masks; {} names {} images, {} masks; {} "
      "names {} classes\n",
      root.string(), r.images_on_disk, r.masks_on_disk, kIndexFile, r.json_images, r.json_masks,
      kMappingFile, r.classes);
  if (r.clean()) return out + "samed2d validate: no problems\n";
  std::size_t total = 0;
  for (const auto& [kind, k] : r.problems) total += k.count;
  out += fmt::format("samed2d validate: {} problem(s) of {} kind(s):\n", total, r.problems.size());
  for (const auto& [kind, k] : r.problems) {
    out += fmt::format("  {}: {}\n", kind, k.count);
    for (const auto& [file, what] : k.examples) out += fmt::format("    {}: {}\n", file, what);
    if (k.count > k.examples.size())
      out += fmt::format("    ... and {} more\n", k.count - k.examples.size());
  }
  return out;
}

}  // namespace samed2d
