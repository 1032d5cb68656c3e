#include "converters/layout/Glob.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <system_error>

#include "pipeline/core/Errors.hpp"

namespace samed2d {

namespace fs = std::filesystem;

namespace {

// Invalid UTF-8 bytes decode to a value above the Unicode range, so they only match themselves.
constexpr char32_t kInvalidByteBase = 0x110000;

char32_t decode_one(std::string_view s, std::size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  std::size_t len = b0 < 0x80           ? 1
                    : (b0 >> 5) == 0x6  ? 2
                    : (b0 >> 4) == 0xE  ? 3
                    : (b0 >> 3) == 0x1E ? 4
                                        : 0;
  if (len == 1) {
    ++i;
    return b0;
  }
  if (len == 0 || i + len > s.size()) {
    ++i;
    return kInvalidByteBase + b0;
  }
  char32_t cp = b0 & (0x7F >> len);
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b >> 6) != 0x2) {
      ++i;
      return kInvalidByteBase + b0;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  i += len;
  return cp;
}

std::u32string decode(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) out.push_back(decode_one(s, i));
  return out;
}

bool is_debris(std::string_view name) {
  return name.size() >= 2 && name.substr(0, 2) == "._";
}

[[noreturn]] void bad_pattern(const std::string& pattern, std::string_view problem) {
  throw ConfigError(fmt::format("pattern \"{}\": {}", pattern, problem));
}

}  // namespace

Glob::Token Glob::make_token(Token::Kind kind) {
  Token t;
  t.kind = kind;
  return t;
}

namespace {

constexpr std::size_t kMaxAlternatives = 256;

// Index just past the set that starts at p[i] == '[', or i + 1 when it is never closed (the
// segment parser then reports it).
std::size_t skip_set(const std::string& p, std::size_t i) {
  std::size_t j = i + 1;
  if (j < p.size() && (p[j] == '!' || p[j] == '^')) ++j;
  while (j < p.size() && p[j] != ']') j += p[j] == '\\' ? 2 : 1;
  return j < p.size() ? j + 1 : i + 1;
}

// Expands the first brace group of `p` (and, recursively, the rest) into `out`.
void expand_braces(const std::string& original, const std::string& p,
                   std::vector<std::string>& out) {
  std::size_t open = std::string::npos;
  for (std::size_t i = 0; i < p.size() && open == std::string::npos;) {
    if (p[i] == '\\') {
      i += 2;
    } else if (p[i] == '[') {
      i = skip_set(p, i);
    } else if (p[i] == '}') {
      bad_pattern(original,
                  "has a '}' with no '{' before it; escape it as \"\\}\" for a literal brace");
    } else if (p[i] == '{') {
      open = i;
    } else {
      ++i;
    }
  }
  if (open == std::string::npos) {
    if (std::find(out.begin(), out.end(), p) == out.end()) out.push_back(p);
    if (out.size() > kMaxAlternatives)
      bad_pattern(original, fmt::format("expands to more than {} alternatives; use fewer brace "
                                        "groups or wildcards",
                                        kMaxAlternatives));
    return;
  }
  // Find the matching '}' and the top-level ',' between.
  std::vector<std::size_t> commas;
  std::size_t depth = 0, close = std::string::npos;
  for (std::size_t i = open + 1; i < p.size() && close == std::string::npos;) {
    if (p[i] == '\\') {
      i += 2;
      continue;
    }
    if (p[i] == '[') {
      i = skip_set(p, i);
      continue;
    }
    if (p[i] == '{') ++depth;
    if (p[i] == '}') {
      if (depth == 0)
        close = i;
      else
        --depth;
    }
    if (p[i] == ',' && depth == 0) commas.push_back(i);
    ++i;
  }
  if (close == std::string::npos)
    bad_pattern(original,
                "has a '{' that is never closed; close the alternatives \"{a,b}\" with '}' or "
                "escape it as \"\\{\"");
  if (commas.empty())
    bad_pattern(original,
                fmt::format("has the brace group \"{}\" without a ','; alternatives are written "
                            "\"{{a,b}}\", and a literal brace as \"\\{{\"",
                            p.substr(open, close - open + 1)));
  const std::string prefix = p.substr(0, open);
  const std::string suffix = p.substr(close + 1);
  std::size_t start = open + 1;
  commas.push_back(close);
  for (const std::size_t end : commas) {
    expand_braces(original, prefix + p.substr(start, end - start) + suffix, out);
    start = end + 1;
  }
}

}  // namespace

std::string Glob::escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c == '*' || c == '?' || c == '[' || c == ']' || c == '{' || c == '}' || c == ',' ||
        c == '\\')
      out += '\\';
    out += c;
  }
  return out;
}

bool Glob::has_wildcards(std::string_view pattern) {
  return pattern.find_first_of("*?[{\\") != std::string_view::npos;
}

namespace {

// Whether a '/'-separated path climbs above its start with ".." segments.
bool climbs_above_root(const std::string& path) {
  long depth = 0;
  std::size_t start = 0;
  while (start <= path.size()) {
    const auto end = std::min(path.find('/', start), path.size());
    const std::string_view seg(path.data() + start, end - start);
    if (seg == "..") {
      if (--depth < 0) return true;
    } else if (!seg.empty() && seg != ".") {
      ++depth;
    }
    start = end + 1;
  }
  return false;
}

}  // namespace

Glob::Glob(std::string pattern, Options options) : pattern_(std::move(pattern)) {
  const std::string& p = pattern_;
  if (p.empty()) bad_pattern(p, "is empty; give a pattern such as \"imagesTr/*.nii.gz\"");
  if (p.front() == '/')
    bad_pattern(p, "is an absolute path; write it relative to the input folder");
  // A trailing '/' asks for folders (a DICOM series per case) instead of files.
  std::string text = p;
  if (!options.resolve_dots && text.size() > 1 && text.back() == '/' &&
      text[text.size() - 2] != '\\') {
    folders_ = true;
    text.pop_back();
  }
  std::vector<std::string> expanded;
  expand_braces(p, text, expanded);
  for (const auto& e : expanded) {
    // In a template's pattern, an alternative that climbs above the input folder names no file
    // of this case ("{dir}{,/../labels}/x" for a file at the top); only when every alternative
    // does is the pattern wrong.
    if (options.resolve_dots && climbs_above_root(e) && expanded.size() > 1) continue;
    alternatives_.push_back(parse(e, options));
  }
  if (alternatives_.empty()) alternatives_.push_back(parse(expanded.front(), options));
}

Glob::Segments Glob::parse(const std::string& e, const Options& options) const {
  const std::string& p = pattern_;
  if (e.empty() || e.front() == '/')
    bad_pattern(p, fmt::format("has the alternative \"{}\", which is {}; every alternative must "
                               "be a relative path",
                               e, e.empty() ? "empty" : "an absolute path"));
  Segments segments;
  // Split on unescaped '/', keeping escapes for the segment parser.
  std::vector<std::string> raw_segments(1);
  for (std::size_t i = 0; i < e.size(); ++i) {
    if (e[i] == '\\') {
      if (i + 1 == e.size()) bad_pattern(p, "ends with a lone '\\'; escape it as \"\\\\\"");
      if (e[i + 1] == '/') bad_pattern(p, "escapes a '/', which always separates folders");
      raw_segments.back() += e.substr(i, 2);
      ++i;
    } else if (e[i] == '/') {
      raw_segments.emplace_back();
    } else {
      raw_segments.back() += e[i];
    }
  }
  if (options.resolve_dots) {
    std::vector<std::string> kept;
    for (auto& raw : raw_segments) {
      if (raw.empty() || raw == ".") continue;
      if (raw == "..") {
        if (kept.empty())
          bad_pattern(p,
                      "leads above the input folder (too many \"..\"); the files of a case "
                      "must lie inside the input folder");
        kept.pop_back();
        continue;
      }
      kept.push_back(std::move(raw));
    }
    if (kept.empty()) bad_pattern(p, "names the input folder itself, not a file");
    raw_segments = std::move(kept);
  }

  for (const auto& raw : raw_segments) {
    if (raw.empty()) bad_pattern(p, "has an empty folder name (\"//\"); remove the extra '/'");
    if (raw == "..")
      bad_pattern(p, "has a \"..\" segment; the pattern must stay inside the input folder");
    if (raw == ".") bad_pattern(p, "has a \".\" segment; remove it");
    if (raw == "**") {
      if (segments.empty() || !segments.back().globstar) {
        Segment globstar;
        globstar.globstar = true;
        segments.push_back(std::move(globstar));
      }
      continue;
    }
    Segment seg;
    seg.literal = true;
    std::size_t i = 0;
    while (i < raw.size()) {
      const char c = raw[i];
      if (c == '\\') {
        ++i;
        const std::size_t start = i;
        Token t;
        t.ch = decode_one(raw, i);
        seg.text += raw.substr(start, i - start);
        seg.tokens.push_back(t);
      } else if (c == '*') {
        if (i + 1 < raw.size() && raw[i + 1] == '*')
          bad_pattern(p, fmt::format("segment \"{}\" has \"**\" inside it; \"**\" must be a whole "
                                     "segment (\"a/**/b\"), use '*' within a name",
                                     raw));
        seg.tokens.push_back(make_token(Token::Kind::AnyRun));
        seg.literal = false;
        ++i;
      } else if (c == '?') {
        seg.tokens.push_back(make_token(Token::Kind::AnyOne));
        seg.literal = false;
        ++i;
      } else if (c == '[') {
        Token t = make_token(Token::Kind::Set);
        std::size_t j = i + 1;
        if (j < raw.size() && (raw[j] == '!' || raw[j] == '^')) {
          t.negated = true;
          ++j;
        }
        auto read_char = [&](std::size_t& k) {
          if (raw[k] == '\\') ++k;
          if (k >= raw.size())
            bad_pattern(p, fmt::format("segment \"{}\" has an unclosed '['", raw));
          return decode_one(raw, k);
        };
        bool closed = false;
        while (j < raw.size()) {
          if (raw[j] == ']') {
            closed = true;
            ++j;
            break;
          }
          const char32_t lo = read_char(j);
          char32_t hi = lo;
          if (j + 1 < raw.size() && raw[j] == '-' && raw[j + 1] != ']') {
            ++j;
            hi = read_char(j);
            if (hi < lo)
              bad_pattern(p, fmt::format("segment \"{}\" has a reversed range in '[...]'; write "
                                         "the lower character first",
                                         raw));
          }
          t.ranges.emplace_back(lo, hi);
        }
        if (!closed)
          bad_pattern(p, fmt::format("segment \"{}\" has an unclosed '['; close it with ']' or "
                                     "escape it as \"\\[\"",
                                     raw));
        if (t.ranges.empty())
          bad_pattern(p, fmt::format("segment \"{}\" has an empty set \"[]\"; list characters "
                                     "inside it or escape the brackets",
                                     raw));
        seg.tokens.push_back(std::move(t));
        seg.literal = false;
        i = j;
      } else {
        const std::size_t start = i;
        Token t;
        t.ch = decode_one(raw, i);
        seg.text += raw.substr(start, i - start);
        seg.tokens.push_back(t);
      }
    }
    if (!seg.literal) seg.text.clear();
    segments.push_back(std::move(seg));
  }
  return segments;
}

bool Glob::match_segment(const Segment& seg, std::string_view name_bytes) {
  const std::u32string name = decode(name_bytes);
  const auto& tokens = seg.tokens;
  auto one = [](const Token& t, char32_t c) {
    switch (t.kind) {
      case Token::Kind::Literal:
        return t.ch == c;
      case Token::Kind::AnyOne:
        return true;
      case Token::Kind::Set: {
        bool in = false;
        for (const auto& [lo, hi] : t.ranges) in = in || (c >= lo && c <= hi);
        return in != t.negated;
      }
      case Token::Kind::AnyRun:
        break;
    }
    return false;
  };
  // Greedy matching with backtracking to the last '*': linear in practice, never exponential.
  std::size_t p = 0, n = 0, star = std::string::npos, mark = 0;
  while (n < name.size()) {
    if (p < tokens.size() && tokens[p].kind == Token::Kind::AnyRun) {
      star = p++;
      mark = n;
    } else if (p < tokens.size() && one(tokens[p], name[n])) {
      ++p;
      ++n;
    } else if (star != std::string::npos) {
      p = star + 1;
      n = ++mark;
    } else {
      return false;
    }
  }
  while (p < tokens.size() && tokens[p].kind == Token::Kind::AnyRun) ++p;
  return p == tokens.size();
}

bool Glob::match_from(const Segments& segments, std::size_t seg_index,
                      const std::vector<std::string_view>& parts, std::size_t part_index) {
  if (seg_index == segments.size()) return part_index == parts.size();
  const Segment& seg = segments[seg_index];
  if (seg.globstar) {
    if (seg_index + 1 == segments.size()) return part_index < parts.size();
    for (std::size_t k = part_index; k < parts.size(); ++k)
      if (match_from(segments, seg_index + 1, parts, k)) return true;
    return false;
  }
  return part_index < parts.size() && match_segment(seg, parts[part_index]) &&
         match_from(segments, seg_index + 1, parts, part_index + 1);
}

bool Glob::matches(std::string_view relative_path) const {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const auto slash = relative_path.find('/', start);
    parts.push_back(relative_path.substr(start, slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return std::any_of(alternatives_.begin(), alternatives_.end(),
                     [&](const Segments& segments) { return match_from(segments, 0, parts, 0); });
}

namespace {

struct Listing {
  std::string name;
  fs::file_status status;          // symlinks followed
  fs::file_status symlink_status;  // the entry itself
};

// A folder below the input root that cannot be listed for its permissions is skipped and noted
// in `seen` (Glob::Walk); the root itself must be readable.
std::vector<Listing> list_folder(const fs::path& dir, const std::string& pattern, Glob::Walk& seen,
                                 bool is_root) {
  ++seen.folders_listed;
  std::vector<Listing> out;
  std::error_code ec;
  auto fail = [&] {
    if (!is_root &&
        (ec == std::errc::permission_denied || ec == std::errc::operation_not_permitted)) {
      const std::string note =
          fmt::format("{}: cannot list the folder ({})", dir.string(), ec.message());
      if (std::find(seen.unreadable.begin(), seen.unreadable.end(), note) == seen.unreadable.end())
        seen.unreadable.push_back(note);
      out.clear();
      return;
    }
    throw ConfigError(
        fmt::format("{}: cannot list the folder while matching \"{}\" ({}); check "
                    "its permissions",
                    dir.string(), pattern, ec.message()));
  };
  fs::directory_iterator it(dir, ec);
  if (ec) {
    fail();
    return out;
  }
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) {
      fail();
      return out;
    }
    ++seen.entries_seen;
    std::string name = it->path().filename().string();
    if (is_debris(name)) continue;
    std::error_code status_ec;
    out.push_back({std::move(name), it->status(status_ec), it->symlink_status(status_ec)});
  }
  if (ec) fail();
  return out;
}

}  // namespace

void Glob::walk(const Segments& segments, const fs::path& dir, const std::string& rel,
                std::size_t seg_index, std::vector<std::string>& out, Walk& seen) const {
  const Segment& seg = segments[seg_index];
  const bool last = seg_index + 1 == segments.size();
  if (seg.globstar) {
    if (!last) walk(segments, dir, rel, seg_index + 1, out, seen);
    for (const auto& entry : list_folder(dir, pattern_, seen, rel.empty())) {
      if (last && wanted(entry.status, entry.symlink_status) && entry.name != "__MACOSX")
        out.push_back(rel + entry.name);
      if (fs::is_directory(entry.symlink_status) && entry.name != "__MACOSX")
        walk(segments, dir / entry.name, rel + entry.name + "/", seg_index, out, seen);
    }
    return;
  }
  if (seg.literal) {
    if (is_debris(seg.text)) return;
    std::error_code ec;
    const auto status = fs::status(dir / seg.text, ec);
    const auto link_status = fs::symlink_status(dir / seg.text, ec);
    if (last && wanted(status, link_status) && seg.text != "__MACOSX")
      out.push_back(rel + seg.text);
    if (!last && fs::is_directory(status) && seg.text != "__MACOSX")
      walk(segments, dir / seg.text, rel + seg.text + "/", seg_index + 1, out, seen);
    return;
  }
  for (const auto& entry : list_folder(dir, pattern_, seen, rel.empty())) {
    if (!match_segment(seg, entry.name)) continue;
    if (last && wanted(entry.status, entry.symlink_status) && entry.name != "__MACOSX")
      out.push_back(rel + entry.name);
    if (!last && fs::is_directory(entry.status) && entry.name != "__MACOSX")
      walk(segments, dir / entry.name, rel + entry.name + "/", seg_index + 1, out, seen);
  }
}

bool Glob::wanted(const fs::file_status& status, const fs::file_status& link_status) const {
  if (folders_) return fs::is_directory(status);
  // A broken link is a case too, so that its reader says what it is; dropping it would lose the
  // case without a word.
  // A link loop has no status at all (ELOOP): a broken link too.
  return fs::is_regular_file(status) ||
         (fs::is_symlink(link_status) &&
          (status.type() == fs::file_type::not_found || status.type() == fs::file_type::none ||
           status.type() == fs::file_type::unknown));
}

std::vector<std::string> Glob::find(const fs::path& root, Walk* seen) const {
  std::error_code ec;
  if (!fs::is_directory(root, ec))
    throw ConfigError(
        fmt::format("{}: the input folder does not exist or is not a folder; pass "
                    "the folder that holds the dataset",
                    root.string()));
  std::vector<std::string> out;
  Walk local;
  for (const auto& segments : alternatives_)
    walk(segments, root, "", 0, out, seen != nullptr ? *seen : local);
  // std::string compares as unsigned bytes, which is the contract's order.
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<std::string> Glob::find_cases(const fs::path& root, Walk* seen) const {
  std::vector<std::string> out = find(root, seen);
  if (!out.empty()) return out;
  fs::path abs = fs::absolute(root).lexically_normal();
  if (abs.filename().empty()) abs = abs.parent_path();
  std::vector<std::string> names;  // root's folder names, outermost first
  for (const auto& part : abs.relative_path()) names.push_back(part.string());
  Walk local;
  for (const auto& segments : alternatives_) {
    if (segments.size() < 3 || !segments[0].globstar) continue;
    // segments[1 .. m] against the last m names of root; the rest is walked from root.
    for (std::size_t m = 1; m + 1 < segments.size() && m <= names.size(); ++m) {
      if (segments[m].globstar) break;
      bool same = true;
      for (std::size_t t = 0; t < m && same; ++t)
        same = match_segment(segments[1 + t], names[names.size() - m + t]);
      if (!same) continue;
      const Segments rest(segments.begin() + static_cast<std::ptrdiff_t>(m + 1), segments.end());
      walk(rest, root, "", 0, out, seen != nullptr ? *seen : local);
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace samed2d
