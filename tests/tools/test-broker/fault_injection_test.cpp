// SPDX-License-Identifier: Apache-2.0
// Contract rule 14: test-only faults through danube_test.BrokerControl and the command line.
// No timing is asserted: latency and stalls are observed through client deadlines only.
#include <signal.h>

#include <algorithm>
#include <cmath>
#include <future>
#include <vector>

#include <catch2/catch.hpp>

#include "contract_helpers.hpp"

using namespace dcx::contract;
using dcx::testing::ChildProcess;
using dcx::testing::TempDir;
using dcx::testing::wait_until;

namespace {

danube_test::FaultRequest fail_next(uint32_t count, grpc::StatusCode code, const std::string& method = "",
                                    const std::string& text = "") {
    danube_test::FaultRequest f;
    f.mutable_fail_next()->set_count(count);
    f.mutable_fail_next()->set_code(static_cast<int32_t>(code));
    f.mutable_fail_next()->set_method(method);
    f.mutable_fail_next()->set_message(text);
    return f;
}

danube_test::FaultRequest fail_ratio(double ratio, std::vector<grpc::StatusCode> codes, uint64_t seed,
                                     const std::string& method = "") {
    danube_test::FaultRequest f;
    f.mutable_fail_ratio()->set_ratio(ratio);
    for (const auto code : codes) f.mutable_fail_ratio()->add_codes(static_cast<int32_t>(code));
    f.mutable_fail_ratio()->set_seed(seed);
    f.mutable_fail_ratio()->set_method(method);
    return f;
}

// Sends `n` messages one after the other; the status code of each.
std::vector<grpc::StatusCode> fates(TestBroker& broker, uint64_t id, const std::string& topic, int n) {
    std::vector<grpc::StatusCode> out;
    for (int i = 0; i < n; ++i) out.push_back(send(broker, message(broker, id, topic, "m" + std::to_string(i))).error_code());
    return out;
}

danube_test::FaultRequest latency(uint32_t millis, const std::string& method = "") {
    danube_test::FaultRequest f;
    f.mutable_latency()->set_millis(millis);
    f.mutable_latency()->set_method(method);
    return f;
}

danube_test::FaultRequest stall(bool enabled, const std::string& method = "") {
    danube_test::FaultRequest f;
    f.mutable_stall()->set_enabled(enabled);
    f.mutable_stall()->set_method(method);
    return f;
}

danube_test::FaultRequest refuse(uint32_t millis) {
    danube_test::FaultRequest f;
    f.mutable_refuse_connections()->set_millis(millis);
    return f;
}

danube_test::FaultRequest crash_after(uint64_t messages) {
    danube_test::FaultRequest f;
    f.mutable_crash_after()->set_messages(messages);
    return f;
}

constexpr auto kShort = std::chrono::milliseconds(150);

}  // namespace

TEST_CASE("fail-next through the control service fails exactly N SendMessage calls with the chosen code",
          "[integration][test-broker]") {
    TestBroker broker;
    const uint64_t id = producer_id(broker, "/default/fail", "p");
    REQUIRE(inject(broker, fail_next(2, grpc::StatusCode::UNAVAILABLE, "", "broker is busy")).ok());

    for (int i = 0; i < 2; ++i) {
        const auto st = send(broker, message(broker, id, "/default/fail", "x"));
        CHECK(st.error_code() == grpc::StatusCode::UNAVAILABLE);
        CHECK(st.error_message() == "broker is busy");
    }
    CHECK(send(broker, message(broker, id, "/default/fail", "x")).ok());
    CHECK(send(broker, message(broker, id, "/default/fail", "y")).ok());
    CHECK(broker.stats().calls_failed_by_injection() == 2);
    // Failed calls never reach the handler: only the two later messages are journaled.
    const auto lines = broker.journal();
    REQUIRE(lines.size() == 2);
    CHECK(lines[0]["offset"] == 0);
}

TEST_CASE("fail-next without a text uses the injection default and any code", "[integration][test-broker]") {
    TestBroker broker;
    const uint64_t id = producer_id(broker, "/default/fail-default", "p");
    REQUIRE(inject(broker, fail_next(1, grpc::StatusCode::PERMISSION_DENIED)).ok());
    const auto st = send(broker, message(broker, id, "/default/fail-default", "x"));
    CHECK(st.error_code() == grpc::StatusCode::PERMISSION_DENIED);
    CHECK(st.error_message() == "injected failure (danube-test-broker)");
    CHECK(send(broker, message(broker, id, "/default/fail-default", "x")).ok());
}

TEST_CASE("fail-next can target one method and leaves the others alone", "[integration][test-broker]") {
    TestBroker broker;
    const uint64_t id = producer_id(broker, "/default/target", "p");
    REQUIRE(inject(broker, fail_next(1, grpc::StatusCode::NOT_FOUND, "CreateProducer")).ok());

    CHECK(send(broker, message(broker, id, "/default/target", "x")).ok());
    CHECK(lookup(broker, "/default/target").ok());
    const auto st = broker.create_producer("/default/target", "q");
    CHECK(st.error_code() == grpc::StatusCode::NOT_FOUND);
    CHECK(st.error_message() == "injected failure (danube-test-broker)");
    CHECK(broker.create_producer("/default/target", "q").ok());
    CHECK(broker.stats().calls_failed_by_injection() == 1);
}

TEST_CASE("fail-next with method * fails whichever Danube call comes next", "[integration][test-broker]") {
    TestBroker broker;
    REQUIRE(inject(broker, fail_next(2, grpc::StatusCode::RESOURCE_EXHAUSTED, "*")).ok());
    CHECK(lookup(broker, "/default/any").error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
    CHECK(register_schema(broker, "s", "string", "").error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
    CHECK(lookup(broker, "/default/any").error_code() == grpc::StatusCode::NOT_FOUND);
}

TEST_CASE("fail-ratio fails that share of calls with the given codes, the same calls for the same seed",
          "[integration][test-broker]") {
    const std::vector<grpc::StatusCode> codes{grpc::StatusCode::UNAVAILABLE, grpc::StatusCode::RESOURCE_EXHAUSTED};
    std::vector<std::vector<grpc::StatusCode>> runs;
    for (const uint64_t seed : {7, 7, 8}) {
        TestBroker broker;
        const uint64_t id = producer_id(broker, "/default/ratio", "p");
        REQUIRE(inject(broker, fail_ratio(0.3, codes, seed)).ok());
        runs.push_back(fates(broker, id, "/default/ratio", 200));
        const auto failed = static_cast<uint64_t>(std::count_if(runs.back().begin(), runs.back().end(),
                                                                [](auto c) { return c != grpc::StatusCode::OK; }));
        INFO("seed " << seed << ": " << failed << " of 200 failed");
        CHECK(failed >= 30);  // binomial(200, 0.3): mean 60, sd 6.5
        CHECK(failed <= 90);
        CHECK(std::count(runs.back().begin(), runs.back().end(), grpc::StatusCode::UNAVAILABLE) > 0);
        CHECK(std::count(runs.back().begin(), runs.back().end(), grpc::StatusCode::RESOURCE_EXHAUSTED) > 0);
        CHECK(broker.stats().calls_failed_by_injection() == failed);
        // Failed calls never reach the handler.
        CHECK(broker.journal().size() == 200 - failed);
        // Other methods are not affected; ratio 0 removes the fault.
        CHECK(lookup(broker, "/default/ratio").ok());
        REQUIRE(inject(broker, fail_ratio(0, {}, seed)).ok());
        const auto after = fates(broker, id, "/default/ratio", 20);
        CHECK(std::count(after.begin(), after.end(), grpc::StatusCode::OK) == 20);
    }
    CHECK(runs[0] == runs[1]);  // deterministic for a seed
    CHECK(runs[0] != runs[2]);
}

TEST_CASE("ClearFaults removes a fail-ratio", "[integration][test-broker]") {
    TestBroker broker;
    const uint64_t id = producer_id(broker, "/default/ratio-clear", "p");
    REQUIRE(inject(broker, fail_ratio(1, {grpc::StatusCode::RESOURCE_EXHAUSTED}, 1)).ok());
    const auto st = send(broker, message(broker, id, "/default/ratio-clear", "x"));
    CHECK(st.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
    CHECK(st.error_message() == "injected failure (danube-test-broker)");
    REQUIRE(clear_faults(broker).ok());
    CHECK(send(broker, message(broker, id, "/default/ratio-clear", "x")).ok());
}

TEST_CASE("the --fail-ratio flag fails every matching call at ratio 1 and leaves other methods alone",
          "[integration][test-broker]") {
    TestBroker broker({"--fail-ratio", "1:unavailable,8:SendMessage", "--fault-seed", "3"});
    const uint64_t id = producer_id(broker, "/default/ratio-flag", "p");
    const auto seen = fates(broker, id, "/default/ratio-flag", 40);
    CHECK(std::count(seen.begin(), seen.end(), grpc::StatusCode::UNAVAILABLE) +
              std::count(seen.begin(), seen.end(), grpc::StatusCode::RESOURCE_EXHAUSTED) ==
          40);
    CHECK(std::count(seen.begin(), seen.end(), grpc::StatusCode::UNAVAILABLE) > 0);
    CHECK(std::count(seen.begin(), seen.end(), grpc::StatusCode::RESOURCE_EXHAUSTED) > 0);
    CHECK(broker.journal().empty());
}

TEST_CASE("the control service rejects a fail-ratio outside 0..1 or without valid codes", "[integration][test-broker]") {
    TestBroker broker;
    for (const double ratio : {-0.1, 1.5, std::nan("")}) {
        const auto st = inject(broker, fail_ratio(ratio, {grpc::StatusCode::UNAVAILABLE}, 1));
        CHECK(st.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
        CHECK(st.error_message() == "fail_ratio.ratio must be between 0 and 1");
    }
    for (const auto& codes : {std::vector<grpc::StatusCode>{}, std::vector<grpc::StatusCode>{grpc::StatusCode::OK}}) {
        const auto st = inject(broker, fail_ratio(0.5, codes, 1));
        CHECK(st.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
        CHECK(st.error_message() == "fail_ratio.codes must be gRPC codes 1..16 (at least one)");
    }
}

TEST_CASE("the control service rejects a fault without a kind or with a bad code", "[integration][test-broker]") {
    TestBroker broker;
    auto st = inject(broker, danube_test::FaultRequest{});
    CHECK(st.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(st.error_message() == "no fault given");
    st = inject(broker, fail_next(1, grpc::StatusCode::OK));
    CHECK(st.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(st.error_message() == "fail_next.code must be a gRPC code 1..16");
}

TEST_CASE("the --fail-next flag fails the first calls as given", "[integration][test-broker]") {
    TestBroker broker({"--fail-next", "2:UNAVAILABLE", "--fail-next", "1:not_found:CreateProducer"});
    const auto created = broker.create_producer("/default/flagged", "p");
    CHECK(created.error_code() == grpc::StatusCode::NOT_FOUND);
    const uint64_t id = producer_id(broker, "/default/flagged", "p");
    for (int i = 0; i < 2; ++i) {
        const auto st = send(broker, message(broker, id, "/default/flagged", "x"));
        CHECK(st.error_code() == grpc::StatusCode::UNAVAILABLE);
        CHECK(st.error_message() == "injected failure (danube-test-broker)");
    }
    CHECK(send(broker, message(broker, id, "/default/flagged", "x")).ok());
    CHECK(broker.stats().calls_failed_by_injection() == 3);
}

TEST_CASE("latency makes a short deadline expire while the message is still accepted", "[integration][test-broker]") {
    TestBroker broker;
    const uint64_t id = producer_id(broker, "/default/slow", "p");
    REQUIRE(inject(broker, latency(2000, "SendMessage")).ok());

    const auto st = send(broker, message(broker, id, "/default/slow", "late ack"), nullptr, kShort);
    CHECK(st.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED);
    // Only the answer is delayed: the broker accepts the message anyway (the lost-ack case).
    CHECK(wait_until([&] { return broker.journal().size() == 1; }, std::chrono::seconds(5)));
    // Other methods are not delayed.
    CHECK(lookup(broker, "/default/slow", std::chrono::seconds(1)).ok());

    danube::MessageResponse resp;
    CHECK(send(broker, message(broker, id, "/default/slow", "patient", 8), &resp, std::chrono::seconds(20)).ok());
    CHECK(resp.request_id() == 8);

    REQUIRE(inject(broker, latency(0, "SendMessage")).ok());
    // A deadline below the removed latency: passes only because the latency is gone.
    CHECK(send(broker, message(broker, id, "/default/slow", "fast"), nullptr, std::chrono::milliseconds(1500)).ok());
    CHECK(broker.journal().size() == 3);
}

TEST_CASE("the --latency-ms flag delays every Danube call but not the control service", "[integration][test-broker]") {
    TestBroker broker({"--latency-ms", "1500"});
    CHECK(lookup(broker, "/default/x", kShort).error_code() == grpc::StatusCode::DEADLINE_EXCEEDED);
    CHECK(lookup(broker, "/default/x", std::chrono::seconds(20)).error_code() == grpc::StatusCode::NOT_FOUND);
    danube_test::StatsReply stats;
    CHECK(invoke(&danube_test::BrokerControl::Stub::Stats, broker.control(), danube_test::Empty{}, &stats,
                 std::chrono::seconds(1))
              .ok());
    REQUIRE(clear_faults(broker).ok());
    CHECK(lookup(broker, "/default/x", std::chrono::seconds(1)).error_code() == grpc::StatusCode::NOT_FOUND);
}

TEST_CASE("a stalled SendMessage never answers until the stall is lifted", "[integration][test-broker]") {
    TestBroker broker;
    const uint64_t id = producer_id(broker, "/default/stall", "p");
    REQUIRE(inject(broker, stall(true)).ok());

    const auto st = send(broker, message(broker, id, "/default/stall", "x"), nullptr, kShort);
    CHECK(st.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED);
    CHECK(wait_until([&] { return broker.stats().calls_stalled() == 1; }, std::chrono::seconds(5)));
    CHECK(broker.journal().empty());  // a stalled call never reaches the handler
    CHECK(broker.create_producer("/default/stall", "q").ok());  // only SendMessage stalls

    REQUIRE(inject(broker, stall(false)).ok());
    CHECK(send(broker, message(broker, id, "/default/stall", "y")).ok());
    CHECK(broker.journal().size() == 1);
}

TEST_CASE("a call still stalled when the stall is lifted is answered UNAVAILABLE", "[integration][test-broker]") {
    TestBroker broker;
    const uint64_t id = producer_id(broker, "/default/held", "p");
    REQUIRE(inject(broker, stall(true)).ok());
    auto pending = std::async(std::launch::async, [&] {
        return send(broker, message(broker, id, "/default/held", "x"), nullptr, std::chrono::seconds(20));
    });
    REQUIRE(wait_until([&] { return broker.stats().calls_stalled() == 1; }, std::chrono::seconds(5)));
    CHECK(pending.wait_for(std::chrono::milliseconds(0)) == std::future_status::timeout);
    REQUIRE(clear_faults(broker).ok());
    REQUIRE(pending.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
    const auto st = pending.get();
    CHECK(st.error_code() == grpc::StatusCode::UNAVAILABLE);
    CHECK(st.error_message() == "danube-test-broker: stalled call released");
    CHECK(send(broker, message(broker, id, "/default/held", "y")).ok());
}

TEST_CASE("the --stall flag stalls SendMessage until ClearFaults", "[integration][test-broker]") {
    TestBroker broker({"--stall"});
    const uint64_t id = producer_id(broker, "/default/stall-flag", "p");
    CHECK(send(broker, message(broker, id, "/default/stall-flag", "x"), nullptr, kShort).error_code() ==
          grpc::StatusCode::DEADLINE_EXCEEDED);
    REQUIRE(clear_faults(broker).ok());
    CHECK(send(broker, message(broker, id, "/default/stall-flag", "x")).ok());
}

TEST_CASE("refusing connections makes calls UNAVAILABLE for a while and keeps the broker's state",
          "[integration][test-broker]") {
    TestBroker broker;
    const uint64_t id = producer_id(broker, "/default/refuse", "p");
    REQUIRE(send(broker, message(broker, id, "/default/refuse", "before")).ok());
    REQUIRE(inject(broker, refuse(1500)).ok());

    grpc::Status seen;
    const bool refused = wait_until(
        [&] {
            seen = lookup(broker, "/default/refuse", std::chrono::milliseconds(200));
            return seen.error_code() == grpc::StatusCode::UNAVAILABLE;
        },
        std::chrono::seconds(1));
    INFO(seen.error_message());
    CHECK(refused);

    // Back within a bounded wait, with the same producer id and topic offsets. The client waits
    // for its channel to reconnect (fail-fast calls alone do not drive the reconnection).
    CHECK(wait_until(
        [&] {
            broker.channel()->WaitForConnected(std::chrono::system_clock::now() + std::chrono::milliseconds(500));
            return send(broker, message(broker, id, "/default/refuse", "after"), nullptr,
                        std::chrono::milliseconds(500))
                .ok();
        },
        std::chrono::seconds(10)));
    const auto lines = broker.journal();
    REQUIRE(lines.size() == 2);
    CHECK(lines[1]["offset"] == 1);
    CHECK(lines[1]["payload_b64"] == "YWZ0ZXI=");
}

TEST_CASE("the --refuse-connections-ms flag keeps the port closed after start", "[integration][test-broker]") {
    TempDir dir;
    const int port = free_port();
    const std::string target = "127.0.0.1:" + std::to_string(port);
    const auto port_file = dir / "port";
    ChildProcess process({DCX_TEST_BROKER_BIN, "--listen", target, "--port-file", port_file.string(),
                          "--refuse-connections-ms", "1000"},
                         dir / "broker");
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 200);
    const auto channel = grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
    auto discovery = danube::Discovery::NewStub(channel);
    danube::TopicLookupRequest req;
    req.set_topic("/default/x");

    // While the broker has not started listening (its port file is written right after), calls
    // are refused.
    bool refused_while_closed = false;
    grpc::Status st;
    wait_until(
        [&] {
            danube::TopicLookupResponse resp;
            st = invoke(&danube::Discovery::Stub::TopicLookup, *discovery, req, &resp, std::chrono::milliseconds(200));
            const bool listening = std::filesystem::exists(port_file);
            if (!listening && st.error_code() == grpc::StatusCode::UNAVAILABLE) refused_while_closed = true;
            return listening;
        },
        std::chrono::seconds(15));
    CHECK(refused_while_closed);
    REQUIRE(std::filesystem::exists(port_file));
    CHECK(wait_until(
        [&] {
            channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::milliseconds(500));
            danube::TopicLookupResponse resp;
            st = invoke(&danube::Discovery::Stub::TopicLookup, *discovery, req, &resp, std::chrono::milliseconds(500));
            return st.error_code() == grpc::StatusCode::NOT_FOUND;
        },
        std::chrono::seconds(5)));
    process.signal(SIGTERM);
    CHECK(process.wait_for_exit(std::chrono::seconds(10)) == 0);
}

TEST_CASE("crash-after through the control service exits 86 right after journaling the Nth message",
          "[integration][test-broker]") {
    TestBroker broker;
    const uint64_t id = producer_id(broker, "/default/crash", "p");
    REQUIRE(send(broker, message(broker, id, "/default/crash", "m0")).ok());
    REQUIRE(inject(broker, crash_after(2)).ok());
    REQUIRE(send(broker, message(broker, id, "/default/crash", "m1")).ok());
    const auto st = send(broker, message(broker, id, "/default/crash", "m2"));
    CHECK_FALSE(st.ok());
    CHECK(broker.process().wait_for_exit(std::chrono::seconds(10)) == 86);
    const auto lines = broker.journal();
    REQUIRE(lines.size() == 3);  // the one before arming plus exactly the 2 armed ones
    CHECK(lines[2]["payload_b64"] == "bTI=");
}

TEST_CASE("the --crash-after flag exits 86 after N messages without acking the last", "[integration][test-broker]") {
    TestBroker broker({"--crash-after", "2"});
    const uint64_t id = producer_id(broker, "/default/crash-flag", "p");
    REQUIRE(send(broker, message(broker, id, "/default/crash-flag", "m0")).ok());
    CHECK_FALSE(send(broker, message(broker, id, "/default/crash-flag", "m1")).ok());
    CHECK(broker.process().wait_for_exit(std::chrono::seconds(10)) == 86);
    CHECK(broker.journal().size() == 2);
}

TEST_CASE("ForgetProducers makes old ids unknown and CreateProducer then hands out a new id",
          "[integration][test-broker]") {
    TestBroker broker;
    const uint64_t old_id = producer_id(broker, "/default/forget", "p");
    REQUIRE(send(broker, message(broker, old_id, "/default/forget", "m0")).ok());

    danube_test::ControlReply reply;
    REQUIRE(invoke(&danube_test::BrokerControl::Stub::ForgetProducers, broker.control(), danube_test::Empty{}, &reply)
                .ok());
    CHECK(reply.message() == "forgot 1 producers");

    const auto st = send(broker, message(broker, old_id, "/default/forget", "m1"));
    CHECK(st.error_code() == grpc::StatusCode::NOT_FOUND);
    CHECK(st.error_message() == "The producer with id " + std::to_string(old_id) + " does not exist");

    const uint64_t new_id = producer_id(broker, "/default/forget", "p");
    CHECK(new_id != 0);
    CHECK(new_id != old_id);
    REQUIRE(send(broker, message(broker, new_id, "/default/forget", "m1")).ok());
    const auto lines = broker.journal();
    REQUIRE(lines.size() == 2);
    CHECK(lines[1]["offset"] == 1);  // the topic itself is kept
    CHECK(broker.journal("producer").back()["new"] == true);
}
