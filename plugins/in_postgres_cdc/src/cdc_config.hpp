// SPDX-License-Identifier: Apache-2.0
// The [postgres_cdc] section: where to connect, which slot and publication to stream from, how
// tables map to Danube topics, the snapshot option and the protocol timers. Parsed from the JSON
// the host hands to initialize() with dcx::sdk::config's readers; problems throw ConfigError
// naming the key ("postgres_cdc.routes[1].to: ...").
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "dcx/sdk/config_fields.hpp"

namespace dcx::pgcdc {

/// A table name as "schema.table".
struct TableName {
    std::string schema;
    std::string table;
    std::string text() const { return schema + "." + table; }
    friend bool operator==(const TableName&, const TableName&) = default;
    // Spelled out: clang-tidy 14 misreads a defaulted operator<=> (modernize-use-nullptr).
    friend bool operator<(const TableName& a, const TableName& b) {
        return std::tie(a.schema, a.table) < std::tie(b.schema, b.table);
    }
};

/// One `[[postgres_cdc.routes]]` entry: a table to a Danube topic.
struct TableRoute {
    TableName from;
    std::string to;
    uint32_t partitions = 0;
    bool reliable_dispatch = true;
    std::string path;  // "postgres_cdc.routes[2]", for messages
};

enum class SnapshotMode { never, initial };

struct CdcConfig {
    /// libpq connection string or postgresql:// URI. May hold a password (then never logged).
    std::string connection;
    /// The password read from the environment variable named by `password_env`; never logged.
    std::optional<std::string> password;
    std::optional<std::string> password_env;
    std::string slot = "danube_cdc";
    bool create_slot = true;
    std::string publication = "danube_cdc";
    bool create_publication = true;
    /// Tables for CREATE PUBLICATION; empty: the routes' tables, or FOR ALL TABLES without routes.
    std::vector<TableName> tables;
    /// "/ns/{schema}_{table}": the topic of every published table without an explicit route.
    std::optional<std::string> topic_pattern;
    uint32_t partitions = 0;        // for topic_pattern topics
    bool reliable_dispatch = true;  // for topic_pattern topics
    std::vector<TableRoute> routes;
    SnapshotMode snapshot = SnapshotMode::never;
    uint32_t snapshot_fetch_rows = 1000;
    uint32_t status_interval_ms = 10'000;
    uint32_t connect_timeout_secs = 10;
    uint32_t query_timeout_secs = 30;
    uint32_t reconnect_backoff_ms = 500;
    uint32_t max_reconnect_backoff_ms = 30'000;
    /// Non-fatal findings for the log.
    std::vector<std::string> warnings;
};

// Environment lookups, from the SDK (tests pass their own).
using dcx::sdk::config::EnvLookup;
using dcx::sdk::config::process_env;

/// Parses `plugin_config` (the object the host passes; the section is its "postgres_cdc" member)
/// and reads the password from the environment. Throws dcx::sdk::ConfigError.
CdcConfig parse_config(const nlohmann::json& plugin_config, const EnvLookup& env = process_env);

/// The JSON Schema (draft 7) of the plugin section, checked by the host before initialize().
nlohmann::json config_schema();

/// True for a Danube topic name "/namespace/name" (letters, digits, '_' and '-').
bool is_valid_topic(const std::string& topic);

/// `pattern` with {schema} and {table} replaced; characters a topic cannot hold become '_'.
std::string expand_topic_pattern(const std::string& pattern, const TableName& table);

}  // namespace dcx::pgcdc
