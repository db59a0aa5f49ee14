// SPDX-License-Identifier: Apache-2.0
// Which LSN the plugin may confirm to the replication slot (the flush position of its standby
// status updates), given what the host committed. The rule (source-plugins.md §3.3): never
// confirm past a change Danube has not acknowledged, because the slot forgets everything before
// its confirmed_flush_lsn.
//
// How offsets make that simple. Every record carries the offset {slot, LSN}. The last record of
// a transaction carries the transaction's commit end LSN; every other record carries the end LSN
// of the transaction before it (or the stream's start). The host commits, per source partition,
// the offset of the last record of its acknowledged prefix (delivery-and-operations.md §2), so a
// committed value is always an LSN whose transactions are wholly acknowledged: confirming it is
// safe, and a partial transaction confirms only its predecessor.
//
// Between transactions the server also reports positions with nothing to publish (empty
// transactions, keepalives). They are confirmed once every record emitted so far is
// acknowledged, which lets an idle slot advance so the server can recycle WAL.
//
// Snapshot rows carry the slot's start LSN with metadata "snapshot" ("snapshot-done" on the last
// one); a committed "snapshot" offset confirms nothing.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>

#include "dcx/sdk/source_record.hpp"

namespace dcx::pgcdc {

inline constexpr const char* kSnapshotMetadata = "snapshot";
inline constexpr const char* kSnapshotDoneMetadata = "snapshot-done";

class ConfirmTracker {
public:
    /// Forgets everything: a new initialize(). [plugin-thread]
    void reset();

    /// The slot's confirmed_flush_lsn as read from the server: never confirm less. [session-thread]
    void raise_floor(uint64_t lsn);
    /// A unit of records (a transaction, the snapshot) was emitted; its last record carries `lsn`.
    /// [session-thread]
    void records_through(uint64_t lsn);
    /// Nothing to publish up to `lsn`, and no transaction is half emitted. [session-thread]
    void idle_at(uint64_t lsn);

    /// The host committed `offset` (of this slot's partition). [plugin-thread]
    void committed(const dcx::sdk::Offset& offset);

    /// The LSN to confirm now; never decreases. [thread-safe]
    uint64_t confirmable();
    /// The highest acknowledged LSN (0 before the first commit). [thread-safe]
    uint64_t acknowledged() const;

private:
    mutable std::mutex mu_;
    uint64_t floor_ = 0;     // the slot's own confirmed position
    uint64_t acked_ = 0;     // highest committed offset value (not snapshot-in-progress)
    uint64_t marker_ = 0;    // the offset value of the last record emitted at a unit's end
    uint64_t idle_ = 0;      // highest position known to hold nothing more to publish
    uint64_t confirmed_ = 0; // what confirmable() last returned
};

}  // namespace dcx::pgcdc
