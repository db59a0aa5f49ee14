// SPDX-License-Identifier: Apache-2.0
// TOML loading and validation. Kept in one translation unit: toml11 is slow to compile
// (build-notes.md P10). Order as the reference runtime: read, parse, env overrides, validate.
#include <toml.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <regex>
#include <set>
#include <sstream>

#include "common/utf8.hpp"
#include "config/config_error.hpp"
#include "config/connector_config.hpp"

namespace dcx::config {
namespace {

namespace fs = std::filesystem;
using Table = toml::value::table_type;

const std::vector<std::string> kRootKeys = {"danube_service_url", "connector_name", "plugin", "plugins_dir",
                                            "data_dir", "retry", "processing", "delivery", "dead_letter",
                                            "schemas", "http", "broker", "log"};
const std::vector<std::string> kHttpKeys = {"enabled", "address", "port"};
const std::vector<std::string> kBrokerKeys = {"tls_ca_file", "tls_cert_file", "tls_key_file", "tls_server_name",
                                              "token", "token_file"};
const std::vector<std::string> kLogKeys = {"format"};
const std::vector<std::string> kRetryKeys = {"max_retries", "retry_backoff_ms", "max_backoff_ms"};
const std::vector<std::string> kProcessingKeys = {"batch_size", "batch_timeout_ms", "poll_interval_ms",
                                                  "metrics_port", "log_level", "health_check_interval_ms",
                                                  "health_check_failure_threshold"};
const std::vector<std::string> kDeliveryKeys = {"ordering", "window_per_producer", "max_inflight_records",
                                                "max_inflight_bytes", "max_record_bytes", "send_timeout_ms",
                                                "commit_interval_ms", "shutdown_timeout_ms"};
const std::vector<std::string> kDeadLetterKeys = {"topic", "on_invalid"};
const std::vector<std::string> kSchemaKeys = {"topic", "subject", "schema_type", "schema_file", "auto_register",
                                              "version_strategy"};
// Keys found in real configs that the reference runtime never read (reference-runtime.md §1).
const std::set<std::string> kDeadRetryKeys = {"initial_interval_ms", "max_interval_ms", "multiplier"};

size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
        }
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

std::optional<std::string> closest(const std::string& key, const std::vector<std::string>& known) {
    std::optional<std::string> best;
    size_t best_d = 3;  // suggest only close typos
    for (const auto& k : known) {
        const size_t d = edit_distance(key, k);
        if (d < best_d) best_d = d, best = k;
    }
    return best;
}

// toml11 quotes the lines around a syntax error (" 5 | password = \"hunter2"). The value of a key
// that looks like a credential is cut from those quotes: a typo must not put a secret in the log.
std::string redact_quoted_lines(const std::string& message) {
    static const std::regex quoted_line(R"(^(\s*\d+ \| )(.*)$)");
    static const std::regex secret_key(R"((password|passwd|secret|token|credential|private|api_?key)[A-Za-z0-9_-]*"?\s*=)",
                                       std::regex::icase);
    // std::regex recurses once per character: one long value (a few hundred KB on a line) overflowed
    // the stack. The start of a line is all an error message needs, so longer lines are cut first.
    constexpr size_t kMaxQuotedLine = 512;
    std::istringstream in(message);
    std::string out;
    std::string line;
    while (std::getline(in, line)) {
        if (line.size() > kMaxQuotedLine) {
            size_t cut = kMaxQuotedLine;
            while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;  // whole UTF-8 characters
            line.resize(cut);
            line += " ...";
        }
        std::smatch m;
        std::smatch key;
        if (std::regex_match(line, m, quoted_line)) {
            const std::string content = m[2];
            if (std::regex_search(content, key, secret_key)) {
                line = m[1].str() + content.substr(0, static_cast<size_t>(key.position(0) + key.length(0))) + " <redacted>";
            }
        }
        out += line + "\n";
    }
    if (!out.empty() && (message.empty() || message.back() != '\n')) out.pop_back();
    return out;
}

// The line of the first byte that is not UTF-8, if any. TOML files are UTF-8, and toml11 3.7 must
// not see anything else: its error path for a literal string with an invalid sequence reads out
// of bounds (an iterator of one buffer used on another).
std::optional<unsigned> invalid_utf8_line(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    size_t pos = 0;
    char32_t cp = 0;
    unsigned line = 1;
    while (pos < text.size()) {
        if (text[pos] == '\n') ++line;
        if (!next_utf8_code_point(text, pos, cp)) return line;
    }
    return std::nullopt;
}

bool is_valid_topic(const std::string& t) {
    // Stricter than the broker: /<namespace>/<name>, both non-empty, [A-Za-z0-9_-] only.
    if (t.size() < 4 || t[0] != '/') return false;
    const size_t slash = t.find('/', 1);
    if (slash == std::string::npos || slash == 1 || slash + 1 == t.size()) return false;
    for (size_t i = 1; i < t.size(); ++i) {
        const char c = t[i];
        if (i == slash) continue;
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) return false;
    }
    return true;
}

class Reader {
public:
    Reader(fs::path file, const EnvLookup& env, std::vector<std::string>& warnings)
        : file_(std::move(file)), env_(env), warnings_(warnings) {}

    [[noreturn]] void fail(const std::string& key, const std::string& message, const toml::value* at = nullptr) const {
        throw ConfigError(file_.string(), key, message, at ? at->location().line() : 0);
    }
    void warn(const std::string& message) { warnings_.push_back(file_.string() + ": " + message); }

    // ${env:NAME} and ${file:/path} in any string; "$${" is a literal "${". Values are never
    // echoed in errors: only the variable or file name is.
    std::string interpolate(const std::string& s, const std::string& key, const toml::value* at) const {
        std::string out;
        size_t i = 0;
        while (i < s.size()) {
            if (s.compare(i, 3, "$${") == 0) {
                out += "${";
                i += 3;
                continue;
            }
            if (s.compare(i, 2, "${") != 0) {
                out += s[i++];
                continue;
            }
            const size_t end = s.find('}', i);
            if (end == std::string::npos) fail(key, "unterminated ${...} in string value", at);
            const std::string ref = s.substr(i + 2, end - i - 2);
            if (ref.rfind("env:", 0) == 0) {
                const auto v = env_(ref.substr(4));
                if (!v) fail(key, "environment variable " + ref.substr(4) + " is not set", at);
                out += *v;
            } else if (ref.rfind("file:", 0) == 0) {
                std::ifstream in(ref.substr(5), std::ios::binary);
                if (!in) fail(key, "cannot read secret file " + ref.substr(5), at);
                std::ostringstream text;
                text << in.rdbuf();
                std::string content = text.str();
                while (!content.empty() && (content.back() == '\n' || content.back() == '\r')) content.pop_back();
                out += content;
            } else {
                fail(key, "unknown reference ${" + ref + "}: use ${env:NAME} or ${file:/path}", at);
            }
            i = end + 1;
        }
        // toml11 only reads UTF-8, but a secret file or variable can hold any bytes, and every
        // string ends up in JSON (the plugin's section, core_config). The value is not shown.
        if (!is_valid_utf8(out)) fail(key, "is not valid UTF-8 text (check what its ${env:}/${file:} reference reads)", at);
        return out;
    }

    nlohmann::json to_json(const toml::value& v, const std::string& key) const {
        switch (v.type()) {
            case toml::value_t::boolean: return v.as_boolean();
            case toml::value_t::integer: return v.as_integer();
            case toml::value_t::floating: return v.as_floating();
            case toml::value_t::string: return interpolate(v.as_string().str, key, &v);
            case toml::value_t::array: {
                nlohmann::json arr = nlohmann::json::array();
                size_t i = 0;
                for (const auto& e : v.as_array()) arr.push_back(to_json(e, key + "[" + std::to_string(i++) + "]"));
                return arr;
            }
            case toml::value_t::table: {
                nlohmann::json obj = nlohmann::json::object();
                for (const auto& [k, e] : v.as_table()) obj[k] = to_json(e, key.empty() ? k : key + "." + k);
                return obj;
            }
            case toml::value_t::offset_datetime:
            case toml::value_t::local_datetime:
            case toml::value_t::local_date:
            case toml::value_t::local_time: {
                std::ostringstream s;
                s << v;
                return s.str();
            }
            case toml::value_t::empty: return nullptr;
        }
        return nullptr;
    }

    /// A string value as it may appear in an error: interpolated values are shown as written
    /// in the file (`${env:NAME}`), never as what they expanded to.
    static std::string shown(const toml::value& v) {
        const std::string& raw = v.as_string().str;
        return raw;
    }

    std::string str(const toml::value& v, const std::string& key) const {
        if (!v.is_string()) fail(key, std::string("expected a string, got ") + toml::stringize(v.type()), &v);
        return interpolate(v.as_string().str, key, &v);
    }
    bool boolean(const toml::value& v, const std::string& key) const {
        if (!v.is_boolean()) fail(key, std::string("expected true or false, got ") + toml::stringize(v.type()), &v);
        return v.as_boolean();
    }
    uint64_t uint(const toml::value& v, const std::string& key, uint64_t min, uint64_t max) const {
        if (!v.is_integer()) fail(key, std::string("expected an integer, got ") + toml::stringize(v.type()), &v);
        const auto n = v.as_integer();
        if (n < 0 || static_cast<uint64_t>(n) < min || static_cast<uint64_t>(n) > max) {
            fail(key, "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " + std::to_string(n), &v);
        }
        return static_cast<uint64_t>(n);
    }

    // Calls `fn(key, value)` for known keys of a sub-table; warns about unknown ones.
    template <class Fn>
    void each_key(const toml::value& table, const std::string& name, const std::vector<std::string>& known, Fn&& fn) {
        if (!table.is_table()) fail(name, "expected a table", &table);
        std::vector<std::string> keys;
        for (const auto& [k, _] : table.as_table()) keys.push_back(k);
        std::sort(keys.begin(), keys.end());
        for (const auto& k : keys) {
            const auto& v = table.as_table().at(k);
            if (std::find(known.begin(), known.end(), k) != known.end()) {
                fn(k, v);
            } else if (name == "[retry]" && kDeadRetryKeys.count(k)) {
                warn(name + "." + k + " is not used by danube-connectd (nor by the reference runtime); remove it");
            } else if (auto near = closest(k, known)) {
                warn("unknown key " + name + "." + k + " is ignored; did you mean '" + *near + "'?");
            } else {
                warn("unknown key " + name + "." + k + " is ignored");
            }
        }
    }

    fs::path resolve(const std::string& p) const {
        fs::path path(p);
        return path.is_absolute() ? path : file_.parent_path() / path;
    }

private:
    fs::path file_;
    const EnvLookup& env_;
    std::vector<std::string>& warnings_;
};

VersionStrategy parse_version_strategy(Reader& r, const toml::value& v, const std::string& key) {
    VersionStrategy vs;
    if (v.is_string()) {
        const auto s = v.as_string().str;
        if (s == "latest") return vs;
        if (s == "pinned" || s == "minimum") {
            r.fail(key, "'" + s + "' needs a version: write version_strategy = { " + s + " = 2 }", &v);
        }
        r.fail(key, "expected \"latest\", { pinned = N } or { minimum = N }, got \"" + s + "\"", &v);
    }
    if (!v.is_table() || v.as_table().size() != 1) {
        r.fail(key, "expected \"latest\", { pinned = N } or { minimum = N }", &v);
    }
    const auto& [name, n] = *v.as_table().begin();
    if (name == "pinned") vs.kind = VersionStrategy::Kind::pinned;
    else if (name == "minimum") vs.kind = VersionStrategy::Kind::minimum;
    else r.fail(key, "unknown version strategy '" + name + "': use pinned or minimum", &v);
    vs.version = static_cast<uint32_t>(r.uint(n, key + "." + name, 1, UINT32_MAX));
    return vs;
}

SchemaMapping parse_schema(Reader& r, const toml::value& entry, const std::string& key) {
    SchemaMapping m;
    bool has_file = false;
    std::string file;
    const toml::value* file_at = nullptr;
    r.each_key(entry, key, kSchemaKeys, [&](const std::string& k, const toml::value& v) {
        if (k == "topic") m.topic = r.str(v, key + ".topic");
        else if (k == "subject") m.subject = r.str(v, key + ".subject");
        else if (k == "schema_type") {
            m.schema_type = r.str(v, key + ".schema_type");
            std::transform(m.schema_type.begin(), m.schema_type.end(), m.schema_type.begin(),
                           [](unsigned char c) { return std::tolower(c); });
        } else if (k == "schema_file") file = r.str(v, key + ".schema_file"), has_file = true, file_at = &v;
        else if (k == "auto_register") m.auto_register = r.boolean(v, key + ".auto_register");
        else if (k == "version_strategy") m.version = parse_version_strategy(r, v, key + ".version_strategy");
    });
    if (m.topic.empty()) r.fail(key + ".topic", "is required", &entry);
    if (!is_valid_topic(m.topic)) r.fail(key + ".topic", "'" + m.topic + "' is not a topic of the form /namespace/name", &entry);
    if (m.subject.empty()) r.fail(key + ".subject", "is required", &entry);
    if (m.schema_type.empty()) r.fail(key + ".schema_type", "is required", &entry);
    if (m.schema_type == "json") m.schema_type = "json_schema";
    if (m.schema_type == "protobuf" || m.schema_type == "proto") {
        r.fail(key + ".schema_type", "protobuf schemas are not supported yet (the reference runtime fails every record for them)", &entry);
    }
    static const std::set<std::string> kTypes = {"json_schema", "avro", "string", "number", "bytes"};
    if (!kTypes.count(m.schema_type)) {
        r.fail(key + ".schema_type", "unknown schema type '" + m.schema_type + "': use json_schema, avro, string, number or bytes", &entry);
    }
    const bool needs_file = m.schema_type == "json_schema" || m.schema_type == "avro";
    if (needs_file) {
        if (!has_file || file.empty()) r.fail(key + ".schema_file", "is required for schema_type " + m.schema_type, &entry);
        // The reference runtime resolves against the working directory; keep that, and fall back
        // to the config file's directory, which is what a relative path usually means.
        fs::path p(file);
        if (!p.is_absolute() && !fs::exists(p)) p = r.resolve(file);
        std::ifstream in(p, std::ios::binary);
        if (!in) r.fail(key + ".schema_file", "cannot read schema file '" + file + "'", file_at);
        std::ostringstream text;
        text << in.rdbuf();
        m.definition = text.str();
        m.schema_file = p;
        if (nlohmann::json::parse(m.definition, nullptr, false).is_discarded()) {
            r.fail(key + ".schema_file", "schema file '" + p.string() + "' is not valid JSON", file_at);
        }
    }
    return m;
}

}  // namespace

EnvLookup process_environment() {
    return [](const std::string& name) -> std::optional<std::string> {
        const char* v = std::getenv(name.c_str());
        if (!v) return std::nullopt;
        return std::string(v);
    };
}

const std::vector<std::string>& host_root_keys() { return kRootKeys; }

ConnectorConfig load_config(const fs::path& file, const EnvLookup& env) {
    ConnectorConfig c;
    c.file = file;
    if (!fs::exists(file)) throw ConfigError(file.string(), "", "configuration file does not exist");
    if (const auto line = invalid_utf8_line(file)) {
        throw ConfigError(file.string(), "", "not valid UTF-8 (a TOML file is UTF-8 text)", *line);
    }
    toml::value root;
    try {
        root = toml::parse(file.string());
    } catch (const toml::syntax_error& e) {
        throw ConfigError(file.string(), "", "TOML syntax error\n" + redact_quoted_lines(e.what()));
    } catch (const std::exception& e) {
        throw ConfigError(file.string(), "", std::string("cannot read: ") + e.what());
    }
    Reader r(file, env, c.warnings);
    const Table& table = root.as_table();

    std::vector<std::string> keys;
    for (const auto& [k, _] : table) keys.push_back(k);
    std::sort(keys.begin(), keys.end());
    for (const auto& k : keys) {
        const toml::value& v = table.at(k);
        if (k == "danube_service_url") c.danube_service_url = r.str(v, k);
        else if (k == "connector_name") c.connector_name = r.str(v, k);
        else if (k == "plugin") c.plugin = r.str(v, k);
        else if (k == "plugins_dir") c.plugins_dir = r.resolve(r.str(v, k));
        else if (k == "data_dir") c.data_dir = r.resolve(r.str(v, k));
        else if (k == "retry") {
            r.each_key(v, "[retry]", kRetryKeys, [&](const std::string& key, const toml::value& x) {
                if (key == "max_retries") c.retry.max_retries = static_cast<uint32_t>(r.uint(x, "[retry].max_retries", 0, UINT32_MAX));
                else if (key == "retry_backoff_ms") c.retry.retry_backoff_ms = r.uint(x, "[retry].retry_backoff_ms", 1, 3600000);
                else if (key == "max_backoff_ms") c.retry.max_backoff_ms = r.uint(x, "[retry].max_backoff_ms", 1, 3600000);
            });
        } else if (k == "processing") {
            auto& p = c.processing;
            r.each_key(v, "[processing]", kProcessingKeys, [&](const std::string& key, const toml::value& x) {
                const std::string path = "[processing]." + key;
                if (key == "batch_size") p.batch_size = static_cast<uint32_t>(r.uint(x, path, 0, 1000000));
                else if (key == "batch_timeout_ms") p.batch_timeout_ms = r.uint(x, path, 0, 3600000);
                else if (key == "poll_interval_ms") p.poll_interval_ms = r.uint(x, path, 0, 3600000);
                else if (key == "metrics_port") p.metrics_port = static_cast<uint16_t>(r.uint(x, path, 0, 65535));
                else if (key == "log_level") {
                    // spdlog's level names (and Rust's), in any case: any other text would turn logging off.
                    p.log_level = r.str(x, path);
                    std::transform(p.log_level.begin(), p.log_level.end(), p.log_level.begin(),
                                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
                    static const std::set<std::string> kLevels = {"trace", "debug", "info", "warn", "warning",
                                                                  "error", "err", "critical", "off"};
                    if (!kLevels.count(p.log_level)) {
                        r.fail(path, "expected \"trace\", \"debug\", \"info\", \"warn\", \"error\" or \"off\", got \"" +
                                         Reader::shown(x) + "\"", &x);
                    }
                }
                else if (key == "health_check_interval_ms") p.health_check_interval_ms = r.uint(x, path, 0, 86400000);
                else if (key == "health_check_failure_threshold") p.health_check_failure_threshold = static_cast<uint32_t>(r.uint(x, path, 1, 1000000));
            });
        } else if (k == "delivery") {
            auto& d = c.delivery;
            r.each_key(v, "[delivery]", kDeliveryKeys, [&](const std::string& key, const toml::value& x) {
                const std::string path = "[delivery]." + key;
                if (key == "ordering") {
                    const auto s = r.str(x, path);
                    if (s == "strict") d.ordering = Ordering::strict;
                    else if (s == "relaxed") d.ordering = Ordering::relaxed;
                    else r.fail(path, "expected \"strict\" or \"relaxed\", got \"" + Reader::shown(x) + "\"", &x);
                } else if (key == "window_per_producer") d.window_per_producer = static_cast<uint32_t>(r.uint(x, path, 1, 1024));
                else if (key == "max_inflight_records") d.max_inflight_records = static_cast<uint32_t>(r.uint(x, path, 1, 10000000));
                else if (key == "max_inflight_bytes") d.max_inflight_bytes = r.uint(x, path, 1024, 1ull << 40);
                else if (key == "max_record_bytes") d.max_record_bytes = r.uint(x, path, 64, (4ull << 20) - 1024);
                else if (key == "send_timeout_ms") d.send_timeout_ms = r.uint(x, path, 10, 3600000);
                else if (key == "commit_interval_ms") d.commit_interval_ms = r.uint(x, path, 0, 3600000);
                else if (key == "shutdown_timeout_ms") d.shutdown_timeout_ms = r.uint(x, path, 0, 3600000);
            });
        } else if (k == "dead_letter") {
            bool policy_set = false;
            r.each_key(v, "[dead_letter]", kDeadLetterKeys, [&](const std::string& key, const toml::value& x) {
                if (key == "topic") c.dead_letter.topic = r.str(x, "[dead_letter].topic");
                else if (key == "on_invalid") {
                    const auto s = r.str(x, "[dead_letter].on_invalid");
                    policy_set = true;
                    if (s == "dead_letter") c.dead_letter.on_invalid = InvalidRecordPolicy::dead_letter;
                    else if (s == "skip") c.dead_letter.on_invalid = InvalidRecordPolicy::skip;
                    else if (s == "fail") c.dead_letter.on_invalid = InvalidRecordPolicy::fail;
                    else r.fail("[dead_letter].on_invalid", "expected \"dead_letter\", \"skip\" or \"fail\", got \"" + Reader::shown(x) + "\"", &x);
                }
            });
            if (!policy_set && !c.dead_letter.topic.empty()) c.dead_letter.on_invalid = InvalidRecordPolicy::dead_letter;
        } else if (k == "schemas") {
            if (!v.is_array()) r.fail("schemas", "expected [[schemas]] entries", &v);
            size_t i = 0;
            for (const auto& entry : v.as_array()) c.schemas.push_back(parse_schema(r, entry, "[[schemas]][" + std::to_string(i++) + "]"));
        } else if (k == "http") {
            r.each_key(v, "[http]", kHttpKeys, [&](const std::string& key, const toml::value& x) {
                if (key == "enabled") c.http.enabled = r.boolean(x, "[http].enabled");
                else if (key == "address") c.http.address = r.str(x, "[http].address");
                else if (key == "port") c.http.port = static_cast<uint16_t>(r.uint(x, "[http].port", 0, 65535));
            });
        } else if (k == "broker") {
            auto& b = c.broker;
            r.each_key(v, "[broker]", kBrokerKeys, [&](const std::string& key, const toml::value& x) {
                const std::string path = "[broker]." + key;
                if (key == "tls_ca_file") b.tls_ca_file = r.resolve(r.str(x, path));
                else if (key == "tls_cert_file") b.tls_cert_file = r.resolve(r.str(x, path));
                else if (key == "tls_key_file") b.tls_key_file = r.resolve(r.str(x, path));
                else if (key == "tls_server_name") b.tls_server_name = r.str(x, path);
                else if (key == "token") b.token = r.str(x, path);
                else if (key == "token_file") b.token_file = r.resolve(r.str(x, path));
            });
        } else if (k == "log") {
            r.each_key(v, "[log]", kLogKeys, [&](const std::string& key, const toml::value& x) {
                if (key == "format") {
                    const auto f = r.str(x, "[log].format");
                    if (f != "text" && f != "json") r.fail("[log].format", "expected \"text\" or \"json\", got \"" + Reader::shown(x) + "\"", &x);
                    c.log.json = f == "json";
                }
            });
        } else if (k == "metrics_port") {
            r.warn("root key metrics_port is ignored; it belongs in [processing] (the reference runtime ignored it too)");
        } else {
            if (auto near = closest(k, kRootKeys)) {
                r.warn("root key '" + k + "' is passed to the plugin; did you mean '" + *near + "'?");
            }
            c.plugin_config[k] = r.to_json(v, k);
        }
    }

    // Environment overrides come after parsing and before validation (reference-runtime.md §1).
    if (const auto url = env("DANUBE_SERVICE_URL")) c.danube_service_url = *url;
    if (const auto name = env("CONNECTOR_NAME")) c.connector_name = *name;

    const std::string f = file.string();
    if (c.danube_service_url.empty()) throw ConfigError(f, "danube_service_url", "is required (or set DANUBE_SERVICE_URL)");
    if (c.danube_service_url.rfind("http://", 0) != 0 && c.danube_service_url.rfind("https://", 0) != 0) {
        throw ConfigError(f, "danube_service_url", "must start with http:// or https:// (e.g. http://127.0.0.1:6650)");
    }
    if (c.connector_name.empty()) throw ConfigError(f, "connector_name", "is required (or set CONNECTOR_NAME)");
    if (c.retry.max_retries > 100) throw ConfigError(f, "[retry].max_retries", "too high (max 100)");
    if (c.processing.batch_size == 0) throw ConfigError(f, "[processing].batch_size", "must be > 0");
    if (c.plugin.empty()) throw ConfigError(f, "plugin", "is required: a plugin name (e.g. \"in_datagen\") or a path to a .so");
    if (!c.dead_letter.topic.empty() && !is_valid_topic(c.dead_letter.topic)) {
        throw ConfigError(f, "[dead_letter].topic", "'" + c.dead_letter.topic + "' is not a topic of the form /namespace/name");
    }
    if (c.dead_letter.on_invalid == InvalidRecordPolicy::dead_letter && c.dead_letter.topic.empty()) {
        throw ConfigError(f, "[dead_letter].on_invalid", "\"dead_letter\" needs [dead_letter].topic");
    }
    const auto& b = c.broker;
    if (b.tls_cert_file.empty() != b.tls_key_file.empty()) {
        throw ConfigError(f, "[broker].tls_cert_file", "tls_cert_file and tls_key_file go together (mTLS)");
    }
    for (const auto* p : {&b.tls_ca_file, &b.tls_cert_file, &b.tls_key_file, &b.token_file}) {
        if (!p->empty() && !fs::exists(*p)) throw ConfigError(f, "[broker]", "file " + p->string() + " does not exist");
    }
    if (!b.token.empty() && !b.token_file.empty()) {
        throw ConfigError(f, "[broker].token", "set token or token_file, not both");
    }
    const bool https = c.danube_service_url.rfind("https://", 0) == 0;
    if ((!b.token.empty() || !b.token_file.empty()) && !https && !b.tls()) {
        throw ConfigError(f, "[broker].token", "a token is only sent over TLS: use an https:// danube_service_url or set tls_ca_file");
    }
    if (b.tls() && !https) {
        throw ConfigError(f, "danube_service_url", "TLS is configured in [broker]: the URL must start with https://");
    }
    std::set<std::string> seen;
    for (const auto& s : c.schemas) {
        if (!seen.insert(s.topic).second) {
            c.warnings.push_back(f + ": two [[schemas]] entries for topic " + s.topic + "; the later one wins");
        }
    }
    return c;
}

nlohmann::json ConnectorConfig::core_json() const {
    nlohmann::json schemas = nlohmann::json::array();
    for (const auto& s : this->schemas) {
        nlohmann::json vs = "latest";
        if (s.version.kind == VersionStrategy::Kind::pinned) vs = {{"pinned", s.version.version}};
        if (s.version.kind == VersionStrategy::Kind::minimum) vs = {{"minimum", s.version.version}};
        schemas.push_back({{"topic", s.topic},
                           {"subject", s.subject},
                           {"schema_type", s.schema_type},
                           {"schema_file", s.schema_file.string()},
                           {"auto_register", s.auto_register},
                           {"version_strategy", vs}});
    }
    return {{"danube_service_url", danube_service_url},
            {"connector_name", connector_name},
            {"processing",
             {{"batch_size", processing.batch_size},
              {"batch_timeout_ms", processing.batch_timeout_ms},
              {"poll_interval_ms", processing.poll_interval_ms},
              {"metrics_port", processing.metrics_port},
              {"log_level", processing.log_level},
              {"health_check_interval_ms", processing.health_check_interval_ms},
              {"health_check_failure_threshold", processing.health_check_failure_threshold}}},
            {"schemas", schemas},
            {"offsets", nlohmann::json::array()}};
}

const SchemaMapping* ConnectorConfig::schema_for(const std::string& topic) const {
    const SchemaMapping* found = nullptr;
    for (const auto& s : schemas) {
        if (s.topic == topic) found = &s;  // the later entry wins, as in the reference runtime
    }
    return found;
}

}  // namespace dcx::config
