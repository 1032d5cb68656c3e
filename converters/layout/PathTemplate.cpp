#include "converters/layout/PathTemplate.hpp"

#include <fmt/format.h>

#include <array>
#include <utility>

#include "converters/layout/Glob.hpp"
#include "pipeline/core/Errors.hpp"
#include "pipeline/core/Naming.hpp"

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
      const auto affix_at = name.find_first_of("#%");
      Field field = Field::Literal;
      for (const auto& [known, value] : kFields)
        if (name.substr(0, affix_at) == known) field = value;
      // {up3} ... {up9}: the folder 3 to 9 levels above the file ({parent} is 1, {grandparent} 2).
      unsigned up = 0;
      if (const auto base = name.substr(0, affix_at);
          base.size() == 3 && base.substr(0, 2) == "up" && base[2] >= '3' && base[2] <= '9') {
        field = Field::Up;
        up = static_cast<unsigned>(base[2] - '0');
      }
      if (field == Field::Literal)
        fail(
            fmt::format("uses the unknown placeholder {{{}}}; the placeholders are {{path}}, "
                        "{{dir}}, {{name}}, {{stem}}, {{parent}}, {{grandparent}} and {{up3}} to "
                        "{{up9}} (the folder that many levels up), optionally "
                        "with a suffix or prefix to remove ({{stem%_ct}}, {{stem#img}}), and "
                        "alternatives are written {{a,b}}",
                        name.substr(0, affix_at)));
      Piece piece{field, {}, {}, {}, false, up};
      if (affix_at != std::string_view::npos) {
        piece.affix = std::string(name.substr(affix_at + 1));
        piece.suffix = name[affix_at] == '%';
        if (piece.affix.empty())
          fail(
              fmt::format("has {{{}}} with nothing after '{}'; name the suffix ('%') or prefix "
                          "('#') to remove, e.g. {{stem%_ct}}",
                          name, name[affix_at]));
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
  // The folders above the file, nearest first, then the input root's and the one above it.
  std::vector<std::string_view> above;
  if (!top)
    for (std::string_view rest = dir;;) {
      const auto cut = rest.rfind('/');
      above.push_back(cut == std::string_view::npos ? rest : rest.substr(cut + 1));
      if (cut == std::string_view::npos) break;
      rest = rest.substr(0, cut);
    }
  above.push_back(root_name);
  above.push_back(root_parent_name);
  std::string out;
  const std::string stem = strip_format_extension(name);
  const Piece* piece_now = nullptr;
  auto value = [&](std::string_view v) {
    const std::string_view affix = piece_now->affix;
    if (!affix.empty() && piece_now->suffix && v.size() >= affix.size() &&
        v.substr(v.size() - affix.size()) == affix)
      v.remove_suffix(affix.size());
    else if (!affix.empty() && !piece_now->suffix && v.substr(0, affix.size()) == affix)
      v.remove_prefix(affix.size());
    if (as_pattern)
      out += Glob::escape(v);
    else
      out += v;
  };
  for (const auto& piece : pieces_) {
    piece_now = &piece;
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
        value(stem);
        break;
      case Field::Parent:
        value(parent);
        break;
      case Field::Grandparent:
        value(grandparent);
        break;
      case Field::Up:
        value(piece.up <= above.size() ? above[piece.up - 1] : std::string_view());
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
