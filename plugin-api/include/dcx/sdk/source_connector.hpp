// SPDX-License-Identifier: Apache-2.0
// The C++ SDK: derive from dcx::sdk::SourceConnector, implement the guide's methods with
// nlohmann::json values, and export the class with DCX_SOURCE_PLUGIN(...). The SDK owns every
// ABI detail: slot tables, record conversion, and the exception barrier on every slot.
#pragma once

#include <atomic>
#include <chrono>
#include <cstring>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "dcx/ext/config_schema.h"
#include "dcx/ext/record_outcome.h"
#include "dcx/plugin_api.h"
#include "dcx/sdk/error.hpp"
#include "dcx/sdk/source_record.hpp"

namespace dcx::sdk {

enum class LogLevel : int32_t { trace = DCX_LOG_TRACE, debug = DCX_LOG_DEBUG, info = DCX_LOG_INFO, warn = DCX_LOG_WARN, error = DCX_LOG_ERROR };

/// The daemon's core configuration as handed to initialize().
class CoreConfig {
public:
    explicit CoreConfig(nlohmann::json json) : json_(std::move(json)) {}
    const nlohmann::json& json() const { return json_; }
    std::string connector_name() const { return json_.value("connector_name", ""); }
    /// Offsets committed by an earlier run, to resume from (empty on a first start).
    std::vector<Offset> committed_offsets() const {
        std::vector<Offset> out;
        if (!json_.contains("offsets")) return out;
        for (const auto& o : json_["offsets"]) {
            Offset off{o.at("partition").get<std::string>(), o.at("value").get<uint64_t>(), std::nullopt};
            if (o.contains("metadata") && o["metadata"].is_string()) off.metadata = o["metadata"].get<std::string>();
            out.push_back(std::move(off));
        }
        return out;
    }

private:
    nlohmann::json json_;
};

namespace detail {
template <class T>
class Instance;
}

/// What became of a record emitted with a token (extension dcx.record-outcome/1).
enum class RecordOutcome {
    delivered = DCX_STATUS_OK,               // Danube acknowledged it
    dead_lettered = DCX_STATUS_INVALID_RECORD,  // written to the dead-letter topic, or skipped by policy
    not_delivered = DCX_STATUS_FATAL,        // the daemon stopped before Danube confirmed it
};

/// Opt-in piece: derive from it (next to SourceConnector) to hear the fate of every record
/// emitted with SourceRecord::with_token(). Called on the plugin thread.
class RecordOutcomes {
public:
    virtual ~RecordOutcomes() = default;
    virtual void on_record_outcome(uint64_t token, RecordOutcome outcome, std::string_view reason) = 0;
};

/// Base class of a source connector. One object per instance; the host drives it from one
/// thread ("plugin thread"), so hooks need no locks unless the connector runs its own threads.
/// Every hook may throw: dcx::sdk::Error subclasses map to their status, anything else to FATAL.
class SourceConnector {
public:
    SourceConnector() = default;
    virtual ~SourceConnector() = default;
    SourceConnector(const SourceConnector&) = delete;
    SourceConnector& operator=(const SourceConnector&) = delete;

    /// Parses the connector's section, connects and subscribes. Throw ConfigError for bad
    /// configuration, RetryableError when the source is unreachable.
    virtual void initialize(const nlohmann::json& config, const CoreConfig& core) = 0;
    /// Every destination topic, before any record flows.
    virtual std::vector<ProducerConfig> producer_configs() = 0;
    /// New records; empty when there is no data. May wait up to poll_timeout(), but must
    /// return soon after stop_requested() turns true. At most max_records() are taken per call;
    /// the SDK keeps the rest and hands them over before calling poll() again.
    virtual std::vector<SourceRecord> poll() = 0;
    /// Offsets Danube acknowledged, per source partition, in order.
    virtual void commit(const std::vector<Offset>& offsets) { (void)offsets; }
    /// Release the source. The host has drained and committed already.
    virtual void shutdown() {}
    /// Throw to report the source unhealthy.
    virtual void health_check() {}
    /// JSON Schema of the configuration section (extension dcx.config-schema/1), if any.
    virtual std::optional<nlohmann::json> config_schema() const { return std::nullopt; }
    /// Called from any thread when the host stops; wake a blocking poll() here. Must not block.
    virtual void on_stop_requested() {}

protected:
    /// Logs through the daemon's logger. [thread-safe]
    void log(LogLevel level, std::string_view message) const noexcept {
        if (host_) host_->log(host_, static_cast<dcx_log_level_t>(level), {message.data(), message.size()});
    }
    /// Tells the host data is ready (push-style sources). [thread-safe]
    void wake_host() const noexcept {
        if (host_) host_->wakeup(host_);
    }
    /// True once the host asked the connector to stop. [thread-safe]
    bool stop_requested() const noexcept { return stop_requested_.load(std::memory_order_acquire); }
    /// Limits of the current poll().
    uint32_t max_records() const noexcept { return max_records_; }
    std::chrono::milliseconds poll_timeout() const noexcept { return poll_timeout_; }

private:
    template <class T>
    friend class detail::Instance;

    const dcx_host_t* host_ = nullptr;
    std::atomic<bool> stop_requested_{false};
    uint32_t max_records_ = 0;
    std::chrono::milliseconds poll_timeout_{0};
};

namespace detail {

inline void set_error(const dcx_host_t* host, std::string_view message) noexcept {
    if (host && host->set_error) host->set_error(host, {message.data(), message.size()});
}

/// The exception barrier: nothing thrown inside `fn` crosses the C boundary.
template <class Fn>
dcx_status_t guarded(const dcx_host_t* host, Fn&& fn) noexcept {
    try {
        return fn();
    } catch (const Error& e) {
        set_error(host, e.what());
        return e.status();
    } catch (const std::exception& e) {
        set_error(host, e.what());
        return DCX_STATUS_FATAL;
    } catch (...) {
        set_error(host, "unknown exception thrown by the connector");
        return DCX_STATUS_FATAL;
    }
}

inline dcx_str_t view(const std::string& s) { return {s.data(), s.size()}; }
inline std::string copy(dcx_str_t s) { return s.size ? std::string(s.data, s.size) : std::string(); }

/// One instance: the slot table plus the connector object.
template <class T>
class Instance {
public:
    explicit Instance(const dcx_host_t* host) : host_(host) {
        base().host_ = host;
        table_.struct_size = sizeof(dcx_source_t);
        table_.plugin_data = this;
        table_.initialize = &initialize;
        table_.producer_configs = &producer_configs;
        table_.poll = &poll;
        table_.commit = &commit;
        table_.health_check = &health_check;
        table_.request_stop = &request_stop;
        table_.shutdown = &shutdown;
        table_.destroy = &destroy;
        table_.get_extension = &get_extension;
        config_schema_ext_.struct_size = sizeof(dcx_ext_config_schema_t);
        config_schema_ext_.schema = &config_schema;
        outcome_ext_.struct_size = sizeof(dcx_ext_record_outcome_t);
        outcome_ext_.on_outcome = &on_outcome;
    }

    const dcx_source_t* table() const { return &table_; }

private:
    SourceConnector& base() { return static_cast<SourceConnector&>(connector_); }

    static Instance& self(const dcx_source_t* s) { return *static_cast<Instance*>(s->plugin_data); }

    static dcx_status_t initialize(const dcx_source_t* s, dcx_str_t config, dcx_str_t core) {
        Instance& in = self(s);
        return guarded(in.host_, [&]() -> dcx_status_t {
            auto parse = [](dcx_str_t text, const char* what) {
                try {
                    return nlohmann::json::parse(copy(text));
                } catch (const nlohmann::json::exception& e) {
                    throw ConfigError(std::string(what) + " is not valid JSON: " + e.what());
                }
            };
            in.connector_.initialize(parse(config, "connector configuration"), CoreConfig(parse(core, "core configuration")));
            return DCX_STATUS_OK;
        });
    }

    static dcx_status_t producer_configs(const dcx_source_t* s, const dcx_producer_sink_t* sink) {
        Instance& in = self(s);
        return guarded(in.host_, [&]() -> dcx_status_t {
            for (const auto& pc : in.connector_.producer_configs()) {
                dcx_producer_config_t c{};
                c.struct_size = sizeof c;
                c.partitions = pc.partitions;
                c.topic = view(pc.topic);
                c.reliable_dispatch = pc.reliable_dispatch ? 1 : 0;
                if (const dcx_status_t st = sink->add(sink, &c); st != DCX_STATUS_OK) return st;
            }
            return DCX_STATUS_OK;
        });
    }

    // Emits pending records until the sink is full; returns false when it filled up.
    bool drain_pending(const dcx_record_sink_t* sink, size_t& emitted) {
        while (!pending_.empty()) {
            const SourceRecord& r = pending_.front();
            attrs_.clear();
            for (const auto& [k, v] : r.attributes()) attrs_.push_back({view(k), view(v)});
            dcx_record_t rec{};
            rec.struct_size = sizeof rec;
            rec.payload_kind = static_cast<dcx_payload_kind_t>(r.kind());
            rec.topic = view(r.topic());
            rec.payload = view(r.payload());
            rec.attributes = attrs_.data();
            rec.attribute_count = static_cast<uint32_t>(attrs_.size());
            if (r.key()) {
                rec.flags |= DCX_RECORD_HAS_KEY;
                rec.key = view(*r.key());
            }
            if (r.offset()) {
                rec.flags |= DCX_RECORD_HAS_OFFSET;
                rec.offset.partition = view(r.offset()->partition);
                rec.offset.value = r.offset()->value;
                if (r.offset()->metadata) rec.offset.metadata = view(*r.offset()->metadata);
            }
            rec.event_time_ms = r.event_time_ms();
            rec.user_token = r.token();
            const dcx_status_t st = sink->emit(sink, &rec);
            if (st == DCX_STATUS_RETRYABLE) return false;  // full: keep it for the next poll
            if (st != DCX_STATUS_OK) {
                connector_.log(LogLevel::error, "record for topic " + r.topic() + " was refused by the host (malformed)");
            }
            pending_.pop_front();
            ++emitted;
        }
        return true;
    }

    static dcx_status_t poll(const dcx_source_t* s, const dcx_record_sink_t* sink, uint32_t max_records,
                             uint32_t timeout_ms) {
        Instance& in = self(s);
        return guarded(in.host_, [&]() -> dcx_status_t {
            size_t emitted = 0;
            if (!in.drain_pending(sink, emitted)) return DCX_STATUS_OK;
            // Through the base: a connector member with the same name must not hide the SDK's.
            in.base().max_records_ = max_records;
            in.base().poll_timeout_ = std::chrono::milliseconds(timeout_ms);
            for (auto& r : in.connector_.poll()) in.pending_.push_back(std::move(r));
            in.drain_pending(sink, emitted);
            return emitted ? DCX_STATUS_OK : DCX_STATUS_NO_DATA;
        });
    }

    static dcx_status_t commit(const dcx_source_t* s, const dcx_offset_t* offsets, uint32_t count) {
        Instance& in = self(s);
        return guarded(in.host_, [&]() -> dcx_status_t {
            std::vector<Offset> list;
            list.reserve(count);
            for (uint32_t i = 0; i < count; ++i) {
                Offset o{copy(offsets[i].partition), offsets[i].value, std::nullopt};
                if (offsets[i].metadata.size) o.metadata = copy(offsets[i].metadata);
                list.push_back(std::move(o));
            }
            in.connector_.commit(list);
            return DCX_STATUS_OK;
        });
    }

    static dcx_status_t health_check(const dcx_source_t* s) {
        Instance& in = self(s);
        return guarded(in.host_, [&]() -> dcx_status_t {
            in.connector_.health_check();
            return DCX_STATUS_OK;
        });
    }

    static void request_stop(const dcx_source_t* s) {
        Instance& in = self(s);
        in.base().stop_requested_.store(true, std::memory_order_release);
        (void)guarded(in.host_, [&]() -> dcx_status_t {
            in.connector_.on_stop_requested();
            return DCX_STATUS_OK;
        });
    }

    static dcx_status_t shutdown(const dcx_source_t* s) {
        Instance& in = self(s);
        return guarded(in.host_, [&]() -> dcx_status_t {
            in.connector_.shutdown();
            return DCX_STATUS_OK;
        });
    }

    static void destroy(const dcx_source_t* s) { delete &self(s); }

    static const void* get_extension(const dcx_source_t* s, const char* id) {
        Instance& in = self(s);
        if (id && std::strcmp(id, DCX_EXT_CONFIG_SCHEMA) == 0) {
            try {
                if (!in.schema_text_) {
                    const auto schema = in.connector_.config_schema();
                    in.schema_text_ = schema ? schema->dump() : std::string();
                }
            } catch (...) {
                in.schema_text_ = std::string();
            }
            return in.schema_text_->empty() ? nullptr : &in.config_schema_ext_;
        }
        if constexpr (std::is_base_of_v<RecordOutcomes, T>) {
            if (id && std::strcmp(id, DCX_EXT_RECORD_OUTCOME) == 0) return &in.outcome_ext_;
        }
        return nullptr;
    }

    static void on_outcome(const dcx_source_t* s, uint64_t token, dcx_status_t status, dcx_str_t reason) {
        if constexpr (std::is_base_of_v<RecordOutcomes, T>) {
            Instance& in = self(s);
            (void)guarded(in.host_, [&]() -> dcx_status_t {
                in.connector_.on_record_outcome(token, static_cast<RecordOutcome>(status),
                                                std::string_view(reason.data ? reason.data : "", reason.size));
                return DCX_STATUS_OK;
            });
        } else {
            (void)s, (void)token, (void)status, (void)reason;
        }
    }

    static dcx_str_t config_schema(const dcx_source_t* s) { return view(*self(s).schema_text_); }

    const dcx_host_t* host_;
    T connector_;
    dcx_source_t table_{};
    dcx_ext_config_schema_t config_schema_ext_{};
    dcx_ext_record_outcome_t outcome_ext_{};
    std::optional<std::string> schema_text_;
    std::deque<SourceRecord> pending_;
    std::vector<dcx_attribute_t> attrs_;  // scratch, reused for every record
};

template <class T>
const dcx_source_t* create(const dcx_host_t* host) noexcept {
    try {
        return (new Instance<T>(host))->table();
    } catch (const std::exception& e) {
        const std::string msg = std::string("cannot create the connector: ") + e.what();
        if (host) host->log(host, DCX_LOG_ERROR, {msg.data(), msg.size()});
    } catch (...) {
        static constexpr std::string_view kMsg = "cannot create the connector: unknown exception";
        if (host) host->log(host, DCX_LOG_ERROR, {kMsg.data(), kMsg.size()});
    }
    return nullptr;
}

}  // namespace detail
}  // namespace dcx::sdk

/// Exports `Class` (default-constructible, derived from dcx::sdk::SourceConnector) as the
/// plugin of this shared object. Use once, in one .cpp file, at namespace scope.
#define DCX_SOURCE_PLUGIN(Class, id_, name_, version_, description_)                                       \
    extern "C" DCX_EXPORT const dcx_plugin_descriptor_t* dcx_plugin_entry(uint32_t host_major,             \
                                                                          uint32_t host_minor,             \
                                                                          const char** error) {            \
        static const dcx_plugin_descriptor_t descriptor = {sizeof(dcx_plugin_descriptor_t),                \
                                                           DCX_ABI_VERSION_MAJOR,                          \
                                                           DCX_ABI_VERSION_MINOR,                          \
                                                           id_,                                            \
                                                           name_,                                          \
                                                           version_,                                       \
                                                           description_,                                   \
                                                           &::dcx::sdk::detail::create<Class>};            \
        if (!DCX_ABI_IS_COMPATIBLE(host_major, host_minor, DCX_ABI_VERSION_MAJOR, DCX_ABI_VERSION_MINOR)) { \
            if (error) *error = "plugin needs plugin ABI " DCX_SDK_STR(DCX_ABI_VERSION_MAJOR) "." DCX_SDK_STR( \
                DCX_ABI_VERSION_MINOR) " or a newer 1.x host";                                            \
            return nullptr;                                                                                \
        }                                                                                                  \
        return &descriptor;                                                                                \
    }

#define DCX_SDK_STR_(x) #x
#define DCX_SDK_STR(x) DCX_SDK_STR_(x)
