# Generates host_commonsyms.c: common_symbols_gettable's table, one gensym per field of the
# SDK's t_common_symbols_table (field s_<name> holds the symbol <name>; s_nothing is "").
# Usage: cmake -DHEADER=<commonsyms.h> -DOUT=<file.c> -P gen_commonsyms.cmake
# SPDX-License-Identifier: MIT
file(STRINGS "${HEADER}" lines REGEX "^[ \t]*t_symbol[ \t]*\\*s_[A-Za-z0-9_]+;")
set(body "")
foreach(line IN LISTS lines)
  string(REGEX REPLACE "^[ \t]*t_symbol[ \t]*\\*s_([A-Za-z0-9_]+);.*$" "\\1" name "${line}")
  set(value "${name}")
  if(name STREQUAL "nothing")
    set(value "")
  endif()
  string(APPEND body "    t->s_${name} = gensym(\"${value}\");\n")
endforeach()
file(WRITE "${OUT}.tmp" "/* Generated from the Max SDK's commonsyms.h by gen_commonsyms.cmake: do not edit. */
#include \"ext.h\"
#include \"commonsyms.h\"
#include <stdlib.h>
t_common_symbols_table *host_commonsyms_make(void);
t_common_symbols_table *host_commonsyms_make(void)
{
    t_common_symbols_table *t = calloc(1, sizeof *t);
    if (!t)
        abort();
    t->version = 1;
${body}    return t;
}
")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
