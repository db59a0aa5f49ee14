/* SPDX-License-Identifier: Apache-2.0
 * Deliberately broken plugins, one per compile definition, each of which the host must refuse
 * with its own error (and never crash):
 *   BROKEN_WRONG_MAJOR   descriptor says ABI 2.0
 *   BROKEN_NEWER_MINOR   descriptor says ABI 1.<host minor + 1>
 *   BROKEN_NO_ENTRY      exports no dcx_plugin_entry
 *   BROKEN_REFUSES       entry returns NULL with a reason
 *   BROKEN_SMALL_DESC    descriptor struct_size smaller than the 1.0 layout
 *   BROKEN_NULL_CREATE   descriptor create == NULL
 *   BROKEN_CREATE_NULL   create() returns NULL
 *   BROKEN_NULL_SLOT     instance has poll == NULL
 *   BROKEN_SMALL_SOURCE  instance struct_size smaller than the 1.0 layout
 *   BROKEN_RECORDS       loads fine but emits malformed records and returns an unknown status */
#include <stdlib.h>
#include <string.h>

#include "dcx/plugin_api.h"

static dcx_status_t b_initialize(const dcx_source_t *s, dcx_str_t a, dcx_str_t b) {
    (void)s, (void)a, (void)b;
    return DCX_STATUS_OK;
}
static dcx_status_t b_producer_configs(const dcx_source_t *s, const dcx_producer_sink_t *sink) {
    (void)s, (void)sink;
    return DCX_STATUS_OK;
}
static dcx_status_t b_poll(const dcx_source_t *s, const dcx_record_sink_t *sink, uint32_t max, uint32_t timeout) {
    (void)s, (void)max, (void)timeout;
    dcx_record_t r;
    memset(&r, 0, sizeof r);
    r.struct_size = sizeof r;
    r.topic.data = "/default/t";
    r.topic.size = 10;
    r.payload.data = NULL; /* NULL buffer with a size */
    r.payload.size = 5;
    if (sink->emit(sink, &r) != DCX_STATUS_INVALID_RECORD) return DCX_STATUS_FATAL;
    r.payload.data = "{}";
    r.payload.size = 2;
    r.payload_kind = 9; /* unknown kind */
    if (sink->emit(sink, &r) != DCX_STATUS_INVALID_RECORD) return DCX_STATUS_FATAL;
    r.payload_kind = DCX_PAYLOAD_JSON;
    r.struct_size = 8; /* too small */
    if (sink->emit(sink, &r) != DCX_STATUS_INVALID_RECORD) return DCX_STATUS_FATAL;
    r.struct_size = sizeof r;
    r.attribute_count = 3; /* with attributes == NULL */
    if (sink->emit(sink, &r) != DCX_STATUS_INVALID_RECORD) return DCX_STATUS_FATAL;
    r.attribute_count = 0;
    if (sink->emit(sink, &r) != DCX_STATUS_OK) return DCX_STATUS_FATAL; /* a good one still passes */
    return 42; /* not a status */
}
static void b_request_stop(const dcx_source_t *s) { (void)s; }
static dcx_status_t b_shutdown(const dcx_source_t *s) {
    (void)s;
    return DCX_STATUS_OK;
}
static void b_destroy(const dcx_source_t *s) { free((void *)s); }

static const dcx_source_t *b_create(const dcx_host_t *host) {
    (void)host;
#ifdef BROKEN_CREATE_NULL
    return NULL;
#else
    dcx_source_t *t = calloc(1, sizeof *t);
    t->struct_size = sizeof *t;
    t->initialize = b_initialize;
    t->producer_configs = b_producer_configs;
    t->poll = b_poll;
    t->request_stop = b_request_stop;
    t->shutdown = b_shutdown;
    t->destroy = b_destroy;
#ifdef BROKEN_NULL_SLOT
    t->poll = NULL;
#endif
#ifdef BROKEN_SMALL_SOURCE
    t->struct_size = 16;
#endif
    return t;
#endif
}

#ifndef BROKEN_NO_ENTRY
DCX_EXPORT const dcx_plugin_descriptor_t *dcx_plugin_entry(uint32_t host_major, uint32_t host_minor,
                                                           const char **error) {
    static dcx_plugin_descriptor_t d = {sizeof(dcx_plugin_descriptor_t), DCX_ABI_VERSION_MAJOR, DCX_ABI_VERSION_MINOR,
                                        "broken", "Broken", "0.0.1", "misbehaves on purpose", b_create};
    (void)host_major;
#ifdef BROKEN_WRONG_MAJOR
    d.abi_major = 2;
    d.abi_minor = 0;
#endif
#ifdef BROKEN_NEWER_MINOR
    d.abi_minor = host_minor + 1;
#endif
#ifdef BROKEN_REFUSES
    *error = "this plugin refuses every host";
    return NULL;
#endif
#ifdef BROKEN_SMALL_DESC
    d.struct_size = 24;
#endif
#ifdef BROKEN_NULL_CREATE
    d.create = NULL;
#endif
    (void)error, (void)host_minor;
    return &d;
}
#else
DCX_EXPORT int not_the_entry_point(void) { return 0; }
#endif
