// SPDX-License-Identifier: Apache-2.0
// Errors of the PostgreSQL side, classified by what to do next (libpqxx's rule: the type says
// whether to retry). The classification is made once, where the error is read from libpq.
#pragma once

#include <stdexcept>
#include <string>

namespace dcx::pgcdc {

enum class ErrorKind {
    /// Try again later: connection refused or lost, server starting or stopping, the slot is in
    /// use by another consumer, too many connections.
    retryable,
    /// The server or its objects need fixing: wal_level, privileges, authentication, a missing
    /// publication or slot. At startup this is a configuration error (exit code 78).
    setup,
    /// Anything retrying cannot fix: a protocol violation, an unexpected answer.
    fatal,
};

class CdcError : public std::runtime_error {
public:
    CdcError(ErrorKind kind, const std::string& message, std::string sqlstate = {})
        : std::runtime_error(message), kind_(kind), sqlstate_(std::move(sqlstate)) {}
    ErrorKind kind() const noexcept { return kind_; }
    /// The server's SQLSTATE, when the error came with one.
    const std::string& sqlstate() const noexcept { return sqlstate_; }

private:
    ErrorKind kind_;
    std::string sqlstate_;
};

/// What to do about a refused connection, from libpq's message ("" when nothing specific).
std::string connect_failure_hint(const std::string& message);

/// The session was asked to stop while it waited: not an error.
struct Stopped {};

/// What to do with an error that came with `sqlstate`.
ErrorKind classify_sqlstate(const std::string& sqlstate);
/// What to do with a failed connection attempt, from libpq's message (libpq gives no SQLSTATE
/// for them); unknown messages count as retryable.
ErrorKind classify_connect_failure(const std::string& message);

}  // namespace dcx::pgcdc
