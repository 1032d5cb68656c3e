#pragma once
// ITK's component types as samed2d voxel types (by size, since ITK's LONG is 4 or 8 bytes).

#include <itkImageIOBase.h>

#include <optional>

#include "Volume.hpp"

namespace samed2d {

// nullopt for a type samed2d does not keep (complex, bool, unknown).
std::optional<VoxelType> voxel_type(itk::IOComponentEnum c);

}  // namespace samed2d
