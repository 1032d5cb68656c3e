# The libFuzzer build (SAMED2D_FUZZ=ON; the top-level CMakeLists.txt turns tests and benchmarks
# off): clang only, every object instrumented for coverage and checked by ASan and UBSan, whose
# reports abort so that libFuzzer keeps the input. Included after Dependencies.cmake (it needs
# ITK's include folder).
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "SAMED2D_FUZZ needs clang (libFuzzer is part of clang), but the C++ "
    "compiler is ${CMAKE_CXX_COMPILER_ID}; configure a fresh build folder with "
    "-DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ (scripts/fuzz.sh does)")
endif()
if(SAMED2D_SANITIZE)
  message(FATAL_ERROR "SAMED2D_FUZZ builds with ASan and UBSan already; leave SAMED2D_SANITIZE off "
    "in a fuzz build")
endif()

add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
  -fno-omit-frame-pointer)
add_link_options(-fsanitize=address,undefined)

# Debian's ITK 5.2 generated itk_compiler_detection.h with gcc, and it stops every other compiler
# with "#error Unsupported compiler". A copy that also knows clang (its feature list taken from
# the clang one ITK ships for VXL) is force-included first; its include guard then turns ITK's
# own copy into a no-op. The ITK libraries stay gcc-built: both sides use libstdc++.
find_file(SAMED2D_ITK_COMPILER_DETECTION itk_compiler_detection.h PATHS ${ITK_INCLUDE_DIRS}
  NO_DEFAULT_PATH REQUIRED)
get_filename_component(itk_include_dir ${SAMED2D_ITK_COMPILER_DETECTION} DIRECTORY)
set(itk_clang_dir ${CMAKE_BINARY_DIR}/itk-clang)
file(READ ${SAMED2D_ITK_COMPILER_DETECTION} detection)
set(gcc_only "#  else\n#    error Unsupported compiler")
string(FIND "${detection}" "${gcc_only}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "${SAMED2D_ITK_COMPILER_DETECTION} is not the gcc-only header "
    "cmake/Fuzz.cmake knows; adapt its clang copy")
endif()
string(REPLACE "${gcc_only}" "#  elif ITK_COMPILER_IS_Clang\n\n#    include \"compilers/ITK_COMPILER_INFO_Clang_CXX.h\"\n\n${gcc_only}"
  detection "${detection}")
file(READ ${itk_include_dir}/compilers/VXL_COMPILER_INFO_Clang_CXX.h clang_info)
string(REPLACE "VXL_" "ITK_" clang_info "${clang_info}")
file(WRITE ${itk_clang_dir}/itk_compiler_detection.h "${detection}")
file(WRITE ${itk_clang_dir}/compilers/ITK_COMPILER_INFO_Clang_CXX.h "${clang_info}")
string(APPEND CMAKE_CXX_FLAGS " -include ${itk_clang_dir}/itk_compiler_detection.h")
