// SPDX-License-Identifier: Apache-2.0
// in_postgres_cdc: change data capture from PostgreSQL by logical replication (pgoutput, a
// publication and a slot). initialize() connects and checks the server synchronously, so setup
// problems are clear startup errors; a session thread then streams (and snapshots) into a
// bounded queue that poll() drains, and commit() turns the host's acknowledgements into the
// LSN the slot may confirm (confirm_tracker.hpp).
#include <memory>

#include "cdc_config.hpp"
#include "cdc_session.hpp"
#include "confirm_tracker.hpp"
#include "dcx/sdk/source_connector.hpp"
#include "lsn.hpp"
#include "pg_connection.hpp"
#include "record_queue.hpp"
#include "replication_setup.hpp"
#include "route_table.hpp"

using namespace dcx::sdk;

namespace dcx::pgcdc {
namespace {

// At startup a setup problem is the user's to fix (exit code 78), a retryable one is retried
// by the host with backoff, anything else is fatal.
[[noreturn]] void rethrow_for_initialize(const CdcError& e) {
    switch (e.kind()) {
        case ErrorKind::retryable: throw RetryableError(e.what());
        case ErrorKind::setup: throw ConfigError(e.what());
        case ErrorKind::fatal: throw FatalError(e.what());
    }
    throw FatalError(e.what());
}

}  // namespace

class PostgresCdcSource final : public SourceConnector {
public:
    ~PostgresCdcSource() override { close(); }

    void initialize(const nlohmann::json& section, const CoreConfig& core) override {
        close();  // the host calls initialize() again after a RetryableError: start afresh
        config_ = parse_config(section);
        for (const auto& w : config_.warnings) log(LogLevel::warn, w);
        routes_ = RouteTable(config_);

        const bool snapshot = snapshot_needed(core);
        const std::string app = "danube-connectd " + core.connector_name();
        ConnectTarget target = replication_target(config_, app);
        log(LogLevel::info, "connecting to PostgreSQL (" + target.description + ") for publication " +
                                config_.publication + ", slot " + config_.slot);
        std::atomic<bool> never_stop{false};
        Wakeup wake;
        PgConnection conn;
        std::vector<PublishedTable> tables;
        std::string database;
        int version = 0;
        try {
            conn = PgConnection::connect(target, std::chrono::seconds(config_.connect_timeout_secs), never_stop, wake);
            const ServerInfo server = check_server(conn, config_);
            version = server.version;
            database = server.database;
            ensure_publication(conn, config_, [this](const std::string& m) { log(LogLevel::info, m); });
            tables = published_tables(conn, config_, version);
            const SlotState slot = slot_state(conn, config_.slot, std::chrono::seconds(config_.query_timeout_secs));
            if (slot.exists) {
                check_slot_usable(slot, config_, database);
                log(LogLevel::info, "replication slot " + config_.slot + " exists, confirmed up to LSN " +
                                        format_lsn(slot.confirmed_flush));
            } else if (!config_.create_slot) {
                throw CdcError(ErrorKind::setup, "replication slot " + config_.slot +
                                                     " does not exist; create it (SELECT pg_create_logical_replication_slot('" +
                                                     config_.slot + "', 'pgoutput')) or set create_slot = true");
            }
            log(LogLevel::info, "PostgreSQL " + std::to_string(version / 10000) + "." + std::to_string(version % 100) +
                                    ", database " + database + ": publication " + config_.publication + " has " +
                                    std::to_string(tables.size()) + " table(s)");
        } catch (const CdcError& e) {
            rethrow_for_initialize(e);
        } catch (const Stopped&) {
            throw RetryableError("stopped while connecting");
        }

        std::vector<TableName> names;
        names.reserve(tables.size());
        for (const auto& t : tables) names.push_back(t.name);
        std::vector<std::string> warnings;
        producers_ = routes_.declare(names, warnings);
        for (const auto& w : warnings) log(LogLevel::warn, w);
        for (const auto& r : config_.routes) {
            bool published = false;
            for (const auto& n : names) published = published || n == r.from;
            if (!published) {
                log(LogLevel::warn, r.path + ": table " + r.from.text() + " is not in publication " + config_.publication +
                                        "; it will have no changes");
            }
        }
        if (producers_.empty()) {
            throw ConfigError("postgres_cdc: publication " + config_.publication +
                              " has no table with a route (set routes or topic_pattern, or add tables to it)");
        }
        for (const auto& p : producers_) {
            log(LogLevel::info, "topic " + p.topic + " (partitions " + std::to_string(p.partitions) + ")");
        }

        const auto& processing = core.json().value("processing", nlohmann::json::object());
        queue_.configure(processing.value("batch_size", size_t{1000}));
        tracker_.reset();
        CdcSession::Settings settings{config_, std::move(target), std::move(tables), database, snapshot};
        session_ = std::make_unique<CdcSession>(
            std::move(settings), routes_, queue_, tracker_, [this] { wake_host(); },
            [this](LogLevel level, const std::string& m) { log(level, m); });
        session_->start(std::move(conn));
    }

    std::vector<ProducerConfig> producer_configs() override { return producers_; }

    std::vector<SourceRecord> poll() override {
        // Never waits: the session thread wakes the host when records arrive.
        auto records = queue_.take(max_records());
        if (!records.empty() || !session_) return records;
        if (auto failure = session_->take_failure()) {
            if (failure->fatal) throw FatalError(failure->message);
            throw RetryableError(failure->message + " (reconnecting)");
        }
        return records;
    }

    void commit(const std::vector<Offset>& offsets) override {
        for (const auto& o : offsets) {
            if (o.partition == config_.slot) tracker_.committed(o);
        }
        if (session_) session_->notify_committed();
    }

    void health_check() override {
        // A PostgreSQL outage is not unhealthy: the session reconnects by itself, and the host
        // would stop the daemon after a few failed checks. Only a session that gave up is.
        if (session_ && session_->finished() && !stop_requested()) {
            throw FatalError("the PostgreSQL replication session stopped");
        }
    }

    void on_stop_requested() override {
        if (session_) session_->pause();
    }

    void shutdown() override { close(); }

    std::optional<nlohmann::json> config_schema() const override { return dcx::pgcdc::config_schema(); }

private:
    // The snapshot is due until the host's committed offsets say it finished: "snapshot" marks
    // a snapshot still in progress, anything else a stream position after it.
    bool snapshot_needed(const CoreConfig& core) {
        if (config_.snapshot != SnapshotMode::initial) return false;
        for (const auto& o : core.committed_offsets()) {
            if (o.partition != config_.slot) continue;
            const bool in_progress = o.metadata && *o.metadata == kSnapshotMetadata;
            log(LogLevel::info, in_progress ? "the initial snapshot of an earlier run did not finish: taking it again"
                                            : "the initial snapshot was taken by an earlier run (committed offset at LSN " +
                                                  format_lsn(o.value) + ")");
            return in_progress;
        }
        log(LogLevel::info, "snapshot = \"initial\" and no committed offset for slot " + config_.slot +
                                ": taking the initial snapshot");
        return true;
    }

    void close() {
        if (!session_) return;
        session_->stop();
        const uint64_t left = queue_.size();
        log(LogLevel::info, "PostgreSQL CDC stopped: confirmed up to LSN " + format_lsn(tracker_.confirmable()) +
                                (left ? "; " + std::to_string(left) + " record(s) queued but not published will be "
                                                                         "streamed again after a restart"
                                      : ""));
        session_.reset();
    }

    CdcConfig config_;
    RouteTable routes_;
    std::vector<ProducerConfig> producers_;
    RecordQueue queue_;
    ConfirmTracker tracker_;
    std::unique_ptr<CdcSession> session_;  // last: stopped first, while the rest exists
};

}  // namespace dcx::pgcdc

DCX_SOURCE_PLUGIN(dcx::pgcdc::PostgresCdcSource, "in_postgres_cdc", "PostgreSQL CDC source", "0.1.0",
                  "streams row changes from PostgreSQL by logical replication (pgoutput) with an optional initial snapshot")
