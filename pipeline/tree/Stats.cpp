#include "pipeline/tree/Stats.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <iostream>
#include <limits>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string_view>

#include "pipeline/core/Console.hpp"
#include "pipeline/core/Errors.hpp"
#include "pipeline/core/Text.hpp"
#include "pipeline/tree/TreeIndex.hpp"

namespace samed2d {

namespace fs = std::filesystem;

namespace {

constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();
constexpr std::size_t kMaxName = 40;  // table cells longer than this are cut

// ---- counting -------------------------------------------------------------------------------

// Sorts and de-duplicates pairs packed as (group << 32 | member); returns distinct members per
// group.
std::vector<std::uint64_t> distinct_per_group(std::vector<std::uint64_t>& pairs,
                                              std::size_t groups) {
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  std::vector<std::uint64_t> counts(groups, 0);
  for (const std::uint64_t p : pairs) ++counts[static_cast<std::size_t>(p >> 32)];
  return counts;
}

std::uint64_t pack(std::uint32_t high, std::uint32_t low) {
  return (std::uint64_t{high} << 32) | low;
}

// Masks per image from a histogram (histogram[k] = images with k masks).
MasksPerImage masks_per_image_of(const std::vector<std::uint64_t>& histogram) {
  MasksPerImage m;
  for (const auto n : histogram) m.images += n;
  if (m.images == 0) return m;
  // The k-th smallest value (1-based).
  const auto kth = [&](std::uint64_t k) {
    std::uint64_t seen = 0;
    for (std::size_t v = 0; v < histogram.size(); ++v) {
      seen += histogram[v];
      if (seen >= k) return static_cast<std::uint32_t>(v);
    }
    return static_cast<std::uint32_t>(histogram.size() - 1);
  };
  m.min = kth(1);
  m.max = kth(m.images);
  if (m.images % 2 == 1) {
    m.median = kth((m.images + 1) / 2);
  } else {
    m.median =
        (static_cast<double>(kth(m.images / 2)) + static_cast<double>(kth(m.images / 2 + 1))) / 2;
  }
  return m;
}

// Distinct sizes from packed (width << 32 | height) values (sorted here).
SizeStats size_stats_of(std::vector<std::uint64_t>& packed) {
  SizeStats s;
  if (packed.empty()) return s;
  std::sort(packed.begin(), packed.end());
  s.min_width = s.min_height = kNone;
  for (std::size_t i = 0; i < packed.size();) {
    std::size_t j = i;
    while (j < packed.size() && packed[j] == packed[i]) ++j;
    ImageSize size{static_cast<std::uint32_t>(packed[i] >> 32),
                   static_cast<std::uint32_t>(packed[i] & 0xffffffffu), j - i};
    s.min_width = std::min(s.min_width, size.width);
    s.max_width = std::max(s.max_width, size.width);
    s.min_height = std::min(s.min_height, size.height);
    s.max_height = std::max(s.max_height, size.height);
    s.sizes.push_back(size);
    i = j;
  }
  std::stable_sort(s.sizes.begin(), s.sizes.end(),
                   [](const ImageSize& a, const ImageSize& b) { return a.images > b.images; });
  return s;
}

// ---- image headers ----------------------------------------------------------------------------

std::uint32_t big_endian(const unsigned char* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

// The IHDR size of a PNG from its first 24 bytes; "" or what is wrong.
// `dir_fd` is the images/ folder (or -1: `name` is a whole path).
std::string read_png_size(int dir_fd, const std::string& name, std::uint32_t& width,
                          std::uint32_t& height) {
  const int fd = ::openat(dir_fd < 0 ? AT_FDCWD : dir_fd, name.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT) return "is missing";
    return fmt::format("cannot be opened ({})", std::strerror(err));
  }
  unsigned char b[24];
  std::size_t got = 0;
  int err = 0;
  while (got < sizeof b) {
    const ssize_t n = ::pread(fd, b + got, sizeof b - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) err = errno;
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  if (err != 0) return fmt::format("cannot be read ({})", std::strerror(err));
  if (got < sizeof b) return fmt::format("holds {} bytes, fewer than the 24 of a PNG header", got);
  static constexpr unsigned char kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (std::memcmp(b, kSignature, 8) != 0) return "is not a PNG file (no PNG signature)";
  if (big_endian(b + 8) != 13 || std::memcmp(b + 12, "IHDR", 4) != 0)
    return "is not a PNG file (no IHDR chunk after the signature)";
  width = big_endian(b + 16);
  height = big_endian(b + 20);
  if (width == 0 || height == 0 || width > 0x7fffffffu || height > 0x7fffffffu)
    return fmt::format("has an invalid PNG size {} x {}", width, height);
  return {};
}

// ---- formatting helpers -----------------------------------------------------------------------

// A name cut to kMaxName bytes (at a UTF-8 character boundary), ending in "..." when cut.
std::string cell_name(const std::string& name) {
  if (name.size() <= kMaxName) return name;
  std::size_t cut = kMaxName - 3;
  while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xc0) == 0x80) --cut;
  return name.substr(0, cut) + "...";
}

// Display width of a cell: UTF-8 characters.
std::size_t width_of(const std::string& s) {
  std::size_t n = 0;
  for (const char c : s)
    if ((static_cast<unsigned char>(c) & 0xc0) != 0x80) ++n;
  return n;
}

// A plain text table: the first column left-aligned, the others right-aligned, two spaces apart,
// a dashed line under the header.
std::string text_table(const std::vector<std::string>& header,
                       const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths(header.size(), 0);
  for (std::size_t c = 0; c < header.size(); ++c) widths[c] = width_of(header[c]);
  for (const auto& row : rows)
    for (std::size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], width_of(row[c]));
  std::string out;
  const auto line = [&](const std::vector<std::string>& cells) {
    std::string l = "  ";
    for (std::size_t c = 0; c < cells.size(); ++c) {
      const std::string pad(widths[c] - width_of(cells[c]), ' ');
      if (c > 0) l += "  ";
      l += c == 0 ? cells[c] + pad : pad + cells[c];
    }
    while (!l.empty() && l.back() == ' ') l.pop_back();
    out += l + "\n";
  };
  line(header);
  std::vector<std::string> dashes;
  for (const auto w : widths) dashes.emplace_back(w, '-');
  line(dashes);
  for (const auto& row : rows) line(row);
  return out;
}

std::string num(std::uint64_t n) {
  return std::to_string(n);
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string q = "\"";
  for (const char c : s) {
    if (c == '"') q += '"';
    q += c;
  }
  return q + "\"";
}

nlohmann::ordered_json median_json(double median) {
  if (median == std::floor(median)) return static_cast<std::uint64_t>(median);
  return median;
}

nlohmann::ordered_json size_json(const SizeStats& s) {
  nlohmann::ordered_json j;
  j["min_width"] = s.min_width;
  j["max_width"] = s.max_width;
  j["min_height"] = s.min_height;
  j["max_height"] = s.max_height;
  auto sizes = nlohmann::ordered_json::array();
  for (const auto& size : s.sizes) {
    nlohmann::ordered_json e;
    e["width"] = size.width;
    e["height"] = size.height;
    e["images"] = size.images;
    sizes.push_back(std::move(e));
  }
  j["sizes"] = std::move(sizes);
  return j;
}

// A list of objects, one per item, each starting with the item's "name"; `fill` adds the rest.
template <class Items, class Fill>
nlohmann::ordered_json named_array(const Items& items, Fill fill) {
  auto list = nlohmann::ordered_json::array();
  for (const auto& item : items) {
    nlohmann::ordered_json e;
    e["name"] = item.name;
    fill(e, item);
    list.push_back(std::move(e));
  }
  return list;
}

}  // namespace

TreeStats compute_stats(const TreeIndex& index, const fs::path& root, const StatsOptions& options) {
  TreeStats stats;
  const std::size_t n_mod = index.modalities.size(), n_ds = index.datasets.size();
  stats.totals = {index.images.size(), index.masks.size(), index.cases.size()};

  std::vector<StatsCounts> mod(n_mod), ds(n_ds);
  std::vector<std::vector<bool>> ds_mods(n_ds, std::vector<bool>(n_mod, false));
  std::vector<std::vector<std::uint64_t>> ds_hist(n_ds);
  std::vector<std::uint64_t> all_hist;
  std::vector<std::uint64_t> mod_case_pairs;
  std::vector<std::uint32_t> mod_last_case(n_mod, kNone);

  // Classes by id (ids are 4 digits, below 10000).
  std::uint32_t max_class = 0;
  for (const auto& m : index.masks) max_class = std::max(max_class, m.class_id);
  const std::size_t n_cls = index.masks.empty() ? 0 : std::size_t{max_class} + 1;
  std::vector<StatsCounts> cls(n_cls);
  std::vector<std::uint32_t> cls_last_image(n_cls, kNone), cls_last_case(n_cls, kNone);
  std::vector<std::uint64_t> cls_case_pairs;

  for (std::size_t i = 0; i < index.images.size(); ++i) {
    const auto& image = index.images[i];
    const auto image_id = static_cast<std::uint32_t>(i);
    StatsCounts& m = mod[image.modality];
    ++m.images;
    m.masks += image.mask_count;
    if (mod_last_case[image.modality] != image.case_id) {
      mod_last_case[image.modality] = image.case_id;
      mod_case_pairs.push_back(pack(image.modality, image.case_id));
    }
    StatsCounts& d = ds[image.dataset];
    ++d.images;
    d.masks += image.mask_count;
    ds_mods[image.dataset][image.modality] = true;
    auto& h = ds_hist[image.dataset];
    if (h.size() <= image.mask_count) h.resize(image.mask_count + 1, 0);
    ++h[image.mask_count];
    if (all_hist.size() <= image.mask_count) all_hist.resize(image.mask_count + 1, 0);
    ++all_hist[image.mask_count];
    for (std::uint32_t k = 0; k < image.mask_count; ++k) {
      const std::uint32_t c = index.masks[image.first_mask + k].class_id;
      ++cls[c].masks;
      if (cls_last_image[c] != image_id) {
        cls_last_image[c] = image_id;
        ++cls[c].images;
      }
      if (cls_last_case[c] != image.case_id) {
        cls_last_case[c] = image.case_id;
        cls_case_pairs.push_back(pack(c, image.case_id));
      }
    }
  }
  const auto mod_cases = distinct_per_group(mod_case_pairs, n_mod);
  const auto cls_cases = distinct_per_group(cls_case_pairs, n_cls);
  for (const auto& c : index.cases) ++ds[c.dataset].cases;

  for (std::size_t k = 0; k < n_mod; ++k) {
    mod[k].cases = mod_cases[k];
    stats.modalities.push_back({index.modalities[k], mod[k]});
  }
  std::sort(stats.modalities.begin(), stats.modalities.end(),
            [](const ModalityStats& a, const ModalityStats& b) { return a.name < b.name; });

  for (std::size_t k = 0; k < n_ds; ++k) {
    DatasetStats d;
    d.name = index.datasets[k];
    for (std::size_t j = 0; j < n_mod; ++j)
      if (ds_mods[k][j]) d.modalities.push_back(index.modalities[j]);
    std::sort(d.modalities.begin(), d.modalities.end());
    d.counts = ds[k];
    d.masks_per_image = masks_per_image_of(ds_hist[k]);
    stats.datasets.push_back(std::move(d));
  }
  stats.masks_per_image = masks_per_image_of(all_hist);

  for (std::size_t c = 0; c < n_cls; ++c) {
    if (cls[c].masks == 0) continue;
    cls[c].cases = cls_cases[c];
    const auto id = static_cast<std::uint32_t>(c);
    stats.classes.push_back({id, index.class_name(id), cls[c]});
  }
  std::sort(stats.classes.begin(), stats.classes.end(),
            [](const ClassStats& a, const ClassStats& b) {
              if (a.counts.masks != b.counts.masks) return a.counts.masks > b.counts.masks;
              return a.id < b.id;
            });

  if (options.sizes) {
    // Each image's header, in parallel; the first failure in index order is reported.
    std::vector<std::uint64_t> packed(index.images.size(), 0);
    std::mutex failure_mutex;
    std::size_t failed_at = index.images.size();
    std::string failure;
    // Names relative to images/, opened once: each open resolves one name, not the whole path.
    const fs::path images = root / "images";
    const int dir_fd = ::open(images.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    tbb::task_arena arena(options.threads == 0 ? tbb::task_arena::automatic
                                               : static_cast<int>(options.threads));
    arena.execute([&] {
      tbb::parallel_for(
          tbb::blocked_range<std::size_t>(0, index.images.size(), 512),
          [&](const tbb::blocked_range<std::size_t>& r) {
            std::string name;
            for (std::size_t i = r.begin(); i != r.end(); ++i) {
              name = index.images[i].stem;
              name += ".png";
              if (dir_fd < 0) name = (images / name).string();
              std::uint32_t w = 0, h = 0;
              const std::string why = read_png_size(dir_fd, name, w, h);
              if (why.empty()) {
                packed[i] = pack(w, h);
                continue;
              }
              const std::lock_guard lock(failure_mutex);
              if (i < failed_at) {
                failed_at = i;
                failure = fmt::format(
                    "{}: {} (it is listed in SAMed2D_v1.json); the tree is incomplete or "
                    "damaged: rerun the conversion, or run `samed2d validate` on it",
                    printable((images / (index.images[i].stem + ".png")).string()), why);
              }
            }
          });
    });
    if (dir_fd >= 0) ::close(dir_fd);
    if (!failure.empty()) throw ConfigError(failure);
    std::vector<std::vector<std::uint64_t>> per_ds(n_ds);
    for (std::size_t i = 0; i < index.images.size(); ++i)
      per_ds[index.images[i].dataset].push_back(packed[i]);
    for (std::size_t k = 0; k < n_ds; ++k) {
      stats.datasets[k].sizes = size_stats_of(per_ds[k]);
      std::vector<std::uint64_t>().swap(per_ds[k]);
    }
    stats.sizes = size_stats_of(packed);
    stats.sizes_read = true;
  }
  std::sort(stats.datasets.begin(), stats.datasets.end(),
            [](const DatasetStats& a, const DatasetStats& b) { return a.name < b.name; });
  return stats;
}

TreeStats compute_stats(const fs::path& root, const StatsOptions& options) {
  const TreeIndex index = read_tree_index(root);
  return compute_stats(index, root, options);
}

std::string format_median(double median) {
  if (median == std::floor(median)) return fmt::format("{}", static_cast<std::uint64_t>(median));
  return fmt::format("{:.1f}", median);
}

std::string format_stats_table(const TreeStats& s) {
  std::string out;
  out += "Totals\n";
  out += text_table({"", "Images", "Masks", "Cases", "Modalities", "Datasets", "Classes"},
                    {{"all", num(s.totals.images), num(s.totals.masks), num(s.totals.cases),
                      num(s.modalities.size()), num(s.datasets.size()), num(s.classes.size())}});

  const auto counts_row = [](const std::string& name, const StatsCounts& c) {
    return std::vector<std::string>{cell_name(name), num(c.images), num(c.masks), num(c.cases)};
  };
  std::vector<std::vector<std::string>> rows;
  for (const auto& m : s.modalities) rows.push_back(counts_row(m.name, m.counts));
  out += "\nPer modality (a case with several modalities counts in each)\n";
  out += text_table({"Modality", "Images", "Masks", "Cases"}, rows);

  rows.clear();
  for (const auto& d : s.datasets) {
    auto row = counts_row(d.name, d.counts);
    row.insert(row.begin() + 1, num(d.modalities.size()));
    rows.push_back(std::move(row));
  }
  out += "\nPer dataset\n";
  out += text_table({"Dataset", "Modalities", "Images", "Masks", "Cases"}, rows);

  rows.clear();
  for (const auto& c : s.classes) {
    auto row = counts_row(c.name, c.counts);
    row.insert(row.begin() + 1, fmt::format("{:04d}", c.id));
    rows.push_back(std::move(row));
  }
  out += "\nPer class (by masks; images and cases with at least one mask of the class)\n";
  out += text_table({"Class", "Id", "Images", "Masks", "Cases"}, rows);

  rows.clear();
  const auto mpi_row = [](const std::string& name, const MasksPerImage& m) {
    return std::vector<std::string>{cell_name(name), num(m.images), num(m.min),
                                    format_median(m.median), num(m.max)};
  };
  rows.push_back(mpi_row("(all)", s.masks_per_image));
  for (const auto& d : s.datasets) rows.push_back(mpi_row(d.name, d.masks_per_image));
  out += "\nMasks per image (median of an even count: mean of the two middle values)\n";
  out += text_table({"Dataset", "Images", "Min", "Median", "Max"}, rows);

  out += "\nImage sizes (width x height)\n";
  if (!s.sizes_read) {
    out += "  not read\n";
    return out;
  }
  rows.clear();
  const auto size_row = [](const std::string& name, const SizeStats& z) {
    if (z.sizes.empty()) return std::vector<std::string>{cell_name(name), "0", "", "", "", ""};
    const auto range = [](std::uint32_t lo, std::uint32_t hi) {
      return lo == hi ? num(lo) : fmt::format("{}-{}", lo, hi);
    };
    return std::vector<std::string>{cell_name(name),
                                    num(z.sizes.size()),
                                    fmt::format("{}x{}", z.sizes[0].width, z.sizes[0].height),
                                    num(z.sizes[0].images),
                                    range(z.min_width, z.max_width),
                                    range(z.min_height, z.max_height)};
  };
  rows.push_back(size_row("(all)", s.sizes));
  for (const auto& d : s.datasets) rows.push_back(size_row(d.name, d.sizes));
  out += text_table({"Dataset", "Sizes", "Most common", "Images", "Width", "Height"}, rows);
  return out;
}

std::string format_stats_csv(const TreeStats& s) {
  std::string out = "section,key,class_id,images,masks,cases,min,median,max,width,height\n";
  const auto counts = [&](std::string_view section, const std::string& key,
                          const std::string& class_id, const StatsCounts& c) {
    out += fmt::format("{},{},{},{},{},{},,,,,\n", section, csv_field(key), class_id, c.images,
                       c.masks, c.cases);
  };
  counts("totals", "all", "", s.totals);
  for (const auto& m : s.modalities) counts("modality", m.name, "", m.counts);
  for (const auto& d : s.datasets) counts("dataset", d.name, "", d.counts);
  for (const auto& c : s.classes) counts("class", c.name, fmt::format("{:04d}", c.id), c.counts);
  const auto mpi = [&](const std::string& key, const MasksPerImage& m) {
    out += fmt::format("masks_per_image,{},,{},,,{},{},{},,\n", csv_field(key), m.images, m.min,
                       format_median(m.median), m.max);
  };
  mpi("all", s.masks_per_image);
  for (const auto& d : s.datasets) mpi(d.name, d.masks_per_image);
  if (s.sizes_read) {
    const auto sizes = [&](const std::string& key, const SizeStats& z) {
      for (const auto& size : z.sizes)
        out += fmt::format("image_size,{},,{},,,,,,{},{}\n", csv_field(key), size.images,
                           size.width, size.height);
    };
    sizes("all", s.sizes);
    for (const auto& d : s.datasets) sizes(d.name, d.sizes);
  }
  return out;
}

std::string format_stats_json(const TreeStats& s) {
  using Json = nlohmann::ordered_json;
  Json j;
  Json totals;
  totals["images"] = s.totals.images;
  totals["masks"] = s.totals.masks;
  totals["cases"] = s.totals.cases;
  totals["modalities"] = s.modalities.size();
  totals["datasets"] = s.datasets.size();
  totals["classes"] = s.classes.size();
  j["totals"] = std::move(totals);
  const auto counts = [](Json& e, const StatsCounts& c) {
    e["images"] = c.images;
    e["masks"] = c.masks;
    e["cases"] = c.cases;
  };
  j["modalities"] =
      named_array(s.modalities, [&](Json& e, const ModalityStats& m) { counts(e, m.counts); });
  j["datasets"] = named_array(s.datasets, [&](Json& e, const DatasetStats& d) {
    e["modalities"] = d.modalities;
    counts(e, d.counts);
  });
  Json classes = Json::array();
  for (const auto& c : s.classes) {
    Json e;
    e["id"] = fmt::format("{:04d}", c.id);
    e["name"] = c.name;
    counts(e, c.counts);
    classes.push_back(std::move(e));
  }
  j["classes"] = std::move(classes);
  const auto mpi = [](Json& e, const MasksPerImage& m) {
    e["images"] = m.images;
    e["min"] = m.min;
    e["median"] = median_json(m.median);
    e["max"] = m.max;
  };
  Json per_image;
  Json all;
  mpi(all, s.masks_per_image);
  per_image["all"] = std::move(all);
  per_image["datasets"] =
      named_array(s.datasets, [&](Json& e, const DatasetStats& d) { mpi(e, d.masks_per_image); });
  j["masks_per_image"] = std::move(per_image);
  if (!s.sizes_read) {
    j["image_sizes"] = nullptr;
  } else {
    Json sizes;
    sizes["all"] = size_json(s.sizes);
    sizes["datasets"] = named_array(
        s.datasets, [](Json& e, const DatasetStats& d) { e.update(size_json(d.sizes)); });
    j["image_sizes"] = std::move(sizes);
  }
  return j.dump(2) + "\n";
}

int print_stats(const fs::path& tree, const std::string& format) {
  return print_stats(tree, format, StatsOptions{});
}

int print_stats(const fs::path& tree, const std::string& format, const StatsOptions& options) {
  // Progress only on a terminal: stdout carries the numbers, and a script reading stderr wants
  // nothing there but errors. On a release-sized tree each step takes tens of seconds.
  Console console(!Console().is_terminal());
  try {
    console.progress(fmt::format("stats: reading {}/SAMed2D_v1.json", tree.string()));
    const TreeIndex index = read_tree_index(tree);
    if (options.sizes)
      console.progress(
          fmt::format("stats: reading the headers of {} image PNGs", index.images.size()));
    const TreeStats stats = compute_stats(index, tree, options);
    console.finish_progress();
    const std::string text = format == "csv"    ? format_stats_csv(stats)
                             : format == "json" ? format_stats_json(stats)
                                                : format_stats_table(stats);
    std::cout << text << std::flush;
    return 0;
  } catch (const ConfigError& e) {
    console.finish_progress();
    std::cerr << "samed2d: error: " << e.what() << "\n";
    return 2;
  }
}

}  // namespace samed2d
