// SPDX-License-Identifier: Apache-2.0
// Contract rules 8, 9 and 10 (message half): the SendMessage checks in the broker's order, the
// 4 MiB decode limit, publish-time schema rules and the message journal (broker-protocol.md §2.2,
// §6, §7, §12).
#include <set>

#include <catch2/catch.hpp>

#include "contract_helpers.hpp"

using namespace dcx::contract;

namespace {

constexpr size_t kLimit = 4 * 1024 * 1024;

/// A message whose whole encoding is exactly `encoded_size` bytes.
danube::StreamMessage message_of_encoded_size(const TestBroker& broker, uint64_t producer, const std::string& topic,
                                              size_t encoded_size) {
    auto msg = message(broker, producer, topic, "");
    size_t payload = encoded_size - msg.ByteSizeLong();
    for (int i = 0; i < 8 && msg.ByteSizeLong() != encoded_size; ++i) {
        msg.set_payload(std::string(payload, 'x'));
        payload = payload + encoded_size - msg.ByteSizeLong();
    }
    REQUIRE(msg.ByteSizeLong() == encoded_size);
    return msg;
}

}  // namespace

TEST_CASE("SendMessage is OK and echoes request_id", "[integration][test-broker]") {
    TestBroker broker;
    const uint64_t id = producer_id(broker, "/default/echo", "p");
    danube::MessageResponse resp;
    REQUIRE(send(broker, message(broker, id, "/default/echo", "hi", 987654321012), &resp).ok());
    CHECK(resp.request_id() == 987654321012);
    // request_id is opaque: a repeat is a new message, not a duplicate.
    REQUIRE(send(broker, message(broker, id, "/default/echo", "hi", 987654321012), &resp).ok());
    CHECK(resp.request_id() == 987654321012);
    CHECK(broker.journal().size() == 2);
}

TEST_CASE("accepted messages are journaled with exact fields and per-topic offsets", "[integration][test-broker]") {
    TestBroker broker;
    const uint64_t a = producer_id(broker, "/default/ja", "pa");
    const uint64_t b = producer_id(broker, "/default/jb", "pb");
    const uint64_t schema_id = registered_id(broker, "journal-s");

    auto first = message(broker, a, "/default/ja", "hello", 11);
    (*first.mutable_attributes())["k1"] = "v1";
    (*first.mutable_attributes())["k2"] = "";
    first.set_publish_time(1712345678901);
    first.set_producer_name("pa-name");
    first.mutable_msg_id()->set_topic_offset(99);  // ignored by the broker, journaled as sent
    REQUIRE(send(broker, first).ok());

    auto keyed = message(broker, b, "/default/jb", std::string("\0\xff" "bin\x10", 6), 12);
    keyed.set_schema_id(schema_id);
    keyed.set_schema_version(1);
    keyed.set_routing_key("user-42");
    REQUIRE(send(broker, keyed).ok());

    auto empty_key = message(broker, a, "/default/ja", "second", 13);
    empty_key.set_routing_key("");  // present but empty is still present
    REQUIRE(send(broker, empty_key).ok());
    REQUIRE(send(broker, message(broker, a, "/default/ja", "", 14)).ok());
    REQUIRE(send(broker, message(broker, b, "/default/jb", "b1", 15)).ok());

    const auto lines = broker.journal();
    REQUIRE(lines.size() == 5);
    const std::set<std::string> base_keys{"seq",         "kind",       "topic",        "offset",
                                          "payload_b64", "attributes", "producer_name", "producer_id",
                                          "request_id",  "publish_time", "received_at_ms", "msg_id"};

    CHECK(keys_of(lines[0]) == base_keys);
    CHECK(lines[0]["kind"] == "message");
    CHECK(lines[0]["topic"] == "/default/ja");
    CHECK(lines[0]["offset"] == 0);
    CHECK(lines[0]["payload_b64"] == "aGVsbG8=");
    CHECK(lines[0]["attributes"] == nlohmann::json{{"k1", "v1"}, {"k2", ""}});
    CHECK(lines[0]["producer_name"] == "pa-name");
    CHECK(lines[0]["producer_id"] == a);
    CHECK(lines[0]["request_id"] == 11);
    CHECK(lines[0]["publish_time"] == 1712345678901);
    CHECK(lines[0]["msg_id"] == nlohmann::json{{"producer_id", a},
                                               {"topic_name", "/default/ja"},
                                               {"broker_addr", broker.url() + "/"},
                                               {"topic_offset", 99}});
    const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    CHECK(lines[0]["received_at_ms"].get<int64_t>() <= now_ms);
    CHECK(lines[0]["received_at_ms"].get<int64_t>() > now_ms - 60'000);

    auto all_keys = base_keys;
    all_keys.insert({"schema_id", "schema_version", "routing_key"});
    CHECK(keys_of(lines[1]) == all_keys);
    CHECK(lines[1]["topic"] == "/default/jb");
    CHECK(lines[1]["offset"] == 0);
    CHECK(lines[1]["payload_b64"] == "AP9iaW4Q");
    CHECK(lines[1]["attributes"] == nlohmann::json::object());
    CHECK(lines[1]["schema_id"] == schema_id);
    CHECK(lines[1]["schema_version"] == 1);
    CHECK(lines[1]["routing_key"] == "user-42");

    auto key_only = base_keys;
    key_only.insert("routing_key");
    CHECK(keys_of(lines[2]) == key_only);
    CHECK(lines[2]["routing_key"] == "");
    CHECK(lines[2]["offset"] == 1);
    CHECK(lines[2]["payload_b64"] == "c2Vjb25k");

    CHECK(keys_of(lines[3]) == base_keys);
    CHECK(lines[3]["offset"] == 2);
    CHECK(lines[3]["payload_b64"] == "");
    CHECK(lines[4]["topic"] == "/default/jb");
    CHECK(lines[4]["offset"] == 1);

    const auto stats = broker.stats();
    CHECK(stats.messages_accepted() == 5);
    CHECK(topic_stats(broker, "/default/ja")->messages() == 3);
}

TEST_CASE("a request without msg_id is INTERNAL and counted as a client bug", "[integration][test-broker]") {
    TestBroker broker;
    const uint64_t id = producer_id(broker, "/default/nomsgid", "p");
    auto msg = message(broker, id, "/default/nomsgid", "x");
    msg.clear_msg_id();
    const auto st = send(broker, msg);
    CHECK(st.error_code() == grpc::StatusCode::INTERNAL);
    CHECK(st.error_message() ==
          "danube-test-broker: StreamMessage without msg_id; the real broker panics on this request");
    CHECK(broker.stats().requests_without_msg_id() == 1);
    CHECK(send(broker, msg).error_code() == grpc::StatusCode::INTERNAL);
    CHECK(broker.stats().requests_without_msg_id() == 2);
    CHECK(broker.journal().empty());
}

TEST_CASE("an unknown producer id is NOT_FOUND", "[integration][test-broker]") {
    TestBroker broker;
    producer_id(broker, "/default/np", "p");
    const auto st = send(broker, message(broker, 12345, "/default/np", "x"));
    CHECK(st.error_code() == grpc::StatusCode::NOT_FOUND);
    CHECK(st.error_message() == "The producer with id 12345 does not exist");
    CHECK(broker.journal().empty());
}

TEST_CASE("a producer sending on another existing topic is PERMISSION_DENIED", "[integration][test-broker]") {
    TestBroker broker;
    const uint64_t id = producer_id(broker, "/default/mine", "p");
    producer_id(broker, "/default/theirs", "q");
    const auto st = send(broker, message(broker, id, "/default/theirs", "x"));
    CHECK(st.error_code() == grpc::StatusCode::PERMISSION_DENIED);
    CHECK(st.error_message() == "Unable to publish the message: the producer with id " + std::to_string(id) +
                                    " is not attached to topic name: /default/theirs");
    CHECK(broker.journal().empty());
}

TEST_CASE("a msg_id topic that does not exist is PERMISSION_DENIED not found in registry",
          "[integration][test-broker]") {
    TestBroker broker;
    const uint64_t id = producer_id(broker, "/default/real", "p");
    const auto st = send(broker, message(broker, id, "/default/ghost", "x"));
    CHECK(st.error_code() == grpc::StatusCode::PERMISSION_DENIED);
    CHECK(st.error_message() == "Unable to publish the message: Topic /default/ghost not found in registry");
    // Sending does not create the topic.
    CHECK(lookup(broker, "/default/ghost").error_code() == grpc::StatusCode::NOT_FOUND);
}

TEST_CASE("a request over 4 MiB is OUT_OF_RANGE with the decode limit text", "[integration][test-broker]") {
    TestBroker broker;
    const uint64_t id = producer_id(broker, "/default/big", "p");
    const auto msg = message_of_encoded_size(broker, id, "/default/big", kLimit + 1);
    const auto st = send(broker, msg, nullptr, std::chrono::seconds(20));
    CHECK(st.error_code() == grpc::StatusCode::OUT_OF_RANGE);
    CHECK(st.error_message() ==
          "Error, decoded message length too large: found 4194305 bytes, the limit is: 4194304 bytes");
    CHECK(broker.journal().empty());
}

TEST_CASE("a request of exactly 4 MiB is accepted", "[integration][test-broker]") {
    TestBroker broker;
    const uint64_t id = producer_id(broker, "/default/edge", "p");
    const auto msg = message_of_encoded_size(broker, id, "/default/edge", kLimit);
    danube::MessageResponse resp;
    REQUIRE(send(broker, msg, &resp, std::chrono::seconds(20)).ok());
    CHECK(resp.request_id() == msg.request_id());
    CHECK(broker.stats().messages_accepted() == 1);
}

TEST_CASE("under the default Warn policy a bound topic accepts messages with or without a known schema_id",
          "[integration][test-broker]") {
    TestBroker broker;
    const uint64_t own = registered_id(broker, "warn-own");
    const uint64_t other = registered_id(broker, "warn-other");
    producer_id(broker, "/default/warn", "first");
    const uint64_t id = producer_id(broker, "/default/warn", "p", false, "warn-own");
    REQUIRE(topic_stats(broker, "/default/warn")->schema_subject() == "warn-own");

    CHECK(send(broker, message(broker, id, "/default/warn", "no schema id")).ok());
    auto msg = message(broker, id, "/default/warn", "own id");
    msg.set_schema_id(own);
    msg.set_schema_version(1);
    CHECK(send(broker, msg).ok());
    msg.set_schema_id(other);  // another subject's id: Warn only logs
    CHECK(send(broker, msg).ok());
    CHECK(broker.journal().size() == 3);
}

TEST_CASE("an unknown schema_id is PERMISSION_DENIED on a topic with a bound subject", "[integration][test-broker]") {
    TestBroker broker;
    registered_id(broker, "bound-s");
    producer_id(broker, "/default/unknown-id", "first");
    const uint64_t id = producer_id(broker, "/default/unknown-id", "p", false, "bound-s");
    auto msg = message(broker, id, "/default/unknown-id", "x");
    msg.set_schema_id(999);
    msg.set_schema_version(1);
    const auto st = send(broker, msg);
    CHECK(st.error_code() == grpc::StatusCode::PERMISSION_DENIED);
    CHECK(st.error_message() == "Unable to publish the message: Schema ID 999 not found in registry");
    CHECK(broker.journal().empty());
}

TEST_CASE("a topic without a subject under Warn accepts any schema_id", "[integration][test-broker]") {
    TestBroker broker;
    const uint64_t id = producer_id(broker, "/default/free", "p");
    auto msg = message(broker, id, "/default/free", "x");
    msg.set_schema_id(999);
    msg.set_schema_version(4);
    REQUIRE(send(broker, msg).ok());
    REQUIRE(broker.journal().size() == 1);
    CHECK(broker.journal()[0]["schema_id"] == 999);
}

TEST_CASE("policy None on a bound topic accepts an unknown schema_id", "[integration][test-broker]") {
    TestBroker broker;
    registered_id(broker, "none-s");
    const uint64_t id = producer_id(broker, "/default/none-policy", "p");
    REQUIRE(configure_topic_schema(broker, "/default/none-policy", "none-s", "NONE").ok());
    auto msg = message(broker, id, "/default/none-policy", "x");
    msg.set_schema_id(999);
    CHECK(send(broker, msg).ok());
}

TEST_CASE("Enforce rejects a message without schema_id and one of another subject", "[integration][test-broker]") {
    TestBroker broker;
    const uint64_t own = registered_id(broker, "enforced");
    const uint64_t other = registered_id(broker, "elsewhere");
    const uint64_t id = producer_id(broker, "/default/strict", "p");
    REQUIRE(configure_topic_schema(broker, "/default/strict", "enforced", "Enforce").ok());

    auto st = send(broker, message(broker, id, "/default/strict", "x"));
    CHECK(st.error_code() == grpc::StatusCode::PERMISSION_DENIED);
    CHECK(st.error_message() ==
          "Unable to publish the message: Message missing schema_id for topic /default/strict (expected subject: "
          "enforced)");

    auto msg = message(broker, id, "/default/strict", "x");
    msg.set_schema_id(other);
    msg.set_schema_version(1);
    st = send(broker, msg);
    CHECK(st.error_code() == grpc::StatusCode::PERMISSION_DENIED);
    CHECK(st.error_message() == "Unable to publish the message: Schema subject mismatch for topic /default/strict: "
                                "message schema_id=" +
                                    std::to_string(other) +
                                    " belongs to subject 'elsewhere', but topic requires 'enforced'");

    msg.set_schema_id(999);
    st = send(broker, msg);
    CHECK(st.error_code() == grpc::StatusCode::PERMISSION_DENIED);
    CHECK(st.error_message() == "Unable to publish the message: Schema ID 999 not found in registry");

    msg.set_schema_id(own);
    CHECK(send(broker, msg).ok());
    REQUIRE(broker.journal().size() == 1);
    CHECK(broker.journal()[0]["schema_id"] == own);
}

TEST_CASE("Enforce on a topic without a subject rejects every message", "[integration][test-broker]") {
    TestBroker broker;
    const uint64_t id = producer_id(broker, "/default/nosubject", "p");
    REQUIRE(set_validation_policy(broker, "/default/nosubject", "enforce").ok());
    const auto st = send(broker, message(broker, id, "/default/nosubject", "x"));
    CHECK(st.error_code() == grpc::StatusCode::PERMISSION_DENIED);
    CHECK(st.error_message() ==
          "Unable to publish the message: Topic /default/nosubject requires schema but none is configured");
}

TEST_CASE("the schema rule is checked before the producer's topic attachment", "[integration][test-broker]") {
    TestBroker broker;
    registered_id(broker, "order-s");
    const uint64_t id = producer_id(broker, "/default/from", "p");
    producer_id(broker, "/default/to", "q");
    REQUIRE(configure_topic_schema(broker, "/default/to", "order-s", "enforce").ok());
    const auto st = send(broker, message(broker, id, "/default/to", "x"));
    CHECK(st.error_code() == grpc::StatusCode::PERMISSION_DENIED);
    CHECK(st.error_message() ==
          "Unable to publish the message: Message missing schema_id for topic /default/to (expected subject: order-s)");
}

TEST_CASE("ConfigureTopicSchema rejects a bad policy, an unknown subject and an unknown topic",
          "[integration][test-broker]") {
    TestBroker broker;
    registered_id(broker, "cfg-s");
    producer_id(broker, "/default/cfg", "p");
    auto st = configure_topic_schema(broker, "/default/cfg", "cfg-s", "strictest");
    CHECK(st.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(st.error_message() == "Invalid validation policy: strictest");
    st = configure_topic_schema(broker, "/default/cfg", "no-such-subject", "warn");
    CHECK(st.error_code() == grpc::StatusCode::NOT_FOUND);
    CHECK(st.error_message() == "Schema subject 'no-such-subject' not found in registry");
    st = configure_topic_schema(broker, "/default/no-topic", "cfg-s", "warn");
    CHECK(st.error_code() == grpc::StatusCode::NOT_FOUND);
    CHECK(st.error_message() == "Topic /default/no-topic not found");

    REQUIRE(configure_topic_schema(broker, "/default/cfg", "cfg-s", "Enforce").ok());
    danube_schema::GetTopicSchemaConfigRequest req;
    req.set_topic_name("/default/cfg");
    danube_schema::GetTopicSchemaConfigResponse resp;
    REQUIRE(invoke(&danube_schema::SchemaRegistry::Stub::GetTopicSchemaConfig, broker.schema(), req, &resp).ok());
    CHECK(resp.schema_subject() == "cfg-s");
    CHECK(resp.validation_policy() == "enforce");
    CHECK(resp.schema_id() == 1);
}

TEST_CASE("error answers carry only a status code and a message, with no details or metadata",
          "[integration][test-broker]") {
    TestBroker broker;
    const uint64_t id = producer_id(broker, "/default/bare", "p");
    producer_id(broker, "/default/elsewhere", "q");
    const auto check_bare = [&](const danube::StreamMessage& msg, grpc::StatusCode expected) {
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
        danube::MessageResponse resp;
        const auto st = broker.producer().SendMessage(&ctx, msg, &resp);
        CHECK(st.error_code() == expected);
        CHECK(st.error_details().empty());
        CHECK(ctx.GetServerInitialMetadata().empty());
        CHECK(ctx.GetServerTrailingMetadata().empty());
    };
    check_bare(message(broker, id + 1, "/default/bare", "x"), grpc::StatusCode::NOT_FOUND);
    check_bare(message(broker, id, "/default/elsewhere", "x"), grpc::StatusCode::PERMISSION_DENIED);
}
