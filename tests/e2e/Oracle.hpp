#pragma once
// An independent, deliberately naive reading of SPEC sections 2 to 6, used to check the tool's
// output file by file. It shares no code with the tool.

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <deque>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace samed2d::test {

struct OracleClass {
  std::string name;
  std::string id;  // "0003"
  std::vector<long long> values;
};

struct OracleOutput {
  std::map<std::string, std::vector<std::uint8_t>> images;  // "images/x.png" -> grey pixels
  std::map<std::string, std::vector<std::uint8_t>> masks;   // "masks/x.png" -> 0/255 pixels
  std::map<std::string, std::vector<std::string>> json;     // image -> sorted masks
  std::map<std::string, std::pair<std::size_t, std::size_t>> shapes;  // image -> (H, W)
};

struct OracleCase {
  std::string modality, dataset, case_name;
  std::size_t ni = 0, nj = 0, nk = 0;
  std::vector<double> image;         // i fastest
  std::vector<long long> label;      // i fastest
  std::vector<OracleClass> classes;  // any order
  std::vector<char> axes{'x', 'y', 'z'};
  double min_area_fraction = 0.00153;
  double min_aspect = 0.5;
  std::set<std::pair<char, std::size_t>> only;  // when non-empty, only these slices
};

// The case CASE_NAME of `dataset` in `modality`: ni x nj x nk voxels of `image` and `label` (i
// fastest, any numeric types), with the classes to find.
template <class Image, class Label>
OracleCase oracle_case(const std::string& modality, const std::string& dataset,
                       const std::string& case_name, const std::array<std::size_t, 3>& n,
                       const std::vector<Image>& image, const std::vector<Label>& label,
                       std::vector<OracleClass> classes = {}) {
  OracleCase c;
  c.modality = modality;
  c.dataset = dataset;
  c.case_name = case_name;
  c.ni = n[0];
  c.nj = n[1];
  c.nk = n[2];
  for (const auto v : image) c.image.push_back(static_cast<double>(v));
  for (const auto v : label) c.label.push_back(static_cast<long long>(v));
  c.classes = std::move(classes);
  return c;
}

inline void oracle_add(const OracleCase& c, OracleOutput& out) {
  auto classes = c.classes;
  std::sort(classes.begin(), classes.end(),
            [](const auto& a, const auto& b) { return std::stoi(a.id) < std::stoi(b.id); });
  for (char axis : c.axes) {
    std::size_t H = 0, W = 0, S = 0;
    if (axis == 'x') {
      H = c.nj;
      W = c.ni;
      S = c.nk;
    }
    if (axis == 'y') {
      H = c.nk;
      W = c.ni;
      S = c.nj;
    }
    if (axis == 'z') {
      H = c.nk;
      W = c.nj;
      S = c.ni;
    }
    // SPEC 5: the aspect rule skips slices of 3D volumes only (nk == 1 is a 2D source).
    if (c.nk > 1 &&
        static_cast<double>(std::min(H, W)) < c.min_aspect * static_cast<double>(std::max(H, W)))
      continue;
    for (std::size_t s = 0; s < S; ++s) {
      if (!c.only.empty() && c.only.count({axis, s}) == 0) continue;
      std::vector<double> img(H * W);
      std::vector<long long> lab(H * W);
      for (std::size_t r = 0; r < H; ++r)
        for (std::size_t col = 0; col < W; ++col) {
          std::size_t i = 0, j = 0, k = 0;
          if (axis == 'x') {
            i = col;
            j = r;
            k = s;
          }
          if (axis == 'y') {
            i = col;
            j = s;
            k = r;
          }
          if (axis == 'z') {
            i = s;
            j = col;
            k = r;
          }
          const std::size_t idx = i + c.ni * (j + c.nj * k);
          img[r * W + col] = c.image[idx];
          lab[r * W + col] = c.label[idx];
        }
      const std::string stem =
          fmt::format("{}--{}--{}--{}_{:04d}", c.modality, c.dataset, c.case_name, axis, s);
      std::vector<std::pair<std::string, std::vector<std::uint8_t>>> masks;
      for (const auto& cls : classes) {
        std::vector<int> comp(H * W, -1);
        int ncomp = 0;
        auto inside = [&](std::size_t p) {
          return std::find(cls.values.begin(), cls.values.end(), lab[p]) != cls.values.end();
        };
        for (std::size_t p = 0; p < H * W; ++p) {
          if (!inside(p) || comp[p] >= 0) continue;
          std::deque<std::size_t> q{p};
          comp[p] = ncomp;
          std::size_t area = 0;
          std::vector<std::size_t> pixels;
          while (!q.empty()) {
            const std::size_t cur = q.front();
            q.pop_front();
            ++area;
            pixels.push_back(cur);
            const long long cr = static_cast<long long>(cur / W),
                            cc = static_cast<long long>(cur % W);
            for (long long dr = -1; dr <= 1; ++dr)
              for (long long dc = -1; dc <= 1; ++dc) {
                const long long rr = cr + dr, cc2 = cc + dc;
                if (rr < 0 || cc2 < 0 || rr >= static_cast<long long>(H) ||
                    cc2 >= static_cast<long long>(W))
                  continue;
                const std::size_t np =
                    static_cast<std::size_t>(rr) * W + static_cast<std::size_t>(cc2);
                if (inside(np) && comp[np] < 0) {
                  comp[np] = ncomp;
                  q.push_back(np);
                }
              }
          }
          ++ncomp;
          if (static_cast<double>(area) >=
              c.min_area_fraction * static_cast<double>(H) * static_cast<double>(W)) {
            std::vector<std::uint8_t> m(H * W, 0);
            for (auto px : pixels) m[px] = 255;
            masks.emplace_back(fmt::format("masks/{}--{}_{:03d}.png", stem, cls.id, 0),
                               std::move(m));
            // renumber below
            masks.back().first = fmt::format("{}|{}", cls.id, masks.size());
          }
        }
      }
      if (masks.empty()) continue;
      // Instances are numbered per class in the order found (row-major first pixel).
      std::map<std::string, int> per_class;
      std::vector<std::string> names;
      for (auto& [key, m] : masks) {
        const std::string id = key.substr(0, key.find('|'));
        const int inst = per_class[id]++;
        const std::string name = fmt::format("masks/{}--{}_{:03d}.png", stem, id, inst);
        out.masks[name] = m;
        names.push_back(name);
      }
      std::sort(names.begin(), names.end());
      double m = std::numeric_limits<double>::infinity(), M = -m;
      for (double v : img)
        if (std::isfinite(v)) {
          m = std::min(m, v);
          M = std::max(M, v);
        }
      std::vector<std::uint8_t> px(H * W, 0);
      for (std::size_t p = 0; p < H * W; ++p)
        if (M > m && std::isfinite(img[p]))
          px[p] = static_cast<std::uint8_t>(
              std::min(255.0, std::max(0.0, std::floor((img[p] - m) * 255.0 / (M - m)))));
      const std::string image = "images/" + stem + ".png";
      out.images[image] = px;
      out.shapes[image] = {H, W};
      out.json[image] = names;
    }
  }
}

}  // namespace samed2d::test
