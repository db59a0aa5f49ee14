// SPDX-License-Identifier: Apache-2.0
// The worker-to-plugin-thread hand-off: bounded, tickets that wait for "taken" or for Danube's
// verdict, withdrawal at the deadline, stop and close.
#include <catch2/catch.hpp>

#include <future>
#include <thread>

#include "intake_queue.hpp"

using namespace dcx::webhook;
using namespace std::chrono_literals;
using dcx::sdk::RecordOutcome;
using dcx::sdk::SourceRecord;
using State = IntakeQueue::State;

namespace {

SourceRecord record(int n) { return SourceRecord::from_json("/default/t", {{"n", n}}); }
IntakeQueue::Clock::time_point in(std::chrono::milliseconds d) { return IntakeQueue::Clock::now() + d; }

}  // namespace

TEST_CASE("a taken record releases an enqueue wait, its token travels with it", "[unit][webhook][intake]") {
    IntakeQueue q(4);
    uint64_t token = 0;
    REQUIRE(q.submit(record(1), token) == IntakeQueue::Submit::accepted);
    auto waiter = std::async(std::launch::async, [&] { return q.wait(token, false, in(5s), in(5s)); });
    std::vector<SourceRecord> got;
    while (got.empty()) got = q.take(10);  // the plugin thread's poll
    REQUIRE(got.size() == 1);
    CHECK(got[0].token() == token);
    CHECK(waiter.get().state == State::taken);
    q.settle(token, RecordOutcome::delivered, "");  // nobody waits any more: ignored
    CHECK(q.health(IntakeQueue::Clock::now()).unconfirmed == 0);
}

TEST_CASE("a publish wait ends with Danube's verdict", "[unit][webhook][intake]") {
    IntakeQueue q(4);
    uint64_t a = 0, b = 0, c = 0;
    q.submit(record(1), a);
    q.submit(record(2), b);
    q.submit(record(3), c);
    auto wa = std::async(std::launch::async, [&] { return q.wait(a, true, in(5s), in(5s)); });
    auto wb = std::async(std::launch::async, [&] { return q.wait(b, true, in(5s), in(5s)); });
    auto wc = std::async(std::launch::async, [&] { return q.wait(c, true, in(5s), in(5s)); });
    REQUIRE(q.take(10).size() == 3);
    q.settle(a, RecordOutcome::delivered, "");
    q.settle(b, RecordOutcome::dead_lettered, "skipped: <root>[n]: wrong type");
    q.settle(c, RecordOutcome::not_delivered, "not delivered");
    CHECK(wa.get().state == State::delivered);
    const auto tb = wb.get();
    CHECK(tb.state == State::dead_lettered);
    CHECK(tb.reason == "skipped: <root>[n]: wrong type");
    CHECK(wc.get().state == State::not_delivered);
}

TEST_CASE("a full queue refuses and a record not taken in time is withdrawn", "[unit][webhook][intake]") {
    IntakeQueue q(2);
    uint64_t a = 0, b = 0, c = 0;
    CHECK(q.submit(record(1), a) == IntakeQueue::Submit::accepted);
    CHECK(q.submit(record(2), b) == IntakeQueue::Submit::accepted);
    CHECK(q.submit(record(3), c) == IntakeQueue::Submit::full);
    CHECK(q.health(IntakeQueue::Clock::now()).queued == 2);
    const auto t = q.wait(a, false, in(20ms), in(20ms));
    CHECK(t.state == State::withdrawn);
    // Withdrawn means gone: the host never sees it.
    const auto left = q.take(10);
    REQUIRE(left.size() == 1);
    CHECK(left[0].token() == b);
    CHECK(q.wait(b, false, in(20ms), in(20ms)).state == State::taken);
}

TEST_CASE("a publish wait past its deadline reports taken and the oldest age shows", "[unit][webhook][intake]") {
    IntakeQueue q(2);
    uint64_t a = 0;
    q.submit(record(1), a);
    REQUIRE(q.take(1).size() == 1);
    CHECK(q.wait(a, true, in(1s), in(30ms)).state == State::taken);
    const auto h = q.health(IntakeQueue::Clock::now() + 1s);
    CHECK(h.unconfirmed == 1);
    CHECK(h.oldest_unconfirmed >= 1s);
    CHECK(h.polled);
    q.settle(a, RecordOutcome::delivered, "");
    CHECK(q.health(IntakeQueue::Clock::now()).unconfirmed == 0);
}

TEST_CASE("stop withdraws queued records and close ends every wait", "[unit][webhook][intake]") {
    IntakeQueue q(4);
    uint64_t a = 0, b = 0;
    q.submit(record(1), a);
    q.submit(record(2), b);
    REQUIRE(q.take(1).size() == 1);  // a taken, b still queued
    auto wa = std::async(std::launch::async, [&] { return q.wait(a, true, in(10s), in(10s)); });
    auto wb = std::async(std::launch::async, [&] { return q.wait(b, true, in(10s), in(10s)); });
    q.stop();
    CHECK(wb.get().state == State::withdrawn);
    uint64_t c = 0;
    CHECK(q.submit(record(3), c) == IntakeQueue::Submit::stopping);
    CHECK(q.take(10).empty());
    CHECK(q.health(IntakeQueue::Clock::now()).stopping);
    q.close();
    const auto ta = wa.get();
    CHECK(ta.state == State::not_delivered);
    CHECK_THAT(ta.reason, Catch::Contains("not delivered"));
}

TEST_CASE("many threads submit and wait while one thread takes", "[unit][webhook][intake]") {
    IntakeQueue q(16);
    std::atomic<int> taken{0}, refused{0};
    std::atomic<bool> done{false};
    std::thread plugin([&] {
        while (!done) {
            for (auto& r : q.take(8)) q.settle(r.token(), RecordOutcome::delivered, "");
            std::this_thread::sleep_for(1ms);
        }
    });
    std::vector<std::thread> workers;
    for (int w = 0; w < 8; ++w) {
        workers.emplace_back([&, w] {
            for (int i = 0; i < 50; ++i) {
                uint64_t token = 0;
                if (q.submit(record(w * 100 + i), token) != IntakeQueue::Submit::accepted) {
                    ++refused;
                    continue;
                }
                if (q.wait(token, true, in(5s), in(5s)).state == State::delivered) ++taken;
            }
        });
    }
    for (auto& t : workers) t.join();
    done = true;
    plugin.join();
    CHECK(taken + refused == 400);
    CHECK(taken > 0);
    CHECK(q.health(IntakeQueue::Clock::now()).unconfirmed == 0);
}
