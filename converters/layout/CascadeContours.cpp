#include "converters/layout/CascadeContours.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <memory>
#include <string_view>
#include <utility>

#include "pipeline/core/Errors.hpp"

namespace samed2d::cascade {

namespace {

struct Node {
  std::string name;
  std::vector<std::pair<std::string, std::string>> attributes;
  std::vector<std::unique_ptr<Node>> children;
  std::string text;

  const Node* child(std::string_view n) const {
    for (const auto& c : children)
      if (c->name == n) return c.get();
    return nullptr;
  }
  const std::string* attribute(std::string_view n) const {
    for (const auto& [k, v] : attributes)
      if (k == n) return &v;
    return nullptr;
  }
};

// UTF-16 text (with its byte order mark) as its ASCII characters; other characters become '?'.
std::string ascii_of_utf16(const std::string& raw, bool little_endian) {
  std::string out;
  out.reserve(raw.size() / 2);
  for (std::size_t i = 2; i + 1 < raw.size(); i += 2) {
    const auto lo = static_cast<unsigned char>(raw[little_endian ? i : i + 1]);
    const auto hi = static_cast<unsigned char>(raw[little_endian ? i + 1 : i]);
    const unsigned unit = lo | (hi << 8);
    out.push_back(unit < 128 ? static_cast<char>(unit) : '?');
  }
  return out;
}

class Parser {
 public:
  Parser(std::string_view text, const std::string& where) : s_(text), where_(where) {}

  std::unique_ptr<Node> parse() {
    std::vector<Node*> open;
    std::unique_ptr<Node> root;
    while (pos_ < s_.size()) {
      if (s_[pos_] != '<') {
        const std::size_t end = std::min(s_.find('<', pos_), s_.size());
        const std::string_view run = s_.substr(pos_, end - pos_);
        if (!open.empty())
          open.back()->text += decode(run);
        else if (run.find_first_not_of(" \t\r\n") != std::string_view::npos)
          fail("text outside the root element");
        pos_ = end;
      } else if (starts("<?")) {
        skip_past("?>");
      } else if (starts("<!--")) {
        skip_past("-->");
      } else if (starts("<![CDATA[")) {
        const std::size_t begin = pos_ + 9;
        skip_past("]]>");
        if (open.empty()) fail("CDATA outside the root element");
        open.back()->text += s_.substr(begin, pos_ - 3 - begin);
      } else if (starts("<!")) {
        skip_past(">");
      } else if (starts("</")) {
        pos_ += 2;
        const std::string name = read_name();
        skip_space();
        expect('>');
        if (open.empty() || open.back()->name != name)
          fail(fmt::format("closing tag </{}> does not match {}", name,
                           open.empty() ? "any open element" : "<" + open.back()->name + ">"));
        open.pop_back();
      } else {
        ++pos_;
        auto node = std::make_unique<Node>();
        node->name = read_name();
        bool closed = false;
        for (;;) {
          skip_space();
          if (starts("/>")) {
            pos_ += 2;
            closed = true;
            break;
          }
          if (starts(">")) {
            ++pos_;
            break;
          }
          std::string key = read_name();
          skip_space();
          expect('=');
          skip_space();
          if (pos_ >= s_.size() || (s_[pos_] != '"' && s_[pos_] != '\''))
            fail("an attribute value without quotes");
          const char quote = s_[pos_++];
          const std::size_t end = s_.find(quote, pos_);
          if (end == std::string_view::npos) fail("an attribute value that never ends");
          node->attributes.emplace_back(std::move(key), decode(s_.substr(pos_, end - pos_)));
          pos_ = end + 1;
        }
        Node* raw = node.get();
        if (open.empty()) {
          if (root) fail("a second root element <" + node->name + ">");
          root = std::move(node);
        } else {
          open.back()->children.push_back(std::move(node));
        }
        if (!closed) open.push_back(raw);
      }
    }
    if (!root) fail("no root element");
    if (!open.empty()) fail("<" + open.back()->name + "> is never closed");
    return root;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw InputError(fmt::format(
        "{}: not well-formed XML at byte {} ({}); the file is damaged, download it again", where_,
        pos_, what));
  }
  bool starts(std::string_view p) const { return s_.substr(pos_, p.size()) == p; }
  void skip_past(std::string_view p) {
    const std::size_t end = s_.find(p, pos_);
    if (end == std::string_view::npos) fail(fmt::format("\"{}\" never ends", s_.substr(pos_, 4)));
    pos_ = end + p.size();
  }
  void skip_space() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\r' || s_[pos_] == '\n'))
      ++pos_;
  }
  void expect(char c) {
    if (pos_ >= s_.size() || s_[pos_] != c) fail(fmt::format("'{}' expected", c));
    ++pos_;
  }
  std::string read_name() {
    const std::size_t begin = pos_;
    while (pos_ < s_.size()) {
      const char c = s_[pos_];
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '>' || c == '/' || c == '=' ||
          c == '<' || c == '"' || c == '\'')
        break;
      ++pos_;
    }
    if (pos_ == begin) fail("a name expected");
    return std::string(s_.substr(begin, pos_ - begin));
  }
  std::string decode(std::string_view run) const {
    std::string out;
    out.reserve(run.size());
    for (std::size_t i = 0; i < run.size(); ++i) {
      if (run[i] != '&') {
        out.push_back(run[i]);
        continue;
      }
      const std::size_t end = run.find(';', i);
      if (end == std::string_view::npos) fail("'&' without ';'");
      const std::string_view ref = run.substr(i + 1, end - i - 1);
      if (ref == "lt")
        out.push_back('<');
      else if (ref == "gt")
        out.push_back('>');
      else if (ref == "amp")
        out.push_back('&');
      else if (ref == "quot")
        out.push_back('"');
      else if (ref == "apos")
        out.push_back('\'');
      else if (ref.size() > 1 && ref[0] == '#') {
        const bool hex = ref[1] == 'x' || ref[1] == 'X';
        const std::string_view digits = ref.substr(hex ? 2 : 1);
        unsigned code = 0;
        const auto [p, ec] =
            std::from_chars(digits.data(), digits.data() + digits.size(), code, hex ? 16 : 10);
        if (ec != std::errc() || p != digits.data() + digits.size() || digits.empty())
          fail("a bad character reference");
        out.push_back(code < 128 ? static_cast<char>(code) : '?');
      } else {
        fail(fmt::format("an unknown entity &{};", ref));
      }
      i = end;
    }
    return out;
  }

  std::string_view s_;
  const std::string& where_;
  std::size_t pos_ = 0;
};

std::unique_ptr<Node> parse_xml(const std::string& raw, const std::string& where) {
  if (raw.size() >= 2 && static_cast<unsigned char>(raw[0]) == 0xFF &&
      static_cast<unsigned char>(raw[1]) == 0xFE)
    return Parser(ascii_of_utf16(raw, true), where).parse();
  if (raw.size() >= 2 && static_cast<unsigned char>(raw[0]) == 0xFE &&
      static_cast<unsigned char>(raw[1]) == 0xFF)
    return Parser(ascii_of_utf16(raw, false), where).parse();
  std::string_view text(raw);
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  return Parser(text, where).parse();
}

std::string trimmed(std::string_view s) {
  const std::size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  const std::size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

double coordinate(const Node& point, std::string_view axis, std::size_t image, std::size_t index,
                  const std::string& where) {
  const std::string* v = point.attribute(axis);
  double out = 0;
  bool ok = v != nullptr;
  if (ok) {
    const std::string t = trimmed(*v);
    const auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), out);
    ok = !t.empty() && ec == std::errc() && p == t.data() + t.size() && std::isfinite(out);
  }
  if (!ok)
    throw InputError(fmt::format(
        "{}: QVAS_Image {} (slice {}), point {}: \"{}\" is {}; each <Point> needs numeric x and "
        "y attributes, the file is damaged: download it again",
        where, image + 1, image, index + 1, axis,
        v == nullptr ? std::string("missing") : "\"" + *v + "\", not a number"));
  return out;
}

}  // namespace

std::string qvs_name_of_qvj(const std::string& xml, const std::string& where) {
  const auto root = parse_xml(xml, where);
  const Node* list = root->child("QVAS_Loaded_Series_List");
  const Node* name = list == nullptr ? nullptr : list->child("QVASSeriesFileName");
  if (name == nullptr)
    throw InputError(fmt::format(
        "{}: no <QVAS_Loaded_Series_List>/<QVASSeriesFileName> under <{}>, so the QVS contour "
        "file is unknown; the QVJ file is damaged or not a CASCADE project: download it again",
        where, root->name));
  std::string out = trimmed(name->text);
  if (out.empty())
    throw InputError(fmt::format(
        "{}: <QVASSeriesFileName> is empty, so the QVS contour file is unknown; download the "
        "QVJ file again",
        where));
  return out;
}

std::vector<Image> parse_qvs(const std::string& xml, const std::string& where) {
  const auto root = parse_xml(xml, where);
  std::vector<Image> images;
  for (const auto& node : root->children) {
    if (node->name != "QVAS_Image") continue;
    Image image;
    if (const std::string* n = node->attribute("ImageName")) image.name = *n;
    const std::size_t k = images.size();
    for (const auto& c : node->children) {
      if (c->name != "QVAS_Contour") continue;
      Contour contour;
      if (const Node* type = c->child("ContourType")) contour.type = trimmed(type->text);
      if (const Node* pts = c->child("Contour_Point"))
        for (const auto& p : pts->children) {
          if (p->name != "Point") continue;
          const std::size_t index = contour.points.size();
          contour.points.push_back(
              {coordinate(*p, "x", k, index, where), coordinate(*p, "y", k, index, where)});
        }
      image.contours.push_back(std::move(contour));
    }
    images.push_back(std::move(image));
  }
  return images;
}

void fill_polygon(const std::vector<Point>& polygon, std::size_t columns, std::size_t rows,
                  std::uint8_t value, std::uint8_t* slice) {
  const std::size_t n = polygon.size();
  if (n == 0 || columns == 0 || rows == 0) return;
  double ymin = polygon[0].y, ymax = polygon[0].y;
  for (const Point& p : polygon) {
    ymin = std::min(ymin, p.y);
    ymax = std::max(ymax, p.y);
  }
  const double last_col = static_cast<double>(columns - 1);
  const double last_row = static_cast<double>(rows - 1);
  auto set_run = [&](std::size_t r, double a, double b) {  // centres a <= c <= b
    const double lo = std::max(0.0, std::ceil(a));
    const double hi = std::min(last_col, std::floor(b));
    for (double c = lo; c <= hi; c += 1) slice[static_cast<std::size_t>(c) + columns * r] = value;
  };
  const double r0 = std::max(0.0, std::ceil(ymin));
  const double r1 = std::min(last_row, std::floor(ymax));
  std::vector<double> xs;
  for (double rd = r0; rd <= r1; rd += 1) {
    const auto r = static_cast<std::size_t>(rd);
    xs.clear();
    for (std::size_t e = 0; e < n; ++e) {
      const Point& p = polygon[e];
      const Point& q = polygon[(e + 1) % n];
      if (p.y == q.y) {
        if (p.y == rd) set_run(r, std::min(p.x, q.x), std::max(p.x, q.x));  // on the edge
        continue;
      }
      const double x = p.x + (rd - p.y) * (q.x - p.x) / (q.y - p.y);
      if (rd >= std::min(p.y, q.y) && rd < std::max(p.y, q.y)) xs.push_back(x);
      // A centre exactly on a sloped edge (its lower end included).
      if (rd >= std::min(p.y, q.y) && rd <= std::max(p.y, q.y) && x == std::floor(x))
        set_run(r, x, x);
    }
    std::sort(xs.begin(), xs.end());
    for (std::size_t m = 0; m + 1 < xs.size(); m += 2) set_run(r, xs[m], xs[m + 1]);
  }
}

}  // namespace samed2d::cascade
