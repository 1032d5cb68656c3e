// Measures encode_png settings on real slices: Colin27 T1 slices normalized as SPEC 4 says, and
// SPEC 5 masks (8-connected components of single AAL regions) on the same slices; with --ct, the
// slices and organ masks of the benchmark CT (scripts/bench-pipeline.sh's bench-data) instead.
// The writer before libdeflate (libpng with zlib level 3) is measured beside the candidates as
// "before".
//
//   build/tests/png_bench                  Google Benchmark timings of the candidate settings
//                                          (counter bytes/image) on that corpus
//   build/tests/png_bench --candidates     the candidates as Markdown tables: bytes, 4 KiB
//                                          blocks, encode and decode microseconds per image
//   build/tests/png_bench --table          the whole grid (deflaters x levels x filters)
//   options: --stride N (every N-th slice per axis, default 4), --reps N (timed passes, the
//   fastest counts, default 3), --kind TEXT (only kinds whose name contains it), --only SETTING
//   (one candidate, e.g. "libdeflate L2 up"), --ct DIR (a folder holding case_000.nii.gz and
//   case_000_seg.nii.gz); other arguments go to Google Benchmark.
// docs/png-settings.md holds the results and the commands that made them.

#include <benchmark/benchmark.h>
#include <itkImage.h>
#include <itkImageFileReader.h>
#include <libdeflate.h>
#include <png.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <csetjmp>
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

#include "pipeline/output/PngWriter.hpp"
#include "support/TestData.hpp"

namespace {

using samed2d::PngColor;
using samed2d::PngDeflater;
using samed2d::PngFilter;
using samed2d::PngOptions;
using Bytes = std::vector<std::uint8_t>;

struct Plane {
  std::size_t width = 0, height = 0;
  Bytes pixels;
};

struct Corpus {
  std::string name;
  std::vector<Plane> images;  // normalized slices
  std::vector<Plane> masks;   // 0/255 component masks
  std::size_t image_pixels = 0, mask_pixels = 0;
};

struct Volume {
  std::size_t ni = 0, nj = 0, nk = 0;
  std::vector<float> voxels;  // i fastest
  float at(std::size_t i, std::size_t j, std::size_t k) const {
    return voxels[i + ni * (j + nj * k)];
  }
};

Volume read_volume(const std::filesystem::path& file) {
  using Image = itk::Image<float, 3>;
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

struct FloatPlane {
  std::size_t width = 0, height = 0;
  std::vector<float> values;
};

// Slice s of axis 0 (x: k = s, rows j, cols i), 1 (y: j = s, rows k, cols i) or 2 (z: i = s,
// rows k, cols j), as in SPEC 3.
FloatPlane slice_of(const Volume& v, int axis, std::size_t s) {
  FloatPlane p;
  p.height = axis == 0 ? v.nj : v.nk;
  p.width = axis == 2 ? v.nj : v.ni;
  p.values.resize(p.width * p.height);
  for (std::size_t r = 0; r < p.height; ++r)
    for (std::size_t c = 0; c < p.width; ++c)
      p.values[r * p.width + c] = axis == 0   ? v.at(c, r, s)
                                  : axis == 1 ? v.at(c, s, r)
                                              : v.at(s, c, r);
  return p;
}

std::size_t slice_count(const Volume& v, int axis) {
  return axis == 0 ? v.nk : axis == 1 ? v.nj : v.ni;
}

// SPEC 4, minmax-slice.
Plane normalized(const FloatPlane& p) {
  Plane out{p.width, p.height, Bytes(p.values.size(), 0)};
  const auto [lo, hi] = std::minmax_element(p.values.begin(), p.values.end());
  const double m = *lo, big_m = *hi;
  if (big_m == m) return out;
  for (std::size_t n = 0; n < p.values.size(); ++n) {
    const double value = std::floor((double(p.values[n]) - m) * 255.0 / (big_m - m));
    out.pixels[n] = static_cast<std::uint8_t>(std::min(255.0, std::max(0.0, value)));
  }
  return out;
}

// SPEC 5: 8-connected components of each label value, kept when at least 0.00153 * H * W.
std::vector<Plane> masks_of(const FloatPlane& labels) {
  const std::size_t w = labels.width, h = labels.height, n = w * h;
  const double min_area = 0.00153 * double(h) * double(w);
  std::vector<Plane> masks;
  std::vector<std::int32_t> component(n, -1);
  std::vector<std::size_t> stack, members;
  for (int value = 1; value < 256; ++value) {
    for (std::size_t start = 0; start < n; ++start) {
      if (labels.values[start] != float(value) || component[start] >= 0) continue;
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
            if (labels.values[q] == float(value) && component[q] < 0) {
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
Corpus build_corpus(const std::string& name, const std::filesystem::path& image_file,
                    const std::filesystem::path& label_file, std::size_t stride) {
  const Volume image = read_volume(image_file);
  const Volume label = read_volume(label_file);
  if (image.ni != label.ni || image.nj != label.nj || image.nk != label.nk)
    throw std::runtime_error(image_file.string() + " and " + label_file.string() +
                             " differ in size");
  Corpus corpus;
  corpus.name = name;
  for (int axis = 0; axis < 3; ++axis) {
    const std::size_t h = axis == 0 ? image.nj : image.nk;
    const std::size_t w = axis == 2 ? image.nj : image.ni;
    if (std::min(h, w) * 2 < std::max(h, w)) continue;  // SPEC 5: the aspect rule
    for (std::size_t s = 0; s < slice_count(image, axis); s += stride) {
      auto masks = masks_of(slice_of(label, axis, s));
      if (masks.empty()) continue;
      Plane plane = normalized(slice_of(image, axis, s));
      corpus.image_pixels += plane.pixels.size();
      corpus.images.push_back(std::move(plane));
      for (auto& mask : masks) {
        corpus.mask_pixels += mask.pixels.size();
        corpus.masks.push_back(std::move(mask));
      }
    }
  }
  return corpus;
}

// ---------------------------------------------------------------------------------------------
// The writer before libdeflate: libpng with zlib (level 3, default strategy; Up for images,
// no filter for masks), as pipeline/output/PngWriter.cpp did until the output format 2. Kept here
// only to be measured beside the candidates.

struct LibpngError {
  char message[256] = {};
};
[[noreturn]] void on_libpng_error(png_structp png, png_const_charp message) {
  auto* e = static_cast<LibpngError*>(png_get_error_ptr(png));
  std::snprintf(e->message, sizeof e->message, "%s", message);
  png_longjmp(png, 1);
}
void on_libpng_warning(png_structp, png_const_charp) {}
void on_libpng_write(png_structp png, png_bytep data, png_size_t length) {
  auto* out = static_cast<Bytes*>(png_get_io_ptr(png));
  out->insert(out->end(), data, data + length);
}
void on_libpng_flush(png_structp) {}

bool libpng_rows(png_structp png, png_infop info, const Plane& p, PngColor color, bool mask,
                 Bytes& rgb_row) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_set_compression_level(png, 3);
  png_set_compression_strategy(png, Z_DEFAULT_STRATEGY);
  png_set_filter(png, PNG_FILTER_TYPE_BASE, mask ? PNG_FILTER_NONE : PNG_FILTER_UP);
  const bool rgb = color == PngColor::GrayAsRgb;
  png_set_IHDR(png, info, static_cast<png_uint_32>(p.width), static_cast<png_uint_32>(p.height), 8,
               rgb ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (std::size_t r = 0; r < p.height; ++r) {
    const std::uint8_t* in = p.pixels.data() + r * p.width;
    if (rgb) {
      for (std::size_t x = 0; x < p.width; ++x)
        rgb_row[3 * x] = rgb_row[3 * x + 1] = rgb_row[3 * x + 2] = in[x];
      png_write_row(png, rgb_row.data());
    } else {
      png_write_row(png, in);
    }
  }
  png_write_end(png, nullptr);
  return true;
}

void encode_before(const Plane& p, PngColor color, bool mask, Bytes& out) {
  out.clear();
  LibpngError error;
  png_structp png =
      png_create_write_struct(PNG_LIBPNG_VER_STRING, &error, on_libpng_error, on_libpng_warning);
  png_infop info = png_create_info_struct(png);
  png_set_write_fn(png, &out, on_libpng_write, on_libpng_flush);
  Bytes rgb_row(p.width * 3);
  const bool ok = libpng_rows(png, info, p, color, mask, rgb_row);
  png_destroy_write_struct(&png, &info);
  if (!ok) throw std::runtime_error(error.message);
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

// Indexed by the filter's PNG type byte.
const char* filter_name(PngFilter f) {
  static const char* const names[] = {"none", "sub", "up", "avg", "paeth"};
  return names[static_cast<std::uint8_t>(f)];
}

struct Candidate {
  const char* note;
  bool before = false;  // the libpng + zlib writer of output format 1
  PngOptions options;
};

std::string describe(const Candidate& c) {
  if (c.before) return "before: libpng zlib L3";
  return std::string(c.options.deflater == PngDeflater::Zlib ? "zlib" : "libdeflate") + " L" +
         std::to_string(c.options.level) + " " + filter_name(c.options.filter);
}

PngOptions lib(int level, PngFilter f) {
  return PngOptions{PngDeflater::Libdeflate, level, f};
}
PngOptions zl(int level, PngFilter f) {
  return PngOptions{PngDeflater::Zlib, level, f};
}

// The settings worth a row of their own in docs/png-settings.md.
const Candidate kCandidates[] = {
    {"stored", false, lib(0, PngFilter::None)},
    {"output format 1 (libpng + zlib L3; Up for images)", true, {}},
    {"", false, zl(1, PngFilter::None)},
    {"", false, zl(3, PngFilter::None)},
    {"", false, zl(3, PngFilter::Up)},
    {"", false, lib(1, PngFilter::None)},
    {"", false, lib(1, PngFilter::Up)},
    {"", false, lib(2, PngFilter::None)},
    {"", false, lib(2, PngFilter::Sub)},
    {"", false, lib(2, PngFilter::Up)},
    {"", false, lib(2, PngFilter::Paeth)},
    {"", false, lib(3, PngFilter::Up)},
    {"", false, lib(4, PngFilter::Up)},
    {"", false, lib(6, PngFilter::Up)},
    {"", false, lib(6, PngFilter::Paeth)},
    {"", false, lib(9, PngFilter::Up)},
};

std::string g_only;         // --only SETTING: the stored row and that candidate
std::string g_kind_filter;  // --kind: only kinds whose name contains it

bool selected(const Kind& kind) {
  return g_kind_filter.empty() || std::string(kind.name).find(g_kind_filter) != std::string::npos;
}

const std::vector<Plane>& planes_of(const Corpus& corpus, const Kind& kind) {
  return kind.masks ? corpus.masks : corpus.images;
}

void encode(const Candidate& c, const Plane& p, const Kind& kind, Bytes& out) {
  if (c.before)
    encode_before(p, kind.color, kind.masks, out);
  else
    samed2d::encode_png(p.pixels.data(), p.width, p.height, kind.color, c.options, out);
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

Measure measure(const Kind& kind, const std::vector<Plane>& planes, const Candidate& c, int reps) {
  Bytes out;
  Measure m;
  double total_bytes = 0;
  double best = std::numeric_limits<double>::infinity();
  for (int rep = 0; rep < reps; ++rep) {
    total_bytes = 0;
    const double start = cpu_us();
    for (const auto& p : planes) {
      encode(c, p, kind, out);
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
double decode_us(const Kind& kind, const std::vector<Plane>& planes, const Candidate& c, int reps) {
  std::vector<Bytes> files;
  for (const auto& p : planes) {
    files.emplace_back();
    encode(c, p, kind, files.back());
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
      "corpus: %s, every %zu-th slice on x, y, z with a kept mask: %zu images"
      " (%.0f pixels on average), %zu masks\n",
      corpus.name.c_str(), stride, corpus.images.size(),
      double(corpus.image_pixels) / double(corpus.images.size()), corpus.masks.size());
  std::printf("libpng %s (decoding), zlib %s, libdeflate %s\n\n", PNG_LIBPNG_VER_STRING,
              zlibVersion(), LIBDEFLATE_VERSION_STRING);
}

// Candidates with sizes, encode and decode time; `reps` timed passes each.
void print_candidates(const Corpus& corpus, int reps) {
  for (const auto& kind : kKinds) {
    if (!selected(kind)) continue;
    const auto& planes = planes_of(corpus, kind);
    std::printf("### %s (%zu per pass)\n\n", kind.name, planes.size());
    std::printf(
        "| setting | note | bytes/image | vs before | KiB on disk | encode us/image |"
        " decode us/image |\n");
    std::printf("|---|---|---:|---:|---:|---:|---:|\n");
    const double before = measure(kind, planes, kCandidates[1], 1).bytes_per_image;
    for (const auto& c : kCandidates) {
      if (!g_only.empty() && describe(c) != g_only && &c != &kCandidates[1]) continue;
      const Measure m = measure(kind, planes, c, reps);
      std::printf("| %s | %s | %.0f | %.3f | %.1f | %.1f | %.1f |\n", describe(c).c_str(), c.note,
                  m.bytes_per_image, m.bytes_per_image / before, m.disk_kib_per_image, m.encode_us,
                  decode_us(kind, planes, c, reps));
      std::fflush(stdout);
    }
    std::printf("\n");
  }
}

// Every deflater x level x filter cell.
void print_grid(const Corpus& corpus, int reps) {
  const PngFilter filters[] = {PngFilter::None, PngFilter::Sub, PngFilter::Up, PngFilter::Average,
                               PngFilter::Paeth};
  struct Row {
    PngDeflater deflater;
    int level;
  };
  std::vector<Row> rows;
  for (int level : {1, 3, 6, 9}) rows.push_back({PngDeflater::Zlib, level});
  for (int level = 0; level <= 12; ++level) rows.push_back({PngDeflater::Libdeflate, level});
  for (const auto& kind : kKinds) {
    if (!selected(kind)) continue;
    const auto& planes = planes_of(corpus, kind);
    std::printf("### grid: %s (%zu per pass); cells are bytes/image, encode us/image\n\n",
                kind.name, planes.size());
    std::printf("| deflater | level | none | sub | up | avg | paeth |\n");
    std::printf("|---|---:|---|---|---|---|---|\n");
    for (const auto& row : rows) {
      std::printf("| %s | %d |", row.deflater == PngDeflater::Zlib ? "zlib" : "libdeflate",
                  row.level);
      for (PngFilter filter : filters) {
        const Candidate c{"", false, PngOptions{row.deflater, row.level, filter}};
        const Measure m = measure(kind, planes, c, reps);
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
      const std::string name = std::string(kind.name) + " / " + describe(c);
      benchmark::RegisterBenchmark(name.c_str(), [kind, c](benchmark::State& state) {
        const auto& planes = planes_of(*g_corpus, kind);
        Bytes out;
        std::size_t next = 0, bytes = 0, images = 0;
        for (auto _ : state) {
          const Plane& p = planes[next];
          next = next + 1 == planes.size() ? 0 : next + 1;
          encode(c, p, kind, out);
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
  std::string ct_dir;
  std::vector<char*> rest{argv[0]};
  for (int a = 1; a < argc; ++a) {
    const std::string arg = argv[a];
    if (arg == "--table") {
      table = true;
    } else if (arg == "--candidates") {
      candidates_only = true;
    } else if (arg == "--stride" && a + 1 < argc) {
      stride = static_cast<std::size_t>(std::max(1, std::stoi(argv[++a])));
    } else if (arg == "--only" && a + 1 < argc) {
      g_only = argv[++a];
    } else if (arg == "--kind" && a + 1 < argc) {
      g_kind_filter = argv[++a];
    } else if (arg == "--reps" && a + 1 < argc) {
      reps = std::max(1, std::stoi(argv[++a]));
    } else if (arg == "--ct" && a + 1 < argc) {
      ct_dir = argv[++a];
    } else {
      rest.push_back(argv[a]);
    }
  }

  Corpus corpus;
  if (!ct_dir.empty()) {
    const std::filesystem::path d = ct_dir;
    if (!std::filesystem::exists(d / "case_000.nii.gz")) {
      std::fprintf(
          stderr,
          "png_bench: %s has no case_000.nii.gz; write it with build/tests/make_bench_data "
          "(scripts/bench-pipeline.sh does)\n",
          ct_dir.c_str());
      return 1;
    }
    corpus = build_corpus("benchmark CT " + (d / "case_000.nii.gz").string(), d / "case_000.nii.gz",
                          d / "case_000_seg.nii.gz", stride);
  } else {
    const auto dir = samed2d::test::sample_data_dir();
    if (!std::filesystem::exists(dir / "colin27" / "ch2.nii.gz") ||
        !std::filesystem::exists(dir / "colin27" / "aal.nii.gz")) {
      std::fprintf(stderr,
                   "png_bench: %s has no colin27/ch2.nii.gz and colin27/aal.nii.gz; fetch them "
                   "with scripts/fetch-sample-data.sh (or point SAMED2D_SAMPLE_DATA at a copy)\n",
                   dir.c_str());
      return 1;
    }
    corpus = build_corpus("Colin27 ch2 + AAL", dir / "colin27" / "ch2.nii.gz",
                          dir / "colin27" / "aal.nii.gz", stride);
  }
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
