# SPDX-License-Identifier: Apache-2.0
# Install-time script (cmake/DcxPackaging.cmake): installs the systemd units into
# <prefix>/lib/systemd/system with ExecStart pointing at <prefix>/<bindir>/danube-connectd, so a
# .deb (prefix /usr) and `cmake --install --prefix /usr/local` both get a unit that starts the
# installed binary. file(INSTALL) honours DESTDIR and records the files in install_manifest.txt.
file(MAKE_DIRECTORY "${DCX_UNIT_STAGING_DIR}")
set(dcx_units "")
foreach(unit danube-connectd.service danube-connectd@.service)
  file(READ "${DCX_UNIT_SOURCE_DIR}/${unit}" text)
  string(REPLACE "/usr/bin/danube-connectd" "${CMAKE_INSTALL_PREFIX}/${DCX_UNIT_BINDIR}/danube-connectd" text "${text}")
  file(WRITE "${DCX_UNIT_STAGING_DIR}/${unit}" "${text}")
  list(APPEND dcx_units "${DCX_UNIT_STAGING_DIR}/${unit}")
endforeach()
file(INSTALL DESTINATION "${CMAKE_INSTALL_PREFIX}/lib/systemd/system" TYPE FILE FILES ${dcx_units})
