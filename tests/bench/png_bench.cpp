// Measures encode_png settings on real slices: Colin27 T1 slices normalized as SPEC 4 says, and
// SPEC 5 masks (8-connected components of single AAL regions) on the same slices.
//
//   build/tests/png_bench                  Google Benchmark timings of the candidate settings
//                                          (counter bytes/image) on that corpus
//   build/tests/png_bench --candidates     the candidates as Markdown tables: bytes, 4 KiB
//                                          blocks, encode and decode microseconds per image
//   build/tests/png_bench --table          the whole grid (levels x strategies x filters)
//   options: --stride N (every N-th slice per axis, default 4), --reps N (timed passes, the
//   fastest counts, default 3), --kind TEXT (only kinds whose name contains it), --only SETTING
//   (one candidate, e.g. "L1 rle none"); other arguments go to Google Benchmark.
// docs/png-settings.md holds the results and the commands that made them.

#include <benchmark/benchmark.h>
#include <itkImage.h>
#include <itkImageFileReader.h>
#include <png.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "pipeline/PngWriter.hpp"
#include "support/TestData.hpp"

namespace {

using samed2d::PngColor;
using samed2d::PngOptions;
using Bytes = std::vector<std::uint8_t>;

struct Plane {
  std::size_t width = 0, height = 0;
  Bytes pixels;
};

struct Corpus {
  std::vector<Plane> images;  // normalized T1 slices
  std::vector<Plane> masks;   // 0/255 component masks
  std::size_t image_pixels = 0, mask_pixels = 0;
};

struct Volume {
  std::size_t ni = 0, nj = 0, nk = 0;
  Bytes voxels;  // i fastest
  std::uint8_t at(std::size_t i, std::size_t j, std::size_t k) const {
    return voxels[i + ni * (j + nj * k)];
  }
};

Volume read_volume(const std::filesystem::path& file) {
  using Image = itk::Image<std::uint8_t, 3>;
  auto reader = itk::ImageFileReader<Image>::New();
  reader->SetFileName(file.string());
  reader->Update();
  Image* image = reader->GetOutput();
  const auto size = image->GetLargestPossibleRegion().GetSize();
  Volume v;
  v.ni = size[0];
  v.nj = size[1];
  v.nk = size[2];
  v.voxels.assign(image->GetBufferPointer(), image->GetBufferPointer() + v.ni * v.nj * v.nk);
  return v;
}

// Slice s of axis 0 (x: k = s, rows j, cols i), 1 (y: j = s, rows k, cols i) or 2 (z: i = s,
// rows k, cols j), as in SPEC 3.
Plane slice_of(const Volume& v, int axis, std::size_t s) {
  Plane p;
  p.height = axis == 0 ? v.nj : v.nk;
  p.width = axis == 2 ? v.nj : v.ni;
  p.pixels.resize(p.width * p.height);
  for (std::size_t r = 0; r < p.height; ++r)
    for (std::size_t c = 0; c < p.width; ++c)
      p.pixels[r * p.width + c] = axis == 0   ? v.at(c, r, s)
                                  : axis == 1 ? v.at(c, s, r)
                                              : v.at(s, c, r);
  return p;
}

std::size_t slice_count(const Volume& v, int axis) {
  return axis == 0 ? v.nk : axis == 1 ? v.nj : v.ni;
}

// SPEC 4, minmax-slice.
void normalize(Plane& p) {
  const auto [lo, hi] = std::minmax_element(p.pixels.begin(), p.pixels.end());
  const double m = *lo, big_m = *hi;
  for (auto& value : p.pixels) {
    if (big_m == m) {
      value = 0;
      continue;
    }
    const double out = std::floor((double(value) - m) * 255.0 / (big_m - m));
    value = static_cast<std::uint8_t>(std::min(255.0, std::max(0.0, out)));
  }
}

// SPEC 5: 8-connected components of each label value, kept when at least 0.00153 * H * W.
std::vector<Plane> masks_of(const Plane& labels) {
  const std::size_t w = labels.width, h = labels.height, n = w * h;
  const double min_area = 0.00153 * double(h) * double(w);
  std::vector<Plane> masks;
  std::vector<std::int32_t> component(n, -1);
  std::vector<std::size_t> stack, members;
  for (int value = 1; value < 256; ++value) {
    for (std::size_t start = 0; start < n; ++start) {
      if (labels.pixels[start] != value || component[start] >= 0) continue;
      members.clear();
      stack.assign(1, start);
      component[start] = value;
      while (!stack.empty()) {
        const std::size_t p = stack.back();
        stack.pop_back();
        members.push_back(p);
        const std::size_t y = p / w, x = p % w;
        for (std::size_t yy = y == 0 ? 0 : y - 1; yy <= std::min(h - 1, y + 1); ++yy)
          for (std::size_t xx = x == 0 ? 0 : x - 1; xx <= std::min(w - 1, x + 1); ++xx) {
            const std::size_t q = yy * w + xx;
            if (labels.pixels[q] == value && component[q] < 0) {
              component[q] = value;
              stack.push_back(q);
            }
          }
      }
      if (double(members.size()) < min_area) continue;
      Plane mask{w, h, Bytes(n, 0)};
      for (std::size_t p : members) mask.pixels[p] = 255;
      masks.push_back(std::move(mask));
    }
  }
  return masks;
}

// Slices that the tool would write: those with at least one kept mask.
Corpus build_corpus(const std::filesystem::path& dir, std::size_t stride) {
  const Volume t1 = read_volume(dir / "colin27" / "ch2.nii.gz");
  const Volume aal = read_volume(dir / "colin27" / "aal.nii.gz");
  if (t1.ni != aal.ni || t1.nj != aal.nj || t1.nk != aal.nk)
    throw std::runtime_error("ch2.nii.gz and aal.nii.gz differ in size");
  Corpus corpus;
  for (int axis = 0; axis < 3; ++axis)
    for (std::size_t s = 0; s < slice_count(t1, axis); s += stride) {
      auto masks = masks_of(slice_of(aal, axis, s));
      if (masks.empty()) continue;
      Plane image = slice_of(t1, axis, s);
      normalize(image);
      corpus.image_pixels += image.pixels.size();
      corpus.images.push_back(std::move(image));
      for (auto& mask : masks) {
        corpus.mask_pixels += mask.pixels.size();
        corpus.masks.push_back(std::move(mask));
      }
    }
  return corpus;
}

// ---------------------------------------------------------------------------------------------

struct Kind {
  const char* name;
  PngColor color;
  bool masks;
};
const Kind kKinds[] = {{"image GrayAsRgb", PngColor::GrayAsRgb, false},
                       {"image Gray", PngColor::Gray, false},
                       {"mask Gray", PngColor::Gray, true}};

const char* strategy_name(int strategy) {
  switch (strategy) {
    case Z_DEFAULT_STRATEGY:
      return "default";
    case Z_FILTERED:
      return "filtered";
    case Z_HUFFMAN_ONLY:
      return "huffman";
    case Z_RLE:
      return "rle";
    default:
      return "fixed";
  }
}

std::string filter_name(int filters) {
  switch (filters) {
    case PNG_FILTER_NONE:
      return "none";
    case PNG_FILTER_SUB:
      return "sub";
    case PNG_FILTER_UP:
      return "up";
    case PNG_FILTER_AVG:
      return "avg";
    case PNG_FILTER_PAETH:
      return "paeth";
    case PNG_ALL_FILTERS:
      return "all";
    default:
      return std::to_string(filters);
  }
}

std::string describe(const PngOptions& o) {
  std::string s = "L" + std::to_string(o.level) + " " + strategy_name(o.strategy) + " " +
                  filter_name(o.filters);
  if (o.mem_level != 8) s += " mem" + std::to_string(o.mem_level);
  return s;
}

struct Candidate {
  const char* note;
  PngOptions options;
};
// The settings worth a row of their own in docs/png-settings.md.
const Candidate kCandidates[] = {
    {"stored", {0, Z_DEFAULT_STRATEGY, PNG_FILTER_NONE, 8}},
    {"", {1, Z_DEFAULT_STRATEGY, PNG_FILTER_NONE, 8}},
    {"", {1, Z_RLE, PNG_FILTER_NONE, 8}},
    {"cv2.imwrite default", {1, Z_RLE, PNG_FILTER_SUB, 8}},
    {"image default (grey)", {1, Z_RLE, PNG_FILTER_UP, 8}},
    {"", {1, Z_RLE, PNG_FILTER_PAETH, 8}},
    {"", {1, Z_RLE, PNG_ALL_FILTERS, 8}},
    {"", {1, Z_HUFFMAN_ONLY, PNG_FILTER_NONE, 8}},
    {"", {1, Z_HUFFMAN_ONLY, PNG_FILTER_UP, 8}},
    {"", {1, Z_DEFAULT_STRATEGY, PNG_FILTER_UP, 8}},
    {"mask default", {3, Z_DEFAULT_STRATEGY, PNG_FILTER_NONE, 8}},
    {"image default (RGB)", {3, Z_DEFAULT_STRATEGY, PNG_FILTER_UP, 8}},
    {"", {3, Z_DEFAULT_STRATEGY, PNG_FILTER_PAETH, 8}},
    {"libpng default", {6, Z_FILTERED, PNG_ALL_FILTERS, 8}},
    {"", {6, Z_DEFAULT_STRATEGY, PNG_FILTER_NONE, 8}},
    {"", {9, Z_DEFAULT_STRATEGY, PNG_ALL_FILTERS, 8}},
    {"", {9, Z_DEFAULT_STRATEGY, PNG_FILTER_NONE, 8}},
    {"", {1, Z_RLE, PNG_FILTER_NONE, 1}},
    {"", {1, Z_RLE, PNG_FILTER_NONE, 4}},
    {"", {1, Z_RLE, PNG_FILTER_NONE, 9}},

};

std::string g_only;         // --only SETTING: the stored row and that candidate
std::string g_kind_filter;  // --kind: only kinds whose name contains it

bool selected(const Kind& kind) {
  return g_kind_filter.empty() || std::string(kind.name).find(g_kind_filter) != std::string::npos;
}

const std::vector<Plane>& planes_of(const Corpus& corpus, const Kind& kind) {
  return kind.masks ? corpus.masks : corpus.images;
}

// Thread CPU time: the build machine is shared, and waiting for a core must not count.
double cpu_us() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) * 1e6 + double(t.tv_nsec) / 1e3;
}

struct Measure {
  double bytes_per_image = 0;
  double disk_kib_per_image = 0;  // in 4 KiB file system blocks
  double encode_us = 0;           // per image, fastest pass
};

Measure measure(const std::vector<Plane>& planes, PngColor color, const PngOptions& options,
                int reps) {
  Bytes out;
  Measure m;
  double total_bytes = 0;
  double best = std::numeric_limits<double>::infinity();
  for (int rep = 0; rep < reps; ++rep) {
    total_bytes = 0;
    const double start = cpu_us();
    for (const auto& p : planes) {
      samed2d::encode_png(p.pixels.data(), p.width, p.height, color, options, out);
      total_bytes += double(out.size());
      if (rep == 0) m.disk_kib_per_image += double((out.size() + 4095) / 4096 * 4);
    }
    best = std::min(best, cpu_us() - start);
  }
  m.bytes_per_image = total_bytes / double(planes.size());
  m.encode_us = best / double(planes.size());
  m.disk_kib_per_image /= double(planes.size());
  return m;
}

// libpng's simplified reader from memory; the decode side of each setting.
double decode_us(const std::vector<Plane>& planes, PngColor color, const PngOptions& options,
                 int reps) {
  std::vector<Bytes> files;
  for (const auto& p : planes) {
    files.emplace_back();
    samed2d::encode_png(p.pixels.data(), p.width, p.height, color, options, files.back());
  }
  Bytes pixels;
  double best = std::numeric_limits<double>::infinity();
  for (int rep = 0; rep < reps; ++rep) {
    const double start = cpu_us();
    for (const auto& file : files) {
      png_image image;
      std::memset(&image, 0, sizeof image);
      image.version = PNG_IMAGE_VERSION;
      if (!png_image_begin_read_from_memory(&image, file.data(), file.size()))
        throw std::runtime_error(image.message);
      pixels.resize(PNG_IMAGE_SIZE(image));
      if (!png_image_finish_read(&image, nullptr, pixels.data(), 0, nullptr))
        throw std::runtime_error(image.message);
    }
    best = std::min(best, cpu_us() - start);
  }
  return best / double(files.size());
}

void print_corpus(const Corpus& corpus, std::size_t stride) {
  std::printf(
      "corpus: Colin27 ch2 + AAL, every %zu-th slice on x, y, z with a kept mask: %zu images"
      " (%.0f pixels on average), %zu masks\n",
      stride, corpus.images.size(), double(corpus.image_pixels) / double(corpus.images.size()),
      corpus.masks.size());
  std::printf("libpng %s, zlib %s\n\n", PNG_LIBPNG_VER_STRING, zlibVersion());
}

// Candidates with sizes, encode and decode time; `reps` timed passes each.
void print_candidates(const Corpus& corpus, int reps) {
  for (const auto& kind : kKinds) {
    if (!selected(kind)) continue;
    const auto& planes = planes_of(corpus, kind);
    std::printf("### %s (%zu per pass)\n\n", kind.name, planes.size());
    std::printf(
        "| setting | note | bytes/image | vs stored | KiB on disk | encode us/image |"
        " decode us/image |\n");
    std::printf("|---|---|---:|---:|---:|---:|---:|\n");
    double stored = 0;
    for (const auto& c : kCandidates) {
      if (!g_only.empty() && describe(c.options) != g_only && &c != &kCandidates[0]) continue;
      const Measure m = measure(planes, kind.color, c.options, reps);
      if (stored == 0) stored = m.bytes_per_image;
      std::printf("| %s | %s | %.0f | %.3f | %.1f | %.1f | %.1f |\n", describe(c.options).c_str(),
                  c.note, m.bytes_per_image, m.bytes_per_image / stored, m.disk_kib_per_image,
                  m.encode_us, decode_us(planes, kind.color, c.options, reps));
      std::fflush(stdout);
    }
    std::printf("\n");
  }
}

// Every level x strategy x filter cell.
void print_grid(const Corpus& corpus, int reps) {
  const int levels[] = {0, 1, 3, 6, 9};
  const int strategies[] = {Z_DEFAULT_STRATEGY, Z_FILTERED, Z_RLE, Z_HUFFMAN_ONLY};
  const int filters[] = {PNG_FILTER_NONE, PNG_FILTER_SUB, PNG_FILTER_UP, PNG_FILTER_PAETH,
                         PNG_ALL_FILTERS};
  for (const auto& kind : kKinds) {
    if (!selected(kind)) continue;
    const auto& planes = planes_of(corpus, kind);
    std::printf("### grid: %s (%zu per pass); cells are bytes/image, encode us/image\n\n",
                kind.name, planes.size());
    std::printf("| level | strategy | none | sub | up | paeth | all |\n");
    std::printf("|---|---|---|---|---|---|---|\n");
    for (int level : levels)
      for (int strategy : strategies) {
        std::printf("| %d | %s |", level, strategy_name(strategy));
        for (int filter : filters) {
          const Measure m =
              measure(planes, kind.color, PngOptions{level, strategy, filter, 8}, reps);
          std::printf(" %.0f, %.0f |", m.bytes_per_image, m.encode_us);
        }
        std::printf("\n");
        std::fflush(stdout);
      }
    std::printf("\n");
  }
}

const Corpus* g_corpus = nullptr;

void register_benchmarks() {
  for (const auto& kind : kKinds)
    for (const auto& c : kCandidates) {
      const std::string name = std::string(kind.name) + " / " + describe(c.options);
      benchmark::RegisterBenchmark(name.c_str(), [kind,
                                                  options = c.options](benchmark::State& state) {
        const auto& planes = planes_of(*g_corpus, kind);
        Bytes out;
        std::size_t next = 0, bytes = 0, images = 0;
        for (auto _ : state) {
          const Plane& p = planes[next];
          next = next + 1 == planes.size() ? 0 : next + 1;
          samed2d::encode_png(p.pixels.data(), p.width, p.height, kind.color, options, out);
          bytes += out.size();
          ++images;
          benchmark::DoNotOptimize(out.data());
        }
        state.SetItemsProcessed(static_cast<std::int64_t>(images));
        state.counters["bytes/image"] = double(bytes) / double(std::max<std::size_t>(images, 1));
      });
    }
}

}  // namespace

int main(int argc, char** argv) {
  bool table = false, candidates_only = false;
  std::size_t stride = 4;
  int reps = 3;
  std::vector<char*> rest{argv[0]};
  for (int a = 1; a < argc; ++a) {
    const std::string arg = argv[a];
    if (arg == "--table") {
      table = true;
    } else if (arg == "--candidates") {
      candidates_only = true;
    } else if (arg == "--stride" && a + 1 < argc) {
      stride = std::max(1, std::stoi(argv[++a]));
    } else if (arg == "--only" && a + 1 < argc) {
      g_only = argv[++a];
    } else if (arg == "--kind" && a + 1 < argc) {
      g_kind_filter = argv[++a];
    } else if (arg == "--reps" && a + 1 < argc) {
      reps = std::max(1, std::stoi(argv[++a]));
    } else {
      rest.push_back(argv[a]);
    }
  }

  const auto dir = samed2d::test::sample_data_dir();
  if (!std::filesystem::exists(dir / "colin27" / "ch2.nii.gz") ||
      !std::filesystem::exists(dir / "colin27" / "aal.nii.gz")) {
    std::fprintf(stderr,
                 "png_bench: %s has no colin27/ch2.nii.gz and colin27/aal.nii.gz; fetch them with "
                 "scripts/fetch-sample-data.sh (or point SAMED2D_SAMPLE_DATA at a copy)\n",
                 dir.c_str());
    return 1;
  }
  const Corpus corpus = build_corpus(dir, stride);
  print_corpus(corpus, stride);
  if (table) {
    print_grid(corpus, reps);
    return 0;
  }
  if (candidates_only) {
    print_candidates(corpus, reps);
    return 0;
  }

  g_corpus = &corpus;
  register_benchmarks();
  int bench_argc = static_cast<int>(rest.size());
  benchmark::Initialize(&bench_argc, rest.data());
  if (benchmark::ReportUnrecognizedArguments(bench_argc, rest.data())) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
