# SPDX-License-Identifier: Apache-2.0
# Install layout (docs/deployment.md). Included before the subdirectories, because
# dcx_add_plugin() installs every plugin into DCX_INSTALL_PLUGINDIR.
#   bin/                            danube-connectd, danube-test-broker
#   lib/danube-connectd/plugins/    plugins (the daemon's default for prefix /usr)
#   include/dcx/                    the C ABI headers and the header-only C++ SDK
#   lib/cmake/DanubeConnect/        the CMake package: find_package(DanubeConnect)
#   lib/pkgconfig/                  danube-connect-plugin.pc
# Plugins and the SDK package use lib/, not Debian's multiarch libdir: the daemon looks in
# /usr/lib/danube-connectd/plugins, and the package is header-only (architecture-independent).
include(GNUInstallDirs)
set(DCX_INSTALL_PLUGINDIR lib/danube-connectd/plugins)
set(DCX_INSTALL_CMAKEDIR lib/cmake/DanubeConnect)
set(DCX_INSTALL_PKGCONFIGDIR lib/pkgconfig)
set(DCX_INSTALL_DOCDIR ${CMAKE_INSTALL_DATAROOTDIR}/doc/danube-connectd)
