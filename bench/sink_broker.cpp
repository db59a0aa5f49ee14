// SPDX-License-Identifier: Apache-2.0
// A trivial Danube-shaped sink for latency benchmarks: TopicLookup (always "connect here"),
// CreateProducer and SendMessage on one completion-queue thread, storing nothing, like the server
// of measured-limits.md §1. danube-test-broker is faithful rather than fast: its callback-API server
// (gRPC 1.51) shows round-trip tails of several ms even at 2k calls/s, which would hide the
// daemon's own latency. Usage: dcx_bench_sink_broker --listen 127.0.0.1:0 --port-file F
#include <atomic>
#include <fstream>
#include <functional>
#include <iostream>
#include <string>
#include <utility>

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
    CLI11_PARSE(app, argc, argv);

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
            [](const auto& req, auto& resp) { resp.set_request_id(req.request_id()); });
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
