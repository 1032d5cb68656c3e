#include "pipeline/io/dicom/DicomPrecheck.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <fstream>
#include <string_view>
#include <system_error>
#include <vector>

#include "pipeline/core/Errors.hpp"
#include "pipeline/core/Volume.hpp"

namespace samed2d {

namespace {

constexpr std::uint32_t kUndefined = 0xFFFFFFFF;
constexpr std::uint64_t kAtDelimiter = UINT64_MAX;  // the end of a sequence or item so marked
// Real files nest sequences a few levels deep; GDCM recurses once per level.
constexpr std::size_t kMaxDepth = 64;
constexpr std::uint64_t kPreamble = 132;  // 128 bytes, then "DICM"

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

std::string tag_name(std::uint16_t group, std::uint16_t element) {
  return fmt::format("({:04X},{:04X})", group, element);
}

// The value representations of DICOM PS3.5 (GDCM knows no other), and whether the length after
// each has 4 bytes (after 2 reserved ones) rather than 2.
struct Vr {
  std::string_view name;
  bool long_length;
};
constexpr std::array<Vr, 34> kVrs{{
    {"AE", false}, {"AS", false}, {"AT", false}, {"CS", false}, {"DA", false}, {"DS", false},
    {"DT", false}, {"FD", false}, {"FL", false}, {"IS", false}, {"LO", false}, {"LT", false},
    {"OB", true},  {"OD", true},  {"OF", true},  {"OL", true},  {"OV", true},  {"OW", true},
    {"PN", false}, {"SH", false}, {"SL", false}, {"SQ", true},  {"SS", false}, {"ST", false},
    {"SV", true},  {"TM", false}, {"UC", true},  {"UI", false}, {"UL", false}, {"UN", true},
    {"UR", true},  {"US", false}, {"UT", true},  {"UV", true},
}};

// The VR whose two letters stand at `p`, or nullptr.
const Vr* vr_at(const unsigned char* p) {
  const std::string_view letters(reinterpret_cast<const char*>(p), 2);
  for (const Vr& vr : kVrs)
    if (vr.name == letters) return &vr;
  return nullptr;
}

// The first `n` bytes of a file: whether they look like DICOM, and whether with the preamble.
struct Start {
  bool dicom = false;
  bool preamble = false;
};
Start start_of(const unsigned char* head, std::size_t n) {
  if (n >= kPreamble && std::string_view(reinterpret_cast<const char*>(head) + 128, 4) == "DICM")
    return {true, true};
  return {n >= 2 && head[1] == 0 && head[0] >= 0x01 && head[0] <= 0x08, false};
}

// The file through a window of 64 KiB: headers are read where they stand and values are skipped,
// so a multi-frame file of hundreds of MB costs the window, not its size.
class Window {
 public:
  explicit Window(const std::filesystem::path& file) : in_(file, std::ios::binary) {}

  // The `n` bytes at `pos` (n at most the window), or nullptr when the file has fewer.
  const unsigned char* at(std::uint64_t pos, std::size_t n) {
    if (pos < start_ || pos + n > start_ + filled_) {
      in_.clear();
      if (!in_.seekg(static_cast<std::streamoff>(pos))) return nullptr;
      in_.read(reinterpret_cast<char*>(buffer_.data()),
               static_cast<std::streamsize>(buffer_.size()));
      start_ = pos;
      filled_ = static_cast<std::size_t>(in_.gcount());
      if (n > filled_) return nullptr;
    }
    return buffer_.data() + (pos - start_);
  }

 private:
  std::ifstream in_;
  std::vector<unsigned char> buffer_ = std::vector<unsigned char>(std::size_t{1} << 16);
  std::uint64_t start_ = 0;
  std::size_t filled_ = 0;
};

// What the bytes at the current position belong to.
enum class Context { DataSet, Sequence, Item, Fragments };

// (0028,0002) Samples per Pixel, (0028,0100) Bits Allocated, (0028,0101) Bits Stored, (0028,0103)
// Pixel Representation of one data set or item (an icon image has its own).
struct PixelDescription {
  std::optional<std::uint16_t> allocated, stored, representation, samples;
};

// A data set, sequence, item or run of pixel data fragments the walk is inside.
struct Open {
  Context kind;
  std::uint64_t end;             // where it ends; kAtDelimiter: at its delimiter
  std::uint64_t start;           // where its header starts
  std::uint16_t group, element;  // the tag of that header
  // Inside a VR UN sequence of undefined length (CP-246): its items are implicit VR, and GDCM
  // also tries them as explicit, so an element there may carry a VR or not.
  bool either_vr;
  PixelDescription pixels{};
};

// How the walk over the headers stopped.
enum class Stop {
  AtEnd,         // at the end of the file
  ShortTail,     // fewer bytes left than an element header has
  InLongHeader,  // inside the 12-byte header of a long VR
  LeftToGdcm,    // at a deflated data set, or at short pixel data the reader measures
};

// An element that claims what cannot be (DicomFault::Kind::Corrupt): it ends the walk at once.
struct Corrupt {
  std::string what;
};

// One pass over a file's headers. An element that claims what cannot be ends it at once. The rules
// for a file cut short follow the same walk: a cut is noted where the walk meets it and reported
// at the end, when no such element follows. Those rules pass over sequences and items of defined
// length (they fit in the file), and stop quietly where the bytes stop looking like what they
// know (GDCM then reports it).
class Walker {
 public:
  Walker(const std::filesystem::path& file, std::uint64_t size) : window_(file), size_(size) {}

  std::optional<DicomFault> run() {
    const std::size_t n = static_cast<std::size_t>(std::min(size_, kPreamble));
    const unsigned char* head = window_.at(0, n);
    if (head == nullptr) return std::nullopt;  // the reader says what is wrong
    const Start start = start_of(head, n);
    if (!start.dicom || (!start.preamble && size_ < 8)) return std::nullopt;
    preamble_ = start.preamble;
    pos_ = preamble_ ? kPreamble : 0;
    try {
      const Stop stop = walk();
      for (const Open& o : open_) check_pixels(o.pixels);
      note_cut_at(stop);
    } catch (const Corrupt& e) {
      return DicomFault{DicomFault::Kind::Corrupt, e.what};
    }
    if (cut_) return DicomFault{DicomFault::Kind::Cut, *cut_};
    return std::nullopt;
  }

 private:
  [[noreturn]] static void corrupt(std::string what) { throw Corrupt{std::move(what)}; }

  Stop walk() {
    while (pos_ < size_) {
      while (open_.size() > 1 && pos_ >= open_.back().end) close();
      if (open_.size() > kMaxDepth)
        corrupt(fmt::format("sequences nest more than {} deep at byte {}", kMaxDepth, pos_));
      if (size_ - pos_ < 8) return Stop::ShortTail;  // padding, or a cut header (note_cut_at)
      const unsigned char* h = window_.at(pos_, 8);
      if (h == nullptr) return Stop::LeftToGdcm;
      if (in_meta_ && !meta_step(h)) return Stop::LeftToGdcm;
      const bool big = big_ && !in_meta_;
      if (u16(h, big) == 0xFFFE)  // items and delimiters: a 4-byte length, never a VR
        item_or_delimiter(u16(h + 2, big), u32(h + 4, big));
      else if (const auto stop = element(h, big))
        return *stop;
    }
    return Stop::AtEnd;
  }

  // At each header while the walk is in the file meta group (explicit VR little endian). The first
  // one of another group ends the group and sets the data set's transfer syntax. False for a
  // deflated data set: the rest is compressed, left to GDCM.
  bool meta_step(const unsigned char* h) {
    const std::uint16_t group = u16(h, false);
    // After "DICM" comes the file meta group. Without it GDCM guesses the byte order from the
    // first element and may read the data set big endian, with lengths this walk never saw (a
    // fuzz find: (2002,0000) first, then a 3 GB element read swapped).
    if (preamble_ && pos_ == kPreamble && group != 0x0002)
      corrupt(fmt::format("no file meta group (0002,xxxx) after the DICM preamble, but element {}",
                          tag_name(group, u16(h + 2, false))));
    if (group == 0x0002) return true;
    in_meta_ = false;
    // GDCM asserts on a file that ends inside its meta group (by its group length), even where
    // an element ends.
    if (preamble_ && meta_end_ && *meta_end_ > size_ && watching())
      note_cut(fmt::format("the file ends at byte {}, inside its meta header", size_));
    if (pos_ == 0 || syntax_.empty()) {
      explicit_vr_ = vr_at(h + 4) != nullptr;  // no meta group: guess as GDCM does
    } else if (syntax_ == "1.2.840.10008.1.2") {
      explicit_vr_ = false;
    } else if (syntax_ == "1.2.840.10008.1.2.2") {
      big_ = true;
    } else if (syntax_ == "1.2.840.10008.1.2.1.99") {
      return false;
    }
    return true;
  }

  void item_or_delimiter(std::uint16_t element, std::uint32_t length) {
    const std::uint64_t start = pos_;
    const Context here = open_.back().kind;
    const bool among_items = here == Context::Sequence || here == Context::Fragments;
    pos_ += 8;
    if (element == 0xE0DD && !among_items)
      corrupt(fmt::format("a sequence delimiter (FFFE,E0DD) at byte {} is outside any sequence",
                          start));
    if (element == 0xE00D || element == 0xE0DD) {  // item / sequence delimiter
      // An item delimiter among items is beyond what the cut rules follow.
      if (element == 0xE00D && among_items && watching()) watch_cuts_ = false;
      if (open_.size() > 1) close();
      return;
    }
    // Group FFFE holds items and delimiters only; GDCM gives up on anything else there and
    // rereads the file with its recovery readers (a fuzz find: (FFFE,9F00), then a 700 MB
    // element read as implicit).
    if (element != 0xE000)
      corrupt(fmt::format("{} at byte {} is neither an item nor a delimiter",
                          tag_name(0xFFFE, element), start));
    const bool either_vr = open_.back().either_vr;
    if (length == kUndefined) {
      if (here == Context::Fragments)
        corrupt(fmt::format("a pixel data fragment at byte {} has no length", start));
      // An item of undefined length that no sequence holds is beyond what the cut rules follow.
      if (!among_items && watching()) watch_cuts_ = false;
      push({Context::Item, kAtDelimiter, start, 0xFFFE, element, either_vr});
      return;
    }
    if (length > size_ - pos_)
      corrupt(fmt::format("item at byte {} claims {} bytes but only {} follow", start, length,
                          size_ - pos_));
    if (here == Context::Fragments)
      pos_ += length;  // compressed pixel data
    else
      push({Context::Item, pos_ + length, start, 0xFFFE, element, either_vr});
  }

  // An element that is no item or delimiter; a Stop where the walk ends at it.
  std::optional<Stop> element(const unsigned char* h, bool big) {
    const std::uint64_t start = pos_;
    const std::uint16_t group = u16(h, big), element = u16(h + 2, big);
    const std::string tag = tag_name(group, element);
    const Context here = open_.back().kind;
    const bool either_vr = open_.back().either_vr;
    // An element where items belong is beyond what the cut rules follow.
    if ((here == Context::Sequence || here == Context::Fragments) && watching())
      watch_cuts_ = false;
    const Vr* vr = vr_at(h + 4);
    // The file meta group must carry real VRs: GDCM asserts ("Should not happen", aborting the
    // process) in FileMetaInformation::Read on one it does not know.
    if (in_meta_ && vr == nullptr)
      corrupt(fmt::format("file meta element {} has no DICOM value representation", tag));
    // An explicit VR data set element without a VR sends GDCM into its recovery readers for
    // broken files (VR16ExplicitDataElement, then ExplicitImplicitDataElement), which assert,
    // aborting the process, on several inputs (a Pixel Data "VR" followed by two non-zero bytes,
    // found by the fuzz step) and allocate lengths this walk does not see.
    if (explicit_vr_ && !in_meta_ && !either_vr && vr == nullptr)
      corrupt(
          fmt::format("element {} at byte {} has no value representation, though the data "
                      "set is explicit VR",
                      tag, start));
    // Inside a CP-246 sequence an element without a VR is implicit, its length being the 4 bytes
    // after the tag.
    if (!(explicit_vr_ || in_meta_)) vr = nullptr;
    std::uint32_t length = 0;
    if (vr != nullptr && vr->long_length) {
      if (size_ - pos_ < 12) {
        if (watching())
          note_cut(
              fmt::format("the file ends inside the header of element {} at byte {}", tag, start));
        return Stop::InLongHeader;
      }
      h = window_.at(pos_, 12);
      if (h == nullptr) return Stop::LeftToGdcm;
      // The two bytes after such a VR are reserved, 0 (GDCM asserts on anything else).
      if ((h[6] != 0 || h[7] != 0) && !either_vr && watching())
        note_cut(fmt::format("element {} at byte {} has non-zero reserved bytes after its VR {}",
                             tag, start, vr->name));
      length = u32(h + 8, big);
      pos_ += 12;
    } else {
      length = vr != nullptr ? u16(h + 6, big) : u32(h + 4, big);
      pos_ += 8;
    }
    const bool pixel_data = group == 0x7FE0 && element == 0x0010;
    if (length == kUndefined) {
      // A meta group of undefined length is not one GDCM reads; the cut rules stop there.
      if (in_meta_ && preamble_ && watching()) watch_cuts_ = false;
      // Encapsulated pixel data holds fragments; anything else of undefined length is read as a
      // sequence of items.
      const bool un = vr != nullptr && vr->name == "UN";
      push({pixel_data ? Context::Fragments : Context::Sequence, kAtDelimiter, start, group,
            element, either_vr || un});
      return std::nullopt;
    }
    if (pixel_data && open_.size() == 1 && length > size_ - pos_) {
      // Short pixel data is reported with how much is missing; only a claim beyond any volume
      // samed2d would read is refused here (8 bytes per voxel at most).
      if (length / 8 > max_voxels())
        corrupt(fmt::format("pixel data claims {} bytes, more than --max-voxels ({}) allows",
                            length, max_voxels()));
      return Stop::LeftToGdcm;
    }
    if (length > size_ - pos_)
      corrupt(
          fmt::format("element {} claims {} bytes but only {} follow", tag, length, size_ - pos_));
    read_value(group, element, length, big);
    if (vr != nullptr && vr->name == "SQ")
      push({Context::Sequence, pos_ + length, start, group, element, either_vr});
    else
      pos_ += length;
    return std::nullopt;
  }

  // The few values the walk needs: the pixel description, the transfer syntax and the length of
  // the file meta group.
  void read_value(std::uint16_t group, std::uint16_t element, std::uint32_t length, bool big) {
    if (group == 0x0028 && length == 2 &&
        (element == 0x0002 || element == 0x0100 || element == 0x0101 || element == 0x0103)) {
      if (const unsigned char* v = window_.at(pos_, 2)) {
        PixelDescription& d = open_.back().pixels;
        (element == 0x0002   ? d.samples
         : element == 0x0100 ? d.allocated
         : element == 0x0101 ? d.stored
                             : d.representation) = u16(v, big);
      }
    }
    if (!in_meta_ || group != 0x0002) return;
    if (element == 0x0010 && length < 256) {
      if (const unsigned char* v = window_.at(pos_, length)) {
        syntax_.assign(reinterpret_cast<const char*>(v), length);
        while (!syntax_.empty() && (syntax_.back() == '\0' || syntax_.back() == ' '))
          syntax_.pop_back();
      }
    }
    if (element == 0x0000 && length == 4)
      if (const unsigned char* v = window_.at(pos_, 4)) meta_end_ = pos_ + 4 + u32(v, false);
  }

  // GDCM aborts the process (gdcmAssertAlwaysMacro in PixelFormat::GetScalarType, GetMin,
  // GetMax) on a pixel description where Bits Stored exceeds Bits Allocated or 32, or the Pixel
  // Representation is not 0 or 1; such a file is refused here instead.
  static void check_pixels(const PixelDescription& d) {
    const unsigned allocated = d.allocated.value_or(0), stored = d.stored.value_or(0);
    if (stored > 32 || (d.allocated && stored > allocated))
      corrupt(fmt::format("Bits Stored (0028,0101) is {} but Bits Allocated (0028,0100) is {}",
                          stored, allocated));
    if (d.representation && *d.representation > 1)
      corrupt(fmt::format("Pixel Representation (0028,0103) is {}, not 0 or 1", *d.representation));
    // PixelFormat::SetSamplesPerPixel asserts spp <= 4 (found by a fuzz run of the final suite).
    if (d.samples && *d.samples > 4)
      corrupt(fmt::format("Samples per Pixel (0028,0002) is {}, more than 4", *d.samples));
  }

  void push(const Open& o) {
    if (o.end != kAtDelimiter) ++defined_;
    open_.push_back(o);
  }

  void close() {
    check_pixels(open_.back().pixels);
    if (open_.back().end != kAtDelimiter) --defined_;
    open_.pop_back();
  }

  // The cut rules follow the walk while it is in the data set, or in sequences and items of
  // undefined length: one of defined length fits in the file, so it cannot be cut inside.
  bool watching() const { return watch_cuts_ && defined_ == 0; }

  // Keeps the first cut, named inside the sequences (of open_[0, depth)) it is in.
  void note_cut(const std::string& what, std::size_t depth = SIZE_MAX) {
    std::string where;
    for (std::size_t i = 0; i < std::min(depth, open_.size()); ++i)
      if (open_[i].kind == Context::Sequence || open_[i].kind == Context::Fragments)
        where += fmt::format("element {} at byte {}: ", tag_name(open_[i].group, open_[i].element),
                             open_[i].start);
    cut_ = where + what;
    watch_cuts_ = false;
  }

  // Where the walk stopped, what GDCM asserts on: a file that ends inside its meta group, inside
  // an element header (beyond 1-3 bytes of zero padding, or any zeros in an implicit VR data set:
  // GDCM reads 4 bytes or more as a tag and then, in an explicit VR data set, asserts in its
  // recovery reader VR16ExplicitDataElement for want of a VR), or inside a sequence or item.
  void note_cut_at(Stop stop) {
    if (!watch_cuts_ || stop == Stop::LeftToGdcm) return;
    if (in_meta_ && preamble_) {
      note_cut(fmt::format("the file ends at byte {}, {}", size_,
                           meta_end_ && *meta_end_ > size_
                               ? "inside its meta header"
                               : "before any data element after its meta header"));
      return;
    }
    // Sequences and items of defined length are passed over whole, to where the outermost ends.
    std::size_t depth = open_.size();
    std::uint64_t at = pos_;
    for (std::size_t i = 1; i < open_.size(); ++i)
      if (open_[i].end != kAtDelimiter) {
        depth = i;
        at = open_[i].end;
        break;
      }
    if (size_ - at >= 8) return;  // its elements ran past its end: beyond what the rules follow
    const Open& here = open_[depth - 1];
    std::string what;
    if (here.kind == Context::Sequence || here.kind == Context::Fragments)
      what = "the file ends inside a sequence";
    else if (at == size_)
      what = here.kind == Context::Item ? "the file ends inside a sequence item" : "";
    else if (zero_padding(at, here))
      what = here.kind == Context::Item ? "the file ends inside a sequence" : "";
    else
      what = fmt::format("the file ends inside the element header at byte {}", at);
    if (!what.empty()) note_cut(what, depth);
  }

  // Whether the last bytes from `at` are zero padding GDCM takes as the end of the file.
  bool zero_padding(std::uint64_t at, const Open& here) {
    const auto left = static_cast<std::size_t>(size_ - at);
    const bool explicit_here = (explicit_vr_ || in_meta_) && !here.either_vr;
    const unsigned char* tail = window_.at(at, left);
    return (left < 4 || !explicit_here) && tail != nullptr &&
           std::all_of(tail, tail + left, [](unsigned char c) { return c == 0; });
  }

  Window window_;
  const std::uint64_t size_;
  bool preamble_ = false;
  std::uint64_t pos_ = 0;
  // The file meta group is explicit VR little endian; the data set's transfer syntax follows it.
  bool in_meta_ = true, explicit_vr_ = true, big_ = false;
  std::string syntax_;
  std::optional<std::uint64_t> meta_end_;  // from the meta group's length (0002,0000)
  // The data set ends with the file, not at a length or a delimiter; it is never closed.
  std::vector<Open> open_{{Context::DataSet, kAtDelimiter, 0, 0, 0, false}};
  std::size_t defined_ = 0;  // how many of open_ end at a length, not a delimiter
  // Whether the rules for a file cut short still follow the walk: they stop at the first cut, and
  // where the bytes stop looking like what the rules know (GDCM then reports it).
  bool watch_cuts_ = true;
  std::optional<std::string> cut_;
};

}  // namespace

bool looks_like_dicom(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::array<unsigned char, kPreamble> head{};
  in.read(reinterpret_cast<char*>(head.data()), head.size());
  return start_of(head.data(), static_cast<std::size_t>(in.gcount())).dicom;
}

std::optional<DicomFault> dicom_fault(const std::filesystem::path& file) {
  std::error_code ec;
  const std::uint64_t size = std::filesystem::file_size(file, ec);
  if (ec) return std::nullopt;  // the reader says what is wrong
  return Walker(file, size).run();
}

void check_dicom_before_gdcm(const std::filesystem::path& file) {
  const auto fault = dicom_fault(file);
  if (!fault) return;
  if (fault->kind == DicomFault::Kind::Corrupt)
    throw InputError(
        fmt::format("{}: {}; the file is truncated or corrupt, re-download or re-export it",
                    file.string(), fault->what));
  throw InputError(file.string() + ": the DICOM file is damaged or cut short (" + fault->what +
                   "); re-download it, or remove it from the folder");
}

}  // namespace samed2d
