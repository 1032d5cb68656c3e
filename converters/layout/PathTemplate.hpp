#pragma once
// A path or name template of a dataset config ("{dir}/{stem}_gt.nii.gz"), filled in from the
// file that a `cases` pattern matched.
//
// Placeholders: {path} the matching file's path relative to the input root, {dir} its folder
// relative to the root ("." at the top), {name} its file name, {stem} its file name without the
// format extension, {parent} the name of its folder (the root folder's own name at the top),
// {grandparent} the name of the folder above that. "{{" and "}}" are literal braces.
//
// As in the shell, "{stem%_ct}" is the value with the suffix "_ct" removed and "{stem#img}" the
// value with the prefix "img" removed, when the value has them (unchanged otherwise): paired
// files of many datasets differ only in such an affix (img0001 / label0001, X_ct / X_seg), so a
// template must be able to swap one for the other.
//
// A template may also be a file pattern (see Glob.hpp): a brace group holding a ',' is an
// alternation ("{dir}/{stem}{_seg,_Segm}.nii"), and '*', '?', '[...]' and '\' are wildcards and
// escapes. Placeholder values are always taken literally (a file "benign (12).png" holds no
// wildcard).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace samed2d {

class PathTemplate {
 public:
  // Throws ConfigError for an empty template, an unknown placeholder or an unbalanced brace;
  // `context` (e.g. "ACDC.json: \"label\"") starts the message.
  PathTemplate(std::string text, std::string_view context);

  const std::string& text() const { return text_; }

  // Whether the template is a file pattern (wildcards, escapes or alternatives), to be matched
  // with render_pattern() + Glob rather than taken as one path with render().
  bool is_pattern() const { return is_pattern_; }

  // The filled-in text. `relative_path`: the matching file, '/'-separated, relative to the input
  // root; `root_name`: the input root folder's own name; `root_parent_name`: the name of the
  // folder above the root (for {grandparent} of files at the top). For a pattern template this
  // is the pattern text with the values inserted as they are.
  std::string render(std::string_view relative_path, std::string_view root_name,
                     std::string_view root_parent_name = {}) const;

  // As render(), but a glob pattern: placeholder values escaped (Glob::escape), the template's
  // own wildcards and alternatives kept, "{{" written "\{".
  std::string render_pattern(std::string_view relative_path, std::string_view root_name,
                             std::string_view root_parent_name = {}) const;

 private:
  enum class Field : std::uint8_t { Literal, Path, Dir, Name, Stem, Parent, Grandparent, Up };
  struct Piece {
    Field field = Field::Literal;
    std::string literal;  // as render() writes it
    std::string pattern;  // as render_pattern() writes it
    std::string affix;    // a field: the suffix ('%') or prefix ('#') to remove, "" for none
    bool suffix = false;
    unsigned up = 0;  // Field::Up: the folder this many levels above the file ({up3} ... {up9})
  };

  std::string fill(std::string_view relative_path, std::string_view root_name,
                   std::string_view root_parent_name, bool as_pattern) const;

  std::string text_;
  std::vector<Piece> pieces_;
  bool is_pattern_ = false;
};

}  // namespace samed2d
