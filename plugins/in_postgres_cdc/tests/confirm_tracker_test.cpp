// SPDX-License-Identifier: Apache-2.0
// The slot's confirmed position never passes a change the host has not committed: checked
// directly, and by simulation (random transactions through the assembler, random acknowledged
// prefixes committed the way the host's offset tracker does).
#include <catch2/catch.hpp>

#include <random>

#include "change_assembler.hpp"

using namespace dcx::pgcdc;
using dcx::sdk::Offset;
using dcx::sdk::SourceRecord;

TEST_CASE("confirms what the host committed and never goes back", "[unit][cdc][confirm]") {
    ConfirmTracker t;
    t.raise_floor(0x100);
    CHECK(t.confirmable() == 0x100);
    t.records_through(0x200);
    t.idle_at(0x300);
    CHECK(t.confirmable() == 0x100);  // 0x200's records are not acknowledged: the idle position waits
    t.committed({"s", 0x180, std::nullopt});
    CHECK(t.confirmable() == 0x180);
    t.committed({"s", 0x200, std::nullopt});
    CHECK(t.confirmable() == 0x300);  // everything acknowledged: the idle position counts
    t.committed({"s", 0x150, std::nullopt});
    CHECK(t.confirmable() == 0x300);
    t.raise_floor(0x50);
    CHECK(t.confirmable() == 0x300);
    CHECK(t.acknowledged() == 0x200);
}

TEST_CASE("an idle position with nothing emitted is confirmable at once", "[unit][cdc][confirm]") {
    ConfirmTracker t;
    t.idle_at(0x500);
    CHECK(t.confirmable() == 0x500);
}

TEST_CASE("a snapshot in progress confirms nothing past its start", "[unit][cdc][confirm]") {
    ConfirmTracker t;
    t.raise_floor(0x100);
    t.records_through(0x100);  // the snapshot's rows, all at the slot's position
    t.idle_at(0x900);          // streaming began, the server is idle
    t.committed({"s", 0x100, std::string(kSnapshotMetadata)});
    CHECK(t.confirmable() == 0x100);
    t.committed({"s", 0x100, std::string(kSnapshotDoneMetadata)});
    CHECK(t.confirmable() == 0x900);
}

TEST_CASE("simulation: the confirmed LSN never passes an unacknowledged change", "[unit][cdc][confirm]") {
    std::mt19937 rng(7);
    for (int round = 0; round < 200; ++round) {
        CdcConfig cfg;
        cfg.connection = "host=x";
        cfg.topic_pattern = "/cdc/{table}";
        RouteTable routes(cfg);
        std::vector<std::string> warnings;
        routes.declare({{"public", "t"}}, warnings);
        ConfirmTracker tracker;
        std::vector<SourceRecord> emitted;
        ChangeAssembler a(routes, {}, "slot", tracker, [&](SourceRecord&& r) { emitted.push_back(std::move(r)); },
                          [](const std::string&) {});
        tracker.raise_floor(0x1000);
        a.start_stream(0x1000);
        RelationMessage rel;
        rel.relation_id = 1;
        rel.schema = "public";
        rel.table = "t";
        rel.columns = {{true, "id", 23, -1}};
        a.apply(rel);

        // Transactions with 0 to 4 rows; the commit LSN of the transaction each record belongs to.
        std::vector<uint64_t> txn_of_record;
        std::vector<uint64_t> commit_lsns;
        uint64_t lsn = 0x2000;
        const int txns = 1 + static_cast<int>(rng() % 12);
        for (int t = 0; t < txns; ++t) {
            const uint64_t commit_lsn = lsn + 0x10 * (1 + rng() % 8);
            const uint64_t end_lsn = commit_lsn + 0x8;
            lsn = end_lsn;
            a.apply(BeginMessage{commit_lsn, 0, static_cast<uint32_t>(t)});
            const int rows = static_cast<int>(rng() % 5);
            for (int r = 0; r < rows; ++r) {
                a.apply(InsertMessage{1, {{ColumnValue::Kind::text, std::to_string(r)}}});
                txn_of_record.push_back(commit_lsn);
            }
            // A keepalive may arrive between transactions.
            a.apply(CommitMessage{0, commit_lsn, end_lsn, 0});
            if (rng() % 2) tracker.idle_at(end_lsn + 0x4);
            commit_lsns.push_back(commit_lsn);
        }
        REQUIRE(emitted.size() == txn_of_record.size());

        // The host acknowledges a prefix and commits the offset of its last record.
        const size_t acked = emitted.empty() ? 0 : rng() % (emitted.size() + 1);
        if (acked > 0) tracker.committed(*emitted[acked - 1].offset());
        const uint64_t confirmed = tracker.confirmable();
        INFO("round " << round << ": " << emitted.size() << " records, " << acked << " acknowledged, confirmed 0x"
                      << std::hex << confirmed);
        if (acked < emitted.size()) {
            // Confirming at or past a commit record would skip that transaction after a restart.
            CHECK(confirmed <= txn_of_record[acked]);
        } else {
            CHECK(confirmed >= lsn);  // all acknowledged: the whole stream is confirmed
        }
    }
}
