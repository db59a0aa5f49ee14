// SPDX-License-Identifier: Apache-2.0
// Decoding of pgoutput's logical replication messages, protocol version 1 (PostgreSQL docs,
// "Logical Replication Message Formats"): Begin, Commit, Relation, Type, Insert, Update,
// Delete, Truncate, plus Origin and Message, which the plugin skips. The bytes come from the
// network: anything truncated, oversized or unknown is a ProtocolError, never a crash.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "byte_reader.hpp"

namespace dcx::pgcdc {

/// One column of a Relation message.
struct RelationColumn {
    bool key = false;          // part of the replica identity (flag 1)
    std::string name;
    uint32_t type_oid = 0;
    int32_t type_modifier = -1;
};

/// 'R': the layout of a table, sent before its first change in a session and after it changed.
struct RelationMessage {
    uint32_t relation_id = 0;
    std::string schema;        // pgoutput sends "" for pg_catalog
    std::string table;
    char replica_identity = 'd';  // 'd' default, 'n' nothing, 'f' full, 'i' index
    std::vector<RelationColumn> columns;
};

/// One value of a TupleData.
struct ColumnValue {
    enum class Kind : uint8_t { null, unchanged_toast, text, binary };
    Kind kind = Kind::null;
    std::string data;          // text or binary bytes; empty for null and unchanged_toast
};
using TupleData = std::vector<ColumnValue>;

/// 'B': a transaction starts. Protocol 1 sends only committed transactions, whole.
struct BeginMessage {
    uint64_t final_lsn = 0;    // the LSN of the transaction's commit record
    int64_t commit_time_us = 0;  // PostgreSQL epoch microseconds
    uint32_t xid = 0;
};

/// 'C': the transaction ends.
struct CommitMessage {
    uint8_t flags = 0;
    uint64_t commit_lsn = 0;   // = BeginMessage::final_lsn
    uint64_t end_lsn = 0;      // the end of the commit record: what a consumer confirms
    int64_t commit_time_us = 0;
};

/// 'O': the transaction was replicated from another origin.
struct OriginMessage {
    uint64_t origin_lsn = 0;
    std::string name;
};

/// 'Y': a non-built-in type used by a following Relation.
struct TypeMessage {
    uint32_t type_oid = 0;
    std::string schema;
    std::string name;
};

/// 'I'
struct InsertMessage {
    uint32_t relation_id = 0;
    TupleData new_tuple;
};

/// 'U': `old_kind` is 'K' (old replica identity key), 'O' (old row, REPLICA IDENTITY FULL) or 0
/// (no old tuple: the key did not change).
struct UpdateMessage {
    uint32_t relation_id = 0;
    char old_kind = 0;
    TupleData old_tuple;
    TupleData new_tuple;
};

/// 'D': `old_kind` is 'K' or 'O'.
struct DeleteMessage {
    uint32_t relation_id = 0;
    char old_kind = 'K';
    TupleData old_tuple;
};

/// 'T'
struct TruncateMessage {
    static constexpr uint8_t kCascade = 1;
    static constexpr uint8_t kRestartIdentity = 2;
    uint8_t options = 0;
    std::vector<uint32_t> relation_ids;
};

/// 'M': a pg_logical_emit_message() payload (only sent with the `messages` option); skipped.
struct LogicalMessage {
    uint8_t flags = 0;
    uint64_t lsn = 0;
    std::string prefix;
    uint64_t size = 0;
};

using PgoutputMessage = std::variant<BeginMessage, CommitMessage, OriginMessage, RelationMessage, TypeMessage,
                                     InsertMessage, UpdateMessage, DeleteMessage, TruncateMessage, LogicalMessage>;

/// Decodes one pgoutput message (the payload of one XLogData). Throws ProtocolError.
PgoutputMessage parse_pgoutput(std::string_view data);

/// "Insert", "Begin", ... for messages and logs.
const char* message_name(const PgoutputMessage& m);

}  // namespace dcx::pgcdc
