// SPDX-License-Identifier: Apache-2.0
// Parsing and validation of the [postgres_cdc] section; see cdc_config.hpp.
#include "cdc_config.hpp"

#include <libpq-fe.h>

#include <cctype>
#include <limits>
#include <map>
#include <memory>
#include <set>

#include "dcx/sdk/config_fields.hpp"

namespace dcx::pgcdc {
namespace {

namespace cfg = dcx::sdk::config;
using nlohmann::json;

const cfg::KeySet kSectionKeys = {
    "connection", "password_env", "slot", "create_slot", "publication", "create_publication", "tables",
    "topic_pattern", "partitions", "reliable_dispatch", "routes", "snapshot", "snapshot_fetch_rows",
    "status_interval_ms", "connect_timeout_secs", "query_timeout_secs", "reconnect_backoff_ms",
    "max_reconnect_backoff_ms"};
const cfg::KeySet kRouteKeys = {"from", "to", "partitions", "reliable_dispatch"};

// Replication slot names: lower-case letters, digits and '_', at most NAMEDATALEN - 1 bytes
// (ReplicationSlotValidateName in PostgreSQL's slot.c).
void check_slot_name(const std::string& name, const std::string& path) {
    if (name.empty() || name.size() > 63) cfg::fail(path, "must be 1 to 63 characters");
    for (const char c : name) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
            cfg::fail(path, "may contain only lower-case letters, digits and '_' (PostgreSQL's rule for slot names), got " +
                                cfg::quote_value(name));
        }
    }
}

// Publication names are identifiers; the plugin quotes them, and keeps them to plain characters
// so they never need escaping inside START_REPLICATION's option string.
void check_publication_name(const std::string& name, const std::string& path) {
    if (name.empty() || name.size() > 63) cfg::fail(path, "must be 1 to 63 characters");
    for (const char c : name) {
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) {
            cfg::fail(path, "may contain only letters, digits and '_', got " + cfg::quote_value(name));
        }
    }
}

TableName table_name(const json& v, const std::string& path) {
    const std::string s = cfg::string(v, path);
    const size_t dot = s.find('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 == s.size()) {
        cfg::fail(path, "expected \"schema.table\", got " + cfg::quote_value(s));
    }
    return {s.substr(0, dot), s.substr(dot + 1)};
}

TableRoute parse_route(const json& entry, const std::string& path) {
    cfg::table(entry, path);
    cfg::reject_unknown(entry, kRouteKeys, path);
    TableRoute r;
    r.path = path;
    if (!entry.contains("from")) cfg::fail(path + ".from", "is required (\"schema.table\")");
    if (!entry.contains("to")) cfg::fail(path + ".to", "is required (a Danube topic \"/namespace/name\")");
    r.from = table_name(entry["from"], path + ".from");
    r.to = cfg::string(entry["to"], path + ".to");
    if (!is_valid_topic(r.to)) {
        cfg::fail(path + ".to", "expected a Danube topic \"/namespace/name\" (letters, digits, '_', '-'), got " +
                                    cfg::quote_value(r.to));
    }
    if (entry.contains("partitions")) {
        r.partitions = static_cast<uint32_t>(cfg::uint(entry["partitions"], path + ".partitions", 0, 4096));
    }
    if (entry.contains("reliable_dispatch")) r.reliable_dispatch = cfg::boolean(entry["reliable_dispatch"], path + ".reliable_dispatch");
    return r;
}

struct ConninfoFree {
    void operator()(PQconninfoOption* o) const { PQconninfoFree(o); }
};

// Checks the connection string with libpq's own parser. libpq's message can quote part of the
// string, so it is shown only when the string carries no credentials.
void check_connection(const std::string& conninfo, CdcConfig& c) {
    const std::string path = "postgres_cdc.connection";
    char* err = nullptr;
    std::unique_ptr<PQconninfoOption, ConninfoFree> opts(PQconninfoParse(conninfo.c_str(), &err));
    std::string lower = conninfo;
    for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    const bool has_secret = lower.find("password") != std::string::npos || lower.find('@') != std::string::npos;
    if (!opts) {
        std::string why = err ? err : "out of memory";
        if (err) PQfreemem(err);
        while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
        cfg::fail(path, "is not a valid libpq connection string (key=value pairs or a postgresql:// URI)" +
                            (has_secret ? std::string() : ": " + why));
    }
    for (const PQconninfoOption* o = opts.get(); o->keyword; ++o) {
        if (!o->val) continue;
        const std::string key = o->keyword;
        if (key == "password") {
            c.warnings.push_back(path + " holds a password; prefer password_env (the password is never logged either way)");
        } else if (key == "replication") {
            c.warnings.push_back(path + " sets replication=" + std::string(o->val) +
                                 "; the plugin always connects with replication=database");
        }
    }
}

}  // namespace

bool is_valid_topic(const std::string& t) {
    if (t.size() < 4 || t[0] != '/') return false;
    const size_t slash = t.find('/', 1);
    if (slash == std::string::npos || slash == 1 || slash + 1 == t.size()) return false;
    for (size_t i = 1; i < t.size(); ++i) {
        if (i != slash && !(std::isalnum(static_cast<unsigned char>(t[i])) || t[i] == '_' || t[i] == '-')) return false;
    }
    return true;
}

std::string expand_topic_pattern(const std::string& pattern, const TableName& table) {
    auto clean = [](const std::string& s) {
        std::string out = s;
        for (char& c : out) {
            if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) c = '_';
        }
        return out;
    };
    std::string out;
    for (size_t i = 0; i < pattern.size();) {
        if (pattern.compare(i, 8, "{schema}") == 0) {
            out += clean(table.schema);
            i += 8;
        } else if (pattern.compare(i, 7, "{table}") == 0) {
            out += clean(table.table);
            i += 7;
        } else {
            out += pattern[i++];
        }
    }
    return out;
}

CdcConfig parse_config(const json& plugin_config, const EnvLookup& env) {
    if (!plugin_config.is_object() || !plugin_config.contains("postgres_cdc")) {
        cfg::fail("postgres_cdc", "the [postgres_cdc] section is required");
    }
    for (const auto& [k, _] : plugin_config.items()) {
        if (k != "postgres_cdc") cfg::fail(k, "unknown key (the in_postgres_cdc plugin reads only [postgres_cdc])");
    }
    const json& s = cfg::table(plugin_config["postgres_cdc"], "postgres_cdc");
    cfg::reject_unknown(s, kSectionKeys, "postgres_cdc");

    CdcConfig c;
    const auto key = [](const std::string& k) { return "postgres_cdc." + k; };
    for (const auto& [k, v] : s.items()) {
        const std::string p = key(k);
        if (k == "connection") c.connection = cfg::string(v, p);
        else if (k == "password_env") c.password_env = cfg::string(v, p);
        else if (k == "slot") c.slot = cfg::string(v, p);
        else if (k == "create_slot") c.create_slot = cfg::boolean(v, p);
        else if (k == "publication") c.publication = cfg::string(v, p);
        else if (k == "create_publication") c.create_publication = cfg::boolean(v, p);
        else if (k == "tables") {
            cfg::array(v, p);
            for (size_t i = 0; i < v.size(); ++i) c.tables.push_back(table_name(v[i], p + "[" + std::to_string(i) + "]"));
        } else if (k == "topic_pattern") c.topic_pattern = cfg::string(v, p);
        else if (k == "partitions") c.partitions = static_cast<uint32_t>(cfg::uint(v, p, 0, 4096));
        else if (k == "reliable_dispatch") c.reliable_dispatch = cfg::boolean(v, p);
        else if (k == "routes") {
            cfg::array(v, p);
            for (size_t i = 0; i < v.size(); ++i) c.routes.push_back(parse_route(v[i], p + "[" + std::to_string(i) + "]"));
        } else if (k == "snapshot") {
            c.snapshot = cfg::one_of(v, p, {"never", "initial"}) == 0 ? SnapshotMode::never : SnapshotMode::initial;
        } else if (k == "snapshot_fetch_rows") c.snapshot_fetch_rows = static_cast<uint32_t>(cfg::uint(v, p, 1, 1'000'000));
        else if (k == "status_interval_ms") c.status_interval_ms = static_cast<uint32_t>(cfg::uint(v, p, 100, 60'000));
        else if (k == "connect_timeout_secs") c.connect_timeout_secs = static_cast<uint32_t>(cfg::uint(v, p, 1, 3600));
        else if (k == "query_timeout_secs") c.query_timeout_secs = static_cast<uint32_t>(cfg::uint(v, p, 1, 3600));
        else if (k == "reconnect_backoff_ms") c.reconnect_backoff_ms = static_cast<uint32_t>(cfg::uint(v, p, 10, 600'000));
        else if (k == "max_reconnect_backoff_ms") {
            c.max_reconnect_backoff_ms = static_cast<uint32_t>(cfg::uint(v, p, 10, 3'600'000));
        }
    }

    if (c.connection.empty()) {
        cfg::fail(key("connection"), "is required: a libpq connection string such as "
                                     "\"host=db.example port=5432 dbname=app user=cdc\" (password from password_env)");
    }
    check_connection(c.connection, c);
    check_slot_name(c.slot, key("slot"));
    check_publication_name(c.publication, key("publication"));
    if (c.password_env) {
        if (c.password_env->empty()) cfg::fail(key("password_env"), "must name an environment variable");
        const auto pw = env(*c.password_env);
        if (!pw || pw->empty()) {
            cfg::fail(key("password_env"), "names the environment variable " + *c.password_env + ", which is not set");
        }
        c.password = *pw;
    }
    if (c.topic_pattern) {
        const std::string example = expand_topic_pattern(*c.topic_pattern, {"public", "orders"});
        if (!is_valid_topic(example)) {
            cfg::fail(key("topic_pattern"), "must give a Danube topic \"/namespace/name\" ({schema} and {table} are "
                                            "replaced), got " + cfg::quote_value(*c.topic_pattern));
        }
        if (c.topic_pattern->find("{table}") == std::string::npos) {
            c.warnings.push_back(key("topic_pattern") + " has no {table}: every table without a route goes to " + example);
        }
    }
    if (c.routes.empty() && !c.topic_pattern) {
        cfg::fail(key("routes"), "set routes ([[postgres_cdc.routes]] from = \"schema.table\", to = \"/ns/topic\") "
                                 "or topic_pattern (e.g. \"/default/{schema}_{table}\")");
    }
    std::set<TableName> seen;
    for (const auto& r : c.routes) {
        if (!seen.insert(r.from).second) cfg::fail(r.path + ".from", "table " + r.from.text() + " has a route already");
    }
    if (c.max_reconnect_backoff_ms < c.reconnect_backoff_ms) {
        cfg::fail(key("max_reconnect_backoff_ms"), "must not be below reconnect_backoff_ms");
    }
    return c;
}

json config_schema() {
    static const char* kSchema = R"({
  "type": "object",
  "required": ["postgres_cdc"],
  "additionalProperties": false,
  "properties": {
    "postgres_cdc": {
      "type": "object",
      "additionalProperties": false,
      "required": ["connection"],
      "properties": {
        "connection": {"type": "string", "minLength": 1},
        "password_env": {"type": "string", "minLength": 1},
        "slot": {"type": "string", "pattern": "^[a-z0-9_]{1,63}$"},
        "create_slot": {"type": "boolean"},
        "publication": {"type": "string", "pattern": "^[A-Za-z0-9_]{1,63}$"},
        "create_publication": {"type": "boolean"},
        "tables": {"type": "array", "items": {"type": "string", "pattern": "^[^.]+[.].+$"}},
        "topic_pattern": {"type": "string", "minLength": 1},
        "partitions": {"type": "integer", "minimum": 0, "maximum": 4096},
        "reliable_dispatch": {"type": "boolean"},
        "routes": {"type": "array", "items": {"$ref": "#/definitions/route"}},
        "snapshot": {"enum": ["never", "initial"]},
        "snapshot_fetch_rows": {"type": "integer", "minimum": 1, "maximum": 1000000},
        "status_interval_ms": {"type": "integer", "minimum": 100, "maximum": 60000},
        "connect_timeout_secs": {"type": "integer", "minimum": 1, "maximum": 3600},
        "query_timeout_secs": {"type": "integer", "minimum": 1, "maximum": 3600},
        "reconnect_backoff_ms": {"type": "integer", "minimum": 10, "maximum": 600000},
        "max_reconnect_backoff_ms": {"type": "integer", "minimum": 10, "maximum": 3600000}
      }
    }
  },
  "definitions": {
    "route": {
      "type": "object",
      "additionalProperties": false,
      "required": ["from", "to"],
      "properties": {
        "from": {"type": "string", "pattern": "^[^.]+[.].+$"},
        "to": {"type": "string", "minLength": 1},
        "partitions": {"type": "integer", "minimum": 0, "maximum": 4096},
        "reliable_dispatch": {"type": "boolean"}
      }
    }
  }
})";
    return json::parse(kSchema);
}

}  // namespace dcx::pgcdc
