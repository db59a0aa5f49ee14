// SPDX-License-Identifier: Apache-2.0
// One running plugin instance: owns the dcx_source_t the plugin created, implements the host
// table it gets (log, set_error, wakeup), copies records out of the sinks, and turns every slot
// call into a CallResult with the plugin's message. Checks every pointer the plugin hands over.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dcx/ext/record_outcome.h"
#include "dcx/plugin_api.h"
#include "plugin/owned_record.hpp"
#include "plugin/plugin_loader.hpp"

namespace dcx::plugin {

/// Outcome of one slot call. `status` is always a known DCX_STATUS_* value.
struct CallResult {
    dcx_status_t status = DCX_STATUS_OK;
    std::string message;
    bool ok() const { return status == DCX_STATUS_OK; }
};
const char* status_name(dcx_status_t status);

struct ProducerSpec {
    std::string topic;
    uint32_t partitions = 0;
    bool reliable_dispatch = false;
};

class PluginInstance {
public:
    /// Must be thread-safe: the plugin may call wakeup from its own threads.
    using WakeupFn = std::function<void()>;

    /// Calls the descriptor's create() and checks the slot table. Throws PluginLoadError
    /// (refused when create() returns NULL, malformed for a short table or a NULL required slot).
    PluginInstance(std::shared_ptr<const LoadedPlugin> plugin, std::string connector_name, WakeupFn wakeup);
    ~PluginInstance();
    PluginInstance(const PluginInstance&) = delete;
    PluginInstance& operator=(const PluginInstance&) = delete;

    // All of these run on the plugin thread (plugin_api.h [plugin-thread]).
    CallResult initialize(std::string_view connector_config_json, std::string_view core_config_json);
    CallResult producer_configs(std::vector<ProducerSpec>& out);
    /// Appends what the plugin emits to `batch` (at most max_records).
    CallResult poll(RecordBatch& batch, uint32_t max_records, uint32_t timeout_ms);
    CallResult commit(std::span<const SourceOffset> offsets);
    CallResult health_check();
    CallResult shutdown();
    /// The plugin's JSON Schema for its section (extension dcx.config-schema/1), if it has one.
    std::optional<std::string> config_schema();

    /// True when the plugin implements dcx.record-outcome/1 (asked once, after initialize).
    bool wants_record_outcomes();
    /// Reports the fate of the record emitted with `user_token` (plugin thread).
    void record_outcome(uint64_t user_token, dcx_status_t status, std::string_view reason);

    /// [thread-safe]
    void request_stop();

    const LoadedPlugin& plugin() const { return *plugin_; }
    /// Records the plugin emitted that the host could not read (bad pointers, sizes, kinds).
    uint64_t malformed_records() const { return malformed_records_.load(); }

private:
    template <class Fn>
    CallResult call(const char* slot, Fn&& fn);
    void note_malformed(const std::string& why);

    static void host_log(const dcx_host_t* host, dcx_log_level_t level, dcx_str_t message);
    static void host_set_error(const dcx_host_t* host, dcx_str_t message);
    static void host_wakeup(const dcx_host_t* host);
    static const void* host_get_extension(const dcx_host_t* host, const char* id);
    static dcx_status_t sink_emit(const dcx_record_sink_t* sink, const dcx_record_t* record);
    static dcx_status_t sink_add(const dcx_producer_sink_t* sink, const dcx_producer_config_t* config);

    std::shared_ptr<const LoadedPlugin> plugin_;
    std::string connector_name_;
    WakeupFn wakeup_;
    dcx_host_t host_{};
    const dcx_source_t* source_ = nullptr;
    std::string last_error_;
    std::atomic<uint64_t> malformed_records_{0};
    bool shut_down_ = false;
    const dcx_ext_record_outcome_t* outcome_ext_ = nullptr;
    bool outcome_asked_ = false;
};

}  // namespace dcx::plugin
