#include "pipeline/core/ItkImageInfo.hpp"

#include <algorithm>
#include <vector>

namespace samed2d {

std::optional<VoxelType> voxel_type(itk::IOComponentEnum c) {
  using C = itk::IOComponentEnum;
  auto by_size = [](std::size_t bytes, bool is_signed) -> std::optional<VoxelType> {
    switch (bytes) {
      case 1:
        return is_signed ? VoxelType::Int8 : VoxelType::UInt8;
      case 2:
        return is_signed ? VoxelType::Int16 : VoxelType::UInt16;
      case 4:
        return is_signed ? VoxelType::Int32 : VoxelType::UInt32;
      case 8:
        return is_signed ? VoxelType::Int64 : VoxelType::UInt64;
      default:
        return std::nullopt;
    }
  };
  switch (c) {
    case C::UCHAR:
      return VoxelType::UInt8;
    case C::CHAR:
      return VoxelType::Int8;
    case C::USHORT:
      return VoxelType::UInt16;
    case C::SHORT:
      return VoxelType::Int16;
    case C::UINT:
      return by_size(sizeof(unsigned int), false);
    case C::INT:
      return by_size(sizeof(int), true);
    case C::ULONG:
      return by_size(sizeof(unsigned long), false);
    case C::LONG:
      return by_size(sizeof(long), true);
    case C::ULONGLONG:
      return by_size(sizeof(unsigned long long), false);
    case C::LONGLONG:
      return by_size(sizeof(long long), true);
    case C::FLOAT:
      return VoxelType::Float32;
    case C::DOUBLE:
      return VoxelType::Float64;
    default:
      return std::nullopt;
  }
}

Geometry geometry_of(const itk::ImageIOBase& io) {
  Geometry g;
  const unsigned n = std::min(io.GetNumberOfDimensions(), 3u);
  for (unsigned d = 0; d < n; ++d) {
    g.origin[d] = io.GetOrigin(d);
    g.spacing[d] = io.GetSpacing(d);
    const std::vector<double> col = io.GetDirection(d);
    for (unsigned r = 0; r < n && r < col.size(); ++r) g.direction[r * 3 + d] = col[r];
  }
  return g;
}

}  // namespace samed2d
