/* SPDX-License-Identifier: Apache-2.0
 * Extension dcx.record-outcome/1: the host tells the plugin what became of each record it emitted
 * with a non-zero user_token, so a source can answer its own upstream per record (an HTTP 200
 * only once Danube has the record, a per-message acknowledgement).
 * Host default when absent: nothing is reported (offsets still commit through commit()). */
#pragma once

#include "dcx/plugin_api.h"

#ifdef __cplusplus
extern "C" {
#endif

static const char DCX_EXT_RECORD_OUTCOME[] = "dcx.record-outcome/1";

typedef struct dcx_ext_record_outcome {
    uint32_t struct_size;

    /* Called exactly once per record emitted with user_token != 0, when its fate is known:
     *   DCX_STATUS_OK             Danube acknowledged it on its topic;
     *   DCX_STATUS_INVALID_RECORD it was written to the dead-letter topic or skipped by policy;
     *   DCX_STATUS_FATAL          it was not delivered: the daemon is stopping before Danube
     *                             confirmed it (it may still have arrived).
     * `reason` explains any status but OK. Ownership: `reason` read only during the call.
     * [plugin-thread] [initialized] */
    void (*on_outcome)(const dcx_source_t *source, uint64_t user_token, dcx_status_t status, dcx_str_t reason);
} dcx_ext_record_outcome_t;

#ifdef __cplusplus
}
#endif
