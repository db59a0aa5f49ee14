// SPDX-License-Identifier: Apache-2.0
// Small request builders shared by the test broker's contract tests, so each test reads as the
// rule it checks. Every call goes through dcx::testing::invoke, i.e. with a deadline.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "test_broker.hpp"

namespace dcx::contract {

using dcx::testing::invoke;
using dcx::testing::TestBroker;

/// Registers `definition` under `subject`; the response through `resp` when given.
inline grpc::Status register_schema(TestBroker& broker, const std::string& subject, const std::string& type,
                                    const std::string& definition,
                                    danube_schema::RegisterSchemaResponse* resp = nullptr) {
    danube_schema::RegisterSchemaRequest req;
    req.set_subject(subject);
    req.set_schema_type(type);
    req.set_schema_definition(definition);
    req.set_created_by("contract-test");
    danube_schema::RegisterSchemaResponse local;
    return invoke(&danube_schema::SchemaRegistry::Stub::RegisterSchema, broker.schema(), req, resp ? resp : &local);
}

/// Registers and returns the subject's schema id; fails the test when registration fails.
inline uint64_t registered_id(TestBroker& broker, const std::string& subject, const std::string& type = "string",
                              const std::string& definition = "") {
    danube_schema::RegisterSchemaResponse resp;
    const auto st = register_schema(broker, subject, type, definition, &resp);
    if (!st.ok()) throw std::runtime_error("RegisterSchema " + subject + " failed: " + st.error_message());
    return resp.schema_id();
}

inline grpc::Status configure_topic_schema(TestBroker& broker, const std::string& topic, const std::string& subject,
                                           const std::string& policy) {
    danube_schema::ConfigureTopicSchemaRequest req;
    req.set_topic_name(topic);
    req.set_schema_subject(subject);
    req.set_validation_policy(policy);
    danube_schema::ConfigureTopicSchemaResponse resp;
    return invoke(&danube_schema::SchemaRegistry::Stub::ConfigureTopicSchema, broker.schema(), req, &resp);
}

inline grpc::Status set_validation_policy(TestBroker& broker, const std::string& topic, const std::string& policy) {
    danube_schema::UpdateTopicValidationPolicyRequest req;
    req.set_topic_name(topic);
    req.set_validation_policy(policy);
    danube_schema::UpdateTopicValidationPolicyResponse resp;
    return invoke(&danube_schema::SchemaRegistry::Stub::UpdateTopicValidationPolicy, broker.schema(), req, &resp);
}

/// CreateProducer that must succeed; returns the producer id.
inline uint64_t producer_id(TestBroker& broker, const std::string& topic, const std::string& name,
                            bool reliable = false, const std::string& subject = {}) {
    uint64_t id = 0;
    const auto st = broker.create_producer(topic, name, reliable, &id, subject);
    if (!st.ok()) throw std::runtime_error("CreateProducer " + topic + " failed: " + st.error_message());
    return id;
}

/// A well-formed StreamMessage as the Rust client builds it.
inline danube::StreamMessage message(const TestBroker& broker, uint64_t producer, const std::string& topic,
                                     const std::string& payload, uint64_t request_id = 1) {
    danube::StreamMessage msg;
    msg.set_request_id(request_id);
    msg.mutable_msg_id()->set_producer_id(producer);
    msg.mutable_msg_id()->set_topic_name(topic);
    msg.mutable_msg_id()->set_broker_addr(broker.url() + "/");
    msg.set_payload(payload);
    msg.set_publish_time(1700000000123);
    msg.set_producer_name("contract-producer");
    return msg;
}

inline grpc::Status send(TestBroker& broker, const danube::StreamMessage& msg, danube::MessageResponse* resp = nullptr,
                         std::chrono::milliseconds deadline = std::chrono::seconds(5)) {
    danube::MessageResponse local;
    return invoke(&danube::ProducerService::Stub::SendMessage, broker.producer(), msg, resp ? resp : &local, deadline);
}

inline grpc::Status inject(TestBroker& broker, const danube_test::FaultRequest& fault) {
    danube_test::ControlReply reply;
    return invoke(&danube_test::BrokerControl::Stub::InjectFault, broker.control(), fault, &reply);
}

inline grpc::Status clear_faults(TestBroker& broker) {
    danube_test::ControlReply reply;
    return invoke(&danube_test::BrokerControl::Stub::ClearFaults, broker.control(), danube_test::Empty{}, &reply);
}

inline grpc::Status lookup(TestBroker& broker, const std::string& topic,
                           std::chrono::milliseconds deadline = std::chrono::seconds(5)) {
    danube::TopicLookupRequest req;
    req.set_topic(topic);
    danube::TopicLookupResponse resp;
    return invoke(&danube::Discovery::Stub::TopicLookup, broker.discovery(), req, &resp, deadline);
}

/// The stats row of `topic`, nullopt when the broker does not know it.
inline std::optional<danube_test::TopicStats> topic_stats(TestBroker& broker, const std::string& topic) {
    const auto stats = broker.stats();  // named: a range-for over a temporary's member dangles
    for (const auto& t : stats.topics()) {
        if (t.topic() == topic) return t;
    }
    return std::nullopt;
}

inline std::set<std::string> keys_of(const nlohmann::json& object) {
    std::set<std::string> keys;
    for (const auto& [k, _] : object.items()) keys.insert(k);
    return keys;
}

/// A port on 127.0.0.1 that was free a moment ago (bound to port 0, then released), for
/// brokers started by hand instead of through TestBroker.
inline int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) throw std::runtime_error("socket() failed");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        ::close(fd);
        throw std::runtime_error("cannot pick a free port");
    }
    ::close(fd);
    return ntohs(addr.sin_port);
}

}  // namespace dcx::contract
