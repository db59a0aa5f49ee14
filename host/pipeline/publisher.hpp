// SPDX-License-Identifier: Apache-2.0
// Sends messages to Danube with async unary calls whose completions one completion-queue thread
// handles (gRPC's async client model). Per topic partition: strict ordering keeps one call in
// flight, relaxed keeps a window. A submitted batch goes through an inbox, which is always drained
// first, so order holds; then submit() starts the calls on the caller's thread when the state lock
// is free (no thread wake-up on the latency path), leaves the batch for the next completion when
// its partitions' windows are full (strict mode at full rate: no lock, no wake-up), and wakes the
// completion-queue thread otherwise. Transient failures back off (exponential, jittered) and
// resend without limit; after max_retries in a row, and on NOT_FOUND, the producer is looked up
// and re-created. Rejections and fatal errors are handed back to the pipeline, which owns the
// dead-letter policy.
#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <span>
#include <thread>
#include <vector>

#include <grpcpp/alarm.h>
#include <grpcpp/grpcpp.h>

#include "broker/broker_connection.hpp"
#include "broker/producer_factory.hpp"
#include "config/connector_config.hpp"
#include "pipeline/outgoing.hpp"
#include "pipeline/pipeline_stats.hpp"

namespace dcx::pipeline {

class Publisher {
public:
    struct Settings {
        bool strict = true;
        uint32_t window = 32;
        std::chrono::milliseconds send_timeout{10000};
        config::RetryConfig retry;
        metrics::Histogram* latency = nullptr;  // poll-to-ack seconds, observed at the ack
    };
    struct PartitionSpec {
        broker::ProducerTarget target;
        uint64_t producer_id = 0;  // from startup; 0 means "create before the first send"
        std::shared_ptr<RouteStats> stats;  // the topic's counters (retries)
    };
    /// Called on the publisher thread for every settled message; must not block for long.
    using SettleFn = std::function<void(Settlement)>;

    Publisher(broker::BrokerConnection& broker, const Settings& settings, std::vector<PartitionSpec> partitions,
              PublisherStats& stats, SettleFn settle);
    ~Publisher();
    Publisher(const Publisher&) = delete;
    Publisher& operator=(const Publisher&) = delete;

    void start();
    /// Queues a message and starts what the window allows. [thread-safe]
    void submit(std::unique_ptr<Outgoing> out);
    /// Queues a batch and starts what the windows allow, or leaves it to the publisher thread (one
    /// wake-up) when that thread holds the state; `outs` is left empty, with the capacity of an
    /// earlier batch's vector. [thread-safe; never blocks on a broker call]
    void submit(std::vector<std::unique_ptr<Outgoing>>& outs);
    /// Cancels calls in flight, settles everything still queued as fatal ("shutting down"), joins.
    void stop();


private:
    struct Tag {
        enum class Kind { send, timer, wake } kind;
    };
    struct SendCall : Tag {
        SendCall* prev = nullptr;  // the in-flight list (intrusive: no allocation per send)
        SendCall* next = nullptr;
        std::unique_ptr<Outgoing> out;
        std::optional<grpc::ClientContext> ctx;  // serves one call only: made anew for each
        danube::MessageResponse resp;
        grpc::Status status;
        std::unique_ptr<grpc::ClientAsyncResponseReader<danube::MessageResponse>> rpc;
    };
    /// Returns a finished call to spare_calls_ (reused: no allocation per send).
    struct RecycleCall {
        Publisher* self;
        void operator()(SendCall* call) const { self->recycle(call); }
    };
    struct TimerTag : Tag {
        uint32_t partition = 0;
    };
    struct Partition {
        PartitionSpec spec;
        uint64_t producer_id = 0;
        uint64_t request_id = 0;  // one counter per producer, shared with CreateProducer
        std::deque<std::unique_ptr<Outgoing>> queue;
        std::atomic<uint32_t> inflight{0};  // written under state_mu_; submit() reads it without
        uint32_t failures = 0;  // consecutive transient failures
        bool paused = false;    // not sending: backoff timer armed, or stopped by a fatal error
        bool timer_armed = false;
        bool needs_recreate = false;
        grpc::Alarm timer;
        TimerTag timer_tag;
    };

    /// Who is moving messages: a submitting thread must not block on CreateProducer.
    enum class Caller { publisher_thread, submitter };

    void run();
    void wake();  // posts wake_tag_ unless it is already pending [thread-safe]
    /// True when every one of `partitions` (not none) has its window full. [thread-safe]
    bool windows_full(std::span<const uint32_t> partitions) const;
    void drain_inbox(Caller caller);
    void pump(uint32_t index, Caller caller = Caller::publisher_thread);
    void send(Partition& p, std::unique_ptr<Outgoing> out);
    void recycle(SendCall* call);
    void on_send_done(SendCall* call);
    void back_off(Partition& p, uint32_t index);
    bool recreate(Partition& p, uint32_t index);
    void fail_everything(const std::string& why);

    broker::BrokerConnection& broker_;
    const Settings settings_;
    std::vector<std::unique_ptr<Partition>> partitions_;
    SettleFn settle_;
    PublisherStats& stats_;

    grpc::CompletionQueue cq_;
    std::thread thread_;
    std::mt19937_64 rng_{std::random_device{}()};

    std::mutex inbox_mu_;  // taken after state_mu_ when both are held
    std::vector<std::unique_ptr<Outgoing>> inbox_;
    bool stopping_ = false;  // guarded by inbox_mu_
    grpc::Alarm wake_alarm_;
    Tag wake_tag_{Tag::Kind::wake};
    std::atomic<bool> wake_armed_{false};
    // Set by a submitter that found its partitions' windows full: the publisher thread drains the
    // inbox after its next completion, without a wake-up or the state lock.
    std::atomic<bool> inbox_pending_{false};

    // Everything below, and the partitions, is guarded by state_mu_: the publisher thread holds it
    // while it handles a completion, a submitting thread while it starts calls.
    std::mutex state_mu_;
    SendCall* inflight_ = nullptr;  // head of the calls in flight, to cancel them at stop
    size_t timers_armed_ = 0;
    bool stop_seen_ = false;
    std::vector<std::unique_ptr<Outgoing>> draining_;  // the inbox being drained (capacity reused)
    std::vector<uint8_t> touched_;                     // partitions that received messages
    std::vector<std::unique_ptr<SendCall>> spare_calls_;  // at most as many as were ever in flight
};

}  // namespace dcx::pipeline
