#include "pipeline/core/Volume.hpp"

#include <fmt/format.h>
#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <new>

namespace samed2d {

std::size_t voxel_type_size(VoxelType t) {
  switch (t) {
    case VoxelType::UInt8:
    case VoxelType::Int8:
      return 1;
    case VoxelType::UInt16:
    case VoxelType::Int16:
      return 2;
    case VoxelType::UInt32:
    case VoxelType::Int32:
    case VoxelType::Float32:
      return 4;
    case VoxelType::UInt64:
    case VoxelType::Int64:
    case VoxelType::Float64:
      return 8;
  }
  return 1;
}

const char* voxel_type_name(VoxelType t) {
  switch (t) {
    case VoxelType::UInt8:
      return "uint8";
    case VoxelType::Int8:
      return "int8";
    case VoxelType::UInt16:
      return "uint16";
    case VoxelType::Int16:
      return "int16";
    case VoxelType::UInt32:
      return "uint32";
    case VoxelType::Int32:
      return "int32";
    case VoxelType::UInt64:
      return "uint64";
    case VoxelType::Int64:
      return "int64";
    case VoxelType::Float32:
      return "float32";
    case VoxelType::Float64:
      return "float64";
  }
  return "?";
}

namespace {

bool close_enough(double a, double b) {
  return std::fabs(a - b) <= 1e-4 * std::max({1.0, std::fabs(a), std::fabs(b)});
}

}  // namespace

bool same_geometry(const Geometry& a, const Geometry& b) {
  for (std::size_t d = 0; d < 3; ++d)
    if (!close_enough(a.origin[d], b.origin[d]) || !close_enough(a.spacing[d], b.spacing[d]))
      return false;
  for (std::size_t d = 0; d < 9; ++d)
    if (!close_enough(a.direction[d], b.direction[d])) return false;
  return true;
}

void Volume::Free::operator()(void* p) const {
  std::free(static_cast<unsigned char*>(p) - room_before);
}

namespace {
std::atomic<std::uint64_t> g_max_voxels{kDefaultMaxVoxels};
}  // namespace

void set_max_voxels(std::uint64_t limit) {
  g_max_voxels.store(limit);
}
std::uint64_t max_voxels() {
  return g_max_voxels.load();
}

void check_voxel_limit(const std::array<std::size_t, 3>& size, std::size_t components) {
  // Overflow-safe: a header may claim sizes whose product does not fit in 64 bits.
  const std::uint64_t limit = max_voxels();
  std::uint64_t n = std::max<std::size_t>(components, 1);
  bool over = false;
  for (const std::size_t d : size) {
    if (d != 0 && n > limit / d) over = true;
    n = over ? n : n * d;
  }
  if (over || n > limit)
    throw VolumeTooLarge(fmt::format(
        "its size {} x {} x {}{} is more than the {} voxels samed2d reads at most; the header "
        "is probably corrupt (re-download the file), or raise --max-voxels if the volume "
        "really is that large",
        size[0], size[1], size[2],
        components > 1 ? fmt::format(" x {} components", components) : std::string(), limit));
}

namespace {

// A volume is written once, right after allocation, by its reader: on 4 KiB pages a 512x512x600
// CT and its label map take over 100,000 page faults to fill (a second of system CPU on this
// project's virtual machines, all of it before the first slice can start). Transparent huge
// pages (2 MiB; granted where the kernel's setting is "madvise" or "always") take 512 times
// fewer. Small volumes are left alone.
void advise_huge_pages(void* p, std::size_t bytes) {
  constexpr std::size_t kMin = std::size_t{16} << 20;
  if (bytes < kMin) return;
  constexpr std::size_t kPage = 4096;
  const auto begin = (reinterpret_cast<std::uintptr_t>(p) + kPage - 1) / kPage * kPage;
  const auto end = (reinterpret_cast<std::uintptr_t>(p) + bytes) / kPage * kPage;
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
}

}  // namespace

Volume::Volume(VoxelType type, std::array<std::size_t, 3> size, std::size_t components,
               bool components_interleaved, std::size_t room_before)
    : type_(type), size_(size), components_(components) {
  if (components_ == 0) components_ = 1;
  check_voxel_limit(size_, components_);
  if (components_interleaved) {
    voxel_stride_ = components_;
    component_stride_ = 1;
  } else {
    voxel_stride_ = 1;
    component_stride_ = voxel_count();
  }
  std::size_t bytes = byte_size();
  std::size_t rounded = ((bytes + 63) / 64) * 64;
  if (rounded == 0) rounded = 64;
  const std::size_t room = ((room_before + 63) / 64) * 64;
  if (room < room_before || rounded > SIZE_MAX - room) throw std::bad_alloc();
  auto* p = static_cast<unsigned char*>(std::aligned_alloc(64, room + rounded));
  if (p == nullptr) throw std::bad_alloc();
  advise_huge_pages(p, room + rounded);
  storage_ = std::unique_ptr<void, Free>(p + room, Free{room});
}

}  // namespace samed2d
