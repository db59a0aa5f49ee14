// SPDX-License-Identifier: Apache-2.0
// Runs a real danube-test-broker process on a free 127.0.0.1 port for one test, with stubs
// for every service it serves and readers for its journal and counters.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <nlohmann/json.hpp>

#include "DanubeApi.grpc.pb.h"
#include "SchemaRegistry.grpc.pb.h"
#include "child_process.hpp"
#include "control.grpc.pb.h"
#include "temp_dir.hpp"

namespace dcx::testing {

/// Calls a unary stub method with a deadline (5 s unless given).
template <class Stub, class Req, class Resp>
grpc::Status invoke(grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*), Stub& stub, const Req& req,
                    Resp* resp, std::chrono::milliseconds deadline = std::chrono::seconds(5)) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + deadline);
    return (stub.*method)(&ctx, req, resp);
}

class TestBroker {
public:
    /// Starts the broker with `--data-dir` in its own temporary directory plus `extra_args`.
    explicit TestBroker(std::vector<std::string> extra_args = {});
    ~TestBroker();
    TestBroker(const TestBroker&) = delete;
    TestBroker& operator=(const TestBroker&) = delete;

    int port() const { return port_; }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    std::string target() const { return "127.0.0.1:" + std::to_string(port_); }
    const TempDir& dir() const { return dir_; }
    std::filesystem::path journal_path() const { return dir_ / "data/journal.jsonl"; }
    ChildProcess& process() { return *process_; }

    danube::Discovery::Stub& discovery() { return *discovery_; }
    danube::ProducerService::Stub& producer() { return *producer_; }
    danube::ConsumerService::Stub& consumer() { return *consumer_; }
    danube::HealthCheck::Stub& health() { return *health_; }
    danube_schema::SchemaRegistry::Stub& schema() { return *schema_; }
    danube_test::BrokerControl::Stub& control() { return *control_; }
    std::shared_ptr<grpc::Channel> channel() const { return channel_; }

    /// Journal lines of `kind` ("message" or "producer"), in order.
    std::vector<nlohmann::json> journal(const std::string& kind = "message") const;
    danube_test::StatsReply stats();

    /// SIGTERM and wait (bounded); returns the exit code.
    int stop();
    /// SIGKILL.
    void kill();
    /// Starts again on the same port and data dir, with the same arguments, and connects a new
    /// channel (stubs and channels taken from the old one are stale).
    void restart(std::vector<std::string> extra_args = {});

    /// CreateProducer helper: returns the status; the id through `producer_id`.
    grpc::Status create_producer(const std::string& topic, const std::string& name, bool reliable = false,
                                 uint64_t* producer_id = nullptr, const std::string& subject = {});
    /// SendMessage helper with a well-formed msg_id for `producer_id` on `topic`.
    grpc::Status send(uint64_t producer_id, const std::string& topic, const std::string& payload,
                      uint64_t request_id = 1);

private:
    void launch(std::vector<std::string> args);

    TempDir dir_;
    std::vector<std::string> base_args_;
    int generation_ = 0;
    int port_ = 0;
    std::unique_ptr<ChildProcess> process_;
    std::shared_ptr<grpc::Channel> channel_;
    std::unique_ptr<danube::Discovery::Stub> discovery_;
    std::unique_ptr<danube::ProducerService::Stub> producer_;
    std::unique_ptr<danube::ConsumerService::Stub> consumer_;
    std::unique_ptr<danube::HealthCheck::Stub> health_;
    std::unique_ptr<danube_schema::SchemaRegistry::Stub> schema_;
    std::unique_ptr<danube_test::BrokerControl::Stub> control_;
};

}  // namespace dcx::testing
