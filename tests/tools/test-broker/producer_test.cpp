// SPDX-License-Identifier: Apache-2.0
// Contract rules 6, 7 and 10 (CreateProducer half): auto-create, idempotent producer ids,
// dispatch strategy, partition name conflicts, schema_ref binding, producer journal lines
// (broker-protocol.md §5, §6).
#include <set>

#include <catch2/catch.hpp>

#include "contract_helpers.hpp"

using namespace dcx::contract;

namespace {

danube::ProducerRequest producer_request(const std::string& topic, const std::string& name, uint64_t request_id) {
    danube::ProducerRequest req;
    req.set_request_id(request_id);
    req.set_producer_name(name);
    req.set_topic_name(topic);
    req.set_dispatch_strategy(danube::NonReliable);
    return req;
}

}  // namespace

TEST_CASE("CreateProducer auto-creates an unknown topic and echoes request_id and producer_name",
          "[integration][test-broker]") {
    TestBroker broker;
    REQUIRE(lookup(broker, "/default/fresh").error_code() == grpc::StatusCode::NOT_FOUND);

    danube::ProducerResponse resp;
    const auto st = invoke(&danube::ProducerService::Stub::CreateProducer, broker.producer(),
                           producer_request("/default/fresh", "maker", 314159), &resp);
    REQUIRE(st.ok());
    CHECK(resp.request_id() == 314159);
    CHECK(resp.producer_name() == "maker");
    CHECK(resp.producer_id() != 0);

    CHECK(lookup(broker, "/default/fresh").ok());
    const auto stats = topic_stats(broker, "/default/fresh");
    REQUIRE(stats);
    CHECK(stats->dispatch_strategy() == "non_reliable");
    CHECK(stats->producers() == 1);
}

TEST_CASE("the same topic and producer name give the same producer id and another name a new one",
          "[integration][test-broker]") {
    TestBroker broker;
    const uint64_t first = producer_id(broker, "/default/ids", "alpha");
    const uint64_t again = producer_id(broker, "/default/ids", "alpha");
    const uint64_t other = producer_id(broker, "/default/ids", "beta");
    const uint64_t same_name_other_topic = producer_id(broker, "/default/ids2", "alpha");
    CHECK(first != 0);
    CHECK(again == first);
    CHECK(other != 0);
    CHECK(other != first);
    CHECK(same_name_other_topic != first);
    CHECK(topic_stats(broker, "/default/ids")->producers() == 2);
    CHECK(broker.stats().producers_created() == 3);
}

TEST_CASE("a dispatch strategy that does not match the topic is FAILED_PRECONDITION", "[integration][test-broker]") {
    TestBroker broker;
    const std::string expected = "Producer requested dispatch strategy does not match topic strategy";
    REQUIRE(broker.create_producer("/default/reliable", "p", true).ok());
    REQUIRE(broker.create_producer("/default/plain", "p", false).ok());

    auto st = broker.create_producer("/default/reliable", "q", false);
    CHECK(st.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
    CHECK(st.error_message() == expected);
    // The strategy is checked before the (topic, name) idempotency: an existing name fails too.
    st = broker.create_producer("/default/reliable", "p", false);
    CHECK(st.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
    st = broker.create_producer("/default/plain", "q", true);
    CHECK(st.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
    CHECK(st.error_message() == expected);

    CHECK(broker.create_producer("/default/reliable", "q", true).ok());
    CHECK(topic_stats(broker, "/default/reliable")->dispatch_strategy() == "reliable");
}

TEST_CASE("a partition topic is ALREADY_EXISTS when the plain base topic exists", "[integration][test-broker]") {
    TestBroker broker;
    REQUIRE(broker.create_producer("/default/orders", "p").ok());
    const auto st = broker.create_producer("/default/orders-part-0", "p-0");
    CHECK(st.error_code() == grpc::StatusCode::ALREADY_EXISTS);
    CHECK(st.error_message() ==
          "Cannot create partitioned topic '/default/orders-part-0': a non-partitioned topic '/default/orders' "
          "already exists. Delete the non-partitioned topic first.");
    CHECK(lookup(broker, "/default/orders-part-0").error_code() == grpc::StatusCode::NOT_FOUND);
}

TEST_CASE("a plain topic is ALREADY_EXISTS when partitions of that base exist, naming their count",
          "[integration][test-broker]") {
    TestBroker broker;
    for (int i = 0; i < 3; ++i) {
        REQUIRE(broker.create_producer("/default/events-part-" + std::to_string(i), "p-" + std::to_string(i)).ok());
    }
    const auto st = broker.create_producer("/default/events", "p");
    CHECK(st.error_code() == grpc::StatusCode::ALREADY_EXISTS);
    CHECK(st.error_message() ==
          "Cannot create topic '/default/events': partitioned topics with this base name already exist "
          "(found 3 partitions). Delete the partitioned topics first.");
    CHECK(lookup(broker, "/default/events").error_code() == grpc::StatusCode::NOT_FOUND);
    // Partitions of another base do not count.
    CHECK(broker.create_producer("/default/event", "p").ok());
}

TEST_CASE("with --no-auto-create-topics an unknown topic is NOT_FOUND and stays unknown",
          "[integration][test-broker]") {
    TestBroker broker({"--no-auto-create-topics"});
    const auto st = broker.create_producer("/default/never", "p");
    CHECK(st.error_code() == grpc::StatusCode::NOT_FOUND);
    CHECK(st.error_message() == "Unable to find the topic: /default/never");
    CHECK(lookup(broker, "/default/never").error_code() == grpc::StatusCode::NOT_FOUND);
    CHECK(broker.stats().topics_size() == 0);
}

TEST_CASE("a schema_ref with an unregistered subject on a loaded topic is FAILED_PRECONDITION",
          "[integration][test-broker]") {
    TestBroker broker;
    REQUIRE(broker.create_producer("/default/loaded", "first").ok());
    const auto st = broker.create_producer("/default/loaded", "second", false, nullptr, "ghost-subject");
    CHECK(st.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
    CHECK(st.error_message() ==
          "Failed to assign schema 'ghost-subject' to topic '/default/loaded': Schema subject 'ghost-subject' not "
          "found in registry. Please register schema first.. Ensure schema is registered first.");
    CHECK(topic_stats(broker, "/default/loaded")->schema_subject().empty());
}

TEST_CASE("a schema_ref binds a registered subject to a loaded topic and another subject is then refused",
          "[integration][test-broker]") {
    TestBroker broker;
    registered_id(broker, "orders-v");
    registered_id(broker, "payments-v");
    REQUIRE(broker.create_producer("/default/bound", "first").ok());
    REQUIRE(broker.create_producer("/default/bound", "second", false, nullptr, "orders-v").ok());
    CHECK(topic_stats(broker, "/default/bound")->schema_subject() == "orders-v");

    // The same subject again is fine; a different one is not.
    CHECK(broker.create_producer("/default/bound", "third", false, nullptr, "orders-v").ok());
    const auto st = broker.create_producer("/default/bound", "fourth", false, nullptr, "payments-v");
    CHECK(st.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
    CHECK(st.error_message() ==
          "Topic '/default/bound' uses schema subject 'orders-v', cannot use 'payments-v'. Only admin can change "
          "topic schema.");
    // A producer without schema_ref is not affected by the binding.
    CHECK(broker.create_producer("/default/bound", "fifth").ok());
}

TEST_CASE("on the auto-create path the schema_ref subject is only written to metadata",
          "[integration][test-broker]") {
    TestBroker broker;
    registered_id(broker, "known-subject");

    // Auto-create with a registered subject: created, but the loaded topic has no subject yet.
    REQUIRE(broker.create_producer("/default/auto-known", "p", false, nullptr, "known-subject").ok());
    CHECK(topic_stats(broker, "/default/auto-known")->schema_subject().empty());
    // The next CreateProducer with a schema_ref takes the loaded path and binds it.
    REQUIRE(broker.create_producer("/default/auto-known", "q", false, nullptr, "known-subject").ok());
    CHECK(topic_stats(broker, "/default/auto-known")->schema_subject() == "known-subject");

    // Auto-create does not check the subject at all; binding it later does.
    REQUIRE(broker.create_producer("/default/auto-ghost", "p", false, nullptr, "ghost").ok());
    CHECK(topic_stats(broker, "/default/auto-ghost")->schema_subject().empty());
    const auto st = broker.create_producer("/default/auto-ghost", "q", false, nullptr, "ghost");
    CHECK(st.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
    CHECK(st.error_message() ==
          "Failed to assign schema 'ghost' to topic '/default/auto-ghost': Schema subject 'ghost' not found in "
          "registry. Please register schema first.. Ensure schema is registered first.");
}

TEST_CASE("every accepted CreateProducer is a producer journal line with the request's fields",
          "[integration][test-broker]") {
    TestBroker broker;
    registered_id(broker, "journal-subject");
    REQUIRE(broker.create_producer("/default/jp", "plain").ok());

    danube::ProducerResponse resp;
    auto req = producer_request("/default/jp", "with-ref", 77);
    req.mutable_schema_ref()->set_subject("journal-subject");
    req.mutable_schema_ref()->set_pinned_version(3);
    REQUIRE(invoke(&danube::ProducerService::Stub::CreateProducer, broker.producer(), req, &resp).ok());
    const uint64_t with_ref_id = resp.producer_id();

    auto again = producer_request("/default/jp", "with-ref", 78);
    again.mutable_schema_ref()->set_subject("journal-subject");
    again.mutable_schema_ref()->set_min_version(1);
    REQUIRE(invoke(&danube::ProducerService::Stub::CreateProducer, broker.producer(), again, &resp).ok());

    uint64_t reliable_id = 0;
    REQUIRE(broker.create_producer("/default/jr", "rel", true, &reliable_id, "journal-subject").ok());

    const auto lines = broker.journal("producer");
    REQUIRE(lines.size() == 4);
    const std::set<std::string> base_keys{"seq",        "kind", "topic", "producer_name", "producer_id", "request_id",
                                          "dispatch_strategy", "new"};
    CHECK(keys_of(lines[0]) == base_keys);
    CHECK(lines[0]["kind"] == "producer");
    CHECK(lines[0]["topic"] == "/default/jp");
    CHECK(lines[0]["producer_name"] == "plain");
    CHECK(lines[0]["request_id"] == 7);  // TestBroker::create_producer's request id
    CHECK(lines[0]["dispatch_strategy"] == "non_reliable");
    CHECK(lines[0]["new"] == true);

    auto with_ref_keys = base_keys;
    with_ref_keys.insert("schema_ref");
    CHECK(keys_of(lines[1]) == with_ref_keys);
    CHECK(lines[1]["producer_name"] == "with-ref");
    CHECK(lines[1]["producer_id"] == with_ref_id);
    CHECK(lines[1]["request_id"] == 77);
    CHECK(lines[1]["new"] == true);
    CHECK(lines[1]["schema_ref"] == nlohmann::json{{"subject", "journal-subject"}, {"pinned_version", 3}});

    CHECK(lines[2]["producer_id"] == with_ref_id);
    CHECK(lines[2]["request_id"] == 78);
    CHECK(lines[2]["new"] == false);
    CHECK(lines[2]["schema_ref"] == nlohmann::json{{"subject", "journal-subject"}, {"min_version", 1}});

    CHECK(lines[3]["topic"] == "/default/jr");
    CHECK(lines[3]["producer_id"] == reliable_id);
    CHECK(lines[3]["dispatch_strategy"] == "reliable");
    CHECK(lines[3]["schema_ref"] == nlohmann::json{{"subject", "journal-subject"}, {"use_latest", true}});

    // seq numbers every journal line in order (the registry calls are not journaled).
    for (size_t i = 0; i < lines.size(); ++i) CHECK(lines[i]["seq"] == i + 1);
}
