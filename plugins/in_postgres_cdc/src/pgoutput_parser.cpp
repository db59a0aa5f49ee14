// SPDX-License-Identifier: Apache-2.0
// pgoutput protocol 1 decoding; see pgoutput_parser.hpp. Field order and sizes follow the
// PostgreSQL 15 documentation, "Logical Replication Message Formats" (protocol-logicalrep-message-formats).
#include "pgoutput_parser.hpp"

#include <cstdio>
#include <iterator>

namespace dcx::pgcdc {
namespace {

// The smallest encoding of one TupleData column ('n' alone) and of one Relation column
// (flags, empty name's NUL, type oid, type modifier): counts above remaining / size are lies.
constexpr size_t kMinTupleColumnBytes = 1;
constexpr size_t kMinRelationColumnBytes = 1 + 1 + 4 + 4;

TupleData read_tuple(ByteReader& r) {
    const uint16_t count = r.u16();
    if (count > r.remaining() / kMinTupleColumnBytes) {
        r.fail("TupleData declares " + std::to_string(count) + " columns but only " + std::to_string(r.remaining()) +
               " bytes are left");
    }
    TupleData out;
    out.reserve(count);
    for (uint16_t i = 0; i < count; ++i) {
        ColumnValue v;
        const uint8_t kind = r.u8();
        switch (kind) {
            case 'n': v.kind = ColumnValue::Kind::null; break;
            case 'u': v.kind = ColumnValue::Kind::unchanged_toast; break;
            case 't':
            case 'b': {
                v.kind = kind == 't' ? ColumnValue::Kind::text : ColumnValue::Kind::binary;
                const uint32_t len = r.u32();
                v.data = std::string(r.bytes(len));
                break;
            }
            default: {
                char buf[64];
                std::snprintf(buf, sizeof buf, "column %u has unknown value kind 0x%02X", static_cast<unsigned>(i), kind);
                r.fail(buf);
            }
        }
        out.push_back(std::move(v));
    }
    return out;
}

// The byte that introduces a tuple: 'N' (new), 'K' (old key), 'O' (old row).
char tuple_marker(ByteReader& r, const char* allowed) {
    const auto c = static_cast<char>(r.u8());
    for (const char* a = allowed; *a; ++a) {
        if (c == *a) return c;
    }
    char buf[80];
    std::snprintf(buf, sizeof buf, "expected a tuple marker (one of %s), got 0x%02X", allowed,
                  static_cast<unsigned>(static_cast<uint8_t>(c)));
    r.fail(buf);
}

PgoutputMessage parse_relation(ByteReader& r) {
    RelationMessage m;
    m.relation_id = r.u32();
    m.schema = r.cstring();
    m.table = r.cstring();
    m.replica_identity = static_cast<char>(r.u8());
    const uint16_t count = r.u16();
    if (count > r.remaining() / kMinRelationColumnBytes) {
        r.fail("declares " + std::to_string(count) + " columns but only " + std::to_string(r.remaining()) +
               " bytes are left");
    }
    m.columns.reserve(count);
    for (uint16_t i = 0; i < count; ++i) {
        RelationColumn c;
        c.key = (r.u8() & 1) != 0;
        c.name = r.cstring();
        c.type_oid = r.u32();
        c.type_modifier = static_cast<int32_t>(r.u32());
        m.columns.push_back(std::move(c));
    }
    r.expect_end();
    return m;
}

}  // namespace

PgoutputMessage parse_pgoutput(std::string_view data) {
    if (data.empty()) throw ProtocolError("pgoutput: empty message");
    const auto type = static_cast<char>(data[0]);
    const std::string_view body = data.substr(1);
    switch (type) {
        case 'B': {
            ByteReader r(body, "pgoutput Begin");
            BeginMessage m;
            m.final_lsn = r.u64();
            m.commit_time_us = r.i64();
            m.xid = r.u32();
            r.expect_end();
            return m;
        }
        case 'C': {
            ByteReader r(body, "pgoutput Commit");
            CommitMessage m;
            m.flags = r.u8();
            m.commit_lsn = r.u64();
            m.end_lsn = r.u64();
            m.commit_time_us = r.i64();
            r.expect_end();
            if (m.end_lsn < m.commit_lsn) r.fail("end LSN is before the commit LSN");
            return m;
        }
        case 'O': {
            ByteReader r(body, "pgoutput Origin");
            OriginMessage m;
            m.origin_lsn = r.u64();
            m.name = r.cstring();
            r.expect_end();
            return m;
        }
        case 'R': {
            ByteReader r(body, "pgoutput Relation");
            return parse_relation(r);
        }
        case 'Y': {
            ByteReader r(body, "pgoutput Type");
            TypeMessage m;
            m.type_oid = r.u32();
            m.schema = r.cstring();
            m.name = r.cstring();
            r.expect_end();
            return m;
        }
        case 'I': {
            ByteReader r(body, "pgoutput Insert");
            InsertMessage m;
            m.relation_id = r.u32();
            tuple_marker(r, "N");
            m.new_tuple = read_tuple(r);
            r.expect_end();
            return m;
        }
        case 'U': {
            ByteReader r(body, "pgoutput Update");
            UpdateMessage m;
            m.relation_id = r.u32();
            const char marker = tuple_marker(r, "KON");
            if (marker != 'N') {
                m.old_kind = marker;
                m.old_tuple = read_tuple(r);
                tuple_marker(r, "N");
            }
            m.new_tuple = read_tuple(r);
            r.expect_end();
            return m;
        }
        case 'D': {
            ByteReader r(body, "pgoutput Delete");
            DeleteMessage m;
            m.relation_id = r.u32();
            m.old_kind = tuple_marker(r, "KO");
            m.old_tuple = read_tuple(r);
            r.expect_end();
            return m;
        }
        case 'T': {
            ByteReader r(body, "pgoutput Truncate");
            TruncateMessage m;
            const uint32_t count = r.u32();
            m.options = r.u8();
            if (count > r.remaining() / 4) {
                r.fail("declares " + std::to_string(count) + " relations but only " + std::to_string(r.remaining()) +
                       " bytes are left");
            }
            m.relation_ids.reserve(count);
            for (uint32_t i = 0; i < count; ++i) m.relation_ids.push_back(r.u32());
            r.expect_end();
            return m;
        }
        case 'M': {
            ByteReader r(body, "pgoutput Message");
            LogicalMessage m;
            m.flags = r.u8();
            m.lsn = r.u64();
            m.prefix = r.cstring();
            m.size = r.u32();
            r.bytes(m.size);
            r.expect_end();
            return m;
        }
        default: {
            char code[16];
            std::snprintf(code, sizeof code, "0x%02X", static_cast<unsigned>(static_cast<uint8_t>(type)));
            const char shown = (type >= 0x20 && type < 0x7F) ? type : '?';
            throw ProtocolError(std::string("pgoutput: unsupported message type ") + code + " ('" + shown +
                                "'); the plugin speaks protocol version 1 (Begin, Commit, Relation, Type, Insert, "
                                "Update, Delete, Truncate, Origin, Message)");
        }
    }
}

const char* message_name(const PgoutputMessage& m) {
    static constexpr const char* kNames[] = {"Begin",  "Commit", "Origin", "Relation", "Type",
                                             "Insert", "Update", "Delete", "Truncate", "Message"};
    static_assert(std::size(kNames) == std::variant_size_v<PgoutputMessage>);
    return kNames[m.index()];
}

}  // namespace dcx::pgcdc
