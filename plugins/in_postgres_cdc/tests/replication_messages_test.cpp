// SPDX-License-Identifier: Apache-2.0
// The streaming replication frames: XLogData and Primary keepalive from the server, the Standby
// status update the plugin sends (byte exact), LSN text and PostgreSQL epoch times.
#include <catch2/catch.hpp>

#include "lsn.hpp"
#include "pg_time.hpp"
#include "replication_messages.hpp"
#include "wire_builder.hpp"

using namespace dcx::pgcdc;
using dcx::pgcdc::testing::Wire;

TEST_CASE("XLogData carries its WAL position and the pgoutput message", "[unit][cdc][replication]") {
    const std::string frame = Wire().ch('w').u64(0x100).u64(0x200).u64(77).raw("B...").bytes();
    const auto x = std::get<XLogData>(parse_replication_message(frame));
    CHECK(x.wal_start == 0x100);
    CHECK(x.wal_end == 0x200);
    CHECK(x.send_time_us == 77);
    CHECK(x.payload == "B...");
}

TEST_CASE("a keepalive says whether the server wants a reply", "[unit][cdc][replication]") {
    auto k = std::get<PrimaryKeepalive>(parse_replication_message(Wire().ch('k').u64(0xABC).u64(5).u8(1).bytes()));
    CHECK(k.wal_end == 0xABC);
    CHECK(k.reply_requested);
    k = std::get<PrimaryKeepalive>(parse_replication_message(Wire().ch('k').u64(1).u64(5).u8(0).bytes()));
    CHECK_FALSE(k.reply_requested);
}

TEST_CASE("short, long and unknown frames are ProtocolErrors", "[unit][cdc][replication]") {
    CHECK_THROWS_AS(parse_replication_message(""), ProtocolError);
    CHECK_THROWS_AS(parse_replication_message(Wire().ch('w').u64(1).u64(2).bytes()), ProtocolError);
    CHECK_THROWS_AS(parse_replication_message(Wire().ch('k').u64(1).u64(2).bytes()), ProtocolError);
    CHECK_THROWS_WITH(parse_replication_message(Wire().ch('k').u64(1).u64(2).u8(0).u8(0).bytes()),
                      Catch::Contains("trailing"));
    CHECK_THROWS_WITH(parse_replication_message("q"), Catch::Contains("unknown CopyData frame type 0x71"));
}

TEST_CASE("a standby status update is 'r' and four big-endian fields and a flag", "[unit][cdc][replication]") {
    const std::string msg = standby_status_update(0x0102030405060708, 0x10, 0x20, 0x30, true);
    const std::string expected =
        Wire().ch('r').u64(0x0102030405060708).u64(0x10).u64(0x20).u64(0x30).u8(1).bytes();
    CHECK(msg == expected);
    CHECK(msg.size() == 34);
}

TEST_CASE("LSNs print and parse as PostgreSQL writes them", "[unit][cdc][replication]") {
    CHECK(format_lsn(0) == "0/0");
    CHECK(format_lsn(0x16B3748) == "0/16B3748");
    CHECK(format_lsn(0x16B374D848) == "16/B374D848");
    CHECK(parse_lsn("16/B374D848") == 0x16B374D848);
    CHECK(parse_lsn("0/16b3748") == 0x16B3748);
    CHECK_FALSE(parse_lsn(""));
    CHECK_FALSE(parse_lsn("16"));
    CHECK_FALSE(parse_lsn("/1"));
    CHECK_FALSE(parse_lsn("1/"));
    CHECK_FALSE(parse_lsn("1/123456789"));
    CHECK_FALSE(parse_lsn("g/1"));
}

TEST_CASE("PostgreSQL epoch times convert to Unix milliseconds and RFC 3339", "[unit][cdc][replication]") {
    CHECK(pg_us_to_unix_ms(0) == 946'684'800'000);
    CHECK(format_pg_timestamp(0) == "2000-01-01T00:00:00.000000Z");
    // 2024-05-01 12:30:00.123456 UTC
    const int64_t t = (1'714'566'600LL - kPgEpochUnixSeconds) * 1'000'000 + 123'456;
    CHECK(format_pg_timestamp(t) == "2024-05-01T12:30:00.123456Z");
    CHECK(pg_us_to_unix_ms(t) == 1'714'566'600'123);
    CHECK(format_pg_timestamp(-1) == "1999-12-31T23:59:59.999999Z");
    CHECK(pg_now_us() > t);
}
