// gzip file access for NiftiReader (GzipFile.hpp).
#include "pipeline/io/GzipFile.hpp"

#include <libdeflate.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>

#include "pipeline/core/Errors.hpp"
#include "pipeline/io/FormatReader.hpp"

namespace samed2d {

void GzCloser::operator()(gzFile_s* f) const {
  gzclose(f);
}

GzFile open_gz(const std::filesystem::path& file, bool big_buffer) {
  GzFile f(gzopen(file.c_str(), "rb"));
  if (!f)
    throw InputError(file.string() +
                     ": cannot open the file; check that it exists and is readable");
  if (big_buffer) gzbuffer(f.get(), 1u << 20);
  return f;
}

std::string gz_error_text(gzFile_s* f) {
  int code = Z_OK;
  const char* text = gzerror(f, &code);
  return (text != nullptr && *text != '\0') ? std::string(text) : std::string("unexpected end");
}

std::size_t gz_read_all(gzFile_s* f, void* dst, std::size_t n, bool& error) {
  auto* out = static_cast<unsigned char*>(dst);
  std::size_t done = 0;
  error = false;
  while (done < n) {
    const unsigned chunk = static_cast<unsigned>(std::min<std::size_t>(n - done, 1u << 30));
    const int got = gzread(f, out + done, chunk);
    if (got < 0) {
      error = true;
      break;
    }
    if (got == 0) break;
    done += static_cast<std::size_t>(got);
  }
  return done;
}

namespace {

struct DecompressorFree {
  void operator()(libdeflate_decompressor* d) const { libdeflate_free_decompressor(d); }
};

}  // namespace

std::optional<GzipBytes> read_gzip_bytes(const std::filesystem::path& file, std::size_t expected) {
  // ISIZE is the size modulo 2^32: it proves nothing beyond that.
  if (expected >= (std::size_t{1} << 32)) return std::nullopt;
  std::unique_ptr<FILE, FileCloser> f(std::fopen(file.c_str(), "rb"));
  unsigned char magic[2];
  if (!f || std::fread(magic, 1, 2, f.get()) != 2 || magic[0] != 0x1f || magic[1] != 0x8b ||
      std::fseek(f.get(), 0, SEEK_END) != 0)
    return std::nullopt;
  const long end = std::ftell(f.get());
  constexpr long kMinGzip = 18;  // 10-byte header, empty deflate stream, 8-byte trailer
  if (end < kMinGzip || std::fseek(f.get(), end - 4, SEEK_SET) != 0) return std::nullopt;
  unsigned char t[4];
  if (std::fread(t, 1, 4, f.get()) != 4) return std::nullopt;
  const std::uint32_t isize = std::uint32_t{t[0]} | std::uint32_t{t[1]} << 8 |
                              std::uint32_t{t[2]} << 16 | std::uint32_t{t[3]} << 24;
  if (isize != expected) return std::nullopt;
  GzipBytes gz{std::make_unique_for_overwrite<unsigned char[]>(static_cast<std::size_t>(end)),
               static_cast<std::size_t>(end)};
  if (std::fseek(f.get(), 0, SEEK_SET) != 0 ||
      std::fread(gz.data.get(), 1, gz.size, f.get()) != gz.size)
    return std::nullopt;
  return gz;
}

bool inflate_whole(const GzipBytes& gz, unsigned char* out, std::size_t out_size) {
  std::unique_ptr<libdeflate_decompressor, DecompressorFree> d(libdeflate_alloc_decompressor());
  if (!d) return false;
  std::size_t in_used = 0, out_used = 0;
  const auto result = libdeflate_gzip_decompress_ex(d.get(), gz.data.get(), gz.size, out, out_size,
                                                    &in_used, &out_used);
  return result == LIBDEFLATE_SUCCESS && in_used == gz.size && out_used == out_size;
}

}  // namespace samed2d
