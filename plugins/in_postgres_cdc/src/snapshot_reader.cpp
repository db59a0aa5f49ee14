// SPDX-License-Identifier: Apache-2.0
// Initial snapshot; see snapshot_reader.hpp.
#include "snapshot_reader.hpp"

#include <string>

namespace dcx::pgcdc {

std::string snapshot_query(const PublishedTable& table) {
    std::string columns;
    for (const auto& c : table.columns) columns += (columns.empty() ? "" : ", ") + PgConnection::quote_identifier(c);
    std::string sql = "SELECT " + (columns.empty() ? std::string("*") : columns) + " FROM " +
                      PgConnection::quote_identifier(table.name.schema) + "." + PgConnection::quote_identifier(table.name.table);
    if (!table.row_filter.empty()) sql += " WHERE " + table.row_filter;
    return sql;
}

uint64_t read_snapshot(PgConnection& conn, const std::vector<PublishedTable>& tables, const RouteTable& routes,
                       uint32_t fetch_rows, ChangeAssembler& assembler, const InfoLog& info) {
    uint64_t total = 0;
    for (const auto& table : tables) {
        const auto route = routes.route(table.name);
        if (!route || !routes.declared(route->topic)) continue;
        conn.exec("DECLARE dcx_snapshot NO SCROLL CURSOR FOR " + snapshot_query(table));
        uint64_t rows = 0;
        std::vector<std::string> names;
        std::vector<uint32_t> oids;
        std::vector<std::optional<std::string_view>> values;
        while (true) {
            const auto r = conn.exec("FETCH FORWARD " + std::to_string(fetch_rows) + " FROM dcx_snapshot");
            if (r.rows() == 0) break;
            if (names.empty()) {
                for (int c = 0; c < r.columns(); ++c) {
                    names.push_back(r.column_name(c));
                    oids.push_back(r.column_type(c));
                }
            }
            for (int i = 0; i < r.rows(); ++i) {
                values.clear();
                for (int c = 0; c < r.columns(); ++c) values.push_back(r.value(i, c));
                assembler.snapshot_row(table, names, oids, values);
            }
            rows += static_cast<uint64_t>(r.rows());
        }
        conn.exec("CLOSE dcx_snapshot");
        info("snapshot of " + table.name.text() + ": " + std::to_string(rows) + " row(s) to " + route->topic);
        total += rows;
    }
    return total;
}

}  // namespace dcx::pgcdc
