// SPDX-License-Identifier: Apache-2.0
// The hand-off queue between the network thread and the plugin thread: bounded (a full queue
// blocks the producer), never blocking the consumer, and, with wait_for_ack, releasing a
// producer only once the record's offset is committed.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "handoff_queue.hpp"

using namespace dcx::mqtt;
using namespace std::chrono_literals;
using Outcome = HandoffQueue::Outcome;

namespace {

dcx::sdk::SourceRecord rec(int n) { return dcx::sdk::SourceRecord::from_json("/d/t", {{"n", n}}); }

// Bounded wait for a future; a hung producer fails the test instead of hanging it.
template <class T>
bool ready_within(std::future<T>& f, std::chrono::milliseconds timeout) {
    return f.wait_for(timeout) == std::future_status::ready;
}

// Polls `predicate` until it holds, at most 5 s.
template <class Predicate>
bool wait_until_true(Predicate&& predicate) {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (!predicate()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(1ms);
    }
    return true;
}

}  // namespace

TEST_CASE("the producer blocks while the queue is full and resumes when the host takes", "[unit][mqtt]") {
    HandoffQueue q;
    q.configure(2, false, 1);
    std::atomic<int> wakes{0};
    const auto wake = [&] { ++wakes; };
    CHECK(q.push(rec(1), true, wake) == Outcome::taken);
    CHECK(q.push(rec(2), true, wake) == Outcome::taken);
    CHECK(wakes == 1);  // only the empty -> non-empty transition wakes the host
    auto third = std::async(std::launch::async, [&] { return q.push(rec(3), true, wake); });
    CHECK_FALSE(ready_within(third, 50ms));  // backpressure
    const auto taken = q.take(1);
    REQUIRE(taken.size() == 1);
    CHECK(nlohmann::json::parse(taken[0].payload())["n"] == 1);
    REQUIRE(ready_within(third, 5s));
    CHECK(third.get() == Outcome::taken);
    CHECK(q.take(10).size() == 2);
    CHECK(q.take(10).empty());  // never blocks
    CHECK_FALSE(taken[0].offset());  // no offsets without wait_for_ack
}

TEST_CASE("after stop nothing is taken and close refuses the parked producer", "[unit][mqtt]") {
    HandoffQueue q;
    q.configure(10, false, 1);
    q.stop_accepting();
    auto parked = std::async(std::launch::async, [&] { return q.push(rec(1), true, {}); });
    CHECK_FALSE(ready_within(parked, 50ms));
    q.close();
    REQUIRE(ready_within(parked, 5s));
    CHECK(parked.get() == Outcome::refused);
    CHECK(q.size() == 0);
    CHECK(q.push(rec(2), false, {}) == Outcome::refused);
}

TEST_CASE("with wait_for_ack a QoS 1 message is released only by the commit of its offset", "[unit][mqtt]") {
    HandoffQueue q;
    q.configure(10, true, 41);  // resumes after a committed offset 40
    std::atomic<int> wakes{0};
    auto first = std::async(std::launch::async, [&] { return q.push(rec(1), true, [&] { ++wakes; }); });
    REQUIRE(wait_until_true([&] { return wakes.load() == 1; }));
    CHECK_FALSE(ready_within(first, 50ms));
    const auto taken = q.take(10);
    REQUIRE(taken.size() == 1);
    REQUIRE(taken[0].offset());
    CHECK(taken[0].offset()->partition == "mqtt");
    CHECK(taken[0].offset()->value == 41);
    CHECK_FALSE(ready_within(first, 50ms));  // taken is not enough: Danube must have it
    q.committed(41);
    REQUIRE(ready_within(first, 5s));
    CHECK(first.get() == Outcome::taken);
    // A QoS 0 message is not tracked and does not wait.
    CHECK(q.push(rec(2), false, {}) == Outcome::taken);
    CHECK_FALSE(q.take(10)[0].offset());
    CHECK(q.next_offset() == 42);
}

TEST_CASE("with wait_for_ack closing before the commit refuses the message", "[unit][mqtt]") {
    HandoffQueue q;
    q.configure(10, true, 1);
    auto waiting = std::async(std::launch::async, [&] { return q.push(rec(1), true, {}); });
    REQUIRE(wait_until_true([&] { return q.size() == 1; }));
    q.close();
    REQUIRE(ready_within(waiting, 5s));
    CHECK(waiting.get() == Outcome::refused);
}
