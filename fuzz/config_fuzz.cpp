// SPDX-License-Identifier: Apache-2.0
// Fuzz target: the connector TOML (load_config: parsing, ${env:}/${file:} interpolation, env
// overrides, every table's validation, [[schemas]] with their schema files), then what the daemon
// does next with a configuration it accepted: compile the JSON Schemas (check_schema_files) and
// serialize core_json() and the plugin section for the plugin (and --print-config).
//
// Input: the TOML text. A line "#%schema%" splits it: what follows is written to
// fuzz-schema.json next to the TOML, so `schema_file = "fuzz-schema.json"` reads fuzzed JSON
// Schemas too. "@dir@" stands for the fixture directory (it holds schema.json, bad.json,
// secret.txt, token and binary.bin), e.g. `token = "${file:@dir@/secret.txt}"`; the environment
// has FUZZ_SECRET, FUZZ_URL and FUZZ_BINARY (not UTF-8).
//
// Properties: a ConfigError or success, nothing else escapes; an accepted configuration has the
// required keys, valid topics and ranges, and serializes to JSON (the plugin receives it so).
//
// The harness skips inputs whose strings name special files (/dev, /proc, ...) or other trees:
// reading /dev/zero through ${file:} would only measure the harness.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "config/config_error.hpp"
#include "config/connector_config.hpp"
#include "fuzz_input.hpp"
#include "schema/json_validator.hpp"

namespace {

namespace fs = std::filesystem;
using dcx::fuzz::expect;

constexpr std::string_view kSchemaMarker = "\n#%schema%\n";

const fs::path& fixture_dir() {
    static const fs::path dir = [] {
        const char* tmp = std::getenv("TMPDIR");
        std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/dcx-config-fuzz-XXXXXX";
        if (!::mkdtemp(templ.data())) std::abort();
        const fs::path d(templ);
        const auto write = [&d](const char* name, std::string_view text) {
            std::ofstream(d / name, std::ios::binary) << text;
        };
        write("schema.json", R"({"type":"object","properties":{"id":{"type":"integer"}},"required":["id"]})");
        write("bad.json", "{not json");
        write("secret.txt", "s3cret\n");
        write("token", "eyJhbGciOiJub25lIn0.e30.\n");
        write("binary.bin", std::string_view("\xff\xfe\x00\x80 key", 8));
        std::atexit([] { std::error_code ec; fs::remove_all(fixture_dir(), ec); });
        return d;
    }();
    return dir;
}

bool safe_text(std::string_view text) {
    static constexpr std::string_view kBad[] = {"/dev", "/proc", "/sys", "/run", "/var", "/tmp", "/home",
                                                "/root", "/work", "/usr", "/lib", "/mnt", "/media", "/opt",
                                                "/srv", "/boot", "/snap", "..", "~"};
    for (const auto bad : kBad) {
        if (text.find(bad) != std::string_view::npos) return false;
    }
    return true;
}

// The text with TOML's escapes that could spell a path undone: the backslash-u and backslash-U
// code points (ASCII kept, the rest as '?'), and a line-ending backslash with the whitespace after
// it (multi-line strings join there).
std::string unescaped(std::string_view text) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '\\' || i + 1 == text.size()) {
            out += text[i];
            continue;
        }
        const char e = text[i + 1];
        const size_t digits = e == 'u' ? 4 : e == 'U' ? 8 : 0;
        if (digits && i + 2 + digits <= text.size()) {
            char32_t cp = 0;
            bool hex = true;
            for (size_t k = 0; k < digits; ++k) {
                const char h = text[i + 2 + k];
                const int v = (h >= '0' && h <= '9') ? h - '0' : (h >= 'a' && h <= 'f') ? h - 'a' + 10 : (h >= 'A' && h <= 'F') ? h - 'A' + 10 : -1;
                hex = hex && v >= 0;
                cp = (cp << 4) | static_cast<char32_t>(v < 0 ? 0 : v);
            }
            if (hex) {
                if (cp < 0x80) out += static_cast<char>(cp);
                else out += '?';  // not part of any path the blocklist names
                i += 1 + digits;
                continue;
            }
        }
        size_t j = i + 1;
        while (j < text.size() && (text[j] == ' ' || text[j] == '\t')) ++j;
        if (j < text.size() && (text[j] == '\n' || text[j] == '\r')) {  // line-ending backslash
            while (j < text.size() && (text[j] == ' ' || text[j] == '\t' || text[j] == '\n' || text[j] == '\r')) ++j;
            i = j - 1;
            continue;
        }
        out += text[i];
    }
    return out;
}

// Whether every path the configuration could name stays among ordinary files: checked on the raw
// text and on the text with its escapes undone (a path may be spelt with backslash-u escapes).
bool safe_paths(std::string_view text) {
    return safe_text(text) && (text.find('\\') == std::string_view::npos || safe_text(unescaped(text)));
}

std::optional<std::string> env(const std::string& name) {
    if (name == "FUZZ_SECRET") return std::string("env-secret");
    if (name == "FUZZ_URL") return std::string("http://127.0.0.1:6650");
    if (name == "FUZZ_BINARY") return std::string("\xc3\x28", 2);
    return std::nullopt;
}

bool is_topic(const std::string& t) {
    if (t.size() < 4 || t[0] != '/') return false;
    const size_t slash = t.find('/', 1);
    if (slash == std::string::npos || slash == 1 || slash + 1 == t.size()) return false;
    for (size_t i = 1; i < t.size(); ++i) {
        const char c = t[i];
        if (i != slash && !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return false;
    }
    return true;
}

bool serializes(const nlohmann::json& j) {
    try {
        (void)j.dump();
        (void)j.dump(2);
        return true;
    } catch (const nlohmann::json::exception&) {
        return false;
    }
}

void check_accepted(const dcx::config::ConnectorConfig& c) {
    using namespace dcx::config;
    expect(!c.connector_name.empty() && !c.plugin.empty());
    expect(c.danube_service_url.rfind("http://", 0) == 0 || c.danube_service_url.rfind("https://", 0) == 0);
    expect(c.processing.batch_size > 0 && c.retry.max_retries <= 100);
    expect(c.delivery.window_per_producer >= 1 && c.delivery.window_per_producer <= 1024);
    expect(c.delivery.max_record_bytes >= 64 && c.delivery.max_record_bytes < (4u << 20));
    expect(c.dead_letter.topic.empty() || is_topic(c.dead_letter.topic));
    expect(c.dead_letter.on_invalid != InvalidRecordPolicy::dead_letter || !c.dead_letter.topic.empty());
    expect(c.plugin_config.is_object());
    for (const auto& key : host_root_keys()) expect(!c.plugin_config.contains(key));
    for (const auto& s : c.schemas) {
        expect(is_topic(s.topic) && !s.subject.empty());
        const bool with_file = s.schema_type == "json_schema" || s.schema_type == "avro";
        expect(with_file || s.schema_type == "string" || s.schema_type == "number" || s.schema_type == "bytes");
        if (with_file) expect(!nlohmann::json::parse(s.definition, nullptr, false).is_discarded());
        if (s.version.kind != VersionStrategy::Kind::latest) expect(s.version.version >= 1);
        expect(c.schema_for(s.topic) != nullptr);
        // The daemon compiles each JSON Schema at startup (check_schema_files): a ConfigError then.
        if (s.schema_type == "json_schema") {
            try {
                dcx::schema::JsonSchemaValidator compiled(nlohmann::json::parse(s.definition));
                (void)compiled.validate(c.plugin_config);
            } catch (const std::exception&) {
            }
        }
    }
    // What the daemon hands the plugin (initialize) and prints (--print-config).
    nlohmann::json doc = c.core_json();
    expect(serializes(doc));
    doc["plugin"] = c.plugin;
    doc["plugin_config"] = c.plugin_config;
    expect(serializes(doc));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    if (!safe_paths(input)) return -1;  // not added to the corpus
    const fs::path& dir = fixture_dir();
    std::string text(input);
    for (size_t at = text.find("@dir@"); at != std::string::npos; at = text.find("@dir@", at)) {
        text.replace(at, 5, dir.string());
        at += dir.string().size();
    }
    const size_t split = text.find(kSchemaMarker);
    const fs::path file = dir / "connector.toml";
    std::ofstream(file, std::ios::binary | std::ios::trunc) << std::string_view(text).substr(0, split);
    const fs::path schema = dir / "fuzz-schema.json";
    if (split != std::string::npos) {
        std::ofstream(schema, std::ios::binary | std::ios::trunc) << std::string_view(text).substr(split + kSchemaMarker.size());
    } else {
        std::error_code ec;
        fs::remove(schema, ec);  // nothing left over from an earlier input
    }
    try {
        const auto config = dcx::config::load_config(file, env);
        check_accepted(config);
    } catch (const dcx::config::ConfigError& e) {
        expect(std::string_view(e.what()).find(file.string()) == 0);  // errors name the file first
    }
    return 0;
}
