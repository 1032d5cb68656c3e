#pragma once
// A volume in memory, kept in the voxel type of its file: no blanket conversion to float.
// Slices are converted to double one at a time (SPEC section 4).

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace samed2d {

enum class VoxelType : std::uint8_t {
  UInt8,
  Int8,
  UInt16,
  Int16,
  UInt32,
  Int32,
  UInt64,
  Int64,
  Float32,
  Float64
};

std::size_t voxel_type_size(VoxelType t);
const char* voxel_type_name(VoxelType t);

template <class T>
constexpr VoxelType voxel_type_of() {
  if constexpr (std::is_same_v<T, std::uint8_t>)
    return VoxelType::UInt8;
  else if constexpr (std::is_same_v<T, std::int8_t>)
    return VoxelType::Int8;
  else if constexpr (std::is_same_v<T, std::uint16_t>)
    return VoxelType::UInt16;
  else if constexpr (std::is_same_v<T, std::int16_t>)
    return VoxelType::Int16;
  else if constexpr (std::is_same_v<T, std::uint32_t>)
    return VoxelType::UInt32;
  else if constexpr (std::is_same_v<T, std::int32_t>)
    return VoxelType::Int32;
  else if constexpr (std::is_same_v<T, std::uint64_t>)
    return VoxelType::UInt64;
  else if constexpr (std::is_same_v<T, std::int64_t>)
    return VoxelType::Int64;
  else if constexpr (std::is_same_v<T, float>)
    return VoxelType::Float32;
  else {
    static_assert(std::is_same_v<T, double>, "unsupported voxel type");
    return VoxelType::Float64;
  }
}

// Physical placement: warns when image and label disagree (slicing is by index) and gives the
// pixel proportions of profile pixel_spacing "isotropic".
struct Geometry {
  std::array<double, 3> origin{0, 0, 0};
  std::array<double, 3> spacing{1, 1, 1};
  std::array<double, 9> direction{1, 0, 0, 0, 1, 0, 0, 0, 1};  // row-major 3x3
  // False where the file gives no usable spacing (a NIfTI pixdim of 0, a DICOM image without
  // Pixel Spacing) and `spacing` holds 1 in its place: profile pixel_spacing "isotropic" needs it.
  bool spacing_known = true;
};

// Whether two placements agree up to rounding (relative 1e-4): where they do not, the image and
// its label (or two masks of one case) are converted anyway but with a warning.
bool same_geometry(const Geometry& a, const Geometry& b);

// Voxel (i, j, k) of component c is element
//   c * component_stride + (i + Ni * (j + Nj * k)) * voxel_stride
// of the typed buffer. A multi-component pixel (RGB, vector) has voxel_stride = components and
// component_stride = 1; a 4D file has voxel_stride = 1 and component_stride = Ni * Nj * Nk.
// The largest volume a reader may allocate, in voxels times components (`--max-voxels`): a
// corrupt or hostile header ("60000 x 60000 x 60000") is refused before any allocation instead
// of exhausting memory. Process-wide; the default holds a whole-body CT many times over.
inline constexpr std::uint64_t kDefaultMaxVoxels = 2'000'000'000;
void set_max_voxels(std::uint64_t limit);
std::uint64_t max_voxels();

// Thrown by Volume's constructor for a size over max_voxels() (or one whose byte count does not
// fit in memory at all); readers add the file's name and turn it into an InputError.
class VolumeTooLarge : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws VolumeTooLarge when `size` x `components` is over max_voxels(): for readers that need
// buffers of their own before the Volume (libpng's rows), so they check first.
void check_voxel_limit(const std::array<std::size_t, 3>& size, std::size_t components);

class Volume {
 public:
  Volume() = default;
  // `room_before` bytes of writable memory are kept right before raw(), for a reader that
  // decodes a file's header and voxels in one go (NiftiReader with libdeflate): the voxels land
  // in place, without a temporary whole-file buffer and a copy.
  Volume(VoxelType type, std::array<std::size_t, 3> size, std::size_t components,
         bool components_interleaved, std::size_t room_before = 0);

  VoxelType type() const { return type_; }
  // Ni, Nj, Nk; a 2D source has Nk == 1.
  const std::array<std::size_t, 3>& size() const { return size_; }
  std::size_t voxel_count() const { return size_[0] * size_[1] * size_[2]; }
  std::size_t components() const { return components_; }
  std::size_t voxel_stride() const { return voxel_stride_; }
  std::size_t component_stride() const { return component_stride_; }
  std::size_t element_count() const { return voxel_count() * components_; }
  std::size_t byte_size() const { return element_count() * voxel_type_size(type_); }

  // Number of dimensions as stored in the file (2, 3 or 4); a file with two dimensions, or three
  // with the third of size 1, is a 2D source.
  unsigned stored_dimensions = 3;
  bool is_2d() const { return stored_dimensions == 2 || size_[2] == 1; }

  Geometry geometry;
  // A DICOM image whose photometric interpretation is MONOCHROME1 (low values display white):
  // its voxels keep their physical values, and its 8-bit images are written inverted
  // (255 - out), as a viewer shows them (SPEC section 4).
  bool monochrome1 = false;

  void* raw() { return storage_.get(); }
  const void* raw() const { return storage_.get(); }

  template <class T>
  T* data() {
    check_type<T>();
    return static_cast<T*>(raw());
  }
  template <class T>
  const T* data() const {
    check_type<T>();
    return static_cast<const T*>(raw());
  }

  // Calls f(const T* elements) with T the volume's voxel type.
  template <class F>
  decltype(auto) visit(F&& f) const {
    switch (type_) {
      case VoxelType::UInt8:
        return f(data<std::uint8_t>());
      case VoxelType::Int8:
        return f(data<std::int8_t>());
      case VoxelType::UInt16:
        return f(data<std::uint16_t>());
      case VoxelType::Int16:
        return f(data<std::int16_t>());
      case VoxelType::UInt32:
        return f(data<std::uint32_t>());
      case VoxelType::Int32:
        return f(data<std::int32_t>());
      case VoxelType::UInt64:
        return f(data<std::uint64_t>());
      case VoxelType::Int64:
        return f(data<std::int64_t>());
      case VoxelType::Float32:
        return f(data<float>());
      case VoxelType::Float64:
        break;
    }
    return f(data<double>());
  }

 private:
  template <class T>
  void check_type() const {
    if (voxel_type_of<T>() != type_) throw std::logic_error("Volume: wrong voxel type requested");
  }

  VoxelType type_ = VoxelType::UInt8;
  std::array<std::size_t, 3> size_{0, 0, 0};
  std::size_t components_ = 1;
  std::size_t voxel_stride_ = 1;
  std::size_t component_stride_ = 1;
  // 64-byte aligned, uninitialised storage (a volume is filled by its reader right away); the
  // allocation starts `room_before` bytes (rounded up to 64) before it.
  struct Free {
    Free() noexcept : room_before(0) {}
    explicit Free(std::size_t room) noexcept : room_before(room) {}
    std::size_t room_before;
    void operator()(void* p) const;
  };
  std::unique_ptr<void, Free> storage_;
};

}  // namespace samed2d
