// SPDX-License-Identifier: Apache-2.0
#include "plugin/plugin_instance.hpp"

#include <cstddef>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "common/utf8.hpp"
#include "dcx/ext/config_schema.h"
#include "dcx/ext/record_outcome.h"
#include "plugin/plugin_error.hpp"

namespace dcx::plugin {
namespace {

// 1.0 layouts: fields past these ends are read only when struct_size says they exist.
constexpr uint32_t kSourceV1Size = offsetof(dcx_source_t, get_extension) + sizeof(void*);
constexpr uint32_t kRecordV1Size = offsetof(dcx_record_t, user_token) + sizeof(uint64_t);
constexpr uint32_t kRecordV11Size = offsetof(dcx_record_t, event_time_ms) + sizeof(int64_t);
constexpr uint32_t kProducerConfigV1Size = offsetof(dcx_producer_config_t, reliable_dispatch) + sizeof(int32_t);

constexpr uint64_t kMaxFieldBytes = 64ull * 1024 * 1024;  // nothing legitimate is larger
constexpr uint32_t kMaxAttributes = 4096;
constexpr size_t kMaxMessageBytes = 4096;  // log lines and error messages from the plugin

// Text from the plugin, made safe to log: bounded, valid UTF-8, no control characters.
std::string sanitize(dcx_str_t s) {
    if (!s.data || s.size == 0) return {};
    std::string_view in(s.data, std::min<uint64_t>(s.size, kMaxMessageBytes));
    std::string out;
    out.reserve(in.size());
    size_t pos = 0;
    while (pos < in.size()) {
        char32_t cp = 0;
        const size_t start = pos;
        if (!next_utf8_code_point(in, pos, cp)) {
            out += '?';
            ++pos;
            continue;
        }
        if (cp < 0x20 && cp != '\t') {
            out += ' ';
        } else {
            out.append(in.substr(start, pos - start));
        }
    }
    if (s.size > kMaxMessageBytes) out += "... (truncated)";
    return out;
}

// A dcx_str_t the host may read: NULL only with size 0, and not absurdly large.
bool readable(dcx_str_t s) { return (s.data != nullptr || s.size == 0) && s.size <= kMaxFieldBytes; }
std::string copy(dcx_str_t s) { return s.size ? std::string(s.data, s.size) : std::string(); }
std::string_view view(dcx_str_t s) { return s.size ? std::string_view(s.data, s.size) : std::string_view(); }

struct EmitContext {
    PluginInstance* self;
    RecordBatch* batch;
    uint32_t remaining;
};

}  // namespace

const char* status_name(dcx_status_t status) {
    switch (status) {
        case DCX_STATUS_OK: return "OK";
        case DCX_STATUS_NO_DATA: return "NO_DATA";
        case DCX_STATUS_RETRYABLE: return "RETRYABLE";
        case DCX_STATUS_INVALID_RECORD: return "INVALID_RECORD";
        case DCX_STATUS_CONFIG: return "CONFIG";
        case DCX_STATUS_FATAL: return "FATAL";
        default: return "UNKNOWN";
    }
}

PluginInstance::PluginInstance(std::shared_ptr<const LoadedPlugin> plugin, std::string connector_name, WakeupFn wakeup)
    : plugin_(std::move(plugin)), connector_name_(std::move(connector_name)), wakeup_(std::move(wakeup)) {
    host_.struct_size = sizeof host_;
    host_.abi_major = DCX_ABI_VERSION_MAJOR;
    host_.abi_minor = DCX_ABI_VERSION_MINOR;
    host_.host_data = this;
    host_.host_name = "danube-connectd";
    host_.host_version = DCX_VERSION;
    host_.log = &host_log;
    host_.set_error = &host_set_error;
    host_.wakeup = &host_wakeup;
    host_.get_extension = &host_get_extension;

    const std::string where = "plugin " + plugin_->path.string();
    source_ = plugin_->descriptor->create(&host_);
    if (!source_) throw PluginLoadError(LoadFailure::refused, where + ": create() returned NULL (see its log above)");
    const char* missing = nullptr;
    if (source_->struct_size < kSourceV1Size) {
        // Too short to trust any slot, destroy() included: leak it rather than call garbage.
        const auto size = source_->struct_size;
        source_ = nullptr;
        throw PluginLoadError(LoadFailure::malformed, where + ": instance struct_size " + std::to_string(size) +
                                                          " is smaller than the 1.0 layout (" +
                                                          std::to_string(kSourceV1Size) + " bytes)");
    }
    if (!source_->destroy) missing = "destroy";
    else if (!source_->initialize) missing = "initialize";
    else if (!source_->producer_configs) missing = "producer_configs";
    else if (!source_->poll) missing = "poll";
    else if (!source_->request_stop) missing = "request_stop";
    else if (!source_->shutdown) missing = "shutdown";
    if (missing) {
        if (source_->destroy) source_->destroy(source_);
        source_ = nullptr;
        throw PluginLoadError(LoadFailure::malformed, where + ": required slot '" + missing + "' is NULL");
    }
}

PluginInstance::~PluginInstance() {
    if (!source_) return;
    if (!shut_down_) {
        // Every created instance is shut down before destroy (plugin_api.h), even after a failure.
        const auto r = shutdown();
        if (!r.ok()) spdlog::warn("[{}] plugin {} shutdown: {}", connector_name_, plugin_->id, r.message);
    }
    source_->destroy(source_);
}

template <class Fn>
CallResult PluginInstance::call(const char* slot, Fn&& fn) {
    last_error_.clear();
    const dcx_status_t status = fn();
    CallResult r;
    switch (status) {
        case DCX_STATUS_OK:
        case DCX_STATUS_NO_DATA:
        case DCX_STATUS_RETRYABLE:
        case DCX_STATUS_INVALID_RECORD:
        case DCX_STATUS_CONFIG:
        case DCX_STATUS_FATAL:
            r.status = status;
            r.message = std::move(last_error_);
            break;
        default:
            r.status = DCX_STATUS_FATAL;
            r.message = std::string(slot) + " returned unknown status " + std::to_string(status);
    }
    if (r.status != DCX_STATUS_OK && r.status != DCX_STATUS_NO_DATA && r.message.empty()) {
        r.message = std::string(slot) + " returned " + status_name(r.status) + " without a message";
    }
    return r;
}

CallResult PluginInstance::initialize(std::string_view connector_config_json, std::string_view core_config_json) {
    return call("initialize", [&] {
        return source_->initialize(source_, {connector_config_json.data(), connector_config_json.size()},
                                   {core_config_json.data(), core_config_json.size()});
    });
}

CallResult PluginInstance::producer_configs(std::vector<ProducerSpec>& out) {
    struct Ctx {
        PluginInstance* self;
        std::vector<ProducerSpec>* out;
        bool bad;
    } ctx{this, &out, false};
    dcx_producer_sink_t sink{sizeof(dcx_producer_sink_t), &ctx, &sink_add};
    CallResult r = call("producer_configs", [&] { return source_->producer_configs(source_, &sink); });
    if (r.ok() && ctx.bad) {
        r.status = DCX_STATUS_CONFIG;
        r.message = "producer_configs declared a malformed topic (see the log above)";
    }
    return r;
}

dcx_status_t PluginInstance::sink_add(const dcx_producer_sink_t* sink, const dcx_producer_config_t* c) {
    struct Ctx {
        PluginInstance* self;
        std::vector<ProducerSpec>* out;
        bool bad;
    };
    auto* ctx = static_cast<Ctx*>(sink->host_data);
    const auto reject = [ctx](const std::string& why) -> dcx_status_t {
        spdlog::error("[{}] plugin {}: {}", ctx->self->connector_name_, ctx->self->plugin_->id, why);
        ctx->bad = true;
        return DCX_STATUS_CONFIG;
    };
    if (!c) return reject("NULL producer config");
    if (c->struct_size < kProducerConfigV1Size) {
        return reject("producer config struct_size " + std::to_string(c->struct_size) + " is too small");
    }
    if (!readable(c->topic)) return reject("producer config topic has a NULL or oversized buffer");
    if (!is_valid_utf8(copy(c->topic))) return reject("producer config topic is not valid UTF-8");
    ctx->out->push_back({copy(c->topic), c->partitions, c->reliable_dispatch != 0});
    return DCX_STATUS_OK;
}

CallResult PluginInstance::poll(RecordBatch& batch, uint32_t max_records, uint32_t timeout_ms) {
    EmitContext ctx{this, &batch, max_records};
    dcx_record_sink_t sink{sizeof(dcx_record_sink_t), &ctx, &sink_emit};
    return call("poll", [&] { return source_->poll(source_, &sink, max_records, timeout_ms); });
}

void PluginInstance::note_malformed(const std::string& why) {
    const uint64_t n = ++malformed_records_;
    if (n <= 10 || n % 1000 == 0) {  // bounded: a broken plugin must not flood the log
        spdlog::error("[{}] plugin {} emitted a malformed record ({} so far): {}", connector_name_, plugin_->id, n, why);
    }
}

dcx_status_t PluginInstance::sink_emit(const dcx_record_sink_t* sink, const dcx_record_t* rec) {
    auto* ctx = static_cast<EmitContext*>(sink->host_data);
    PluginInstance& self = *ctx->self;
    if (!rec) {
        self.note_malformed("NULL record");
        return DCX_STATUS_INVALID_RECORD;
    }
    if (rec->struct_size < kRecordV1Size) {
        self.note_malformed("record struct_size " + std::to_string(rec->struct_size) + " is smaller than the 1.0 layout");
        return DCX_STATUS_INVALID_RECORD;
    }
    if (rec->payload_kind < DCX_PAYLOAD_JSON || rec->payload_kind > DCX_PAYLOAD_BYTES) {
        self.note_malformed("unknown payload kind " + std::to_string(rec->payload_kind));
        return DCX_STATUS_INVALID_RECORD;
    }
    const bool has_key = (rec->flags & DCX_RECORD_HAS_KEY) != 0;
    const bool has_offset = (rec->flags & DCX_RECORD_HAS_OFFSET) != 0;
    if (!readable(rec->topic) || !readable(rec->payload) || (has_key && !readable(rec->key)) ||
        (has_offset && (!readable(rec->offset.partition) || !readable(rec->offset.metadata)))) {
        self.note_malformed("a string field has a NULL buffer with a size, or is over 64 MiB");
        return DCX_STATUS_INVALID_RECORD;
    }
    // An offset is kept as JSON (offset store, core_config) and committed back: it must be text.
    if (has_offset && (!is_valid_utf8(view(rec->offset.partition)) || !is_valid_utf8(view(rec->offset.metadata)))) {
        self.note_malformed("the offset's partition or metadata is not valid UTF-8");
        return DCX_STATUS_INVALID_RECORD;
    }
    if (rec->attribute_count > kMaxAttributes || (rec->attribute_count > 0 && !rec->attributes)) {
        self.note_malformed("attributes: NULL array or more than 4096 entries");
        return DCX_STATUS_INVALID_RECORD;
    }
    for (uint32_t i = 0; i < rec->attribute_count; ++i) {
        if (!readable(rec->attributes[i].key) || !readable(rec->attributes[i].value)) {
            self.note_malformed("attribute " + std::to_string(i) + " has a NULL buffer with a size");
            return DCX_STATUS_INVALID_RECORD;
        }
    }
    if (ctx->remaining == 0) return DCX_STATUS_RETRYABLE;  // batch full: the plugin keeps it
    --ctx->remaining;

    OwnedRecord& r = ctx->batch->append();
    r.kind = static_cast<PayloadKind>(rec->payload_kind);
    r.topic.assign(rec->topic.data ? rec->topic.data : "", rec->topic.size);
    r.payload.assign(rec->payload.data ? rec->payload.data : "", rec->payload.size);
    for (uint32_t i = 0; i < rec->attribute_count; ++i) {
        r.attributes.emplace_back(copy(rec->attributes[i].key), copy(rec->attributes[i].value));
    }
    if (has_key) r.key = copy(rec->key);
    if (has_offset) {
        r.offset = SourceOffset{copy(rec->offset.partition), rec->offset.value, std::nullopt};
        if (rec->offset.metadata.size) r.offset->metadata = copy(rec->offset.metadata);
    }
    r.user_token = rec->user_token;
    r.event_time_ms = rec->struct_size >= kRecordV11Size ? rec->event_time_ms : 0;
    return DCX_STATUS_OK;
}

CallResult PluginInstance::commit(std::span<const SourceOffset> offsets) {
    if (!source_->commit) return {};  // optional slot: the plugin does not track offsets
    std::vector<dcx_offset_t> raw;
    raw.reserve(offsets.size());
    for (const auto& o : offsets) {
        dcx_offset_t x{};
        x.partition = {o.partition.data(), o.partition.size()};
        x.value = o.value;
        if (o.metadata) x.metadata = {o.metadata->data(), o.metadata->size()};
        raw.push_back(x);
    }
    return call("commit", [&] { return source_->commit(source_, raw.data(), static_cast<uint32_t>(raw.size())); });
}

CallResult PluginInstance::health_check() {
    if (!source_->health_check) return {};
    return call("health_check", [&] { return source_->health_check(source_); });
}

CallResult PluginInstance::shutdown() {
    if (shut_down_) return {};
    shut_down_ = true;
    return call("shutdown", [&] { return source_->shutdown(source_); });
}

void PluginInstance::request_stop() { source_->request_stop(source_); }

bool PluginInstance::wants_record_outcomes() {
    if (!outcome_asked_) {
        outcome_asked_ = true;
        if (source_->get_extension) {
            const auto* ext = static_cast<const dcx_ext_record_outcome_t*>(
                source_->get_extension(source_, DCX_EXT_RECORD_OUTCOME));
            if (ext && ext->struct_size >= sizeof(dcx_ext_record_outcome_t) && ext->on_outcome) outcome_ext_ = ext;
        }
    }
    return outcome_ext_ != nullptr;
}

void PluginInstance::record_outcome(uint64_t user_token, dcx_status_t status, std::string_view reason) {
    if (!outcome_ext_) return;
    outcome_ext_->on_outcome(source_, user_token, status, {reason.data(), reason.size()});
}

std::optional<std::string> PluginInstance::config_schema() {
    if (!source_->get_extension) return std::nullopt;
    const auto* ext = static_cast<const dcx_ext_config_schema_t*>(source_->get_extension(source_, DCX_EXT_CONFIG_SCHEMA));
    if (!ext || ext->struct_size < sizeof(dcx_ext_config_schema_t) || !ext->schema) return std::nullopt;
    const dcx_str_t s = ext->schema(source_);
    if (!readable(s)) return std::nullopt;
    return copy(s);
}

void PluginInstance::host_log(const dcx_host_t* host, dcx_log_level_t level, dcx_str_t message) {
    auto* self = static_cast<PluginInstance*>(host->host_data);
    const auto lvl = level <= DCX_LOG_TRACE   ? spdlog::level::trace
                     : level == DCX_LOG_DEBUG ? spdlog::level::debug
                     : level == DCX_LOG_INFO  ? spdlog::level::info
                     : level == DCX_LOG_WARN  ? spdlog::level::warn
                                              : spdlog::level::err;
    try {
        spdlog::log(lvl, "{}: {}", self->plugin_->id, sanitize(message));
    } catch (...) {
        // Logging must never unwind into the plugin.
    }
}

void PluginInstance::host_set_error(const dcx_host_t* host, dcx_str_t message) {
    auto* self = static_cast<PluginInstance*>(host->host_data);
    try {
        self->last_error_ = sanitize(message);
    } catch (...) {
        self->last_error_.clear();
    }
}

void PluginInstance::host_wakeup(const dcx_host_t* host) {
    auto* self = static_cast<PluginInstance*>(host->host_data);
    if (self->wakeup_) self->wakeup_();
}

const void* PluginInstance::host_get_extension(const dcx_host_t*, const char*) { return nullptr; }

}  // namespace dcx::plugin
