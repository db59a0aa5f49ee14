// SPDX-License-Identifier: Apache-2.0
#include "schema/schema_resolver.hpp"

#include <openssl/evp.h>

#include "schema/canonical_json.hpp"

namespace dcx::schema {
namespace {

using Kind = RegistryOutcome::Kind;

bool transient(const grpc::Status& st) {
    return st.error_code() == grpc::StatusCode::UNAVAILABLE || st.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED ||
           st.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED || st.error_code() == grpc::StatusCode::CANCELLED;
}

RegistryOutcome from_status(const grpc::Status& st, const std::string& what) {
    if (transient(st)) return {Kind::retry, what + ": " + st.error_message()};
    return {Kind::fail, what + ": " + st.error_message()};
}

// GetSchemaResponse.schema_definition is the broker's internal enum serialised as JSON
// ({"JsonSchema":{"raw_schema":...}}), not the registered bytes (broker-protocol.md §9.3).
std::string raw_definition(const std::string& internal) {
    const auto j = nlohmann::json::parse(internal, nullptr, false);
    if (j.is_object() && j.size() == 1) {
        const auto& inner = j.begin().value();
        if (inner.is_object() && inner.contains("raw_schema") && inner["raw_schema"].is_string()) {
            return inner["raw_schema"].get<std::string>();
        }
    }
    return internal;
}

}  // namespace

std::string schema_fingerprint(SchemaType type, const std::string& definition) {
    if (type != SchemaType::json_schema && type != SchemaType::avro) return to_string(type);
    const auto doc = nlohmann::json::parse(definition, nullptr, false);
    const std::string canonical = doc.is_discarded() ? definition : canonical_json(doc);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(canonical.data(), canonical.size(), digest, &len, EVP_sha256(), nullptr);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out = "sha256:";
    for (unsigned int i = 0; i < len; ++i) {
        out += kHex[digest[i] >> 4];
        out += kHex[digest[i] & 0xF];
    }
    return out;
}

RegistryOutcome SchemaResolver::ensure_registered(const config::SchemaMapping& m) {
    const SchemaType type = parse_schema_type(m.schema_type);
    const std::string local_fp = schema_fingerprint(type, m.definition);

    danube_schema::GetLatestSchemaRequest get;
    get.set_subject(m.subject);
    danube_schema::GetSchemaResponse latest;
    auto ctx = broker_.context(timeout_);
    const grpc::Status st = broker_.schema().GetLatestSchema(ctx.get(), get, &latest);
    const std::string subject = "schema subject '" + m.subject + "'";
    if (!st.ok() && st.error_code() != grpc::StatusCode::NOT_FOUND) return from_status(st, "cannot read " + subject);

    if (st.ok()) {
        if (latest.fingerprint() == local_fp) return {};
        if (!m.auto_register) {
            if (latest.schema_type() != to_string(type)) {
                return {Kind::fail, subject + " is registered as " + latest.schema_type() + " but the config says " +
                                        m.schema_type + " (auto_register = false)"};
            }
            return {Kind::ok, subject + ": the local schema file differs from registered version " +
                                  std::to_string(latest.version()) + "; using the registered one (auto_register = false)"};
        }
    } else if (!m.auto_register) {
        return {Kind::fail, subject + " is not registered and auto_register = false: " + st.error_message()};
    }

    danube_schema::RegisterSchemaRequest reg;
    reg.set_subject(m.subject);
    reg.set_schema_type(to_string(type));
    reg.set_schema_definition(m.definition);
    reg.set_description("");
    reg.set_created_by("danube-connectd");
    danube_schema::RegisterSchemaResponse resp;
    auto rctx = broker_.context(timeout_);
    const grpc::Status rst = broker_.schema().RegisterSchema(rctx.get(), reg, &resp);
    if (!rst.ok()) {
        if (transient(rst)) return {Kind::retry, "cannot register " + subject + ": " + rst.error_message()};
        return {Kind::fail, "the broker refused schema file '" + m.schema_file.string() + "' for " + subject +
                                (st.ok() ? " (a change from version " + std::to_string(latest.version()) + ")" : "") + ": " +
                                rst.error_message()};
    }
    return {Kind::ok, st.ok() ? subject + ": the local schema file changed; registered it as version " +
                                    std::to_string(resp.version())
                              : subject + ": registered as version " + std::to_string(resp.version())};
}

RegistryOutcome SchemaResolver::resolve(const config::SchemaMapping& m, ResolvedSchema& out) {
    danube_schema::GetLatestSchemaRequest get;
    get.set_subject(m.subject);
    danube_schema::GetSchemaResponse latest;
    auto ctx = broker_.context(timeout_);
    const grpc::Status st = broker_.schema().GetLatestSchema(ctx.get(), get, &latest);
    if (!st.ok()) return from_status(st, "cannot resolve schema subject '" + m.subject + "'");

    const danube_schema::GetSchemaResponse* chosen = &latest;
    danube_schema::GetSchemaResponse pinned;
    const uint32_t v = m.version.version;
    switch (m.version.kind) {
        case config::VersionStrategy::Kind::latest: break;
        case config::VersionStrategy::Kind::pinned:
            if (v > latest.version()) {
                return {Kind::fail, "pinned version " + std::to_string(v) + " of schema subject '" + m.subject +
                                        "' does not exist (latest is " + std::to_string(latest.version()) + ")"};
            }
            if (v < latest.version()) {
                danube_schema::GetSchemaRequest req;
                req.set_schema_id(latest.schema_id());
                req.set_version(v);
                auto pctx = broker_.context(timeout_);
                const grpc::Status pst = broker_.schema().GetSchema(pctx.get(), req, &pinned);
                if (!pst.ok()) return from_status(pst, "cannot read version " + std::to_string(v) + " of '" + m.subject + "'");
                chosen = &pinned;
            }
            break;
        case config::VersionStrategy::Kind::minimum:
            if (latest.version() < v) {
                return {Kind::fail, "latest version " + std::to_string(latest.version()) + " of schema subject '" + m.subject +
                                        "' does not meet minimum " + std::to_string(v)};
            }
            break;
    }
    out.schema_id = chosen->schema_id();
    out.version = chosen->version();
    out.type = parse_schema_type(chosen->schema_type());
    out.definition = out.type == SchemaType::json_schema ? raw_definition(chosen->schema_definition()) : std::string();
    return {};
}

}  // namespace dcx::schema
