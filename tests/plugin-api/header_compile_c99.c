/* SPDX-License-Identifier: Apache-2.0
 * Compiles every public C header as strict C99 (-std=c99 -pedantic -Werror): a header that
 * slips C++ or GNU extensions in fails the build. */
#include "dcx/ext/config_schema.h"
#include "dcx/ext/record_outcome.h"
#include "dcx/plugin_api.h"
#include "dcx/version.h"

/* Touch every type so nothing is optimised out of the check. */
size_t dcx_c99_header_check(void);
size_t dcx_c99_header_check(void) {
    return sizeof(dcx_str_t) + sizeof(dcx_attribute_t) + sizeof(dcx_offset_t) + sizeof(dcx_record_t) +
           sizeof(dcx_record_sink_t) + sizeof(dcx_producer_config_t) + sizeof(dcx_producer_sink_t) +
           sizeof(dcx_host_t) + sizeof(dcx_source_t) + sizeof(dcx_plugin_descriptor_t) +
           sizeof(dcx_ext_config_schema_t) + sizeof(dcx_ext_record_outcome_t);
}
