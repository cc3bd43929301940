# Pure Data 0.56-5 built from source into the build tree, for the Pd tests (tests/pd).
# SPDX-License-Identifier: MIT
#
# Debian 12 ships Pd 0.53.1, which has no multichannel signals; users run 0.55 and 0.56. The
# Pd tests run against both: Debian's `pd` and this one. The source comes from the tarball
# beside the project (../shared/vendor/pure-data-0.56-5-src.tar.xz, Pd's src/ only, no
# network, no autotools), or NN_PD56_TARBALL. It is unpacked at configure time and built once
# per build folder by the target `pd56` (part of ALL, about 35 s on 2 cores):
#   make -C pure-data-0.56-5/src -f makefile.gnu ALSA=false OSS=false ../bin/pd ../bin/pd-watchdog
# which gives a headless `pd` (-nogui -batch -nosound). pd-watchdog is what lets Pd keep
# real-time priority as Debian's Pd does (without it, Pd 0.56 says "disabling real-time
# priority due to missing pd-watchdog" and runs at normal priority). The externals are not
# rebuilt: they stay compiled against Debian's m_pd.h and detect multichannel support at run
# time.
#
# Sets NN_PD56_EXECUTABLE (the pd program the build makes) and NN_PD56_MISSING (empty, or
# why Pd 0.56 cannot be built here: the tests for 0.56 are then registered disabled, and the
# test command names them with that reason; with NN_REQUIRE_FIXTURES (CI) it is an error).

set(NN_PD56_TARBALL "${CMAKE_SOURCE_DIR}/../shared/vendor/pure-data-0.56-5-src.tar.xz"
    CACHE FILEPATH "Source tarball of Pure Data 0.56-5 (src/ and LICENSE.txt)")

set(NN_PD56_DIR "${CMAKE_BINARY_DIR}/_deps/pd56")
set(NN_PD56_SOURCE "${NN_PD56_DIR}/pure-data-0.56-5")
set(NN_PD56_EXECUTABLE "${NN_PD56_SOURCE}/bin/pd")
set(NN_PD56_MISSING "")

find_program(NN_MAKE_PROGRAM NAMES gmake make)
if(NOT EXISTS "${NN_PD56_TARBALL}")
  set(NN_PD56_MISSING "the Pd 0.56-5 source tarball ${NN_PD56_TARBALL} does not exist (set NN_PD56_TARBALL)")
elseif(NOT NN_MAKE_PROGRAM)
  set(NN_PD56_MISSING "no 'make' program to build Pd 0.56-5")
endif()

if(NN_PD56_MISSING)
  if(NN_REQUIRE_FIXTURES)
    message(FATAL_ERROR "Pd 0.56 required (NN_REQUIRE_FIXTURES=ON, as in CI) but ${NN_PD56_MISSING}")
  endif()
  message(STATUS "pd tests: ${NN_PD56_MISSING}; the pd056_* tests are not run")
  return()
endif()

# Unpacked once per tarball; another tarball unpacks (and builds) again.
include(${CMAKE_CURRENT_LIST_DIR}/unpack.cmake)
nn_unpack_once("${NN_PD56_TARBALL}" "${NN_PD56_DIR}")
if(NOT EXISTS "${NN_PD56_SOURCE}/src/makefile.gnu")
  message(FATAL_ERROR "${NN_PD56_TARBALL} did not unpack to ${NN_PD56_SOURCE}/src/makefile.gnu")
endif()

# Pd is built with the system's default C compiler and its own flags, never with this
# project's sanitizer flags: the RealtimeSanitizer build preloads its runtime into whichever
# Pd runs (tests/pd/rtsan_preload.c). Two jobs: the test machines have two cores.
add_custom_command(
  OUTPUT "${NN_PD56_EXECUTABLE}" "${NN_PD56_SOURCE}/bin/pd-watchdog"
  COMMAND ${CMAKE_COMMAND} -E env --unset=MAKEFLAGS --unset=MFLAGS sh -c
          "\"$0\" -C src -f makefile.gnu -j2 ALSA=false OSS=false ../bin/pd ../bin/pd-watchdog >../build.log 2>&1 || { tail -40 ../build.log; exit 1; }"
          ${NN_MAKE_PROGRAM}
  DEPENDS "${_nn_pd56_stamp}"
  WORKING_DIRECTORY "${NN_PD56_SOURCE}"
  COMMENT "Building Pure Data 0.56-5 (headless) for the Pd tests, log in ${NN_PD56_DIR}/build.log"
  VERBATIM)
add_custom_target(pd56 ALL DEPENDS "${NN_PD56_EXECUTABLE}")
