// SPDX-License-Identifier: Apache-2.0
// The initial snapshot: every routed table of the publication read through a cursor, in the
// REPEATABLE READ transaction the caller opened (with the slot's snapshot when the slot was
// created for it), so the rows are exactly the state the stream continues from.
#pragma once

#include <cstdint>
#include <vector>

#include "change_assembler.hpp"
#include "pg_connection.hpp"
#include "published_table.hpp"
#include "replication_setup.hpp"
#include "route_table.hpp"

namespace dcx::pgcdc {

/// Reads the rows (the publication's columns and row filter) in batches of `fetch_rows` and hands
/// them to `assembler`. Returns the number of rows read. Throws CdcError or Stopped.
uint64_t read_snapshot(PgConnection& conn, const std::vector<PublishedTable>& tables, const RouteTable& routes,
                       uint32_t fetch_rows, ChangeAssembler& assembler, const InfoLog& info);

/// The SELECT that reads `table` (exposed for tests).
std::string snapshot_query(const PublishedTable& table);

}  // namespace dcx::pgcdc
