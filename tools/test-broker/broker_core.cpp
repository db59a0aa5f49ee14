// SPDX-License-Identifier: Apache-2.0
// Rules from danube-broker v0.15.1: broker_service.rs (get_topic, validate_local_topic),
// topic_cluster.rs (validate_topic_creation), producer_handler.rs and topic.rs (publish path),
// danube-schema/src/topic_schema.rs (validate_message). Cited per rule below.
#include "broker_core.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include "topic_name.hpp"

namespace dcx::test_broker {
namespace {

// Bounds for the messages kept for a subscribed consumer without a ReceiveMessages stream,
// so an abandoned subscription cannot grow the broker without limit.
constexpr size_t kMaxPendingMessages = 10000;
constexpr size_t kMaxPendingBytes = 64 * 1024 * 1024;

grpc::Status denied(const std::string& why) {
    return {grpc::StatusCode::PERMISSION_DENIED, "Unable to publish the message: " + why};
}

const char* policy_name(int p) {
    static constexpr const char* kNames[] = {"none", "warn", "enforce"};
    return kNames[p];
}

// tmp + fsync + rename, so a crash leaves either the old or the new state, never a torn one.
void write_atomically(const std::filesystem::path& path, const std::string& text) {
    const auto tmp = path.string() + ".tmp";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) throw std::runtime_error("cannot write " + tmp + ": " + std::strerror(errno));
    size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            ::close(fd);
            throw std::runtime_error("cannot write " + tmp + ": " + std::strerror(errno));
        }
        done += static_cast<size_t>(n);
    }
    ::fsync(fd);
    ::close(fd);
    std::filesystem::rename(tmp, path);
}

}  // namespace

BrokerCore::BrokerCore(Settings settings, SchemaRegistry& registry, Journal& journal, FaultInjector& faults)
    : settings_(std::move(settings)), registry_(registry), journal_(journal), faults_(faults),
      namespaces_{"default", "system"} {
    for (const auto& ns : settings_.extra_namespaces) namespaces_.insert(ns);
}

void BrokerCore::set_advertised_url(std::string url) {
    std::lock_guard lock(mu_);
    advertised_url_ = std::move(url);
}

std::optional<BrokerCore::Policy> BrokerCore::parse_policy(std::string_view text) {
    std::string t(text);
    std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return std::tolower(c); });
    if (t == "none") return Policy::none;
    if (t == "warn") return Policy::warn;
    if (t == "enforce") return Policy::enforce;
    return std::nullopt;
}

void BrokerCore::load_state(const std::optional<std::filesystem::path>& journal_path) {
    std::lock_guard lock(mu_);
    if (settings_.state_file && std::filesystem::exists(*settings_.state_file)) {
        // A bare nlohmann error ("parse error at line 1 ...") does not say which file is broken
        // or what to do about it, so every load failure names the file.
        try {
            std::ifstream in(*settings_.state_file);
            const auto state = nlohmann::json::parse(in);  // throws with the position on corruption
            for (const auto& ns : state.at("namespaces")) namespaces_.insert(ns.get<std::string>());
            for (const auto& jt : state.at("topics")) {
                Topic t;
                t.dispatch = jt.at("dispatch_strategy") == "reliable" ? danube::Reliable : danube::NonReliable;
                t.metadata_subject = jt.at("schema_subject").get<std::string>();
                t.bound_subject = t.metadata_subject;  // loading a topic from metadata binds its subject
                t.policy = parse_policy(jt.at("validation_policy").get<std::string>()).value_or(Policy::warn);
                t.payload_validation = jt.at("payload_validation").get<bool>();
                topics_.emplace(jt.at("name").get<std::string>(), std::move(t));
            }
            registry_.load_json(state.at("schema_registry"));
        } catch (const nlohmann::json::exception& e) {
            throw std::runtime_error("corrupt state file " + settings_.state_file->string() + ": " + e.what() +
                                     " (fix or delete it, or use an empty --data-dir)");
        }
    }
    if (journal_path && std::filesystem::exists(*journal_path)) {
        Journal::for_each_line(*journal_path, [this](const nlohmann::json& line) {
            if (line.value("kind", "") != "message") return;
            const auto it = topics_.find(line.at("topic").get<std::string>());
            if (it != topics_.end()) it->second.next_offset = line.at("offset").get<uint64_t>() + 1;
        });
    }
}

void BrokerCore::persist() {
    std::lock_guard lock(mu_);
    persist_locked();
}

void BrokerCore::persist_locked() {
    if (!settings_.state_file) return;
    nlohmann::json topics = nlohmann::json::array();
    for (const auto& [name, t] : topics_) {
        topics.push_back({{"name", name},
                          {"dispatch_strategy", t.dispatch == danube::Reliable ? "reliable" : "non_reliable"},
                          {"schema_subject", t.metadata_subject},
                          {"validation_policy", policy_name(static_cast<int>(t.policy))},
                          {"payload_validation", t.payload_validation}});
    }
    const nlohmann::json state{{"format", 1},
                               {"namespaces", namespaces_},
                               {"topics", topics},
                               {"schema_registry", registry_.to_json()}};
    write_atomically(*settings_.state_file, state.dump(2));
}

uint64_t BrokerCore::fresh_id() {
    uint64_t id = 0;
    while (id == 0 || producers_.count(id) || consumers_.count(id)) id = rng_();
    return id;
}

// discovery_handler.rs: INVALID_ARGUMENT, NOT_FOUND for unknown topics, Connect otherwise.
grpc::Status BrokerCore::lookup(const danube::TopicLookupRequest& req, danube::TopicLookupResponse& resp) {
    if (!is_valid_topic_syntax(req.topic())) {
        return {grpc::StatusCode::INVALID_ARGUMENT, invalid_topic_message(req.topic())};
    }
    std::lock_guard lock(mu_);
    if (!topics_.count(req.topic())) {
        return {grpc::StatusCode::NOT_FOUND, "Unable to find the requested topic: " + req.topic()};
    }
    resp.set_request_id(req.request_id());
    resp.set_response_type(danube::TopicLookupResponse::Connect);
    resp.set_connect_url(advertised_url_);
    resp.set_broker_url(advertised_url_);
    resp.set_proxy(false);
    return grpc::Status::OK;
}

// broker_service.rs topic_partitions: [topic] for a plain topic, else its -part- children.
grpc::Status BrokerCore::partitions(const danube::TopicLookupRequest& req, danube::TopicPartitionsResponse& resp) {
    if (!is_valid_topic_syntax(req.topic())) {
        return {grpc::StatusCode::INVALID_ARGUMENT, invalid_topic_message(req.topic())};
    }
    std::lock_guard lock(mu_);
    resp.set_request_id(req.request_id());
    if (topics_.count(req.topic())) {
        resp.add_partitions(req.topic());
        return grpc::Status::OK;
    }
    std::vector<std::pair<uint64_t, std::string>> found;
    for (const auto& [name, t] : topics_) {
        const auto base = partition_base(name);
        if (!base || *base != req.topic()) continue;
        const std::string index = name.substr(base->size() + 6);
        found.emplace_back(std::strtoull(index.c_str(), nullptr, 10), name);
    }
    std::sort(found.begin(), found.end());
    for (const auto& [_, name] : found) resp.add_partitions(name);
    return grpc::Status::OK;
}

// broker_service.rs validate_local_topic.
grpc::Status BrokerCore::validate_loaded_topic(const std::string& name, Topic& topic,
                                               const danube::ProducerRequest& req) {
    if (topic.dispatch != req.dispatch_strategy()) {
        return {grpc::StatusCode::FAILED_PRECONDITION,
                "Producer requested dispatch strategy does not match topic strategy"};
    }
    if (!req.has_schema_ref()) return grpc::Status::OK;
    const std::string& subject = req.schema_ref().subject();
    if (!topic.bound_subject.empty()) {
        if (topic.bound_subject != subject) {
            return {grpc::StatusCode::FAILED_PRECONDITION,
                    "Topic '" + name + "' uses schema subject '" + topic.bound_subject + "', cannot use '" +
                        subject + "'. Only admin can change topic schema."};
        }
        return grpc::Status::OK;
    }
    if (!registry_.subject_exists(subject)) {
        return {grpc::StatusCode::FAILED_PRECONDITION,
                "Failed to assign schema '" + subject + "' to topic '" + name + "': Schema subject '" + subject +
                    "' not found in registry. Please register schema first.. Ensure schema is registered first."};
    }
    topic.bound_subject = subject;
    return grpc::Status::OK;
}

// topic_cluster.rs validate_topic_creation + standalone create-and-load.
grpc::Status BrokerCore::create_topic(const std::string& name, const danube::ProducerRequest& req) {
    const std::string ns(namespace_of(name));
    if (!namespaces_.count(ns)) {
        return {grpc::StatusCode::UNAVAILABLE, "Unable to find the namespace " + ns +
                                                   ", the topic can be created only for an exisiting namespace"};
    }
    if (name.find("-part-") != std::string::npos) {
        const std::string base(*partition_base(name));
        if (topics_.count(base)) {
            return {grpc::StatusCode::ALREADY_EXISTS,
                    "Cannot create partitioned topic '" + name + "': a non-partitioned topic '" + base +
                        "' already exists. Delete the non-partitioned topic first."};
        }
    } else {
        size_t children = 0;
        for (const auto& [other, _] : topics_) {
            const auto base = partition_base(other);
            if (base && *base == name) ++children;
        }
        if (children > 0) {
            return {grpc::StatusCode::ALREADY_EXISTS,
                    "Cannot create topic '" + name + "': partitioned topics with this base name already exist (found " +
                        std::to_string(children) + " partitions). Delete the partitioned topics first."};
        }
    }
    Topic topic;
    topic.dispatch = req.dispatch_strategy();
    // The auto-create path writes the subject to metadata only; the loaded topic enforces it
    // after the next load (restart) or a later CreateProducer (broker-protocol.md §5.1 item 3).
    if (req.has_schema_ref()) topic.metadata_subject = req.schema_ref().subject();
    topics_.emplace(name, std::move(topic));
    persist_locked();
    return grpc::Status::OK;
}

grpc::Status BrokerCore::create_producer(const danube::ProducerRequest& req, danube::ProducerResponse& resp) {
    const std::string& name = req.topic_name();
    if (!is_valid_topic_syntax(name)) {
        return {grpc::StatusCode::INVALID_ARGUMENT, invalid_topic_message(name)};
    }
    std::lock_guard lock(mu_);
    auto it = topics_.find(name);
    if (it != topics_.end()) {
        if (auto st = validate_loaded_topic(name, it->second, req); !st.ok()) return st;
    } else {
        if (!settings_.auto_create_topics) {
            return {grpc::StatusCode::NOT_FOUND, "Unable to find the topic: " + name};
        }
        if (auto st = create_topic(name, req); !st.ok()) return st;
        it = topics_.find(name);
    }
    Topic& topic = it->second;
    // producer_handler.rs: idempotent by (topic, producer_name), same id for a repeat.
    uint64_t id = 0;
    bool is_new = false;
    if (const auto p = topic.producers.find(req.producer_name()); p != topic.producers.end()) {
        id = p->second;
    } else {
        id = fresh_id();
        is_new = true;
        topic.producers.emplace(req.producer_name(), id);
        producers_.emplace(id, Producer{name, req.producer_name()});
        ++producers_created_;
    }
    journal_.record_producer(req, id, is_new);
    resp.set_request_id(req.request_id());
    resp.set_producer_id(id);
    resp.set_producer_name(req.producer_name());
    return grpc::Status::OK;
}

// topic_schema.rs validate_message, in its order. Payload validation is not modelled.
std::optional<std::string> BrokerCore::schema_rejection(const std::string& name, const Topic& topic,
                                                        const danube::StreamMessage& msg) const {
    if (topic.policy == Policy::none) return std::nullopt;
    if (topic.bound_subject.empty()) {
        if (topic.policy == Policy::enforce) return "Topic " + name + " requires schema but none is configured";
        return std::nullopt;
    }
    if (!msg.has_schema_id()) {
        if (topic.policy == Policy::enforce) {
            return "Message missing schema_id for topic " + name + " (expected subject: " + topic.bound_subject + ")";
        }
        return std::nullopt;
    }
    const auto subject = registry_.subject_of_id(msg.schema_id());
    if (!subject) return "Schema ID " + std::to_string(msg.schema_id()) + " not found in registry";
    if (*subject != topic.bound_subject && topic.policy == Policy::enforce) {
        return "Schema subject mismatch for topic " + name + ": message schema_id=" + std::to_string(msg.schema_id()) +
               " belongs to subject '" + *subject + "', but topic requires '" + topic.bound_subject + "'";
    }
    return std::nullopt;
}

// producer_handler.rs send_message + topic.rs publish_message, in the broker's order.
grpc::Status BrokerCore::send_message(const danube::StreamMessage& req, danube::MessageResponse& resp) {
    if (!req.has_msg_id()) {
        std::lock_guard lock(mu_);
        ++requests_without_msg_id_;
        return {grpc::StatusCode::INTERNAL,
                "danube-test-broker: StreamMessage without msg_id; the real broker panics on this request"};
    }
    const uint64_t producer_id = req.msg_id().producer_id();
    const std::string& name = req.msg_id().topic_name();
    bool crash = false;
    {
        std::lock_guard lock(mu_);
        const auto producer = producers_.find(producer_id);
        if (producer == producers_.end()) {
            return {grpc::StatusCode::NOT_FOUND, "The producer with id " + std::to_string(producer_id) + " does not exist"};
        }
        const auto topic = topics_.find(name);
        if (topic == topics_.end()) return denied("Topic " + name + " not found in registry");
        if (auto why = schema_rejection(name, topic->second, req)) return denied(*why);
        if (producer->second.topic != name) {
            return denied("the producer with id " + std::to_string(producer_id) + " is not attached to topic name: " + name);
        }
        const uint64_t offset = topic->second.next_offset++;
        journal_.record_message(req, offset);
        dispatch(topic->second, req, offset);
        ++messages_accepted_;
        crash = faults_.crash_due();
    }
    if (crash) std::_Exit(kCrashExitCode);  // journaled but never acknowledged: the lost-ack case
    resp.set_request_id(req.request_id());
    return grpc::Status::OK;
}

void BrokerCore::dispatch(Topic& topic, const danube::StreamMessage& msg, uint64_t offset) {
    if (topic.subscriptions.empty()) return;
    danube::StreamMessage out = msg;
    out.mutable_msg_id()->set_topic_offset(offset);
    for (auto& [_, sub] : topic.subscriptions) {
        if (sub.consumers.empty()) continue;
        bool delivered = false;
        for (size_t tries = 0; tries < sub.consumers.size() && !delivered; ++tries) {
            const uint64_t id = sub.consumers[sub.next++ % sub.consumers.size()];
            const auto c = consumers_.find(id);
            if (c != consumers_.end() && c->second.sink) {
                c->second.sink->deliver(out);
                delivered = true;
            }
        }
        // No stream attached yet (Subscribe done, ReceiveMessages not yet started): keep the
        // message for the next consumer in turn, bounded like the real consumer channel.
        if (!delivered) {
            auto& c = consumers_.at(sub.consumers[sub.next++ % sub.consumers.size()]);
            const size_t bytes = out.payload().size();
            if (c.pending.size() < kMaxPendingMessages && c.pending_bytes + bytes <= kMaxPendingBytes) {
                c.pending_bytes += bytes;
                c.pending.push_back(out);
            }
        }
    }
}

// health_check_handler.rs: OK / CLOSE by id, INVALID_ARGUMENT for another client type.
grpc::Status BrokerCore::health(const danube::HealthCheckRequest& req, danube::HealthCheckResponse& resp) {
    std::lock_guard lock(mu_);
    bool known = false;
    switch (static_cast<int>(req.client())) {
        case danube::HealthCheckRequest::Producer: known = producers_.count(req.id()) > 0; break;
        case danube::HealthCheckRequest::Consumer: known = consumers_.count(req.id()) > 0; break;
        default: return {grpc::StatusCode::INVALID_ARGUMENT, "Invalid client type"};
    }
    resp.set_status(known ? danube::HealthCheckResponse::OK : danube::HealthCheckResponse::CLOSE);
    return grpc::Status::OK;
}

grpc::Status BrokerCore::subscribe(const danube::ConsumerRequest& req, danube::ConsumerResponse& resp) {
    if (!is_valid_topic_syntax(req.topic_name())) {
        return {grpc::StatusCode::INVALID_ARGUMENT, invalid_topic_message(req.topic_name())};
    }
    std::lock_guard lock(mu_);
    const auto topic = topics_.find(req.topic_name());
    if (topic == topics_.end()) {
        return {grpc::StatusCode::NOT_FOUND, "Unable to find the topic: " + req.topic_name()};
    }
    auto& sub = topic->second.subscriptions[req.subscription()];
    uint64_t id = 0;
    for (const uint64_t existing : sub.consumers) {
        if (consumers_.at(existing).name == req.consumer_name()) id = existing;
    }
    if (id == 0) {
        id = fresh_id();
        sub.consumers.push_back(id);
        consumers_.emplace(id, Consumer{req.topic_name(), req.subscription(), req.consumer_name(), nullptr, {}, 0});
    }
    resp.set_request_id(req.request_id());
    resp.set_consumer_id(id);
    resp.set_consumer_name(req.consumer_name());
    return grpc::Status::OK;
}

grpc::Status BrokerCore::attach_stream(uint64_t consumer_id, MessageSink* sink) {
    std::lock_guard lock(mu_);
    const auto c = consumers_.find(consumer_id);
    if (c == consumers_.end()) {
        return {grpc::StatusCode::NOT_FOUND, "The consumer with the id " + std::to_string(consumer_id) + " does not exist"};
    }
    c->second.sink = sink;
    for (const auto& msg : c->second.pending) sink->deliver(msg);
    c->second.pending.clear();
    c->second.pending_bytes = 0;
    return grpc::Status::OK;
}

void BrokerCore::detach_stream(uint64_t consumer_id, MessageSink* sink) {
    std::lock_guard lock(mu_);
    const auto c = consumers_.find(consumer_id);
    if (c != consumers_.end() && c->second.sink == sink) c->second.sink = nullptr;
}

grpc::Status BrokerCore::configure_topic_schema(const danube_schema::ConfigureTopicSchemaRequest& req,
                                                danube_schema::ConfigureTopicSchemaResponse& resp) {
    const auto policy = parse_policy(req.validation_policy());
    if (!policy) {
        return {grpc::StatusCode::INVALID_ARGUMENT, "Invalid validation policy: " + req.validation_policy()};
    }
    if (!registry_.subject_exists(req.schema_subject())) {
        return {grpc::StatusCode::NOT_FOUND, "Schema subject '" + req.schema_subject() + "' not found in registry"};
    }
    std::lock_guard lock(mu_);
    const auto topic = topics_.find(req.topic_name());
    if (topic == topics_.end()) return {grpc::StatusCode::NOT_FOUND, "Topic " + req.topic_name() + " not found"};
    topic->second.metadata_subject = topic->second.bound_subject = req.schema_subject();
    topic->second.policy = *policy;
    topic->second.payload_validation = req.enable_payload_validation();
    persist_locked();
    resp.set_success(true);
    resp.set_message("Schema configured for topic " + req.topic_name());
    return grpc::Status::OK;
}

grpc::Status BrokerCore::update_validation_policy(const danube_schema::UpdateTopicValidationPolicyRequest& req,
                                                  danube_schema::UpdateTopicValidationPolicyResponse& resp) {
    const auto policy = parse_policy(req.validation_policy());
    if (!policy) {
        return {grpc::StatusCode::INVALID_ARGUMENT, "Invalid validation policy: " + req.validation_policy()};
    }
    std::lock_guard lock(mu_);
    const auto topic = topics_.find(req.topic_name());
    if (topic == topics_.end()) return {grpc::StatusCode::NOT_FOUND, "Topic " + req.topic_name() + " not found"};
    topic->second.policy = *policy;
    topic->second.payload_validation = req.enable_payload_validation();
    persist_locked();
    resp.set_success(true);
    resp.set_message("Validation policy updated for topic " + req.topic_name());
    return grpc::Status::OK;
}

grpc::Status BrokerCore::topic_schema_config(const danube_schema::GetTopicSchemaConfigRequest& req,
                                             danube_schema::GetTopicSchemaConfigResponse& resp) {
    std::lock_guard lock(mu_);
    const auto topic = topics_.find(req.topic_name());
    if (topic == topics_.end()) return {grpc::StatusCode::NOT_FOUND, "Topic " + req.topic_name() + " not found"};
    resp.set_schema_subject(topic->second.bound_subject);
    resp.set_validation_policy(policy_name(static_cast<int>(topic->second.policy)));
    resp.set_enable_payload_validation(topic->second.payload_validation);
    if (const auto id = registry_.id_of_subject(topic->second.bound_subject)) resp.set_schema_id(*id);
    return grpc::Status::OK;
}

grpc::Status BrokerCore::create_namespace(const std::string& name) {
    std::lock_guard lock(mu_);
    if (!namespaces_.insert(name).second) {
        return {grpc::StatusCode::ALREADY_EXISTS, "Namespace " + name + " already exists."};
    }
    persist_locked();
    return grpc::Status::OK;
}

size_t BrokerCore::forget_producers() {
    std::lock_guard lock(mu_);
    const size_t n = producers_.size();
    producers_.clear();
    for (auto& [_, t] : topics_) t.producers.clear();
    return n;
}

void BrokerCore::stats(danube_test::StatsReply& out) {
    std::lock_guard lock(mu_);
    for (const auto& [name, t] : topics_) {
        auto* ts = out.add_topics();
        ts->set_topic(name);
        ts->set_messages(t.next_offset);
        ts->set_dispatch_strategy(t.dispatch == danube::Reliable ? "reliable" : "non_reliable");
        ts->set_schema_subject(t.bound_subject);
        ts->set_producers(static_cast<uint32_t>(t.producers.size()));
    }
    out.set_messages_accepted(messages_accepted_);
    out.set_requests_without_msg_id(requests_without_msg_id_);
    out.set_producers_created(producers_created_);
    out.set_calls_failed_by_injection(faults_.calls_failed());
    out.set_calls_stalled(faults_.calls_stalled());
}

}  // namespace dcx::test_broker
