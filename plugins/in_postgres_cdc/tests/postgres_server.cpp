// SPDX-License-Identifier: Apache-2.0
#include "postgres_server.hpp"

#include <arpa/inet.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>

namespace dcx::testing {
namespace {

constexpr const char* kSetpriv = "/usr/bin/setpriv";

bool running_as_root() { return ::geteuid() == 0; }

std::string bin(const std::string& name) { return std::string(DCX_PG_BINDIR) + "/" + name; }

void chown_to_postgres(const std::string& path) {
    if (!running_as_root()) return;
    const passwd* pw = ::getpwnam("postgres");
    if (!pw || ::chown(path.c_str(), pw->pw_uid, pw->pw_gid) != 0) throw std::runtime_error("cannot chown " + path + " to postgres");
}

}  // namespace

int free_tcp_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
        if (fd >= 0) ::close(fd);
        throw std::runtime_error("cannot find a free port");
    }
    ::close(fd);
    return ntohs(a.sin_port);
}

std::optional<std::string> PostgresServer::unavailable() {
    for (const char* p : {"initdb", "postgres"}) {
        if (::access(bin(p).c_str(), X_OK) != 0) return bin(p) + " is missing (scripts/install-deps installs postgresql)";
    }
    if (running_as_root()) {
        if (!::getpwnam("postgres")) return std::string("there is no 'postgres' system user to run the server as");
        if (::access(kSetpriv, X_OK) != 0) return std::string(kSetpriv) + " is missing";
    }
    return std::nullopt;
}

std::vector<std::string> PostgresServer::as_postgres(std::vector<std::string> argv) const {
    if (!running_as_root()) return argv;
    std::vector<std::string> out{kSetpriv, "--reuid=postgres", "--regid=postgres", "--init-groups", "--"};
    out.insert(out.end(), argv.begin(), argv.end());
    return out;
}

PostgresServer::PostgresServer(Options options) : options_(std::move(options)) {
    // The postgres user must reach its directory inside ours.
    ::chmod(dir_.path().c_str(), 0755);
    pg_dir_ = (dir_ / "pg").string();
    std::filesystem::create_directories(pg_dir_);
    ::chmod(pg_dir_.c_str(), 0700);
    chown_to_postgres(pg_dir_);
    port_ = free_tcp_port();

    ChildProcess initdb(as_postgres({bin("initdb"), "-D", pg_dir_ + "/data", "-U", "postgres", "--auth=trust",
                                     "--no-sync", "--encoding=UTF8", "--locale=C"}),
                        dir_ / "initdb");
    const auto code = initdb.wait_for_exit(std::chrono::seconds(60));
    if (code != 0) throw std::runtime_error("initdb failed: " + initdb.stdout_text() + initdb.stderr_text());
    // Trust on the socket (test setup), passwords over TCP (the daemon), as a real server would.
    const std::string hba = pg_dir_ + "/data/pg_hba.conf";
    write_file(hba,
               "local all all trust\n"
               "host all all 127.0.0.1/32 scram-sha-256\n");
    chown_to_postgres(hba);
    start();
}

PostgresServer::~PostgresServer() {
    if (process_ && process_->running()) {
        process_->signal(SIGQUIT);  // immediate shutdown: the data is thrown away anyway
        if (!process_->wait_for_exit(std::chrono::seconds(10))) process_->kill_now();
    }
}

void PostgresServer::start() {
    std::vector<std::string> argv{bin("postgres"), "-D", pg_dir_ + "/data", "-p", std::to_string(port_), "-k", pg_dir_,
                                  "-c", "listen_addresses=127.0.0.1", "-c", "wal_level=" + options_.wal_level,
                                  "-c", "max_replication_slots=8", "-c", "max_wal_senders=8", "-c", "max_connections=30",
                                  "-c", "shared_buffers=16MB", "-c", "fsync=off", "-c", "full_page_writes=off",
                                  "-c", "synchronous_commit=off", "-c", "logging_collector=off",
                                  "-c", "log_min_messages=warning", "-c", "wal_sender_timeout=5s"};
    for (const auto& s : options_.settings) {
        argv.push_back("-c");
        argv.push_back(s);
    }
    process_ = std::make_unique<ChildProcess>(as_postgres(argv), dir_ / ("postgres-" + std::to_string(generation_++)));
    const std::string conninfo = socket_conninfo("postgres", "postgres") + " connect_timeout=2";
    const bool up = wait_until(
        [&] {
            if (!process_->running()) return true;
            return PQping(conninfo.c_str()) == PQPING_OK;
        },
        std::chrono::seconds(30));
    if (!up || !process_->running()) throw std::runtime_error("PostgreSQL did not start: " + log());
}

void PostgresServer::stop() {
    process_->signal(SIGINT);  // fast shutdown: sessions end, WAL is flushed
    if (!process_->wait_for_exit(std::chrono::seconds(30))) {
        process_->kill_now();
        throw std::runtime_error("PostgreSQL ignored SIGINT for 30 s");
    }
}

std::string PostgresServer::log() const {
    std::string all;
    for (int g = 0; g < generation_; ++g) all += read_file(dir_ / ("postgres-" + std::to_string(g) + ".stderr"));
    return all;
}

std::string PostgresServer::socket_conninfo(const std::string& user, const std::string& dbname) const {
    return "host=" + pg_dir_ + " port=" + std::to_string(port_) + " user=" + user + " dbname=" + dbname;
}

std::string PostgresServer::tcp_conninfo(const std::string& user, const std::string& dbname) const {
    return "host=127.0.0.1 port=" + std::to_string(port_) + " user=" + user + " dbname=" + dbname;
}

// ---- SqlClient ---------------------------------------------------------------------------------

SqlClient::SqlClient(const std::string& conninfo) : conn_(PQconnectdb((conninfo + " connect_timeout=10").c_str())) {
    if (PQstatus(conn_) != CONNECTION_OK) {
        const std::string why = PQerrorMessage(conn_);
        PQfinish(conn_);
        conn_ = nullptr;
        throw std::runtime_error("cannot connect (" + conninfo + "): " + why);
    }
}

SqlClient::~SqlClient() { PQfinish(conn_); }

std::vector<SqlClient::Row> SqlClient::query(const std::string& sql) {
    PGresult* r = PQexec(conn_, sql.c_str());
    const auto status = PQresultStatus(r);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        const std::string why = r ? PQresultErrorMessage(r) : PQerrorMessage(conn_);
        PQclear(r);
        throw std::runtime_error("SQL failed: " + sql.substr(0, 200) + ": " + why);
    }
    std::vector<Row> rows;
    for (int i = 0; i < PQntuples(r); ++i) {
        Row row;
        for (int c = 0; c < PQnfields(r); ++c) {
            if (PQgetisnull(r, i, c)) row.emplace_back(std::nullopt);
            else row.emplace_back(std::string(PQgetvalue(r, i, c), static_cast<size_t>(PQgetlength(r, i, c))));
        }
        rows.push_back(std::move(row));
    }
    PQclear(r);
    return rows;
}

std::string SqlClient::scalar(const std::string& sql) {
    const auto rows = query(sql);
    if (rows.empty() || rows[0].empty() || !rows[0][0]) return "";
    return *rows[0][0];
}

void SqlClient::start_copy_both(const std::string& sql) {
    PGresult* r = PQexec(conn_, sql.c_str());
    const auto status = PQresultStatus(r);
    const std::string why = status == PGRES_COPY_BOTH ? "" : (r ? PQresultErrorMessage(r) : PQerrorMessage(conn_));
    PQclear(r);
    if (status != PGRES_COPY_BOTH) throw std::runtime_error("expected a replication stream: " + why);
}

}  // namespace dcx::testing
