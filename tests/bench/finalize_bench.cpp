// What runs once at the end of a whole rebuild, at SA-Med2D scale: rebuilding SAMed2D_v1.json,
// the class mapping and the report from the case records (finalize), without any PNG.
//
//   finalize_bench make OUT [IMAGES] [MASKS] [IMAGES_PER_CASE]
//       writes case records only (default 4,600,000 images, 19,700,000 masks, 40 images a case)
//   finalize_bench finalize OUT
//       rebuilds the JSON files and report.json from them, printing the time and peak memory
//   finalize_bench shards DIR N [IMAGES] [MASKS] [IMAGES_PER_CASE]
//       N shard folders DIR/shard-I for `samed2d merge`: the same records split round robin,
//       each file they name as an empty file, and the shard's state and report
//
// scripts/bench-finalize.sh runs both and keeps the numbers for the README.

#include <sys/resource.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <string>
#include <vector>

#include "pipeline/output/CaseRecord.hpp"
#include "pipeline/output/OutputTree.hpp"
#include "pipeline/run/Conversion.hpp"

namespace {

namespace fs = std::filesystem;
using samed2d::CaseRecord;
using samed2d::OutputTree;

double peak_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

// Writes the records (and, for shards, empty files) of `images` images and `masks` masks,
// case c into folder c % roots.size().
int make(const std::vector<fs::path>& roots, std::uint64_t images, std::uint64_t masks,
         std::uint64_t per_case, bool files) {
  std::deque<OutputTree> trees;  // OutputTree does not move
  for (const auto& root : roots) {
    trees.emplace_back(root);
    trees.back().prepare();
  }
  const std::uint64_t cases = (images + per_case - 1) / per_case;
  std::uint64_t image = 0, mask = 0;
  for (std::uint64_t c = 0; c < cases; ++c) {
    CaseRecord r;
    r.dataset = c % 2 == 0 ? "BenchCT" : "BenchMR";
    r.case_name = "case_" + std::to_string(1000000 + c);
    const std::string modality = c % 2 == 0 ? "ct_00" : "mr_t1";
    r.modalities = {modality};
    r.options = {{"profile", "samed2d_v1"}, {"bench", true}};
    r.sources.push_back({"/data/" + r.dataset + "/" + r.case_name + ".nii.gz", 1, 0});
    r.classes = {{"0003", "liver"}, {"0007", "spleen"}};
    for (std::uint64_t i = 0; i < per_case && image < images; ++i, ++image) {
      const std::string stem = modality + "--" + r.dataset + "--" + r.case_name + "--z_" +
                               std::to_string(10000 + i).substr(1);
      // Masks spread evenly: image k gets floor((k+1) M / I) - floor(k M / I).
      const std::uint64_t until = (image + 1) * masks / images;
      std::vector<std::string> list;
      for (std::uint64_t m = 0; mask < until; ++m, ++mask)
        list.push_back("masks/" + stem + "--000" + std::to_string(3 + 4 * (m % 2)) + "_" +
                       std::to_string(1000 + m / 2).substr(1) + ".png");
      r.images["images/" + stem + ".png"] = std::move(list);
    }
    OutputTree& out = trees[c % trees.size()];
    if (files)
      for (const auto& [image_rel, list] : r.images) {
        out.write_file(image_rel, "", 0);
        for (const auto& m : list) out.write_file(m, "", 0);
      }
    out.write_record(r);
  }
  std::printf("made %llu case records: %llu images, %llu masks\n",
              static_cast<unsigned long long>(cases), static_cast<unsigned long long>(image),
              static_cast<unsigned long long>(mask));
  return 0;
}

int finalize(const fs::path& root) {
  const auto start = std::chrono::steady_clock::now();
  OutputTree out(root);
  std::vector<std::string> warnings;
  auto totals = out.finalize(warnings, {});
  std::vector<samed2d::FailedCase> failures;
  samed2d::write_run_report(out, totals, failures, "");
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::error_code ec;
  std::printf(
      "finalize: %zu cases, %zu images, %zu masks in %.1f s, peak memory %.0f MiB, "
      "SAMed2D_v1.json %.0f MB\n",
      totals.cases, totals.images, totals.masks, seconds, peak_mib(),
      static_cast<double>(fs::file_size(root / "SAMed2D_v1.json", ec)) / 1e6);
  return warnings.empty() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 2 ? argv[1] : "";
  if (mode == "make")
    return make({argv[2]}, argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 4600000,
                argc > 4 ? std::strtoull(argv[4], nullptr, 10) : 19700000,
                argc > 5 ? std::strtoull(argv[5], nullptr, 10) : 40, false);
  if (mode == "finalize") return finalize(argv[2]);
  if (mode == "shards" && argc > 3) {
    const std::size_t n = std::strtoull(argv[3], nullptr, 10);
    std::vector<fs::path> roots;
    for (std::size_t i = 0; i < n; ++i) {
      roots.push_back(fs::path(argv[2]) / ("shard-" + std::to_string(i)));
      fs::create_directories(roots.back() / ".samed2d");
      std::FILE* f = std::fopen((roots.back() / ".samed2d" / "shard.json").c_str(), "w");
      std::fprintf(f, "{\"run\": {\"bench\": true}, \"shard\": %zu, \"shards\": %zu}\n", i, n);
      std::fclose(f);
      f = std::fopen((roots.back() / "report.json").c_str(), "w");
      std::fprintf(f, "{\"failed\": []}\n");
      std::fclose(f);
    }
    return make(roots, argc > 4 ? std::strtoull(argv[4], nullptr, 10) : 4600000,
                argc > 5 ? std::strtoull(argv[5], nullptr, 10) : 19700000,
                argc > 6 ? std::strtoull(argv[6], nullptr, 10) : 40, true);
  }
  std::fprintf(stderr,
               "usage: finalize_bench make OUT [IMAGES] [MASKS] [IMAGES_PER_CASE]\n"
               "       finalize_bench finalize OUT\n"
               "       finalize_bench shards DIR N [IMAGES] [MASKS] [IMAGES_PER_CASE]\n");
  return 2;
}
