#pragma once
// A path or name template of a dataset config ("{dir}/{stem}_gt.nii.gz"), filled in from the
// file that a `cases` pattern matched.
//
// Placeholders: {path} the matching file's path relative to the input root, {dir} its folder
// relative to the root ("." at the top), {name} its file name, {stem} its file name without the
// format extension, {parent} the name of its folder (the root folder's own name at the top),
// {grandparent} the name of the folder above that. "{{" and "}}" are literal braces.
// A placeholder may strip a fixed prefix or suffix from its value, as a shell does: {stem#img}
// is "0001" for img0001.nii.gz, {stem%_0000} is "Case_00001" for Case_00001_0000.nii.gz (a value
// that does not start or end with it is used whole).
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
  enum class Field : std::uint8_t { Literal, Path, Dir, Name, Stem, Parent, Grandparent };
  struct Piece {
    Field field = Field::Literal;
    std::string strip_prefix;  // {field#prefix}
    std::string strip_suffix;  // {field%suffix}
    std::string literal;       // as render() writes it
    std::string pattern;       // as render_pattern() writes it
  };

  std::string fill(std::string_view relative_path, std::string_view root_name,
                   std::string_view root_parent_name, bool as_pattern) const;

  std::string text_;
  std::vector<Piece> pieces_;
  bool is_pattern_ = false;
};

}  // namespace samed2d
