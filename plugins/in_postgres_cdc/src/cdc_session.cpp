// SPDX-License-Identifier: Apache-2.0
// The replication session thread; see cdc_session.hpp.
#include "cdc_session.hpp"

#include <pthread.h>

#include <algorithm>

#include "lsn.hpp"
#include "replication_setup.hpp"
#include "snapshot_reader.hpp"

namespace dcx::pgcdc {

using dcx::sdk::LogLevel;
using Clock = std::chrono::steady_clock;

CdcSession::CdcSession(Settings settings, const RouteTable& routes, RecordQueue& queue, ConfirmTracker& tracker,
                       std::function<void()> wake_host, Log logger)
    : settings_(std::move(settings)),
      routes_(routes),
      queue_(queue),
      tracker_(tracker),
      wake_host_(std::move(wake_host)),
      log_(std::move(logger)),
      assembler_(routes, settings_.tables, settings_.config.slot, tracker,
                 [this](dcx::sdk::SourceRecord&& r) { emit(std::move(r)); },
                 [this](const std::string& m) { log(LogLevel::info, m); }),
      snapshot_pending_(settings_.snapshot) {}

CdcSession::~CdcSession() { stop(); }

void CdcSession::start(PgConnection conn) {
    conn.rebind(stop_, wake_);
    thread_ = std::thread([this, c = std::move(conn)]() mutable {
        pthread_setname_np(pthread_self(), "pg-cdc");
        run(std::move(c));
    });
}

void CdcSession::pause() noexcept {
    paused_.store(true, std::memory_order_release);
    wake_.notify();
}

void CdcSession::stop() {
    stop_.store(true, std::memory_order_release);
    queue_.close();
    wake_.notify();
    if (thread_.joinable()) thread_.join();
}

std::optional<CdcSession::Failure> CdcSession::take_failure() {
    std::lock_guard lock(mu_);
    auto f = std::move(failure_);
    failure_.reset();
    return f;
}

void CdcSession::report(bool fatal, const std::string& message) {
    {
        std::lock_guard lock(mu_);
        failure_ = Failure{fatal, message};
    }
    if (wake_host_) wake_host_();
}

void CdcSession::emit(dcx::sdk::SourceRecord&& record) {
    while (true) {
        if (stop_.load(std::memory_order_acquire)) throw Stopped{};
        if (!paused_.load(std::memory_order_acquire)) {
            const auto r = queue_.push(record, Clock::now() + std::chrono::milliseconds(100), wake_host_);
            if (r == RecordQueue::Push::pushed) return;
            if (r == RecordQueue::Push::closed) throw Stopped{};
        } else {
            wait_socket(-1, false, false, wake_, 100);
            wake_.drain();
        }
        // Backpressure: the host is behind. Keep the replication connection alive meanwhile.
        if (stream_) stream_->keep_alive();
    }
}

void CdcSession::on_xlog_data(uint64_t /*wal_start*/, std::string_view payload) {
    assembler_.apply(parse_pgoutput(payload));
}

void CdcSession::on_keepalive(uint64_t wal_end) {
    // Between transactions everything before wal_end was sent and handled.
    if (!assembler_.in_transaction()) tracker_.idle_at(wal_end);
}

void CdcSession::take_snapshot(PgConnection& conn, uint64_t position, bool slot_snapshot) {
    log(LogLevel::info, slot_snapshot ? "initial snapshot consistent with LSN " + format_lsn(position) + " starts"
                                      : "initial snapshot starts: rows as of now, and the stream from the slot's LSN " +
                                            format_lsn(position) + " (rows changed since then come again as changes)");
    assembler_.start_snapshot(position);
    const uint64_t rows = read_snapshot(conn, settings_.tables, routes_, settings_.config.snapshot_fetch_rows, assembler_,
                                        [this](const std::string& m) { log(LogLevel::info, m); });
    assembler_.finish_snapshot();
    snapshot_pending_ = false;
    log(LogLevel::info, "initial snapshot done: " + std::to_string(rows) + " row(s)");
}

void CdcSession::session(PgConnection& conn) {
    const CdcConfig& c = settings_.config;
    const SlotState slot = slot_state(conn, c.slot, std::chrono::seconds(c.query_timeout_secs));
    uint64_t start = 0;
    if (!slot.exists) {
        if (!c.create_slot) {
            throw CdcError(ErrorKind::setup, "replication slot " + c.slot +
                                                 " does not exist (dropped?); create it (SELECT pg_create_logical_replication_slot('" +
                                                 c.slot + "', 'pgoutput')) or set create_slot = true");
        }
        if (snapshot_pending_) {
            // The slot's snapshot, used by this transaction: the rows read below are exactly
            // the state the stream continues from.
            conn.exec("BEGIN ISOLATION LEVEL REPEATABLE READ");
            start = create_slot(conn, c.slot, true);
            tracker_.raise_floor(start);
            log(LogLevel::info, "created replication slot " + c.slot + " at LSN " + format_lsn(start));
            take_snapshot(conn, start, true);
            conn.exec("COMMIT");
        } else {
            start = create_slot(conn, c.slot, false);
            tracker_.raise_floor(start);
            log(LogLevel::info, "created replication slot " + c.slot + " at LSN " + format_lsn(start));
        }
    } else {
        check_slot_usable(slot, c, settings_.database);
        tracker_.raise_floor(slot.confirmed_flush);
        // After a reconnect, skip what this process already decoded whole: it is queued or in
        // flight to Danube, and confirmed as it is acknowledged.
        start = std::max(slot.confirmed_flush, assembler_.resume_lsn());
        if (snapshot_pending_) {
            // The slot existed (created by an earlier run that did not finish its snapshot, or by
            // hand): a fresh snapshot now, and the stream from the slot's position. Rows changed
            // in between arrive in the snapshot and again as changes: at least once.
            conn.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
            take_snapshot(conn, start, false);
            conn.exec("COMMIT");
        }
    }
    assembler_.start_stream(start);
    ReplicationStream stream(conn, *this, std::chrono::milliseconds(c.status_interval_ms));
    stream.start(c.slot, c.publication, start);
    log(LogLevel::info, "streaming changes of publication " + c.publication + " from slot " + c.slot + " at LSN " +
                            format_lsn(start) + " (" + conn.describe() + ")");
    failures_in_a_row_ = 0;
    stream_ = &stream;
    struct Reset {
        ReplicationStream*& p;
        ~Reset() { p = nullptr; }
    } reset{stream_};
    stream.run();
}

void CdcSession::run(PgConnection first) noexcept {
    std::optional<PgConnection> conn;
    if (first) conn.emplace(std::move(first));
    const CdcConfig& c = settings_.config;
    while (!stop_.load(std::memory_order_acquire)) {
        std::string failure;
        bool fatal = false;
        try {
            if (!conn) {
                conn.emplace(PgConnection::connect(settings_.target, std::chrono::seconds(c.connect_timeout_secs), stop_, wake_));
            }
            session(*conn);
        } catch (const Stopped&) {
            break;
        } catch (const CdcError& e) {
            fatal = e.kind() != ErrorKind::retryable;
            failure = e.what();
        } catch (const ProtocolError& e) {
            fatal = true;
            failure = std::string("malformed replication data: ") + e.what();
        } catch (const std::exception& e) {
            fatal = true;
            failure = e.what();
        }
        conn.reset();
        if (stop_.load(std::memory_order_acquire)) break;
        if (fatal) {
            log(LogLevel::error, failure);
            report(true, failure);
            break;
        }
        const uint32_t shift = std::min<uint32_t>(failures_in_a_row_++, 16);
        const uint64_t delay = std::min<uint64_t>(uint64_t{c.reconnect_backoff_ms} << shift, c.max_reconnect_backoff_ms);
        log(LogLevel::warn, failure + "; reconnecting in " + std::to_string(delay) + " ms");
        report(false, failure);
        const auto until = Clock::now() + std::chrono::milliseconds(delay);
        while (!stop_.load(std::memory_order_acquire) && Clock::now() < until) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
            wait_socket(-1, false, false, wake_, static_cast<int>(std::max<int64_t>(left, 0)));
            wake_.drain();
        }
    }
    finished_.store(true, std::memory_order_release);
    if (wake_host_) wake_host_();
}

}  // namespace dcx::pgcdc
