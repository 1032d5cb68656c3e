#include "pipeline/io/dicom/DicomLengths.hpp"

#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/core/Errors.hpp"
#include "pipeline/core/Volume.hpp"

namespace samed2d {

namespace {

constexpr std::uint32_t kUndefined = 0xFFFFFFFF;
// Real files nest sequences a few levels deep; GDCM recurses once per level.
constexpr std::size_t kMaxDepth = 64;

std::uint16_t u16(const unsigned char* p, bool big) {
  return big ? static_cast<std::uint16_t>(p[0] << 8 | p[1])
             : static_cast<std::uint16_t>(p[1] << 8 | p[0]);
}
std::uint32_t u32(const unsigned char* p, bool big) {
  return big ? std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 |
                   p[3]
             : std::uint32_t{p[3]} << 24 | std::uint32_t{p[2]} << 16 | std::uint32_t{p[1]} << 8 |
                   p[0];
}

// Explicit VRs whose length field has 4 bytes (after 2 reserved ones).
bool long_vr(std::string_view vr) {
  static constexpr std::array<std::string_view, 13> kLong{"OB", "OD", "OF", "OL", "OV", "OW", "SQ",
                                                          "SV", "UC", "UN", "UR", "UT", "UV"};
  for (auto v : kLong)
    if (v == vr) return true;
  return false;
}

// One of the value representations of DICOM PS3.5 (GDCM knows no other).
bool is_vr(const unsigned char* p) {
  static constexpr std::array<std::string_view, 34> kVrs{
      "AE", "AS", "AT", "CS", "DA", "DS", "DT", "FD", "FL", "IS", "LO", "LT",
      "OB", "OD", "OF", "OL", "OV", "OW", "PN", "SH", "SL", "SQ", "SS", "ST",
      "SV", "TM", "UC", "UI", "UL", "UN", "UR", "US", "UT", "UV"};
  const std::string_view vr(reinterpret_cast<const char*>(p), 2);
  for (auto v : kVrs)
    if (v == vr) return true;
  return false;
}

// What the bytes at the current position belong to.
enum class Context { DataSet, Sequence, Item, Fragments };

// (0028,0100) Bits Allocated, (0028,0101) Bits Stored, (0028,0103) Pixel Representation of one
// data set or item (an icon image has its own).
struct PixelDescription {
  std::optional<std::uint16_t> allocated, stored, representation, samples;
};

struct Open {
  Context kind;
  std::uint64_t end;  // where it ends; UINT64_MAX: at its delimiter
  PixelDescription pixels{};
  // Inside a VR UN sequence of undefined length (CP-246): its items are implicit VR, and GDCM
  // also tries them as explicit, so an element there may carry a VR or not.
  bool either_vr = false;
};

}  // namespace

bool looks_like_dicom(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::array<unsigned char, 132> head{};
  in.read(reinterpret_cast<char*>(head.data()), head.size());
  const auto n = static_cast<std::size_t>(in.gcount());
  if (n >= 132 && std::string_view(reinterpret_cast<const char*>(head.data()) + 128, 4) == "DICM")
    return true;
  return n >= 2 && head[1] == 0 && (head[0] == 0x02 || head[0] == 0x08);
}

void check_dicom_element_lengths(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::error_code ec;
  const std::uint64_t size = std::filesystem::file_size(file, ec);
  if (!in || ec) return;  // the reader says what is wrong
  auto fail = [&](const std::string& what) {
    throw InputError(
        fmt::format("{}: {}; the file is truncated or corrupt, re-download or "
                    "re-export it",
                    file.string(), what));
  };
  std::uint64_t pos = 0;
  bool dicm = false;
  {
    std::array<char, 4> magic{};
    if (size >= 132 && in.seekg(128) && in.read(magic.data(), 4) &&
        std::string_view(magic.data(), 4) == "DICM") {
      pos = 132;
      dicm = true;
    }
  }
  // The file meta group is explicit VR little endian; the data set's transfer syntax follows it.
  bool explicit_vr = true, big = false, in_meta = true;
  std::string syntax;
  std::vector<Open> open{{Context::DataSet, size}};
  std::array<unsigned char, 12> h{};
  // GDCM aborts the process (gdcmAssertAlwaysMacro in PixelFormat::GetScalarType, GetMin,
  // GetMax) on a pixel description where Bits Stored exceeds Bits Allocated or 32, or the Pixel
  // Representation is not 0 or 1; such a file is refused here instead.
  const auto check_pixels = [&](const PixelDescription& d) {
    const unsigned allocated = d.allocated.value_or(0), stored = d.stored.value_or(0);
    if (stored > 32 || (d.allocated && stored > allocated))
      fail(fmt::format("Bits Stored (0028,0101) is {} but Bits Allocated (0028,0100) is {}", stored,
                       allocated));
    if (d.representation && *d.representation > 1)
      fail(fmt::format("Pixel Representation (0028,0103) is {}, not 0 or 1", *d.representation));
    // PixelFormat::SetSamplesPerPixel asserts spp <= 4 (found by a fuzz run of the final suite).
    if (d.samples && *d.samples > 4)
      fail(fmt::format("Samples per Pixel (0028,0002) is {}, more than 4", *d.samples));
  };
  const auto close = [&] {
    check_pixels(open.back().pixels);
    open.pop_back();
  };
  const auto walk = [&] {
    while (pos < size) {
      while (open.size() > 1 && pos >= open.back().end) close();
      if (open.size() > kMaxDepth)
        fail(fmt::format("sequences nest more than {} deep at byte {}", kMaxDepth, pos));
      if (size - pos < 8) return;  // GDCM reports a cut header
      in.clear();
      if (!in.seekg(static_cast<std::streamoff>(pos)) ||
          !in.read(reinterpret_cast<char*>(h.data()), 8))
        return;
      // After "DICM" comes the file meta group. Without it GDCM guesses the byte order from the
      // first element and may read the data set big endian, with lengths this walk never saw (a
      // fuzz find: (2002,0000) first, then a 3 GB element read swapped).
      if (in_meta && dicm && pos == 132 && u16(h.data(), false) != 0x0002)
        fail(fmt::format(
            "no file meta group (0002,xxxx) after the DICM preamble, but element {}",
            fmt::format("({:04X},{:04X})", u16(h.data(), false), u16(h.data() + 2, false))));
      if (in_meta && u16(h.data(), false) != 0x0002) {
        in_meta = false;
        if (pos == 0 || syntax.empty()) {
          explicit_vr = is_vr(h.data() + 4);  // no meta group: guess as GDCM does
        } else if (syntax == "1.2.840.10008.1.2") {
          explicit_vr = false;
        } else if (syntax == "1.2.840.10008.1.2.2") {
          big = true;
        } else if (syntax == "1.2.840.10008.1.2.1.99") {
          return;  // deflated: the rest is compressed
        }
      }
      const bool be = big && !in_meta;
      const std::uint16_t group = u16(h.data(), be), element = u16(h.data() + 2, be);
      const std::string tag = fmt::format("({:04X},{:04X})", group, element);
      const Context here = open.back().kind;
      if (group == 0xFFFE) {  // items and delimiters: a 4-byte length, never a VR
        const std::uint32_t length = u32(h.data() + 4, be);
        pos += 8;
        if (element == 0xE0DD && here != Context::Sequence && here != Context::Fragments)
          fail(fmt::format("a sequence delimiter (FFFE,E0DD) at byte {} is outside any sequence",
                           pos - 8));
        if (element == 0xE00D || element == 0xE0DD) {  // item / sequence delimiter
          if (open.size() > 1) close();
          continue;
        }
        // Group FFFE holds items and delimiters only; GDCM gives up on anything else there and
        // rereads the file with its recovery readers (a fuzz find: (FFFE,9F00), then a 700 MB
        // element read as implicit).
        if (element != 0xE000)
          fail(fmt::format("({:04X},{:04X}) at byte {} is neither an item nor a delimiter", group,
                           element, pos - 8));
        if (length == kUndefined) {
          if (here == Context::Fragments)
            fail(fmt::format("a pixel data fragment at byte {} has no length", pos - 8));
          open.push_back({Context::Item, UINT64_MAX, {}, open.back().either_vr});
          continue;
        }
        if (length > size - pos)
          fail(fmt::format("item at byte {} claims {} bytes but only {} follow", pos - 8, length,
                           size - pos));
        if (here == Context::Fragments)
          pos += length;  // compressed pixel data
        else
          open.push_back({Context::Item, pos + length, {}, open.back().either_vr});
        continue;
      }
      std::uint32_t length = 0;
      std::string_view vr;
      // The file meta group must carry real VRs: GDCM asserts ("Should not happen", aborting
      // the process) in FileMetaInformation::Read on one it does not know.
      if (in_meta && !is_vr(h.data() + 4))
        fail(fmt::format("file meta element {} has no DICOM value representation", tag));
      // An explicit VR data set element without a VR sends GDCM into its recovery readers for
      // broken files (VR16ExplicitDataElement, then ExplicitImplicitDataElement), which assert,
      // aborting the process, on several inputs (a Pixel Data "VR" followed by two non-zero
      // bytes, found by the fuzz step) and allocate lengths this walk does not see.
      const bool either_vr = open.back().either_vr;
      if (explicit_vr && !in_meta && !either_vr && !is_vr(h.data() + 4))
        fail(
            fmt::format("element {} at byte {} has no value representation, though the data set "
                        "is explicit VR",
                        tag, pos));
      // Inside a CP-246 sequence an element without a VR is implicit, its length being the 4
      // bytes after the tag.
      if ((explicit_vr || in_meta) && is_vr(h.data() + 4)) {
        vr = std::string_view(reinterpret_cast<const char*>(h.data()) + 4, 2);
        if (long_vr(vr)) {
          if (size - pos < 12 || !in.read(reinterpret_cast<char*>(h.data()) + 8, 4)) return;
          length = u32(h.data() + 8, be);
          pos += 12;
        } else {
          length = u16(h.data() + 6, be);
          pos += 8;
        }
      } else {
        length = u32(h.data() + 4, be);
        pos += 8;
      }
      const bool pixel_data = group == 0x7FE0 && element == 0x0010;
      if (length == kUndefined) {
        // Encapsulated pixel data holds fragments; anything else of undefined length is read as a
        // sequence of items.
        open.push_back({pixel_data ? Context::Fragments : Context::Sequence,
                        UINT64_MAX,
                        {},
                        either_vr || vr == "UN"});
        continue;
      }
      if (pixel_data && open.size() == 1 && length > size - pos) {
        // Short pixel data is reported with how much is missing; only a claim beyond any volume
        // samed2d would read is refused here (8 bytes per voxel at most).
        if (length / 8 > max_voxels())
          fail(fmt::format("pixel data claims {} bytes, more than --max-voxels ({}) allows", length,
                           max_voxels()));
        return;
      }
      if (length > size - pos)
        fail(fmt::format("element {} claims {} bytes but only {} follow", tag, length, size - pos));
      if (group == 0x0028 &&
          (element == 0x0002 || element == 0x0100 || element == 0x0101 || element == 0x0103) &&
          length == 2) {
        std::array<unsigned char, 2> v{};
        if (in.read(reinterpret_cast<char*>(v.data()), 2)) {
          const std::uint16_t value = u16(v.data(), be);
          PixelDescription& d = open.back().pixels;
          (element == 0x0002   ? d.samples
           : element == 0x0100 ? d.allocated
           : element == 0x0101 ? d.stored
                               : d.representation) = value;
        }
      }
      if (in_meta && group == 0x0002 && element == 0x0010 && length < 256) {
        syntax.resize(length);
        in.read(syntax.data(), length);
        while (!syntax.empty() && (syntax.back() == '\0' || syntax.back() == ' '))
          syntax.pop_back();
      }
      if (vr == "SQ")
        open.push_back({Context::Sequence, pos + length, {}, either_vr});
      else
        pos += length;
    }
  };
  walk();
  for (const Open& o : open) check_pixels(o.pixels);
}

}  // namespace samed2d
