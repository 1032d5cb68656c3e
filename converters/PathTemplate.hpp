#pragma once
// A path or name template of a dataset config ("{dir}/{stem}_gt.nii.gz"), filled in from the
// file that a `cases` pattern matched.
//
// Placeholders: {path} the matching file's path relative to the input root, {dir} its folder
// relative to the root ("." at the top), {name} its file name, {stem} its file name without the
// format extension, {parent} the name of its folder (the root folder's own name at the top).
// "{{" and "}}" are literal braces.

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

  // `relative_path`: the matching file, '/'-separated, relative to the input root;
  // `root_name`: the input root folder's own name.
  std::string render(std::string_view relative_path, std::string_view root_name) const;

 private:
  enum class Field : std::uint8_t { Literal, Path, Dir, Name, Stem, Parent };
  struct Piece {
    Field field = Field::Literal;
    std::string literal;
  };

  std::string text_;
  std::vector<Piece> pieces_;
};

}  // namespace samed2d
