// SPDX-License-Identifier: Apache-2.0
// `danube-test-broker consume`: danube-cli's output format, from a journal file or live from a
// broker (broker-protocol.md §13).
#include <set>
#include <sstream>
#include <vector>

#include <catch2/catch.hpp>

#include "contract_helpers.hpp"

using namespace dcx::contract;
using dcx::testing::ChildProcess;
using dcx::testing::TempDir;
using dcx::testing::wait_until;

namespace {

struct Run {
    int code = -1;
    std::string out;
    std::string err;
};

Run consume(const TempDir& dir, std::vector<std::string> args) {
    args.insert(args.begin(), {DCX_TEST_BROKER_BIN, "consume"});
    ChildProcess process(args, dir / "consume");
    const auto code = process.wait_for_exit(std::chrono::seconds(20));
    REQUIRE(code);
    return {*code, process.stdout_text(), process.stderr_text()};
}

// Three messages on two topics, the first with attributes and the third binary.
void produce_sample(TestBroker& broker) {
    const uint64_t a = producer_id(broker, "/default/a", "pa");
    const uint64_t b = producer_id(broker, "/default/b", "pb");
    auto hello = message(broker, a, "/default/a", "hello");
    (*hello.mutable_attributes())["source"] = "s1";
    (*hello.mutable_attributes())["kind"] = "greeting";
    hello.set_routing_key("key-1");
    REQUIRE(send(broker, hello).ok());
    REQUIRE(send(broker, message(broker, b, "/default/b", "other topic")).ok());
    REQUIRE(send(broker, message(broker, a, "/default/a", std::string("\xff\x00", 2))).ok());
}

}  // namespace

TEST_CASE("consume --journal prints every message like danube-cli consume", "[integration][test-broker]") {
    TestBroker broker;
    produce_sample(broker);
    const auto run = consume(broker.dir(), {"--journal", broker.journal_path().string()});
    CHECK(run.code == 0);
    CHECK(run.out ==
          "Received message: hello\n"
          "Size: 5 bytes, Total received: 5 bytes\n"
          "Attributes: kind=greeting, source=s1\n"
          "Received message: other topic\n"
          "Size: 11 bytes, Total received: 16 bytes\n"
          "Received message: base64:/wA=\n"
          "Size: 2 bytes, Total received: 18 bytes\n");
}

TEST_CASE("consume --journal --topic prints only that topic and --count stops early", "[integration][test-broker]") {
    TestBroker broker;
    produce_sample(broker);
    auto run = consume(broker.dir(), {"--journal", broker.journal_path().string(), "--topic", "/default/b"});
    CHECK(run.code == 0);
    CHECK(run.out ==
          "Received message: other topic\n"
          "Size: 11 bytes, Total received: 11 bytes\n");
    run = consume(broker.dir(), {"--journal", broker.journal_path().string(), "-t", "/default/a", "--count", "1"});
    CHECK(run.code == 0);
    CHECK(run.out ==
          "Received message: hello\n"
          "Size: 5 bytes, Total received: 5 bytes\n"
          "Attributes: kind=greeting, source=s1\n");
}

TEST_CASE("consume --journal --json prints one JSON object per message", "[integration][test-broker]") {
    TestBroker broker;
    produce_sample(broker);
    const auto run = consume(broker.dir(), {"--journal", broker.journal_path().string(), "--json"});
    CHECK(run.code == 0);
    std::vector<nlohmann::json> lines;
    std::istringstream in(run.out);
    for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
    REQUIRE(lines.size() == 3);
    CHECK(lines[0] == nlohmann::json{{"topic", "/default/a"},
                                     {"offset", 0},
                                     {"payload_b64", "aGVsbG8="},
                                     {"attributes", {{"kind", "greeting"}, {"source", "s1"}}},
                                     {"routing_key", "key-1"}});
    CHECK(lines[1] == nlohmann::json{{"topic", "/default/b"},
                                     {"offset", 0},
                                     {"payload_b64", "b3RoZXIgdG9waWM="},
                                     {"attributes", nlohmann::json::object()}});
    CHECK(lines[2]["topic"] == "/default/a");
    CHECK(lines[2]["offset"] == 1);
    CHECK(lines[2]["payload_b64"] == "/wA=");
}

TEST_CASE("consume without --journal needs --topic", "[integration][test-broker]") {
    TempDir dir;
    const auto run = consume(dir, {"-s", "http://127.0.0.1:1"});
    CHECK(run.code == 2);
    CHECK_THAT(run.err, Catch::Matchers::Contains("--topic is required without --journal"));
}

TEST_CASE("live consume receives the messages produced after it subscribed", "[integration][test-broker]") {
    TestBroker broker;
    const uint64_t id = producer_id(broker, "/default/live", "p");
    REQUIRE(send(broker, message(broker, id, "/default/live", "too early")).ok());

    ChildProcess process({DCX_TEST_BROKER_BIN, "consume", "-s", broker.url(), "-t", "/default/live", "--count", "2",
                          "--timeout-ms", "10000"},
                         broker.dir() / "consume-live");
    REQUIRE(wait_until([&] { return process.stderr_text().find("subscribed to 1 topic(s)") != std::string::npos; },
                       std::chrono::seconds(10)));

    auto first = message(broker, id, "/default/live", "first live");
    (*first.mutable_attributes())["k"] = "v";
    REQUIRE(send(broker, first).ok());
    REQUIRE(send(broker, message(broker, id, "/default/live", "second")).ok());

    const auto code = process.wait_for_exit(std::chrono::seconds(15));
    REQUIRE(code);
    CHECK(*code == 0);
    CHECK(process.stdout_text() ==
          "Received message: first live\n"
          "Size: 10 bytes, Total received: 10 bytes\n"
          "Attributes: k=v\n"
          "Received message: second\n"
          "Size: 6 bytes, Total received: 16 bytes\n");
}

TEST_CASE("live consume of a partitioned topic subscribes to every partition", "[integration][test-broker]") {
    TestBroker broker;
    const uint64_t p0 = producer_id(broker, "/default/parts-part-0", "p-0");
    const uint64_t p1 = producer_id(broker, "/default/parts-part-1", "p-1");
    ChildProcess process({DCX_TEST_BROKER_BIN, "consume", "-s", broker.url(), "-t", "/default/parts", "--count", "2",
                          "--timeout-ms", "10000", "--json"},
                         broker.dir() / "consume-parts");
    REQUIRE(wait_until([&] { return process.stderr_text().find("subscribed to 2 topic(s)") != std::string::npos; },
                       std::chrono::seconds(10)));
    REQUIRE(send(broker, message(broker, p0, "/default/parts-part-0", "zero")).ok());
    REQUIRE(send(broker, message(broker, p1, "/default/parts-part-1", "one")).ok());
    const auto code = process.wait_for_exit(std::chrono::seconds(15));
    REQUIRE(code);
    CHECK(*code == 0);
    std::set<std::string> topics;
    std::istringstream in(process.stdout_text());
    for (std::string line; std::getline(in, line);) topics.insert(nlohmann::json::parse(line).at("topic"));
    CHECK(topics == std::set<std::string>{"/default/parts-part-0", "/default/parts-part-1"});
}

TEST_CASE("live consume of an unknown topic fails with the broker's text", "[integration][test-broker]") {
    TestBroker broker;
    const auto run = consume(broker.dir(), {"-s", broker.url(), "-t", "/default/nope", "--timeout-ms", "5000"});
    CHECK(run.code == 1);
    CHECK_THAT(run.err, Catch::Matchers::Contains("Subscribe to /default/nope failed: Unable to find the topic: "
                                                  "/default/nope"));
}
