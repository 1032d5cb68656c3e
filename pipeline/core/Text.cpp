#include "pipeline/core/Text.hpp"

#include <fmt/format.h>
#include <itkMacro.h>

#include <cctype>
#include <cmath>

namespace samed2d {

std::string one_line(std::string_view text) {
  // A run of white space that holds a line break or tab becomes one space; a run of plain spaces
  // is kept, since it may be part of a file name ("...PET-CT Ganzkoerper  primaer...") that the
  // user must be able to copy from the message. Leading and trailing white space goes.
  std::string out;
  out.reserve(text.size());
  std::string run;
  bool breaks = false;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c)) != 0) {
      run += c;
      breaks = breaks || c != ' ';
      continue;
    }
    if (!run.empty() && !out.empty()) out += breaks ? std::string(" ") : run;
    run.clear();
    breaks = false;
    out += c;
  }
  return out;
}

std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  static constexpr char kHex[] = "0123456789abcdef";
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c != 0x7F) {
      out += ch;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

std::string itk_text(const itk::ExceptionObject& e) {
  const char* d = e.GetDescription();
  std::string text = one_line(d != nullptr && *d != '\0' ? d : e.what());
  // ITK names objects with their address ("NrrdImageIO(0x55d0...)"): drop it, so that the same
  // bad file gives the same message (and the same report.json) in every run.
  for (auto p = text.find("(0x"); p != std::string::npos; p = text.find("(0x", p)) {
    auto q = p + 3;
    while (q < text.size() && std::isxdigit(static_cast<unsigned char>(text[q])) != 0) ++q;
    if (q < text.size() && text[q] == ')' && q > p + 3)
      text.erase(p, q + 1 - p);
    else
      p = q;
  }
  return text;
}

std::string format_duration(double seconds) {
  if (!(seconds >= 0) || !std::isfinite(seconds)) return "?";
  auto s = static_cast<long long>(std::llround(seconds));
  const long long h = s / 3600;
  s %= 3600;
  if (h > 0) return fmt::format("{}:{:02d}:{:02d}", h, s / 60, s % 60);
  return fmt::format("{}:{:02d}", s / 60, s % 60);
}

}  // namespace samed2d
