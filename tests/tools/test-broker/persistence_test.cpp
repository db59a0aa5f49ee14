// SPDX-License-Identifier: Apache-2.0
// --data-dir: what survives a restart (namespaces, topics, schema subjects, the registry, the
// journal) and what does not (producers), after SIGTERM and after SIGKILL; a corrupt state file
// stops the broker with a clear error.
#include <catch2/catch.hpp>

#include "contract_helpers.hpp"

using namespace dcx::contract;
using dcx::testing::ChildProcess;
using dcx::testing::TempDir;
using dcx::testing::write_file;

namespace {

struct Before {
    uint64_t producer = 0;
    uint64_t next_schema_id = 0;
};

// Builds up state worth keeping: a namespace, topics of both strategies, a topic subject in
// metadata, two schema versions and three messages.
Before populate(TestBroker& broker) {
    danube_test::NamespaceRequest ns;
    ns.set_name("iot");
    danube_test::ControlReply reply;
    REQUIRE(invoke(&danube_test::BrokerControl::Stub::CreateNamespace, broker.control(), ns, &reply).ok());

    REQUIRE(register_schema(broker, "readings", "json_schema", R"({"type":"object"})").ok());
    REQUIRE(register_schema(broker, "readings", "json_schema", R"({"type":"object","properties":{}})").ok());
    REQUIRE(register_schema(broker, "labels", "string", "").ok());

    Before b;
    // Auto-create with a schema_ref writes the subject to the topic's metadata.
    b.producer = producer_id(broker, "/iot/sensors", "p", true, "readings");
    producer_id(broker, "/default/plain", "p");
    for (const std::string payload : {"a", "b", "c"}) {
        REQUIRE(send(broker, message(broker, b.producer, "/iot/sensors", payload)).ok());
    }
    b.next_schema_id = 3;
    return b;
}

void check_kept(TestBroker& broker, const Before& before) {
    // Producers are forgotten.
    const auto st = send(broker, message(broker, before.producer, "/iot/sensors", "d"));
    CHECK(st.error_code() == grpc::StatusCode::NOT_FOUND);
    CHECK(st.error_message() == "The producer with id " + std::to_string(before.producer) + " does not exist");
    CHECK(broker.stats().producers_created() == 0);

    // Topics with their dispatch strategy; the namespace too (a new topic there is fine).
    CHECK(lookup(broker, "/iot/sensors").ok());
    CHECK(lookup(broker, "/default/plain").ok());
    const auto mismatch = broker.create_producer("/iot/sensors", "p", false);
    CHECK(mismatch.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
    CHECK(mismatch.error_message() == "Producer requested dispatch strategy does not match topic strategy");
    CHECK(broker.create_producer("/iot/other", "p").ok());

    // The subject in the topic's metadata is bound when the topic is loaded.
    const auto sensors = topic_stats(broker, "/iot/sensors");
    REQUIRE(sensors);
    CHECK(sensors->schema_subject() == "readings");
    CHECK(sensors->dispatch_strategy() == "reliable");
    CHECK(sensors->messages() == 3);
    const auto other_subject = broker.create_producer("/iot/sensors", "p3", true, nullptr, "labels");
    CHECK(other_subject.error_code() == grpc::StatusCode::FAILED_PRECONDITION);

    // The registry: same ids and versions, and the id counter continues.
    danube_schema::GetLatestSchemaRequest req;
    req.set_subject("readings");
    danube_schema::GetSchemaResponse latest;
    REQUIRE(invoke(&danube_schema::SchemaRegistry::Stub::GetLatestSchema, broker.schema(), req, &latest).ok());
    CHECK(latest.schema_id() == 1);
    CHECK(latest.version() == 2);
    danube_schema::RegisterSchemaResponse reg;
    REQUIRE(register_schema(broker, "labels", "string", "", &reg).ok());
    CHECK(reg.schema_id() == 2);
    CHECK_FALSE(reg.is_new_version());
    REQUIRE(register_schema(broker, "fresh", "bytes", "", &reg).ok());
    CHECK(reg.schema_id() == before.next_schema_id);

    // The journal keeps its lines and offsets continue.
    const uint64_t id = producer_id(broker, "/iot/sensors", "p", true);
    CHECK(id != before.producer);
    REQUIRE(send(broker, message(broker, id, "/iot/sensors", "d")).ok());
    const auto lines = broker.journal();
    REQUIRE(lines.size() == 4);
    CHECK(lines[0]["payload_b64"] == "YQ==");
    CHECK(lines[3]["offset"] == 3);
    CHECK(lines[3]["payload_b64"] == "ZA==");
    // seq continues across processes over all journal lines.
    CHECK(lines[3]["seq"].get<uint64_t>() > lines[2]["seq"].get<uint64_t>());
}

}  // namespace

TEST_CASE("a restart with the same data dir keeps namespaces, topics, schemas and the journal but not producers",
          "[integration][test-broker]") {
    TestBroker broker;
    const Before before = populate(broker);
    REQUIRE(broker.stop() == 0);
    broker.restart();
    check_kept(broker, before);
}

TEST_CASE("state survives a SIGKILL of the broker the same way", "[integration][test-broker]") {
    TestBroker broker;
    const Before before = populate(broker);
    broker.kill();
    broker.restart();
    check_kept(broker, before);
}

TEST_CASE("a schema_ref subject written on auto-create is bound after a restart", "[integration][test-broker]") {
    TestBroker broker;
    registered_id(broker, "meta-s");
    registered_id(broker, "other-s");
    REQUIRE(broker.create_producer("/default/meta", "p", false, nullptr, "meta-s").ok());
    REQUIRE(topic_stats(broker, "/default/meta")->schema_subject().empty());

    broker.restart();
    CHECK(topic_stats(broker, "/default/meta")->schema_subject() == "meta-s");
    const auto st = broker.create_producer("/default/meta", "q", false, nullptr, "other-s");
    CHECK(st.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
    CHECK(st.error_message() ==
          "Topic '/default/meta' uses schema subject 'meta-s', cannot use 'other-s'. Only admin can change topic "
          "schema.");
}

TEST_CASE("a topic validation policy set by an admin survives a restart", "[integration][test-broker]") {
    TestBroker broker;
    registered_id(broker, "strict-s");
    producer_id(broker, "/default/strict", "p");
    REQUIRE(configure_topic_schema(broker, "/default/strict", "strict-s", "enforce").ok());
    broker.restart();
    const uint64_t id = producer_id(broker, "/default/strict", "p");
    const auto st = send(broker, message(broker, id, "/default/strict", "x"));
    CHECK(st.error_code() == grpc::StatusCode::PERMISSION_DENIED);
    CHECK(st.error_message() ==
          "Unable to publish the message: Message missing schema_id for topic /default/strict (expected subject: "
          "strict-s)");
}

TEST_CASE("a corrupt state file stops the broker with an error naming the file", "[integration][test-broker]") {
    TempDir dir;
    const auto data = dir / "data";
    for (const std::string corrupt : {"{\"namespaces\": [\"default\"", "{}"}) {
        INFO(corrupt);
        write_file(data / "state.json", corrupt);
        ChildProcess process({DCX_TEST_BROKER_BIN, "--listen", "127.0.0.1:0", "--data-dir", data.string()},
                             dir / "broker");
        const auto code = process.wait_for_exit(std::chrono::seconds(10));
        REQUIRE(code);
        CHECK(*code != 0);
        const std::string expected = "danube-test-broker: corrupt state file " + (data / "state.json").string();
        CHECK_THAT(process.stderr_text(), Catch::Matchers::Contains(expected));
    }
}

TEST_CASE("a corrupt journal stops the broker with an error naming the file and line", "[integration][test-broker]") {
    TempDir dir;
    const auto data = dir / "data";
    write_file(data / "journal.jsonl", "{\"kind\":\"message\"}\nnot json\n");
    ChildProcess process({DCX_TEST_BROKER_BIN, "--listen", "127.0.0.1:0", "--data-dir", data.string()},
                         dir / "broker");
    const auto code = process.wait_for_exit(std::chrono::seconds(10));
    REQUIRE(code);
    CHECK(*code != 0);
    CHECK_THAT(process.stderr_text(),
               Catch::Matchers::Contains((data / "journal.jsonl").string() + ":2: not a JSON journal line"));
}
