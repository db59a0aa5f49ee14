// SPDX-License-Identifier: Apache-2.0
// Driving real plugins through PluginInstance: records cross the ABI intact, statuses and
// messages come back from every slot, exceptions never cross, malformed records are refused.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <thread>

#include <nlohmann/json.hpp>

#include "plugin/plugin_instance.hpp"
#include "plugin/plugin_loader.hpp"

using namespace dcx::plugin;

namespace {

std::unique_ptr<PluginInstance> instance_of(const std::string& name, std::function<void()> wakeup = {}) {
    auto loaded = std::make_shared<LoadedPlugin>(load_plugin(std::filesystem::path(DCX_TEST_PLUGIN_DIR) / (name + ".so")));
    return std::make_unique<PluginInstance>(loaded, "test-connector", std::move(wakeup));
}

const std::string kCore = R"({"connector_name":"test-connector","danube_service_url":"http://127.0.0.1:1"})";

std::unique_ptr<PluginInstance> sdk_instance(const std::string& mode, int count = 0) {
    auto p = instance_of("sdk_test");
    const auto cfg = nlohmann::json{{"topic", "/default/sdk"}, {"count", count}, {"mode", mode}}.dump();
    const auto r = p->initialize(cfg, kCore);
    REQUIRE(r.ok());
    return p;
}

// Polls until NO_DATA (bounded), collecting everything.
std::vector<OwnedRecord> drain(PluginInstance& p, uint32_t max_records) {
    std::vector<OwnedRecord> out;
    RecordBatch batch;
    for (int i = 0; i < 1000; ++i) {
        batch.clear();
        const auto r = p.poll(batch, max_records, 0);
        REQUIRE((r.status == DCX_STATUS_OK || r.status == DCX_STATUS_NO_DATA));
        REQUIRE(batch.size() <= max_records);
        for (const auto& rec : batch) out.push_back(rec);
        if (r.status == DCX_STATUS_NO_DATA) return out;
    }
    FAIL("plugin never ran out of data");
    return out;
}

}  // namespace

TEST_CASE("a C plugin runs its whole lifecycle and its records cross the ABI intact", "[unit][plugin]") {
    auto p = instance_of("c_counter");
    REQUIRE(p->initialize(R"({"topic":"/default/counter","count":25})", kCore).ok());

    std::vector<ProducerSpec> producers;
    REQUIRE(p->producer_configs(producers).ok());
    REQUIRE(producers.size() == 1);
    CHECK(producers[0].topic == "/default/counter");
    CHECK(producers[0].partitions == 2);
    CHECK(producers[0].reliable_dispatch);

    const auto records = drain(*p, 10);  // 25 records over polls of at most 10
    REQUIRE(records.size() == 25);
    for (size_t i = 0; i < records.size(); ++i) {
        const auto& r = records[i];
        CHECK(r.kind == PayloadKind::json);
        CHECK(r.topic == "/default/counter");
        CHECK(r.payload == R"({"n":)" + std::to_string(i) + "}");
        CHECK(r.key == "k" + std::to_string(i % 3));
        REQUIRE(r.offset.has_value());
        CHECK(r.offset->partition == "counter");
        CHECK(r.offset->value == i);
        CHECK(r.attributes == std::vector<std::pair<std::string, std::string>>{{"source", "c_counter"}});
    }
    const SourceOffset committed{"counter", 24, std::nullopt};
    CHECK(p->commit({&committed, 1}).ok());
    CHECK(p->health_check().ok());
    CHECK(p->shutdown().ok());
    CHECK(p->malformed_records() == 0);
}

TEST_CASE("a C plugin reports a configuration error with its message", "[unit][plugin]") {
    auto p = instance_of("c_counter");
    const auto r = p->initialize(R"({"nothing":1})", kCore);
    CHECK(r.status == DCX_STATUS_CONFIG);
    CHECK(r.message == R"(c_counter needs "topic" (string) and "count" (number))");
}

TEST_CASE("a plugin built against the 1.0 header emits 1.0-sized records that the host reads",
          "[unit][plugin]") {
    auto p = instance_of("c_counter_v1_0");
    REQUIRE(p->initialize(R"({"topic":"/default/old","count":3})", kCore).ok());
    const auto records = drain(*p, 100);
    REQUIRE(records.size() == 3);
    CHECK(records[2].payload == R"({"n":2})");
    CHECK(records[2].event_time_ms == 0);  // the 1.1 field does not exist in its records
}

TEST_CASE("the config-schema extension returns the plugin's JSON Schema", "[unit][plugin]") {
    const auto c = instance_of("c_counter")->config_schema();
    REQUIRE(c.has_value());
    CHECK(nlohmann::json::parse(*c)["required"] == nlohmann::json{"topic", "count"});
    const auto s = instance_of("sdk_test")->config_schema();
    REQUIRE(s.has_value());
    CHECK(nlohmann::json::parse(*s)["properties"].contains("topic"));
}

TEST_CASE("SDK records of every kind arrive with key, offset, attributes and event time", "[unit][plugin]") {
    auto p = sdk_instance("normal", 5);
    std::vector<ProducerSpec> producers;
    REQUIRE(p->producer_configs(producers).ok());
    CHECK(producers.at(0).partitions == 4);

    const auto records = drain(*p, 3);  // the SDK holds back what does not fit and sends it next
    REQUIRE(records.size() == 8);
    for (int i = 0; i < 5; ++i) {
        CHECK(records[i].kind == PayloadKind::json);
        CHECK(nlohmann::json::parse(records[i].payload) == nlohmann::json{{"i", i}, {"b", true}});
        CHECK(records[i].key == "key-" + std::to_string(i % 2));
        CHECK(records[i].offset == SourceOffset{"p0", static_cast<uint64_t>(i), "meta"});
        CHECK(records[i].event_time_ms == 1700000000000 + i);
        CHECK(records[i].attributes.at(0) == std::pair<std::string, std::string>{"origin", "sdk"});
    }
    CHECK(records[5].kind == PayloadKind::string);
    CHECK(records[5].payload == "plain text");
    CHECK(records[6].kind == PayloadKind::number);
    CHECK(records[6].payload == "23.5");
    CHECK(records[7].kind == PayloadKind::bytes);
    CHECK(records[7].payload == std::string("\x00\x01\xFF", 3));
    CHECK_FALSE(records[7].key.has_value());
}

TEST_CASE("exceptions in SDK plugins become statuses with their messages", "[unit][plugin]") {
    SECTION("std::exception in initialize is FATAL") {
        auto p = instance_of("sdk_test");
        const auto r = p->initialize(R"({"mode":"throw_std_in_initialize"})", kCore);
        CHECK(r.status == DCX_STATUS_FATAL);
        CHECK(r.message == "boom in initialize");
    }
    SECTION("ConfigError is CONFIG") {
        auto p = instance_of("sdk_test");
        const auto r = p->initialize(R"({"mode":"config_error"})", kCore);
        CHECK(r.status == DCX_STATUS_CONFIG);
        CHECK(r.message == "'count' must be positive");
    }
    SECTION("a missing key is FATAL with the JSON library's text") {
        auto p = instance_of("sdk_test");
        const auto r = p->initialize(R"({"mode":"normal"})", kCore);
        CHECK(r.status == DCX_STATUS_FATAL);
        CHECK_THAT(r.message, Catch::Contains("topic"));
    }
    SECTION("invalid JSON configuration is CONFIG") {
        auto p = instance_of("sdk_test");
        const auto r = p->initialize("{not json", kCore);
        CHECK(r.status == DCX_STATUS_CONFIG);
        CHECK_THAT(r.message, Catch::Contains("connector configuration is not valid JSON"));
    }
    SECTION("RetryableError in poll is RETRYABLE") {
        auto p = sdk_instance("throw_retryable_in_poll");
        RecordBatch batch;
        const auto r = p->poll(batch, 10, 0);
        CHECK(r.status == DCX_STATUS_RETRYABLE);
        CHECK(r.message == "source busy, try later");
    }
    SECTION("a thrown int in poll is FATAL") {
        auto p = sdk_instance("throw_int_in_poll");
        RecordBatch batch;
        const auto r = p->poll(batch, 10, 0);
        CHECK(r.status == DCX_STATUS_FATAL);
        CHECK(r.message == "unknown exception thrown by the connector");
    }
    SECTION("FatalError in commit is FATAL") {
        auto p = sdk_instance("throw_in_commit");
        const SourceOffset o{"p0", 1, std::nullopt};
        const auto r = p->commit({&o, 1});
        CHECK(r.status == DCX_STATUS_FATAL);
        CHECK(r.message == "commit store is gone");
    }
    SECTION("a failing health check is RETRYABLE with the reason") {
        auto p = sdk_instance("unhealthy");
        const auto r = p->health_check();
        CHECK(r.status == DCX_STATUS_RETRYABLE);
        CHECK(r.message == "source connection lost");
    }
}

TEST_CASE("request_stop from another thread makes a blocking poll return", "[unit][plugin]") {
    auto p = sdk_instance("blocking_poll");
    std::atomic<bool> returned{false};
    std::thread poller([&] {
        RecordBatch batch;
        const auto r = p->poll(batch, 10, 30000);
        CHECK(r.status == DCX_STATUS_NO_DATA);
        returned = true;
    });
    // The poll blocks (its own wait is 30 s); the stop must end it long before that.
    p->request_stop();
    poller.join();
    CHECK(returned);
}

TEST_CASE("malformed records are refused one by one and an unknown status becomes FATAL",
          "[unit][plugin]") {
    auto p = instance_of("broken_records");
    REQUIRE(p->initialize("{}", kCore).ok());
    RecordBatch batch;
    const auto r = p->poll(batch, 10, 0);
    CHECK(p->malformed_records() == 4);
    CHECK(batch.size() == 1);  // the one well-formed record got through
    CHECK(r.status == DCX_STATUS_FATAL);
    CHECK(r.message == "poll returned unknown status 42");
}

TEST_CASE("records with invalid UTF-8 or over the size limit are flagged with their specific problem",
          "[unit][plugin]") {
    {
        auto p = sdk_instance("invalid_utf8");
        RecordBatch batch;
        REQUIRE(p->poll(batch, 10, 0).ok());
        REQUIRE(batch.size() == 4);
        CHECK(check_record(batch[0], 4 << 20) == "attribute 'bad' has a value that is not valid UTF-8");
        CHECK(check_record(batch[1], 4 << 20) == "payload of kind string is not valid UTF-8");
        CHECK(check_record(batch[2], 4 << 20) == "record key is not valid UTF-8");
        CHECK_FALSE(check_record(batch[3], 4 << 20));
    }
    {
        auto p = sdk_instance("oversize");
        RecordBatch batch;
        REQUIRE(p->poll(batch, 10, 0).ok());
        REQUIRE(batch.size() == 1);
        CHECK(check_record(batch[0], 4 << 20) ==
              "record is 5242892 bytes, over the limit of 4194304 bytes (max_record_bytes)");
    }
}

TEST_CASE("log and wakeup from the plugin reach the host", "[unit][plugin]") {
    std::atomic<int> wakeups{0};
    auto loaded = std::make_shared<LoadedPlugin>(
        load_plugin(std::filesystem::path(DCX_TEST_PLUGIN_DIR) / "c_counter.so"));
    PluginInstance p(loaded, "c", [&] { ++wakeups; });
    // c_counter does not wake the host itself; the host table's wakeup is what it would call.
    CHECK(wakeups == 0);
    REQUIRE(p.initialize(R"({"topic":"/default/x","count":1})", kCore).ok());
    CHECK(p.shutdown().ok());
    CHECK(p.shutdown().ok());  // a second shutdown is not forwarded to the plugin
}

namespace {

// An in-process plugin (no shared object): its poll emits the records in g_records, and the
// sink's answers land in g_statuses. For records the test builds field by field.
std::vector<dcx_record_t> g_records;
std::vector<dcx_status_t> g_statuses;

dcx_status_t inproc_ok(const dcx_source_t*) { return DCX_STATUS_OK; }
dcx_status_t inproc_initialize(const dcx_source_t*, dcx_str_t, dcx_str_t) { return DCX_STATUS_OK; }
dcx_status_t inproc_producers(const dcx_source_t*, const dcx_producer_sink_t*) { return DCX_STATUS_OK; }
dcx_status_t inproc_poll(const dcx_source_t*, const dcx_record_sink_t* sink, uint32_t, uint32_t) {
    for (const auto& r : g_records) g_statuses.push_back(sink->emit(sink, &r));
    return DCX_STATUS_OK;
}
void inproc_stop(const dcx_source_t*) {}
void inproc_destroy(const dcx_source_t*) {}
const dcx_source_t kInprocSource = {sizeof(dcx_source_t), nullptr, inproc_initialize, inproc_producers, inproc_poll,
                                    nullptr, nullptr, inproc_stop, inproc_ok, inproc_destroy, nullptr};
const dcx_source_t* inproc_create(const dcx_host_t*) { return &kInprocSource; }
const dcx_plugin_descriptor_t kInprocDescriptor = {sizeof(dcx_plugin_descriptor_t), DCX_ABI_VERSION_MAJOR,
                                                   DCX_ABI_VERSION_MINOR, "inproc", "inproc", "0", "in-process test plugin",
                                                   inproc_create};

std::unique_ptr<PluginInstance> inproc_instance() {
    auto loaded = std::make_shared<LoadedPlugin>();
    loaded->descriptor = &kInprocDescriptor;
    loaded->path = "inproc";
    loaded->id = "inproc";
    return std::make_unique<PluginInstance>(loaded, "test-connector", nullptr);
}

dcx_str_t str(std::string_view s) { return {s.data(), s.size()}; }

dcx_record_t record_with_offset(std::string_view partition, std::string_view metadata) {
    dcx_record_t r{};
    r.struct_size = sizeof r;
    r.payload_kind = DCX_PAYLOAD_JSON;
    r.topic = str("/default/x");
    r.payload = str("{}");
    r.flags = DCX_RECORD_HAS_OFFSET;
    r.offset = {str(partition), 7, str(metadata)};
    return r;
}

}  // namespace

// Found by fuzz/record_batch_fuzz.cpp: such an offset was accepted, then the offset store could
// never be saved again (nlohmann refuses to write invalid UTF-8), for every partition.
TEST_CASE("a record whose offset partition or metadata is not UTF-8 is refused at the sink", "[unit][plugin]") {
    g_records = {record_with_offset("p\xff", ""), record_with_offset("p0", "lsn \xc3\x28"),
                 record_with_offset("p0", "lsn 0/16B3748")};
    g_statuses.clear();
    auto p = inproc_instance();
    RecordBatch batch;
    REQUIRE(p->poll(batch, 10, 0).ok());
    CHECK(g_statuses == std::vector<dcx_status_t>{DCX_STATUS_INVALID_RECORD, DCX_STATUS_INVALID_RECORD, DCX_STATUS_OK});
    CHECK(p->malformed_records() == 2);
    REQUIRE(batch.size() == 1);
    CHECK(batch[0].offset->metadata == "lsn 0/16B3748");
}
