// SPDX-License-Identifier: Apache-2.0
// PostgreSQL's replication timestamps: microseconds since 2000-01-01 00:00:00 UTC.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace dcx::pgcdc {

/// Seconds from the Unix epoch to PostgreSQL's epoch (2000-01-01 UTC).
inline constexpr int64_t kPgEpochUnixSeconds = 946'684'800;

/// Now, in PostgreSQL epoch microseconds (the send time of a standby status update).
int64_t pg_now_us();
/// PostgreSQL epoch microseconds to Unix epoch milliseconds.
int64_t pg_us_to_unix_ms(int64_t pg_us);
/// RFC 3339 in UTC with microseconds: "2024-05-01T12:30:00.123456Z".
std::string format_pg_timestamp(int64_t pg_us);

}  // namespace dcx::pgcdc
