#include "PathTemplate.hpp"

#include <fmt/format.h>

#include <array>
#include <utility>

#include "Glob.hpp"
#include "pipeline/Errors.hpp"
#include "pipeline/Naming.hpp"

namespace samed2d {

PathTemplate::PathTemplate(std::string text, std::string_view context) : text_(std::move(text)) {
  static constexpr std::array<std::pair<std::string_view, Field>, 6> kFields{
      {{"path", Field::Path},
       {"dir", Field::Dir},
       {"name", Field::Name},
       {"stem", Field::Stem},
       {"parent", Field::Parent},
       {"grandparent", Field::Grandparent}}};
  auto fail = [&](std::string_view problem) {
    throw ConfigError(fmt::format("{}: template \"{}\" {}", context, text_, problem));
  };
  if (text_.empty()) fail("is empty; give a template such as \"{stem}\"");

  Piece literal;
  auto flush = [&] {
    if (!literal.pattern.empty()) pieces_.push_back(std::move(literal));
    literal = Piece{};
  };
  auto add = [&](std::string_view plain, std::string_view pattern) {
    literal.literal += plain;
    literal.pattern += pattern;
  };
  const std::string& t = text_;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i] == '\\') {
      // An escape of the pattern syntax: kept for the glob, with the character it escapes.
      is_pattern_ = true;
      if (i + 1 == t.size()) fail("ends with a lone '\\'; write \"\\\\\" for a backslash");
      add(t.substr(i + 1, 1), t.substr(i, 2));
      ++i;
    } else if (t[i] == '{' && i + 1 < t.size() && t[i + 1] == '{') {
      add("{", "\\{");
      ++i;
    } else if (t[i] == '}' && i + 1 < t.size() && t[i + 1] == '}') {
      add("}", "\\}");
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
            fmt::format("has a '{{' at position {} that is never closed (alternatives hold no "
                        "placeholders or braces); write \"{{{{\" for a literal brace",
                        i + 1));
      const std::string_view name = std::string_view(t).substr(i + 1, close - i - 1);
      if (name.find(',') != std::string_view::npos) {
        // An alternation: its text goes to the glob as written.
        is_pattern_ = true;
        const std::string group(t.substr(i, close - i + 1));
        add(group, group);
        i = close;
        continue;
      }
      // {stem#prefix} / {stem%suffix}: the field, then what to strip.
      const auto op = name.find_first_of("#%");
      const std::string_view field_name = name.substr(0, op);
      Field field = Field::Literal;
      for (const auto& [known, value] : kFields)
        if (field_name == known) field = value;
      if (field == Field::Literal)
        fail(
            fmt::format("uses the unknown placeholder {{{}}}; the placeholders are {{path}}, "
                        "{{dir}}, {{name}}, {{stem}}, {{parent}} and {{grandparent}} (with "
                        "{{stem#prefix}} or {{stem%suffix}} to strip a fixed part), and "
                        "alternatives are written {{a,b}}",
                        name));
      Piece piece{field, {}, {}, {}, {}};
      if (op != std::string_view::npos) {
        const std::string_view fixed = name.substr(op + 1);
        if (fixed.empty() || fixed.find_first_of("#%/*?[") != std::string_view::npos)
          fail(fmt::format(
              "has {{{}}}: after '{}' give the fixed text to strip (no wildcards, no '/'), "
              "e.g. {{stem%_0000}}",
              name, name[op]));
        (name[op] == '#' ? piece.strip_prefix : piece.strip_suffix) = fixed;
      }
      flush();
      pieces_.push_back(std::move(piece));
      i = close;
    } else {
      if (t[i] == '*' || t[i] == '?' || t[i] == '[') is_pattern_ = true;
      // ',' is literal outside a brace group; escaped so a later group cannot take it.
      add(t.substr(i, 1), t[i] == ',' ? std::string("\\,") : t.substr(i, 1));
    }
  }
  flush();
}

std::string PathTemplate::fill(std::string_view relative_path, std::string_view root_name,
                               std::string_view root_parent_name, bool as_pattern) const {
  const auto slash = relative_path.rfind('/');
  const bool top = slash == std::string_view::npos;
  const std::string_view name = top ? relative_path : relative_path.substr(slash + 1);
  const std::string_view dir = top ? std::string_view(".") : relative_path.substr(0, slash);
  std::string_view parent = root_name;
  std::string_view grandparent = root_parent_name;
  if (!top) {
    const auto parent_slash = dir.rfind('/');
    parent = parent_slash == std::string_view::npos ? dir : dir.substr(parent_slash + 1);
    if (parent_slash == std::string_view::npos) {
      grandparent = root_name;
    } else {
      const std::string_view above = dir.substr(0, parent_slash);
      const auto above_slash = above.rfind('/');
      grandparent = above_slash == std::string_view::npos ? above : above.substr(above_slash + 1);
    }
  }
  std::string out;
  const Piece* current = nullptr;
  auto value = [&](std::string_view v) {
    if (current->strip_prefix.size() &&
        v.substr(0, current->strip_prefix.size()) == current->strip_prefix)
      v.remove_prefix(current->strip_prefix.size());
    if (current->strip_suffix.size() && v.size() >= current->strip_suffix.size() &&
        v.substr(v.size() - current->strip_suffix.size()) == current->strip_suffix)
      v.remove_suffix(current->strip_suffix.size());
    if (as_pattern)
      out += Glob::escape(v);
    else
      out += v;
  };
  for (const auto& piece : pieces_) {
    current = &piece;
    switch (piece.field) {
      case Field::Literal:
        out += as_pattern ? piece.pattern : piece.literal;
        break;
      case Field::Path:
        value(relative_path);
        break;
      case Field::Dir:
        value(dir);
        break;
      case Field::Name:
        value(name);
        break;
      case Field::Stem:
        value(strip_format_extension(name));
        break;
      case Field::Parent:
        value(parent);
        break;
      case Field::Grandparent:
        value(grandparent);
        break;
    }
  }
  return out;
}

std::string PathTemplate::render(std::string_view relative_path, std::string_view root_name,
                                 std::string_view root_parent_name) const {
  return fill(relative_path, root_name, root_parent_name, false);
}

std::string PathTemplate::render_pattern(std::string_view relative_path, std::string_view root_name,
                                         std::string_view root_parent_name) const {
  return fill(relative_path, root_name, root_parent_name, true);
}

}  // namespace samed2d
