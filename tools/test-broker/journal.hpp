// SPDX-License-Identifier: Apache-2.0
// The message journal: one JSON object per line for every accepted message and every
// CreateProducer, flushed per line so a test can count after the broker crashed.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "DanubeApi.pb.h"

namespace dcx::test_broker {

/// Line format (docs/test-broker.md): {"seq","kind":"message",topic,offset,payload_b64,attributes,
/// schema_id?,schema_version?,routing_key?,producer_name,producer_id,request_id,publish_time,
/// received_at_ms,msg_id{...}} and {"seq","kind":"producer",topic,producer_name,producer_id,
/// request_id,dispatch_strategy,schema_ref?,new}. Not thread-safe: the broker serialises calls.
class Journal {
public:
    /// Disabled journal: every call is a no-op.
    Journal() = default;
    /// Opens `path` for appending; sequence numbers continue after the lines already there.
    explicit Journal(const std::filesystem::path& path);
    Journal(const Journal&) = delete;
    Journal& operator=(const Journal&) = delete;

    void record_message(const danube::StreamMessage& msg, uint64_t offset);
    void record_producer(const danube::ProducerRequest& req, uint64_t producer_id, bool is_new);

    /// Calls `fn` for every line of an existing journal; malformed lines are reported by throwing.
    static void for_each_line(const std::filesystem::path& path,
                              const std::function<void(const nlohmann::json&)>& fn);

private:
    void append(nlohmann::json line);

    struct FileCloser {
        void operator()(FILE* f) const { std::fclose(f); }
    };
    std::unique_ptr<FILE, FileCloser> file_;
    uint64_t seq_ = 0;
};

}  // namespace dcx::test_broker
