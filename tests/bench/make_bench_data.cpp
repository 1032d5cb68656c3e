// Writes synthetic abdominal-CT-like cases for the benchmarks (scripts/bench-pipeline.sh,
// scripts/bench-peer.sh): int16 HU volumes with a body, noise and five organ-like ellipsoids,
// their uint8 label maps, and config.json, the dataset config that converts them.
// Usage: make_bench_data OUT_DIR [cases=4] [ni=512] [nj=512] [nk=160]

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "support/TestData.hpp"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: make_bench_data OUT_DIR [cases=4] [ni=512] [nj=512] [nk=160]\n";
    return 2;
  }
  const std::filesystem::path out = argv[1];
  const int cases = argc > 2 ? std::atoi(argv[2]) : 4;
  const std::size_t ni = argc > 3 ? std::stoul(argv[3]) : 512;
  const std::size_t nj = argc > 4 ? std::stoul(argv[4]) : 512;
  const std::size_t nk = argc > 5 ? std::stoul(argv[5]) : 160;
  struct Organ {
    double ci, cj, ck, ri, rj, rk;
    std::uint8_t value;
    std::int16_t hu;
  };
  for (int c = 0; c < cases; ++c) {
    const double shift = c * 0.02;
    const std::vector<Organ> organs{
        {0.35 + shift, 0.45, 0.55, 0.14, 0.12, 0.25, 1, 60},  // liver-like
        {0.70, 0.50 - shift, 0.55, 0.06, 0.07, 0.12, 2, 50},  // spleen-like
        {0.38, 0.65, 0.40, 0.04, 0.05, 0.10, 3, 35},          // kidney-like
        {0.62, 0.65, 0.40, 0.04, 0.05, 0.10, 4, 35},          // kidney-like
        {0.52, 0.55, 0.50, 0.08, 0.02, 0.04, 5, 45}};         // pancreas-like
    std::vector<std::int16_t> img(ni * nj * nk);
    std::vector<std::uint8_t> lab(ni * nj * nk, 0);
    std::uint64_t rng = 12345 + static_cast<std::uint64_t>(c);
    for (std::size_t k = 0; k < nk; ++k)
      for (std::size_t j = 0; j < nj; ++j)
        for (std::size_t i = 0; i < ni; ++i) {
          const std::size_t idx = i + ni * (j + nj * k);
          const double x = double(i) / double(ni), y = double(j) / double(nj),
                       z = double(k) / double(nk);
          rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
          const int noise = static_cast<int>((rng >> 33) % 41) - 20;
          const double body = (x - 0.5) * (x - 0.5) / 0.18 + (y - 0.5) * (y - 0.5) / 0.12;
          int hu = body <= 1 ? 20 + noise : -1000 + noise / 4;
          for (const auto& o : organs) {
            const double d = (x - o.ci) * (x - o.ci) / (o.ri * o.ri) +
                             (y - o.cj) * (y - o.cj) / (o.rj * o.rj) +
                             (z - o.ck) * (z - o.ck) / (o.rk * o.rk);
            if (d <= 1) {
              hu = o.hu + noise;
              lab[idx] = o.value;
            }
          }
          img[idx] = static_cast<std::int16_t>(hu);
        }
    const std::string name = fmt::format("case_{:03d}", c);
    samed2d::test::write_volume(out / (name + ".nii.gz"), {ni, nj, nk}, img, 3, {0.8, 0.8, 2.5});
    samed2d::test::write_volume(out / (name + "_seg.nii.gz"), {ni, nj, nk}, lab, 3,
                                {0.8, 0.8, 2.5});
    std::cout << "wrote " << (out / name).string() << "\n";
  }
  // The label values above, as the benchmarks convert them.
  std::ofstream(out / "config.json") << R"({
  "dataset": "SyntheticCT",
  "cases": "case_[0-9][0-9][0-9].nii.gz",
  "modality": "ct_00",
  "label": "{stem}_seg.nii.gz",
  "labels": {"1": "liver", "2": "spleen", "3": "right_kidney", "4": "left_kidney", "5": "pancreas"}
}
)";
  return 0;
}
