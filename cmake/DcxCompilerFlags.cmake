# SPDX-License-Identifier: Apache-2.0
# Warning flags and sanitizer switches shared by every target of the project.

# dcx_warnings(<target>): the project's warning set; errors when DCX_WERROR is on.
function(dcx_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow=local
                         $<$<COMPILE_LANGUAGE:CXX>:-Wnon-virtual-dtor -Wsuggest-override>)
  if(DCX_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# GCC's flow warnings are unreliable with sanitizer instrumentation (false -Wmaybe-uninitialized in
# libstdc++'s <regex>); the normal build keeps them as errors.
if(DCX_SANITIZE AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  add_compile_options(-Wno-maybe-uninitialized)
endif()
if(DCX_SANITIZE STREQUAL "asan")
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
elseif(DCX_SANITIZE STREQUAL "tsan")
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
elseif(NOT DCX_SANITIZE STREQUAL "")
  message(FATAL_ERROR "DCX_SANITIZE must be empty, 'asan' or 'tsan', not '${DCX_SANITIZE}'")
endif()
