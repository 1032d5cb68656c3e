// MetaImage checks and inflation (MetaImageReader.hpp).
#include "pipeline/io/MetaImageReader.hpp"

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <new>
#include <string>
#include <vector>

#include "pipeline/core/Errors.hpp"
#include "pipeline/core/Text.hpp"

namespace samed2d {

namespace {

// An ElementDataFile value with a '%' is a pattern for a list of slice files
// ("slice%03d.raw 1 40 1"), which MetaIO formats with snprintf and an int: a pattern that is not
// one integer conversion makes it throw std::length_error through a frame that ends the process
// (std::terminate), so only "%d", "%5d", "%05d" (or i, u) is let through.
void check_metaimage_file_pattern(const std::filesystem::path& file, std::string value) {
  value = value.substr(0, value.find('\0'));  // MetaIO reads it as a C string
  // An empty one leaves MetaIO measuring a file it cannot open: tellg() gives -1, and it asks for
  // that many bytes (new[] of SIZE_MAX, found by the fuzz step with CompressedData = True).
  if (value.find_first_not_of(" \t") == std::string::npos)
    throw InputError(file.string() +
                     ": MetaImage ElementDataFile is empty (it names the data file, or LOCAL); "
                     "the header is corrupt, re-export the file");
  const std::string name = value.substr(0, value.find_first_of(" \t"));
  const auto percent = name.find('%');
  if (percent == std::string::npos && value.find('%') == std::string::npos) return;
  bool ok = percent != std::string::npos && name.find('%', percent + 1) == std::string::npos;
  if (ok) {
    std::size_t i = percent + 1;
    while (i < name.size() && std::isdigit(static_cast<unsigned char>(name[i]))) ++i;
    ok = i < name.size() && (name[i] == 'd' || name[i] == 'i' || name[i] == 'u');
  }
  if (!ok)
    throw InputError(file.string() + ": MetaImage ElementDataFile '" + one_line(value) +
                     "' is not a file name pattern with one %d; the header is corrupt, re-export "
                     "the file");
}

}  // namespace

MetaImageData check_metaimage(const std::filesystem::path& file, std::size_t needed) {
  std::ifstream in(file, std::ios::binary);
  std::string line, data_file;
  MetaImageData m;
  while (std::getline(in, line)) {
    const auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string key = one_line(line.substr(0, eq)), value = one_line(line.substr(eq + 1));
    while (!key.empty() && key.back() == ' ') key.pop_back();
    while (!value.empty() && value.front() == ' ') value.erase(value.begin());
    while (!value.empty() && (value.back() == ' ' || value.back() == '\r')) value.pop_back();
    const bool yes = value == "True" || value == "true" || value == "1";
    if (key == "CompressedData") m.compressed = yes;
    if (key == "BinaryDataByteOrderMSB" || key == "ElementByteOrderMSB") m.msb = yes;
    if (key == "HeaderSize") return {};  // skipped bytes: leave it all to ITK
    if (key == "ElementDataFile") {
      data_file = value;
      break;
    }
  }
  if (data_file.empty()) return {};
  auto beside = [&](const std::string& name) {
    const std::filesystem::path p(name);
    bool climbs = p.is_absolute();
    for (const auto& part : p) climbs = climbs || part == "..";
    if (climbs)
      throw InputError(file.string() + ": its data file " + name +
                       " is not beside the header; samed2d reads only data files in the "
                       "header's folder or below, so move the data there");
    return file.parent_path() / p;
  };
  if (data_file.starts_with("LIST")) {
    std::uintmax_t total = 0;
    std::size_t count = 0;
    while (std::getline(in, line)) {
      while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
      if (line.empty()) continue;
      std::error_code ec;
      const auto size = std::filesystem::file_size(beside(line), ec);
      if (ec)
        throw InputError(file.string() + ": its data file " + line +
                         " (listed after ElementDataFile = LIST) is missing; put it beside the "
                         "header");
      total += size;
      ++count;
    }
    if (count == 0)
      throw InputError(file.string() + ": ElementDataFile = LIST names no file; re-export it");
    if (!m.compressed && total < needed)
      throw InputError(file.string() + ": its listed data files hold " + std::to_string(total) +
                       " of " + std::to_string(needed) +
                       " bytes; a file is truncated, re-download or re-export it");
    return {};
  }
  if (data_file.find('%') != std::string::npos || data_file.find(' ') != std::string::npos)
    return {};  // a numbered file pattern: left to ITK
  if (data_file == "LOCAL") {
    const auto pos = in.tellg();
    if (pos < 0) return {};
    m.file = file;
    m.offset = static_cast<std::uintmax_t>(pos);
  } else {
    m.file = beside(data_file);
    std::error_code ec;
    if (!std::filesystem::is_regular_file(*m.file, ec))
      throw InputError(file.string() + ": its data file " + data_file +
                       " is missing; put it beside the header");
  }
  std::error_code ec;
  const std::uintmax_t file_size = std::filesystem::file_size(*m.file, ec);
  const std::uintmax_t available = !ec && file_size > m.offset ? file_size - m.offset : 0;
  if (!m.compressed && available < needed)
    throw InputError(file.string() + ": MetaImage data is short (" + std::to_string(available) +
                     " of " + std::to_string(needed) +
                     " bytes); the file is truncated, re-download or re-export it");
  return m;
}

void inflate_metaimage(const std::filesystem::path& header, const MetaImageData& m, void* out,
                       std::size_t size, std::size_t element_size) {
  std::ifstream in(*m.file, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(m.offset));
  z_stream z{};
  if (inflateInit2(&z, 15 + 32) != Z_OK) throw std::bad_alloc();
  std::vector<unsigned char> chunk(1 << 16);
  auto* dst = static_cast<unsigned char*>(out);
  std::size_t produced = 0;
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    if (z.avail_in == 0) {
      in.read(reinterpret_cast<char*>(chunk.data()), static_cast<std::streamsize>(chunk.size()));
      z.next_in = chunk.data();
      z.avail_in = static_cast<uInt>(in.gcount());
      if (z.avail_in == 0) break;
    }
    const std::size_t room = size - produced;
    const std::size_t step = std::min<std::size_t>(room, 1u << 30);
    unsigned char spare = 0;  // room for one byte too many, to tell "too long" apart
    z.next_out = step > 0 ? dst + produced : &spare;
    z.avail_out = step > 0 ? static_cast<uInt>(step) : 1u;
    rc = inflate(&z, Z_NO_FLUSH);
    produced += (step > 0 ? step : 1u) - z.avail_out;
    if (rc != Z_OK && rc != Z_STREAM_END) break;
    if (produced > size) break;
  }
  inflateEnd(&z);
  if (rc != Z_STREAM_END || produced != size)
    throw InputError(header.string() + ": its compressed data " +
                     (produced > size ? std::string("inflates to more than")
                                      : "is corrupt or cut short (inflates to " +
                                            std::to_string(produced) + " of") +
                     " " + std::to_string(size) + " bytes); re-download or re-export the file");
  if (m.msb && element_size > 1)
    for (std::size_t e = 0; e < size; e += element_size)
      std::reverse(dst + e, dst + e + element_size);
}

void check_metaimage_header_lines(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::string header(64 * 1024, '\0');
  in.read(header.data(), static_cast<std::streamsize>(header.size()));
  header.resize(static_cast<std::size_t>(in.gcount()));
  auto separator = [](char c) { return c == '=' || c == ':'; };
  auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  auto too_long = [&](const char* what, std::size_t length) {
    throw InputError(file.string() + ": MetaImage header field " + what + " of " +
                     std::to_string(length) +
                     " characters (ITK reads at most 254); the header is corrupt, re-export "
                     "the file");
  };
  std::size_t pos = 0;
  const std::size_t n = header.size();
  while (pos < n) {
    while (pos < n && space(header[pos])) ++pos;
    const std::size_t start = pos;
    while (pos < n && !separator(header[pos]) && header[pos] != '\r' && header[pos] != '\n' &&
           pos - start < 500)
      ++pos;
    if (pos >= n || pos - start >= 500) return;  // MET_Read stops there
    std::size_t end = pos;
    while (end > start && (header[end - 1] == ' ' || header[end - 1] == '\t')) --end;
    if (end - start >= 255) too_long("name", end - start);
    // A name whose line has no '=' makes MET_Read take the following lines as its value, and the
    // fuzzer found such a header that kept ITK's reader busy for good (over 10 s): real headers
    // have "Name = Value" on every line.
    if (end > start && !separator(header[pos]))
      throw InputError(file.string() + ": MetaImage header line '" +
                       one_line(header.substr(start, std::min<std::size_t>(end - start, 60))) +
                       "' has no '='; the header is corrupt, re-export the file");
    const bool last = header.compare(start, end - start, "ElementDataFile") == 0;
    while (pos < n && !separator(header[pos])) ++pos;
    while (pos < n && (separator(header[pos]) || space(header[pos]))) ++pos;
    std::size_t eol = std::min(header.find('\n', pos), n);
    const std::size_t next = eol + 1;
    while (eol > pos && space(header[eol - 1])) --eol;
    if (eol - pos >= 255) too_long("value", eol - pos);
    if (last) {
      check_metaimage_file_pattern(file, header.substr(pos, eol - pos));
      return;
    }
    pos = next;
  }
}

}  // namespace samed2d
