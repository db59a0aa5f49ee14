// SPDX-License-Identifier: Apache-2.0
// danube_schema.SchemaRegistry: registry calls plus the admin topic-schema calls.
#include "services.hpp"

namespace dcx::test_broker {

grpc::ServerUnaryReactor* SchemaRegistryService::RegisterSchema(grpc::CallbackServerContext* ctx,
                                                                const danube_schema::RegisterSchemaRequest* req,
                                                                danube_schema::RegisterSchemaResponse* resp) {
    return serve(gate_, ctx, "RegisterSchema", req, resp, [this](auto& q, auto& r) {
        auto st = registry_.register_schema(q, r);
        if (st.ok() && r.is_new_version()) core_.persist();
        return st;
    });
}

grpc::ServerUnaryReactor* SchemaRegistryService::GetSchema(grpc::CallbackServerContext* ctx,
                                                           const danube_schema::GetSchemaRequest* req,
                                                           danube_schema::GetSchemaResponse* resp) {
    return serve(gate_, ctx, "GetSchema", req, resp, [this](auto& q, auto& r) { return registry_.get_schema(q, r); });
}

grpc::ServerUnaryReactor* SchemaRegistryService::GetLatestSchema(grpc::CallbackServerContext* ctx,
                                                                 const danube_schema::GetLatestSchemaRequest* req,
                                                                 danube_schema::GetSchemaResponse* resp) {
    return serve(gate_, ctx, "GetLatestSchema", req, resp,
                 [this](auto& q, auto& r) { return registry_.get_latest(q, r); });
}

grpc::ServerUnaryReactor* SchemaRegistryService::ListVersions(grpc::CallbackServerContext* ctx,
                                                              const danube_schema::ListVersionsRequest* req,
                                                              danube_schema::ListVersionsResponse* resp) {
    return serve(gate_, ctx, "ListVersions", req, resp,
                 [this](auto& q, auto& r) { return registry_.list_versions(q, r); });
}

grpc::ServerUnaryReactor* SchemaRegistryService::CheckCompatibility(
    grpc::CallbackServerContext* ctx, const danube_schema::CheckCompatibilityRequest* req,
    danube_schema::CheckCompatibilityResponse* resp) {
    return serve(gate_, ctx, "CheckCompatibility", req, resp,
                 [this](auto& q, auto& r) { return registry_.check_compatibility(q, r); });
}

grpc::ServerUnaryReactor* SchemaRegistryService::DeleteSchemaVersion(
    grpc::CallbackServerContext* ctx, const danube_schema::DeleteSchemaVersionRequest* req,
    danube_schema::DeleteSchemaVersionResponse* resp) {
    return serve(gate_, ctx, "DeleteSchemaVersion", req, resp, [this](auto& q, auto& r) {
        auto st = registry_.delete_version(q, r);
        if (st.ok()) core_.persist();
        return st;
    });
}

grpc::ServerUnaryReactor* SchemaRegistryService::SetCompatibilityMode(
    grpc::CallbackServerContext* ctx, const danube_schema::SetCompatibilityModeRequest* req,
    danube_schema::SetCompatibilityModeResponse* resp) {
    return serve(gate_, ctx, "SetCompatibilityMode", req, resp, [this](auto& q, auto& r) {
        auto st = registry_.set_compatibility(q, r);
        if (st.ok()) core_.persist();
        return st;
    });
}

grpc::ServerUnaryReactor* SchemaRegistryService::ConfigureTopicSchema(
    grpc::CallbackServerContext* ctx, const danube_schema::ConfigureTopicSchemaRequest* req,
    danube_schema::ConfigureTopicSchemaResponse* resp) {
    return serve(gate_, ctx, "ConfigureTopicSchema", req, resp,
                 [this](auto& q, auto& r) { return core_.configure_topic_schema(q, r); });
}

grpc::ServerUnaryReactor* SchemaRegistryService::UpdateTopicValidationPolicy(
    grpc::CallbackServerContext* ctx, const danube_schema::UpdateTopicValidationPolicyRequest* req,
    danube_schema::UpdateTopicValidationPolicyResponse* resp) {
    return serve(gate_, ctx, "UpdateTopicValidationPolicy", req, resp,
                 [this](auto& q, auto& r) { return core_.update_validation_policy(q, r); });
}

grpc::ServerUnaryReactor* SchemaRegistryService::GetTopicSchemaConfig(
    grpc::CallbackServerContext* ctx, const danube_schema::GetTopicSchemaConfigRequest* req,
    danube_schema::GetTopicSchemaConfigResponse* resp) {
    return serve(gate_, ctx, "GetTopicSchemaConfig", req, resp,
                 [this](auto& q, auto& r) { return core_.topic_schema_config(q, r); });
}

grpc::ServerUnaryReactor* SchemaRegistryService::ListSubjects(grpc::CallbackServerContext* ctx,
                                                              const danube_schema::ListSubjectsRequest* req,
                                                              danube_schema::ListSubjectsResponse* resp) {
    return serve(gate_, ctx, "ListSubjects", req, resp, [this](auto&, auto& r) {
        registry_.list_subjects(r);
        return grpc::Status::OK;
    });
}

}  // namespace dcx::test_broker
