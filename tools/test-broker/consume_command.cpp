// SPDX-License-Identifier: Apache-2.0
#include "consume_command.hpp"

#include <chrono>
#include <iostream>
#include <map>
#include <thread>

#include <grpcpp/grpcpp.h>
#include <nlohmann/json.hpp>

#include "DanubeApi.grpc.pb.h"
#include "common/base64.hpp"
#include "common/utf8.hpp"
#include "journal.hpp"

namespace dcx::test_broker {
namespace {

struct Printer {
    bool json = false;
    uint64_t total_bytes = 0;
    uint64_t printed = 0;

    void print(const std::string& topic, uint64_t offset, const std::string& payload,
               const std::map<std::string, std::string>& attributes, const std::optional<std::string>& key) {
        total_bytes += payload.size();
        ++printed;
        if (json) {
            nlohmann::json line{{"topic", topic}, {"offset", offset}, {"payload_b64", base64_encode(payload)},
                                {"attributes", attributes}};
            if (key) line["routing_key"] = *key;
            std::cout << line.dump() << std::endl;
            return;
        }
        const std::string text = is_valid_utf8(payload) ? payload : "base64:" + base64_encode(payload);
        std::cout << "Received message: " << text << "\nSize: " << payload.size()
                  << " bytes, Total received: " << total_bytes << " bytes\n";
        if (!attributes.empty()) {
            std::string joined;
            for (const auto& [k, v] : attributes) joined += (joined.empty() ? "" : ", ") + k + "=" + v;
            std::cout << "Attributes: " << joined << "\n";
        }
        std::cout << std::flush;
    }
};

int consume_journal(const ConsumeOptions& opts) {
    Printer printer{opts.json};
    try {
        Journal::for_each_line(*opts.journal, [&](const nlohmann::json& line) {
            if (line.value("kind", "") != "message") return;
            if (!opts.topic.empty() && line.at("topic") != opts.topic) return;
            if (opts.count && printer.printed >= opts.count) return;
            const auto payload = base64_decode(line.at("payload_b64").get<std::string>()).value_or("");
            std::optional<std::string> key;
            if (line.contains("routing_key")) key = line["routing_key"].get<std::string>();
            printer.print(line.at("topic"), line.at("offset"), payload,
                          line.at("attributes").get<std::map<std::string, std::string>>(), key);
        });
    } catch (const std::exception& e) {
        std::cerr << "danube-test-broker consume: " << e.what() << "\n";
        return 1;
    }
    return 0;
}

std::string grpc_target(const std::string& url) {
    const auto scheme = url.find("://");
    std::string target = scheme == std::string::npos ? url : url.substr(scheme + 3);
    if (!target.empty() && target.back() == '/') target.pop_back();
    return target;
}

int consume_live(const ConsumeOptions& opts) {
    auto channel = grpc::CreateChannel(grpc_target(opts.service_url), grpc::InsecureChannelCredentials());
    auto discovery = danube::Discovery::NewStub(channel);
    auto consumer = danube::ConsumerService::NewStub(channel);

    // Partitioned topics: subscribe to every partition, as danube-cli does.
    danube::TopicLookupRequest preq;
    preq.set_topic(opts.topic);
    danube::TopicPartitionsResponse parts;
    {
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
        const auto st = discovery->TopicPartitions(&ctx, preq, &parts);
        if (!st.ok()) {
            std::cerr << "danube-test-broker consume: TopicPartitions failed: " << st.error_message() << "\n";
            return 1;
        }
    }
    std::vector<std::string> topics(parts.partitions().begin(), parts.partitions().end());
    if (topics.empty()) topics.push_back(opts.topic);

    std::mutex mu;
    Printer printer{opts.json};
    std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
    std::vector<std::thread> readers;
    const auto deadline = opts.timeout_ms ? std::chrono::system_clock::now() + std::chrono::milliseconds(opts.timeout_ms)
                                          : std::chrono::system_clock::time_point::max();
    for (const auto& topic : topics) {
        danube::ConsumerRequest sreq;
        sreq.set_topic_name(topic);
        sreq.set_consumer_name(opts.consumer_name);
        sreq.set_subscription(opts.subscription);
        sreq.set_subscription_type(danube::ConsumerRequest::Shared);
        danube::ConsumerResponse sresp;
        grpc::ClientContext sctx;
        const auto st = consumer->Subscribe(&sctx, sreq, &sresp);
        if (!st.ok()) {
            std::cerr << "danube-test-broker consume: Subscribe to " << topic << " failed: " << st.error_message() << "\n";
            return 1;
        }
        auto& ctx = contexts.emplace_back(std::make_unique<grpc::ClientContext>());
        if (opts.timeout_ms) ctx->set_deadline(deadline);
        readers.emplace_back([&, c = ctx.get(), id = sresp.consumer_id()] {
            danube::ReceiveRequest rreq;
            rreq.set_consumer_id(id);
            auto reader = consumer->ReceiveMessages(c, rreq);
            danube::StreamMessage msg;
            while (reader->Read(&msg)) {
                std::lock_guard lock(mu);
                std::map<std::string, std::string> attrs(msg.attributes().begin(), msg.attributes().end());
                std::optional<std::string> key;
                if (msg.has_routing_key()) key = msg.routing_key();
                printer.print(msg.msg_id().topic_name(), msg.msg_id().topic_offset(), msg.payload(), attrs, key);
                if (opts.count && printer.printed >= opts.count) {
                    for (auto& other : contexts) other->TryCancel();
                }
            }
            reader->Finish();
        });
    }
    std::cerr << "danube-test-broker consume: subscribed to " << topics.size() << " topic(s)" << std::endl;
    for (auto& t : readers) t.join();
    return 0;
}

}  // namespace

int run_consume(const ConsumeOptions& opts) {
    if (opts.journal) return consume_journal(opts);
    if (opts.topic.empty()) {
        std::cerr << "danube-test-broker consume: --topic is required without --journal\n";
        return 2;
    }
    return consume_live(opts);
}

}  // namespace dcx::test_broker
