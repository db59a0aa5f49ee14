// SPDX-License-Identifier: Apache-2.0
// Contract rules 2-5: request ids, topic syntax, namespaces, lookup (broker-protocol.md §3-4).
#include <catch2/catch.hpp>

#include "test_broker.hpp"

using dcx::testing::invoke;
using dcx::testing::TestBroker;

TEST_CASE("lookup of an unknown topic is NOT_FOUND with the broker's text", "[integration][test-broker]") {
    TestBroker broker;
    danube::TopicLookupRequest req;
    req.set_request_id(41);
    req.set_topic("/default/nothing-here");
    danube::TopicLookupResponse resp;
    const auto st = invoke(&danube::Discovery::Stub::TopicLookup, broker.discovery(), req, &resp);
    CHECK(st.error_code() == grpc::StatusCode::NOT_FOUND);
    CHECK(st.error_message() == "Unable to find the requested topic: /default/nothing-here");
}

TEST_CASE("lookup of a known topic answers Connect with the broker's own URL and echoes request_id",
          "[integration][test-broker]") {
    TestBroker broker;
    REQUIRE(broker.create_producer("/default/known", "p1").ok());
    danube::TopicLookupRequest req;
    req.set_request_id(4242);
    req.set_topic("/default/known");
    danube::TopicLookupResponse resp;
    const auto st = invoke(&danube::Discovery::Stub::TopicLookup, broker.discovery(), req, &resp);
    REQUIRE(st.ok());
    CHECK(resp.request_id() == 4242);
    CHECK(resp.response_type() == danube::TopicLookupResponse::Connect);
    CHECK(resp.connect_url() == broker.url());
    CHECK(resp.broker_url() == broker.url());
    CHECK_FALSE(resp.proxy());
}

TEST_CASE("invalid topic names are INVALID_ARGUMENT on lookup, partitions and CreateProducer",
          "[integration][test-broker]") {
    TestBroker broker;
    for (const std::string topic : {"/default/a.b", "/default/a b", "/default/x/y", "noslash"}) {
        INFO(topic);
        const std::string expected =
            "The topic: " + topic + " has an invalid format, should be: /namespace_name/topic_name";
        danube::TopicLookupRequest req;
        req.set_topic(topic);
        danube::TopicLookupResponse lookup;
        auto st = invoke(&danube::Discovery::Stub::TopicLookup, broker.discovery(), req, &lookup);
        CHECK(st.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
        CHECK(st.error_message() == expected);
        danube::TopicPartitionsResponse parts;
        st = invoke(&danube::Discovery::Stub::TopicPartitions, broker.discovery(), req, &parts);
        CHECK(st.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
        st = broker.create_producer(topic, "p");
        CHECK(st.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
        CHECK(st.error_message() == expected);
    }
}

TEST_CASE("topics in default and system exist and other namespaces are UNAVAILABLE until created",
          "[integration][test-broker]") {
    TestBroker broker({"--namespace", "iot"});
    CHECK(broker.create_producer("/default/a", "p").ok());
    CHECK(broker.create_producer("/system/a", "p").ok());
    CHECK(broker.create_producer("/iot/a", "p").ok());
    const auto st = broker.create_producer("/missing/a", "p");
    CHECK(st.error_code() == grpc::StatusCode::UNAVAILABLE);
    CHECK(st.error_message() ==
          "Unable to find the namespace missing, the topic can be created only for an exisiting namespace");

    danube_test::NamespaceRequest ns;
    ns.set_name("missing");
    danube_test::ControlReply reply;
    REQUIRE(invoke(&danube_test::BrokerControl::Stub::CreateNamespace, broker.control(), ns, &reply).ok());
    CHECK(broker.create_producer("/missing/a", "p").ok());
}

TEST_CASE("TopicPartitions lists a plain topic itself, or the -part- children in index order",
          "[integration][test-broker]") {
    TestBroker broker;
    REQUIRE(broker.create_producer("/default/plain", "p").ok());
    for (int i : {2, 0, 10, 1}) {
        REQUIRE(broker.create_producer("/default/parted-part-" + std::to_string(i), "p-" + std::to_string(i)).ok());
    }
    danube::TopicLookupRequest req;
    req.set_request_id(9);
    danube::TopicPartitionsResponse resp;
    req.set_topic("/default/plain");
    REQUIRE(invoke(&danube::Discovery::Stub::TopicPartitions, broker.discovery(), req, &resp).ok());
    CHECK(resp.request_id() == 9);
    CHECK(std::vector<std::string>(resp.partitions().begin(), resp.partitions().end()) ==
          std::vector<std::string>{"/default/plain"});
    resp.Clear();
    req.set_topic("/default/parted");
    REQUIRE(invoke(&danube::Discovery::Stub::TopicPartitions, broker.discovery(), req, &resp).ok());
    CHECK(std::vector<std::string>(resp.partitions().begin(), resp.partitions().end()) ==
          std::vector<std::string>{"/default/parted-part-0", "/default/parted-part-1", "/default/parted-part-2",
                                   "/default/parted-part-10"});
}
