// SPDX-License-Identifier: Apache-2.0
// Errors a connector throws from any SDK hook; the SDK turns them into ABI status codes.
#pragma once

#include <stdexcept>
#include <string>

#include "dcx/plugin_api.h"

namespace dcx::sdk {

/// An error with the status the host should act on. Anything else thrown counts as fatal.
class Error : public std::runtime_error {
public:
    Error(dcx_status_t status, const std::string& message) : std::runtime_error(message), status_(status) {}
    dcx_status_t status() const noexcept { return status_; }

private:
    dcx_status_t status_;
};

/// Temporary failure (network, rate limit): the host backs off and calls again.
struct RetryableError : Error {
    explicit RetryableError(const std::string& message) : Error(DCX_STATUS_RETRYABLE, message) {}
};

/// The connector cannot go on: the host drains, commits, calls shutdown() and exits non-zero.
struct FatalError : Error {
    explicit FatalError(const std::string& message) : Error(DCX_STATUS_FATAL, message) {}
};

/// Invalid data: from poll(), source data was skipped; from SourceRecord builders, a bad value.
struct InvalidDataError : Error {
    explicit InvalidDataError(const std::string& message) : Error(DCX_STATUS_INVALID_RECORD, message) {}
};

/// Bad configuration (from initialize()): the daemon refuses to start, exit code 78.
struct ConfigError : Error {
    explicit ConfigError(const std::string& message) : Error(DCX_STATUS_CONFIG, message) {}
};

}  // namespace dcx::sdk
