#include "pipeline/slicing/Resample.hpp"

#include <fmt/format.h>
#include <itkContinuousIndex.h>
#include <itkImage.h>
#include <itkLinearInterpolateImageFunction.h>

#include <algorithm>
#include <cmath>

#include "pipeline/core/Errors.hpp"

namespace samed2d {

namespace {

using Image = itk::Image<double, 3>;

void place(Image* image, const std::array<std::size_t, 3>& size, const Geometry& g) {
  Image::RegionType region;
  Image::SpacingType spacing;
  Image::PointType origin;
  Image::DirectionType direction;
  for (unsigned d = 0; d < 3; ++d) {
    region.SetSize(d, size[d]);
    spacing[d] = g.spacing[d];
    origin[d] = g.origin[d];
    for (unsigned c = 0; c < 3; ++c) direction[d][c] = g.direction[d * 3 + c];
  }
  image->SetRegions(region);
  image->SetSpacing(spacing);
  image->SetOrigin(origin);
  image->SetDirection(direction);
}

// The physical point of voxel index `idx` of a grid.
std::array<double, 3> point_of(const Geometry& g, const std::array<double, 3>& idx) {
  std::array<double, 3> p = g.origin;
  for (unsigned r = 0; r < 3; ++r)
    for (unsigned c = 0; c < 3; ++c) p[r] += g.direction[r * 3 + c] * g.spacing[c] * idx[c];
  return p;
}

}  // namespace

bool on_grid(const Volume& image, const std::array<std::size_t, 3>& size, const Geometry& grid) {
  return image.size() == size && same_geometry(image.geometry, grid);
}

Volume resample_onto(const Volume& image, const std::array<std::size_t, 3>& size,
                     const Geometry& grid, const std::string& image_file,
                     const std::string& grid_file) {
  if (image.components() != 1)
    throw InputError(fmt::format(
        "{}: an image with {} components cannot be resampled onto the label grid; pick one "
        "component in the dataset config",
        image_file, image.components()));
  auto in = Image::New();
  place(in.GetPointer(), image.size(), image.geometry);
  in->Allocate();
  double* buffer = in->GetBufferPointer();
  image.visit([&](const auto* p) {
    for (std::size_t i = 0; i < image.voxel_count(); ++i) buffer[i] = static_cast<double>(p[i]);
  });

  // Every voxel centre of the grid (its 8 corners suffice: both grids are affine) must lie within
  // the image's extent, half a voxel beyond its outer centres included.
  for (unsigned corner = 0; corner < 8; ++corner) {
    std::array<double, 3> idx{};
    for (unsigned d = 0; d < 3; ++d)
      idx[d] = (corner >> d) & 1 ? static_cast<double>(size[d]) - 1 : 0.0;
    const auto p = point_of(grid, idx);
    Image::PointType point;
    for (unsigned d = 0; d < 3; ++d) point[d] = p[d];
    const auto at = in->TransformPhysicalPointToContinuousIndex<double>(point);
    for (unsigned d = 0; d < 3; ++d) {
      constexpr double kTolerance = 1e-3;
      if (!(at[d] >= -0.5 - kTolerance &&
            at[d] <= static_cast<double>(image.size()[d]) - 0.5 + kTolerance))
        throw InputError(fmt::format(
            "{}: does not cover the label map {}: the label's voxel ({:g},{:g},{:g}) at "
            "({:.2f}, {:.2f}, {:.2f}) mm lies outside this image (at its index {:.1f} on axis "
            "{}), so it cannot be resampled onto the label grid; check that the image belongs "
            "to this case, or drop the sequence",
            image_file, grid_file, idx[0], idx[1], idx[2], p[0], p[1], p[2], at[d], d));
    }
  }

  // ITK's linear interpolator at each voxel centre of the grid. The continuous index into the
  // image is affine in the grid's index, so it is found once per axis step; it is clamped to the
  // image's outer voxel centres, so the half voxel beyond them (allowed above) takes the edge
  // values, still interpolated along the other axes.
  auto interpolator = itk::LinearInterpolateImageFunction<Image, double>::New();
  interpolator->SetInputImage(in);
  auto continuous = [&](const std::array<double, 3>& idx) {
    const auto p = point_of(grid, idx);
    Image::PointType point;
    for (unsigned d = 0; d < 3; ++d) point[d] = p[d];
    return in->TransformPhysicalPointToContinuousIndex<double>(point);
  };
  const auto base = continuous({0, 0, 0});
  std::array<itk::ContinuousIndex<double, 3>, 3> step;
  for (unsigned a = 0; a < 3; ++a) {
    std::array<double, 3> unit{0, 0, 0};
    unit[a] = 1;
    const auto at = continuous(unit);
    for (unsigned d = 0; d < 3; ++d) step[a][d] = at[d] - base[d];
  }
  Volume out(VoxelType::Float64, size, 1, false);
  double* o = out.data<double>();
  std::size_t n = 0;
  for (std::size_t k = 0; k < size[2]; ++k)
    for (std::size_t j = 0; j < size[1]; ++j)
      for (std::size_t i = 0; i < size[0]; ++i) {
        itk::ContinuousIndex<double, 3> at;
        for (unsigned d = 0; d < 3; ++d) {
          const double v = base[d] + step[0][d] * static_cast<double>(i) +
                           step[1][d] * static_cast<double>(j) +
                           step[2][d] * static_cast<double>(k);
          at[d] = std::clamp(v, 0.0, static_cast<double>(image.size()[d]) - 1);
        }
        o[n++] = interpolator->EvaluateAtContinuousIndex(at);
      }
  out.geometry = grid;
  out.stored_dimensions = 3;
  out.monochrome1 = image.monochrome1;
  return out;
}

}  // namespace samed2d
