// SPDX-License-Identifier: Apache-2.0
// Row changes to records; see change_record.hpp.
#include "change_record.hpp"

#include <algorithm>

#include "lsn.hpp"
#include "pg_time.hpp"
#include "type_mapping.hpp"

namespace dcx::pgcdc {

using nlohmann::json;

const char* op_name(ChangeOp op) {
    switch (op) {
        case ChangeOp::insert: return "insert";
        case ChangeOp::update: return "update";
        case ChangeOp::delete_: return "delete";
        case ChangeOp::truncate: return "truncate";
        case ChangeOp::snapshot: return "snapshot";
    }
    return "unknown";
}

json row_json(const RelationInfo& relation, const TupleData& tuple, std::vector<std::string>* unchanged,
              bool identity_only) {
    json row = json::object();
    const size_t n = std::min(relation.columns.size(), tuple.size());
    for (size_t i = 0; i < n; ++i) {
        const RelationColumn& col = relation.columns[i];
        if (identity_only && !col.key) continue;
        const ColumnValue& v = tuple[i];
        const std::string name = utf8_text(col.name);
        switch (v.kind) {
            case ColumnValue::Kind::null: row[name] = nullptr; break;
            case ColumnValue::Kind::unchanged_toast:
                if (unchanged) unchanged->push_back(name);
                break;
            case ColumnValue::Kind::text: row[name] = text_value_to_json(col.type_oid, v.data); break;
            case ColumnValue::Kind::binary: row[name] = binary_value_to_json(v.data); break;
        }
    }
    return row;
}

std::optional<std::string> row_key(const RelationInfo& relation, const TupleData& tuple) {
    if (relation.key_columns.empty()) return std::nullopt;
    std::vector<std::string> parts;
    for (const size_t i : relation.key_columns) {
        if (i >= tuple.size() || tuple[i].kind != ColumnValue::Kind::text) return std::nullopt;
        parts.push_back(utf8_text(tuple[i].data));
    }
    if (parts.size() == 1) return parts.front();
    return json(parts).dump();
}

dcx::sdk::SourceRecord build_change_record(const Change& c) {
    const RelationInfo& rel = *c.relation;
    json payload = {{"op", op_name(c.op)},
                    {"schema", utf8_text(rel.name.schema)},
                    {"table", utf8_text(rel.name.table)},
                    {"lsn", format_lsn(c.lsn)}};
    if (c.transaction) {
        payload["xid"] = c.transaction->xid;
        payload["commit_time"] = format_pg_timestamp(c.transaction->commit_time_us);
    }
    std::optional<std::string> key;
    std::vector<std::string> unchanged;
    if (c.new_tuple) {
        payload["new"] = row_json(rel, *c.new_tuple, &unchanged, false);
        key = row_key(rel, *c.new_tuple);
    }
    if (c.old_tuple) {
        payload["old"] = row_json(rel, *c.old_tuple, nullptr, c.old_kind == 'K');
        if (!key) key = row_key(rel, *c.old_tuple);
    }
    if (!unchanged.empty()) payload["unchanged_toast"] = unchanged;
    if (c.op == ChangeOp::truncate) {
        payload["cascade"] = (c.truncate_options & TruncateMessage::kCascade) != 0;
        payload["restart_identity"] = (c.truncate_options & TruncateMessage::kRestartIdentity) != 0;
    }

    auto record = dcx::sdk::SourceRecord::from_json(rel.route->topic, payload);
    record.with_attribute("pg.op", op_name(c.op))
        .with_attribute("pg.schema", utf8_text(rel.name.schema))
        .with_attribute("pg.table", utf8_text(rel.name.table))
        .with_attribute("pg.lsn", format_lsn(c.lsn))
        .with_attribute("pg.index", std::to_string(c.index))
        .with_attribute("source", "postgres_cdc");
    if (c.transaction) {
        record.with_attribute("pg.xid", std::to_string(c.transaction->xid))
            .with_event_time_ms(pg_us_to_unix_ms(c.transaction->commit_time_us));
    }
    if (key) record.with_key(std::move(*key));
    return record;
}

}  // namespace dcx::pgcdc
