#include "Text.hpp"

#include <itkMacro.h>

#include <cctype>

namespace samed2d {

std::string one_line(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool space = false;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c)) != 0) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

std::string itk_text(const itk::ExceptionObject& e) {
  const char* d = e.GetDescription();
  return one_line(d != nullptr && *d != '\0' ? d : e.what());
}

}  // namespace samed2d
