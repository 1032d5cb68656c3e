#include "PathTemplate.hpp"

#include <fmt/format.h>

#include <array>
#include <utility>

#include "pipeline/Errors.hpp"
#include "pipeline/Naming.hpp"

namespace samed2d {

PathTemplate::PathTemplate(std::string text, std::string_view context) : text_(std::move(text)) {
  static constexpr std::array<std::pair<std::string_view, Field>, 5> kFields{
      {{"path", Field::Path},
       {"dir", Field::Dir},
       {"name", Field::Name},
       {"stem", Field::Stem},
       {"parent", Field::Parent}}};
  auto fail = [&](std::string_view problem) {
    throw ConfigError(fmt::format("{}: template \"{}\" {}", context, text_, problem));
  };
  if (text_.empty()) fail("is empty; give a template such as \"{stem}\"");

  std::string literal;
  auto flush = [&] {
    if (!literal.empty()) pieces_.push_back({Field::Literal, std::move(literal)});
    literal.clear();
  };
  const std::string& t = text_;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i] == '{' && i + 1 < t.size() && t[i + 1] == '{') {
      literal += '{';
      ++i;
    } else if (t[i] == '}' && i + 1 < t.size() && t[i + 1] == '}') {
      literal += '}';
      ++i;
    } else if (t[i] == '}') {
      fail(
          fmt::format("has a '}}' at position {} with no '{{' before it; write \"}}}}\" for a "
                      "literal brace",
                      i + 1));
    } else if (t[i] == '{') {
      const auto close = t.find('}', i + 1);
      const auto next_open = t.find('{', i + 1);
      if (close == std::string::npos || (next_open != std::string::npos && next_open < close))
        fail(
            fmt::format("has a '{{' at position {} that is never closed; write \"{{{{\" for a "
                        "literal brace",
                        i + 1));
      const std::string_view name = std::string_view(t).substr(i + 1, close - i - 1);
      Field field = Field::Literal;
      for (const auto& [known, value] : kFields)
        if (name == known) field = value;
      if (field == Field::Literal)
        fail(
            fmt::format("uses the unknown placeholder {{{}}}; the placeholders are {{path}}, "
                        "{{dir}}, {{name}}, {{stem}} and {{parent}}",
                        name));
      flush();
      pieces_.push_back({field, {}});
      i = close;
    } else {
      literal += t[i];
    }
  }
  flush();
}

std::string PathTemplate::render(std::string_view relative_path, std::string_view root_name) const {
  const auto slash = relative_path.rfind('/');
  const bool top = slash == std::string_view::npos;
  const std::string_view name = top ? relative_path : relative_path.substr(slash + 1);
  const std::string_view dir = top ? std::string_view(".") : relative_path.substr(0, slash);
  std::string_view parent = root_name;
  if (!top) {
    const auto parent_slash = dir.rfind('/');
    parent = parent_slash == std::string_view::npos ? dir : dir.substr(parent_slash + 1);
  }
  std::string out;
  for (const auto& piece : pieces_) {
    switch (piece.field) {
      case Field::Literal:
        out += piece.literal;
        break;
      case Field::Path:
        out += relative_path;
        break;
      case Field::Dir:
        out += dir;
        break;
      case Field::Name:
        out += name;
        break;
      case Field::Stem:
        out += strip_format_extension(name);
        break;
      case Field::Parent:
        out += parent;
        break;
    }
  }
  return out;
}

}  // namespace samed2d
