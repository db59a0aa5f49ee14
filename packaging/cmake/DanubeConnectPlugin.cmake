# SPDX-License-Identifier: Apache-2.0
# danube_connect_add_plugin(<name> [C] SOURCES <files>... [LIBS <libs>...])
#
# A danube-connectd plugin built against an installed DanubeConnect package: a MODULE library
# `<name>.so` (no `lib` prefix, so `plugin = "<name>"` finds it in the plugins directory) that
# exports only dcx_plugin_entry (hidden visibility plus the package's linker version script) and
# has no undefined symbols. It links DanubeConnect::plugin_sdk (C++20), or with `C` only
# DanubeConnect::plugin_api. LIBS are linked privately: nothing of them is exported.
# In the danube-connectd tree the same is dcx_add_plugin() (plugin-api/CMakeLists.txt).
function(danube_connect_add_plugin name)
  cmake_parse_arguments(ARG "C" "" "SOURCES;LIBS" ${ARGN})
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "danube_connect_add_plugin(${name}): SOURCES is required")
  endif()
  add_library(${name} MODULE ${ARG_SOURCES})
  set_target_properties(${name} PROPERTIES PREFIX ""
    C_VISIBILITY_PRESET hidden CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)
  if(ARG_C)
    target_link_libraries(${name} PRIVATE DanubeConnect::plugin_api ${ARG_LIBS})
  else()
    target_link_libraries(${name} PRIVATE DanubeConnect::plugin_sdk ${ARG_LIBS})
  endif()
  target_link_options(${name} PRIVATE -Wl,--no-undefined -Wl,--version-script=${DanubeConnect_EXPORTS_MAP})
  set_property(TARGET ${name} APPEND PROPERTY LINK_DEPENDS ${DanubeConnect_EXPORTS_MAP})
endfunction()
