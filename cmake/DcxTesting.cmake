# SPDX-License-Identifier: Apache-2.0
# dcx_add_test(<name> KIND unit|integration SOURCES ... [LIBS ...]): one Catch2 binary, each
# TEST_CASE registered as its own ctest test labelled with KIND. A folder adds its area label
# with `set_property(DIRECTORY APPEND PROPERTY LABELS <area>)` (Catch.cmake cannot pass a
# list-valued LABELS through its discovery script).
function(dcx_add_test name)
  cmake_parse_arguments(ARG "" "KIND" "SOURCES;LIBS" ${ARGN})
  if(NOT ARG_KIND MATCHES "^(unit|integration)$")
    message(FATAL_ERROR "dcx_add_test(${name}): KIND must be unit or integration")
  endif()
  add_executable(${name} ${ARG_SOURCES})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/tests)
  target_link_libraries(${name} PRIVATE Catch2::Catch2WithMain ${ARG_LIBS})
  dcx_warnings(${name})
  catch_discover_tests(${name} PROPERTIES LABELS ${ARG_KIND} TIMEOUT 180)
endfunction()
