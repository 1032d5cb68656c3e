#pragma once
// The gzip layer of NiftiReader: zlib streams any gzip or plain file; libdeflate decodes a whole
// single-member gzip file in memory, about twice as fast as zlib on CT volumes and far faster on
// label maps. Internal to pipeline/io.

#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

struct gzFile_s;  // zlib's

namespace samed2d {

struct GzCloser {
  void operator()(gzFile_s* f) const;
};
using GzFile = std::unique_ptr<gzFile_s, GzCloser>;

// Opens `file` (gzip or plain) for zlib; throws InputError when it cannot. `big_buffer` for
// reading the voxels: decompression then runs straight into the caller's memory in big blocks.
// Not for the header: zlib fills its whole output buffer (twice the input buffer) before the
// first read returns, so a 1 MiB buffer would inflate 2 MiB to get 540 bytes.
GzFile open_gz(const std::filesystem::path& file, bool big_buffer);

// zlib's words for the last error of `f`, or "unexpected end".
std::string gz_error_text(gzFile_s* f);

// Reads up to `n` bytes; returns how many were read (fewer at the end of the data or on error).
std::size_t gz_read_all(gzFile_s* f, void* dst, std::size_t n, bool& error);

// A whole gzip file in memory, for libdeflate, which decodes whole buffers only.
struct GzipBytes {
  std::unique_ptr<unsigned char[]> data;
  std::size_t size = 0;
};

// The bytes of `file` when it is a gzip file whose trailer gives `expected` as the uncompressed
// size; nullopt when it is not, or cannot be read whole. A trailer size that differs means a
// multi-member file (the trailer is the last member's), bytes after the voxels, or a damaged
// file: all are left to zlib, which reads every valid gzip file and words the errors.
std::optional<GzipBytes> read_gzip_bytes(const std::filesystem::path& file, std::size_t expected);

// Decodes `gz` into exactly `out_size` bytes at `out`; false when libdeflate cannot: corrupt or
// truncated data, a different size, or more than one member (libdeflate decodes the first only,
// so bytes are left over).
bool inflate_whole(const GzipBytes& gz, unsigned char* out, std::size_t out_size);

}  // namespace samed2d
