# Every find_package of the project lives here. Only Debian 12 packages are used.
find_package(ITK 5.2 REQUIRED COMPONENTS
  ITKCommon
  ITKIOImageBase
  ITKIONIFTI
  ITKIOMeta
  ITKIONRRD
  ITKIOPNG
  ITKIOJPEG
  ITKIOBMP
  ITKIOTIFF
  ITKIOGDCM
  ITKGDCM)
# Registers the IO factories listed above (and only those) for ImageIOFactory.
include(${ITK_USE_FILE})

find_package(TBB REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(fmt REQUIRED)
find_package(PNG REQUIRED)
# JPEG is decoded with libjpeg directly: ITK 5.2's JPEG reader crashes on damaged files (see
# pipeline/io/JpegReader.cpp).
find_package(JPEG REQUIRED)
find_package(ZLIB REQUIRED)
# libdeflate decodes .nii.gz about twice as fast as zlib. Debian 12's libdeflate-dev (1.14) ships
# only pkg-config's libdeflate.pc; upstream's CMake package config exists from 1.15 on.
find_package(libdeflate CONFIG QUIET)
if(TARGET libdeflate::libdeflate_shared)
  set(SAMED2D_LIBDEFLATE libdeflate::libdeflate_shared)
else()
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(LIBDEFLATE REQUIRED IMPORTED_TARGET libdeflate)
  set(SAMED2D_LIBDEFLATE PkgConfig::LIBDEFLATE)
endif()
find_package(CLI11 REQUIRED)
find_package(Threads REQUIRED)

if(SAMED2D_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(SAMED2D_BUILD_BENCHMARKS)
  find_package(benchmark REQUIRED)
endif()
