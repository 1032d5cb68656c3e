#include "pipeline/tree/ReportSvg.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace samed2d {

namespace {

constexpr double kRowHeight = 20;
constexpr double kBarHeight = 14;
constexpr double kHeaderHeight = 24;
constexpr double kCharWidth = 6.6;  // an average glyph of 12px sans-serif
constexpr double kValueRoom = 74;   // room after the longest bar for its value
constexpr std::size_t kMaxLabelChars = 40;

// Characters that start a UTF-8 sequence (or are ASCII): the label's length as shown.
std::size_t shown_length(std::string_view s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

// At most kMaxLabelChars characters shown; longer labels end with an ellipsis.
std::string shorten(const std::string& s) {
  if (shown_length(s) <= kMaxLabelChars) return s;
  std::string out;
  std::size_t shown = 0;
  for (const char c : s) {
    if ((c & 0xC0) != 0x80 && ++shown > kMaxLabelChars - 1) break;
    out += c;
  }
  return out + "\xE2\x80\xA6";
}

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string url_path_escape(std::string_view path) {
  std::string out;
  for (const char c : path) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~' || c == '/')
      out += c;
    else
      out += fmt::format("%{:02X}", u);
  }
  return out;
}

std::string thousands(std::uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string render_bar_chart(const BarChart& chart) {
  const double width = chart.width;
  std::size_t longest = 4;
  for (const auto& row : chart.rows) longest = std::max(longest, shown_length(shorten(row.label)));
  bool swatches = false;
  for (const auto& row : chart.rows) swatches = swatches || !row.swatch.empty();
  const double label_width = (swatches ? 30 : 12) + kCharWidth * static_cast<double>(longest);
  const std::size_t panels = std::max<std::size_t>(1, chart.series.size());
  const double panel_width = (width - label_width) / static_cast<double>(panels);
  const double bar_room = std::max(20.0, panel_width - kValueRoom);
  const double height = kHeaderHeight + kRowHeight * static_cast<double>(chart.rows.size()) + 6;

  std::string s = fmt::format(
      "<svg class=\"chart\" viewBox=\"0 0 {0} {1}\" width=\"{0}\" height=\"{1}\" role=\"img\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n<title>{2}</title>\n",
      width, height, html_escape(chart.title));
  for (std::size_t p = 0; p < chart.series.size(); ++p) {
    const double x0 = label_width + panel_width * static_cast<double>(p);
    s += fmt::format(
        "<text x=\"{:.1f}\" y=\"15\" font-weight=\"bold\" fill=\"#333\">{}</text>\n"
        "<line x1=\"{:.1f}\" y1=\"{}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#bbb\"/>\n",
        x0, html_escape(chart.series[p]), x0, kHeaderHeight - 2, x0, height - 4);
  }
  std::vector<std::uint64_t> largest(chart.series.size(), 0);
  for (const auto& row : chart.rows)
    for (std::size_t p = 0; p < largest.size() && p < row.values.size(); ++p)
      largest[p] = std::max(largest[p], row.values[p]);

  for (std::size_t r = 0; r < chart.rows.size(); ++r) {
    const auto& row = chart.rows[r];
    const double y = kHeaderHeight + kRowHeight * static_cast<double>(r);
    if (r % 2 == 1)
      s += fmt::format("<rect x=\"0\" y=\"{:.1f}\" width=\"{}\" height=\"{}\" fill=\"#f4f6f8\"/>\n",
                       y, width, kRowHeight);
    if (!row.swatch.empty())
      s += fmt::format(
          "<rect x=\"6\" y=\"{:.1f}\" width=\"12\" height=\"12\" fill=\"{}\" "
          "stroke=\"#555\" stroke-width=\"0.5\"/>\n",
          y + 4, row.swatch);
    const std::string shown = shorten(row.label);
    s += "<text x=\"" + fmt::format("{:.1f}", label_width - 8) + "\" y=\"" +
         fmt::format("{:.1f}", y + 14) + "\" text-anchor=\"end\" fill=\"#222\">";
    if (shown != row.label) s += "<title>" + html_escape(row.label) + "</title>";
    s += html_escape(shown) + "</text>\n";
    for (std::size_t p = 0; p < largest.size() && p < row.values.size(); ++p) {
      const double x0 = label_width + panel_width * static_cast<double>(p);
      const std::uint64_t v = row.values[p];
      double w =
          largest[p] == 0 ? 0 : bar_room * static_cast<double>(v) / static_cast<double>(largest[p]);
      if (v > 0 && w < 1) w = 1;  // a tiny count stays visible
      const std::string color = p < chart.colors.size() ? chart.colors[p] : "#4e79a7";
      s += fmt::format(
          "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{}\" fill=\"{}\"/>"
          "<text x=\"{:.1f}\" y=\"{:.1f}\" fill=\"#333\">{}</text>\n",
          x0 + 1, y + (kRowHeight - kBarHeight) / 2, w, kBarHeight, color, x0 + w + 5, y + 14,
          thousands(v));
    }
  }
  s += "</svg>\n";
  return s;
}

}  // namespace samed2d
