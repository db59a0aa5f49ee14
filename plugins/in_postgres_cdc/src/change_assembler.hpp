// SPDX-License-Identifier: Apache-2.0
// Turns the decoded stream (and the snapshot's rows) into records with their offsets, in order:
// it keeps the relation cache, frames transactions (Begin .. Commit), routes tables, and gives
// every record the offset that makes confirming safe (confirm_tracker.hpp): the last record of a
// transaction carries its commit end LSN, earlier ones the previous transaction's. Because the
// last record is only known at Commit, one record is held back until the next one (or the
// Commit) arrives. Pure logic: the session feeds it, tests feed it hand-built messages.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "change_record.hpp"
#include "confirm_tracker.hpp"
#include "dcx/sdk/error.hpp"
#include "pgoutput_parser.hpp"
#include "published_table.hpp"
#include "route_table.hpp"

namespace dcx::pgcdc {

/// A table whose topic was not declared at startup appeared in the stream (it was added to the
/// publication later): the daemon must restart to declare it. Nothing of it was confirmed.
class UndeclaredTopicError : public dcx::sdk::FatalError {
public:
    using dcx::sdk::FatalError::FatalError;
};

class ChangeAssembler {
public:
    /// Hands one record over; may block (backpressure) and may throw to abort the session.
    using Emit = std::function<void(dcx::sdk::SourceRecord&&)>;
    using Log = std::function<void(const std::string&)>;

    /// `partition` is the offsets' source partition (the slot name); `tables` what the server
    /// said about the publication's tables (for primary keys).
    ChangeAssembler(const RouteTable& routes, const std::vector<PublishedTable>& tables, std::string partition,
                    ConfirmTracker& tracker, Emit emit, Log info);

    /// A new replication session from `start_lsn`: forgets the relations (the server sends them
    /// again) and a transaction cut short by the previous session (sent again whole).
    void start_stream(uint64_t start_lsn);
    /// Applies one pgoutput message. Throws ProtocolError for a stream that breaks the protocol
    /// (a change outside a transaction, an unknown relation, a tuple of the wrong width) and
    /// UndeclaredTopicError.
    void apply(const PgoutputMessage& message);
    /// True between Begin and Commit.
    bool in_transaction() const { return txn_.has_value(); }
    /// Where a new session resumes without sending again what was emitted: the end of the last
    /// transaction decoded whole (or the stream's start).
    uint64_t resume_lsn() const { return last_end_; }

    /// Snapshot rows, consistent with slot position `position`.
    void start_snapshot(uint64_t position);
    /// One row of `table`: column names, type OIDs and text values (nullopt: NULL).
    void snapshot_row(const PublishedTable& table, const std::vector<std::string>& names,
                      const std::vector<uint32_t>& type_oids, const std::vector<std::optional<std::string_view>>& values);
    /// Emits the held last row with the "snapshot-done" marker.
    void finish_snapshot();

    /// Counters, for logs and tests.
    uint64_t records_emitted() const { return emitted_; }
    uint64_t transactions() const { return transactions_; }

private:
    void on_relation(const RelationMessage& m);
    const RelationInfo& relation(uint32_t id, const char* what) const;
    void change(Change c);
    void hold(dcx::sdk::SourceRecord&& record);
    void emit_held(uint64_t offset_value, std::optional<std::string> metadata);
    std::vector<size_t> key_columns(const TableName& name, const std::vector<RelationColumn>& columns) const;

    const RouteTable& routes_;
    std::map<TableName, std::vector<std::string>> primary_keys_;
    std::string partition_;
    ConfirmTracker& tracker_;
    Emit emit_;
    Log info_;

    std::map<uint32_t, RelationInfo> relations_;
    std::map<uint32_t, std::string> type_names_;  // from Type messages, for notes in the log
    std::set<TableName> noted_;                   // tables already mentioned in the log
    std::optional<TransactionInfo> txn_;
    uint64_t index_ = 0;       // next change's index in the transaction (or snapshot)
    uint64_t last_end_ = 0;    // end LSN of the last whole transaction
    std::optional<dcx::sdk::SourceRecord> held_;
    bool snapshot_ = false;
    uint64_t snapshot_position_ = 0;
    std::map<TableName, RelationInfo> snapshot_relations_;
    uint64_t emitted_ = 0;
    uint64_t transactions_ = 0;
};

}  // namespace dcx::pgcdc
