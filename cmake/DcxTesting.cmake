# SPDX-License-Identifier: Apache-2.0
# dcx_add_test(<name> KIND unit|integration [CONCURRENCY] SOURCES ... [LIBS ...]): one Catch2
# binary, each TEST_CASE registered as its own ctest test labelled with KIND. A folder adds its
# area label with `set_property(DIRECTORY APPEND PROPERTY LABELS <area>)` (Catch.cmake cannot pass
# a list-valued LABELS through its discovery script).
# CONCURRENCY marks a binary that exercises threads: its tests also get the label `concurrency`
# and the target joins `dcx_tsan_tests`, what scripts/sanitize tsan builds and runs.
function(dcx_add_test name)
  cmake_parse_arguments(ARG "CONCURRENCY" "KIND" "SOURCES;LIBS" ${ARGN})
  if(NOT ARG_KIND MATCHES "^(unit|integration)$")
    message(FATAL_ERROR "dcx_add_test(${name}): KIND must be unit or integration")
  endif()
  add_executable(${name} ${ARG_SOURCES})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/tests)
  target_link_libraries(${name} PRIVATE Catch2::Catch2WithMain ${ARG_LIBS})
  dcx_warnings(${name})
  # Test code is compiled for build time, not run time: tests are most of the build, and at -O1
  # without debug info they compile in half the time (Catch's assertion macros are costly to
  # optimise). The product libraries they link keep the build type's flags.
  if(NOT DCX_SANITIZE AND CMAKE_BUILD_TYPE MATCHES "^(Release|RelWithDebInfo|MinSizeRel)$")
    target_compile_options(${name} PRIVATE -O1 -g0)
  endif()
  # A test binary's files are compiled as one unit: Catch, nlohmann and gRPC headers are parsed
  # once per binary instead of once per file (CI builds the tests three times: normal, ASan, TSan).
  if(DCX_UNITY_TESTS)
    set_target_properties(${name} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE 0)
  endif()
  catch_discover_tests(${name} PROPERTIES LABELS ${ARG_KIND} TIMEOUT 180)
  if(ARG_CONCURRENCY)
    # Runs after Catch's discovery script (same directory, included later), which leaves the
    # binary's test names in ${name}_TESTS.
    set(labels_file ${CMAKE_CURRENT_BINARY_DIR}/${name}_concurrency_labels.cmake)
    file(WRITE ${labels_file}
         "foreach(t IN LISTS ${name}_TESTS)\n"
         "  set_tests_properties(\"\${t}\" PROPERTIES LABELS \"${ARG_KIND};concurrency\")\n"
         "endforeach()\n")
    set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES ${labels_file})
    set_property(GLOBAL APPEND PROPERTY DCX_CONCURRENCY_TEST_TARGETS ${name})
  endif()
endfunction()

# dcx_add_tsan_target(): after every test is declared, the target building all CONCURRENCY tests
# (and the processes they start).
function(dcx_add_tsan_target)
  get_property(targets GLOBAL PROPERTY DCX_CONCURRENCY_TEST_TARGETS)
  add_custom_target(dcx_tsan_tests)
  if(targets)
    add_dependencies(dcx_tsan_tests ${targets})
  endif()
endfunction()
