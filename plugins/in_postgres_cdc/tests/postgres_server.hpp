// SPDX-License-Identifier: Apache-2.0
// A real PostgreSQL 15 for one test: initdb into a temporary directory owned by the `postgres`
// system user (the server refuses to run as root), started on a free 127.0.0.1 port with
// wal_level = logical and its Unix socket in that directory; stopped, restarted on the same
// port, and killed when the owner goes away. Every wait is bounded.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "temp_dir.hpp"

struct pg_conn;

namespace dcx::testing {

/// A free TCP port on 127.0.0.1 (bound, then released).
int free_tcp_port();

class PostgresServer {
public:
    struct Options {
        std::string wal_level = "logical";
        /// More "name=value" server settings.
        std::vector<std::string> settings;
    };

    /// Why the tests cannot run a server here (programs missing, no `postgres` user), or nullopt.
    static std::optional<std::string> unavailable();

    explicit PostgresServer(Options options);
    PostgresServer() : PostgresServer(Options{}) {}
    ~PostgresServer();
    PostgresServer(const PostgresServer&) = delete;
    PostgresServer& operator=(const PostgresServer&) = delete;

    int port() const { return port_; }
    /// libpq connection string over the Unix socket (trusted), for test setup.
    std::string socket_conninfo(const std::string& user, const std::string& dbname) const;
    /// libpq connection string over TCP to 127.0.0.1 (password authentication), without password.
    std::string tcp_conninfo(const std::string& user, const std::string& dbname) const;

    /// Fast shutdown (SIGINT), bounded.
    void stop();
    /// Starts again on the same port and data directory.
    void start();
    std::string log() const;

private:
    std::vector<std::string> as_postgres(std::vector<std::string> argv) const;

    Options options_;
    TempDir dir_;
    std::string pg_dir_;  // owned by the postgres user: data/ and the socket
    int port_ = 0;
    int generation_ = 0;
    std::unique_ptr<ChildProcess> process_;
};

/// A blocking libpq session for test SQL. Throws std::runtime_error with the server's message.
class SqlClient {
public:
    explicit SqlClient(const std::string& conninfo);
    ~SqlClient();
    SqlClient(const SqlClient&) = delete;
    SqlClient& operator=(const SqlClient&) = delete;

    using Row = std::vector<std::optional<std::string>>;
    std::vector<Row> query(const std::string& sql);
    /// The first column of the first row ("" for NULL or no row).
    std::string scalar(const std::string& sql);
    void exec(const std::string& sql) { query(sql); }
    /// Runs `sql` and accepts a COPY BOTH result (START_REPLICATION on a replication connection).
    void start_copy_both(const std::string& sql);

private:
    pg_conn* conn_ = nullptr;
};

}  // namespace dcx::testing
