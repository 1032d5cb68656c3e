// The helpers the format readers share (FormatReader.hpp): magic bytes, file name extensions and
// a colour raster read as a label map.
#include "pipeline/io/FormatReader.hpp"

#include <cctype>
#include <cstring>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "pipeline/core/Errors.hpp"

namespace samed2d {

bool file_starts_with(const std::filesystem::path& file, std::string_view magic) {
  std::unique_ptr<std::FILE, FileCloser> fp(std::fopen(file.c_str(), "rb"));
  std::vector<char> head(magic.size());
  return fp && std::fread(head.data(), 1, head.size(), fp.get()) == head.size() &&
         std::memcmp(head.data(), magic.data(), magic.size()) == 0;
}

bool has_extension(const std::filesystem::path& file, const char* ext) {
  std::string name = file.filename().string();
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const std::string e(ext);
  return name.size() > e.size() && name.compare(name.size() - e.size(), e.size(), e) == 0;
}

// A colour raster read as a label map: BUSI-style masks store grey values in all three channels,
// which is one label per pixel; any pixel whose channels differ means the colours themselves
// encode the classes, which no label value can stand for.
Volume single_channel_label(const std::filesystem::path& file, Volume v) {
  if (v.components() <= 1) return v;
  const std::size_t comps = v.components();
  // Not a structured binding: clang 14 (the fuzz build) cannot capture one in the lambda below.
  const std::size_t ni = v.size()[0], nj = v.size()[1], nk = v.size()[2];
  Volume out(v.type(), v.size(), 1, true);
  out.stored_dimensions = v.stored_dimensions;
  out.geometry = v.geometry;
  v.visit([&](const auto* in) {
    using T = std::remove_const_t<std::remove_pointer_t<decltype(in)>>;
    T* dst = out.data<T>();
    for (std::size_t p = 0; p < v.voxel_count(); ++p) {
      const T* px = in + p * v.voxel_stride();
      for (std::size_t c = 1; c < comps; ++c) {
        if (px[c * v.component_stride()] == px[0]) continue;
        const std::size_t x = p % ni, y = (p / ni) % nj, z = p / (ni * nj);
        const std::string at = "(" + std::to_string(x) + ", " + std::to_string(y) +
                               (nk > 1 ? ", " + std::to_string(z) : std::string()) + ")";
        throw InputError(file.string() +
                         ": label map is a colour image (channels differ at pixel " + at +
                         "); save it as 8-bit grey or indexed colour with the label values as "
                         "indices");
      }
      dst[p] = px[0];
    }
  });
  return out;
}

}  // namespace samed2d
