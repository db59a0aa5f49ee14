// SPDX-License-Identifier: Apache-2.0
// CopyData frames of the streaming replication protocol; see replication_messages.hpp.
#include "replication_messages.hpp"

#include <cstdio>

namespace dcx::pgcdc {
namespace {

void put_be(std::string& out, uint64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

}  // namespace

ReplicationMessage parse_replication_message(std::string_view frame) {
    if (frame.empty()) throw ProtocolError("replication stream: empty CopyData frame");
    switch (frame[0]) {
        case 'w': {
            ByteReader r(frame.substr(1), "XLogData");
            XLogData m;
            m.wal_start = r.u64();
            m.wal_end = r.u64();
            m.send_time_us = r.i64();
            m.payload = r.bytes(r.remaining());
            return m;
        }
        case 'k': {
            ByteReader r(frame.substr(1), "Primary keepalive");
            PrimaryKeepalive m;
            m.wal_end = r.u64();
            m.send_time_us = r.i64();
            m.reply_requested = r.u8() != 0;
            r.expect_end();
            return m;
        }
        default: {
            char buf[96];
            std::snprintf(buf, sizeof buf, "replication stream: unknown CopyData frame type 0x%02X",
                          static_cast<unsigned>(static_cast<uint8_t>(frame[0])));
            throw ProtocolError(buf);
        }
    }
}

std::string standby_status_update(uint64_t written, uint64_t flushed, uint64_t applied, int64_t now_pg_us,
                                  bool reply_requested) {
    std::string out;
    out.reserve(34);
    out.push_back('r');
    put_be(out, written, 8);
    put_be(out, flushed, 8);
    put_be(out, applied, 8);
    put_be(out, static_cast<uint64_t>(now_pg_us), 8);
    out.push_back(reply_requested ? 1 : 0);
    return out;
}

}  // namespace dcx::pgcdc
