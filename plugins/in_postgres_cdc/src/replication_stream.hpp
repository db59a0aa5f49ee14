// SPDX-License-Identifier: Apache-2.0
// The libpq side of logical streaming replication: START_REPLICATION with pgoutput protocol 1,
// then a non-blocking PQgetCopyData loop that hands each XLogData to a handler, answers the
// server's keepalives at once, and sends Standby status updates with the handler's flush
// position (the acknowledged LSN) every status interval and whenever it moves. The server ends
// a connection that stays silent for wal_sender_timeout (60 s by default); updates keep flowing
// while the handler blocks on backpressure, because it calls keep_alive() while it waits.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "pg_connection.hpp"

namespace dcx::pgcdc {

class ReplicationStream {
public:
    struct Handler {
        virtual ~Handler() = default;
        /// One pgoutput message from WAL position `wal_start`. May block; call keep_alive() while
        /// blocked for long. Throws to end the stream.
        virtual void on_xlog_data(uint64_t wal_start, std::string_view payload) = 0;
        /// The server sent everything before `wal_end`.
        virtual void on_keepalive(uint64_t wal_end) = 0;
        /// The LSN to confirm: every change before it is acknowledged by Danube.
        virtual uint64_t flush_position() = 0;
        /// True once the host stopped polling: read nothing more, but keep confirming (the host
        /// still commits what it drains) until the stop flag ends the stream.
        virtual bool paused() = 0;
    };

    ReplicationStream(PgConnection& conn, Handler& handler, std::chrono::milliseconds status_interval)
        : conn_(conn), handler_(handler), interval_(status_interval) {}

    /// START_REPLICATION SLOT `slot` LOGICAL `start_lsn` (proto_version '1', publication_names).
    /// Throws CdcError (e.g. retryable when another consumer holds the slot).
    void start(const std::string& slot, const std::string& publication, uint64_t start_lsn);

    /// Streams until the connection's stop flag is set (sends a last status update and throws
    /// Stopped) or the stream fails (throws CdcError, or ProtocolError for malformed data).
    void run();

    /// Sends a status update when one is due (interval passed, the flush position moved, or the
    /// server asked for a reply) and pushes out buffered output. Never blocks. Throws CdcError
    /// when the connection is gone.
    void keep_alive();

    /// Best effort: one last status update with the current flush position. Never throws.
    void send_final_status() noexcept;

    uint64_t received_lsn() const { return received_; }
    uint64_t flushed_sent() const { return flush_sent_; }
    uint64_t status_updates() const { return updates_; }

private:
    void dispatch(std::string_view frame);
    bool send_status();

    using Clock = std::chrono::steady_clock;
    PgConnection& conn_;
    Handler& handler_;
    std::chrono::milliseconds interval_;
    Clock::time_point last_status_{};
    uint64_t received_ = 0;
    uint64_t flush_sent_ = 0;
    uint64_t updates_ = 0;
    bool reply_due_ = false;
    bool output_pending_ = false;
};

}  // namespace dcx::pgcdc
