# SPDX-License-Identifier: Apache-2.0
# Installation and packaging (docs/deployment.md): the daemon and the test broker, the plugins
# (each dcx_add_plugin() installs its own), the plugin SDK as a CMake package and a pkg-config
# file, the systemd units, and CPack settings for two .deb packages. Included last by the
# top-level CMakeLists.txt, once every target exists.
#
# Components: `runtime` (binaries, plugins, systemd units, docs) -> danube-connectd_*.deb
#             `dev`     (headers, CMake package, pkg-config, example plugin) -> danube-connectd-dev_*.deb
# `cmake --install build --prefix DIR` installs both.
include(CMakePackageConfigHelpers)

# ---- runtime ----------------------------------------------------------------------------------
install(TARGETS danube-connectd danube-test-broker RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)
# Plugins of plugins/ built by another tool (e.g. cargo for Rust): a custom target `in_<name>` that
# writes ${DCX_PLUGIN_OUTPUT_DIR}/in_<name>.so. (dcx_add_plugin() installs the C/C++ ones itself.)
get_property(dcx_plugin_dirs DIRECTORY ${PROJECT_SOURCE_DIR}/plugins PROPERTY SUBDIRECTORIES)
foreach(dir ${dcx_plugin_dirs})
  get_property(dcx_targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  foreach(t ${dcx_targets})
    get_target_property(dcx_type ${t} TYPE)
    if(t MATCHES "^in_" AND dcx_type STREQUAL "UTILITY")
      install(FILES ${DCX_PLUGIN_OUTPUT_DIR}/${t}.so DESTINATION ${DCX_INSTALL_PLUGINDIR} COMPONENT runtime)
    endif()
  endforeach()
endforeach()
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/docs/deployment.md
              ${PROJECT_SOURCE_DIR}/docs/scaling.md ${PROJECT_SOURCE_DIR}/docs/test-broker.md
        DESTINATION ${DCX_INSTALL_DOCDIR} COMPONENT runtime)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/docker/connector.toml
        DESTINATION ${DCX_INSTALL_DOCDIR}/examples COMPONENT runtime)
# systemd units, with ExecStart pointing at <prefix>/bin (the files in the tree say /usr/bin).
install(CODE "set(DCX_UNIT_SOURCE_DIR \"${PROJECT_SOURCE_DIR}/packaging/systemd\")
set(DCX_UNIT_STAGING_DIR \"${PROJECT_BINARY_DIR}/packaging/systemd\")
set(DCX_UNIT_BINDIR \"${CMAKE_INSTALL_BINDIR}\")" COMPONENT runtime)
install(SCRIPT ${PROJECT_SOURCE_DIR}/packaging/cmake/install-systemd-units.cmake COMPONENT runtime)

# ---- dev: the plugin SDK ------------------------------------------------------------------------
install(DIRECTORY ${PROJECT_SOURCE_DIR}/plugin-api/include/dcx DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        COMPONENT dev FILES_MATCHING PATTERN "*.h" PATTERN "*.hpp")
install(TARGETS dcx_plugin_api dcx_plugin_sdk EXPORT DanubeConnectTargets COMPONENT dev)
install(EXPORT DanubeConnectTargets NAMESPACE DanubeConnect:: DESTINATION ${DCX_INSTALL_CMAKEDIR} COMPONENT dev)

file(STRINGS ${PROJECT_SOURCE_DIR}/plugin-api/include/dcx/version.h dcx_abi_lines
     REGEX "^#define DCX_ABI_VERSION_(MAJOR|MINOR) [0-9]+")
string(REGEX REPLACE ".*MAJOR ([0-9]+).*" "\\1" DCX_ABI_VERSION_MAJOR "${dcx_abi_lines}")
string(REGEX REPLACE ".*MINOR ([0-9]+).*" "\\1" DCX_ABI_VERSION_MINOR "${dcx_abi_lines}")

set(dcx_pkg_dir ${PROJECT_BINARY_DIR}/packaging)
configure_package_config_file(${PROJECT_SOURCE_DIR}/packaging/cmake/DanubeConnectConfig.cmake.in
  ${dcx_pkg_dir}/DanubeConnectConfig.cmake
  INSTALL_DESTINATION ${DCX_INSTALL_CMAKEDIR}
  PATH_VARS DCX_INSTALL_PLUGINDIR CMAKE_INSTALL_INCLUDEDIR)
write_basic_package_version_file(${dcx_pkg_dir}/DanubeConnectConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion ARCH_INDEPENDENT)
configure_file(${PROJECT_SOURCE_DIR}/packaging/pkgconfig/danube-connect-plugin.pc.in
  ${dcx_pkg_dir}/danube-connect-plugin.pc @ONLY)
install(FILES ${dcx_pkg_dir}/DanubeConnectConfig.cmake ${dcx_pkg_dir}/DanubeConnectConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/packaging/cmake/DanubeConnectPlugin.cmake
              ${PROJECT_SOURCE_DIR}/plugin-api/plugin_exports.map
        DESTINATION ${DCX_INSTALL_CMAKEDIR} COMPONENT dev)
install(FILES ${dcx_pkg_dir}/danube-connect-plugin.pc DESTINATION ${DCX_INSTALL_PKGCONFIGDIR} COMPONENT dev)
install(FILES ${PROJECT_SOURCE_DIR}/docs/plugin-authoring.md ${PROJECT_SOURCE_DIR}/plugin-api/CHANGELOG.md
        DESTINATION ${DCX_INSTALL_DOCDIR}/sdk COMPONENT dev)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/examples/ DESTINATION ${DCX_INSTALL_DOCDIR}/examples COMPONENT dev)

# ---- CPack: `cpack -G DEB` in the build directory -------------------------------------------
set(CPACK_PACKAGE_NAME danube-connectd)
set(CPACK_PACKAGE_VENDOR "danube-connectd")
set(CPACK_PACKAGE_CONTACT "danube-connectd maintainers <maintainers@danube-connectd.invalid>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_RESOURCE_FILE_README ${PROJECT_SOURCE_DIR}/README.md)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_GENERATOR DEB)
set(CPACK_COMPONENTS_ALL runtime dev)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://danube-messaging.com")
set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME danube-connectd)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SHLIBDEPS ON)   # Depends from dpkg-shlibdeps: the libraries actually linked
set(CPACK_DEBIAN_RUNTIME_PACKAGE_RECOMMENDS "ca-certificates")
# The synopsis (first line of Description) of both packages is the project's DESCRIPTION.
set(CPACK_DEBIAN_RUNTIME_DESCRIPTION "danube-connectd loads one source connector plugin and publishes its records to a Danube broker.
Includes the bundled plugins (/usr/lib/danube-connectd/plugins), danube-test-broker and systemd units.")
set(CPACK_DEBIAN_DEV_PACKAGE_NAME danube-connectd-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_ARCHITECTURE all)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS "nlohmann-json3-dev (>= 3.11)")
set(CPACK_DEBIAN_DEV_PACKAGE_RECOMMENDS "danube-connectd (= ${PROJECT_VERSION}), cmake (>= 3.20), g++ (>= 4:12), pkgconf")
set(CPACK_DEBIAN_DEV_DESCRIPTION "The plugin SDK of danube-connectd: the C ABI headers, the header-only C++20 SDK, the DanubeConnect CMake package
(find_package(DanubeConnect)), danube-connect-plugin.pc and an example plugin.")
include(CPack)
