// SPDX-License-Identifier: Apache-2.0
// The replication loop; see replication_stream.hpp. Protocol: PostgreSQL docs, "Streaming
// Replication Protocol" (START_REPLICATION, XLogData, Primary keepalive, Standby status update).
#include "replication_stream.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <memory>
#include <variant>

#include "lsn.hpp"
#include "pg_time.hpp"
#include "replication_messages.hpp"

namespace dcx::pgcdc {
namespace {

struct FreeMem {
    void operator()(char* p) const noexcept { PQfreemem(p); }
};

}  // namespace

void ReplicationStream::start(const std::string& slot, const std::string& publication, uint64_t start_lsn) {
    // Slot and publication names are restricted to plain characters (cdc_config.cpp), so they
    // need no escaping inside the option string.
    const std::string sql = "START_REPLICATION SLOT " + PgConnection::quote_identifier(slot) + " LOGICAL " +
                            format_lsn(start_lsn) + " (proto_version '1', publication_names '" +
                            PgConnection::quote_identifier(publication) + "')";
    const PgResult r = conn_.exec(sql);
    if (PQresultStatus(r.get()) != PGRES_COPY_BOTH) {
        throw CdcError(ErrorKind::fatal, "START_REPLICATION did not start a replication stream");
    }
    received_ = start_lsn;
    last_status_ = Clock::now();
}

bool ReplicationStream::send_status() {
    const uint64_t flush = handler_.flush_position();
    const std::string msg = standby_status_update(std::max(received_, flush), flush, flush, pg_now_us(), false);
    const int put = PQputCopyData(conn_.get(), msg.data(), static_cast<int>(msg.size()));
    if (put < 0) throw conn_.connection_error("cannot send a standby status update");
    if (put == 0) return false;  // libpq's output buffer is full: try again soon
    const int f = PQflush(conn_.get());
    if (f < 0) throw conn_.connection_error("cannot send a standby status update");
    output_pending_ = f == 1;
    last_status_ = Clock::now();
    flush_sent_ = flush;
    reply_due_ = false;
    ++updates_;
    return true;
}

void ReplicationStream::keep_alive() {
    if (output_pending_) {
        const int f = PQflush(conn_.get());
        if (f < 0) throw conn_.connection_error("replication connection lost");
        output_pending_ = f == 1;
    }
    const bool interval_passed = Clock::now() - last_status_ >= interval_;
    if (reply_due_ || interval_passed || handler_.flush_position() != flush_sent_) send_status();
}

void ReplicationStream::send_final_status() noexcept {
    try {
        send_status();
        for (int i = 0; i < 10 && output_pending_; ++i) {
            const int f = PQflush(conn_.get());
            output_pending_ = f == 1;
            if (f < 0) break;
        }
    } catch (...) {
        // The connection is gone: the slot keeps the last update that arrived.
    }
}

void ReplicationStream::dispatch(std::string_view frame) {
    const ReplicationMessage m = parse_replication_message(frame);
    if (const auto* x = std::get_if<XLogData>(&m)) {
        received_ = std::max(received_, x->wal_start);
        handler_.on_xlog_data(x->wal_start, x->payload);
        return;
    }
    const auto& k = std::get<PrimaryKeepalive>(m);
    received_ = std::max(received_, k.wal_end);
    handler_.on_keepalive(k.wal_end);
    if (k.reply_requested) {
        reply_due_ = true;
        keep_alive();  // at once: the server is about to time the connection out
    }
}

void ReplicationStream::run() {
    try {
        while (true) {
            if (conn_.stop_flag().load(std::memory_order_acquire)) throw Stopped{};
            keep_alive();
            if (handler_.paused()) {
                const auto now = Clock::now();
                conn_.sleep(std::clamp(last_status_ + interval_, now + std::chrono::milliseconds(10),
                                       now + std::chrono::milliseconds(100)));
                continue;
            }
            char* raw = nullptr;
            const int n = PQgetCopyData(conn_.get(), &raw, 1);
            if (n > 0) {
                const std::unique_ptr<char, FreeMem> buf(raw);
                dispatch(std::string_view(buf.get(), static_cast<size_t>(n)));
                continue;
            }
            if (n == 0) {
                // Nothing buffered: sleep until data, a wakeup (stop, a commit to confirm) or the
                // next status update is due.
                conn_.wait(true, output_pending_, last_status_ + interval_);
                if (!PQconsumeInput(conn_.get())) throw conn_.connection_error("replication connection lost");
                continue;
            }
            if (n == -1) {
                // The server ended the COPY: its reason is in the result that follows.
                const PgResult r(PQgetResult(conn_.get()));
                if (r.get() && PQresultStatus(r.get()) == PGRES_FATAL_ERROR) throw result_error(r, "replication stream ended");
                throw CdcError(ErrorKind::retryable, "the server ended the replication stream");
            }
            throw conn_.connection_error("replication connection lost");
        }
    } catch (const Stopped&) {
        send_final_status();
        throw;
    }
}

}  // namespace dcx::pgcdc
