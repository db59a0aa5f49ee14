/* SPDX-License-Identifier: Apache-2.0
 * danube-connectd plugin ABI version: the one source of truth, read by CMakeLists.txt too. */
#pragma once

/* A host runs a plugin when the majors are equal and the plugin's minor is not newer than the
 * host's. Minors only append: new struct fields at the end (found through struct_size), new
 * slots at the end of tables, new extension ids. Anything else is a new major. */
#define DCX_ABI_VERSION_MAJOR 1
#define DCX_ABI_VERSION_MINOR 1

/* A function, not a macro: with a minor of 0 a macro's `minor <= x` trips -Wtype-limits. */
static inline int dcx_abi_is_compatible(unsigned host_major, unsigned host_minor, unsigned plugin_major,
                                        unsigned plugin_minor) {
    return host_major == plugin_major && plugin_minor <= host_minor;
}
#define DCX_ABI_IS_COMPATIBLE(host_major, host_minor, plugin_major, plugin_minor) \
    dcx_abi_is_compatible((host_major), (host_minor), (plugin_major), (plugin_minor))
