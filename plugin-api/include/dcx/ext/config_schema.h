/* SPDX-License-Identifier: Apache-2.0
 * Extension dcx.config-schema/1: the plugin describes its configuration section as a JSON
 * Schema, so the host validates it (with the TOML path of each problem) before initialize(),
 * and `danube-connectd --check` can validate a config without starting the plugin.
 * Host default when absent: the section is passed unchecked. */
#pragma once

#include "dcx/plugin_api.h"

#ifdef __cplusplus
extern "C" {
#endif

static const char DCX_EXT_CONFIG_SCHEMA[] = "dcx.config-schema/1";

typedef struct dcx_ext_config_schema {
    uint32_t struct_size;

    /* Returns a JSON Schema (draft 7) for the connector_config object given to initialize().
     * Ownership: the string is the plugin's, valid until destroy().
     * [plugin-thread] [created] */
    dcx_str_t (*schema)(const dcx_source_t *source);
} dcx_ext_config_schema_t;

#ifdef __cplusplus
}
#endif
