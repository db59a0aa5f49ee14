// SPDX-License-Identifier: Apache-2.0
#include "test_broker.hpp"

#include <signal.h>

#include <fstream>
#include <stdexcept>

namespace dcx::testing {

TestBroker::TestBroker(std::vector<std::string> extra_args) : base_args_(std::move(extra_args)) {
    launch({"--listen", "127.0.0.1:0"});
}

TestBroker::~TestBroker() = default;

void TestBroker::launch(std::vector<std::string> args) {
    const auto port_file = dir_ / "port";
    std::filesystem::remove(port_file);
    std::vector<std::string> argv{DCX_TEST_BROKER_BIN, "--port-file", port_file.string(), "--data-dir",
                                  (dir_ / "data").string()};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), base_args_.begin(), base_args_.end());
    process_ = std::make_unique<ChildProcess>(argv, dir_ / ("broker-" + std::to_string(generation_++)));
    // Generous: a restarted broker first replays its journal (100k lines in the fault matrix take
    // over 20 s under ASan). It returns as soon as the port file appears.
    const bool up = wait_until(
        [&] { return std::filesystem::exists(port_file) || !process_->running(); }, std::chrono::seconds(90));
    if (!up || !std::filesystem::exists(port_file)) {
        throw std::runtime_error("danube-test-broker did not start: " + process_->stderr_text());
    }
    std::ifstream(port_file) >> port_;
    // A fresh channel per broker process: after a SIGKILL nothing polls the old connection, so
    // a reused channel would send the first call into the dead process's socket.
    grpc::ChannelArguments ch_args;
    // Reconnect promptly after a refused-connections period.
    ch_args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
    ch_args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 200);
    // Its own subchannel pool: through gRPC's global pool the new channel could pick up the
    // previous channel's subchannel, and with it the dead connection.
    ch_args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    channel_ = grpc::CreateCustomChannel(target(), grpc::InsecureChannelCredentials(), ch_args);
    discovery_ = danube::Discovery::NewStub(channel_);
    producer_ = danube::ProducerService::NewStub(channel_);
    consumer_ = danube::ConsumerService::NewStub(channel_);
    health_ = danube::HealthCheck::NewStub(channel_);
    schema_ = danube_schema::SchemaRegistry::NewStub(channel_);
    control_ = danube_test::BrokerControl::NewStub(channel_);
}

std::vector<nlohmann::json> TestBroker::journal(const std::string& kind) const {
    std::vector<nlohmann::json> out;
    std::ifstream in(journal_path());
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        // The broker may be writing the last line right now: an unfinished line ends the read.
        if (in.eof()) break;
        auto j = nlohmann::json::parse(line, nullptr, false);
        if (j.is_discarded()) break;
        if (j.value("kind", "") == kind) out.push_back(std::move(j));
    }
    return out;
}

danube_test::StatsReply TestBroker::stats() {
    danube_test::StatsReply reply;
    const auto st = invoke(&danube_test::BrokerControl::Stub::Stats, *control_, danube_test::Empty{}, &reply);
    if (!st.ok()) throw std::runtime_error("Stats failed: " + st.error_message());
    return reply;
}

int TestBroker::stop() {
    process_->signal(SIGTERM);
    const auto code = process_->wait_for_exit(std::chrono::seconds(10));
    if (!code) {
        process_->kill_now();
        throw std::runtime_error("danube-test-broker ignored SIGTERM for 10 s");
    }
    return *code;
}

void TestBroker::kill() { process_->kill_now(); }

void TestBroker::restart(std::vector<std::string> extra_args) {
    if (process_->running()) stop();
    extra_args.insert(extra_args.begin(), {"--listen", target()});
    launch(std::move(extra_args));
}

grpc::Status TestBroker::create_producer(const std::string& topic, const std::string& name, bool reliable,
                                         uint64_t* producer_id, const std::string& subject) {
    danube::ProducerRequest req;
    req.set_request_id(7);
    req.set_producer_name(name);
    req.set_topic_name(topic);
    req.set_dispatch_strategy(reliable ? danube::Reliable : danube::NonReliable);
    if (!subject.empty()) {
        req.mutable_schema_ref()->set_subject(subject);
        req.mutable_schema_ref()->set_use_latest(true);
    }
    danube::ProducerResponse resp;
    const auto st = invoke(&danube::ProducerService::Stub::CreateProducer, *producer_, req, &resp);
    if (producer_id) *producer_id = resp.producer_id();
    return st;
}

grpc::Status TestBroker::send(uint64_t producer_id, const std::string& topic, const std::string& payload,
                              uint64_t request_id) {
    danube::StreamMessage msg;
    msg.set_request_id(request_id);
    msg.mutable_msg_id()->set_producer_id(producer_id);
    msg.mutable_msg_id()->set_topic_name(topic);
    msg.mutable_msg_id()->set_broker_addr(url() + "/");
    msg.set_payload(payload);
    msg.set_publish_time(1);
    msg.set_producer_name("test");
    danube::MessageResponse resp;
    return invoke(&danube::ProducerService::Stub::SendMessage, *producer_, msg, &resp);
}

}  // namespace dcx::testing
