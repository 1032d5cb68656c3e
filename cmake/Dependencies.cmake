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
find_package(ZLIB REQUIRED)
find_package(CLI11 REQUIRED)
find_package(Threads REQUIRED)

if(SAMED2D_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(SAMED2D_BUILD_BENCHMARKS)
  find_package(benchmark REQUIRED)
endif()
