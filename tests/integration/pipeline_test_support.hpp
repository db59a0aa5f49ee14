// SPDX-License-Identifier: Apache-2.0
// Configuration builders shared by the daemon's integration tests.
#pragma once

#include <chrono>
#include <set>
#include <string>

#include "connector_process.hpp"
#include "test_broker.hpp"

namespace dcx::testing {

/// A complete danube-connectd configuration for in_datagen against the broker at `url`. `datagen`
/// and `extra` are appended inside [datagen] and at the end of the file.
inline std::string datagen_config(const std::string& url, const std::string& datagen, const std::string& extra = {},
                                  const std::string& root = {}) {
    return "danube_service_url = \"" + url + "\"\n" + "connector_name = \"itest\"\n" +
           "plugin = \"in_datagen\"\n" + root +
           "\n[processing]\nhealth_check_interval_ms = 1000\nmetrics_port = 0\n"
           "\n[http]\naddress = \"127.0.0.1\"\n"
           "\n[retry]\nretry_backoff_ms = 50\nmax_backoff_ms = 400\n" + extra +
           "\n[datagen]\n" + datagen + "\n";
}

inline std::string datagen_config(const TestBroker& broker, const std::string& datagen, const std::string& extra = {},
                                  const std::string& root = {}) {
    return datagen_config(broker.url(), datagen, extra, root);
}

inline std::string schema_block(const std::string& topic) {
    return "\n[[schemas]]\ntopic = \"" + topic +
           "\"\nsubject = \"datagen-record\"\nschema_type = \"json_schema\"\nschema_file = \"" DCX_SOURCE_DIR
           "/config/schemas/datagen-record.json\"\n";
}

inline std::set<uint64_t> distinct(const std::multiset<uint64_t>& s) { return {s.begin(), s.end()}; }

/// {0, 1, ..., n-1}
inline std::set<uint64_t> range(uint64_t n) {
    std::set<uint64_t> out;
    for (uint64_t i = 0; i < n; ++i) out.insert(i);
    return out;
}

/// Waits (bounded) until the journal holds `n` distinct seqs on topics starting with `topic_prefix`.
inline bool all_arrive(const TestBroker& broker, const std::string& topic_prefix, uint64_t n,
                       std::chrono::milliseconds timeout) {
    return wait_until([&] { return distinct(seqs_in(broker.journal(), topic_prefix)).size() >= n; }, timeout);
}

}  // namespace dcx::testing
