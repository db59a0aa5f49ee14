// SPDX-License-Identifier: Apache-2.0
// Host cost per record without the network: what the plugin thread does for each record
// (validate + serialize for the topic's schema type) and what the publisher adds (build and
// encode the StreamMessage), with heap allocations per record counted. Google Benchmark for
// time; `--callgrind` runs each case in a loop for `valgrind --tool=callgrind` instruction counts.
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <new>

#include <valgrind/callgrind.h>

#include "DanubeApi.pb.h"
#include "pipeline/message_reuse.hpp"
#include "plugin/owned_record.hpp"
#include "schema/json_validator.hpp"
#include "schema/payload_encoder.hpp"

// Every heap allocation of the process is counted, to report allocations per record.
static std::atomic<uint64_t> g_allocations{0};
void* operator new(std::size_t n) {
    g_allocations.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace {

using dcx::plugin::OwnedRecord;
using dcx::plugin::PayloadKind;
using dcx::schema::SchemaType;

// A 1 KiB record shaped like measured-limits.md §2: nested objects, arrays, mixed types.
const char* kRecord1KiB = R"({"event_id":"3f2b8c1e-9d4a-4e2b-8f6a-1c2d3e4f5a6b","type":"order.created","version":3,)"
                          R"("amount":1234.56,"currency":"EUR","quantity":7,"priority":"high","paid":true,)"
                          R"("created_at":"2026-11-28T10:00:00Z","source":"web","region":"eu-west-1",)"
                          R"("customer":{"id":98765,"name":"Ada Lovelace","email":"ada@example.com"},)"
                          R"("items":[{"sku":"A-100","qty":2,"price":10.5},{"sku":"B-200","qty":1,"price":99.99},)"
                          R"({"sku":"C-300","qty":3,"price":5.25},{"sku":"D-400","qty":1,"price":1000.0}],)"
                          R"("tags":["new","promo","mobile","returning","vip"],"shipping":{"method":"express",)"
                          R"("address":"1 Analytical Engine Way, London","zip":"NW1 2DB"},"notes":"leave at the door, )"
                          R"(ring twice; fragile items inside, handle with care","channel":"app","score":0.87,)"
                          R"("attempt":1,"coupon":"SAVE10","gift":false,"padding":"xxxxxxxxxxxxxxxxxxxxxxxxxxxx"})";

const char* kSchema = R"({"type":"object","required":["event_id","type","version","amount","currency","quantity",)"
                      R"("customer","items","created_at","paid"],"properties":{)"
                      R"("event_id":{"type":"string","pattern":"^[0-9a-f-]{36}$"},"type":{"type":"string"},)"
                      R"("version":{"type":"integer","minimum":1},"amount":{"type":"number","minimum":0},)"
                      R"("currency":{"enum":["EUR","USD","GBP"]},"quantity":{"type":"integer","minimum":1,"maximum":1000},)"
                      R"("priority":{"enum":["low","normal","high"]},"paid":{"type":"boolean"},)"
                      R"("customer":{"type":"object","required":["id","name","email"],"additionalProperties":false,)"
                      R"("properties":{"id":{"type":"integer"},"name":{"type":"string","minLength":1},"email":{"type":"string"}}},)"
                      R"("items":{"type":"array","minItems":1,"maxItems":50,"items":{"type":"object","required":["sku","qty","price"],)"
                      R"("properties":{"sku":{"type":"string"},"qty":{"type":"integer"},"price":{"type":"number"}}}},)"
                      R"("tags":{"type":"array","items":{"type":"string"}},"created_at":{"type":"string"}}})";

OwnedRecord record(size_t bytes, bool canonical = false) {
    OwnedRecord r;
    r.kind = PayloadKind::json;
    r.topic = "/default/bench";
    if (bytes >= 1000) {
        // As a plugin built on the C++ SDK emits it (sorted, compact), or as a device may send it.
        r.payload = canonical ? nlohmann::json::parse(kRecord1KiB).dump() : std::string(kRecord1KiB);
    } else {
        r.payload = R"({"data":")" + std::string(bytes > 40 ? bytes - 40 : 0, 'x') + R"(","key":"key-1","seq":12345,"ts":1})";
    }
    r.attributes = {{"source", "bench"}, {"seq", "12345"}};
    r.key = "key-1";
    return r;
}

// One record through the host: encode for the schema type, then the StreamMessage as sent.
struct HostPath {
    dcx::schema::PayloadEncoder encoder;
    std::unique_ptr<dcx::schema::JsonSchemaValidator> validator;
    std::string payload;
    std::string wire;
    danube::StreamMessage msg;
    // What the publisher copies into every message (held as strings there, as here).
    const std::string topic = "/default/bench-part-0";
    const std::string broker_addr = "http://127.0.0.1:6650/";
    const std::string producer_name = "bench--default-bench-0";

    // As Pipeline::process()/recycle() and Publisher::send() build the message.
    void run(const OwnedRecord& r, SchemaType type) {
        if (encoder.encode(r, type, validator.get(), payload)) std::abort();
        dcx::pipeline::clear_for_reuse(msg);
        msg.set_payload(payload);
        dcx::pipeline::assign_attributes(*msg.mutable_attributes(), r.attributes);
        msg.set_schema_id(1);
        msg.set_schema_version(1);
        msg.set_routing_key(*r.key);
        msg.set_publish_time(1700000000000);
        msg.set_request_id(42);
        auto* id = msg.mutable_msg_id();
        id->set_producer_id(123456789);
        id->set_topic_name(topic);
        id->set_broker_addr(broker_addr);
        id->set_topic_offset(0);
        msg.set_producer_name(producer_name);
        msg.SerializeToString(&wire);
    }
};

// Runs `one` per iteration after one warm-up run (capacities grow once) and reports the heap
// allocations per record.
template <class Fn>
void measure(benchmark::State& state, Fn one) {
    one();
    const uint64_t before = g_allocations.load();
    for (auto _ : state) one();
    state.counters["allocs_per_record"] =
        benchmark::Counter(static_cast<double>(g_allocations.load() - before) / static_cast<double>(state.iterations()));
}

void bench_path(benchmark::State& state, size_t bytes, SchemaType type, bool canonical = false) {
    HostPath path;
    if (type == SchemaType::json_schema) {
        path.validator = std::make_unique<dcx::schema::JsonSchemaValidator>(nlohmann::json::parse(kSchema));
    }
    const OwnedRecord r = record(bytes, canonical);
    measure(state, [&] {
        path.run(r, type);
        benchmark::DoNotOptimize(path.wire.data());
    });
}

void BM_host_1KiB_json_schema(benchmark::State& s) { bench_path(s, 1024, SchemaType::json_schema); }
void BM_host_1KiB_no_schema(benchmark::State& s) { bench_path(s, 1024, SchemaType::none); }
void BM_host_1KiB_canonical_no_schema(benchmark::State& s) { bench_path(s, 1024, SchemaType::none, true); }
void BM_host_1KiB_canonical_json_schema(benchmark::State& s) { bench_path(s, 1024, SchemaType::json_schema, true); }
void BM_host_100B_no_schema(benchmark::State& s) { bench_path(s, 100, SchemaType::none); }
void BM_host_100B_string_schema(benchmark::State& s) {
    HostPath path;
    OwnedRecord r = record(100);
    r.kind = PayloadKind::string;
    path.run(r, SchemaType::string);
    for (auto _ : s) {
        path.run(r, SchemaType::string);
        benchmark::DoNotOptimize(path.wire.data());
    }
}
// Host JSON work alone (delivery-and-operations.md §14: <= 6 us per 1 KiB record, stretch 2 us):
// what PayloadEncoder does for a json_schema topic, beside the naive path the target is set
// against (nlohmann parse + valijson + sorted dump, measured-limits.md §2 P1), in the same run.
struct JsonWork {
    dcx::schema::PayloadEncoder encoder;
    dcx::schema::JsonSchemaValidator validator{nlohmann::json::parse(kSchema)};
    std::string out;

    void ours(const OwnedRecord& r) {
        if (encoder.encode(r, SchemaType::json_schema, &validator, out)) std::abort();
    }
    void naive(const OwnedRecord& r) {
        const auto doc = nlohmann::json::parse(r.payload);
        if (validator.validate(doc)) std::abort();
        out = doc.dump();
    }
    void run(const OwnedRecord& r, bool naive_path) { naive_path ? naive(r) : ours(r); }
};

void bench_json(benchmark::State& state, bool canonical, bool naive_path) {
    JsonWork work;
    const OwnedRecord r = record(1024, canonical);
    measure(state, [&] {
        work.run(r, naive_path);
        benchmark::DoNotOptimize(work.out.data());
    });
}

void BM_json_1KiB_schema_canonical(benchmark::State& s) { bench_json(s, true, false); }
void BM_json_1KiB_schema_source_order(benchmark::State& s) { bench_json(s, false, false); }
void BM_json_1KiB_schema_naive(benchmark::State& s) { bench_json(s, false, true); }

BENCHMARK(BM_json_1KiB_schema_canonical);
BENCHMARK(BM_json_1KiB_schema_source_order);
BENCHMARK(BM_json_1KiB_schema_naive);
BENCHMARK(BM_host_1KiB_json_schema);
BENCHMARK(BM_host_1KiB_no_schema);
BENCHMARK(BM_host_1KiB_canonical_no_schema);
BENCHMARK(BM_host_1KiB_canonical_json_schema);
BENCHMARK(BM_host_100B_no_schema);
BENCHMARK(BM_host_100B_string_schema);

// callgrind: instructions of `n` runs are collected only inside this function.
__attribute__((noinline)) void callgrind_loop(HostPath& path, const OwnedRecord& r, SchemaType type, int n) {
    CALLGRIND_START_INSTRUMENTATION;
    for (int i = 0; i < n; ++i) path.run(r, type);
    CALLGRIND_STOP_INSTRUMENTATION;
}

__attribute__((noinline)) void callgrind_json_loop(JsonWork& work, const OwnedRecord& r, bool naive_path, int n) {
    CALLGRIND_START_INSTRUMENTATION;
    for (int i = 0; i < n; ++i) work.run(r, naive_path);
    CALLGRIND_STOP_INSTRUMENTATION;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc >= 3 && std::strcmp(argv[1], "--callgrind") == 0) {
        // usage: --callgrind <case> [n], case: a BM_ name without the prefix, e.g. 1KiB_json_schema
        // or json_1KiB_schema_naive
        const std::string which = argv[2];
        const int n = argc >= 4 ? std::atoi(argv[3]) : 2000;
        if (which.rfind("json_", 0) == 0) {
            JsonWork work;
            const bool naive_path = which.find("naive") != std::string::npos;
            const OwnedRecord r = record(1024, which.find("canonical") != std::string::npos);
            for (int i = 0; i < 200; ++i) work.run(r, naive_path);
            callgrind_json_loop(work, r, naive_path, n);
            std::cout << "ran " << n << "\n";
            return 0;
        }
        HostPath path;
        SchemaType type = which.find("json_schema") != std::string::npos ? SchemaType::json_schema : SchemaType::none;
        if (type == SchemaType::json_schema) {
            path.validator = std::make_unique<dcx::schema::JsonSchemaValidator>(nlohmann::json::parse(kSchema));
        }
        const OwnedRecord r = record(which.rfind("1KiB", 0) == 0 ? 1024 : 100, which.find("canonical") != std::string::npos);
        for (int i = 0; i < 200; ++i) path.run(r, type);  // warm-up outside the measurement
        callgrind_loop(path, r, type, n);
        std::cout << "ran " << n << "\n";
        return 0;
    }
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
