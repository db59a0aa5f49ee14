// SPDX-License-Identifier: Apache-2.0
// An early answer for schema-invalid bodies: when the core configuration maps a route's topic to
// a local JSON Schema file (a [[schemas]] entry with schema_type = "json_schema", version_strategy
// = "latest" and auto_register = true, so the registry's latest version is that file), the body is
// checked before it is queued and refused with 400. Other schema setups are left to the host's
// own validation (with ack = "publish" its verdict still becomes a 400).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace dcx::webhook {

class PayloadValidator {
public:
    PayloadValidator();
    ~PayloadValidator();
    PayloadValidator(PayloadValidator&&) noexcept;
    PayloadValidator& operator=(PayloadValidator&&) noexcept;

    /// Compiles the schemas of `topics` found in the core configuration's "schemas" list. What
    /// cannot be used locally is described in `notes` (for the log) and left to the host.
    static PayloadValidator from_core_config(const nlohmann::json& core, const std::set<std::string>& topics,
                                             std::vector<std::string>& notes);

    bool covers(const std::string& topic) const { return schemas_.count(topic) != 0; }
    /// nullopt when `payload` is valid for `topic` (or no local schema applies), else the reason.
    /// [thread-safe]
    std::optional<std::string> validate(const std::string& topic, const nlohmann::json& payload) const;

private:
    struct Compiled;
    std::map<std::string, std::unique_ptr<Compiled>> schemas_;
};

}  // namespace dcx::webhook
