// SPDX-License-Identifier: Apache-2.0
// RAII owners of libpq's connection (PGconn, closed with PQfinish) and results (PGresult, freed
// with PQclear). Every wait on the server is bounded and interruptible: connecting and queries
// run on a non-blocking connection and poll(2) its socket together with a Wakeup, so a stop
// request ends them at once. libpq stays out of this header (libpqxx's rule).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cdc_config.hpp"
#include "cdc_error.hpp"
#include "wakeup.hpp"

struct pg_conn;
struct pg_result;

namespace dcx::pgcdc {

/// One result, freed with PQclear. Move-only.
class PgResult {
public:
    PgResult() = default;
    explicit PgResult(pg_result* result) : result_(result) {}

    int rows() const;
    int columns() const;
    /// The text of a value; nullopt for NULL. Valid while the result lives.
    std::optional<std::string_view> value(int row, int column) const;
    /// The text of a value, "" for NULL.
    std::string text(int row, int column) const;
    std::string column_name(int column) const;
    uint32_t column_type(int column) const;
    pg_result* get() const { return result_.get(); }

private:
    struct Clear {
        void operator()(pg_result* r) const noexcept;
    };
    std::unique_ptr<pg_result, Clear> result_;
};

/// Where and how to connect: libpq keyword/value pairs, and a description safe to log.
struct ConnectTarget {
    std::vector<std::pair<std::string, std::string>> params;
    std::string description;  // "host=... port=... dbname=... user=..."; never the password
};

/// The replication connection for `config`: its connection string, replication=database, the
/// password from the environment, client_encoding UTF8 and the output settings type_mapping.hpp
/// relies on (DateStyle ISO, TimeZone UTC, bytea_output hex, extra_float_digits 3).
ConnectTarget replication_target(const CdcConfig& config, const std::string& application_name);

class PgConnection {
public:
    /// Connects, waiting at most `timeout`. Throws CdcError (kind from the refusal) or Stopped
    /// when `stop` is set and `wake` fires. `stop` and `wake` must outlive the connection.
    static PgConnection connect(const ConnectTarget& target, std::chrono::milliseconds timeout,
                                const std::atomic<bool>& stop, Wakeup& wake);

    PgConnection() = default;
    PgConnection(PgConnection&&) noexcept = default;
    PgConnection& operator=(PgConnection&&) noexcept = default;
    PgConnection(const PgConnection&) = delete;
    PgConnection& operator=(const PgConnection&) = delete;

    explicit operator bool() const { return conn_ != nullptr; }

    /// Hands the connection to another owner of a stop flag and wakeup (initialize connects,
    /// the session thread streams). Both must outlive the connection.
    void rebind(const std::atomic<bool>& stop, Wakeup& wake) {
        stop_ = &stop;
        wake_ = &wake;
    }

    /// Runs `sql` with the simple query protocol (the only one a replication connection speaks)
    /// and returns its last result, or the COPY result that starts a stream. Waits at most
    /// `timeout` (none: until done or stopped). Throws CdcError with the server's message and
    /// SQLSTATE, or Stopped.
    PgResult exec(const std::string& sql, std::optional<std::chrono::milliseconds> timeout = std::nullopt);

    /// 'text', escaped by libpq for this connection.
    std::string quote_literal(std::string_view text) const;
    /// "name", with embedded quotes doubled.
    static std::string quote_identifier(std::string_view name);

    /// Server version as PQserverVersion: 150018 for 15.18.
    int server_version() const;
    /// libpq's last error for this connection, trimmed (copy it: the next call replaces it).
    std::string last_error() const;
    /// "host=... port=... dbname=... user=..." of the live connection.
    std::string describe() const;

    pg_conn* get() const { return conn_.get(); }
    int socket() const;
    const std::atomic<bool>& stop_flag() const { return *stop_; }
    Wakeup& wakeup() const { return *wake_; }

    /// Waits until the socket is ready or `deadline`; returns false on timeout. Throws Stopped
    /// when stopping. Drains the wakeup.
    bool wait(bool for_read, bool for_write, std::optional<std::chrono::steady_clock::time_point> deadline) const;

    /// Waits for a wakeup or `deadline`, ignoring the socket. Throws Stopped when stopping.
    void sleep(std::chrono::steady_clock::time_point deadline) const;

    /// A CdcError for a failure of this connection (lost, closed): retryable.
    CdcError connection_error(const std::string& what) const;

private:
    struct Finish {
        void operator()(pg_conn* c) const noexcept;
    };
    std::unique_ptr<pg_conn, Finish> conn_;
    const std::atomic<bool>* stop_ = nullptr;
    Wakeup* wake_ = nullptr;
};

/// The error a failed result carries: "<primary message> (DETAIL ...; HINT ...)" and its
/// SQLSTATE, classified.
CdcError result_error(const PgResult& result, const std::string& context);

}  // namespace dcx::pgcdc
