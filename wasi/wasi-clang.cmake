# CMake toolchain for the WASI build: Debian's clang-14 + wasi-libc + libclang-rt-14-dev-wasm32,
# the wasi-sdk equivalent available from Debian's archive.
#   cmake -S . -B build/wasi -DCMAKE_TOOLCHAIN_FILE=wasi/wasi-clang.cmake
set(CMAKE_SYSTEM_NAME WASI)          # CMake 3.25 has no WASI platform: see Platform/WASI.cmake
list(APPEND CMAKE_MODULE_PATH "${CMAKE_CURRENT_LIST_DIR}")
set(CMAKE_SYSTEM_VERSION 1)
set(CMAKE_SYSTEM_PROCESSOR wasm32)

find_program(WASI_CLANG NAMES clang-14 REQUIRED)
set(CMAKE_C_COMPILER "${WASI_CLANG}")
set(CMAKE_C_COMPILER_TARGET wasm32-wasi) # clang-14 knows no wasm32-wasip1
find_program(WASI_AR NAMES llvm-ar-14 REQUIRED)
find_program(WASI_RANLIB NAMES llvm-ranlib-14 REQUIRED)
set(CMAKE_AR "${WASI_AR}" CACHE FILEPATH "")
set(CMAKE_RANLIB "${WASI_RANLIB}" CACHE FILEPATH "")

# Debian installs wasi-libc under / (/usr/include/wasm32-wasi, /usr/lib/wasm32-wasi), where
# clang-14 finds it without --sysroot. A wasi-sdk sysroot can be given instead.
set(WASI_SYSROOT "" CACHE PATH "wasi-sdk style sysroot (empty: Debian's layout)")
if(WASI_SYSROOT)
  set(CMAKE_SYSROOT "${WASI_SYSROOT}")
endif()

set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# ctest runs command-model .wasm programs through Node's WASI.
find_program(NODE_EXECUTABLE node)
if(NODE_EXECUTABLE)
  set(CMAKE_CROSSCOMPILING_EMULATOR
      "${NODE_EXECUTABLE};--disable-warning=ExperimentalWarning;${CMAKE_CURRENT_LIST_DIR}/run-command.mjs")
endif()
