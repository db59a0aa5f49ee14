/* SPDX-License-Identifier: Apache-2.0
 *
 * danube-connectd source-connector plugin ABI, version 1 (minor: see dcx/version.h).
 *
 * A plugin is a shared object that exports one function, dcx_plugin_entry(). The host calls it
 * with its ABI version and gets back a descriptor; the descriptor creates instances; an instance
 * is a table of slots (initialize, producer_configs, poll, commit, health_check, shutdown, ...)
 * that the host drives. The model is the source-connector guide's trait: the plugin turns its
 * source's data into records; the host validates, serializes, publishes to Danube with retries,
 * and commits the source offsets that Danube acknowledged.
 *
 * Rules that hold for every declaration below:
 * - Plain C99, fixed-width integers only, no enum types in structs, no bitfields.
 * - Every struct that can grow starts with `uint32_t struct_size`, set by whoever fills it to the
 *   sizeof() it was compiled with. Readers check it before touching a field past the first
 *   version's end. Structs marked FROZEN never change; a new layout would be a new type.
 * - Strings are dcx_str_t: UTF-8 (unless stated), not NUL-terminated, `data` may be NULL only
 *   when `size` is 0. NUL-terminated `const char*` is used only for static identifiers.
 * - Ownership is stated on every pointer: "read only during the call" means the receiver copies
 *   what it keeps; nothing is ever freed by the side that did not allocate it.
 * - Nothing may unwind across the boundary: no C++ exception, Rust panic or longjmp. An SDK wraps
 *   every slot in a catch-all. A status the host does not know counts as DCX_STATUS_FATAL.
 * - Thread tags, on the last line of each slot's comment:
 *     [plugin-thread]  called only from the host's plugin thread, never concurrently with another
 *                      [plugin-thread] slot of the same instance: a plugin needs no locks for them.
 *     [thread-safe]    may be called from any thread at any time while the instance exists.
 * - State tags: [created] after create, [initialized] after a successful initialize,
 *   [stopping] after request_stop. The host never calls a slot outside the states listed.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "dcx/version.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define DCX_EXPORT __declspec(dllexport)
#else
#define DCX_EXPORT __attribute__((visibility("default")))
#endif

/* ---------------------------------------------------------------------------------------------
 * Status codes: one vocabulary for every fallible slot. The message that goes with a non-OK
 * status is passed through dcx_host_t.set_error() before returning it.
 */
typedef int32_t dcx_status_t;
enum {
    DCX_STATUS_OK = 0,
    /* poll: nothing to deliver now; the host waits for wakeup() or its poll interval. */
    DCX_STATUS_NO_DATA = 1,
    /* Transient failure (network, rate limit, source busy). The host backs off and calls again. */
    DCX_STATUS_RETRYABLE = 2,
    /* A record, or the source data behind it, is invalid. From poll: the plugin skipped source
     * data it could not turn into a record (the host counts and logs it, then polls on).
     * From the record sink: the record was malformed and was not accepted. */
    DCX_STATUS_INVALID_RECORD = 3,
    /* The configuration is wrong (initialize): the daemon refuses to start (exit code 78). */
    DCX_STATUS_CONFIG = 4,
    /* The instance cannot go on: the host drains, commits what was acknowledged, calls shutdown
     * and stops with a non-zero exit. */
    DCX_STATUS_FATAL = 5
};

/* Log levels for dcx_host_t.log(). */
typedef int32_t dcx_log_level_t;
enum {
    DCX_LOG_TRACE = 0,
    DCX_LOG_DEBUG = 1,
    DCX_LOG_INFO = 2,
    DCX_LOG_WARN = 3,
    DCX_LOG_ERROR = 4
};

/* How the host reads a record's payload, and so how it serializes it for the topic's schema
 * (the reference runtime's SourceRecord constructors). */
typedef int32_t dcx_payload_kind_t;
enum {
    /* UTF-8 JSON text of any JSON value (SourceRecord::from_json / new). */
    DCX_PAYLOAD_JSON = 0,
    /* UTF-8 text, carried as a JSON string (SourceRecord::from_string). */
    DCX_PAYLOAD_STRING = 1,
    /* A JSON number in text form, e.g. "42" or "23.5" (SourceRecord::from_number). */
    DCX_PAYLOAD_NUMBER = 2,
    /* Opaque bytes (SourceRecord::from_bytes): the host wraps them as
     * {"data":"<base64>","size":n} for JSON topics and sends them raw for `bytes` schemas. */
    DCX_PAYLOAD_BYTES = 3
};

/* Record flags. */
enum {
    DCX_RECORD_HAS_KEY = 1u << 0,    /* `key` is set: the host routes by it (FNV-1a) */
    DCX_RECORD_HAS_OFFSET = 1u << 1  /* `offset` is set: committed once acknowledged */
};

/* FROZEN. A byte string; UTF-8 unless the field says otherwise. */
typedef struct dcx_str {
    const char *data;
    uint64_t size;
} dcx_str_t;

/* FROZEN. One record attribute (Danube message attribute). */
typedef struct dcx_attribute {
    dcx_str_t key;
    dcx_str_t value;
} dcx_attribute_t;

/* FROZEN. A position in the source: `partition` names an independently ordered stream of the
 * source (an MQTT subscription, a replication slot, a file); `value` is the position in it.
 * Mirrors the reference runtime's Offset {partition, value, metadata}. */
typedef struct dcx_offset {
    dcx_str_t partition;
    uint64_t value;
    dcx_str_t metadata; /* optional, size 0 when absent */
} dcx_offset_t;

/* One record handed to the host. */
typedef struct dcx_record {
    uint32_t struct_size;
    dcx_payload_kind_t payload_kind;
    dcx_str_t topic;   /* destination Danube topic, one declared by producer_configs() */
    dcx_str_t payload; /* UTF-8 for JSON, STRING and NUMBER; any bytes for BYTES */
    const dcx_attribute_t *attributes;
    uint32_t attribute_count;
    uint32_t flags; /* DCX_RECORD_* */
    dcx_str_t key;  /* with DCX_RECORD_HAS_KEY: the routing key */
    dcx_offset_t offset; /* with DCX_RECORD_HAS_OFFSET */
    /* Opaque to the host; reported back per record by dcx.record-outcome/1 (0: not tracked). */
    uint64_t user_token;
    /* Since 1.1. When the event happened at the source, in ms since the Unix epoch (e.g. a
     * database commit time); sent as the message's publish_time. 0: the host uses its clock. */
    int64_t event_time_ms;
} dcx_record_t;

/* Where poll() puts its records. */
typedef struct dcx_record_sink {
    uint32_t struct_size;
    void *host_data; /* the host's; do not touch */

    /* Hands one record to the host, which copies everything it needs before returning.
     * Returns DCX_STATUS_OK when accepted; DCX_STATUS_RETRYABLE when this poll's max_records are
     * already taken (keep the record and emit it on a later poll); DCX_STATUS_INVALID_RECORD when
     * the record is malformed (NULL data with a size, struct_size too small, unknown payload kind,
     * an offset whose partition or metadata is not UTF-8): it was not accepted and the host
     * logged why.
     * Ownership: `record` and everything it points to stay the plugin's; read only during the call.
     * [plugin-thread], only during poll() */
    dcx_status_t (*emit)(const struct dcx_record_sink *sink, const dcx_record_t *record);
} dcx_record_sink_t;

/* One destination topic (the reference runtime's ProducerConfig). */
typedef struct dcx_producer_config {
    uint32_t struct_size;
    uint32_t partitions;       /* 0: a plain topic; N: N partitions `<topic>-part-<i>` */
    dcx_str_t topic;           /* e.g. "/default/events" */
    int32_t reliable_dispatch; /* 0 or 1 */
} dcx_producer_config_t;

/* Where producer_configs() puts its topics. */
typedef struct dcx_producer_sink {
    uint32_t struct_size;
    void *host_data;

    /* Declares one destination topic; the host copies it.
     * Returns DCX_STATUS_OK, or DCX_STATUS_CONFIG when the topic is malformed (the reason is
     * logged and initialization fails after producer_configs returns).
     * Ownership: `config` stays the plugin's; read only during the call.
     * [plugin-thread], only during producer_configs() */
    dcx_status_t (*add)(const struct dcx_producer_sink *sink, const dcx_producer_config_t *config);
} dcx_producer_sink_t;

/* Services the host offers every instance. Owned by the host, valid until destroy() returns. */
typedef struct dcx_host {
    uint32_t struct_size;
    uint32_t abi_major; /* the host's ABI version */
    uint32_t abi_minor;
    void *host_data; /* the host's; do not touch */
    const char *host_name;    /* e.g. "danube-connectd", static */
    const char *host_version; /* e.g. "0.1.0", static */

    /* Logs through the daemon's logger, tagged with the connector name. Never pass secrets.
     * Ownership: `message` read only during the call.
     * [thread-safe] */
    void (*log)(const struct dcx_host *host, dcx_log_level_t level, dcx_str_t message);

    /* Sets the message that explains the non-OK status the current slot is about to return.
     * The last call before returning wins. Ownership: `message` read only during the call.
     * [plugin-thread], during a slot call */
    void (*set_error)(const struct dcx_host *host, dcx_str_t message);

    /* Tells the host that data is ready, so it polls now instead of after its poll interval.
     * For push-style plugins (MQTT callbacks, HTTP handlers). Cheap; may be called often.
     * [thread-safe] */
    void (*wakeup)(const struct dcx_host *host);

    /* Returns the host extension table for `id` ("dcx.<name>/<rev>"), or NULL. None in 1.0.
     * [thread-safe] */
    const void *(*get_extension)(const struct dcx_host *host, const char *id);
} dcx_host_t;

/* One source-connector instance: the slots the host drives. Allocated by the plugin in create(),
 * freed by the plugin in destroy(). */
typedef struct dcx_source {
    uint32_t struct_size;
    void *plugin_data; /* the plugin's own; the host never touches it */

    /* Prepares the instance: parse the configuration, connect, subscribe.
     * `connector_config` is the plugin's own configuration section as a UTF-8 JSON object
     * (secrets already interpolated); `core_config` is the daemon's core configuration as JSON
     * (danube_service_url, connector_name, processing, schemas, and `offsets`: an array of
     * {"partition","value","metadata"} committed by an earlier run, to resume from).
     * Returns OK, CONFIG (bad configuration: exit 78), RETRYABLE (source unreachable: the host
     * retries with backoff) or FATAL.
     * Ownership: both strings read only during the call.
     * [plugin-thread] [created] */
    dcx_status_t (*initialize)(const struct dcx_source *source, dcx_str_t connector_config,
                               dcx_str_t core_config);

    /* Declares every destination topic, by calling sink->add() once per topic, before any record
     * flows. Returns OK, CONFIG or FATAL.
     * [plugin-thread] [initialized] */
    dcx_status_t (*producer_configs)(const struct dcx_source *source, const dcx_producer_sink_t *sink);

    /* Delivers up to `max_records` records through sink->emit(). May wait up to `timeout_ms`
     * for data, but must return promptly once request_stop() was called. Push-style plugins
     * return DCX_STATUS_NO_DATA at once when their buffer is empty and call host->wakeup()
     * when data arrives.
     * Returns OK (records emitted, possibly none), NO_DATA, RETRYABLE, INVALID_RECORD (source
     * data skipped; see the status) or FATAL.
     * [plugin-thread] [initialized] */
    dcx_status_t (*poll)(const struct dcx_source *source, const dcx_record_sink_t *sink, uint32_t max_records,
                         uint32_t timeout_ms);

    /* Reports source offsets that are now safe to commit: for each source partition, the highest
     * position whose record and every earlier record of that partition Danube acknowledged (or
     * the dead-letter path settled). Called only when positions advanced, in order.
     * Returns OK, RETRYABLE (the host calls again with the same or newer offsets) or FATAL.
     * Ownership: `offsets` read only during the call.
     * [plugin-thread] [initialized] */
    dcx_status_t (*commit)(const struct dcx_source *source, const dcx_offset_t *offsets, uint32_t count);

    /* Cheap liveness check of the source connection, every health_check_interval_ms.
     * Returns OK, or RETRYABLE/FATAL with a reason; consecutive failures up to the configured
     * threshold make the daemon stop. May be NULL: always healthy.
     * [plugin-thread] [initialized] */
    dcx_status_t (*health_check)(const struct dcx_source *source);

    /* Asks a blocking poll() to return now, and every later poll() to return at once. Must not
     * block. Called at shutdown, possibly while poll() runs on the plugin thread.
     * [thread-safe] */
    void (*request_stop)(const struct dcx_source *source);

    /* Releases the source: flush, unsubscribe, close connections. The host has already drained
     * and committed. Called once, also after a failed initialize. Returns OK or FATAL (logged).
     * [plugin-thread] [created] */
    dcx_status_t (*shutdown)(const struct dcx_source *source);

    /* Frees the instance; `source` is invalid afterwards.
     * [plugin-thread] */
    void (*destroy)(const struct dcx_source *source);

    /* Returns the extension table for `id` ("dcx.<name>/<rev>", see dcx/ext/), or NULL. The table
     * is owned by the plugin and valid until destroy().
     * [plugin-thread] [created] */
    const void *(*get_extension)(const struct dcx_source *source, const char *id);
} dcx_source_t;

/* What dcx_plugin_entry() returns. Owned by the plugin, static for the life of the process. */
typedef struct dcx_plugin_descriptor {
    uint32_t struct_size;
    uint32_t abi_major; /* DCX_ABI_VERSION_MAJOR the plugin was built with */
    uint32_t abi_minor; /* DCX_ABI_VERSION_MINOR the plugin was built with */
    const char *id;          /* short unique id, e.g. "in_mqtt" (NUL-terminated, static) */
    const char *name;        /* human name, e.g. "MQTT source" */
    const char *version;     /* the plugin's own version, e.g. "1.2.0" */
    const char *description; /* one line */

    /* Creates an instance. `host` stays valid until the instance's destroy() returns. Returns
     * NULL on failure, after logging the reason through host->log.
     * [plugin-thread] */
    const dcx_source_t *(*create)(const dcx_host_t *host);
} dcx_plugin_descriptor_t;

/* The one exported symbol. The host calls it once, right after dlopen, with its own ABI version.
 * Returns the descriptor, or NULL to refuse this host, after pointing *error at a static
 * NUL-terminated reason. Must not start threads or touch the network.
 * [main-thread], before anything else */
typedef const dcx_plugin_descriptor_t *(*dcx_plugin_entry_fn)(uint32_t host_abi_major, uint32_t host_abi_minor,
                                                              const char **error);
#define DCX_PLUGIN_ENTRY_SYMBOL "dcx_plugin_entry"

/* The prototype every plugin defines (exactly once, with DCX_EXPORT). */
DCX_EXPORT const dcx_plugin_descriptor_t *dcx_plugin_entry(uint32_t host_abi_major, uint32_t host_abi_minor,
                                                           const char **error);

#ifdef __cplusplus
}
#endif
