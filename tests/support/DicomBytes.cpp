#include "support/DicomBytes.hpp"

#include <cstring>
#include <stdexcept>

namespace samed2d::test {

namespace {

std::uint16_t u16(const std::vector<std::uint8_t>& b, std::size_t at) {
  if (at + 2 > b.size()) throw std::runtime_error("DICOM bytes: truncated");
  return static_cast<std::uint16_t>(b[at] | (b[at + 1] << 8));
}

std::uint32_t u32(const std::vector<std::uint8_t>& b, std::size_t at) {
  return u16(b, at) | (static_cast<std::uint32_t>(u16(b, at + 2)) << 16);
}

bool long_vr(const std::string& vr) {
  for (const char* v : {"OB", "OD", "OF", "OL", "OV", "OW", "SQ", "UC", "UN", "UR", "UT"})
    if (vr == v) return true;
  return false;
}

constexpr std::uint32_t kUndefined = 0xFFFFFFFFu;

// Skips the items of an undefined-length value starting at `at`; returns the offset after its
// sequence delimitation item.
std::size_t skip_undefined(const std::vector<std::uint8_t>& b, std::size_t at, bool explicit_vr);

// Reads one element at `at` (VR given in the file when `explicit_vr`, else empty); returns the
// offset after it.
std::size_t read_element(const std::vector<std::uint8_t>& b, std::size_t at, DicomElement& e,
                         bool explicit_vr) {
  e.header_offset = at;
  e.group = u16(b, at);
  e.element = u16(b, at + 2);
  if (at + 8 > b.size()) throw std::runtime_error("DICOM bytes: truncated");
  std::uint32_t length = 0;
  if (!explicit_vr && e.group != 0x0002) {
    e.vr.clear();
    length = u32(b, at + 4);
    e.value_offset = at + 8;
  } else if (e.vr.assign(reinterpret_cast<const char*>(b.data() + at + 4), 2); long_vr(e.vr)) {
    length = u32(b, at + 8);
    e.value_offset = at + 12;
  } else {
    length = u16(b, at + 6);
    e.value_offset = at + 8;
  }
  if (length == kUndefined) {
    e.length = 0;
    return skip_undefined(b, e.value_offset, explicit_vr);
  }
  e.length = length;
  if (e.value_offset + length > b.size()) throw std::runtime_error("DICOM bytes: truncated");
  return e.value_offset + length;
}

std::size_t skip_undefined(const std::vector<std::uint8_t>& b, std::size_t at, bool explicit_vr) {
  while (true) {
    const std::uint16_t g = u16(b, at), el = u16(b, at + 2);
    const std::uint32_t len = u32(b, at + 4);
    at += 8;
    if (g != 0xFFFE) throw std::runtime_error("DICOM bytes: item expected");
    if (el == 0xE0DD) return at;  // sequence delimitation
    if (len != kUndefined) {
      at += len;
      continue;
    }
    // An item of undefined length: elements up to the item delimitation.
    while (!(u16(b, at) == 0xFFFE && u16(b, at + 2) == 0xE00D)) {
      DicomElement inner;
      at = read_element(b, at, inner, explicit_vr);
    }
    at += 8;
  }
}

}  // namespace

std::vector<DicomElement> dicom_elements(const std::vector<std::uint8_t>& bytes) {
  if (bytes.size() < 132 || std::memcmp(bytes.data() + 128, "DICM", 4) != 0)
    throw std::runtime_error("DICOM bytes: no Part-10 preamble");
  std::vector<DicomElement> out;
  std::size_t at = 132;
  bool explicit_vr = true;
  while (at < bytes.size()) {
    DicomElement e;
    at = read_element(bytes, at, e, explicit_vr);
    if (e.group == 0x0002 && e.element == 0x0010) {
      std::string ts(reinterpret_cast<const char*>(bytes.data() + e.value_offset), e.length);
      while (!ts.empty() && (ts.back() == '\0' || ts.back() == ' ')) ts.pop_back();
      if (ts == "1.2.840.10008.1.2")
        explicit_vr = false;
      else if (ts != "1.2.840.10008.1.2.1")
        throw std::runtime_error("DICOM bytes: transfer syntax " + ts + " is not handled");
    }
    out.push_back(e);
  }
  return out;
}

DicomLookup find_dicom_element(const std::vector<std::uint8_t>& bytes, std::uint16_t group,
                               std::uint16_t element) {
  for (const DicomElement& e : dicom_elements(bytes))
    if (e.group == group && e.element == element) return {true, e};
  return {};
}

std::string dicom_string(const std::vector<std::uint8_t>& bytes, std::uint16_t group,
                         std::uint16_t element) {
  const DicomLookup l = find_dicom_element(bytes, group, element);
  if (!l.found) return {};
  std::string s(reinterpret_cast<const char*>(bytes.data() + l.at.value_offset), l.at.length);
  while (!s.empty() && (s.back() == '\0' || s.back() == ' ')) s.pop_back();
  while (!s.empty() && s.front() == ' ') s.erase(s.begin());
  return s;
}

void set_dicom_string(std::vector<std::uint8_t>& bytes, std::uint16_t group, std::uint16_t element,
                      const std::string& vr, std::string value) {
  if (value.size() % 2 != 0) value += ' ';
  const std::vector<DicomElement> elements = dicom_elements(bytes);
  const bool explicit_vr = elements.empty() || !elements.back().vr.empty();
  const auto n = static_cast<std::uint32_t>(value.size());
  std::vector<std::uint8_t> encoded = {
      static_cast<std::uint8_t>(group & 0xFF), static_cast<std::uint8_t>(group >> 8),
      static_cast<std::uint8_t>(element & 0xFF), static_cast<std::uint8_t>(element >> 8)};
  if (explicit_vr) {
    encoded.insert(encoded.end(),
                   {static_cast<std::uint8_t>(vr[0]), static_cast<std::uint8_t>(vr[1]),
                    static_cast<std::uint8_t>(n & 0xFF), static_cast<std::uint8_t>(n >> 8)});
  } else {
    for (int shift = 0; shift < 32; shift += 8)
      encoded.push_back(static_cast<std::uint8_t>((n >> shift) & 0xFF));
  }
  encoded.insert(encoded.end(), value.begin(), value.end());
  const std::uint32_t key = (static_cast<std::uint32_t>(group) << 16) | element;
  for (const DicomElement& e : elements) {
    const std::uint32_t k = (static_cast<std::uint32_t>(e.group) << 16) | e.element;
    if (k == key) {
      if (long_vr(e.vr)) throw std::runtime_error("set_dicom_string: not a text element");
      const auto first = bytes.begin() + static_cast<std::ptrdiff_t>(e.header_offset);
      const auto last = bytes.begin() + static_cast<std::ptrdiff_t>(e.value_offset + e.length);
      bytes.insert(bytes.erase(first, last), encoded.begin(), encoded.end());
      return;
    }
    if (k > key && e.group != 0x0002) {
      bytes.insert(bytes.begin() + static_cast<std::ptrdiff_t>(e.header_offset), encoded.begin(),
                   encoded.end());
      return;
    }
  }
  bytes.insert(bytes.end(), encoded.begin(), encoded.end());
}

}  // namespace samed2d::test
