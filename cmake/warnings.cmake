# Warning flags for our own targets (never applied to third-party headers).
function(nn_target_warnings target)
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANGUAGE:C>:-Wall -Wextra -Wpedantic -Wshadow>
    $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wshadow>)
  if(NN_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
