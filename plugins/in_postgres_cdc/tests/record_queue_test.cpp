// SPDX-License-Identifier: Apache-2.0
// The pieces two threads share (the session thread and the host's plugin thread): the bounded
// record queue, the confirm tracker and the wakeup, under real threads (this binary runs under
// ThreadSanitizer in CI: label `concurrency`).
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "change_assembler.hpp"
#include "record_queue.hpp"
#include "wakeup.hpp"

using namespace dcx::pgcdc;
using namespace std::chrono_literals;
using dcx::sdk::SourceRecord;
using Clock = std::chrono::steady_clock;

namespace {

SourceRecord numbered(int n) { return SourceRecord::from_string("/default/t", std::to_string(n)); }

}  // namespace

TEST_CASE("a full queue makes the producer wait, and everything arrives in order", "[unit][cdc][queue]") {
    RecordQueue q;
    q.configure(8);
    constexpr int kRecords = 5000;
    std::atomic<int> wakes{0};
    std::atomic<bool> unexpected{false};  // Catch2's assertions are for the main thread only
    std::thread producer([&] {
        for (int i = 0; i < kRecords && !unexpected; ++i) {
            SourceRecord r = numbered(i);
            while (true) {
                const auto res = q.push(r, Clock::now() + 5ms, [&] { ++wakes; });
                if (res == RecordQueue::Push::pushed) break;
                if (res != RecordQueue::Push::timed_out) {
                    unexpected = true;
                    break;
                }
            }
        }
    });
    std::vector<std::string> got;
    const auto deadline = Clock::now() + 30s;
    while (got.size() < kRecords && Clock::now() < deadline) {
        for (auto& r : q.take(3)) got.push_back(r.payload());
        CHECK(q.size() <= 8);
        std::this_thread::yield();
    }
    producer.join();
    CHECK_FALSE(unexpected);
    REQUIRE(got.size() == kRecords);
    for (int i = 0; i < kRecords; ++i) REQUIRE(got[static_cast<size_t>(i)] == std::to_string(i));
    CHECK(wakes > 0);
}

TEST_CASE("close releases a producer waiting for room", "[unit][cdc][queue]") {
    RecordQueue q;
    q.configure(1);
    SourceRecord first = numbered(1);
    REQUIRE(q.push(first, Clock::now() + 1s, {}) == RecordQueue::Push::pushed);
    std::atomic<bool> released{false};
    std::atomic<bool> as_expected{false};
    std::thread producer([&] {
        SourceRecord r = numbered(2);
        const auto res = q.push(r, Clock::now() + 30s, {});
        as_expected = res == RecordQueue::Push::closed && r.payload() == "2";  // refused, not moved from
        released = true;
    });
    std::this_thread::sleep_for(20ms);
    CHECK_FALSE(released);
    q.close();
    producer.join();
    CHECK(released);
    CHECK(as_expected);
    SourceRecord late = numbered(3);
    CHECK(q.push(late, Clock::now() + 1s, {}) == RecordQueue::Push::closed);
}

TEST_CASE("a wakeup from another thread ends a wait at once", "[unit][cdc][queue]") {
    Wakeup w;
    const auto start = Clock::now();
    std::thread t([&] {
        std::this_thread::sleep_for(20ms);
        w.notify();
    });
    wait_socket(-1, false, false, w, 10'000);
    t.join();
    CHECK(Clock::now() - start < 5s);
    w.drain();
    CHECK_FALSE(wait_socket(-1, false, false, w, 0));  // drained: nothing pending
}

TEST_CASE("acknowledgements on one thread and confirmations on another stay safe and monotonic",
          "[unit][cdc][queue]") {
    CdcConfig cfg;
    cfg.connection = "host=x";
    cfg.topic_pattern = "/cdc/{table}";
    RouteTable routes(cfg);
    std::vector<std::string> warnings;
    routes.declare({{"public", "t"}}, warnings);
    ConfirmTracker tracker;
    RecordQueue q;
    q.configure(16);
    constexpr int kTxns = 400;
    uint64_t last_end = 0;
    std::atomic<bool> done{false};

    // The session thread: transactions of 1 to 4 rows through the assembler into the queue.
    std::thread session([&] {
        ChangeAssembler a(
            routes, {}, "slot", tracker,
            [&](SourceRecord&& r) {
                while (q.push(r, Clock::now() + 10ms, {}) != RecordQueue::Push::pushed) {
                }
            },
            [](const std::string&) {});
        a.start_stream(0x100);
        RelationMessage rel;
        rel.relation_id = 1;
        rel.schema = "public";
        rel.table = "t";
        rel.columns = {{true, "id", 23, -1}};
        a.apply(rel);
        uint64_t lsn = 0x1000;
        for (int t = 0; t < kTxns; ++t) {
            a.apply(BeginMessage{lsn, 0, static_cast<uint32_t>(t)});
            for (int r = 0; r <= t % 4; ++r) a.apply(InsertMessage{1, {{ColumnValue::Kind::text, std::to_string(r)}}});
            a.apply(CommitMessage{0, lsn, lsn + 0x10, 0});
            tracker.idle_at(lsn + 0x18);
            last_end = lsn + 0x10;
            lsn += 0x40;
        }
        done = true;
    });
    // A reader of the position, as the stream's status updates are.
    std::atomic<bool> monotonic{true};
    std::thread status([&] {
        uint64_t prev = 0;
        while (!done) {
            const uint64_t c = tracker.confirmable();
            if (c < prev) monotonic = false;
            prev = c;
            std::this_thread::yield();
        }
    });
    // The plugin thread: take, "acknowledge" in order, commit the last offset.
    size_t taken = 0;
    const auto deadline = Clock::now() + 30s;
    while ((!done || q.size() > 0) && Clock::now() < deadline) {
        auto batch = q.take(5);
        if (batch.empty()) {
            std::this_thread::yield();
            continue;
        }
        taken += batch.size();
        tracker.committed(*batch.back().offset());
    }
    session.join();
    status.join();
    CHECK(monotonic);
    CHECK(taken == static_cast<size_t>(kTxns / 4 * (1 + 2 + 3 + 4)));
    CHECK(tracker.confirmable() >= last_end);
}
