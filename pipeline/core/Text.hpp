#pragma once
// Messages of this tool are one line: the texts of ITK, GDCM, libpng and the OS are folded.

#include <string>
#include <string_view>

namespace itk {
class ExceptionObject;
}

namespace samed2d {

// Every run of white space (new lines included) becomes one space; leading and trailing white
// space is dropped.
std::string one_line(std::string_view text);

// `text` safe to print on a terminal as one line: control characters (a new line, an escape
// sequence in a file name) are written as \n, \t, \r or \xHH; everything else is kept.
std::string printable(std::string_view text);

// The description of an ITK exception (without ITK's file and line prefix), as one line.
std::string itk_text(const itk::ExceptionObject& e);

// A duration as "1:02:03" or "4:05" ("?" when not a finite, non-negative number).
std::string format_duration(double seconds);

}  // namespace samed2d
