#pragma once
// Inline SVG bar charts and HTML helpers for `samed2d report`: drawn here, no script, no fonts,
// nothing fetched.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace samed2d {

// Text for HTML element content and attribute values (& < > " ' escaped).
std::string html_escape(std::string_view text);
// A relative URL path: every byte but unreserved characters and '/' percent-encoded.
std::string url_path_escape(std::string_view path);
// 1234567 -> "1,234,567"
std::string thousands(std::uint64_t n);

// A horizontal bar chart: one row per label, one panel of bars per series side by side, each
// panel scaled to its own largest value, the value written after each bar.
struct BarChart {
  std::string title;                // the svg's <title> (what a screen reader says)
  std::vector<std::string> series;  // panel headings ("images", "masks")
  std::vector<std::string> colors;  // one CSS colour per series
  struct Row {
    std::string label;
    std::vector<std::uint64_t> values;  // one per series
    std::string swatch;  // a CSS colour drawn as a square before the label, when not empty
  };
  std::vector<Row> rows;
  double width = 900;  // user units (the svg scales down with the page)
};

// The chart as one <svg> element.
std::string render_bar_chart(const BarChart& chart);

}  // namespace samed2d
