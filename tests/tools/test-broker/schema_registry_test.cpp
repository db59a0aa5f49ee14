// SPDX-License-Identifier: Apache-2.0
// Contract rule 11: the schema registry (broker-protocol.md §9).
#include <optional>
#include <tuple>
#include <vector>

#include <catch2/catch.hpp>

#include "contract_helpers.hpp"

using namespace dcx::contract;
using Catch::Matchers::StartsWith;

namespace {

constexpr const char* kUserSchema =
    R"({"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"}},"required":["name"]})";

grpc::Status latest(TestBroker& broker, const std::string& subject, danube_schema::GetSchemaResponse* resp) {
    danube_schema::GetLatestSchemaRequest req;
    req.set_subject(subject);
    return invoke(&danube_schema::SchemaRegistry::Stub::GetLatestSchema, broker.schema(), req, resp);
}

grpc::Status by_id(TestBroker& broker, uint64_t id, std::optional<uint32_t> version,
                   danube_schema::GetSchemaResponse* resp) {
    danube_schema::GetSchemaRequest req;
    req.set_schema_id(id);
    if (version) req.set_version(*version);
    return invoke(&danube_schema::SchemaRegistry::Stub::GetSchema, broker.schema(), req, resp);
}

grpc::Status set_mode(TestBroker& broker, const std::string& subject, const std::string& mode) {
    danube_schema::SetCompatibilityModeRequest req;
    req.set_subject(subject);
    req.set_compatibility_mode(mode);
    danube_schema::SetCompatibilityModeResponse resp;
    return invoke(&danube_schema::SchemaRegistry::Stub::SetCompatibilityMode, broker.schema(), req, &resp);
}

}  // namespace

TEST_CASE("schema ids start at 1 and name the subject while versions count up per subject",
          "[integration][test-broker]") {
    TestBroker broker;
    danube_schema::RegisterSchemaResponse resp;
    REQUIRE(register_schema(broker, "users", "json_schema", kUserSchema, &resp).ok());
    CHECK(resp.schema_id() == 1);
    CHECK(resp.version() == 1);
    CHECK(resp.is_new_version());

    REQUIRE(register_schema(broker, "plain-text", "string", "", &resp).ok());
    CHECK(resp.schema_id() == 2);
    CHECK(resp.version() == 1);

    // A compatible new definition (a new optional property) is version 2 under the same id.
    const std::string v2 =
        R"({"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"},)"
        R"("email":{"type":"string"}},"required":["name"]})";
    REQUIRE(register_schema(broker, "users", "json_schema", v2, &resp).ok());
    CHECK(resp.schema_id() == 1);
    CHECK(resp.version() == 2);
    CHECK(resp.is_new_version());

    REQUIRE(register_schema(broker, "third", "bytes", "", &resp).ok());
    CHECK(resp.schema_id() == 3);
}

TEST_CASE("registering an identical definition again is idempotent", "[integration][test-broker]") {
    TestBroker broker;
    danube_schema::RegisterSchemaResponse first;
    REQUIRE(register_schema(broker, "users", "json_schema", kUserSchema, &first).ok());
    const std::string v2 = R"({"type":"object","properties":{"name":{"type":"string"}}})";
    danube_schema::RegisterSchemaResponse second;
    REQUIRE(register_schema(broker, "users", "json_schema", v2, &second).ok());
    REQUIRE(second.version() == 2);

    danube_schema::RegisterSchemaResponse again;
    REQUIRE(register_schema(broker, "users", "json_schema", kUserSchema, &again).ok());
    CHECK(again.schema_id() == first.schema_id());
    CHECK(again.version() == 1);  // the matching old version, not the latest
    CHECK_FALSE(again.is_new_version());
    CHECK(again.fingerprint() == first.fingerprint());

    REQUIRE(register_schema(broker, "users", "json_schema", v2, &again).ok());
    CHECK(again.version() == 2);
    CHECK_FALSE(again.is_new_version());
}

TEST_CASE("a whitespace-only change of a JSON schema is not a new version", "[integration][test-broker]") {
    TestBroker broker;
    danube_schema::RegisterSchemaResponse first;
    REQUIRE(register_schema(broker, "ws", "json_schema", kUserSchema, &first).ok());
    const std::string pretty = R"({
        "type" : "object",
        "properties" : {
            "name" : { "type" : "string" },
            "age"  : { "type" : "integer" }
        },
        "required" : [ "name" ]
    })";
    danube_schema::RegisterSchemaResponse second;
    REQUIRE(register_schema(broker, "ws", "json_schema", pretty, &second).ok());
    CHECK(second.schema_id() == first.schema_id());
    CHECK(second.version() == 1);
    CHECK_FALSE(second.is_new_version());
    CHECK(second.fingerprint() == first.fingerprint());
    CHECK_THAT(first.fingerprint(), StartsWith("sha256:"));
    CHECK(first.fingerprint().size() == 7 + 64);
}

TEST_CASE("schema type aliases are accepted case-insensitively and answered with canonical names",
          "[integration][test-broker]") {
    TestBroker broker;
    const std::vector<std::tuple<std::string, std::string, std::string>> cases{
        {"JSON", R"({"type":"string"})", "json_schema"},
        {"Json_Schema", R"({"type":"number"})", "json_schema"},
        {"int64", "", "number"},
        {"INT", "", "number"},
        {"float", "", "number"},
        {"Double", "", "number"},
        {"NUMBER", "", "number"},
        {"proto", "syntax = \"proto3\"; message DefaultMessage { string a = 1; }", "protobuf"},
        {"ProtoBuf", "message DefaultMessage { int32 b = 1; }", "protobuf"},
        {"STRING", "", "string"},
        {"Bytes", "", "bytes"},
        {"AVRO", R"({"type":"record","name":"R","fields":[{"name":"a","type":"string"}]})", "avro"},
    };
    int n = 0;
    for (const auto& [type, definition, canonical] : cases) {
        INFO(type);
        const std::string subject = "alias-" + std::to_string(n++);
        REQUIRE(register_schema(broker, subject, type, definition).ok());
        danube_schema::GetSchemaResponse resp;
        REQUIRE(latest(broker, subject, &resp).ok());
        CHECK(resp.schema_type() == canonical);
    }
}

TEST_CASE("an unknown schema type is INTERNAL with the registry's text", "[integration][test-broker]") {
    TestBroker broker;
    const auto st = register_schema(broker, "s", "x", "");
    CHECK(st.error_code() == grpc::StatusCode::INTERNAL);
    CHECK(st.error_message() == "Failed to register schema: Unknown schema type: x");
    danube_schema::GetSchemaResponse resp;
    CHECK(latest(broker, "s", &resp).error_code() == grpc::StatusCode::NOT_FOUND);
}

TEST_CASE("an unparsable JSON schema is INTERNAL and registers nothing", "[integration][test-broker]") {
    TestBroker broker;
    auto st = register_schema(broker, "broken", "json_schema", R"({"type": "object",)");
    CHECK(st.error_code() == grpc::StatusCode::INTERNAL);
    CHECK_THAT(st.error_message(), StartsWith("Failed to register schema: Failed to parse JSON: "));
    st = register_schema(broker, "broken", "json", "");
    CHECK(st.error_code() == grpc::StatusCode::INTERNAL);
    CHECK_THAT(st.error_message(), StartsWith("Failed to register schema: Failed to parse JSON: "));
    danube_schema::GetSchemaResponse resp;
    CHECK(latest(broker, "broken", &resp).error_code() == grpc::StatusCode::NOT_FOUND);
    // A failed registration does not use up an id.
    danube_schema::RegisterSchemaResponse ok;
    REQUIRE(register_schema(broker, "fine", "string", "", &ok).ok());
    CHECK(ok.schema_id() == 1);
}

TEST_CASE("changing the type of an existing subject is INTERNAL not compatible", "[integration][test-broker]") {
    TestBroker broker;
    REQUIRE(register_schema(broker, "typed", "string", "").ok());
    const auto st = register_schema(broker, "typed", "json_schema", kUserSchema);
    CHECK(st.error_code() == grpc::StatusCode::INTERNAL);
    CHECK(st.error_message() ==
          "Failed to register schema: Schema is not compatible with subject 'typed' (mode: Backward): schema type "
          "changed from string to json_schema");
    danube_schema::GetSchemaResponse resp;
    REQUIRE(latest(broker, "typed", &resp).ok());
    CHECK(resp.version() == 1);
    CHECK(resp.schema_type() == "string");
}

TEST_CASE("a JSON schema adding a required property is not backward compatible", "[integration][test-broker]") {
    TestBroker broker;
    REQUIRE(register_schema(broker, "req", "json_schema", kUserSchema).ok());
    const std::string stricter =
        R"({"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"}},)"
        R"("required":["name","age"]})";
    const auto st = register_schema(broker, "req", "json_schema", stricter);
    CHECK(st.error_code() == grpc::StatusCode::INTERNAL);
    CHECK(st.error_message() ==
          "Failed to register schema: Schema is not compatible with subject 'req' (mode: Backward): new required "
          "property 'age'");
}

TEST_CASE("compatibility mode none allows a type change and a bad mode is INVALID_ARGUMENT",
          "[integration][test-broker]") {
    TestBroker broker;
    REQUIRE(register_schema(broker, "loose", "string", "").ok());

    auto st = set_mode(broker, "loose", "sideways");
    CHECK(st.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(st.error_message() == "Invalid compatibility mode: sideways");
    st = set_mode(broker, "no-such-subject", "none");
    CHECK(st.error_code() == grpc::StatusCode::NOT_FOUND);
    CHECK(st.error_message() == "Schema not found for subject: no-such-subject");

    REQUIRE(set_mode(broker, "loose", "NONE").ok());
    danube_schema::RegisterSchemaResponse resp;
    REQUIRE(register_schema(broker, "loose", "json_schema", kUserSchema, &resp).ok());
    CHECK(resp.schema_id() == 1);
    CHECK(resp.version() == 2);
    CHECK(resp.is_new_version());

    danube_schema::GetSchemaResponse got;
    REQUIRE(latest(broker, "loose", &got).ok());
    CHECK(got.schema_type() == "json_schema");
    CHECK(got.compatibility_mode() == "none");
}

TEST_CASE("GetLatestSchema of an unknown subject is NOT_FOUND", "[integration][test-broker]") {
    TestBroker broker;
    danube_schema::GetSchemaResponse resp;
    const auto st = latest(broker, "s", &resp);
    CHECK(st.error_code() == grpc::StatusCode::NOT_FOUND);
    CHECK(st.error_message() == "Schema not found for subject: s");
}

TEST_CASE("GetSchema of an unknown id or an unknown version is NOT_FOUND naming the id",
          "[integration][test-broker]") {
    TestBroker broker;
    REQUIRE(register_schema(broker, "one", "string", "").ok());
    danube_schema::GetSchemaResponse resp;
    auto st = by_id(broker, 42, std::nullopt, &resp);
    CHECK(st.error_code() == grpc::StatusCode::NOT_FOUND);
    CHECK(st.error_message() == "Schema not found for ID: 42");
    st = by_id(broker, 42, 1, &resp);
    CHECK(st.error_code() == grpc::StatusCode::NOT_FOUND);
    CHECK(st.error_message() == "Schema not found for ID: 42");
    st = by_id(broker, 1, 2, &resp);
    CHECK(st.error_code() == grpc::StatusCode::NOT_FOUND);
    CHECK(st.error_message() == "Schema not found for ID: 1");
}

TEST_CASE("GetSchema without a version answers the latest and with one that version", "[integration][test-broker]") {
    TestBroker broker;
    REQUIRE(register_schema(broker, "versions", "json_schema", kUserSchema).ok());
    const std::string v2 = R"({"type":"object","properties":{"name":{"type":"string"}}})";
    REQUIRE(register_schema(broker, "versions", "json_schema", v2).ok());

    danube_schema::GetSchemaResponse resp;
    REQUIRE(by_id(broker, 1, std::nullopt, &resp).ok());
    CHECK(resp.version() == 2);
    CHECK(resp.subject() == "versions");
    CHECK(resp.schema_id() == 1);
    const auto latest_def = nlohmann::json::parse(resp.schema_definition());
    CHECK(latest_def["JsonSchema"]["raw_schema"] == v2);

    REQUIRE(by_id(broker, 1, 1, &resp).ok());
    CHECK(resp.version() == 1);
    const auto v1_def = nlohmann::json::parse(resp.schema_definition());
    CHECK(v1_def["JsonSchema"]["raw_schema"] == kUserSchema);
    CHECK(v1_def["JsonSchema"]["fingerprint"] == resp.fingerprint());
}

TEST_CASE("schema responses carry created_at in seconds, lowercase backward mode and the internal definition",
          "[integration][test-broker]") {
    TestBroker broker;
    danube_schema::RegisterSchemaRequest req;
    req.set_subject("text");
    req.set_schema_type("string");
    req.set_description("plain text");
    req.set_created_by("danube-client");
    req.add_tags("a");
    req.add_tags("b");
    danube_schema::RegisterSchemaResponse reg;
    REQUIRE(invoke(&danube_schema::SchemaRegistry::Stub::RegisterSchema, broker.schema(), req, &reg).ok());
    CHECK(reg.fingerprint() == "string");

    danube_schema::GetSchemaResponse resp;
    REQUIRE(latest(broker, "text", &resp).ok());
    const auto now_s = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
    // Seconds, not milliseconds: within a minute of now.
    CHECK(static_cast<int64_t>(resp.created_at()) <= now_s);
    CHECK(static_cast<int64_t>(resp.created_at()) > now_s - 60);
    CHECK(resp.compatibility_mode() == "backward");
    CHECK(resp.schema_definition() == "\"String\"");
    CHECK(resp.schema_type() == "string");
    CHECK(resp.subject() == "text");
    CHECK(resp.description() == "plain text");
    CHECK(resp.created_by() == "danube-client");
    CHECK(std::vector<std::string>(resp.tags().begin(), resp.tags().end()) == std::vector<std::string>{"a", "b"});
    CHECK(resp.fingerprint() == "string");

    REQUIRE(register_schema(broker, "raw", "bytes", "").ok());
    REQUIRE(latest(broker, "raw", &resp).ok());
    CHECK(resp.schema_definition() == "\"Bytes\"");
    REQUIRE(register_schema(broker, "num", "int64", "").ok());
    REQUIRE(latest(broker, "num", &resp).ok());
    CHECK(resp.schema_definition() == "\"Number\"");
}

TEST_CASE("ListVersions lists every version of a subject and is NOT_FOUND for an unknown one",
          "[integration][test-broker]") {
    TestBroker broker;
    REQUIRE(register_schema(broker, "lv", "json_schema", kUserSchema).ok());
    REQUIRE(register_schema(broker, "lv", "json_schema", R"({"type":"object"})").ok());
    danube_schema::ListVersionsRequest req;
    req.set_subject("lv");
    danube_schema::ListVersionsResponse resp;
    REQUIRE(invoke(&danube_schema::SchemaRegistry::Stub::ListVersions, broker.schema(), req, &resp).ok());
    REQUIRE(resp.versions_size() == 2);
    CHECK(resp.versions(0).version() == 1);
    CHECK(resp.versions(1).version() == 2);
    CHECK(resp.versions(1).schema_id() == 1);

    req.set_subject("nope");
    const auto st = invoke(&danube_schema::SchemaRegistry::Stub::ListVersions, broker.schema(), req, &resp);
    CHECK(st.error_code() == grpc::StatusCode::NOT_FOUND);
    CHECK(st.error_message() == "Schema not found for subject: nope");
}
