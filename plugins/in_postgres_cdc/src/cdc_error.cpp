// SPDX-License-Identifier: Apache-2.0
// Error classification; see cdc_error.hpp. SQLSTATEs from PostgreSQL's errcodes.txt.
#include "cdc_error.hpp"

#include <array>
#include <string_view>

namespace dcx::pgcdc {

ErrorKind classify_sqlstate(const std::string& s) {
    if (s.size() != 5) return ErrorKind::fatal;
    const std::string_view cls = std::string_view(s).substr(0, 2);
    if (cls == "08") return ErrorKind::retryable;  // connection_exception
    if (cls == "28") return ErrorKind::setup;      // invalid_authorization_specification
    if (s == "57P01" || s == "57P02" || s == "57P03") return ErrorKind::retryable;  // admin/crash shutdown, cannot connect now
    if (s == "53300") return ErrorKind::retryable;  // too_many_connections (max_wal_senders too)
    if (s == "55006") return ErrorKind::retryable;  // object_in_use: the slot is active elsewhere
    if (s == "40001" || s == "40P01") return ErrorKind::retryable;  // serialization failure, deadlock
    if (s == "57014") return ErrorKind::retryable;  // query_canceled (our own timeout)
    if (s == "42501") return ErrorKind::setup;      // insufficient_privilege
    if (s == "42704" || s == "42P01") return ErrorKind::setup;  // undefined object / table
    if (s == "3D000") return ErrorKind::setup;      // invalid_catalog_name: no such database
    if (s == "53400") return ErrorKind::setup;      // configuration_limit_exceeded (max_replication_slots)
    if (s == "55000") return ErrorKind::setup;      // object_not_in_prerequisite_state (wal_level, invalidated slot)
    if (s == "42710") return ErrorKind::setup;      // duplicate_object
    return ErrorKind::fatal;
}

ErrorKind classify_connect_failure(const std::string& message) {
    // Server messages of PostgreSQL 15 for refusals that waiting does not cure (auth.c,
    // postinit.c, walsender startup). They are English unless the server sets lc_messages.
    static constexpr std::array<std::string_view, 7> kSetup = {
        "password authentication failed", "no pg_hba.conf entry", "must be superuser or replication role",
        "permission denied", "does not exist", "no password supplied", "authentication failed"};
    for (const auto s : kSetup) {
        if (message.find(s) != std::string::npos) return ErrorKind::setup;
    }
    return ErrorKind::retryable;
}

std::string connect_failure_hint(const std::string& message) {
    if (message.find("must be superuser or replication role") != std::string::npos) {
        return "the user needs the REPLICATION attribute: ALTER ROLE <user> WITH REPLICATION";
    }
    if (message.find("password authentication failed") != std::string::npos ||
        message.find("no password supplied") != std::string::npos) {
        return "check the password in the environment variable named by password_env (or PGPASSWORD, ~/.pgpass)";
    }
    if (message.find("no pg_hba.conf entry") != std::string::npos) {
        return "add a pg_hba.conf line for this user and database (logical replication matches the database's "
               "lines, not the 'replication' keyword)";
    }
    return "";
}

}  // namespace dcx::pgcdc
