// SPDX-License-Identifier: Apache-2.0
// Startup work against the schema registry: make each [[schemas]] subject exist and match the
// local file (the reference runtime silently kept a stale version; we register the change), then
// resolve each producer's version strategy as danube-client does (broker-protocol.md §9.5).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "broker/broker_connection.hpp"
#include "config/connector_config.hpp"
#include "schema/payload_encoder.hpp"

namespace dcx::schema {

struct ResolvedSchema {
    uint64_t schema_id = 0;  // the subject's id: all its versions share it
    uint32_t version = 0;
    SchemaType type = SchemaType::none;
    std::string definition;  // the raw JSON Schema of that version (json_schema only)
};

/// What a registry step came to: done, try again later (broker not reachable), or a user error.
struct RegistryOutcome {
    enum class Kind { ok, retry, fail };
    Kind kind = Kind::ok;
    std::string message;
};

/// The fingerprint the broker computes: the type name for primitives, else
/// "sha256:<hex>" of the canonical compact JSON.
std::string schema_fingerprint(SchemaType type, const std::string& definition);

class SchemaResolver {
public:
    SchemaResolver(broker::BrokerConnection& broker, std::chrono::milliseconds timeout)
        : broker_(broker), timeout_(timeout) {}

    RegistryOutcome ensure_registered(const config::SchemaMapping& mapping);
    RegistryOutcome resolve(const config::SchemaMapping& mapping, ResolvedSchema& out);

private:
    broker::BrokerConnection& broker_;
    std::chrono::milliseconds timeout_;
};

}  // namespace dcx::schema
