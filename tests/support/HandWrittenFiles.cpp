// Byte-by-byte writers of PNG and BMP files, and gzip contents (HandWrittenFiles.hpp).
#include "support/HandWrittenFiles.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdio>

#include "support/TestData.hpp"

namespace samed2d::test {

std::vector<std::uint8_t> gunzip(const std::filesystem::path& file) {
  gzFile f = gzopen(file.c_str(), "rb");
  std::vector<std::uint8_t> out;
  unsigned char buf[65536];
  int n;
  while ((n = gzread(f, buf, sizeof buf)) > 0) out.insert(out.end(), buf, buf + n);
  gzclose(f);
  return out;
}

void write_png(const std::filesystem::path& file, const PngSpec& s) {
  FILE* fp = std::fopen(file.c_str(), "wb");
  ASSERT_NE(fp, nullptr);
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  png_init_io(png, fp);
  png_set_IHDR(png, info, s.width, s.height, s.bit_depth, s.color_type, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (!s.palette.empty())
    png_set_PLTE(png, info, s.palette.data(), static_cast<int>(s.palette.size()));
  if (!s.trns.empty())
    png_set_tRNS(png, info, s.trns.data(), static_cast<int>(s.trns.size()), nullptr);
  if (s.sbit_grey > 0) {
    png_color_8 sbit{};
    sbit.gray = static_cast<png_byte>(s.sbit_grey);
    png_set_sBIT(png, info, &sbit);
  }
  png_write_info(png, info);
  const std::size_t rowbytes = s.rows.size() / s.height;
  for (png_uint_32 r = 0; r < s.height; ++r)
    png_write_row(png, const_cast<png_bytep>(s.rows.data() + r * rowbytes));
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  std::fclose(fp);
}

void write_palette_bmp(const std::filesystem::path& file, int w, int h,
                       const std::vector<std::uint8_t>& index,
                       const std::vector<std::array<std::uint8_t, 3>>& table) {
  const std::size_t stride = (static_cast<std::size_t>(w) + 3) / 4 * 4;
  const std::size_t data_at = 14 + 40 + 4 * table.size();
  std::vector<std::uint8_t> bmp(data_at + stride * h, 0);
  bmp[0] = 'B';
  bmp[1] = 'M';
  put<std::uint32_t>(bmp, 2, static_cast<std::uint32_t>(bmp.size()), false);
  put<std::uint32_t>(bmp, 10, static_cast<std::uint32_t>(data_at), false);
  put<std::uint32_t>(bmp, 14, 40, false);
  put<std::int32_t>(bmp, 18, w, false);
  put<std::int32_t>(bmp, 22, h, false);
  put<std::uint16_t>(bmp, 26, 1, false);  // planes
  put<std::uint16_t>(bmp, 28, 8, false);  // bits per pixel
  put<std::uint32_t>(bmp, 34, static_cast<std::uint32_t>(stride * h), false);
  put<std::uint32_t>(bmp, 46, static_cast<std::uint32_t>(table.size()), false);
  for (std::size_t c = 0; c < table.size(); ++c)
    for (int k = 0; k < 3; ++k) bmp[54 + 4 * c + k] = table[c][2 - k];
  for (int r = 0; r < h; ++r)
    for (int x = 0; x < w; ++x) bmp[data_at + stride * (h - 1 - r) + x] = index[r * w + x];
  write_bytes(file, bmp);
}

}  // namespace samed2d::test
