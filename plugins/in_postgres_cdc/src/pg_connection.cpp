// SPDX-License-Identifier: Apache-2.0
// libpq connection and results; see pg_connection.hpp.
#include "pg_connection.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <map>

namespace dcx::pgcdc {
namespace {

using Clock = std::chrono::steady_clock;

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
    return s;
}

struct ConninfoFree {
    void operator()(PQconninfoOption* o) const noexcept { PQconninfoFree(o); }
};

// The settings type_mapping.hpp relies on; sent as startup options, so they also hold in the
// walsender that runs pgoutput.
constexpr const char* kSessionOptions =
    "-c datestyle=ISO -c timezone=UTC -c intervalstyle=postgres -c extra_float_digits=3 -c bytea_output=hex";

}  // namespace

// ---- PgResult ----------------------------------------------------------------------------------

void PgResult::Clear::operator()(pg_result* r) const noexcept { PQclear(r); }

int PgResult::rows() const { return result_ ? PQntuples(result_.get()) : 0; }
int PgResult::columns() const { return result_ ? PQnfields(result_.get()) : 0; }

std::optional<std::string_view> PgResult::value(int row, int column) const {
    if (PQgetisnull(result_.get(), row, column)) return std::nullopt;
    return std::string_view(PQgetvalue(result_.get(), row, column),
                            static_cast<size_t>(PQgetlength(result_.get(), row, column)));
}

std::string PgResult::text(int row, int column) const {
    const auto v = value(row, column);
    return v ? std::string(*v) : std::string();
}

std::string PgResult::column_name(int column) const {
    const char* n = PQfname(result_.get(), column);
    return n ? n : "";
}

uint32_t PgResult::column_type(int column) const { return PQftype(result_.get(), column); }

CdcError result_error(const PgResult& result, const std::string& context) {
    pg_result* r = result.get();
    const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
    const char* primary = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    const char* detail = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL) : nullptr;
    const char* hint = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_HINT) : nullptr;
    std::string message = primary ? primary : (r ? trim(PQresultErrorMessage(r)) : "no result");
    if (detail) message += " (DETAIL: " + std::string(detail) + ")";
    if (hint) message += " (HINT: " + std::string(hint) + ")";
    const std::string sqlstate = state ? state : "";
    return CdcError(sqlstate.empty() ? ErrorKind::fatal : classify_sqlstate(sqlstate),
                    context + ": " + message + (sqlstate.empty() ? "" : " [SQLSTATE " + sqlstate + "]"), sqlstate);
}

// ---- target ------------------------------------------------------------------------------------

ConnectTarget replication_target(const CdcConfig& config, const std::string& application_name) {
    char* err = nullptr;
    std::unique_ptr<PQconninfoOption, ConninfoFree> opts(PQconninfoParse(config.connection.c_str(), &err));
    if (err) PQfreemem(err);
    if (!opts) throw CdcError(ErrorKind::setup, "postgres_cdc.connection is not a valid libpq connection string");
    std::map<std::string, std::string> values;
    for (const PQconninfoOption* o = opts.get(); o->keyword; ++o) {
        if (o->val) values[o->keyword] = o->val;
    }
    ConnectTarget t;
    auto shown = [&](const char* key, const char* fallback) {
        const auto it = values.find(key);
        return std::string(key) + "=" + (it != values.end() && !it->second.empty() ? it->second : fallback);
    };
    t.description = shown("host", "(libpq default)") + " " + shown("port", "(default)") + " " +
                    shown("dbname", "(default)") + " " + shown("user", "(default)");
    values.erase("replication");
    values["replication"] = "database";
    if (config.password) values["password"] = *config.password;
    values["client_encoding"] = "UTF8";
    if (!values.count("application_name")) values["application_name"] = application_name;
    const auto options = values.find("options");
    values["options"] = (options != values.end() && !options->second.empty() ? options->second + " " : "") + kSessionOptions;
    for (auto& [k, v] : values) t.params.emplace_back(k, v);
    return t;
}

// ---- PgConnection ------------------------------------------------------------------------------

void PgConnection::Finish::operator()(pg_conn* c) const noexcept { PQfinish(c); }

PgConnection PgConnection::connect(const ConnectTarget& target, std::chrono::milliseconds timeout,
                                   const std::atomic<bool>& stop, Wakeup& wake) {
    std::vector<const char*> keys;
    std::vector<const char*> values;
    for (const auto& [k, v] : target.params) {
        keys.push_back(k.c_str());
        values.push_back(v.c_str());
    }
    keys.push_back(nullptr);
    values.push_back(nullptr);

    PgConnection c;
    c.stop_ = &stop;
    c.wake_ = &wake;
    c.conn_.reset(PQconnectStartParams(keys.data(), values.data(), 0));
    if (!c.conn_) throw CdcError(ErrorKind::retryable, "cannot connect to " + target.description + ": out of memory");
    const auto fail = [&](const std::string& why) {
        const std::string hint = connect_failure_hint(why);
        return CdcError(classify_connect_failure(why), "cannot connect to PostgreSQL (" + target.description + "): " + why +
                                                           (hint.empty() ? "" : " (" + hint + ")"));
    };
    if (PQstatus(c.get()) == CONNECTION_BAD) throw fail(c.last_error());

    const auto deadline = Clock::now() + timeout;
    PostgresPollingStatusType st = PGRES_POLLING_WRITING;
    while (st != PGRES_POLLING_OK) {
        if (st == PGRES_POLLING_FAILED) throw fail(c.last_error());
        if (!c.wait(st == PGRES_POLLING_READING, st == PGRES_POLLING_WRITING, deadline)) {
            if (Clock::now() >= deadline) {
                throw CdcError(ErrorKind::retryable, "cannot connect to PostgreSQL (" + target.description +
                                                         "): no answer within " +
                                                         std::to_string(timeout.count() / 1000) + " s");
            }
            continue;  // woken without a stop: the socket is not ready yet
        }
        st = PQconnectPoll(c.get());
    }
    if (PQsetnonblocking(c.get(), 1) != 0) throw c.connection_error("cannot make the connection non-blocking");
    return c;
}

bool PgConnection::wait(bool for_read, bool for_write, std::optional<Clock::time_point> deadline) const {
    int timeout_ms = -1;
    if (deadline) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - Clock::now()).count();
        timeout_ms = static_cast<int>(std::clamp<int64_t>(left, 0, 1'000'000));
    }
    const bool ready = wait_socket(socket(), for_read, for_write, *wake_, timeout_ms);
    wake_->drain();
    if (stop_->load(std::memory_order_acquire)) throw Stopped{};
    return ready;
}

void PgConnection::sleep(Clock::time_point deadline) const {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    wait_socket(-1, false, false, *wake_, static_cast<int>(std::clamp<int64_t>(left, 0, 1'000'000)));
    wake_->drain();
    if (stop_->load(std::memory_order_acquire)) throw Stopped{};
}

int PgConnection::socket() const { return PQsocket(conn_.get()); }
int PgConnection::server_version() const { return PQserverVersion(conn_.get()); }
std::string PgConnection::last_error() const { return trim(PQerrorMessage(conn_.get())); }

std::string PgConnection::describe() const {
    auto s = [](const char* v) { return std::string(v && *v ? v : "?"); };
    return "host=" + s(PQhost(get())) + " port=" + s(PQport(get())) + " dbname=" + s(PQdb(get())) +
           " user=" + s(PQuser(get()));
}

CdcError PgConnection::connection_error(const std::string& what) const {
    return CdcError(ErrorKind::retryable, what + ": " + last_error());
}

std::string PgConnection::quote_literal(std::string_view text) const {
    char* q = PQescapeLiteral(conn_.get(), text.data(), text.size());
    if (!q) throw connection_error("cannot quote a literal");
    std::string out(q);
    PQfreemem(q);
    return out;
}

std::string PgConnection::quote_identifier(std::string_view name) {
    std::string out = "\"";
    for (const char c : name) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

PgResult PgConnection::exec(const std::string& sql, std::optional<std::chrono::milliseconds> timeout) {
    const std::string shown = sql.size() > 80 ? sql.substr(0, 77) + "..." : sql;
    if (!PQsendQuery(get(), sql.c_str())) throw connection_error("cannot send query " + shown);
    std::optional<Clock::time_point> deadline;
    if (timeout) deadline = Clock::now() + *timeout;
    const auto timed_out = [&] {
        // Ask the server to stop; the connection is dropped by the caller anyway.
        if (PGcancel* cancel = PQgetCancel(get())) {
            char buf[256];
            PQcancel(cancel, buf, sizeof buf);
            PQfreeCancel(cancel);
        }
        return CdcError(ErrorKind::retryable, "no answer within " + std::to_string(timeout->count() / 1000) +
                                                  " s to " + shown + " (query_timeout_secs)");
    };
    for (int f = PQflush(get()); f != 0; f = PQflush(get())) {
        if (f < 0) throw connection_error("cannot send query " + shown);
        if (!wait(false, true, deadline) && deadline && Clock::now() >= *deadline) throw timed_out();
    }
    PgResult last;
    PgResult first_error;
    while (true) {
        if (!PQisBusy(get())) {
            pg_result* r = PQgetResult(get());
            if (!r) break;
            PgResult res(r);
            switch (PQresultStatus(r)) {
                case PGRES_COPY_BOTH:
                case PGRES_COPY_OUT:
                case PGRES_COPY_IN: return res;
                case PGRES_BAD_RESPONSE:
                case PGRES_NONFATAL_ERROR:
                case PGRES_FATAL_ERROR:
                    if (!first_error.get()) first_error = std::move(res);
                    break;
                default: last = std::move(res); break;
            }
            continue;
        }
        if (!wait(true, false, deadline)) {
            if (deadline && Clock::now() >= *deadline) throw timed_out();
            continue;
        }
        if (!PQconsumeInput(get())) throw connection_error("connection lost during " + shown);
    }
    if (first_error.get()) throw result_error(first_error, shown);
    if (PQstatus(get()) != CONNECTION_OK) throw connection_error("connection lost during " + shown);
    return last;
}

}  // namespace dcx::pgcdc
