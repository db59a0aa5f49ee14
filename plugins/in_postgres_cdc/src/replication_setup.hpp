// SPDX-License-Identifier: Apache-2.0
// What must hold on the server before streaming, checked with clear messages: wal_level, the
// publication (created when allowed), its tables and their primary keys, and the slot (its
// plugin, database and whether another consumer holds it; created when allowed).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cdc_config.hpp"
#include "pg_connection.hpp"
#include "published_table.hpp"

namespace dcx::pgcdc {

using InfoLog = std::function<void(const std::string&)>;

struct ServerInfo {
    int version = 0;       // PQserverVersion: 150018 for 15.18
    std::string database;  // the connection's database
};

/// Fails (setup) unless wal_level is logical.
ServerInfo check_server(PgConnection& conn, const CdcConfig& config);

/// Creates the publication when it is missing and create_publication is on; fails (setup) when
/// it is missing otherwise, or cannot be created (owner or superuser privileges).
void ensure_publication(PgConnection& conn, const CdcConfig& config, const InfoLog& info);

/// The publication's tables with their replicated columns, row filter and primary key.
std::vector<PublishedTable> published_tables(PgConnection& conn, const CdcConfig& config, int server_version);

struct SlotState {
    bool exists = false;
    std::string plugin;
    std::string slot_type;
    std::string database;
    bool active = false;
    std::optional<int64_t> active_pid;
    std::string holder;             // application and client of the active walsender, if known
    uint64_t confirmed_flush = 0;   // 0 when never confirmed
    std::string wal_status;         // "reserved", "extended", "unreserved", "lost"
};

/// The slot as pg_replication_slots shows it.
SlotState slot_state(PgConnection& conn, const std::string& slot, std::chrono::milliseconds timeout);

/// Fails for a slot this plugin cannot use: another output plugin, physical, another database,
/// WAL lost (setup); held by another consumer (retryable, naming the PID).
void check_slot_usable(const SlotState& slot, const CdcConfig& config, const std::string& database);

/// CREATE_REPLICATION_SLOT ... LOGICAL pgoutput; with `use_snapshot` it must run first in a
/// REPEATABLE READ transaction, whose snapshot then matches the slot's start. Returns the
/// slot's consistent point (where streaming starts).
uint64_t create_slot(PgConnection& conn, const std::string& slot, bool use_snapshot);

}  // namespace dcx::pgcdc
