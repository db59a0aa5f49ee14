// SPDX-License-Identifier: Apache-2.0
// The acked prefix per source partition (delivery-and-operations.md §2): a position is handed to
// the plugin for commit only when it and every earlier record of its partition are settled.
#include <catch2/catch.hpp>

#include <algorithm>
#include <utility>
#include <vector>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>

#include "pipeline/offset_tracker.hpp"

using dcx::pipeline::OffsetTracker;
using dcx::plugin::SourceOffset;

namespace {

SourceOffset at(const std::string& partition, uint64_t value, std::optional<std::string> metadata = std::nullopt) {
    return SourceOffset{partition, value, std::move(metadata)};
}

// take_committable() as partition -> value, checking no partition appears twice.
std::map<std::string, uint64_t> take(OffsetTracker& t) {
    std::map<std::string, uint64_t> out;
    for (const auto& o : t.take_committable()) CHECK(out.emplace(o.partition, o.value).second);
    return out;
}

using Positions = std::map<std::string, uint64_t>;

}  // namespace

TEST_CASE("settling in order makes each settled position committable", "[unit][pipeline]") {
    OffsetTracker t;
    t.track(1, at("p", 10));
    t.track(2, at("p", 11));
    CHECK(take(t).empty());
    t.settle(1);
    CHECK(take(t) == Positions{{"p", 10}});
    t.settle(2);
    CHECK(take(t) == Positions{{"p", 11}});
}

TEST_CASE("a record settled out of order waits for every earlier record of its partition", "[unit][pipeline]") {
    OffsetTracker t;
    for (uint64_t seq = 1; seq <= 4; ++seq) t.track(seq, at("p", 100 + seq));
    t.settle(3);
    t.settle(4);
    CHECK(take(t).empty());
    t.settle(2);
    CHECK(take(t).empty());  // seq 1 still unsettled
    t.settle(1);
    CHECK(take(t) == Positions{{"p", 104}});
}

TEST_CASE("the committable position stops before the first unsettled record", "[unit][pipeline]") {
    OffsetTracker t;
    for (uint64_t seq = 1; seq <= 5; ++seq) t.track(seq, at("p", seq * 10));
    t.settle(1);
    t.settle(2);
    t.settle(4);
    t.settle(5);
    CHECK(take(t) == Positions{{"p", 20}});
    t.settle(3);
    CHECK(take(t) == Positions{{"p", 50}});
}

TEST_CASE("source positions with gaps commit the settled record's own position", "[unit][pipeline]") {
    OffsetTracker t;
    t.track(1, at("file-a", 0));
    t.track(2, at("file-a", 4096));
    t.track(3, at("file-a", 9000));
    t.settle(1);
    t.settle(2);
    CHECK(take(t) == Positions{{"file-a", 4096}});
}

TEST_CASE("sequence numbers of records without offsets are ignored", "[unit][pipeline]") {
    OffsetTracker t;
    t.track(1, at("p", 1));
    t.track(3, at("p", 2));  // seq 2 was a record without an offset, never tracked
    t.settle(2);
    CHECK(take(t).empty());
    CHECK(t.unsettled() == std::map<std::string, size_t>{{"p", 2}});
    t.settle(1);
    t.settle(3);
    CHECK(take(t) == Positions{{"p", 2}});
    t.settle(99);  // never tracked at all
    CHECK(take(t).empty());
}

TEST_CASE("partitions are tracked independently", "[unit][pipeline]") {
    OffsetTracker t;
    t.track(1, at("a", 1));
    t.track(2, at("b", 1));
    t.track(3, at("a", 2));
    t.track(4, at("b", 2));
    t.settle(4);
    t.settle(3);
    CHECK(take(t).empty());
    t.settle(2);  // b's prefix is complete; a still waits for seq 1
    CHECK(take(t) == Positions{{"b", 2}});
    t.settle(1);
    CHECK(take(t) == Positions{{"a", 2}});
}

TEST_CASE("take_committable returns only partitions that moved, and each move once", "[unit][pipeline]") {
    OffsetTracker t;
    t.track(1, at("a", 5));
    t.track(2, at("b", 7));
    t.track(3, at("a", 6));
    t.settle(1);
    t.settle(2);
    CHECK(take(t) == Positions{{"a", 5}, {"b", 7}});
    CHECK(take(t).empty());
    t.settle(3);
    CHECK(take(t) == Positions{{"a", 6}});
    CHECK(take(t).empty());
}

TEST_CASE("settling a record twice changes nothing the second time", "[unit][pipeline]") {
    OffsetTracker t;
    t.track(1, at("p", 1));
    t.track(2, at("p", 2));
    t.settle(1);
    CHECK(take(t) == Positions{{"p", 1}});
    t.settle(1);
    CHECK(take(t).empty());
    CHECK(t.unsettled() == std::map<std::string, size_t>{{"p", 1}});
}

TEST_CASE("unsettled counts the records still waiting in each partition", "[unit][pipeline]") {
    OffsetTracker t;
    CHECK(t.unsettled().empty());
    t.track(1, at("a", 1));
    t.track(2, at("a", 2));
    t.track(3, at("a", 3));
    t.track(4, at("b", 1));
    CHECK(t.unsettled() == std::map<std::string, size_t>{{"a", 3}, {"b", 1}});
    t.settle(2);  // settled but behind seq 1: no longer counted as waiting
    t.settle(3);
    CHECK(t.unsettled() == std::map<std::string, size_t>{{"a", 1}, {"b", 1}});
    t.settle(4);
    CHECK(t.unsettled() == std::map<std::string, size_t>{{"a", 1}});
    t.settle(1);
    CHECK(t.unsettled().empty());
}

TEST_CASE("a committed position carries its record's metadata", "[unit][pipeline]") {
    OffsetTracker t;
    t.track(1, at("slot", 10, "lsn=0/16B3748"));
    t.track(2, at("slot", 11));
    t.settle(1);
    const auto first = t.take_committable();
    REQUIRE(first.size() == 1);
    CHECK(first[0] == at("slot", 10, "lsn=0/16B3748"));
    t.settle(2);
    const auto second = t.take_committable();
    REQUIRE(second.size() == 1);
    CHECK(second[0] == at("slot", 11));  // no metadata on that record: none carried over
}

TEST_CASE("committable_positions keeps the last position of every partition", "[unit][pipeline]") {
    OffsetTracker t;
    CHECK(t.committable_positions().empty());
    t.track(1, at("a", 1, "m1"));
    t.track(2, at("b", 9));
    t.track(3, at("c", 4));
    t.settle(1);
    t.settle(2);
    (void)t.take_committable();
    auto positions = t.committable_positions();  // still reported after being taken
    REQUIRE(positions.size() == 2);
    std::sort(positions.begin(), positions.end(), [](const auto& x, const auto& y) { return x.partition < y.partition; });
    CHECK(positions[0] == at("a", 1, "m1"));
    CHECK(positions[1] == at("b", 9));
}

TEST_CASE("an empty partition name is a partition like any other", "[unit][pipeline]") {
    OffsetTracker t;
    t.track(1, at("", 3));
    t.settle(1);
    CHECK(take(t) == Positions{{"", 3}});
}

TEST_CASE("a long run settled in reverse order commits once, at the end", "[unit][pipeline]") {
    OffsetTracker t;
    constexpr uint64_t n = 1000;
    for (uint64_t seq = 1; seq <= n; ++seq) t.track(seq, at("p", seq));
    for (uint64_t seq = n; seq >= 2; --seq) t.settle(seq);
    CHECK(take(t).empty());
    CHECK(t.unsettled() == std::map<std::string, size_t>{{"p", 1}});
    t.settle(1);
    CHECK(take(t) == Positions{{"p", n}});
    CHECK(t.unsettled().empty());
}

TEST_CASE("long runs with gaps and shuffled settlement match a plain model", "[unit][pipeline]") {
    // Model: for each partition, the committable position is that of the last record of the
    // longest settled prefix of its records. Bounded: 3 seeds x 4000 records.
    for (const uint32_t seed : {1u, 2u, 3u}) {
        std::mt19937 rng(seed);
        OffsetTracker t;
        std::vector<std::pair<uint64_t, SourceOffset>> tracked;
        std::vector<uint64_t> seqs;  // every seq, tracked or not, to settle in random order
        uint64_t seq = 0;
        std::map<std::string, uint64_t> next_value;
        for (int i = 0; i < 4000; ++i) {
            ++seq;
            seqs.push_back(seq);
            if (rng() % 4 == 0) continue;  // a record without an offset
            const std::string partition = "partition-with-a-long-name-" + std::to_string(rng() % 3);
            const auto offset = at(partition, ++next_value[partition]);
            t.track(seq, offset);
            tracked.emplace_back(seq, offset);
        }
        std::shuffle(seqs.begin(), seqs.end(), rng);
        std::set<uint64_t> settled;
        Positions committed;
        for (size_t i = 0; i < seqs.size(); ++i) {
            t.settle(seqs[i]);
            settled.insert(seqs[i]);
            if (i % 97 != 0 && i + 1 != seqs.size()) continue;
            for (const auto& [partition, value] : take(t)) committed[partition] = value;
            Positions model;
            std::set<std::string> blocked;
            for (const auto& [s, offset] : tracked) {
                if (blocked.count(offset.partition)) continue;
                if (!settled.count(s)) blocked.insert(offset.partition);
                else model[offset.partition] = offset.value;
            }
            REQUIRE(committed == model);
        }
        CHECK(t.unsettled().empty());
    }
}
