// samed2d's NIfTI-1/2 reader (NiftiReader.hpp): the header parsed by its byte layout, the voxels
// read straight into the Volume and scaled to physical values.
#include "pipeline/io/NiftiReader.hpp"

#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "pipeline/core/Errors.hpp"
#include "pipeline/io/GzipFile.hpp"

namespace samed2d {

namespace {

constexpr std::size_t kNifti1HeaderSize = 348;
constexpr std::size_t kNifti2HeaderSize = 540;

// NIfTI datatype codes (nifti1.h).
enum : std::int32_t {
  kUInt8 = 2,
  kInt16 = 4,
  kInt32 = 8,
  kFloat32 = 16,
  kFloat64 = 64,
  kRgb24 = 128,
  kInt8 = 256,
  kUInt16 = 512,
  kUInt32 = 768,
  kInt64 = 1024,
  kUInt64 = 1280,
  kRgba32 = 2304,
};

template <class T>
T byteswapped(T v) {
  unsigned char b[sizeof(T)];
  std::memcpy(b, &v, sizeof(T));
  std::reverse(b, b + sizeof(T));
  std::memcpy(&v, b, sizeof(T));
  return v;
}

template <class T>
T load(const unsigned char* bytes, std::size_t offset, bool swap) {
  T v;
  std::memcpy(&v, bytes + offset, sizeof(T));
  return swap ? byteswapped(v) : v;
}

void swap_elements(void* data, std::size_t count, std::size_t size) {
  auto* p = static_cast<unsigned char*>(data);
  for (std::size_t e = 0; e < count; ++e, p += size) std::reverse(p, p + size);
}

struct TypeInfo {
  VoxelType type;
  std::size_t components;  // per voxel in the file
};

std::optional<TypeInfo> type_info(std::int32_t datatype) {
  switch (datatype) {
    case kUInt8:
      return TypeInfo{VoxelType::UInt8, 1};
    case kInt8:
      return TypeInfo{VoxelType::Int8, 1};
    case kInt16:
      return TypeInfo{VoxelType::Int16, 1};
    case kUInt16:
      return TypeInfo{VoxelType::UInt16, 1};
    case kInt32:
      return TypeInfo{VoxelType::Int32, 1};
    case kUInt32:
      return TypeInfo{VoxelType::UInt32, 1};
    case kInt64:
      return TypeInfo{VoxelType::Int64, 1};
    case kUInt64:
      return TypeInfo{VoxelType::UInt64, 1};
    case kFloat32:
      return TypeInfo{VoxelType::Float32, 1};
    case kFloat64:
      return TypeInfo{VoxelType::Float64, 1};
    case kRgb24:
      return TypeInfo{VoxelType::UInt8, 3};
    case kRgba32:
      return TypeInfo{VoxelType::UInt8, 4};
    default:
      return std::nullopt;
  }
}

// Where the fields of a NIfTI-1 or NIfTI-2 header lie (nifti1.h, nifti2.h). Their types differ
// too: see parse_fields.
struct HeaderLayout {
  std::size_t magic;
  const char* single_file_magic;
  const char* pair_magic;
  std::size_t datatype, dim, pixdim, vox_offset, scl_slope, qform_code, quatern, srow;
};
constexpr HeaderLayout kNifti1Layout{344, "n+1", "ni1", 70, 40, 76, 108, 112, 252, 256, 280};
constexpr HeaderLayout kNifti2Layout{4, "n+2", "ni2", 12, 16, 104, 168, 176, 344, 352, 400};

// The fields both versions share, Dim being the type of dim[], Real that of pixdim, scl_*,
// quatern and srow, Code that of qform_code and sform_code. nullopt when the magic is neither of
// the layout's.
template <class Dim, class Real, class Code>
std::optional<NiftiHeader> parse_fields(const unsigned char* h, bool s, const HeaderLayout& at) {
  NiftiHeader hd;
  hd.swapped = s;
  const char* magic = reinterpret_cast<const char*>(h + at.magic);
  if (std::memcmp(magic, at.single_file_magic, 4) == 0)
    hd.single_file = true;
  else if (std::memcmp(magic, at.pair_magic, 4) == 0)
    hd.single_file = false;
  else
    return std::nullopt;  // Analyze 7.5 for a NIfTI-1 size
  hd.datatype = load<std::int16_t>(h, at.datatype, s);
  for (std::size_t d = 0; d < 8; ++d) {
    hd.dim[d] = load<Dim>(h, at.dim + sizeof(Dim) * d, s);
    hd.pixdim[d] = load<Real>(h, at.pixdim + sizeof(Real) * d, s);
  }
  hd.scl_slope = load<Real>(h, at.scl_slope, s);
  hd.scl_inter = load<Real>(h, at.scl_slope + sizeof(Real), s);
  hd.qform_code = load<Code>(h, at.qform_code, s);
  hd.sform_code = load<Code>(h, at.qform_code + sizeof(Code), s);
  for (std::size_t q = 0; q < 6; ++q)
    hd.quatern[q] = load<Real>(h, at.quatern + sizeof(Real) * q, s);
  for (std::size_t r = 0; r < 12; ++r) hd.srow[r] = load<Real>(h, at.srow + sizeof(Real) * r, s);
  return hd;
}

std::optional<NiftiHeader> parse_header(const unsigned char* h, std::size_t n) {
  if (n < kNifti1HeaderSize) return std::nullopt;
  const auto sizeof_hdr = load<std::int32_t>(h, 0, false);
  const auto swapped_size = byteswapped(sizeof_hdr);
  if (sizeof_hdr == 348 || swapped_size == 348) {
    const HeaderLayout& at = kNifti1Layout;
    auto hd = parse_fields<std::int16_t, float, std::int16_t>(h, sizeof_hdr != 348, at);
    if (!hd) return hd;
    hd->version = 1;
    // A float: NaN, infinite or beyond any file (1e30 does not fit in 64 bits, and casting it
    // would be undefined) is -1, which the NiftiReader constructor reports.
    const double vox_offset = load<float>(h, at.vox_offset, hd->swapped);
    hd->vox_offset = std::isfinite(vox_offset) && vox_offset >= 0 && vox_offset < 0x1p53
                         ? static_cast<std::int64_t>(vox_offset)
                         : -1;
    return hd;
  }
  if (sizeof_hdr == 540 || swapped_size == 540) {
    if (n < kNifti2HeaderSize) return std::nullopt;
    const HeaderLayout& at = kNifti2Layout;
    auto hd = parse_fields<std::int64_t, double, std::int32_t>(h, sizeof_hdr != 540, at);
    if (!hd) return hd;
    hd->version = 2;
    hd->vox_offset = load<std::int64_t>(h, at.vox_offset, hd->swapped);
    return hd;
  }
  return std::nullopt;
}

std::string str(const std::filesystem::path& p) {
  return p.string();
}

template <class T>
bool all_float_exact(const T* in, std::size_t n, NiftiScaling sc) {
  for (std::size_t e = 0; e < n; ++e) {
    const double v = static_cast<double>(in[e]) * sc.slope + sc.inter;
    if (!std::isfinite(v)) continue;  // inf and NaN exist in float too
    if (static_cast<double>(static_cast<float>(v)) != v) return false;
  }
  return true;
}

template <class T, class Out>
void scale_into(const T* in, Out* out, std::size_t n, NiftiScaling sc) {
  for (std::size_t e = 0; e < n; ++e)
    out[e] = static_cast<Out>(static_cast<double>(in[e]) * sc.slope + sc.inter);
}

}  // namespace

std::optional<NiftiHeader> NiftiReader::probe(const std::filesystem::path& file) {
  GzFile f = open_gz(file, false);
  unsigned char h[kNifti2HeaderSize] = {};
  bool error = false;
  const std::size_t n = gz_read_all(f.get(), h, sizeof h, error);
  return parse_header(h, n);
}

NiftiReader::NiftiReader(std::filesystem::path file) : file_(std::move(file)) {
  auto parsed = probe(file_);
  if (!parsed)
    throw InputError(str(file_) +
                     ": not a NIfTI-1 or NIfTI-2 file (no valid header: truncated, corrupt or "
                     "another format); check the file or re-export it");
  header_ = *parsed;
  const NiftiHeader& h = header_;
  if (!h.single_file)
    throw InputError(str(file_) +
                     ": NIfTI header/image pair (.hdr/.img) is not supported by samed2d's NIfTI "
                     "reader; convert it to a single .nii or .nii.gz file");
  const std::int64_t ndim = h.dim[0];
  if (ndim < 1 || ndim > 7)
    throw InputError(str(file_) + ": NIfTI dim[0] is " + std::to_string(ndim) +
                     " (must be 1..7); the header is corrupt, re-export the file");
  for (std::int64_t d = 1; d <= ndim; ++d)
    if (h.dim[d] <= 0)
      throw InputError(str(file_) + ": NIfTI dimension " + std::to_string(d) + " has size " +
                       std::to_string(h.dim[d]) + " (zero-sized image); re-export the file");
  if (!type_info(h.datatype))
    throw InputError(str(file_) + ": NIfTI datatype " + std::to_string(h.datatype) +
                     " is not supported (only integer, float32/64, RGB24 and RGBA32 voxels); "
                     "convert the file to a supported datatype");
  const std::size_t hdr_size = h.version == 1 ? kNifti1HeaderSize : kNifti2HeaderSize;
  if (h.vox_offset < 0)
    throw InputError(str(file_) +
                     ": NIfTI vox_offset is not a byte offset (negative, NaN, infinite or far "
                     "beyond any file); the header is corrupt, re-export the file");
  if (h.vox_offset < static_cast<std::int64_t>(hdr_size))
    throw InputError(str(file_) + ": NIfTI vox_offset " + std::to_string(h.vox_offset) +
                     " lies inside the header; the header is corrupt, re-export the file");
}

Geometry NiftiReader::geometry(bool ignore_direction) const {
  const NiftiHeader& h = header_;
  Geometry g;
  for (int d = 0; d < 3; ++d) {
    const double sp = std::abs(h.pixdim[d + 1]);
    const bool usable = std::isfinite(sp) && sp > 0;
    g.spacing[d] = (h.dim[0] > d && usable) ? sp : 1.0;
    if (h.dim[0] > d && !usable) g.spacing_known = false;
  }
  std::array<double, 9> ras{1, 0, 0, 0, 1, 0, 0, 0, 1};
  std::array<double, 3> origin{0, 0, 0};
  if (h.qform_code > 0) {
    const double b = h.quatern[0], c = h.quatern[1], d = h.quatern[2];
    const double a = std::sqrt(std::max(0.0, 1.0 - (b * b + c * c + d * d)));
    const double qfac = h.pixdim[0] < 0 ? -1.0 : 1.0;
    ras = {a * a + b * b - c * c - d * d,
           2 * (b * c - a * d),
           2 * (b * d + a * c) * qfac,
           2 * (b * c + a * d),
           a * a + c * c - b * b - d * d,
           2 * (c * d - a * b) * qfac,
           2 * (b * d - a * c),
           2 * (c * d + a * b),
           (a * a + d * d - c * c - b * b) * qfac};
    origin = {h.quatern[3], h.quatern[4], h.quatern[5]};
  } else if (h.sform_code > 0) {
    for (int col = 0; col < 3; ++col) {
      double norm = 0;
      for (int row = 0; row < 3; ++row) norm += h.srow[row * 4 + col] * h.srow[row * 4 + col];
      norm = std::sqrt(norm);
      for (int row = 0; row < 3; ++row)
        ras[row * 3 + col] = norm > 0 ? h.srow[row * 4 + col] / norm : (row == col ? 1.0 : 0.0);
    }
    origin = {h.srow[3], h.srow[7], h.srow[11]};
  }
  // NIfTI is RAS, ITK is LPS: the first two world axes change sign.
  for (int col = 0; col < 3; ++col) {
    ras[0 * 3 + col] = -ras[0 * 3 + col];
    ras[1 * 3 + col] = -ras[1 * 3 + col];
  }
  if (ignore_direction) ras = {1, 0, 0, 0, 1, 0, 0, 0, 1};
  g.direction = ras;
  g.origin = {-origin[0], -origin[1], origin[2]};
  return g;
}

Volume NiftiReader::read() const {
  const NiftiHeader& h = header_;
  const TypeInfo ti = *type_info(h.datatype);
  std::array<std::int64_t, 8> dim{};
  for (int d = 1; d < 8; ++d) dim[d] = d <= h.dim[0] ? h.dim[d] : 1;
  if (dim[6] > 1 || dim[7] > 1)
    throw InputError(str(file_) +
                     ": NIfTI with more than 5 dimensions is not supported; split the file");
  // A 5th dimension with t == 1 is how NIfTI stores vector voxels: its planes lie one after the
  // other exactly like the volumes of a 4D file, so both become non-interleaved components.
  if ((dim[4] > 1 && dim[5] > 1) || (ti.components > 1 && (dim[4] > 1 || dim[5] > 1)))
    throw InputError(str(file_) +
                     ": 4D NIfTI with multi-component voxels is not supported; split it into "
                     "one file per component or per volume");
  const std::size_t planes = static_cast<std::size_t>(dim[4] * dim[5]);
  const std::array<std::size_t, 3> size{static_cast<std::size_t>(dim[1]),
                                        static_cast<std::size_t>(dim[2]),
                                        static_cast<std::size_t>(dim[3])};
  const bool interleaved = ti.components > 1;
  const std::size_t components = interleaved ? ti.components : planes;
  const std::size_t elem = voxel_type_size(ti.type);
  const std::size_t voxels = size[0] * size[1] * size[2];
  // Guard against headers whose sizes overflow before allocating anything.
  if (voxels / size[0] / size[1] != size[2] ||
      voxels > std::numeric_limits<std::size_t>::max() / (components * elem))
    throw InputError(str(file_) + ": NIfTI dimensions are absurdly large; the header is corrupt");

  const std::size_t bytes = voxels * components * elem;
  const auto offset = static_cast<std::size_t>(h.vox_offset);
  std::optional<GzipBytes> gz;
  if (bytes <= std::numeric_limits<std::size_t>::max() - offset)
    gz = read_gzip_bytes(file_, offset + bytes);
  // libdeflate decodes the header too: into room kept before the voxels, so that they land in
  // place. RGBA loses its alpha (SPEC section 4), so it is read into a scratch buffer first.
  const bool strip_alpha = ti.components == 4;
  const std::size_t room = gz ? offset : 0;
  Volume v(ti.type, size, strip_alpha ? 3 : components, interleaved, strip_alpha ? 0 : room);
  v.stored_dimensions = h.dim[0] <= 2 ? 2u : (planes > 1 ? 4u : 3u);
  std::vector<unsigned char> scratch;
  auto* target = static_cast<unsigned char*>(v.raw());
  if (strip_alpha) {
    scratch.resize(room + bytes);
    target = scratch.data() + room;
  }

  const bool decoded = gz && inflate_whole(*gz, target - room, room + bytes);
  gz.reset();
  if (!decoded) {
    GzFile f = open_gz(file_, true);
    if (gzseek(f.get(), static_cast<z_off_t>(h.vox_offset), SEEK_SET) != h.vox_offset)
      throw InputError(str(file_) + ": NIfTI data offset " + std::to_string(h.vox_offset) +
                       " lies beyond the end of the file (" + gz_error_text(f.get()) +
                       "); the file is truncated or corrupt, re-download or re-export it");
    bool error = false;
    const std::size_t got = gz_read_all(f.get(), target, bytes, error);
    if (got != bytes)
      throw InputError(str(file_) + ": NIfTI data ends early (read " + std::to_string(got) +
                       " of " + std::to_string(bytes) + " bytes: " + gz_error_text(f.get()) +
                       "); the file is truncated or corrupt, re-download or re-export it");
  }
  if (h.swapped && elem > 1) swap_elements(target, voxels * components, elem);
  if (strip_alpha) {
    auto* out = static_cast<unsigned char*>(v.raw());
    for (std::size_t p = 0; p < voxels; ++p)
      for (int c = 0; c < 3; ++c) out[p * 3 + c] = scratch[room + p * 4 + c];
  }
  v.geometry = geometry(false);
  if (auto sc = nifti_scaling(h)) return apply_scaling(v, *sc);
  return v;
}

std::optional<NiftiScaling> nifti_scaling(const NiftiHeader& h) {
  if (h.datatype == kRgb24 || h.datatype == kRgba32) return std::nullopt;
  if (!std::isfinite(h.scl_slope) || h.scl_slope == 0) return std::nullopt;
  const double inter = std::isfinite(h.scl_inter) ? h.scl_inter : 0.0;
  if (h.scl_slope == 1 && inter == 0) return std::nullopt;
  return NiftiScaling{h.scl_slope, inter};
}

Volume apply_scaling(const Volume& raw, NiftiScaling sc) {
  const std::size_t n = raw.element_count();
  const bool exact = raw.visit([&](const auto* in) { return all_float_exact(in, n, sc); });
  const bool interleaved = raw.components() > 1 && raw.voxel_stride() == raw.components();
  Volume out(exact ? VoxelType::Float32 : VoxelType::Float64, raw.size(), raw.components(),
             interleaved);
  out.stored_dimensions = raw.stored_dimensions;
  out.geometry = raw.geometry;
  raw.visit([&](const auto* in) {
    if (exact)
      scale_into(in, out.data<float>(), n, sc);
    else
      scale_into(in, out.data<double>(), n, sc);
  });
  return out;
}

}  // namespace samed2d
