/* SPDX-License-Identifier: Apache-2.0
 * Field offsets of the current header; see abi_layout_v1_0.c. */
#include <stddef.h>

#include "abi_layout_fields.h"
#include "dcx/plugin_api.h"

const size_t dcx_layout_current[] = {DCX_LAYOUT_FIELDS};
const size_t dcx_layout_current_count = sizeof dcx_layout_current / sizeof dcx_layout_current[0];
