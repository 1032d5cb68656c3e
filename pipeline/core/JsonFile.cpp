#include "pipeline/core/JsonFile.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>
#include <vector>

#include "pipeline/core/Errors.hpp"

namespace samed2d {

namespace {

struct TextPosition {
  std::size_t line = 1;
  std::size_t column = 1;
};

// nlohmann reports a byte offset (1-based, just past the offending character).
TextPosition position_of(const std::string& text, std::size_t byte) {
  TextPosition pos;
  const std::size_t end = std::min(byte > 0 ? byte - 1 : 0, text.size());
  for (std::size_t i = 0; i < end; ++i) {
    if (text[i] == '\n') {
      ++pos.line;
      pos.column = 1;
    } else {
      ++pos.column;
    }
  }
  return pos;
}

// nlohmann's messages start with "[json.exception.parse_error.101] parse error at line 3,
// column 5: "; keep only the part after that.
std::string parse_error_detail(const std::string& what) {
  auto colon = what.find(": ");
  return colon == std::string::npos ? what : what.substr(colon + 2);
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // Optimal string alignment: insertions, deletions, substitutions and adjacent transpositions.
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

nlohmann::json parse_json_text(const std::string& text, const std::string& origin) {
  // One set of keys per open object (arrays push an unused set so the stack follows depth).
  std::vector<std::set<std::string>> open_keys;
  std::string duplicate;
  auto callback = [&](int, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    using Event = nlohmann::json::parse_event_t;
    switch (event) {
      case Event::object_start:
      case Event::array_start:
        open_keys.emplace_back();
        break;
      case Event::object_end:
      case Event::array_end:
        if (!open_keys.empty()) open_keys.pop_back();
        break;
      case Event::key:
        if (!open_keys.empty() && !open_keys.back().insert(parsed.get<std::string>()).second &&
            duplicate.empty())
          duplicate = parsed.get<std::string>();
        break;
      case Event::value:
        break;
    }
    return true;
  };
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text, callback, /*allow_exceptions=*/true, /*ignore_comments=*/true);
  } catch (const nlohmann::json::parse_error& e) {
    const auto pos = position_of(text, e.byte);
    throw ConfigError(
        fmt::format("{}: line {}, column {}: not valid JSON ({}); fix the syntax there", origin,
                    pos.line, pos.column, parse_error_detail(e.what())));
  } catch (const nlohmann::json::out_of_range& e) {
    // A number beyond a double's range ("1e999") is no parse_error and carries no position.
    const std::string what = e.what();
    const auto id_end = what.find("] ");
    throw ConfigError(fmt::format("{}: not valid JSON ({}); write a smaller number", origin,
                                  id_end == std::string::npos ? what : what.substr(id_end + 2)));
  }
  if (!duplicate.empty())
    throw ConfigError(fmt::format(
        "{}: key \"{}\" is given twice in one object; keep only one of them", origin, duplicate));
  return j;
}

std::string read_text_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::error_code ec;
  if (!in || std::filesystem::is_directory(file, ec))
    throw ConfigError(
        fmt::format("{}: cannot read the file; check that the path is right", file.string()));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

nlohmann::json read_json_file(const std::filesystem::path& file) {
  return parse_json_text(read_text_file(file), file.string());
}

std::string did_you_mean(std::string_view key, const std::vector<std::string_view>& candidates) {
  const std::string key_lower = lower(key);
  // Small typos only: a suggestion far from what was written would mislead.
  const std::size_t limit = std::max<std::size_t>(1, std::min<std::size_t>(2, key.size() / 3));
  std::string_view best;
  std::size_t best_distance = limit + 1;
  for (auto candidate : candidates) {
    const std::size_t dist = edit_distance(key_lower, lower(candidate));
    if (dist < best_distance) {
      best_distance = dist;
      best = candidate;
    }
  }
  if (best.empty()) return {};
  return fmt::format(" (did you mean \"{}\"?)", best);
}

std::string join_names(const std::vector<std::string_view>& names) {
  std::string out;
  for (auto name : names) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

}  // namespace samed2d
