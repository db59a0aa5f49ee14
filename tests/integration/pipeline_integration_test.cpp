// SPDX-License-Identifier: Apache-2.0
// danube-connectd end to end: a real daemon process, the in_datagen plugin and a real test broker
// on 127.0.0.1. Records are counted and compared in the broker's journal.
#include <catch2/catch.hpp>

#include <signal.h>

#include <fstream>
#include <map>
#include <set>

#include "broker/key_router.hpp"
#include "common/base64.hpp"
#include "connector_process.hpp"
#include "pipeline_test_support.hpp"

using namespace dcx::testing;
using namespace std::chrono_literals;

namespace {

void inject(TestBroker& broker, const danube_test::FaultRequest& fault) {
    danube_test::ControlReply reply;
    REQUIRE(invoke(&danube_test::BrokerControl::Stub::InjectFault, broker.control(), fault, &reply).ok());
}

}  // namespace

TEST_CASE("records arrive with topic partition payload attributes routing key and schema id",
          "[integration][pipeline]") {
    TestBroker broker;
    TempDir dir;
    ConnectorProcess daemon(dir, "daemon",
                            datagen_config(broker, "topic = \"/default/orders\"\npartitions = 4\ncount = 40\nkeys = 5\npayload_bytes = 120",
                                           schema_block("/default/orders")));
    REQUIRE(all_arrive(broker, "/default/orders", 40, 20s));
    daemon.process().signal(SIGTERM);
    REQUIRE(daemon.wait_for_exit(20s) == 0);

    const auto messages = broker.journal();
    REQUIRE(messages.size() == 40);
    for (const auto& m : messages) {
        const uint64_t seq = std::stoull(m["attributes"]["seq"].get<std::string>());
        const std::string key = "key-" + std::to_string(seq % 5);
        INFO(m.dump());
        // Keyed records go where danube-client's send_with_key puts them (FNV-1a % 4).
        CHECK(m["topic"] == "/default/orders-part-" + std::to_string(dcx::broker::partition_for_key(key, 4)));
        CHECK(m["routing_key"] == key);
        CHECK(m["attributes"]["source"] == "datagen");
        CHECK(m["schema_id"] == 1);
        CHECK(m["schema_version"] == 1);
        // Producer names as the reference runtime builds them (double dash, -<i> suffix).
        const std::string part = m["topic"].get<std::string>().substr(std::string("/default/orders-part-").size());
        CHECK(m["producer_name"] == "itest--default-orders-" + part);
        // Payload: compact JSON with sorted keys, byte for byte.
        const auto payload = *dcx::base64_decode(m["payload_b64"].get<std::string>());
        const std::string padding(60, 'x');
        CHECK(payload == "{\"data\":\"" + padding + "\",\"key\":\"" + key + "\",\"seq\":" + std::to_string(seq) +
                             ",\"ts\":" + std::to_string(1700000000000 + seq) + "}");
    }
    // One CreateProducer per partition, reliable by default, with the schema reference.
    const auto producers = broker.journal("producer");
    REQUIRE(producers.size() == 4);
    for (const auto& p : producers) {
        CHECK(p["dispatch_strategy"] == "reliable");
        CHECK(p["schema_ref"]["subject"] == "datagen-record");
    }
}

TEST_CASE("strict ordering keeps the emission order within each partition", "[integration][pipeline]") {
    TestBroker broker;
    TempDir dir;
    ConnectorProcess daemon(dir, "daemon", datagen_config(broker, "topic = \"/default/ordered\"\npartitions = 3\ncount = 300\nkeys = 7"));
    REQUIRE(all_arrive(broker, "/default/ordered", 300, 30s));
    daemon.process().signal(SIGTERM);
    REQUIRE(daemon.wait_for_exit(20s) == 0);
    std::map<std::string, uint64_t> last;
    std::map<std::string, uint64_t> per_key_last;
    for (const auto& m : broker.journal()) {
        const uint64_t seq = std::stoull(m["attributes"]["seq"].get<std::string>());
        const std::string topic = m["topic"];
        if (last.count(topic)) CHECK(seq > last[topic]);
        last[topic] = seq;
    }
    CHECK(last.size() == 3);
}

TEST_CASE("relaxed ordering with a window delivers every record", "[integration][pipeline]") {
    TestBroker broker;
    TempDir dir;
    ConnectorProcess daemon(dir, "daemon",
                            datagen_config(broker, "topic = \"/default/fast\"\npartitions = 2\ncount = 2000",
                                           "\n[delivery]\nordering = \"relaxed\"\nwindow_per_producer = 16\n"));
    REQUIRE(all_arrive(broker, "/default/fast", 2000, 60s));
    daemon.process().signal(SIGTERM);
    REQUIRE(daemon.wait_for_exit(20s) == 0);
    CHECK(seqs_in(broker.journal(), "/default/fast").size() == 2000);  // and no duplicates
}

TEST_CASE("records that fail JSON Schema validation go to the dead-letter topic with the error",
          "[integration][pipeline]") {
    TestBroker broker;
    TempDir dir;
    ConnectorProcess daemon(dir, "daemon",
                            datagen_config(broker, "topic = \"/default/checked\"\ncount = 50\ninvalid_every = 5",
                                           schema_block("/default/checked") + "\n[dead_letter]\ntopic = \"/default/itest-dlq\"\n"));
    REQUIRE(all_arrive(broker, "/default/checked", 40, 20s));
    REQUIRE(all_arrive(broker, "/default/itest-dlq", 10, 20s));
    daemon.process().signal(SIGTERM);
    REQUIRE(daemon.wait_for_exit(20s) == 0);
    const auto journal = broker.journal();
    const auto dlq = seqs_in(journal, "/default/itest-dlq");
    CHECK(dlq == std::multiset<uint64_t>{4, 9, 14, 19, 24, 29, 34, 39, 44, 49});
    CHECK(seqs_in(journal, "/default/checked").size() == 40);
    for (const auto& m : journal) {
        if (m["topic"] != "/default/itest-dlq") continue;
        const auto& a = m["attributes"];
        CHECK(a["dlq.stage"] == "validate");
        CHECK(a["dlq.target_topic"] == "/default/checked");
        CHECK(a["dlq.connector"] == "itest");
        CHECK(a["dlq.source_partition"] == "datagen");
        CHECK(a["dlq.source_position"] == a["seq"]);
        CHECK_THAT(a["dlq.error_message"].get<std::string>(), Catch::Contains("JSON Schema validation failed"));
        CHECK_THAT(a["dlq.error_message"].get<std::string>(), Catch::Contains("seq"));
        CHECK_FALSE(m.contains("schema_id"));  // the dead-letter topic has no schema
    }
}

TEST_CASE("a record the broker rejects is dead-lettered with the broker's status", "[integration][pipeline]") {
    // One injected rejection: with more, a later one could hit the dead-letter write itself,
    // which (correctly) stops the daemon since the record would have nowhere to go.
    TestBroker broker({"--fail-next", "1:PERMISSION_DENIED"});
    TempDir dir;
    ConnectorProcess daemon(dir, "daemon",
                            datagen_config(broker, "topic = \"/default/rejects\"\ncount = 20",
                                           "\n[dead_letter]\ntopic = \"/default/itest-dlq\"\n"));
    REQUIRE(all_arrive(broker, "/default/rejects", 19, 20s));
    REQUIRE(all_arrive(broker, "/default/itest-dlq", 1, 20s));
    daemon.process().signal(SIGTERM);
    REQUIRE(daemon.wait_for_exit(20s) == 0);
    const auto journal = broker.journal();
    auto all = seqs_in(journal, "/default/rejects");
    const auto dlq = seqs_in(journal, "/default/itest-dlq");
    CHECK(dlq.size() == 1);
    all.insert(dlq.begin(), dlq.end());
    CHECK(distinct(all) == range(20));  // every record is either published or dead-lettered
    CHECK_THAT(daemon.log(), Catch::Contains("Danube rejected a record for /default/rejects (PERMISSION_DENIED: injected failure "
                                             "(danube-test-broker)); writing it to /default/itest-dlq"));
    for (const auto& m : journal) {
        if (m["topic"] != "/default/itest-dlq") continue;
        CHECK(m["attributes"]["dlq.stage"] == "publish");
        CHECK(m["attributes"]["dlq.error_code"] == "PERMISSION_DENIED");
        CHECK(m["attributes"]["dlq.error_message"] == "injected failure (danube-test-broker)");
    }
}

TEST_CASE("a failing broker loses nothing", "[integration][pipeline][faults]") {
    TestBroker broker;
    TempDir dir;
    // 100 records/s: the failures are injected with most of the 4 s still to go, even when reading
    // the journal is slow (under TSan, at 400/s every record had left before the injection).
    ConnectorProcess daemon(dir, "daemon", datagen_config(broker, "topic = \"/default/flaky\"\ncount = 400\nrate = 100\npartitions = 2"));
    REQUIRE(all_arrive(broker, "/default/flaky", 50, 20s));
    danube_test::FaultRequest fault;
    fault.mutable_fail_next()->set_count(40);
    fault.mutable_fail_next()->set_code(static_cast<int>(grpc::StatusCode::UNAVAILABLE));
    inject(broker, fault);
    REQUIRE(all_arrive(broker, "/default/flaky", 400, 60s));
    daemon.process().signal(SIGTERM);
    REQUIRE(daemon.wait_for_exit(20s) == 0);
    CHECK(distinct(seqs_in(broker.journal(), "/default/flaky")) == range(400));
    CHECK(broker.stats().calls_failed_by_injection() == 40);
}

TEST_CASE("a stalled broker loses nothing once it answers again", "[integration][pipeline][faults]") {
    TestBroker broker;
    TempDir dir;
    ConnectorProcess daemon(dir, "daemon",
                            datagen_config(broker, "topic = \"/default/stalls\"\ncount = 300\nrate = 100",  // as above: time to stall
                                           "\n[delivery]\nsend_timeout_ms = 300\n"));
    REQUIRE(all_arrive(broker, "/default/stalls", 30, 20s));
    danube_test::FaultRequest stall;
    stall.mutable_stall()->set_enabled(true);
    inject(broker, stall);
    REQUIRE(wait_until([&] { return broker.stats().calls_stalled() >= 3; }, 20s));  // the daemon kept trying
    danube_test::ControlReply reply;
    REQUIRE(invoke(&danube_test::BrokerControl::Stub::ClearFaults, broker.control(), danube_test::Empty{}, &reply).ok());
    REQUIRE(all_arrive(broker, "/default/stalls", 300, 60s));
    daemon.process().signal(SIGTERM);
    REQUIRE(daemon.wait_for_exit(20s) == 0);
    CHECK(distinct(seqs_in(broker.journal(), "/default/stalls")) == range(300));
}

TEST_CASE("a broker restart mid-stream loses nothing and producers are re-created", "[integration][pipeline][faults]") {
    TestBroker broker;
    TempDir dir;
    // 150 records/s: the restart comes with most of the 4 s stream still to go (see above).
    ConnectorProcess daemon(dir, "daemon", datagen_config(broker, "topic = \"/default/restarts\"\ncount = 600\nrate = 150\npartitions = 2"));
    REQUIRE(all_arrive(broker, "/default/restarts", 100, 20s));
    broker.kill();
    broker.restart();
    REQUIRE(all_arrive(broker, "/default/restarts", 600, 60s));
    daemon.process().signal(SIGTERM);
    REQUIRE(daemon.wait_for_exit(20s) == 0);
    CHECK(distinct(seqs_in(broker.journal(), "/default/restarts")) == range(600));
    CHECK_THAT(daemon.log(), Catch::Contains("re-created producer"));
}

TEST_CASE("commits only ever cover records Danube acknowledged", "[integration][pipeline][offsets]") {
    TestBroker broker({"--latency-ms", "2"});
    TempDir dir;
    const auto commit_log = dir / "commits.log";
    ConnectorProcess daemon(dir, "daemon",
                            datagen_config(broker,
                                           "topic = \"/default/commits\"\npartitions = 3\ncount = 1500\nrate = 1500\ncommit_log = \"" +
                                               commit_log.string() + "\"",
                                           "\n[delivery]\nordering = \"relaxed\"\nwindow_per_producer = 8\ncommit_interval_ms = 20\n"));
    REQUIRE(all_arrive(broker, "/default/commits", 200, 20s));
    danube_test::FaultRequest fault;
    fault.mutable_fail_next()->set_count(30);
    fault.mutable_fail_next()->set_code(static_cast<int>(grpc::StatusCode::UNAVAILABLE));
    inject(broker, fault);
    REQUIRE(all_arrive(broker, "/default/commits", 1500, 60s));
    daemon.process().signal(SIGTERM);
    REQUIRE(daemon.wait_for_exit(20s) == 0);

    // When each record was accepted by the broker.
    std::map<uint64_t, int64_t> accepted_at;
    for (const auto& m : broker.journal()) {
        const uint64_t seq = std::stoull(m["attributes"]["seq"].get<std::string>());
        const int64_t at = m["received_at_ms"];
        if (!accepted_at.count(seq) || at < accepted_at[seq]) accepted_at[seq] = at;
    }
    std::ifstream in(commit_log);
    int64_t at = 0;
    std::string partition;
    uint64_t value = 0;
    uint64_t last = 0;
    size_t commits = 0;
    while (in >> at >> partition >> value) {
        ++commits;
        CHECK(partition == "datagen");
        CHECK(value >= last);  // never moves backwards
        last = value;
        // Every record up to the committed position was in the broker before the commit.
        for (uint64_t s = 0; s <= value; ++s) {
            REQUIRE(accepted_at.count(s));
            REQUIRE(accepted_at[s] <= at);
        }
    }
    CHECK(commits >= 3);
    CHECK(last == 1499);  // the final commit at shutdown covers everything
}

TEST_CASE("a Fatal plugin error drains, shuts the plugin down and exits non-zero", "[integration][pipeline]") {
    TestBroker broker;
    TempDir dir;
    ConnectorProcess daemon(dir, "daemon", datagen_config(broker, "topic = \"/default/fatal\"\nfatal_after = 120"));
    const auto code = daemon.wait_for_exit(30s);
    REQUIRE(code.has_value());
    CHECK(*code == 1);
    CHECK(distinct(seqs_in(broker.journal(), "/default/fatal")) == range(120));  // everything polled was published
    const auto log = daemon.log();
    CHECK_THAT(log, Catch::Contains("plugin poll returned FATAL: datagen: fatal_after reached at record 120"));
    CHECK_THAT(log, Catch::Contains("datagen shut down after generating 120 records"));
}

TEST_CASE("SIGTERM mid-stream publishes every polled record and exits 0", "[integration][pipeline]") {
    TestBroker broker({"--latency-ms", "3"});
    TempDir dir;
    // At most 200 records in flight: in_datagen's schedule starts when it is initialised, so a slow
    // first connection (seconds under TSan) would otherwise put 10,000 records due at once in
    // flight, and draining them one at a time per partition through a 3 ms broker outlasts the wait.
    ConnectorProcess daemon(dir, "daemon",
                            datagen_config(broker, "topic = \"/default/term\"\nrate = 2000\npartitions = 2",
                                           "\n[delivery]\nmax_inflight_records = 200\n"));
    REQUIRE(all_arrive(broker, "/default/term", 100, 20s));
    daemon.process().signal(SIGTERM);
    const auto code = daemon.wait_for_exit(20s);
    const auto log = daemon.log();
    INFO(log);
    REQUIRE(code == 0);
    // The summary line states how many records were polled; all of them are in the journal.
    const auto at = log.find("pipeline stopped: ");
    REQUIRE(at != std::string::npos);
    const uint64_t polled = std::stoull(log.substr(at + 18));
    CHECK(distinct(seqs_in(broker.journal(), "/default/term")) == range(polled));
    CHECK_THAT(log, Catch::Contains("0 unsettled"));
}

TEST_CASE("a missing namespace is a clear configuration error at startup", "[integration][pipeline]") {
    TestBroker broker;
    TempDir dir;
    ConnectorProcess daemon(dir, "daemon", datagen_config(broker, "topic = \"/nowhere/t\"\ncount = 1"));
    REQUIRE(daemon.wait_for_exit(30s) == 78);
    CHECK_THAT(daemon.log(), Catch::Contains("namespace 'nowhere' does not exist"));
}

TEST_CASE("a topic that exists with the other dispatch strategy is a configuration error at startup",
          "[integration][pipeline]") {
    TestBroker broker;
    TempDir dir;
    REQUIRE(broker.create_producer("/default/mixed", "someone-else", false).ok());  // non-reliable
    ConnectorProcess daemon(dir, "daemon", datagen_config(broker, "topic = \"/default/mixed\"\ncount = 1\nreliable = true"));
    REQUIRE(daemon.wait_for_exit(30s) == 78);
    CHECK_THAT(daemon.log(), Catch::Contains("cannot create producer itest--default-mixed on /default/mixed: the topic exists with "
                                             "the other dispatch strategy; reliable_dispatch = true does not match it"));
    CHECK(broker.journal().empty());
}

TEST_CASE("a partitioned topic whose base exists unpartitioned is a configuration error at startup",
          "[integration][pipeline]") {
    TestBroker broker;
    TempDir dir;
    REQUIRE(broker.create_producer("/default/plain", "someone-else").ok());
    ConnectorProcess daemon(dir, "daemon", datagen_config(broker, "topic = \"/default/plain\"\ncount = 1\npartitions = 2"));
    REQUIRE(daemon.wait_for_exit(30s) == 78);
    CHECK_THAT(daemon.log(), Catch::Contains("cannot create producer itest--default-plain-0 on /default/plain-part-0: the partition "
                                             "count does not match the existing topic (plain vs partitioned)"));
    CHECK(broker.journal().empty());
}

TEST_CASE("a dead-letter topic that refuses the write stops the daemon with exit 1", "[integration][pipeline]") {
    // The record is refused, and so is its dead-letter copy: it has nowhere to go, so the daemon
    // stops rather than drop it (nothing is committed; a restart delivers it again).
    TestBroker broker({"--fail-next", "2:PERMISSION_DENIED"});
    TempDir dir;
    ConnectorProcess daemon(dir, "daemon",
                            datagen_config(broker, "topic = \"/default/refused\"\ncount = 1",
                                           "\n[dead_letter]\ntopic = \"/default/itest-dlq\"\n"));
    const auto code = daemon.wait_for_exit(30s);
    INFO(daemon.log());
    REQUIRE(code == 1);
    CHECK_THAT(daemon.log(), Catch::Contains("Danube rejected a record for /default/refused (PERMISSION_DENIED: injected failure "
                                             "(danube-test-broker)); writing it to /default/itest-dlq"));
    CHECK_THAT(daemon.log(), Catch::Contains("stopping: the dead-letter topic /default/itest-dlq rejected a record "
                                             "(PERMISSION_DENIED: injected failure (danube-test-broker))"));
    CHECK(broker.journal().empty());
}

TEST_CASE("a broker 200 ms away is reached at the first connection attempt", "[integration][pipeline]") {
    // gRPC gives a connection attempt GRPC_ARG_MIN_RECONNECT_BACKOFF_MS to finish; set to 200 ms
    // it failed every attempt to a broker whose HTTP/2 settings take longer to come back.
    TestBroker broker;
    TempDir dir;
    ChildProcess proxy({"/usr/bin/python3", DCX_SOURCE_DIR "/tests/support/delay_proxy.py", "--target",
                        "127.0.0.1:" + std::to_string(broker.port()), "--delay-ms", "200", "--port-file",
                        (dir / "proxy.port").string()},
                       dir / "proxy");
    REQUIRE(wait_until([&] { return std::filesystem::exists(dir / "proxy.port"); }, 20s));
    int proxy_port = 0;
    std::ifstream(dir / "proxy.port") >> proxy_port;
    ConnectorProcess daemon(dir, "daemon", datagen_config("http://127.0.0.1:" + std::to_string(proxy_port),
                                                          "topic = \"/default/far\"\ncount = 5"));
    REQUIRE(all_arrive(broker, "/default/far", 5, 30s));
    INFO(daemon.log());
    CHECK(daemon.log().find("not reachable") == std::string::npos);
    daemon.process().signal(SIGTERM);
    REQUIRE(daemon.wait_for_exit(20s) == 0);
}

TEST_CASE("the daemon waits for a broker that starts late", "[integration][pipeline][faults]") {
    TestBroker broker({"--refuse-connections-ms", "1500"});  // returns once it listens; restart below
    TempDir dir;
    const int port = broker.port();
    broker.kill();
    ConnectorProcess daemon(dir, "daemon", datagen_config(broker, "topic = \"/default/late\"\ncount = 30"));
    REQUIRE(wait_until([&] { return daemon.log().find("broker not reachable yet") != std::string::npos; }, 20s));
    broker.restart();
    CHECK(broker.port() == port);
    REQUIRE(all_arrive(broker, "/default/late", 30, 30s));
    daemon.process().signal(SIGTERM);
    REQUIRE(daemon.wait_for_exit(20s) == 0);
}
