// SPDX-License-Identifier: Apache-2.0
// Server-side checks and setup; see replication_setup.hpp. The replication connection runs
// plain SQL (replication=database) with the simple query protocol, so values are quoted with
// PQescapeLiteral rather than bound as parameters.
#include "replication_setup.hpp"

#include <map>

#include "lsn.hpp"

namespace dcx::pgcdc {

ServerInfo check_server(PgConnection& conn, const CdcConfig& config) {
    const auto timeout = std::chrono::seconds(config.query_timeout_secs);
    const auto r = conn.exec("SELECT current_setting('wal_level'), current_setting('max_replication_slots'), "
                             "current_setting('max_wal_senders'), current_database()",
                             timeout);
    const std::string wal_level = r.text(0, 0);
    if (wal_level != "logical") {
        throw CdcError(ErrorKind::setup,
                       "PostgreSQL has wal_level = " + wal_level +
                           "; logical replication needs wal_level = logical (ALTER SYSTEM SET wal_level = logical; "
                           "then restart PostgreSQL; also check max_replication_slots and max_wal_senders, now " +
                           r.text(0, 1) + " and " + r.text(0, 2) + ")");
    }
    return {conn.server_version(), r.text(0, 3)};
}

void ensure_publication(PgConnection& conn, const CdcConfig& config, const InfoLog& info) {
    const auto timeout = std::chrono::seconds(config.query_timeout_secs);
    const auto r = conn.exec("SELECT 1 FROM pg_publication WHERE pubname = " + conn.quote_literal(config.publication), timeout);
    if (r.rows() > 0) return;
    if (!config.create_publication) {
        throw CdcError(ErrorKind::setup, "publication " + config.publication +
                                             " does not exist; create it (CREATE PUBLICATION " + config.publication +
                                             " FOR TABLE ...) or set create_publication = true");
    }
    // Explicit tables win; routes alone name their tables; a topic_pattern means every table.
    std::vector<TableName> tables = config.tables;
    if (tables.empty() && !config.topic_pattern) {
        for (const auto& route : config.routes) tables.push_back(route.from);
    }
    std::string sql = "CREATE PUBLICATION " + PgConnection::quote_identifier(config.publication);
    if (tables.empty()) {
        sql += " FOR ALL TABLES";
    } else {
        sql += " FOR TABLE ";
        for (size_t i = 0; i < tables.size(); ++i) {
            sql += (i ? ", " : "") + PgConnection::quote_identifier(tables[i].schema) + "." +
                   PgConnection::quote_identifier(tables[i].table);
        }
    }
    try {
        conn.exec(sql, timeout);
    } catch (const CdcError& e) {
        throw CdcError(e.kind() == ErrorKind::retryable ? ErrorKind::retryable : ErrorKind::setup,
                       std::string("cannot create publication ") + config.publication + " (" +
                           (sql.find("ALL TABLES") != std::string::npos
                                ? "FOR ALL TABLES needs a superuser"
                                : "FOR TABLE needs the owner of every table") +
                           "; or create it yourself and set create_publication = false): " + e.what(),
                       e.sqlstate());
    }
    info("created publication " + config.publication + ": " + sql);
}

std::vector<PublishedTable> published_tables(PgConnection& conn, const CdcConfig& config, int server_version) {
    const auto timeout = std::chrono::seconds(config.query_timeout_secs);
    const std::string pub = conn.quote_literal(config.publication);
    // attnames and rowfilter are PostgreSQL 15's (column lists and row filters).
    const bool v15 = server_version >= 150000;
    const auto tables = conn.exec(std::string("SELECT schemaname, tablename") +
                                      (v15 ? ", array_to_json(attnames)::text, coalesce(rowfilter, '')" : "") +
                                      " FROM pg_publication_tables WHERE pubname = " + pub + " ORDER BY 1, 2",
                                  timeout);
    std::vector<PublishedTable> out;
    std::map<TableName, size_t> index;
    for (int i = 0; i < tables.rows(); ++i) {
        PublishedTable t;
        t.name = {tables.text(i, 0), tables.text(i, 1)};
        if (v15) {
            const auto cols = nlohmann::json::parse(tables.text(i, 2), nullptr, false);
            if (cols.is_array()) {
                for (const auto& c : cols) {
                    if (c.is_string()) t.columns.push_back(c.get<std::string>());
                }
            }
            t.row_filter = tables.text(i, 3);
        }
        index[t.name] = out.size();
        out.push_back(std::move(t));
    }
    const auto keys = conn.exec(
        "SELECT n.nspname, c.relname, a.attname FROM pg_index i "
        "JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
        "JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) ON true "
        "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum "
        "WHERE i.indisprimary AND (n.nspname, c.relname) IN "
        "(SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = " + pub + ") "
        "ORDER BY 1, 2, k.ord",
        timeout);
    for (int i = 0; i < keys.rows(); ++i) {
        const auto it = index.find({keys.text(i, 0), keys.text(i, 1)});
        if (it != index.end()) out[it->second].primary_key.push_back(keys.text(i, 2));
    }
    return out;
}

SlotState slot_state(PgConnection& conn, const std::string& slot, std::chrono::milliseconds timeout) {
    const auto r = conn.exec(
        "SELECT s.plugin, s.slot_type, s.database, s.active, s.active_pid, coalesce(s.confirmed_flush_lsn::text, ''), "
        "coalesce(s.wal_status, ''), coalesce(r.application_name || ' from ' || coalesce(r.client_addr::text, 'local'), '') "
        "FROM pg_replication_slots s LEFT JOIN pg_stat_replication r ON r.pid = s.active_pid "
        "WHERE s.slot_name = " + conn.quote_literal(slot),
        timeout);
    SlotState s;
    if (r.rows() == 0) return s;
    s.exists = true;
    s.plugin = r.text(0, 0);
    s.slot_type = r.text(0, 1);
    s.database = r.text(0, 2);
    s.active = r.text(0, 3) == "t";
    if (const auto pid = r.value(0, 4)) s.active_pid = std::stoll(std::string(*pid));
    s.confirmed_flush = parse_lsn(r.text(0, 5)).value_or(0);
    s.wal_status = r.text(0, 6);
    s.holder = r.text(0, 7);
    return s;
}

void check_slot_usable(const SlotState& s, const CdcConfig& config, const std::string& database) {
    const std::string name = "replication slot " + config.slot;
    if (s.slot_type != "logical" || s.plugin != "pgoutput") {
        throw CdcError(ErrorKind::setup, name + " exists but is a " + s.slot_type + " slot with plugin '" + s.plugin +
                                             "'; this plugin needs a logical slot using pgoutput (choose another "
                                             "slot name, or drop it: SELECT pg_drop_replication_slot('" + config.slot + "'))");
    }
    if (!database.empty() && s.database != database) {
        throw CdcError(ErrorKind::setup, name + " belongs to database " + s.database + ", not " + database);
    }
    if (s.wal_status == "lost") {
        throw CdcError(ErrorKind::setup, name + " has lost WAL it needs (max_slot_wal_keep_size); its changes cannot "
                                                "be streamed any more: drop and recreate it (and consider snapshot = "
                                                "\"initial\")");
    }
    if (s.active) {
        throw CdcError(ErrorKind::retryable,
                       name + " is in use by another consumer (walsender PID " +
                           (s.active_pid ? std::to_string(*s.active_pid) : "?") +
                           (s.holder.empty() ? "" : ", " + s.holder) +
                           "); waiting for it to be released. If no other danube-connectd should hold it, end that "
                           "session: SELECT pg_terminate_backend(" +
                           (s.active_pid ? std::to_string(*s.active_pid) : "<pid>") + ")",
                       "55006");
    }
}

uint64_t create_slot(PgConnection& conn, const std::string& slot, bool use_snapshot) {
    // No timeout: the server waits for transactions running at that moment to end, however long.
    // The pre-15 option spelling, which PostgreSQL 15 still accepts, so 10 to 14 work too.
    const auto r = conn.exec("CREATE_REPLICATION_SLOT " + PgConnection::quote_identifier(slot) + " LOGICAL pgoutput " +
                             (use_snapshot ? "USE_SNAPSHOT" : "NOEXPORT_SNAPSHOT"));
    // Columns: slot_name, consistent_point, snapshot_name, output_plugin.
    const auto lsn = r.rows() == 1 && r.columns() >= 2 ? parse_lsn(r.text(0, 1)) : std::nullopt;
    if (!lsn) throw CdcError(ErrorKind::fatal, "CREATE_REPLICATION_SLOT returned no consistent point");
    return *lsn;
}

}  // namespace dcx::pgcdc
