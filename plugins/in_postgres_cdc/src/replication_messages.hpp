// SPDX-License-Identifier: Apache-2.0
// The streaming replication protocol's CopyData frames (PostgreSQL docs, "Streaming Replication
// Protocol"): XLogData ('w') and Primary keepalive ('k') from the server, Standby status update
// ('r') from the client. Pure functions, so they are tested without a server.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "byte_reader.hpp"

namespace dcx::pgcdc {

/// 'w': one pgoutput message and where it sits in the WAL.
struct XLogData {
    uint64_t wal_start = 0;    // the LSN of the change (or of the transaction's first/commit record)
    uint64_t wal_end = 0;      // the server's current end of WAL
    int64_t send_time_us = 0;  // PostgreSQL epoch microseconds
    std::string_view payload;  // a view into the frame
};

/// 'k': the server's heartbeat; answer at once when `reply_requested`.
struct PrimaryKeepalive {
    uint64_t wal_end = 0;      // everything before it has been sent
    int64_t send_time_us = 0;
    bool reply_requested = false;
};

using ReplicationMessage = std::variant<XLogData, PrimaryKeepalive>;

/// Decodes one CopyData frame from the server. Throws ProtocolError.
ReplicationMessage parse_replication_message(std::string_view frame);

/// The 34-byte Standby status update: received (`written`), confirmed (`flushed`, `applied`)
/// positions and the client's clock. For a logical slot, `flushed` becomes its confirmed_flush_lsn.
std::string standby_status_update(uint64_t written, uint64_t flushed, uint64_t applied, int64_t now_pg_us,
                                  bool reply_requested);

}  // namespace dcx::pgcdc
