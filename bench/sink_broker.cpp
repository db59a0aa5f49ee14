// SPDX-License-Identifier: Apache-2.0
// A trivial Danube-shaped sink for latency benchmarks: TopicLookup (always "connect here"),
// CreateProducer and SendMessage on one completion-queue thread, storing nothing, like the server
// of measured-limits.md §1. danube-test-broker is faithful rather than fast: its callback-API server
// (gRPC 1.51) shows round-trip tails of several ms even at 2k calls/s, which would hide the
// daemon's own latency. Usage: dcx_bench_sink_broker --listen 127.0.0.1:0 --port-file F
// [--due-latency-file L]: with L, each message carrying a "bench.due_ns" attribute (the steady
// clock when the record fell due, stamped by in_datagen's stamp_due_time or the bare client) adds
// its due-to-arrival time here, and SIGTERM writes them all to L as JSON {"due_to_arrival_us": [...]}
// (in arrival order): one measure, taken outside both clients, of every wait from the source on.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>
#include <grpcpp/grpcpp.h>

#include "DanubeApi.grpc.pb.h"
#include "common/lock_order_checks.hpp"

namespace {

// A call in progress; its tag is the object, `step` runs each time that tag completes.
struct Pending {
    virtual ~Pending() = default;
    virtual void step() = 0;
};

// One unary method: always one call posted; each accepted call posts the next, then answers.
template <class Request, class Response>
class Unary final : public Pending {
public:
    using Post = std::function<void(grpc::ServerContext*, Request*, grpc::ServerAsyncResponseWriter<Response>*, void*)>;
    using Answer = std::function<void(const Request&, Response&)>;

    Unary(Post post, Answer answer) : post_(std::move(post)), answer_(std::move(answer)) {
        post_(&ctx_, &request_, &writer_, this);
    }
    void step() override {
        if (answered_) {
            delete this;
            return;
        }
        new Unary(post_, answer_);
        answer_(request_, response_);
        answered_ = true;
        writer_.Finish(response_, grpc::Status::OK, this);
    }

private:
    Post post_;
    Answer answer_;
    grpc::ServerContext ctx_;
    Request request_;
    Response response_;
    grpc::ServerAsyncResponseWriter<Response> writer_{&ctx_};
    bool answered_ = false;
};

// Due-to-arrival times, in microseconds, written out when the process is told to stop.
class DueLatencies {
public:
    void add(const danube::StreamMessage& m) {
        const auto it = m.attributes().find("bench.due_ns");
        if (it == m.attributes().end()) return;
        const int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                std::chrono::steady_clock::now().time_since_epoch()).count();
        const int64_t due = std::strtoll(it->second.c_str(), nullptr, 10);
        std::lock_guard lock(mu_);
        us_.push_back((now - due) / 1000);
    }
    void write(const std::string& path) {
        std::lock_guard lock(mu_);
        std::ofstream out(path + ".tmp");
        out << "{\"due_to_arrival_us\": [";
        for (size_t i = 0; i < us_.size(); ++i) out << (i ? "," : "") << us_[i];
        out << "]}\n";
        out.close();
        std::rename((path + ".tmp").c_str(), path.c_str());
    }

private:
    std::mutex mu_;
    std::vector<int64_t> us_;
};

}  // namespace

int main(int argc, char** argv) {
    dcx::turn_off_lock_order_checks();
    CLI::App app{"trivial Danube-shaped sink (TopicLookup, CreateProducer, SendMessage) for latency benchmarks"};
    std::string listen = "127.0.0.1:0";
    std::string port_file;
    std::string log_level;  // accepted for command-line compatibility with danube-test-broker
    app.add_option("--listen", listen);
    app.add_option("--port-file", port_file);
    app.add_option("--log-level", log_level);
    std::string latency_file;
    app.add_option("--due-latency-file", latency_file, "write due-to-arrival times here on SIGTERM");
    CLI11_PARSE(app, argc, argv);

    // SIGTERM and SIGINT go to one thread (blocked here, before gRPC starts its own threads).
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    DueLatencies latencies;
    std::thread([&] {
        int sig = 0;
        sigwait(&stop_signals, &sig);
        if (!latency_file.empty()) latencies.write(latency_file);
        _exit(0);
    }).detach();

    danube::Discovery::AsyncService discovery;
    danube::ProducerService::AsyncService producers;
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort(listen, grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(&discovery);
    builder.RegisterService(&producers);
    auto cq = builder.AddCompletionQueue();
    auto server = builder.BuildAndStart();
    if (!server) {
        std::cerr << "cannot listen on " << listen << "\n";
        return 1;
    }
    const std::string url = "http://127.0.0.1:" + std::to_string(port);
    auto* q = cq.get();
    std::atomic<uint64_t> next_producer{1};

    new Unary<danube::TopicLookupRequest, danube::TopicLookupResponse>(
        [&](auto* ctx, auto* req, auto* w, void* tag) { discovery.RequestTopicLookup(ctx, req, w, q, q, tag); },
        [&](const auto& req, auto& resp) {
            resp.set_request_id(req.request_id());
            resp.set_response_type(danube::TopicLookupResponse::Connect);
            resp.set_connect_url(url);
            resp.set_broker_url(url);
        });
    new Unary<danube::TopicLookupRequest, danube::TopicPartitionsResponse>(
        [&](auto* ctx, auto* req, auto* w, void* tag) { discovery.RequestTopicPartitions(ctx, req, w, q, q, tag); },
        [](const auto& req, auto& resp) {
            resp.set_request_id(req.request_id());
            resp.add_partitions(req.topic());
        });
    new Unary<danube::ProducerRequest, danube::ProducerResponse>(
        [&](auto* ctx, auto* req, auto* w, void* tag) { producers.RequestCreateProducer(ctx, req, w, q, q, tag); },
        [&](const auto& req, auto& resp) {
            resp.set_request_id(req.request_id());
            resp.set_producer_id(next_producer++);
            resp.set_producer_name(req.producer_name());
        });
    for (int i = 0; i < 256; ++i) {  // calls posted ahead, as a busy server keeps them
        new Unary<danube::StreamMessage, danube::MessageResponse>(
            [&](auto* ctx, auto* req, auto* w, void* tag) { producers.RequestSendMessage(ctx, req, w, q, q, tag); },
            [&](const auto& req, auto& resp) {
                if (!latency_file.empty()) latencies.add(req);
                resp.set_request_id(req.request_id());
            });
    }
    if (!port_file.empty()) {
        const std::string tmp = port_file + ".tmp";
        std::ofstream(tmp) << port << "\n";
        std::rename(tmp.c_str(), port_file.c_str());
    }
    void* tag = nullptr;
    bool ok = false;
    while (cq->Next(&tag, &ok)) static_cast<Pending*>(tag)->step();
    return 0;
}
