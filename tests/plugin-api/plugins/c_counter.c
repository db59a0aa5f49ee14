/* SPDX-License-Identifier: Apache-2.0
 * A complete plugin in plain C: emits `count` JSON records {"n":i} on topic `topic`, each with an
 * attribute, a key and an offset (partition "counter", value i), remembers what was committed,
 * and describes its configuration through dcx.config-schema/1. Config: {"topic":..,"count":N}.
 * Built twice: against the current header and (C_COUNTER_V1_0) against the frozen 1.0 header. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dcx/ext/config_schema.h"
#include "dcx/plugin_api.h"

typedef struct counter {
    dcx_source_t table;
    dcx_ext_config_schema_t schema_ext;
    const dcx_host_t *host;
    char topic[256];
    unsigned long count;
    unsigned long next;
    unsigned long committed; /* highest committed value + 1 */
    volatile int stop;
} counter_t;

static counter_t *self_of(const dcx_source_t *s) { return (counter_t *)s->plugin_data; }

static void fail(counter_t *c, const char *msg) {
    dcx_str_t m = {msg, strlen(msg)};
    c->host->set_error(c->host, m);
}

/* A deliberately small parser: the C plugin avoids a JSON library, so it reads two known keys. */
static const char *find_value(const char *json, size_t len, const char *key) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\"", key);
    const char *end = json + len;
    for (const char *p = json; p + strlen(pattern) <= end; ++p) {
        if (memcmp(p, pattern, strlen(pattern)) == 0) {
            p += strlen(pattern);
            while (p < end && (*p == ' ' || *p == ':')) ++p;
            return p < end ? p : NULL;
        }
    }
    return NULL;
}

static dcx_status_t c_initialize(const dcx_source_t *s, dcx_str_t config, dcx_str_t core) {
    counter_t *c = self_of(s);
    (void)core;
    const char *topic = find_value(config.data, config.size, "topic");
    const char *count = find_value(config.data, config.size, "count");
    if (!topic || *topic != '"' || !count) {
        fail(c, "c_counter needs \"topic\" (string) and \"count\" (number)");
        return DCX_STATUS_CONFIG;
    }
    const char *close = memchr(topic + 1, '"', (size_t)(config.data + config.size - topic - 1));
    if (!close || (size_t)(close - topic - 1) >= sizeof c->topic) {
        fail(c, "c_counter: bad topic");
        return DCX_STATUS_CONFIG;
    }
    memcpy(c->topic, topic + 1, (size_t)(close - topic - 1));
    c->topic[close - topic - 1] = '\0';
    c->count = strtoul(count, NULL, 10);
    return DCX_STATUS_OK;
}

static dcx_status_t c_producer_configs(const dcx_source_t *s, const dcx_producer_sink_t *sink) {
    counter_t *c = self_of(s);
    dcx_producer_config_t pc;
    memset(&pc, 0, sizeof pc);
    pc.struct_size = sizeof pc;
    pc.topic.data = c->topic;
    pc.topic.size = strlen(c->topic);
    pc.partitions = 2;
    pc.reliable_dispatch = 1;
    return sink->add(sink, &pc);
}

static dcx_status_t c_poll(const dcx_source_t *s, const dcx_record_sink_t *sink, uint32_t max_records,
                           uint32_t timeout_ms) {
    counter_t *c = self_of(s);
    (void)timeout_ms;
    if (c->stop || c->next >= c->count) return DCX_STATUS_NO_DATA;
    uint32_t emitted = 0;
    while (c->next < c->count && emitted < max_records) {
        char payload[64], key[32];
        snprintf(payload, sizeof payload, "{\"n\":%lu}", c->next);
        snprintf(key, sizeof key, "k%lu", c->next % 3);
        dcx_attribute_t attr = {{"source", 6}, {"c_counter", 9}};
        dcx_record_t r;
        memset(&r, 0, sizeof r);
        r.struct_size = sizeof r;
        r.payload_kind = DCX_PAYLOAD_JSON;
        r.topic.data = c->topic;
        r.topic.size = strlen(c->topic);
        r.payload.data = payload;
        r.payload.size = strlen(payload);
        r.attributes = &attr;
        r.attribute_count = 1;
        r.flags = DCX_RECORD_HAS_KEY | DCX_RECORD_HAS_OFFSET;
        r.key.data = key;
        r.key.size = strlen(key);
        r.offset.partition.data = "counter";
        r.offset.partition.size = 7;
        r.offset.value = c->next;
        dcx_status_t st = sink->emit(sink, &r);
        if (st == DCX_STATUS_RETRYABLE) break; /* batch full: emit it next time */
        if (st != DCX_STATUS_OK) return st;
        ++c->next;
        ++emitted;
    }
    return DCX_STATUS_OK;
}

static dcx_status_t c_commit(const dcx_source_t *s, const dcx_offset_t *offsets, uint32_t count) {
    counter_t *c = self_of(s);
    for (uint32_t i = 0; i < count; ++i) {
        if (offsets[i].partition.size == 7 && memcmp(offsets[i].partition.data, "counter", 7) == 0) {
            c->committed = offsets[i].value + 1;
        }
    }
    return DCX_STATUS_OK;
}

static dcx_status_t c_health_check(const dcx_source_t *s) {
    counter_t *c = self_of(s);
    if (c->committed > c->count) {
        fail(c, "committed past the end");
        return DCX_STATUS_FATAL;
    }
    return DCX_STATUS_OK;
}

static void c_request_stop(const dcx_source_t *s) { self_of(s)->stop = 1; }

static dcx_status_t c_shutdown(const dcx_source_t *s) {
    counter_t *c = self_of(s);
    char msg[96];
    snprintf(msg, sizeof msg, "c_counter shutting down after %lu records, %lu committed", c->next, c->committed);
    dcx_str_t m = {msg, strlen(msg)};
    c->host->log(c->host, DCX_LOG_INFO, m);
    return DCX_STATUS_OK;
}

static void c_destroy(const dcx_source_t *s) { free(self_of(s)); }

static dcx_str_t c_schema(const dcx_source_t *s) {
    static const char schema[] =
        "{\"type\":\"object\",\"required\":[\"topic\",\"count\"],\"additionalProperties\":false,"
        "\"properties\":{\"topic\":{\"type\":\"string\"},\"count\":{\"type\":\"integer\",\"minimum\":0}}}";
    dcx_str_t out = {schema, sizeof schema - 1};
    (void)s;
    return out;
}

static const void *c_get_extension(const dcx_source_t *s, const char *id) {
    if (strcmp(id, DCX_EXT_CONFIG_SCHEMA) == 0) return &self_of(s)->schema_ext;
    return NULL;
}

static const dcx_source_t *c_create(const dcx_host_t *host) {
    counter_t *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->host = host;
    c->table.struct_size = sizeof c->table;
    c->table.plugin_data = c;
    c->table.initialize = c_initialize;
    c->table.producer_configs = c_producer_configs;
    c->table.poll = c_poll;
    c->table.commit = c_commit;
    c->table.health_check = c_health_check;
    c->table.request_stop = c_request_stop;
    c->table.shutdown = c_shutdown;
    c->table.destroy = c_destroy;
    c->table.get_extension = c_get_extension;
    c->schema_ext.struct_size = sizeof c->schema_ext;
    c->schema_ext.schema = c_schema;
    return &c->table;
}

#ifdef C_COUNTER_V1_0
#define PLUGIN_ID "c_counter_v1_0"
#else
#define PLUGIN_ID "c_counter"
#endif

DCX_EXPORT const dcx_plugin_descriptor_t *dcx_plugin_entry(uint32_t host_major, uint32_t host_minor,
                                                           const char **error) {
    static const dcx_plugin_descriptor_t descriptor = {
        sizeof(dcx_plugin_descriptor_t), DCX_ABI_VERSION_MAJOR, DCX_ABI_VERSION_MINOR, PLUGIN_ID,
        "C counter", "1.0.0", "counts in plain C", c_create};
    if (!DCX_ABI_IS_COMPATIBLE(host_major, host_minor, DCX_ABI_VERSION_MAJOR, DCX_ABI_VERSION_MINOR)) {
        *error = "c_counter needs a 1.x host";
        return NULL;
    }
    return &descriptor;
}
