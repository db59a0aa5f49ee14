// SPDX-License-Identifier: Apache-2.0
// Fuzz target: what a plugin hands the host across the C ABI. An in-process fake plugin emits
// records built from the fuzz bytes through the host's real record sink (PluginInstance::poll),
// with arbitrary struct sizes, payload kinds, flags, attribute arrays and string fields (pointers
// into the input, NULL with or without a size, sizes over the host's limit), declares topics
// through the producer sink, and sets error and log messages. Every record struct and attribute
// array is its own heap block of exactly the size the plugin claims, so a host read past
// struct_size or past attribute_count is an ASan report. The records the host accepts then go
// through check_record, as in the pipeline.
//
// Input: string bytes from the front, structure from the back (fuzz_input.hpp). Properties:
// - the sink accepts exactly what the ABI allows (never a record with a NULL buffer and a size,
//   an oversized field, an unknown kind, a short struct, a bad attribute array or an offset that
//   is not UTF-8), never more than max_records, and copies every field byte for byte (event_time
//   only from 1.1 structs);
// - check_record's verdict equals the reference (non-empty topic, UTF-8 by an independent checker
//   for topic, key, attributes and text payloads, size limit);
// - every text field the host keeps for an accepted record is valid UTF-8: it goes into JSON (the
//   offset store, dead-letter attributes, the broker's protobuf strings) and must serialize;
// - messages from the plugin come back sanitized: UTF-8, bounded, no control characters.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "dcx/plugin_api.h"
#include "fuzz_input.hpp"
#include "plugin/owned_record.hpp"
#include "plugin/plugin_instance.hpp"
#include "plugin/plugin_loader.hpp"

namespace {

using dcx::fuzz::expect;
using dcx::fuzz::FuzzInput;
using dcx::fuzz::reference_utf8;
using namespace dcx::plugin;

constexpr uint32_t kRecordV1Size = offsetof(dcx_record_t, user_token) + sizeof(uint64_t);
constexpr uint32_t kRecordV11Size = offsetof(dcx_record_t, event_time_ms) + sizeof(int64_t);
constexpr uint64_t kMaxFieldBytes = 64ull * 1024 * 1024;  // the host's documented limit
constexpr uint32_t kMaxAttributes = 4096;
constexpr size_t kMaxMessageBytes = 4096;
constexpr std::string_view kTopic = "/default/fuzz";

// A dcx_str_t chosen by the fuzzer. Pointers are always into the input (or a static string): a
// plugin that hands out dangling pointers is beyond what any host can check. `oversized`: a size
// over the host's field limit (record fields are refused unread); log and error messages have no
// such limit (the host reads their first 4 KiB), so they never get one.
dcx_str_t fuzz_str(FuzzInput& in, const uint8_t* data, size_t size, bool oversized = true) {
    const uint8_t mode = in.integral<uint8_t>();
    switch (mode % 10) {
        case 0: return {nullptr, 0};
        case 1: return {nullptr, 1u + in.integral<uint8_t>() % 16u};  // malformed
        case 2:
            if (oversized) return {reinterpret_cast<const char*>(data), kMaxFieldBytes + 1};  // never read
            return {nullptr, 0};
        case 3: return {kTopic.data(), kTopic.size()};
        default: {
            const size_t off = size ? in.integral<uint16_t>() % (size + 1) : 0;
            const size_t len = in.integral<uint16_t>() % (size - off + 1);
            return {reinterpret_cast<const char*>(data) + off, len};
        }
    }
}

bool readable(dcx_str_t s) { return (s.data != nullptr || s.size == 0) && s.size <= kMaxFieldBytes; }
std::string_view view(dcx_str_t s) { return s.size ? std::string_view(s.data, s.size) : std::string_view(); }

struct FuzzRecord {
    std::unique_ptr<uint8_t[]> block;  // exactly struct_size bytes (at least the struct_size field)
    std::unique_ptr<dcx_attribute_t[]> attributes;
    dcx_record_t full{};  // what the block holds, for the copy checks
    bool null_record = false;
    dcx_status_t status = -1;  // what the sink answered

    const dcx_record_t* ptr() const {
        return null_record ? nullptr : reinterpret_cast<const dcx_record_t*>(block.get());
    }
    bool well_formed() const {
        const dcx_record_t& r = full;
        if (null_record || r.struct_size < kRecordV1Size) return false;
        if (r.payload_kind < DCX_PAYLOAD_JSON || r.payload_kind > DCX_PAYLOAD_BYTES) return false;
        if (!readable(r.topic) || !readable(r.payload)) return false;
        if ((r.flags & DCX_RECORD_HAS_KEY) && !readable(r.key)) return false;
        if ((r.flags & DCX_RECORD_HAS_OFFSET) && (!readable(r.offset.partition) || !readable(r.offset.metadata))) return false;
        // The host keeps offsets as JSON and commits them back: text only.
        if ((r.flags & DCX_RECORD_HAS_OFFSET) &&
            (!reference_utf8(view(r.offset.partition)) || !reference_utf8(view(r.offset.metadata))))
            return false;
        if (r.attribute_count > kMaxAttributes || (r.attribute_count > 0 && !r.attributes)) return false;
        for (uint32_t i = 0; i < r.attribute_count; ++i) {
            if (!readable(r.attributes[i].key) || !readable(r.attributes[i].value)) return false;
        }
        return true;
    }
};

FuzzRecord fuzz_record(FuzzInput& in, const uint8_t* data, size_t size) {
    FuzzRecord fr;
    dcx_record_t& r = fr.full;
    switch (in.integral<uint8_t>() % 8) {
        case 0: r.struct_size = in.integral<uint8_t>() % kRecordV1Size; break;  // too small
        case 1: r.struct_size = kRecordV1Size; break;                            // a 1.0 plugin
        case 2: r.struct_size = static_cast<uint32_t>(sizeof(dcx_record_t)) + 8; break;  // a newer plugin
        case 3: fr.null_record = true; [[fallthrough]];
        default: r.struct_size = kRecordV11Size; break;
    }
    const uint8_t kind = in.integral<uint8_t>();
    r.payload_kind = kind < 240 ? kind % 4 : static_cast<int32_t>(kind) - 246;  // -6 .. 9 now and then
    r.flags = in.integral<uint8_t>();
    r.topic = fuzz_str(in, data, size);
    r.payload = fuzz_str(in, data, size);
    r.key = fuzz_str(in, data, size);
    r.offset.partition = fuzz_str(in, data, size);
    r.offset.value = in.integral<uint64_t>();
    r.offset.metadata = fuzz_str(in, data, size);
    r.user_token = in.integral<uint64_t>();
    r.event_time_ms = in.integral<int64_t>();
    const uint8_t attrs = in.integral<uint8_t>();
    uint32_t count = attrs % 6;
    if (attrs == 250) count = kMaxAttributes + 1;  // too many, every entry well-formed
    if (attrs == 251) count = kMaxAttributes;      // the most there may be
    if (attrs != 252 && count > 0) {              // 252: a count with a NULL array
        fr.attributes.reset(new dcx_attribute_t[count]);
        for (uint32_t i = 0; i < count; ++i) {
            fr.attributes[i] = i < 6 ? dcx_attribute_t{fuzz_str(in, data, size), fuzz_str(in, data, size)}
                                     : dcx_attribute_t{{nullptr, 0}, {nullptr, 0}};
        }
    }
    if (attrs == 252) count = 1 + attrs % 3;
    r.attributes = fr.attributes.get();
    r.attribute_count = count;

    // The plugin's struct is struct_size bytes long: copy that much of the full layout (zeros
    // past it for a newer plugin), so the host can only see what a plugin of that version wrote.
    const size_t block_size = std::max<size_t>(r.struct_size, sizeof(uint32_t));
    fr.block.reset(new uint8_t[block_size]());
    std::memcpy(fr.block.get(), &r, std::min(block_size, sizeof r));
    return fr;
}

// What the fake plugin does on each slot call; set per input.
struct Script {
    std::vector<FuzzRecord> records;
    std::vector<dcx_producer_config_t> producers;
    std::vector<std::unique_ptr<uint8_t[]>> producer_blocks;
    std::vector<dcx_status_t> producer_statuses;
    size_t split = 0;  // records before it go in the first poll, the rest in the second
    size_t next = 0;
    dcx_status_t poll_status = DCX_STATUS_OK;
    dcx_str_t message{};
    dcx_log_level_t log_level = DCX_LOG_INFO;
    const dcx_host_t* host = nullptr;
};
Script* g_script = nullptr;

dcx_status_t fake_initialize(const dcx_source_t*, dcx_str_t, dcx_str_t) { return DCX_STATUS_OK; }
dcx_status_t fake_producer_configs(const dcx_source_t*, const dcx_producer_sink_t* sink) {
    Script& s = *g_script;
    for (const auto& block : s.producer_blocks) {
        s.producer_statuses.push_back(sink->add(sink, reinterpret_cast<const dcx_producer_config_t*>(block.get())));
    }
    return DCX_STATUS_OK;
}
dcx_status_t fake_poll(const dcx_source_t*, const dcx_record_sink_t* sink, uint32_t, uint32_t) {
    Script& s = *g_script;
    const size_t end = s.next < s.split ? s.split : s.records.size();
    for (; s.next < end; ++s.next) s.records[s.next].status = sink->emit(sink, s.records[s.next].ptr());
    s.host->log(s.host, s.log_level, s.message);
    if (s.poll_status != DCX_STATUS_OK && s.poll_status != DCX_STATUS_NO_DATA) s.host->set_error(s.host, s.message);
    return s.poll_status;
}
dcx_status_t fake_commit(const dcx_source_t*, const dcx_offset_t*, uint32_t) { return DCX_STATUS_OK; }
void fake_request_stop(const dcx_source_t*) {}
dcx_status_t fake_shutdown(const dcx_source_t*) { return DCX_STATUS_OK; }
void fake_destroy(const dcx_source_t*) {}

const dcx_source_t kSource = {sizeof(dcx_source_t), nullptr, fake_initialize, fake_producer_configs, fake_poll,
                              fake_commit, nullptr, fake_request_stop, fake_shutdown, fake_destroy, nullptr};
const dcx_source_t* fake_create(const dcx_host_t* host) {
    g_script->host = host;
    return &kSource;
}
const dcx_plugin_descriptor_t kDescriptor = {sizeof(dcx_plugin_descriptor_t), DCX_ABI_VERSION_MAJOR,
                                             DCX_ABI_VERSION_MINOR, "fuzz", "fuzz", "0", "fuzz", fake_create};

std::shared_ptr<const LoadedPlugin> fake_plugin() {
    auto p = std::make_shared<LoadedPlugin>();
    p->descriptor = &kDescriptor;
    p->path = "fuzz.so";
    p->id = p->name = "fuzz";
    p->abi_major = DCX_ABI_VERSION_MAJOR;
    p->abi_minor = DCX_ABI_VERSION_MINOR;
    return p;
}

bool no_controls(std::string_view s) {
    for (const char c : s) {
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t') return false;
    }
    return true;
}

void check_message(const std::string& m) {
    expect(reference_utf8(m) && no_controls(m) && m.size() <= kMaxMessageBytes + 64);
}

// The text the host forwards as JSON or protobuf strings must serialize (nlohmann throws on
// invalid UTF-8, the way the offset store's save would).
bool serializes(const nlohmann::json& j) {
    try {
        (void)j.dump();
        return true;
    } catch (const nlohmann::json::exception&) {
        return false;
    }
}

void check_copy(const FuzzRecord& fr, const OwnedRecord& o) {
    const dcx_record_t& r = fr.full;
    expect(static_cast<int32_t>(o.kind) == r.payload_kind);
    expect(o.topic == view(r.topic) && o.payload == view(r.payload));
    expect(o.attributes.size() == r.attribute_count);
    for (uint32_t i = 0; i < r.attribute_count; ++i) {
        expect(o.attributes[i].first == view(r.attributes[i].key) && o.attributes[i].second == view(r.attributes[i].value));
    }
    expect(o.key.has_value() == ((r.flags & DCX_RECORD_HAS_KEY) != 0));
    if (o.key) expect(*o.key == view(r.key));
    expect(o.offset.has_value() == ((r.flags & DCX_RECORD_HAS_OFFSET) != 0));
    if (o.offset) {
        expect(o.offset->partition == view(r.offset.partition) && o.offset->value == r.offset.value);
        expect(o.offset->metadata.has_value() == (r.offset.metadata.size > 0));
        if (o.offset->metadata) expect(*o.offset->metadata == view(r.offset.metadata));
        // Offsets are tracked, persisted and reported for every accepted record, valid or not.
        nlohmann::json j{{"partition", o.offset->partition}};
        if (o.offset->metadata) j["metadata"] = *o.offset->metadata;
        expect(serializes(j));
    }
    expect(o.user_token == r.user_token);
    expect(o.event_time_ms == (r.struct_size >= kRecordV11Size ? r.event_time_ms : 0));
}

void check_verdict(const OwnedRecord& o, size_t max_bytes) {
    const auto problem = check_record(o, max_bytes);
    size_t total = o.topic.size() + o.payload.size() + (o.key ? o.key->size() : 0);
    bool text_ok = !o.topic.empty() && reference_utf8(o.topic) && (!o.key || reference_utf8(*o.key));
    for (const auto& [k, v] : o.attributes) {
        text_ok = text_ok && reference_utf8(k) && reference_utf8(v);
        total += k.size() + v.size();
    }
    if (o.kind != PayloadKind::bytes) text_ok = text_ok && reference_utf8(o.payload);
    expect(problem.has_value() == (!text_ok || total > max_bytes));
    if (problem) {
        expect(reference_utf8(*problem));  // it may name an attribute, but never echoes invalid bytes
        return;
    }
    nlohmann::json j{{"topic", o.topic}, {"attributes", o.attributes}};
    if (o.key) j["key"] = *o.key;
    if (o.kind != PayloadKind::bytes) j["payload"] = o.payload;
    expect(serializes(j));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const bool quiet = [] {
        spdlog::set_level(spdlog::level::off);  // the host logs every malformed record
        return true;
    }();
    (void)quiet;
    static const auto plugin = fake_plugin();

    FuzzInput in(data, size);
    Script script;
    const uint32_t max_records = in.in_range<uint32_t>(0, 8);
    static constexpr size_t kLimits[] = {64, 300, 4096, (4u << 20) - (64u << 10)};
    const size_t max_bytes = kLimits[in.integral<uint8_t>() % 4];
    const uint8_t status = in.integral<uint8_t>();
    script.poll_status = status < 200 ? status % 6 : static_cast<dcx_status_t>(status) - 210;  // unknown ones too
    script.log_level = static_cast<dcx_log_level_t>(static_cast<int8_t>(in.integral<uint8_t>()));
    script.message = fuzz_str(in, data, size, /*oversized=*/false);
    const size_t producers = in.integral<uint8_t>() % 4;
    for (size_t i = 0; i < producers; ++i) {
        dcx_producer_config_t c{};
        c.struct_size = in.boolean() ? static_cast<uint32_t>(sizeof c) : in.integral<uint8_t>() % sizeof c;
        c.partitions = in.integral<uint8_t>();
        c.topic = fuzz_str(in, data, size);
        c.reliable_dispatch = in.integral<uint8_t>() % 3;
        script.producers.push_back(c);
        const size_t block_size = std::max<size_t>(c.struct_size, sizeof(uint32_t));
        script.producer_blocks.emplace_back(new uint8_t[block_size]());
        std::memcpy(script.producer_blocks.back().get(), &c, std::min(block_size, sizeof c));
    }
    const size_t count = in.integral<uint8_t>() % 17;
    for (size_t i = 0; i < count; ++i) script.records.push_back(fuzz_record(in, data, size));
    script.split = count ? in.integral<uint8_t>() % (count + 1) : 0;
    g_script = &script;

    PluginInstance instance(plugin, "fuzz", {});
    if (!script.producers.empty()) {
        std::vector<ProducerSpec> specs;
        const CallResult r = instance.producer_configs(specs);
        bool all_good = true;
        for (size_t i = 0; i < script.producers.size(); ++i) {
            const auto& c = script.producers[i];
            const bool good = c.struct_size >= offsetof(dcx_producer_config_t, reliable_dispatch) + sizeof(int32_t) &&
                              readable(c.topic) && reference_utf8(view(c.topic));
            expect(script.producer_statuses[i] == (good ? DCX_STATUS_OK : DCX_STATUS_CONFIG));
            all_good = all_good && good;
        }
        expect(r.ok() == all_good && specs.size() <= script.producers.size());
        for (const auto& s : specs) expect(reference_utf8(s.topic));
        check_message(r.message);
    }

    // Two polls into one batch, cleared in between, as the pipeline reuses its batch.
    RecordBatch batch;
    for (int poll = 0; poll < 2; ++poll) {
        batch.clear();
        const size_t first = script.next;
        const CallResult r = instance.poll(batch, max_records, 0);
        expect(r.status >= DCX_STATUS_OK && r.status <= DCX_STATUS_FATAL);
        check_message(r.message);
        size_t accepted = 0;
        for (size_t i = first; i < script.next; ++i) {
            const FuzzRecord& fr = script.records[i];
            if (!fr.well_formed()) {
                expect(fr.status == DCX_STATUS_INVALID_RECORD);
                continue;
            }
            expect(fr.status == DCX_STATUS_OK || fr.status == DCX_STATUS_RETRYABLE);
            if (fr.status == DCX_STATUS_RETRYABLE) expect(accepted == max_records);  // only when full
            if (fr.status != DCX_STATUS_OK) continue;
            expect(accepted < batch.size());
            check_copy(fr, batch[accepted]);
            check_verdict(batch[accepted], max_bytes);
            ++accepted;
        }
        expect(accepted == batch.size() && accepted <= max_records);
    }
    g_script = nullptr;
    return 0;
}
