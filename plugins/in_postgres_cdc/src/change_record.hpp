// SPDX-License-Identifier: Apache-2.0
// One row change as a record: the JSON payload, the key (primary key values, so the host routes
// one row's changes to one partition, in order) and the pg.* attributes.
//
// Payload (keys sorted by the host):
//   {"op": "insert" | "update" | "delete" | "truncate" | "snapshot",
//    "schema": "public", "table": "orders",
//    "new": {column: value, ...},          insert, update, snapshot
//    "old": {column: value, ...},          delete; update when PostgreSQL sent the old row or key
//    "unchanged_toast": ["column", ...],   update: large values PostgreSQL did not resend
//    "cascade": bool, "restart_identity": bool,   truncate
//    "xid": 1234, "lsn": "0/1A2B3C8", "commit_time": "2024-05-01T12:30:00.123456Z"}
// "lsn" is the transaction's commit LSN (for a snapshot row: the slot position the snapshot is
// consistent with; snapshot rows have no xid or commit_time).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cdc_config.hpp"
#include "dcx/sdk/source_record.hpp"
#include "pgoutput_parser.hpp"
#include "route_table.hpp"

namespace dcx::pgcdc {

/// A table as the stream (or the snapshot query) describes it, with its route resolved.
struct RelationInfo {
    uint32_t id = 0;
    TableName name;
    char replica_identity = 'd';
    std::vector<RelationColumn> columns;
    std::optional<TopicRoute> route;     // nullopt: not published
    std::vector<size_t> key_columns;     // the primary key's columns, else the replica identity's
};

struct TransactionInfo {
    uint32_t xid = 0;
    uint64_t commit_lsn = 0;
    int64_t commit_time_us = 0;
};

enum class ChangeOp { insert, update, delete_, truncate, snapshot };
const char* op_name(ChangeOp op);

/// One change, ready to become a record.
struct Change {
    ChangeOp op = ChangeOp::insert;
    const RelationInfo* relation = nullptr;
    const TupleData* new_tuple = nullptr;   // insert, update, snapshot
    const TupleData* old_tuple = nullptr;   // delete, update ('K' or 'O')
    char old_kind = 0;                      // 'K': only the identity columns are meaningful
    uint8_t truncate_options = 0;
    std::optional<TransactionInfo> transaction;  // none for snapshot rows
    uint64_t lsn = 0;                       // commit LSN, or the snapshot's position
    uint64_t index = 0;                     // position in the transaction (or snapshot), from 0
};

/// The record of `change` (topic: its relation's route). The offset is left to the caller.
dcx::sdk::SourceRecord build_change_record(const Change& change);

/// {column: value} for `tuple`; unchanged TOAST columns are listed in `unchanged` (if given)
/// and left out. With `identity_only`, only the key columns (an old 'K' tuple).
nlohmann::json row_json(const RelationInfo& relation, const TupleData& tuple, std::vector<std::string>* unchanged,
                        bool identity_only);

/// The routing key: the single key column's text, or a JSON array of the key columns' texts;
/// nullopt when the table has no key or a key value is missing.
std::optional<std::string> row_key(const RelationInfo& relation, const TupleData& tuple);

}  // namespace dcx::pgcdc
