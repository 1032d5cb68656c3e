// The TIFF directory walk (TiffChecks.hpp).
#include "pipeline/io/TiffChecks.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "pipeline/core/Errors.hpp"

namespace samed2d {

void check_tiff_directories(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  char magic[4] = {};
  in.read(magic, 4);
  if (in.gcount() != 4 ||
      !(std::memcmp(magic, "II*\0", 4) == 0 || std::memcmp(magic, "MM\0*", 4) == 0))
    return;  // only a TIFF is read whole
  in.seekg(0);
  std::vector<unsigned char> b((std::istreambuf_iterator<char>(in)),
                               std::istreambuf_iterator<char>());
  if (b.size() < 8) return;
  // A DICOM file may carry a TIFF header in its preamble (dual-format files): GDCM reads those.
  if (b.size() >= 132 && std::memcmp(b.data() + 128, "DICM", 4) == 0) return;
  const bool le = b[0] == 'I';
  auto u16 = [&](std::size_t p) {
    return le ? static_cast<std::uint32_t>(b[p] | b[p + 1] << 8)
              : static_cast<std::uint32_t>(b[p] << 8 | b[p + 1]);
  };
  auto u32 = [&](std::size_t p) {
    return le ? (std::uint32_t{b[p]} | std::uint32_t{b[p + 1]} << 8 |
                 std::uint32_t{b[p + 2]} << 16 | std::uint32_t{b[p + 3]} << 24)
              : (std::uint32_t{b[p]} << 24 | std::uint32_t{b[p + 1]} << 16 |
                 std::uint32_t{b[p + 2]} << 8 | std::uint32_t{b[p + 3]});
  };
  if (u16(2) != 42) return;  // BigTIFF and others: ITK's business
  static constexpr std::uint64_t kTypeSize[] = {0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8, 4};
  auto corrupt = [&](const std::string& what) {
    throw InputError(file.string() + ": TIFF " + what + "; the file is corrupt, re-export it");
  };
  std::uint64_t ifd = u32(4);
  // A chain of directories that comes back to one of its own keeps ITK's copy of libtiff counting
  // directories for good (TIFFNumberOfDirectories, a fuzz find: a directory naming itself next).
  std::vector<std::uint64_t> seen;
  for (int directories = 0; ifd != 0 && directories < 64; ++directories) {
    if (std::find(seen.begin(), seen.end(), ifd) != seen.end())
      corrupt("directory chain loops back to the directory at byte " + std::to_string(ifd));
    seen.push_back(ifd);
    // A directory out of the file is libtiff's to report (it does, safely).
    if (ifd + 2 > b.size()) return;
    const std::uint32_t entries = u16(ifd);
    if (ifd + 2 + 12ull * entries + 4 > b.size()) return;
    std::uint32_t samples = 1, planar = 1;
    for (std::uint32_t e = 0; e < entries; ++e) {
      const std::size_t at = ifd + 2 + 12 * e;
      const std::uint32_t tag = u16(at), type = u16(at + 2), count = u32(at + 4);
      const std::uint64_t bytes = (type < 14 ? kTypeSize[type] : 0) * std::uint64_t{count};
      if (bytes > 4 && u32(at + 8) + bytes > b.size())
        corrupt("tag " + std::to_string(tag) + " claims " + std::to_string(bytes) +
                " bytes past the end of the file");
      // libtiff adds a NUL to a string without one, so 19 characters unterminated are 20 too.
      const bool twenty = count >= 20 || (count == 19 && type == 2 && b[u32(at + 8) + 18] != 0);
      if (tag == 0x0132 && !twenty)
        corrupt("DateTime tag has " + std::to_string(count) + " bytes instead of 20");
      // libtiff keeps a string up to its first NUL; ITK then copies 20 bytes from it (a fuzz
      // find: a DateTime of 89 bytes at offset 0, "II*\0...", read past the 4 kept).
      if (tag == 0x0132 && type == 2) {
        const std::size_t at_value = bytes > 4 ? u32(at + 8) : at + 8;
        for (std::size_t i = 0; i < 19 && i < count; ++i)
          if (b[at_value + i] == 0) corrupt("DateTime tag is cut short by a NUL byte");
      }
      if (type != 3 || count == 0) continue;  // the tags below are SHORTs
      const std::size_t values = bytes > 4 ? u32(at + 8) : at + 8;
      const std::uint32_t first = u16(values);
      // ITK allocates a scanline of width x samples x BitsPerSample / 8 bytes and leaks it when
      // it then gives up on the file; a BitsPerSample of 65535 made that 35 MB per file (the fuzz
      // step ran out of memory).
      if (tag == 0x0102)
        for (std::uint32_t i = 0; i < count; ++i)
          if (const std::uint32_t bits = u16(values + 2 * i); bits == 0 || bits > 64)
            corrupt("BitsPerSample is " + std::to_string(bits));
      if (tag == 0x0115) samples = first;
      if (tag == 0x011C) planar = first;
      // The two layouts ITK refuses only after that allocation.
      if (tag == 0x0112 && first != 1 && first != 4)
        throw InputError(file.string() + ": TIFF Orientation " + std::to_string(first) +
                         " is neither top-left (1) nor bottom-left (4), the ones ITK reads; "
                         "re-export the image");
    }
    if (planar != 1 && samples != 1)
      throw InputError(file.string() + ": TIFF with " + std::to_string(samples) +
                       " samples per pixel in separate planes (PlanarConfiguration " +
                       std::to_string(planar) + "), which ITK does not read; re-export the " +
                       "image with contiguous samples");
    ifd = u32(ifd + 2 + 12 * entries);
  }
}

}  // namespace samed2d
