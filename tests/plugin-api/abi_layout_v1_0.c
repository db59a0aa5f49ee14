/* SPDX-License-Identifier: Apache-2.0
 * Field offsets of the frozen ABI 1.0 header (compiled with plugin-api/abi/v1.0 first on the
 * include path). abi_layout_test.cpp checks the current header keeps them all. */
#include <stddef.h>

#include "abi_layout_fields.h"
#include "dcx/plugin_api.h"

const size_t dcx_layout_v1_0[] = {DCX_LAYOUT_FIELDS};
const size_t dcx_layout_v1_0_count = sizeof dcx_layout_v1_0 / sizeof dcx_layout_v1_0[0];
