#pragma once
// A tiny reader and editor of DICOM Part-10 bytes (explicit or implicit VR little endian), so that
// tests
// check pixel values and header fields independently of ITK and GDCM, and patch headers
// (photometric interpretation, rescale) of files that ITK wrote.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace samed2d::test {

struct DicomElement {
  std::uint16_t group = 0;
  std::uint16_t element = 0;
  std::string vr;                 // empty in an implicit-VR data set
  std::size_t header_offset = 0;  // where the tag starts
  std::size_t value_offset = 0;   // where the value starts
  std::size_t length = 0;         // value length in bytes (defined lengths only)
};

// The top-level data elements, file meta group included, in file order. Sequences and
// encapsulated data of undefined length are skipped whole (reported with length 0). Throws
// std::runtime_error for a file that is not Part 10 or not in little endian VR syntax.
std::vector<DicomElement> dicom_elements(const std::vector<std::uint8_t>& bytes);

// The element (group, element), or nullptr-like: found == false.
struct DicomLookup {
  bool found = false;
  DicomElement at;
};
DicomLookup find_dicom_element(const std::vector<std::uint8_t>& bytes, std::uint16_t group,
                               std::uint16_t element);

// A text value with its padding (space, NUL) removed; "" when absent.
std::string dicom_string(const std::vector<std::uint8_t>& bytes, std::uint16_t group,
                         std::uint16_t element);

// Replaces (or inserts, in tag order) a top-level text element with a short-length VR
// (DS, IS, CS, UI, ...), padding the value to even length with a space. `vr` is written only in
// an explicit-VR data set.
void set_dicom_string(std::vector<std::uint8_t>& bytes, std::uint16_t group, std::uint16_t element,
                      const std::string& vr, std::string value);

}  // namespace samed2d::test
