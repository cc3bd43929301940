# Max/MSP externals from the Max SDK headers (Cycling74's max-sdk-base).
# SPDX-License-Identifier: MIT
#
# Where the SDK comes from: MAX_SDK_DIR, when set, points at an unpacked max-sdk-base (the
# folder holding c74support/). Otherwise the header tarball beside the project
# (../shared/vendor/max-sdk-base-*-headers.tar.xz) is unpacked once into the build tree at
# configure time. Without either, NN_MAX_SDK_FOUND is OFF and the Max targets are skipped
# with one configure message.
#
# nn_add_max_external(<target> OUTPUT_NAME <name> SOURCES <src>... [LIBRARIES <lib>...])
#   builds one external: on Linux a shared object <name>.mxl (no 'lib' prefix) that leaves
#   the Max API symbols undefined, to be loaded by a host that provides them (the test host in
#   tests/max/host); on macOS a <name>.mxo bundle; on Windows <name>.mxe64 linked against the
#   SDK's import libraries (MaxAPI.lib, MaxAudio.lib), which the header tarball does not
#   carry: point MAX_SDK_DIR at a full max-sdk-base checkout there. The macOS and Windows
#   branches cannot run here; they follow the layout of max-sdk-base's own CMake scripts.
#   The SDK's commonsyms.c is compiled in (objects that call common_symbols_init() need it).

set(MAX_SDK_DIR "" CACHE PATH "An unpacked max-sdk-base (the folder with c74support/); empty: use the header tarball in ../shared/vendor")

set(NN_MAX_SDK_FOUND OFF)
if(MAX_SDK_DIR)
  set(_nn_max_sdk "${MAX_SDK_DIR}")
else()
  file(GLOB _nn_max_tarballs "${CMAKE_SOURCE_DIR}/../shared/vendor/max-sdk-base-*-headers.tar.xz")
  set(_nn_max_sdk "")
  if(_nn_max_tarballs)
    list(SORT _nn_max_tarballs)
    list(GET _nn_max_tarballs -1 _nn_max_tarball)
    set(_nn_max_unpack "${CMAKE_BINARY_DIR}/_deps/max-sdk")
    include(${CMAKE_CURRENT_LIST_DIR}/unpack.cmake)
    nn_unpack_once("${_nn_max_tarball}" "${_nn_max_unpack}")
    set(_nn_max_sdk "${_nn_max_unpack}/max-sdk-base")
  endif()
endif()

if(_nn_max_sdk AND EXISTS "${_nn_max_sdk}/c74support/max-includes/ext.h"
   AND EXISTS "${_nn_max_sdk}/c74support/msp-includes/z_dsp.h")
  set(NN_MAX_SDK_FOUND ON)
  set(NN_MAX_SDK_ROOT "${_nn_max_sdk}")
  set(NN_MAX_INCLUDES "${_nn_max_sdk}/c74support/max-includes")
  set(NN_MSP_INCLUDES "${_nn_max_sdk}/c74support/msp-includes")
  set(NN_MAX_COMMONSYMS "${NN_MAX_INCLUDES}/common/commonsyms.c")
endif()

# What the test command says when the Max objects cannot be built here (a user's clone
# without ../shared); CI (NN_REQUIRE_FIXTURES) must have the SDK headers.
set(_nn_max_report "${CMAKE_BINARY_DIR}/not-run-max.txt")
file(REMOVE "${_nn_max_report}")
if(NOT NN_MAX_SDK_FOUND AND NN_REQUIRE_FIXTURES)
  message(FATAL_ERROR "the Max SDK headers are required (NN_REQUIRE_FIXTURES=ON, as in CI) but neither MAX_SDK_DIR "
                      "nor ../shared/vendor/max-sdk-base-*-headers.tar.xz was found")
elseif(NOT NN_MAX_SDK_FOUND)
  file(WRITE "${_nn_max_report}" "the Max objects and their tests (no Max SDK headers: set MAX_SDK_DIR to an "
                                 "unpacked max-sdk-base, or put max-sdk-base-*-headers.tar.xz in ../shared/vendor)\n")
endif()

# NN_BUILD_MAX follows the SDK (ON when found) unless the user chose another value: the
# value it defaulted to is remembered, so a later configure that finds or loses the SDK
# updates a defaulted NN_BUILD_MAX and keeps a chosen one.
if(NOT DEFINED CACHE{NN_BUILD_MAX} OR "${NN_BUILD_MAX}" STREQUAL "${_NN_BUILD_MAX_DEFAULT}")
  set(NN_BUILD_MAX ${NN_MAX_SDK_FOUND} CACHE BOOL "Build the Max objects and their test host (needs the Max SDK headers)" FORCE)
  set(_NN_BUILD_MAX_DEFAULT ${NN_MAX_SDK_FOUND} CACHE INTERNAL "")
endif()
if(NOT NN_MAX_SDK_FOUND)
  message(STATUS "Max: no Max SDK (set MAX_SDK_DIR to an unpacked max-sdk-base, or put max-sdk-base-*-headers.tar.xz in ../shared/vendor): Max objects and their test host skipped")
  set(NN_BUILD_MAX OFF)
elseif(NN_BUILD_MAX)
  message(STATUS "Max: SDK headers in ${NN_MAX_SDK_ROOT}")
else()
  message(STATUS "Max: NN_BUILD_MAX is OFF: Max objects and their test host skipped")
endif()

# The SDK headers as a compile interface: -isystem keeps their warnings out of ours.
if(NN_MAX_SDK_FOUND AND NOT TARGET nn_max_sdk)
  add_library(nn_max_sdk INTERFACE)
  target_include_directories(nn_max_sdk SYSTEM INTERFACE "${NN_MAX_INCLUDES}" "${NN_MSP_INCLUDES}")
  if(WIN32)
    # 'long' is 32 bits on Windows: the SDK types (t_atom_long, t_ptr_int) take care of it.
    target_compile_definitions(nn_max_sdk INTERFACE WIN_VERSION=1 WIN_EXT_VERSION=1 _CRT_SECURE_NO_WARNINGS
                               _USE_MATH_DEFINES)
  elseif(APPLE)
    target_compile_definitions(nn_max_sdk INTERFACE MAC_VERSION=1)
  endif()
endif()

# The Max API is built on casts between function types (class_new, class_addmethod and
# defer take a 'method'; A_CANT methods are called through it): GCC's -Wcast-function-type
# (in -Wextra) flags each of them, so Max code turns that one warning off. The SDK's
# object_method macro (C74_VARFUN) expands to a variadic macro call with no variadic
# argument, which clang's -Wpedantic reports at every call site: also off, for clang.
function(nn_max_target_warnings target)
  if(MSVC)
    return()
  endif()
  target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:C>:-Wno-cast-function-type>)
  if(CMAKE_C_COMPILER_ID MATCHES "Clang")
    target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:C>:-Wno-variadic-macro-arguments-omitted>)
  endif()
endfunction()

function(nn_add_max_external target)
  cmake_parse_arguments(M "" "OUTPUT_NAME" "SOURCES;LIBRARIES" ${ARGN})
  if(NOT NN_MAX_SDK_FOUND)
    message(FATAL_ERROR "nn_add_max_external(${target}): no Max SDK (guard the call with NN_BUILD_MAX)")
  endif()
  if(NOT M_OUTPUT_NAME)
    set(M_OUTPUT_NAME ${target})
  endif()
  set(sdk_sources "${NN_MAX_COMMONSYMS}")
  if(WIN32)
    list(APPEND sdk_sources "${NN_MAX_INCLUDES}/common/dllmain_win.c")
  endif()
  add_library(${target} MODULE ${M_SOURCES} ${sdk_sources})
  target_link_libraries(${target} PRIVATE nn_max_sdk ${M_LIBRARIES})
  nn_target_warnings(${target})
  nn_max_target_warnings(${target})
  # The SDK's sources are not ours: our warning flags are for our sources only.
  if(MSVC)
    set_source_files_properties(${sdk_sources} TARGET_DIRECTORY ${target} PROPERTIES COMPILE_OPTIONS "/w")
  else()
    set_source_files_properties(${sdk_sources} TARGET_DIRECTORY ${target} PROPERTIES COMPILE_OPTIONS "-w")
  endif()
  set_target_properties(${target} PROPERTIES PREFIX "" OUTPUT_NAME "${M_OUTPUT_NAME}"
                        C_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)
  if(APPLE)
    # A loadable bundle <name>.mxo; Max resolves its API symbols when loading it.
    set_target_properties(${target} PROPERTIES BUNDLE ON BUNDLE_EXTENSION mxo
                          MACOSX_BUNDLE_BUNDLE_NAME "${M_OUTPUT_NAME}"
                          MACOSX_BUNDLE_GUI_IDENTIFIER "fr.ircam.nn_tilde.${target}"
                          XCODE_ATTRIBUTE_WRAPPER_EXTENSION mxo)
    target_link_options(${target} PRIVATE "LINKER:-undefined,dynamic_lookup")
  elseif(WIN32)
    set_target_properties(${target} PROPERTIES SUFFIX ".mxe64")
    find_library(NN_MAX_API_LIB MaxAPI PATHS "${NN_MAX_INCLUDES}/x64" NO_DEFAULT_PATH)
    find_library(NN_MSP_API_LIB MaxAudio PATHS "${NN_MSP_INCLUDES}/x64" NO_DEFAULT_PATH)
    if(NOT NN_MAX_API_LIB OR NOT NN_MSP_API_LIB)
      message(FATAL_ERROR "Max on Windows needs MaxAPI.lib and MaxAudio.lib: set MAX_SDK_DIR to a full max-sdk-base")
    endif()
    target_link_libraries(${target} PRIVATE "${NN_MAX_API_LIB}" "${NN_MSP_API_LIB}")
  else()
    # Linux: a plain shared object; the Max API stays undefined (no -z defs) and is bound
    # at dlopen time by the host, which must export it.
    set_target_properties(${target} PROPERTIES SUFFIX ".mxl")
  endif()
endfunction()
