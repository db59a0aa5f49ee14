// SPDX-License-Identifier: Apache-2.0
// The test broker's schema registry, with Danube v0.15.1 semantics (broker-protocol.md §9).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <grpcpp/support/status.h>
#include <nlohmann/json.hpp>

#include "SchemaRegistry.pb.h"

namespace dcx::test_broker {

/// Thread-safe. Ids come from one counter starting at 1; an id names a subject, and every
/// version of that subject shares it.
class SchemaRegistry {
public:
    grpc::Status register_schema(const danube_schema::RegisterSchemaRequest& req,
                                 danube_schema::RegisterSchemaResponse& resp);
    grpc::Status get_latest(const danube_schema::GetLatestSchemaRequest& req,
                            danube_schema::GetSchemaResponse& resp) const;
    grpc::Status get_schema(const danube_schema::GetSchemaRequest& req,
                            danube_schema::GetSchemaResponse& resp) const;
    grpc::Status list_versions(const danube_schema::ListVersionsRequest& req,
                               danube_schema::ListVersionsResponse& resp) const;
    grpc::Status check_compatibility(const danube_schema::CheckCompatibilityRequest& req,
                                     danube_schema::CheckCompatibilityResponse& resp) const;
    grpc::Status delete_version(const danube_schema::DeleteSchemaVersionRequest& req,
                                danube_schema::DeleteSchemaVersionResponse& resp);
    grpc::Status set_compatibility(const danube_schema::SetCompatibilityModeRequest& req,
                                   danube_schema::SetCompatibilityModeResponse& resp);
    void list_subjects(danube_schema::ListSubjectsResponse& resp) const;

    bool subject_exists(const std::string& subject) const;
    std::optional<uint64_t> id_of_subject(const std::string& subject) const;
    std::optional<std::string> subject_of_id(uint64_t schema_id) const;

    nlohmann::json to_json() const;
    void load_json(const nlohmann::json& state);

    /// Canonical type for a `schema_type` string (case-insensitive aliases), or nullopt.
    static std::optional<std::string> canonical_type(std::string_view schema_type);

private:
    struct Version {
        uint32_t version = 0;
        std::string type;        // canonical
        std::string definition;  // as registered
        std::string fingerprint;
        std::string description;
        std::string created_by;
        std::vector<std::string> tags;
        uint64_t created_at = 0;  // Unix seconds
    };
    struct Subject {
        uint64_t id = 0;
        std::string compatibility = "backward";
        std::vector<Version> versions;
    };

    void fill(const std::string& name, const Subject& s, const Version& v,
              danube_schema::GetSchemaResponse& resp) const;
    static std::vector<std::string> incompatibilities(const Version& latest, const std::string& type,
                                                      const std::string& definition,
                                                      const std::string& mode);

    mutable std::mutex mu_;
    std::map<std::string, Subject> subjects_;
    uint64_t next_id_ = 1;
};

}  // namespace dcx::test_broker
