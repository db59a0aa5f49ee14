// SPDX-License-Identifier: Apache-2.0
// The limit: a bare async gRPC client sending pre-built SendMessage requests (Danube-shaped,
// with a real msg_id) with a window of W calls in flight per partition, on one completion-queue
// thread, exactly the calls danube-connectd makes, minus everything else it does. Prints JSON.
// With --rate, records fall due at that pace and latency runs from when a record is due to its ack:
// the reference for the daemon's latency at the same load. A pacing thread wakes every millisecond,
// as in_datagen's poll does, and hands what fell due to the completion-queue thread through an
// expired alarm, as the daemon's plugin thread hands records to its publisher (a gRPC alarm set 1 ms
// ahead fires at the next millisecond boundary of gRPC's timer, about 2 ms apart, and would make
// the bare client's records wait longer than the daemon's). Each paced record carries its due
// time (attribute bench.due_ns) for bench/sink_broker.cpp.
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <grpcpp/alarm.h>
#include <grpcpp/grpcpp.h>
#include <nlohmann/json.hpp>

#include "DanubeApi.grpc.pb.h"
#include "common/lock_order_checks.hpp"
#include "metrics/latency_buckets.hpp"

namespace {

using Clock = std::chrono::steady_clock;

struct Call {
    uint32_t partition = 0;
    Clock::time_point sent;     // when the record fell due (paced) or was sent
    Clock::time_point on_wire;  // when the call started
    grpc::ClientContext ctx;
    danube::MessageResponse resp;
    grpc::Status status;
    std::unique_ptr<grpc::ClientAsyncResponseReader<danube::MessageResponse>> rpc;
};

double cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
    dcx::turn_off_lock_order_checks();
    CLI::App app{"bare async gRPC SendMessage client (the throughput limit)"};
    std::string target = "127.0.0.1:6650";
    std::string topic = "/default/bench-bare";
    uint32_t partitions = 1, window = 16, payload_bytes = 1024;
    uint64_t count = 100000;
    double rate = 0;
    app.add_option("--target", target);
    app.add_option("--topic", topic);
    app.add_option("--partitions", partitions);
    app.add_option("--window", window);
    app.add_option("--payload-bytes", payload_bytes);
    app.add_option("--count", count);
    app.add_option("--rate", rate, "records per second (0: as fast as the window allows)");
    CLI11_PARSE(app, argc, argv);

    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH, 16 << 20);
    auto channel = grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
    auto stub = danube::ProducerService::NewStub(channel);

    // Producers, as the daemon creates them.
    std::vector<danube::StreamMessage> templates(partitions);
    for (uint32_t i = 0; i < partitions; ++i) {
        danube::ProducerRequest req;
        req.set_producer_name("bench-bare-" + std::to_string(i));
        req.set_topic_name(partitions > 1 ? topic + "-part-" + std::to_string(i) : topic);
        req.set_dispatch_strategy(danube::Reliable);
        danube::ProducerResponse resp;
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
        const auto st = stub->CreateProducer(&ctx, req, &resp);
        if (!st.ok()) {
            std::cerr << "CreateProducer failed: " << st.error_message() << "\n";
            return 1;
        }
        auto& m = templates[i];
        m.mutable_msg_id()->set_producer_id(resp.producer_id());
        m.mutable_msg_id()->set_topic_name(req.topic_name());
        m.mutable_msg_id()->set_broker_addr("http://" + target + "/");
        m.set_producer_name(req.producer_name());
        std::string payload = R"({"data":")";
        payload.append(payload_bytes > 40 ? payload_bytes - 40 : 0, 'x');
        payload += R"(","key":"key-1","seq":12345,"ts":1700000000000})";
        m.set_payload(payload);
        (*m.mutable_attributes())["source"] = "bench";
        (*m.mutable_attributes())["seq"] = "12345";
    }

    grpc::CompletionQueue cq;
    std::vector<uint32_t> inflight(partitions, 0);
    std::vector<double> latencies_us, round_trips_us;
    latencies_us.reserve(count);
    round_trips_us.reserve(count);
    uint64_t sent = 0, done = 0, errors = 0, request_id = 0;
    // Records waiting for room in the window, by the time they fell due (paced runs only).
    std::deque<Clock::time_point> due_at;
    uint32_t next_partition = 0;
    auto send = [&](uint32_t p, Clock::time_point since) {
        auto* call = new Call;
        call->partition = p;
        auto& m = templates[p];
        m.set_request_id(++request_id);
        m.set_publish_time(static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                     std::chrono::system_clock::now().time_since_epoch())
                                                     .count()));
        call->ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
        call->sent = since;
        if (rate > 0) {  // as in_datagen's stamp_due_time: the receiver measures from the due time
            (*m.mutable_attributes())["bench.due_ns"] =
                std::to_string(std::chrono::duration_cast<std::chrono::nanoseconds>(since.time_since_epoch()).count());
        }
        call->on_wire = Clock::now();
        call->rpc = stub->PrepareAsyncSendMessage(&call->ctx, m, &cq);
        call->rpc->StartCall();
        call->rpc->Finish(&call->resp, &call->status, call);
        ++inflight[p];
        ++sent;
    };
    // Paced: send what is due, round robin over partitions with room.
    auto pump = [&] {
        for (uint32_t tries = 0; !due_at.empty() && tries < partitions; ++tries) {
            const uint32_t p = next_partition++ % partitions;
            while (!due_at.empty() && inflight[p] < window) {
                send(p, due_at.front());
                due_at.pop_front();
                tries = 0;
            }
        }
    };
    grpc::Alarm tick;
    int tick_tag = 0;  // its address marks the pacing thread's hand-overs
    std::atomic<bool> tick_armed{false};
    std::atomic<uint64_t> due_total{0};  // records due so far, set by the pacing thread
    uint64_t released = 0;
    const double cpu0 = cpu_seconds();
    const auto t0 = Clock::now();
    std::thread pacer;
    if (rate > 0) {
        pacer = std::thread([&] {
            for (auto next = t0;; next += std::chrono::milliseconds(1)) {
                const auto due = std::min<uint64_t>(
                    count, static_cast<uint64_t>(std::chrono::duration<double>(Clock::now() - t0).count() * rate) + 1);
                due_total = due;
                if (!tick_armed.exchange(true)) tick.Set(&cq, gpr_inf_past(GPR_CLOCK_MONOTONIC), &tick_tag);
                if (due >= count) return;
                std::this_thread::sleep_until(next + std::chrono::milliseconds(1));
            }
        });
    } else {
        for (uint32_t p = 0; p < partitions; ++p) {
            for (uint32_t w = 0; w < window && sent < count; ++w) send(p, Clock::now());
        }
    }
    void* tag = nullptr;
    bool ok = false;
    while (done < count && cq.Next(&tag, &ok)) {
        if (tag == &tick_tag) {
            tick_armed = false;  // before reading due_total: a later hand-over re-arms it
            for (const uint64_t due = due_total; released < due; ++released) {
                due_at.push_back(t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(released / rate)));
            }
            pump();
            continue;
        }
        std::unique_ptr<Call> call(static_cast<Call*>(tag));
        ++done;
        --inflight[call->partition];
        if (!call->status.ok()) ++errors;
        const auto acked = Clock::now();
        latencies_us.push_back(std::chrono::duration<double, std::micro>(acked - call->sent).count());
        round_trips_us.push_back(std::chrono::duration<double, std::micro>(acked - call->on_wire).count());
        if (rate > 0) pump();
        else if (sent < count) send(call->partition, Clock::now());
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    const double cpu = cpu_seconds() - cpu0;
    if (pacer.joinable()) pacer.join();
    cq.Shutdown();
    while (cq.Next(&tag, &ok)) {
        if (tag != &tick_tag) delete static_cast<Call*>(tag);
    }
    std::sort(latencies_us.begin(), latencies_us.end());
    std::sort(round_trips_us.begin(), round_trips_us.end());
    auto pct_of = [](const std::vector<double>& v, double q) { return v.empty() ? 0.0 : v[static_cast<size_t>(q * (v.size() - 1))]; };
    auto pct = [&](double q) { return pct_of(latencies_us, q); };
    // Cumulative counts at the bounds of the daemon's latency histogram, so
    // bench/run reads both sides' percentiles the same way.
    nlohmann::json histogram = nlohmann::json::array();
    for (const double le : dcx::metrics::kLatencyBucketsSeconds) {
        const auto below = std::upper_bound(latencies_us.begin(), latencies_us.end(), le * 1e6) - latencies_us.begin();
        histogram.push_back({le, below});
    }
    histogram.push_back({"+Inf", latencies_us.size()});
    std::cout << nlohmann::json{{"calls", done},
                                {"latency_histogram", histogram},
                                {"errors", errors},
                                {"seconds", seconds},
                                {"rate", done / seconds},
                                {"p50_us", pct(0.5)},
                                {"p99_us", pct(0.99)},
                                {"round_trip_p50_us", pct_of(round_trips_us, 0.5)},
                                {"round_trip_p99_us", pct_of(round_trips_us, 0.99)},
                                {"client_cpu_us_per_call", cpu * 1e6 / done}}
                     .dump()
              << "\n";
    return errors ? 1 : 0;
}
