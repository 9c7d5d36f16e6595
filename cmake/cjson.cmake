# cJSON 1.7.15 for whichever toolchain is active (gcc, emcc, clang --target=wasm32-wasi).
# It is obtained by the build and never committed. Resolution order:
#   1. -DCJSON_SOURCE_DIR=/path   a directory holding cJSON.c and cJSON.h
#   2. ${PT_DEPS_DIR}/cjson-*     an earlier download (shared by every build directory)
#   3. `apt-get source cjson`     Debian's 1.7.15 with its security patches (needs deb-src)
#   4. FetchContent               the upstream v1.7.15 tarball
# Both 3 and 4 are pinned by one hash: Debian's orig tarball is byte-identical to upstream's.
set(PT_DEPS_DIR "${PROJECT_SOURCE_DIR}/.deps" CACHE PATH "Where fetched dependency sources live")
set(CJSON_SOURCE_DIR "" CACHE PATH "Directory containing cJSON.c and cJSON.h")
option(CJSON_ALLOW_APT "Obtain cJSON with `apt-get source cjson`" ON)
option(CJSON_ALLOW_FETCH "Fall back to downloading the upstream tarball" ON)
set(CJSON_ORIG_SHA256 5308fd4bd90cef7aa060558514de6a1a4a0819974a26e6ed13973c5f624c24b2)
set(CJSON_URL "https://github.com/DaveGamble/cJSON/archive/refs/tags/v1.7.15.tar.gz"
    CACHE STRING "Upstream cJSON 1.7.15 tarball")

function(_pt_cjson_find out)
  file(GLOB _dirs LIST_DIRECTORIES true "${PT_DEPS_DIR}/cjson-1.7.15*")
  foreach(d IN LISTS _dirs)
    if(EXISTS "${d}/cJSON.c" AND EXISTS "${d}/cJSON.h")
      set(${out} "${d}" PARENT_SCOPE)
      return()
    endif()
  endforeach()
  set(${out} "" PARENT_SCOPE)
endfunction()

if(NOT CJSON_SOURCE_DIR)
  _pt_cjson_find(_found)
  if(NOT _found AND CJSON_ALLOW_APT)
    find_program(APT_GET_EXECUTABLE apt-get)
    find_program(DPKG_SOURCE_EXECUTABLE dpkg-source)
    if(APT_GET_EXECUTABLE AND DPKG_SOURCE_EXECUTABLE)
      file(MAKE_DIRECTORY "${PT_DEPS_DIR}")
      message(STATUS "cJSON: apt-get source cjson -> ${PT_DEPS_DIR}")
      execute_process(COMMAND "${APT_GET_EXECUTABLE}" source -qq cjson
                      WORKING_DIRECTORY "${PT_DEPS_DIR}"
                      RESULT_VARIABLE _rc OUTPUT_QUIET ERROR_VARIABLE _err)
      if(_rc EQUAL 0)
        file(GLOB _orig "${PT_DEPS_DIR}/cjson_1.7.15.orig.tar.gz")
        if(_orig)
          file(SHA256 "${_orig}" _sha)
          if(NOT _sha STREQUAL CJSON_ORIG_SHA256)
            message(FATAL_ERROR "cJSON: ${_orig} has sha256 ${_sha}, expected ${CJSON_ORIG_SHA256}")
          endif()
          message(STATUS "cJSON: orig tarball sha256 verified")
        else()
          message(FATAL_ERROR "cJSON: apt-get source gave no cjson_1.7.15.orig.tar.gz to verify")
        endif()
        _pt_cjson_find(_found)
      else()
        message(STATUS "cJSON: apt-get source failed (${_rc}): ${_err}")
      endif()
    endif()
  endif()
  if(NOT _found AND CJSON_ALLOW_FETCH)
    include(FetchContent)
    FetchContent_Declare(cjson_upstream URL "${CJSON_URL}" URL_HASH SHA256=${CJSON_ORIG_SHA256}
                         DOWNLOAD_EXTRACT_TIMESTAMP TRUE
                         SOURCE_DIR "${PT_DEPS_DIR}/cjson-1.7.15-upstream")
    FetchContent_GetProperties(cjson_upstream)
    if(NOT cjson_upstream_POPULATED)
      FetchContent_Populate(cjson_upstream) # sources only; cJSON's own CMakeLists is not used
    endif()
    set(_found "${cjson_upstream_SOURCE_DIR}")
  endif()
  if(NOT _found)
    message(FATAL_ERROR "cJSON 1.7.15 not found: run scripts/setup.sh (adds Debian deb-src), "
                        "or pass -DCJSON_SOURCE_DIR=<dir with cJSON.c>")
  endif()
  set(CJSON_SOURCE_DIR "${_found}" CACHE PATH "Directory containing cJSON.c and cJSON.h" FORCE)
endif()

file(STRINGS "${CJSON_SOURCE_DIR}/cJSON.h" _ver REGEX "#define CJSON_VERSION_(MAJOR|MINOR|PATCH)")
string(REGEX REPLACE "[^0-9]+" "." _ver "${_ver}")
message(STATUS "cJSON: using ${CJSON_SOURCE_DIR} (${_ver})")
add_library(cjson STATIC "${CJSON_SOURCE_DIR}/cJSON.c")
target_include_directories(cjson SYSTEM PUBLIC "${CJSON_SOURCE_DIR}")
set_target_properties(cjson PROPERTIES C_STANDARD 99 POSITION_INDEPENDENT_CODE ON)
# cJSON reads and prints numbers with strtod, sprintf and sscanf; src/cjson_numbers.h (forced in
# first) sends them to partita's exact and fast routines (src/text.c): WebAssembly libcs go through
# long double, emulated in software, at over a microsecond a number and milliseconds of start-up.
target_compile_options(cjson PRIVATE -include "${PROJECT_SOURCE_DIR}/src/cjson_numbers.h")
