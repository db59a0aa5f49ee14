// SPDX-License-Identifier: Apache-2.0
// The test broker's state and rules: namespaces, topics, producers, consumers and the publish
// path, answering with the real broker's status codes and texts (broker-protocol.md).
#pragma once

#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <grpcpp/support/status.h>

#include "DanubeApi.pb.h"
#include "SchemaRegistry.pb.h"
#include "control.pb.h"
#include "fault_injector.hpp"
#include "journal.hpp"
#include "schema_registry.hpp"

namespace dcx::test_broker {

/// Exit code of the `crash after N messages` fault.
inline constexpr int kCrashExitCode = 86;

/// Receives every message accepted on a subscribed topic (a live ReceiveMessages stream).
class MessageSink {
public:
    virtual ~MessageSink() = default;
    /// Called with the broker lock held: must not block and must not call back into the broker.
    virtual void deliver(const danube::StreamMessage& msg) = 0;
};

class BrokerCore {
public:
    struct Settings {
        bool auto_create_topics = true;
        std::vector<std::string> extra_namespaces;
        std::optional<std::filesystem::path> state_file;  // persistence, with --data-dir
    };

    BrokerCore(Settings settings, SchemaRegistry& registry, Journal& journal, FaultInjector& faults);

    /// Loads namespaces, topics and the registry from the state file, and per-topic message
    /// counts from an existing journal. Producers and consumers are never persisted.
    void load_state(const std::optional<std::filesystem::path>& journal_path);
    void set_advertised_url(std::string url);

    grpc::Status lookup(const danube::TopicLookupRequest& req, danube::TopicLookupResponse& resp);
    grpc::Status partitions(const danube::TopicLookupRequest& req, danube::TopicPartitionsResponse& resp);
    grpc::Status create_producer(const danube::ProducerRequest& req, danube::ProducerResponse& resp);
    grpc::Status send_message(const danube::StreamMessage& req, danube::MessageResponse& resp);
    grpc::Status health(const danube::HealthCheckRequest& req, danube::HealthCheckResponse& resp);
    grpc::Status subscribe(const danube::ConsumerRequest& req, danube::ConsumerResponse& resp);
    grpc::Status attach_stream(uint64_t consumer_id, MessageSink* sink);
    void detach_stream(uint64_t consumer_id, MessageSink* sink);

    grpc::Status configure_topic_schema(const danube_schema::ConfigureTopicSchemaRequest& req,
                                        danube_schema::ConfigureTopicSchemaResponse& resp);
    grpc::Status update_validation_policy(const danube_schema::UpdateTopicValidationPolicyRequest& req,
                                          danube_schema::UpdateTopicValidationPolicyResponse& resp);
    grpc::Status topic_schema_config(const danube_schema::GetTopicSchemaConfigRequest& req,
                                     danube_schema::GetTopicSchemaConfigResponse& resp);

    /// Writes the state file (after registry changes, which happen outside this class).
    void persist();
    grpc::Status create_namespace(const std::string& name);
    size_t forget_producers();
    void stats(danube_test::StatsReply& out);

private:
    enum class Policy { none, warn, enforce };
    struct Subscription {
        std::vector<uint64_t> consumers;  // attach order
        size_t next = 0;                  // round-robin cursor
    };
    struct Topic {
        danube::DispatchStrategy dispatch = danube::NonReliable;
        std::string metadata_subject;  // written on auto-create, persisted
        std::string bound_subject;     // what the loaded topic enforces
        Policy policy = Policy::warn;
        bool payload_validation = false;
        uint64_t next_offset = 0;
        std::map<std::string, uint64_t> producers;  // name -> id
        std::map<std::string, Subscription> subscriptions;
    };
    struct Producer {
        std::string topic;
        std::string name;
    };
    struct Consumer {
        std::string topic;
        std::string subscription;
        std::string name;
        MessageSink* sink = nullptr;
        // Messages dispatched while no ReceiveMessages stream is attached. The real broker
        // creates the consumer's channel at Subscribe, so nothing sent after Subscribe is lost.
        std::deque<danube::StreamMessage> pending;
        size_t pending_bytes = 0;
    };

    grpc::Status validate_loaded_topic(const std::string& name, Topic& topic, const danube::ProducerRequest& req);
    grpc::Status create_topic(const std::string& name, const danube::ProducerRequest& req);
    std::optional<std::string> schema_rejection(const std::string& name, const Topic& topic,
                                                const danube::StreamMessage& msg) const;
    void dispatch(Topic& topic, const danube::StreamMessage& msg, uint64_t offset);
    uint64_t fresh_id();
    void persist_locked();
    static std::optional<Policy> parse_policy(std::string_view text);

    Settings settings_;
    SchemaRegistry& registry_;
    Journal& journal_;
    FaultInjector& faults_;

    std::mutex mu_;
    std::string advertised_url_;
    std::set<std::string> namespaces_;
    std::map<std::string, Topic> topics_;
    std::map<uint64_t, Producer> producers_;
    std::map<uint64_t, Consumer> consumers_;
    std::mt19937_64 rng_{std::random_device{}()};
    uint64_t messages_accepted_ = 0;
    uint64_t requests_without_msg_id_ = 0;
    uint64_t producers_created_ = 0;
};

}  // namespace dcx::test_broker
