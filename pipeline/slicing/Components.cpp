#include "pipeline/slicing/Components.hpp"

#include <cstring>
#include <stdexcept>

namespace samed2d {

namespace {

// A horizontal run of inside pixels: columns [start, end) of one row. Runs are found in raster
// order, so a smaller run index means an earlier first pixel.
struct Run {
  std::size_t row;
  std::size_t start;
  std::size_t end;
};

std::size_t find_root(std::vector<std::size_t>& parent, std::size_t x) {
  while (parent[x] != x) {
    parent[x] = parent[parent[x]];  // path halving
    x = parent[x];
  }
  return x;
}

// Links the two sets under the smaller root, so each root is its component's first run.
void unite(std::vector<std::size_t>& parent, std::size_t a, std::size_t b) {
  a = find_root(parent, a);
  b = find_root(parent, b);
  if (a < b)
    parent[b] = a;
  else if (b < a)
    parent[a] = b;
}

// Index of the first non-zero byte in [from, width), or width; skips zero words 8 at a time.
std::size_t next_inside(const std::uint8_t* row, std::size_t from, std::size_t width) {
  std::size_t c = from;
  while (c + 8 <= width) {
    std::uint64_t w;
    std::memcpy(&w, row + c, 8);
    if (w != 0) break;
    c += 8;
  }
  while (c < width && row[c] == 0) ++c;
  return c;
}

std::size_t next_outside(const std::uint8_t* row, std::size_t from, std::size_t width) {
  std::size_t c = from;
  while (c < width && row[c] != 0) ++c;
  return c;
}

}  // namespace

std::vector<Instance> split_instances(const std::uint8_t* binary, std::size_t height,
                                      std::size_t width, const Profile& profile) {
  if (profile.connectivity != 4 && profile.connectivity != 8)
    throw std::invalid_argument("split_instances: connectivity must be 4 or 8");
  // Runs in adjacent rows touch when their column ranges overlap (4) or are at most one column
  // apart (8, diagonal neighbours).
  const std::size_t reach = profile.connectivity == 8 ? 1 : 0;

  std::vector<Run> runs;
  std::vector<std::size_t> parent;
  std::size_t prev_begin = 0;
  std::size_t prev_end = 0;
  for (std::size_t r = 0; r < height; ++r) {
    const std::uint8_t* row = binary + r * width;
    const std::size_t cur_begin = runs.size();
    std::size_t p = prev_begin;
    for (std::size_t c = next_inside(row, 0, width); c < width; c = next_inside(row, c, width)) {
      const std::size_t e = next_outside(row, c, width);
      const std::size_t id = runs.size();
      runs.push_back({r, c, e});
      parent.push_back(id);
      // Previous-row runs that end too far left cannot touch this run nor any later one.
      while (p < prev_end && runs[p].end + reach <= c) ++p;
      for (std::size_t q = p; q < prev_end && runs[q].start < e + reach; ++q) unite(parent, q, id);
      c = e;
    }
    prev_begin = cur_begin;
    prev_end = runs.size();
  }

  // Roots in run order are components in first-pixel order.
  std::vector<std::size_t> component(runs.size());
  std::vector<std::size_t> area;
  std::vector<std::size_t> first;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const std::size_t root = find_root(parent, i);
    if (root == i) {
      component[i] = area.size();
      area.push_back(0);
      first.push_back(runs[i].row * width + runs[i].start);
    } else {
      component[i] = component[root];
    }
    area[component[i]] += runs[i].end - runs[i].start;
  }

  constexpr std::size_t kDropped = static_cast<std::size_t>(-1);
  std::vector<std::size_t> kept_index(area.size(), kDropped);
  std::vector<Instance> out;
  for (std::size_t n = 0; n < area.size(); ++n) {
    if (!profile.keeps_component(area[n], height, width)) continue;
    kept_index[n] = out.size();
    out.push_back({first[n], area[n], std::vector<std::uint8_t>(height * width, 0)});
  }
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const std::size_t k = kept_index[component[i]];
    if (k == kDropped) continue;
    std::memset(out[k].mask.data() + runs[i].row * width + runs[i].start, 255,
                runs[i].end - runs[i].start);
  }
  return out;
}

}  // namespace samed2d
