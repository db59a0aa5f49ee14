// SPDX-License-Identifier: Apache-2.0
// The replication session thread: on one connection after another (reconnecting with backoff),
// it makes sure the slot exists, takes the snapshot when one is pending, streams changes through
// the ChangeAssembler into the record queue, and confirms what the host committed. Errors the
// host should hear about are kept for poll() (take_failure).
//
// Stopping has two steps because the host commits after it stops polling: request_stop()
// pauses reading (the connection stays up and keeps confirming what the host drains), stop()
// sends the last status update and ends the thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cdc_config.hpp"
#include "change_assembler.hpp"
#include "confirm_tracker.hpp"
#include "dcx/sdk/source_connector.hpp"
#include "pg_connection.hpp"
#include "published_table.hpp"
#include "record_queue.hpp"
#include "replication_stream.hpp"
#include "route_table.hpp"

namespace dcx::pgcdc {

class CdcSession final : private ReplicationStream::Handler {
public:
    using Log = std::function<void(dcx::sdk::LogLevel, const std::string&)>;

    struct Settings {
        CdcConfig config;
        ConnectTarget target;
        std::vector<PublishedTable> tables;
        std::string database;
        bool snapshot = false;  // take the initial snapshot before streaming
    };

    /// `routes`, `queue` and `tracker` must outlive the session. `wake_host` and `log` are
    /// called from the session thread.
    CdcSession(Settings settings, const RouteTable& routes, RecordQueue& queue, ConfirmTracker& tracker,
               std::function<void()> wake_host, Log log);
    ~CdcSession() override;
    CdcSession(const CdcSession&) = delete;
    CdcSession& operator=(const CdcSession&) = delete;

    /// Starts the thread; it streams on `conn` (connected and checked by initialize) first.
    /// [plugin-thread]
    void start(PgConnection conn);
    /// Stop reading; keep confirming. [thread-safe]
    void pause() noexcept;
    /// Sends the last status update, ends the thread and joins it. [plugin-thread]
    void stop();
    /// The host committed: send a status update soon. [thread-safe]
    void notify_committed() noexcept { wake_.notify(); }

    struct Failure {
        bool fatal = false;
        std::string message;
    };
    /// The latest failure not yet reported. [plugin-thread]
    std::optional<Failure> take_failure();
    /// True once the thread ended for good (after a fatal failure or stop()). [thread-safe]
    bool finished() const { return finished_.load(std::memory_order_acquire); }

private:
    void run(PgConnection first) noexcept;
    void session(PgConnection& conn);
    void take_snapshot(PgConnection& conn, uint64_t position, bool slot_snapshot);
    void emit(dcx::sdk::SourceRecord&& record);
    void report(bool fatal, const std::string& message);
    void log(dcx::sdk::LogLevel level, const std::string& message) const { log_(level, message); }

    // ReplicationStream::Handler
    void on_xlog_data(uint64_t wal_start, std::string_view payload) override;
    void on_keepalive(uint64_t wal_end) override;
    uint64_t flush_position() override { return tracker_.confirmable(); }
    bool paused() override { return paused_.load(std::memory_order_acquire); }

    Settings settings_;
    const RouteTable& routes_;
    RecordQueue& queue_;
    ConfirmTracker& tracker_;
    std::function<void()> wake_host_;
    Log log_;

    std::atomic<bool> stop_{false};
    std::atomic<bool> paused_{false};
    std::atomic<bool> finished_{false};
    Wakeup wake_;
    ChangeAssembler assembler_;           // session thread only
    ReplicationStream* stream_ = nullptr;  // session thread only: set while streaming
    bool snapshot_pending_ = false;        // session thread only
    uint32_t failures_in_a_row_ = 0;       // session thread only

    std::mutex mu_;
    std::optional<Failure> failure_;
    std::thread thread_;
};

}  // namespace dcx::pgcdc
