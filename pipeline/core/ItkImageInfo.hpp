#pragma once
// What samed2d takes from ITK's ImageIOBase: component types as voxel types (by size, since
// ITK's LONG is 4 or 8 bytes) and the placement of the image.

#include <itkImageIOBase.h>

#include <optional>

#include "pipeline/core/Volume.hpp"

namespace samed2d {

// nullopt for a type samed2d does not keep (complex, bool, unknown).
std::optional<VoxelType> voxel_type(itk::IOComponentEnum c);

// Origin, spacing and direction of the first three dimensions of an ImageIO that has read its
// image information.
Geometry geometry_of(const itk::ImageIOBase& io);

}  // namespace samed2d
