# nn_unpack_once(<tarball> <folder>): extracts <tarball> into <folder> at configure time,
# once: a stamp in <folder> names the tarball, so another tarball empties <folder> and
# unpacks again. Used for the vendored sources in ../shared/vendor (Max SDK headers, Pd 0.56).
# SPDX-License-Identifier: MIT
function(nn_unpack_once tarball folder)
  set(stamp "${folder}/.unpacked")
  set(stamp_text "")
  if(EXISTS "${stamp}")
    file(READ "${stamp}" stamp_text)
  endif()
  if(NOT stamp_text STREQUAL "${tarball}")
    file(REMOVE_RECURSE "${folder}")
    file(MAKE_DIRECTORY "${folder}")
    file(ARCHIVE_EXTRACT INPUT "${tarball}" DESTINATION "${folder}")
    file(WRITE "${stamp}" "${tarball}")
  endif()
endfunction()
