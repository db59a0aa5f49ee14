# SPDX-License-Identifier: Apache-2.0
# dcx_add_test(<name> SOURCES ... [LIBS ...] [LABELS ...]): one Catch2 binary, each TEST_CASE
# registered as its own ctest test, labelled for `ctest -L unit|integration|...`.
function(dcx_add_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/tests)
  target_link_libraries(${name} PRIVATE Catch2::Catch2WithMain ${ARG_LIBS})
  dcx_warnings(${name})
  catch_discover_tests(${name} PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT 120)
endfunction()
