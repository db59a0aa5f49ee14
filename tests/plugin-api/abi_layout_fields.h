/* SPDX-License-Identifier: Apache-2.0
 * Every field of every ABI 1.0 struct, as offsetof() / sizeof() values. Append only. */
#pragma once

#define DCX_LAYOUT_FIELDS                                                                                   \
    sizeof(dcx_str_t), offsetof(dcx_str_t, data), offsetof(dcx_str_t, size), sizeof(dcx_attribute_t),     \
        offsetof(dcx_attribute_t, value), sizeof(dcx_offset_t), offsetof(dcx_offset_t, partition),          \
        offsetof(dcx_offset_t, value), offsetof(dcx_offset_t, metadata), offsetof(dcx_record_t, struct_size), \
        offsetof(dcx_record_t, payload_kind), offsetof(dcx_record_t, topic), offsetof(dcx_record_t, payload), \
        offsetof(dcx_record_t, attributes), offsetof(dcx_record_t, attribute_count),                         \
        offsetof(dcx_record_t, flags), offsetof(dcx_record_t, key), offsetof(dcx_record_t, offset),          \
        offsetof(dcx_record_t, user_token), offsetof(dcx_record_sink_t, host_data),                          \
        offsetof(dcx_record_sink_t, emit), offsetof(dcx_producer_config_t, partitions),                      \
        offsetof(dcx_producer_config_t, topic), offsetof(dcx_producer_config_t, reliable_dispatch),          \
        offsetof(dcx_producer_sink_t, host_data), offsetof(dcx_producer_sink_t, add),                        \
        offsetof(dcx_host_t, abi_major), offsetof(dcx_host_t, abi_minor), offsetof(dcx_host_t, host_data),   \
        offsetof(dcx_host_t, host_name), offsetof(dcx_host_t, host_version), offsetof(dcx_host_t, log),      \
        offsetof(dcx_host_t, set_error), offsetof(dcx_host_t, wakeup), offsetof(dcx_host_t, get_extension),  \
        offsetof(dcx_source_t, plugin_data), offsetof(dcx_source_t, initialize),                             \
        offsetof(dcx_source_t, producer_configs), offsetof(dcx_source_t, poll), offsetof(dcx_source_t, commit), \
        offsetof(dcx_source_t, health_check), offsetof(dcx_source_t, request_stop),                          \
        offsetof(dcx_source_t, shutdown), offsetof(dcx_source_t, destroy), offsetof(dcx_source_t, get_extension), \
        offsetof(dcx_plugin_descriptor_t, abi_major), offsetof(dcx_plugin_descriptor_t, abi_minor),          \
        offsetof(dcx_plugin_descriptor_t, id), offsetof(dcx_plugin_descriptor_t, name),                      \
        offsetof(dcx_plugin_descriptor_t, version), offsetof(dcx_plugin_descriptor_t, description),          \
        offsetof(dcx_plugin_descriptor_t, create)
