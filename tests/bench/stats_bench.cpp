// `samed2d stats` at the release's scale (4.6 million images, 19.7 million masks).
//
//   stats_bench make TREE [images=4600000] [masks=19700000] [headers=0]
//     writes TREE/SAMed2D_v1.json and the class mapping with SA-Med2D-like names (10
//     modalities, 60 datasets, about 40 slices a case, 200 classes); `headers` > 0 also writes
//     the first 33 bytes of a PNG (signature and IHDR) as images/<stem>.png for that many images
//     (the first ones), for timing the size reads.
//   stats_bench run TREE [sizes=0] [format=table]
//     runs `samed2d stats` in process (print_stats) with the image sizes read or not, timing
//     the index read and the counting; run it under /usr/bin/time -v for the peak memory.

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "pipeline/tree/Stats.hpp"
#include "pipeline/tree/TreeIndex.hpp"

namespace {

namespace fs = std::filesystem;

int make(const fs::path& tree, std::size_t images, std::size_t masks, std::size_t headers) {
  fs::create_directories(tree / "images");
  fs::create_directories(tree / "masks");
  static const char* const kModalities[] = {"ct_00", "endoscopy", "fundus", "mr_flair",
                                            "mr_t1", "mr_t1c",    "mr_t2",  "pet_00",
                                            "us_00", "x_ray"};  // ascending
  std::FILE* f = std::fopen((tree / "SAMed2D_v1.json").c_str(), "wb");
  if (f == nullptr) return 1;
  std::setvbuf(f, nullptr, _IOFBF, 1 << 22);
  std::fputc('{', f);
  // Keys must come in ascending order: modality, then dataset, then case, then slice, all with
  // fixed-width numbers so that the numeric and byte orders agree.
  std::size_t written_masks = 0, image = 0;
  const std::size_t per_modality = (images + 9) / 10;
  for (std::size_t m = 0; m < 10 && image < images; ++m) {
    for (std::size_t i = 0; i < per_modality && image < images; ++i, ++image) {
      const std::size_t dataset = i * 6 / per_modality;  // 6 datasets per modality
      const std::size_t case_no = i / 40, slice = i % 40;
      const std::string stem =
          fmt::format("{}--Dataset{:02d}_{}--case_{:06d}--x_{:04d}", kModalities[m],
                      m * 6 + dataset, kModalities[m], case_no, slice);
      // Masks spread so that the total comes out at `masks`.
      const std::size_t target = (image + 1) * masks / images;
      const std::size_t count = target - written_masks;
      fmt::print(f, "{}\"images/{}.png\":[", image == 0 ? "" : ",", stem);
      for (std::size_t k = 0; k < count; ++k)
        fmt::print(f, "{}\"masks/{}--{:04d}_{:03d}.png\"", k == 0 ? "" : ",", stem,
                   1 + (case_no * 7 + k * 13) % 200, 1 + k / 5);
      std::fputc(']', f);
      written_masks += count;
      if (image < headers) {
        const unsigned char png[33] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0,
                                       13,   'I', 'H', 'D', 'R',  0,    0,    2,    0, 0, 0,
                                       1,    0,   8,   2,   0,    0,    0,    0,    0, 0, 0};
        std::FILE* p = std::fopen((tree / "images" / (stem + ".png")).c_str(), "wb");
        if (p == nullptr) return 1;
        std::fwrite(png, 1, sizeof png, p);
        std::fclose(p);
      }
    }
  }
  std::fputs("}\n", f);
  std::fclose(f);
  std::FILE* c = std::fopen((tree / "SAMed2D_v1_class_mapping_id.json").c_str(), "wb");
  std::fputc('{', c);
  for (int id = 1; id <= 200; ++id)
    fmt::print(c, "{}\"class {}\":\"{:04d}\"", id == 1 ? "" : ",", id, id);
  std::fputs("}\n", c);
  std::fclose(c);
  std::cerr << fmt::format("{} images, {} masks\n", image, written_masks);
  return 0;
}

int run(const fs::path& tree, bool sizes, const std::string& format) {
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  const samed2d::TreeIndex index = samed2d::read_tree_index(tree);
  const auto t1 = Clock::now();
  samed2d::StatsOptions options;
  options.sizes = sizes;
  const samed2d::TreeStats stats = samed2d::compute_stats(index, tree, options);
  const auto t2 = Clock::now();
  const std::string text = format == "csv"    ? samed2d::format_stats_csv(stats)
                           : format == "json" ? samed2d::format_stats_json(stats)
                                              : samed2d::format_stats_table(stats);
  const auto t3 = Clock::now();
  std::fwrite(text.data(), 1, text.size(), stdout);
  const auto s = [](auto a, auto b) { return std::chrono::duration<double>(b - a).count(); };
  std::cerr << fmt::format("read_tree_index {:.2f} s, compute_stats {:.2f} s, format {:.3f} s\n",
                           s(t0, t1), s(t1, t2), s(t2, t3));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> a(argv + 1, argv + argc);
  try {
    if (a.size() >= 2 && a[0] == "make")
      return make(a[1], a.size() > 2 ? std::stoul(a[2]) : 4600000,
                  a.size() > 3 ? std::stoul(a[3]) : 19700000, a.size() > 4 ? std::stoul(a[4]) : 0);
    if (a.size() >= 2 && a[0] == "run")
      return run(a[1], a.size() > 2 && a[2] == "1", a.size() > 3 ? a[3] : "table");
  } catch (const std::exception& e) {
    std::cerr << "stats_bench: " << e.what() << "\n";
    return 2;
  }
  std::cerr << "usage: stats_bench make TREE [images] [masks] [headers] | run TREE [sizes=0|1] "
               "[format]\n";
  return 2;
}
