// SPDX-License-Identifier: Apache-2.0
// Registry semantics from danube-schema/src/registry.rs (v0.15.1): idempotent by fingerprint,
// a new version for a new fingerprint after a compatibility check, NOT_FOUND texts as the broker's.
#include "schema_registry.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <chrono>
#include <set>

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>

namespace dcx::test_broker {
namespace {

std::string sha256_hex(std::string_view data) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < len; ++i) {
        out += kHex[digest[i] >> 4];
        out += kHex[digest[i] & 0xF];
    }
    return out;
}

uint64_t now_seconds() {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
}

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

// Debug rendering of the Rust CompatibilityMode enum, used in the broker's error text.
std::string mode_debug_name(const std::string& mode) {
    if (mode == "none") return "None";
    if (mode == "forward") return "Forward";
    if (mode == "full") return "Full";
    return "Backward";
}

// Parses and checks a definition; returns the fingerprint or an error text.
struct Parsed {
    std::string fingerprint;
    std::string error;
};

Parsed parse_definition(const std::string& type, const std::string& definition) {
    if (type == "bytes" || type == "string" || type == "number") return {type, {}};
    if (type == "protobuf") {
        if (definition.find("message") == std::string::npos) {
            return {{}, "Invalid protobuf schema: no message definition found"};
        }
        return {"sha256:" + sha256_hex(definition), {}};
    }
    nlohmann::json doc;
    try {
        doc = nlohmann::json::parse(definition);
    } catch (const std::exception& e) {
        return {{}, std::string("Failed to parse JSON: ") + e.what()};
    }
    if (type == "json_schema") {
        try {
            valijson::Schema schema;
            valijson::SchemaParser parser;
            valijson::adapters::NlohmannJsonAdapter adapter(doc);
            parser.populateSchema(adapter, schema);
        } catch (const std::exception& e) {
            return {{}, std::string("Invalid JSON Schema: ") + e.what()};
        }
    } else if (type == "avro") {
        const bool named_primitive = doc.is_string();
        const bool record_like = doc.is_object() && doc.contains("type");
        if (!named_primitive && !record_like && !doc.is_array()) {
            return {{}, "Invalid Avro schema: expected a type name, an object with \"type\" or a union"};
        }
    }
    // Canonical form = compact JSON with sorted keys, so whitespace edits are not new versions.
    return {"sha256:" + sha256_hex(doc.dump()), {}};
}

// The broker's internal representation, serialised as the Rust SchemaDefinition enum would be.
std::string internal_definition(const std::string& type, const std::string& raw, const std::string& fp) {
    if (type == "bytes") return "\"Bytes\"";
    if (type == "string") return "\"String\"";
    if (type == "number") return "\"Number\"";
    const std::string variant = type == "json_schema" ? "JsonSchema" : type == "avro" ? "Avro" : "Protobuf";
    return nlohmann::json{{variant, {{"raw_schema", raw}, {"fingerprint", fp}}}}.dump();
}

}  // namespace

std::optional<std::string> SchemaRegistry::canonical_type(std::string_view schema_type) {
    const std::string t = lower(schema_type);
    if (t == "bytes" || t == "string" || t == "avro") return t;
    if (t == "number" || t == "int64" || t == "int" || t == "float" || t == "double") return "number";
    if (t == "json_schema" || t == "json") return "json_schema";
    if (t == "protobuf" || t == "proto") return "protobuf";
    return std::nullopt;
}

std::vector<std::string> SchemaRegistry::incompatibilities(const Version& latest, const std::string& type,
                                                           const std::string& definition,
                                                           const std::string& mode) {
    if (type != latest.type) {
        return {"schema type changed from " + latest.type + " to " + type};
    }
    if (type != "json_schema") return {};
    // A deliberately small JSON Schema rule set (documented in tools/test-broker/README.md):
    // BACKWARD: the new schema must not require a property the old one did not require, and a
    // property present in both must keep its "type". FORWARD swaps the roles; FULL checks both.
    const auto check = [](const nlohmann::json& reader, const nlohmann::json& writer) {
        std::vector<std::string> errors;
        std::set<std::string> old_required;
        if (writer.contains("required") && writer["required"].is_array()) {
            for (const auto& r : writer["required"]) {
                if (r.is_string()) old_required.insert(r.get<std::string>());
            }
        }
        if (reader.contains("required") && reader["required"].is_array()) {
            for (const auto& r : reader["required"]) {
                if (r.is_string() && !old_required.count(r.get<std::string>())) {
                    errors.push_back("new required property '" + r.get<std::string>() + "'");
                }
            }
        }
        if (reader.contains("properties") && writer.contains("properties") &&
            reader["properties"].is_object() && writer["properties"].is_object()) {
            for (const auto& [name, prop] : reader["properties"].items()) {
                const auto& w = writer["properties"];
                if (w.contains(name) && prop.contains("type") && w[name].contains("type") &&
                    prop["type"] != w[name]["type"]) {
                    errors.push_back("property '" + name + "' changed type");
                }
            }
        }
        return errors;
    };
    const auto old_doc = nlohmann::json::parse(latest.definition, nullptr, false);
    const auto new_doc = nlohmann::json::parse(definition, nullptr, false);
    std::vector<std::string> errors;
    if (mode == "backward" || mode == "full") {
        auto e = check(new_doc, old_doc);
        errors.insert(errors.end(), e.begin(), e.end());
    }
    if (mode == "forward" || mode == "full") {
        auto e = check(old_doc, new_doc);
        errors.insert(errors.end(), e.begin(), e.end());
    }
    return errors;
}

grpc::Status SchemaRegistry::register_schema(const danube_schema::RegisterSchemaRequest& req,
                                             danube_schema::RegisterSchemaResponse& resp) {
    const auto type = canonical_type(req.schema_type());
    if (!type) {
        return {grpc::StatusCode::INTERNAL,
                "Failed to register schema: Unknown schema type: " + req.schema_type()};
    }
    const Parsed parsed = parse_definition(*type, req.schema_definition());
    if (!parsed.error.empty()) {
        return {grpc::StatusCode::INTERNAL, "Failed to register schema: " + parsed.error};
    }

    std::lock_guard lock(mu_);
    Version v{0,
              *type,
              req.schema_definition(),
              parsed.fingerprint,
              req.description(),
              req.created_by(),
              {req.tags().begin(), req.tags().end()},
              now_seconds()};
    auto it = subjects_.find(req.subject());
    if (it == subjects_.end()) {
        Subject s;
        s.id = next_id_++;
        v.version = 1;
        s.versions.push_back(v);
        it = subjects_.emplace(req.subject(), std::move(s)).first;
        resp.set_is_new_version(true);
    } else {
        Subject& s = it->second;
        for (const auto& existing : s.versions) {
            if (existing.fingerprint == parsed.fingerprint) {
                resp.set_schema_id(s.id);
                resp.set_version(existing.version);
                resp.set_is_new_version(false);
                resp.set_fingerprint(existing.fingerprint);
                return grpc::Status::OK;
            }
        }
        if (s.compatibility != "none" && !s.versions.empty()) {
            const auto errors = incompatibilities(s.versions.back(), *type, v.definition, s.compatibility);
            if (!errors.empty()) {
                std::string joined;
                for (const auto& e : errors) joined += (joined.empty() ? "" : "; ") + e;
                return {grpc::StatusCode::INTERNAL,
                        "Failed to register schema: Schema is not compatible with subject '" + req.subject() +
                            "' (mode: " + mode_debug_name(s.compatibility) + "): " + joined};
            }
        }
        v.version = s.versions.empty() ? 1 : s.versions.back().version + 1;
        s.versions.push_back(v);
        resp.set_is_new_version(true);
    }
    resp.set_schema_id(it->second.id);
    resp.set_version(v.version);
    resp.set_fingerprint(v.fingerprint);
    return grpc::Status::OK;
}

void SchemaRegistry::fill(const std::string& name, const Subject& s, const Version& v,
                          danube_schema::GetSchemaResponse& resp) const {
    resp.set_schema_id(s.id);
    resp.set_version(v.version);
    resp.set_subject(name);
    resp.set_schema_type(v.type);
    resp.set_schema_definition(internal_definition(v.type, v.definition, v.fingerprint));
    resp.set_description(v.description);
    resp.set_created_at(v.created_at);
    resp.set_created_by(v.created_by);
    for (const auto& t : v.tags) resp.add_tags(t);
    resp.set_fingerprint(v.fingerprint);
    resp.set_compatibility_mode(s.compatibility);
}

grpc::Status SchemaRegistry::get_latest(const danube_schema::GetLatestSchemaRequest& req,
                                        danube_schema::GetSchemaResponse& resp) const {
    std::lock_guard lock(mu_);
    const auto it = subjects_.find(req.subject());
    if (it == subjects_.end() || it->second.versions.empty()) {
        return {grpc::StatusCode::NOT_FOUND, "Schema not found for subject: " + req.subject()};
    }
    fill(it->first, it->second, it->second.versions.back(), resp);
    return grpc::Status::OK;
}

grpc::Status SchemaRegistry::get_schema(const danube_schema::GetSchemaRequest& req,
                                        danube_schema::GetSchemaResponse& resp) const {
    std::lock_guard lock(mu_);
    const grpc::Status not_found{grpc::StatusCode::NOT_FOUND,
                                 "Schema not found for ID: " + std::to_string(req.schema_id())};
    for (const auto& [name, s] : subjects_) {
        if (s.id != req.schema_id() || s.versions.empty()) continue;
        if (!req.has_version()) {
            fill(name, s, s.versions.back(), resp);
            return grpc::Status::OK;
        }
        for (const auto& v : s.versions) {
            if (v.version == req.version()) {
                fill(name, s, v, resp);
                return grpc::Status::OK;
            }
        }
        return not_found;
    }
    return not_found;
}

grpc::Status SchemaRegistry::list_versions(const danube_schema::ListVersionsRequest& req,
                                           danube_schema::ListVersionsResponse& resp) const {
    std::lock_guard lock(mu_);
    const auto it = subjects_.find(req.subject());
    if (it == subjects_.end()) {
        return {grpc::StatusCode::NOT_FOUND, "Schema not found for subject: " + req.subject()};
    }
    for (const auto& v : it->second.versions) {
        auto* info = resp.add_versions();
        info->set_version(v.version);
        info->set_created_at(v.created_at);
        info->set_created_by(v.created_by);
        info->set_description(v.description);
        info->set_fingerprint(v.fingerprint);
        info->set_schema_id(it->second.id);
    }
    return grpc::Status::OK;
}

grpc::Status SchemaRegistry::check_compatibility(const danube_schema::CheckCompatibilityRequest& req,
                                                 danube_schema::CheckCompatibilityResponse& resp) const {
    const auto type = canonical_type(req.schema_type());
    if (!type) {
        return {grpc::StatusCode::INVALID_ARGUMENT, "Unknown schema type: " + req.schema_type()};
    }
    std::lock_guard lock(mu_);
    const auto it = subjects_.find(req.subject());
    if (it == subjects_.end() || it->second.versions.empty()) {
        return {grpc::StatusCode::NOT_FOUND, "Schema not found for subject: " + req.subject()};
    }
    const std::string mode = req.has_compatibility_mode() ? lower(req.compatibility_mode())
                                                          : it->second.compatibility;
    const auto errors = mode == "none" ? std::vector<std::string>{}
                                       : incompatibilities(it->second.versions.back(), *type,
                                                           req.new_schema_definition(), mode);
    resp.set_is_compatible(errors.empty());
    for (const auto& e : errors) resp.add_errors(e);
    return grpc::Status::OK;
}

grpc::Status SchemaRegistry::delete_version(const danube_schema::DeleteSchemaVersionRequest& req,
                                            danube_schema::DeleteSchemaVersionResponse& resp) {
    std::lock_guard lock(mu_);
    const auto it = subjects_.find(req.subject());
    if (it == subjects_.end()) {
        return {grpc::StatusCode::NOT_FOUND, "Schema not found for subject: " + req.subject()};
    }
    auto& versions = it->second.versions;
    const auto v = std::find_if(versions.begin(), versions.end(),
                                [&](const Version& x) { return x.version == req.version(); });
    if (v == versions.end()) {
        return {grpc::StatusCode::NOT_FOUND, "Schema version " + std::to_string(req.version()) +
                                                 " not found for subject: " + req.subject()};
    }
    versions.erase(v);
    resp.set_success(true);
    resp.set_message("Deleted version " + std::to_string(req.version()) + " of " + req.subject());
    return grpc::Status::OK;
}

grpc::Status SchemaRegistry::set_compatibility(const danube_schema::SetCompatibilityModeRequest& req,
                                               danube_schema::SetCompatibilityModeResponse& resp) {
    const std::string mode = lower(req.compatibility_mode());
    if (mode != "none" && mode != "backward" && mode != "forward" && mode != "full") {
        return {grpc::StatusCode::INVALID_ARGUMENT, "Invalid compatibility mode: " + req.compatibility_mode()};
    }
    std::lock_guard lock(mu_);
    const auto it = subjects_.find(req.subject());
    if (it == subjects_.end()) {
        return {grpc::StatusCode::NOT_FOUND, "Schema not found for subject: " + req.subject()};
    }
    it->second.compatibility = mode;
    resp.set_success(true);
    resp.set_message("Compatibility mode set to " + mode);
    return grpc::Status::OK;
}

void SchemaRegistry::list_subjects(danube_schema::ListSubjectsResponse& resp) const {
    std::lock_guard lock(mu_);
    for (const auto& [name, s] : subjects_) {
        auto* out = resp.add_subjects();
        out->set_subject(name);
        out->set_schema_id(s.id);
        out->set_compatibility_mode(s.compatibility);
        std::transform(out->mutable_compatibility_mode()->begin(), out->mutable_compatibility_mode()->end(),
                       out->mutable_compatibility_mode()->begin(), [](unsigned char c) { return std::toupper(c); });
        if (!s.versions.empty()) {
            out->set_schema_type(s.versions.back().type);
            out->set_latest_version(s.versions.back().version);
            for (const auto& t : s.versions.back().tags) out->add_tags(t);
        }
    }
}

bool SchemaRegistry::subject_exists(const std::string& subject) const {
    std::lock_guard lock(mu_);
    return subjects_.count(subject) > 0;
}

std::optional<uint64_t> SchemaRegistry::id_of_subject(const std::string& subject) const {
    std::lock_guard lock(mu_);
    const auto it = subjects_.find(subject);
    if (it == subjects_.end()) return std::nullopt;
    return it->second.id;
}

std::optional<std::string> SchemaRegistry::subject_of_id(uint64_t schema_id) const {
    std::lock_guard lock(mu_);
    for (const auto& [name, s] : subjects_) {
        if (s.id == schema_id) return name;
    }
    return std::nullopt;
}

nlohmann::json SchemaRegistry::to_json() const {
    std::lock_guard lock(mu_);
    nlohmann::json subjects = nlohmann::json::array();
    for (const auto& [name, s] : subjects_) {
        nlohmann::json versions = nlohmann::json::array();
        for (const auto& v : s.versions) {
            versions.push_back({{"version", v.version},         {"type", v.type},
                                {"definition", v.definition},   {"fingerprint", v.fingerprint},
                                {"description", v.description}, {"created_by", v.created_by},
                                {"tags", v.tags},               {"created_at", v.created_at}});
        }
        subjects.push_back({{"subject", name}, {"id", s.id}, {"compatibility", s.compatibility},
                            {"versions", versions}});
    }
    return {{"next_id", next_id_}, {"subjects", subjects}};
}

void SchemaRegistry::load_json(const nlohmann::json& state) {
    std::lock_guard lock(mu_);
    next_id_ = state.at("next_id").get<uint64_t>();
    subjects_.clear();
    for (const auto& js : state.at("subjects")) {
        Subject s;
        s.id = js.at("id").get<uint64_t>();
        s.compatibility = js.at("compatibility").get<std::string>();
        for (const auto& jv : js.at("versions")) {
            s.versions.push_back({jv.at("version").get<uint32_t>(), jv.at("type").get<std::string>(),
                                  jv.at("definition").get<std::string>(), jv.at("fingerprint").get<std::string>(),
                                  jv.at("description").get<std::string>(), jv.at("created_by").get<std::string>(),
                                  jv.at("tags").get<std::vector<std::string>>(), jv.at("created_at").get<uint64_t>()});
        }
        subjects_.emplace(js.at("subject").get<std::string>(), std::move(s));
    }
}

}  // namespace dcx::test_broker
