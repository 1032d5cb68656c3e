#pragma once
// A file pattern of a dataset config (`cases`, `exclude`, wildcard templates): a glob relative to
// the input root.
//
// Segments are separated by '/'. In a segment, '*' matches any run of characters and '?' one
// character (never '/'), "[a-z0-9_]" one character of a set ("[!...]" or "[^...]" one not in it),
// and '\' makes the next character literal. A whole segment "**" matches zero or more folders; a
// final "**" matches every file below. Matching is byte-exact (case-sensitive); '?' and sets
// match one UTF-8 character. "{a,b}" is shell-like brace alternation ("*.{nii,nii.gz}",
// "{imagesTr,imagesTs}/*"), nesting allowed; the pattern matches what any alternative matches.
// A brace group without a ',' is refused (write "\{" for a literal brace).
//
// The walk skips macOS debris (names starting with "._", folders named "__MACOSX"), follows the
// root and any symlink a segment names or matches, but does not follow folder symlinks while
// expanding "**" (a link cycle would never end). It only lists the folders that a prefix of the
// pattern can match.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace samed2d {

class Glob {
 public:
  struct Options {
    // For patterns rendered from templates ("{dir}/../images/x.nii.gz"): "." and empty segments
    // are dropped and ".." removes the segment before it (a ".." above the root is an error),
    // instead of refusing them.
    bool resolve_dots = false;
  };

  // Throws ConfigError naming the pattern and what is wrong with it.
  explicit Glob(std::string pattern) : Glob(std::move(pattern), Options{}) {}
  Glob(std::string pattern, Options options);

  // `text` with every character that a pattern treats specially escaped, so the pattern matches
  // it literally (file names such as "benign (12).png" or "a[1].nii").
  static std::string escape(std::string_view text);
  // Whether `pattern` holds an unescaped wildcard ('*', '?', '['), an escape or a brace group.
  static bool has_wildcards(std::string_view pattern);

  const std::string& pattern() const { return pattern_; }
  // Whether the pattern ends with '/' and so matches folders (e.g. one DICOM series per case)
  // instead of files.
  bool matches_folders() const { return folders_; }

  // Whether a relative path ('/'-separated, no leading '/') matches the whole pattern. Pure
  // string matching: no file system access, no debris rule.
  bool matches(std::string_view relative_path) const;

  // What walks met besides their matches. A folder below the root that cannot be listed (a
  // lost+found, another user's folder) is skipped rather than stopping the whole run; discovery
  // passes one Walk to all its walks and reports those folders as warnings. Tests and benchmarks
  // read the cost.
  struct Walk {
    std::vector<std::string> unreadable;  // "folder: reason", each once, in the order met
    std::size_t folders_listed = 0;
    std::size_t entries_seen = 0;
  };

  // The regular files (or symlinks to regular files; folders when the pattern ends with '/')
  // under `root` that match, as '/'-separated
  // paths relative to root, in ascending byte order. Throws ConfigError when root is not a
  // folder or cannot be listed, or when another folder cannot be listed for a reason other than
  // its permissions. Without `seen`, the folders skipped go unreported.
  std::vector<std::string> find(const std::filesystem::path& root, Walk* seen = nullptr) const;

  // As find(), for a dataset's `cases`: when nothing matches and the pattern starts with "**/"
  // followed by folder names that `root` itself ends with ("**/Kvasir-SEG/images/*.jpg" with
  // root .../Kvasir-SEG), the rest of the pattern is matched from root. A user may point
  // --input at the anchored folder itself, not only at a folder above it.
  std::vector<std::string> find_cases(const std::filesystem::path& root,
                                      Walk* seen = nullptr) const;

 private:
  struct Token {
    enum class Kind : std::uint8_t { Literal, AnyOne, AnyRun, Set } kind = Kind::Literal;
    char32_t ch = 0;                                    // Literal
    std::vector<std::pair<char32_t, char32_t>> ranges;  // Set
    bool negated = false;                               // Set
  };
  struct Segment {
    bool globstar = false;
    bool literal = false;  // no wildcard: looked up directly, never listed
    std::string text;      // the unescaped name when literal
    std::vector<Token> tokens;
  };

  static Token make_token(Token::Kind kind);
  static bool match_segment(const Segment& seg, std::string_view name);
  using Segments = std::vector<Segment>;
  Segments parse(const std::string& expanded, const Options& options) const;
  static bool match_from(const Segments& segments, std::size_t seg_index,
                         const std::vector<std::string_view>& parts, std::size_t part_index);
  bool wanted(const std::filesystem::file_status& status,
              const std::filesystem::file_status& link_status) const;
  void walk(const Segments& segments, const std::filesystem::path& dir, const std::string& rel,
            std::size_t seg_index, std::vector<std::string>& out, Walk& seen) const;

  std::string pattern_;
  std::vector<Segments> alternatives_;  // one per brace expansion
  bool folders_ = false;                // the pattern ended with '/': it matches folders
};

}  // namespace samed2d
