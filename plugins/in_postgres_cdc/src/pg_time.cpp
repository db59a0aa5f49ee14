// SPDX-License-Identifier: Apache-2.0
// PostgreSQL epoch times; see pg_time.hpp.
#include "pg_time.hpp"

#include <cstdio>

namespace dcx::pgcdc {
namespace {

// Floor division and modulo, for times before the epoch.
int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Howard Hinnant's civil_from_days: days since 1970-01-01 to a proleptic Gregorian date.
void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
    z += 719468;
    const int64_t era = floor_div(z, 146097);
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = static_cast<int64_t>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
}

}  // namespace

int64_t pg_now_us() {
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
    return us - kPgEpochUnixSeconds * 1'000'000;
}

int64_t pg_us_to_unix_ms(int64_t pg_us) { return floor_div(pg_us, 1000) + kPgEpochUnixSeconds * 1000; }

std::string format_pg_timestamp(int64_t pg_us) {
    const int64_t unix_us = pg_us + kPgEpochUnixSeconds * 1'000'000;
    const int64_t secs = floor_div(unix_us, 1'000'000);
    const int64_t micros = unix_us - secs * 1'000'000;
    const int64_t days = floor_div(secs, 86400);
    const int64_t sod = secs - days * 86400;
    int64_t y = 0;
    unsigned m = 0, d = 0;
    civil_from_days(days, y, m, d);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02d.%06lldZ", static_cast<long long>(y), m, d,
                  static_cast<int>(sod / 3600), static_cast<int>(sod / 60 % 60), static_cast<int>(sod % 60),
                  static_cast<long long>(micros));
    return buf;
}

}  // namespace dcx::pgcdc
