// SPDX-License-Identifier: Apache-2.0
#include "journal.hpp"

#include <chrono>
#include <fstream>
#include <stdexcept>

#include "common/base64.hpp"

namespace dcx::test_broker {

Journal::Journal(const std::filesystem::path& path) {
    if (std::filesystem::exists(path)) {
        for_each_line(path, [this](const nlohmann::json&) { ++seq_; });
    }
    file_.reset(std::fopen(path.c_str(), "ae"));
    if (!file_) throw std::runtime_error("cannot open journal " + path.string() + ": " + std::strerror(errno));
}

void Journal::append(nlohmann::json line) {
    if (!file_) return;
    line["seq"] = ++seq_;
    const std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    std::fwrite(text.data(), 1, text.size(), file_.get());
    std::fflush(file_.get());  // visible to readers at once and kept if the process dies
}

void Journal::record_message(const danube::StreamMessage& msg, uint64_t offset) {
    if (!file_) return;
    nlohmann::json attributes = nlohmann::json::object();
    for (const auto& [k, v] : msg.attributes()) attributes[k] = v;
    nlohmann::json line{
        {"kind", "message"},
        {"topic", msg.msg_id().topic_name()},
        {"offset", offset},
        {"payload_b64", base64_encode(msg.payload())},
        {"attributes", std::move(attributes)},
        {"producer_name", msg.producer_name()},
        {"producer_id", msg.msg_id().producer_id()},
        {"request_id", msg.request_id()},
        {"publish_time", msg.publish_time()},
        {"received_at_ms", std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count()},
        {"msg_id",
         {{"producer_id", msg.msg_id().producer_id()},
          {"topic_name", msg.msg_id().topic_name()},
          {"broker_addr", msg.msg_id().broker_addr()},
          {"topic_offset", msg.msg_id().topic_offset()}}},
    };
    if (msg.has_schema_id()) line["schema_id"] = msg.schema_id();
    if (msg.has_schema_version()) line["schema_version"] = msg.schema_version();
    if (msg.has_routing_key()) line["routing_key"] = msg.routing_key();
    append(std::move(line));
}

void Journal::record_producer(const danube::ProducerRequest& req, uint64_t producer_id, bool is_new) {
    if (!file_) return;
    nlohmann::json line{
        {"kind", "producer"},
        {"topic", req.topic_name()},
        {"producer_name", req.producer_name()},
        {"producer_id", producer_id},
        {"request_id", req.request_id()},
        {"dispatch_strategy", req.dispatch_strategy() == danube::Reliable ? "reliable" : "non_reliable"},
        {"new", is_new},
    };
    if (req.has_schema_ref()) {
        nlohmann::json ref{{"subject", req.schema_ref().subject()}};
        switch (req.schema_ref().version_ref_case()) {
            case danube::SchemaReference::kUseLatest: ref["use_latest"] = req.schema_ref().use_latest(); break;
            case danube::SchemaReference::kPinnedVersion: ref["pinned_version"] = req.schema_ref().pinned_version(); break;
            case danube::SchemaReference::kMinVersion: ref["min_version"] = req.schema_ref().min_version(); break;
            case danube::SchemaReference::VERSION_REF_NOT_SET: break;
        }
        line["schema_ref"] = std::move(ref);
    }
    append(std::move(line));
}

void Journal::for_each_line(const std::filesystem::path& path,
                            const std::function<void(const nlohmann::json&)>& fn) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read journal " + path.string());
    std::string line;
    size_t number = 0;
    while (std::getline(in, line)) {
        ++number;
        if (line.empty()) continue;
        auto parsed = nlohmann::json::parse(line, nullptr, false);
        if (parsed.is_discarded()) {
            throw std::runtime_error(path.string() + ":" + std::to_string(number) + ": not a JSON journal line");
        }
        fn(parsed);
    }
}

}  // namespace dcx::test_broker
