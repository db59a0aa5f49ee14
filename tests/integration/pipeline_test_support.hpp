// SPDX-License-Identifier: Apache-2.0
// Configuration builders shared by the daemon's integration tests.
#pragma once

#include <string>

#include "test_broker.hpp"

namespace dcx::testing {

/// A complete danube-connectd configuration for in_datagen against `broker`. `datagen` and
/// `extra` are appended inside [datagen] and at the end of the file.
inline std::string datagen_config(const TestBroker& broker, const std::string& datagen, const std::string& extra = {},
                                  const std::string& root = {}) {
    return "danube_service_url = \"" + broker.url() + "\"\n" + "connector_name = \"itest\"\n" +
           "plugin = \"in_datagen\"\n" + root +
           "\n[processing]\nhealth_check_interval_ms = 1000\nmetrics_port = 0\n"
           "\n[http]\naddress = \"127.0.0.1\"\n"
           "\n[retry]\nretry_backoff_ms = 50\nmax_backoff_ms = 400\n" + extra +
           "\n[datagen]\n" + datagen + "\n";
}

inline std::string schema_block(const std::string& topic) {
    return "\n[[schemas]]\ntopic = \"" + topic +
           "\"\nsubject = \"datagen-record\"\nschema_type = \"json_schema\"\nschema_file = \"" DCX_SOURCE_DIR
           "/config/schemas/datagen-record.json\"\n";
}

}  // namespace dcx::testing
