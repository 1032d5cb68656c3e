#include "pipeline/io/dicom/DicomStructure.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <string_view>
#include <system_error>
#include <vector>

namespace samed2d {

namespace {

// The file in memory: DICOM slices are small, and GDCM reads the same bytes next, from the page
// cache.
class Walker {
 public:
  explicit Walker(std::vector<unsigned char> bytes) : b_(std::move(bytes)) {}

  std::optional<std::string> run() {
    std::size_t pos = 0;
    bool explicit_vr = true;
    if (b_.size() >= 132 &&
        std::string_view(reinterpret_cast<const char*>(&b_[128]), 4) == "DICM") {
      pos = 132;
      // The meta group (0002,xxxx) is always explicit VR little endian.
      std::string syntax;
      std::optional<std::size_t> meta_end;  // from the group length (0002,0000)
      while (pos + 8 <= b_.size() && u16(pos, false) == 0x0002) {
        const auto element = read_header(pos, true, false);
        if (!element) return problem_;
        if (element->length == kUndefined) return std::nullopt;  // not a meta group GDCM reads
        if (element->value + element->length > b_.size()) return too_short(*element);
        if (element->element == 0x0000 && element->length == 4)
          meta_end = element->value + 4 + u32(element->value, false);
        if (element->element == 0x0010)
          syntax.assign(reinterpret_cast<const char*>(&b_[element->value]), element->length);
        pos = element->value + element->length;
      }
      // GDCM asserts on a file that ends inside the meta group or right after it, even at an
      // element boundary.
      if ((meta_end && *meta_end > b_.size()) || pos + 8 > b_.size()) {
        problem_ = fmt::format("the file ends at byte {}, {}", b_.size(),
                               meta_end && *meta_end > b_.size()
                                   ? "inside its meta header"
                                   : "before any data element after its meta header");
        return problem_;
      }
      while (!syntax.empty() && (syntax.back() == '\0' || syntax.back() == ' ')) syntax.pop_back();
      if (syntax == "1.2.840.10008.1.2.1.99") return std::nullopt;  // deflated: GDCM's business
      explicit_vr = syntax != "1.2.840.10008.1.2";
      big_endian_ = syntax == "1.2.840.10008.1.2.2";
    } else {
      // No preamble: a bare dataset, told apart by whether a VR follows the first tag.
      if (b_.size() < 8) return std::nullopt;
      explicit_vr = is_vr(4);
      if (u16(0, false) > 0x0008) return std::nullopt;  // not a dataset that starts sensibly
    }
    if (!walk(pos, explicit_vr, false) && !problem_) return std::nullopt;
    return problem_;
  }

 private:
  static constexpr std::uint32_t kUndefined = 0xFFFFFFFF;

  struct Element {
    std::uint16_t group = 0;
    std::uint16_t element = 0;
    std::size_t start = 0;
    std::size_t value = 0;  // where the value starts
    std::uint32_t length = 0;
    char vr[2] = {0, 0};
  };

  std::uint16_t u16(std::size_t p, bool be) const {
    return be ? static_cast<std::uint16_t>(b_[p] << 8 | b_[p + 1])
              : static_cast<std::uint16_t>(b_[p] | b_[p + 1] << 8);
  }
  std::uint32_t u32(std::size_t p, bool be) const {
    return be ? (std::uint32_t{b_[p]} << 24 | std::uint32_t{b_[p + 1]} << 16 |
                 std::uint32_t{b_[p + 2]} << 8 | b_[p + 3])
              : (std::uint32_t{b_[p]} | std::uint32_t{b_[p + 1]} << 8 |
                 std::uint32_t{b_[p + 2]} << 16 | std::uint32_t{b_[p + 3]} << 24);
  }
  bool is_vr(std::size_t p) const {
    return p + 2 <= b_.size() && b_[p] >= 'A' && b_[p] <= 'Z' && b_[p + 1] >= 'A' &&
           b_[p + 1] <= 'Z';
  }
  static bool long_vr(const char vr[2]) {
    static constexpr std::string_view kLong[] = {"OB", "OD", "OF", "OL", "OV", "OW", "SQ",
                                                 "SV", "UC", "UN", "UR", "UT", "UV"};
    const std::string_view v(vr, 2);
    return std::find(std::begin(kLong), std::end(kLong), v) != std::end(kLong);
  }

  std::string where(const Element& e) const {
    return fmt::format("element ({:04X},{:04X}) at byte {}", e.group, e.element, e.start);
  }
  std::optional<std::string> too_short(const Element& e) {
    const std::size_t end = e.value + e.length;
    problem_ = fmt::format("{} needs {} bytes, {} remain", where(e), end - e.start,
                           b_.size() - std::min(b_.size(), e.start));
    return problem_;
  }

  // Reads the header of the element at `pos`; nothing (with problem_ set) when the file ends
  // inside it, or nothing (problem_ unset) when the bytes are not an element header.
  std::optional<Element> read_header(std::size_t pos, bool explicit_vr, bool be) {
    Element e;
    e.start = pos;
    const std::size_t left = b_.size() - pos;
    if (left < 8) {
      // Zero padding at the end. GDCM reads 4 bytes or more as a tag and then, in an explicit
      // VR data set, asserts in its recovery reader (VR16ExplicitDataElement) for want of a VR.
      if ((left < 4 || !explicit_vr) &&
          std::all_of(b_.begin() + static_cast<std::ptrdiff_t>(pos), b_.end(),
                      [](unsigned char c) { return c == 0; }))
        return std::nullopt;
      problem_ = fmt::format("the file ends inside the element header at byte {}", pos);
      return std::nullopt;
    }
    e.group = u16(pos, be);
    e.element = u16(pos + 2, be);
    if (e.group == 0xFFFE || !explicit_vr) {
      e.length = u32(pos + 4, be);
      e.value = pos + 8;
      return e;
    }
    if (!is_vr(pos + 4)) return std::nullopt;  // not explicit VR after all: GDCM decides
    e.vr[0] = static_cast<char>(b_[pos + 4]);
    e.vr[1] = static_cast<char>(b_[pos + 5]);
    if (long_vr(e.vr)) {
      if (left < 12) {
        problem_ = fmt::format("the file ends inside the header of {}", where(e));
        return std::nullopt;
      }
      // The two bytes after such a VR are reserved, 0 (GDCM asserts on anything else).
      if (b_[pos + 6] != 0 || b_[pos + 7] != 0) {
        problem_ = fmt::format("{} has non-zero reserved bytes after its VR {}{}", where(e),
                               e.vr[0], e.vr[1]);
        return std::nullopt;
      }
      e.length = u32(pos + 8, be);
      e.value = pos + 12;
    } else {
      e.length = u16(pos + 6, be);
      e.value = pos + 8;
    }
    return e;
  }

  // Walks a dataset from `pos` to the end of the file, or (`nested`) to its item delimiter.
  // Returns the position after it, or nothing when the walk stops (problem_ says whether for a
  // truncation).
  std::optional<std::size_t> walk(std::size_t pos, bool explicit_vr, bool nested) {
    while (pos < b_.size()) {
      const auto e = read_header(pos, explicit_vr, big_endian_);
      if (!e) return problem_ ? std::nullopt : std::optional<std::size_t>(b_.size());
      if (e->group == 0xFFFE && e->element == 0xE00D) {
        if (nested) return e->value;
        pos = e->value;
        continue;
      }
      if (e->length == kUndefined) {
        // A sequence, or encapsulated pixel data: items until the sequence delimiter. The items
        // of a UN sequence are implicit VR little endian whatever the file's syntax.
        const bool item_explicit = explicit_vr && std::string_view(e->vr, 2) != "UN";
        auto next = items(e->value, item_explicit);
        if (!next) {
          if (!problem_) return std::nullopt;
          problem_ = fmt::format("{}: {}", where(*e), *problem_);
          return std::nullopt;
        }
        pos = *next;
        continue;
      }
      if (e->value + e->length > b_.size()) {
        // Pixel data cut short is left to the reader's own check, which says how many bytes of
        // the image are missing; GDCM reads it without harm.
        if (!nested && e->group == 0x7FE0 && e->element == 0x0010) return b_.size();
        too_short(*e);
        return std::nullopt;
      }
      pos = e->value + e->length;
    }
    if (nested) {
      problem_ = "the file ends inside a sequence item";
      return std::nullopt;
    }
    return pos;
  }

  std::optional<std::size_t> items(std::size_t pos, bool explicit_vr) {
    while (true) {
      if (b_.size() - std::min(b_.size(), pos) < 8) {
        problem_ = "the file ends inside a sequence";
        return std::nullopt;
      }
      const std::uint16_t group = u16(pos, big_endian_);
      const std::uint16_t element = u16(pos + 2, big_endian_);
      const std::uint32_t length = u32(pos + 4, big_endian_);
      if (group != 0xFFFE) return std::nullopt;  // not an item: leave it to GDCM
      if (element == 0xE0DD) return pos + 8;
      if (element != 0xE000) return std::nullopt;
      if (length == kUndefined) {
        auto next = walk(pos + 8, explicit_vr, true);
        if (!next) return std::nullopt;
        pos = *next;
      } else {
        if (pos + 8 + std::uint64_t{length} > b_.size()) {
          problem_ = fmt::format("the item at byte {} needs {} bytes, {} remain", pos,
                                 std::uint64_t{length} + 8, b_.size() - pos);
          return std::nullopt;
        }
        pos += 8 + length;
      }
    }
  }

  std::vector<unsigned char> b_;
  bool big_endian_ = false;
  std::optional<std::string> problem_;
};

}  // namespace

std::optional<std::string> dicom_truncation(const std::filesystem::path& file) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  if (ec) return std::nullopt;
  std::ifstream in(file, std::ios::binary);
  // Only a file that looks like DICOM is read whole: "DICM" after the preamble, or a bare
  // dataset whose first tag is in a low group (the other formats' magic bytes are not).
  unsigned char head[132] = {};
  in.read(reinterpret_cast<char*>(head), sizeof head);
  const auto got = static_cast<std::size_t>(in.gcount());
  const bool preamble =
      got == 132 && std::string_view(reinterpret_cast<char*>(head) + 128, 4) == "DICM";
  const bool bare = got >= 8 && (head[0] | head[1] << 8) <= 0x0008 && (head[0] | head[1]) != 0;
  if (!preamble && !bare) return std::nullopt;
  std::vector<unsigned char> bytes(size);
  in.clear();
  in.seekg(0);
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size));
  if (static_cast<std::uintmax_t>(in.gcount()) != size) return std::nullopt;
  return Walker(std::move(bytes)).run();
}

}  // namespace samed2d
