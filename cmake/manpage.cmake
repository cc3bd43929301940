# nn~ in C — writes the nntilde(1) man page from the tool's own --help texts.
# SPDX-License-Identifier: MIT
# Usage: cmake -DNNTILDE=<executable> -DOUT=<file.1> -DVERSION=<x.y.z> -P manpage.cmake
# `nntilde --help` and each command's --help are the documentation; this only wraps them in
# roff (one section per command, verbatim text) so that `man nntilde` shows the same words.
set(commands info run bench doctor models download delete)

function(help_text out)
  execute_process(COMMAND ${NNTILDE} ${ARGN} OUTPUT_VARIABLE text RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "manpage: '${NNTILDE} ${ARGN}' failed (${rc})")
  endif()
  # roff: backslashes doubled; a line starting with '.' or "'" is protected with \&.
  string(REPLACE "\\" "\\\\" text "${text}")
  string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" text "${text}")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

help_text(main --help)
set(page ".TH NNTILDE 1 \"\" \"nntilde ${VERSION}\" \"User Commands\"\n")
string(APPEND page ".SH NAME\nnntilde \\- run nn~ models (TorchScript audio models) from the command line\n")
string(APPEND page ".SH SYNOPSIS\n.nf\n${main}.fi\n")
foreach(c ${commands})
  help_text(text ${c} --help)
  string(TOUPPER ${c} title)
  string(APPEND page ".SH ${title}\n.nf\n${text}.fi\n")
endforeach()
string(APPEND page ".SH SEE ALSO\nThe project's docs/cli.md.\n")
file(WRITE ${OUT} "${page}")
