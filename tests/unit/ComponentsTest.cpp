// split_instances against a brute-force BFS labelling, plus the SPEC 5 cases that a plausible
// implementation gets wrong: diagonal contact, first-pixel order, the area bound.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <deque>
#include <random>
#include <utility>
#include <vector>

#include "pipeline/slicing/SliceOps.hpp"

namespace samed2d {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

struct RefComponent {
  std::size_t first = 0;
  std::size_t area = 0;
  std::vector<std::uint8_t> mask;
};

// BFS from each unvisited inside pixel in row-major order: the start pixel is the component's
// first pixel, so the components come out in first-pixel order.
std::vector<RefComponent> bfs_components(const std::vector<std::uint8_t>& bin, std::size_t h,
                                         std::size_t w, int connectivity) {
  std::vector<bool> seen(h * w, false);
  std::vector<RefComponent> out;
  for (std::size_t start = 0; start < h * w; ++start) {
    if (!bin[start] || seen[start]) continue;
    RefComponent c{start, 0, std::vector<std::uint8_t>(h * w, 0)};
    std::deque<std::size_t> queue{start};
    seen[start] = true;
    while (!queue.empty()) {
      const std::size_t p = queue.front();
      queue.pop_front();
      c.mask[p] = 255;
      ++c.area;
      const long r = static_cast<long>(p / w), col = static_cast<long>(p % w);
      for (long dr = -1; dr <= 1; ++dr)
        for (long dc = -1; dc <= 1; ++dc) {
          if (dr == 0 && dc == 0) continue;
          if (connectivity == 4 && dr != 0 && dc != 0) continue;
          const long rr = r + dr, cc = col + dc;
          if (rr < 0 || cc < 0 || rr >= static_cast<long>(h) || cc >= static_cast<long>(w))
            continue;
          const std::size_t q = static_cast<std::size_t>(rr) * w + static_cast<std::size_t>(cc);
          if (bin[q] && !seen[q]) {
            seen[q] = true;
            queue.push_back(q);
          }
        }
    }
    out.push_back(std::move(c));
  }
  return out;
}

Profile profile_with(int connectivity, std::optional<std::int64_t> min_pixels) {
  Profile p;
  p.connectivity = connectivity;
  p.min_area_pixels = min_pixels;
  return p;
}

TEST(ComponentsTest, MatchesBfsOnRandomMasks) {
  std::mt19937 rng(17);
  for (int round = 0; round < 300; ++round) {
    const std::size_t h = 1 + rng() % 40, w = 1 + rng() % 40;
    const double density = static_cast<double>(rng() % 100) / 100.0;
    std::bernoulli_distribution inside(density);
    std::vector<std::uint8_t> bin(h * w);
    for (auto& b : bin) b = inside(rng) ? static_cast<std::uint8_t>(1 + rng() % 255) : 0;
    for (int conn : {4, 8}) {
      const std::int64_t min_pixels = static_cast<std::int64_t>(rng() % 4);
      const auto ref = bfs_components(bin, h, w, conn);
      const auto got = split_instances(bin.data(), h, w, profile_with(conn, min_pixels));
      std::vector<const RefComponent*> kept;
      for (const auto& c : ref)
        if (static_cast<std::int64_t>(c.area) >= min_pixels) kept.push_back(&c);
      ASSERT_EQ(got.size(), kept.size()) << h << "x" << w << " conn " << conn;
      for (std::size_t n = 0; n < got.size(); ++n) {
        EXPECT_EQ(got[n].first_pixel, kept[n]->first);
        EXPECT_EQ(got[n].area, kept[n]->area);
        EXPECT_EQ(got[n].mask, kept[n]->mask);
      }
    }
  }
}

std::vector<std::uint8_t> from_rows(const std::vector<std::string>& rows) {
  std::vector<std::uint8_t> bin;
  for (const auto& r : rows)
    for (char ch : r) bin.push_back(ch == '#' ? 1 : 0);
  return bin;
}

// Each instance's first pixel and area, in instance order.
std::vector<std::pair<std::size_t, std::size_t>> placed(const std::vector<Instance>& got) {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  for (const auto& instance : got) out.emplace_back(instance.first_pixel, instance.area);
  return out;
}

TEST(ComponentsTest, DiagonalContactDependsOnConnectivity) {
  const auto bin = from_rows({"#..",  //
                              ".#.",  //
                              "..#"});
  EXPECT_THAT(placed(split_instances(bin.data(), 3, 3, profile_with(8, 1))),
              ElementsAre(Pair(0u, 3u)));
  EXPECT_THAT(placed(split_instances(bin.data(), 3, 3, profile_with(4, 1))),
              ElementsAre(Pair(0u, 1u), Pair(4u, 1u), Pair(8u, 1u)));
}

TEST(ComponentsTest, OrderedByFirstPixelNotCentroid) {
  // U (first pixel at row 0, column 4; centroid low) and a blob at row 1 left (centroid higher
  // and more to the left). The U's right arm is seen first, its left arm later on the same row;
  // both arms must merge into one component numbered 0.
  const auto bin = from_rows({"....#.#.",  //
                              "##..#.#.",  //
                              "##..#.#.",  //
                              "....#.#.",  //
                              "....#.#.",  //
                              "....###."});
  const auto got = split_instances(bin.data(), 6, 8, profile_with(8, 1));
  ASSERT_THAT(placed(got), ElementsAre(Pair(4u, 13u), Pair(8u, 4u)));
  EXPECT_EQ(got[0].mask[6], 255);   // right arm top
  EXPECT_EQ(got[0].mask[45], 255);  // bottom
  EXPECT_EQ(got[0].mask[8], 0);

  // A component whose first pixel is reached by a later-numbered branch: the right arm starts
  // one row above the left arm.
  const auto bin2 = from_rows({"...#",  //
                               "#..#",  //
                               "####"});
  EXPECT_THAT(placed(split_instances(bin2.data(), 3, 4, profile_with(4, 1))),
              ElementsAre(Pair(3u, 7u)));
}

TEST(ComponentsTest, AreaFractionBoundIsComparedAsReals) {
  // 0.00153 * 256 * 256 = 100.27...: 100 pixels are dropped, 101 kept.
  const std::size_t h = 256, w = 256;
  std::vector<std::uint8_t> bin(h * w, 0);
  for (std::size_t c = 0; c < 100; ++c) bin[10 * w + c] = 1;  // row 10: 100 px
  for (std::size_t c = 0; c < 101; ++c) bin[20 * w + c] = 1;  // row 20: 101 px
  EXPECT_THAT(placed(split_instances(bin.data(), h, w, Profile{})),
              ElementsAre(Pair(20 * w, 101u)));
}

TEST(ComponentsTest, MinAreaPixelsReplacesTheFraction) {
  const std::size_t h = 256, w = 256;
  std::vector<std::uint8_t> bin(h * w, 0);
  for (std::size_t c = 0; c < 49; ++c) bin[3 * w + c] = 1;
  for (std::size_t c = 0; c < 50; ++c) bin[5 * w + c] = 1;
  EXPECT_THAT(placed(split_instances(bin.data(), h, w, profile_with(8, 50))),
              ElementsAre(Pair(5 * w, 50u)));
  EXPECT_TRUE(split_instances(bin.data(), h, w, Profile{}).empty());
}

TEST(ComponentsTest, FullLargeMaskIsOneInstance) {
  const std::size_t n = 1024;
  const std::vector<std::uint8_t> bin(n * n, 1);
  const auto got = split_instances(bin.data(), n, n, Profile{});
  ASSERT_THAT(placed(got), ElementsAre(Pair(0u, n * n)));
  EXPECT_EQ(got[0].mask, std::vector<std::uint8_t>(n * n, 255));
}

TEST(ComponentsTest, LargeCheckerboard) {
  const std::size_t n = 1024;
  std::vector<std::uint8_t> bin(n * n, 0);
  for (std::size_t r = 0; r < n; ++r)
    for (std::size_t c = r % 2; c < n; c += 2) bin[r * n + c] = 1;
  EXPECT_THAT(placed(split_instances(bin.data(), n, n, profile_with(8, 1))),
              ElementsAre(Pair(0u, n * n / 2)));
  // 4-connected every pixel is alone (one mask each would need 512 GiB, so keep none).
  EXPECT_TRUE(split_instances(bin.data(), n, n, profile_with(4, 2)).empty());
}

TEST(ComponentsTest, EmptyMaskHasNoInstances) {
  const std::vector<std::uint8_t> bin(30 * 20, 0);
  EXPECT_TRUE(split_instances(bin.data(), 30, 20, profile_with(8, 0)).empty());
}

}  // namespace
}  // namespace samed2d
