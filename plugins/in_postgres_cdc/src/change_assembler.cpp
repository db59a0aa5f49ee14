// SPDX-License-Identifier: Apache-2.0
// Transactions to records with offsets; see change_assembler.hpp.
#include "change_assembler.hpp"

#include <variant>

#include "lsn.hpp"
#include "type_mapping.hpp"

namespace dcx::pgcdc {

ChangeAssembler::ChangeAssembler(const RouteTable& routes, const std::vector<PublishedTable>& tables,
                                 std::string partition, ConfirmTracker& tracker, Emit emit, Log info)
    : routes_(routes), partition_(std::move(partition)), tracker_(tracker), emit_(std::move(emit)), info_(std::move(info)) {
    for (const auto& t : tables) {
        if (!t.primary_key.empty()) primary_keys_[t.name] = t.primary_key;
    }
}

void ChangeAssembler::start_stream(uint64_t start_lsn) {
    relations_.clear();
    type_names_.clear();
    txn_.reset();
    held_.reset();  // the rest of its transaction comes again, and with it this record
    snapshot_ = false;
    index_ = 0;
    last_end_ = std::max(last_end_, start_lsn);
}

std::vector<size_t> ChangeAssembler::key_columns(const TableName& name, const std::vector<RelationColumn>& columns) const {
    std::vector<size_t> out;
    if (const auto it = primary_keys_.find(name); it != primary_keys_.end()) {
        for (const auto& pk : it->second) {
            for (size_t i = 0; i < columns.size(); ++i) {
                if (columns[i].name == pk) out.push_back(i);
            }
        }
        if (out.size() == it->second.size()) return out;
        out.clear();  // a key column is not replicated (column list): fall back to the identity
    }
    for (size_t i = 0; i < columns.size(); ++i) {
        if (columns[i].key) out.push_back(i);
    }
    return out;
}

void ChangeAssembler::on_relation(const RelationMessage& m) {
    RelationInfo info;
    info.id = m.relation_id;
    // pgoutput sends an empty namespace for pg_catalog.
    info.name = {m.schema.empty() ? "pg_catalog" : m.schema, m.table};
    info.replica_identity = m.replica_identity;
    info.columns = m.columns;
    info.route = routes_.route(info.name);
    info.key_columns = key_columns(info.name, info.columns);
    if (noted_.insert(info.name).second) {
        if (!info.route) {
            info_("table " + info.name.text() + " is in the publication but has no route: its changes are skipped");
        } else {
            std::string as_text;
            for (const auto& c : info.columns) {
                if (is_mapped_type(c.type_oid)) continue;
                const auto t = type_names_.find(c.type_oid);
                as_text += (as_text.empty() ? "" : ", ") + c.name + " (" +
                           (t != type_names_.end() ? t->second : "type oid " + std::to_string(c.type_oid)) + ")";
            }
            if (!as_text.empty()) info_("table " + info.name.text() + ": columns sent as text: " + as_text);
            if (info.key_columns.empty()) {
                info_("table " + info.name.text() + " has no primary key or replica identity: its records carry no key");
            }
        }
    }
    relations_[m.relation_id] = std::move(info);
}

const RelationInfo& ChangeAssembler::relation(uint32_t id, const char* what) const {
    const auto it = relations_.find(id);
    if (it == relations_.end()) {
        throw ProtocolError(std::string("pgoutput ") + what + " for relation id " + std::to_string(id) +
                            ", which no Relation message described");
    }
    return it->second;
}

void ChangeAssembler::hold(dcx::sdk::SourceRecord&& record) {
    // The held record is not the transaction's last: it confirms only what came before.
    if (held_) emit_held(last_end_, snapshot_ ? std::optional<std::string>(kSnapshotMetadata) : std::nullopt);
    held_ = std::move(record);
}

void ChangeAssembler::emit_held(uint64_t offset_value, std::optional<std::string> metadata) {
    dcx::sdk::SourceRecord r = std::move(*held_);
    held_.reset();
    r.with_offset({partition_, offset_value, std::move(metadata)});
    ++emitted_;
    emit_(std::move(r));
}

void ChangeAssembler::change(Change c) {
    const RelationInfo& rel = *c.relation;
    c.index = index_++;
    if (!rel.route) return;
    if (!routes_.declared(rel.route->topic)) {
        throw UndeclaredTopicError("table " + rel.name.text() + " appeared in the stream after startup and its topic " +
                                   rel.route->topic + " was not declared; restart the connector to publish it "
                                   "(nothing after its change was confirmed, so nothing is lost)");
    }
    hold(build_change_record(c));
}

void ChangeAssembler::apply(const PgoutputMessage& message) {
    if (snapshot_) throw std::logic_error("ChangeAssembler: stream message during the snapshot");
    auto in_txn = [&](const char* what) -> const TransactionInfo& {
        if (!txn_) throw ProtocolError(std::string("pgoutput ") + what + " outside a transaction");
        return *txn_;
    };
    std::visit(
        [&](const auto& m) {
            using M = std::decay_t<decltype(m)>;
            if constexpr (std::is_same_v<M, BeginMessage>) {
                if (txn_) throw ProtocolError("pgoutput Begin inside a transaction");
                txn_ = TransactionInfo{m.xid, m.final_lsn, m.commit_time_us};
                index_ = 0;
            } else if constexpr (std::is_same_v<M, CommitMessage>) {
                const TransactionInfo& t = in_txn("Commit");
                if (m.commit_lsn != t.commit_lsn) {
                    throw ProtocolError("pgoutput Commit LSN " + format_lsn(m.commit_lsn) + " differs from its Begin's " +
                                        format_lsn(t.commit_lsn));
                }
                if (held_) {
                    emit_held(m.end_lsn, std::nullopt);
                    tracker_.records_through(m.end_lsn);
                } else {
                    tracker_.idle_at(m.end_lsn);  // nothing of it is published
                }
                last_end_ = std::max(last_end_, m.end_lsn);
                txn_.reset();
                ++transactions_;
            } else if constexpr (std::is_same_v<M, RelationMessage>) {
                on_relation(m);
            } else if constexpr (std::is_same_v<M, TypeMessage>) {
                type_names_[m.type_oid] = (m.schema.empty() ? "" : m.schema + ".") + m.name;
            } else if constexpr (std::is_same_v<M, OriginMessage> || std::is_same_v<M, LogicalMessage>) {
                // Replication origins and pg_logical_emit_message() payloads are not row changes.
            } else if constexpr (std::is_same_v<M, InsertMessage>) {
                const TransactionInfo& t = in_txn("Insert");
                const RelationInfo& rel = relation(m.relation_id, "Insert");
                if (m.new_tuple.size() != rel.columns.size()) {
                    throw ProtocolError("pgoutput Insert for " + rel.name.text() + " has " + std::to_string(m.new_tuple.size()) +
                                        " columns; its Relation message has " + std::to_string(rel.columns.size()));
                }
                Change c;
                c.op = ChangeOp::insert;
                c.relation = &rel;
                c.new_tuple = &m.new_tuple;
                c.transaction = t;
                c.lsn = t.commit_lsn;
                change(c);
            } else if constexpr (std::is_same_v<M, UpdateMessage>) {
                const TransactionInfo& t = in_txn("Update");
                const RelationInfo& rel = relation(m.relation_id, "Update");
                if (m.new_tuple.size() != rel.columns.size() || (m.old_kind && m.old_tuple.size() != rel.columns.size())) {
                    throw ProtocolError("pgoutput Update for " + rel.name.text() + " has tuples of another width than its "
                                        "Relation message (" + std::to_string(rel.columns.size()) + " columns)");
                }
                Change c;
                c.op = ChangeOp::update;
                c.relation = &rel;
                c.new_tuple = &m.new_tuple;
                if (m.old_kind) c.old_tuple = &m.old_tuple;
                c.old_kind = m.old_kind;
                c.transaction = t;
                c.lsn = t.commit_lsn;
                change(c);
            } else if constexpr (std::is_same_v<M, DeleteMessage>) {
                const TransactionInfo& t = in_txn("Delete");
                const RelationInfo& rel = relation(m.relation_id, "Delete");
                if (m.old_tuple.size() != rel.columns.size()) {
                    throw ProtocolError("pgoutput Delete for " + rel.name.text() + " has " + std::to_string(m.old_tuple.size()) +
                                        " columns; its Relation message has " + std::to_string(rel.columns.size()));
                }
                Change c;
                c.op = ChangeOp::delete_;
                c.relation = &rel;
                c.old_tuple = &m.old_tuple;
                c.old_kind = m.old_kind;
                c.transaction = t;
                c.lsn = t.commit_lsn;
                change(c);
            } else if constexpr (std::is_same_v<M, TruncateMessage>) {
                const TransactionInfo& t = in_txn("Truncate");
                for (const uint32_t id : m.relation_ids) {
                    Change c;
                    c.op = ChangeOp::truncate;
                    c.relation = &relation(id, "Truncate");
                    c.truncate_options = m.options;
                    c.transaction = t;
                    c.lsn = t.commit_lsn;
                    change(c);
                }
            }
        },
        message);
}

void ChangeAssembler::start_snapshot(uint64_t position) {
    held_.reset();
    snapshot_ = true;
    snapshot_position_ = position;
    snapshot_relations_.clear();
    index_ = 0;
    last_end_ = std::max(last_end_, position);
}

void ChangeAssembler::snapshot_row(const PublishedTable& table, const std::vector<std::string>& names,
                                   const std::vector<uint32_t>& type_oids,
                                   const std::vector<std::optional<std::string_view>>& values) {
    auto it = snapshot_relations_.find(table.name);
    if (it == snapshot_relations_.end()) {
        RelationInfo info;
        info.name = table.name;
        for (size_t i = 0; i < names.size(); ++i) info.columns.push_back({false, names[i], type_oids[i], -1});
        info.route = routes_.route(table.name);
        info.key_columns = key_columns(table.name, info.columns);
        it = snapshot_relations_.emplace(table.name, std::move(info)).first;
    }
    const RelationInfo& rel = it->second;
    if (!rel.route || !routes_.declared(rel.route->topic)) return;
    TupleData tuple;
    tuple.reserve(values.size());
    for (const auto& v : values) {
        ColumnValue cv;
        if (v) {
            cv.kind = ColumnValue::Kind::text;
            cv.data = std::string(*v);
        }
        tuple.push_back(std::move(cv));
    }
    Change c;
    c.op = ChangeOp::snapshot;
    c.relation = &rel;
    c.new_tuple = &tuple;
    c.lsn = snapshot_position_;
    c.index = index_++;
    hold(build_change_record(c));
}

void ChangeAssembler::finish_snapshot() {
    if (held_) {
        emit_held(snapshot_position_, std::string(kSnapshotDoneMetadata));
        tracker_.records_through(snapshot_position_);
    }
    snapshot_ = false;
    index_ = 0;
}

}  // namespace dcx::pgcdc
