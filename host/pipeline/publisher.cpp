// SPDX-License-Identifier: Apache-2.0
#include "pipeline/publisher.hpp"

#include <algorithm>
#include <array>
#include <span>

#include <spdlog/spdlog.h>

#include "broker/status_class.hpp"
#include "common/thread_name.hpp"

namespace dcx::pipeline {
namespace {
constexpr uint32_t kAmbiguousAttempts = 3;  // INTERNAL/UNKNOWN: resend this often, then give up
}

Publisher::Publisher(broker::BrokerConnection& broker, const Settings& settings, std::vector<PartitionSpec> partitions,
                     PublisherStats& stats, SettleFn settle)
    : broker_(broker), settings_(settings), settle_(std::move(settle)), stats_(stats) {
    for (auto& spec : partitions) {
        auto p = std::make_unique<Partition>();
        p->producer_id = spec.producer_id;
        p->request_id = 1;  // 0 went to CreateProducer, as in the Rust client
        p->timer_tag.kind = Tag::Kind::timer;
        p->timer_tag.partition = static_cast<uint32_t>(partitions_.size());
        p->spec = std::move(spec);
        partitions_.push_back(std::move(p));
    }
}

Publisher::~Publisher() { stop(); }

void Publisher::start() {
    thread_ = std::thread([this] {
        name_this_thread("dcx-publisher");
        run();
    });
}

void Publisher::submit(std::unique_ptr<Outgoing> out) {
    std::vector<std::unique_ptr<Outgoing>> one;
    one.push_back(std::move(out));
    submit(one);
}

void Publisher::submit(std::vector<std::unique_ptr<Outgoing>>& outs) {
    if (outs.empty()) return;
    // The partitions this batch goes to, when few (most batches go to one or a few).
    std::array<uint32_t, 4> targets{};
    size_t count = 0;
    for (const auto& out : outs) {
        if (std::find(targets.begin(), targets.begin() + count, out->partition) != targets.begin() + count) continue;
        if (count == targets.size()) {
            count = 0;  // many: take the usual path
            break;
        }
        targets[count++] = out->partition;
    }
    const std::span<const uint32_t> to(targets.data(), count);
    const bool full = windows_full(to);
    {
        std::lock_guard lock(inbox_mu_);
        if (inbox_.empty()) {
            inbox_.swap(outs);
        } else {
            for (auto& out : outs) inbox_.push_back(std::move(out));
        }
    }
    outs.clear();
    if (full) {
        // Nothing could be sent now (strict mode at full rate: every batch). Flag first, then check
        // again: a window still full means a completion is still to come, and it will see the flag.
        inbox_pending_ = true;
        if (windows_full(to)) return;
    }
    // Start the calls here when the publisher thread is idle; when it is busy, it drains the inbox
    // itself (woken if need be) rather than have this thread wait for it.
    std::unique_lock state(state_mu_, std::try_to_lock);
    if (state.owns_lock()) {
        drain_inbox(Caller::submitter);
    } else {
        wake();
    }
}

bool Publisher::windows_full(std::span<const uint32_t> partitions) const {
    const uint32_t window = settings_.strict ? 1 : settings_.window;
    for (const uint32_t index : partitions) {
        if (partitions_[index]->inflight < window) return false;
    }
    return !partitions.empty();
}

void Publisher::wake() {
    // An already-expired alarm fires at once. A "now" deadline would not: gRPC rounds it up to the
    // next millisecond and leaves it to its timer (measured: poll-to-ack p50 0.85 ms -> 0.28 ms).
    if (!wake_armed_.exchange(true)) wake_alarm_.Set(&cq_, gpr_inf_past(GPR_CLOCK_MONOTONIC), &wake_tag_);
}

void Publisher::stop() {
    if (!thread_.joinable()) return;
    {
        std::lock_guard lock(inbox_mu_);
        stopping_ = true;
    }
    wake();
    thread_.join();
    std::vector<std::unique_ptr<Outgoing>> late;
    {
        std::lock_guard lock(inbox_mu_);
        late.swap(inbox_);
    }
    for (auto& out : late) settle_({Settlement::Kind::fatal, std::move(out), {grpc::StatusCode::CANCELLED, "shutting down"}});
}

void Publisher::run() {
    void* tag = nullptr;
    bool ok = false;
    bool cq_shut = false;
    while (cq_.Next(&tag, &ok)) {
        std::lock_guard state(state_mu_);
        auto* t = static_cast<Tag*>(tag);
        switch (t->kind) {
            case Tag::Kind::send: on_send_done(static_cast<SendCall*>(t)); break;
            case Tag::Kind::timer: {
                const uint32_t index = static_cast<TimerTag*>(t)->partition;
                Partition& p = *partitions_[index];
                --timers_armed_;
                p.timer_armed = false;
                p.paused = false;
                pump(index);
                break;
            }
            case Tag::Kind::wake:
                wake_armed_ = false;
                drain_inbox(Caller::publisher_thread);
                break;
        }
        if (inbox_pending_ && inbox_pending_.exchange(false)) drain_inbox(Caller::publisher_thread);
        if (stop_seen_ && !cq_shut && !inflight_ && timers_armed_ == 0 && !wake_armed_) {
            cq_shut = true;
            cq_.Shutdown();
        }
    }
}

void Publisher::drain_inbox(Caller caller) {
    bool stopping = false;
    draining_.clear();  // keeps its capacity: the inbox gets it back below
    {
        std::lock_guard lock(inbox_mu_);
        draining_.swap(inbox_);
        stopping = stopping_;
    }
    touched_.assign(partitions_.size(), 0);
    for (auto& out : draining_) {
        const uint32_t index = out->partition;
        partitions_[index]->queue.push_back(std::move(out));
        touched_[index] = 1;
    }
    if (stopping && !stop_seen_) {
        if (caller == Caller::submitter) {
            wake();  // the publisher thread settles the stop: it must see it to shut the queue down
            return;
        }
        stop_seen_ = true;
        for (SendCall* call = inflight_; call; call = call->next) call->ctx->TryCancel();
        for (auto& p : partitions_) {
            if (p->timer_armed) p->timer.Cancel();
        }
        fail_everything("shutting down");
        return;
    }
    if (stop_seen_) {
        fail_everything("shutting down");
        return;
    }
    for (uint32_t i = 0; i < touched_.size(); ++i) {
        if (touched_[i]) pump(i, caller);
    }
}

void Publisher::fail_everything(const std::string& why) {
    for (auto& p : partitions_) {
        while (!p->queue.empty()) {
            auto out = std::move(p->queue.front());
            p->queue.pop_front();
            settle_({Settlement::Kind::fatal, std::move(out), {grpc::StatusCode::CANCELLED, why}});
        }
    }
}

void Publisher::pump(uint32_t index, Caller caller) {
    Partition& p = *partitions_[index];
    if (stop_seen_) return;
    const uint32_t window = settings_.strict ? 1 : settings_.window;
    while (!p.paused && !p.queue.empty() && p.inflight < window) {
        if (p.needs_recreate || p.producer_id == 0) {
            // CreateProducer is a blocking call: the publisher thread makes it, not a submitter.
            if (caller == Caller::submitter) {
                wake();
                return;
            }
            if (!recreate(p, index)) return;
        }
        auto out = std::move(p.queue.front());
        p.queue.pop_front();
        send(p, std::move(out));
    }
}

bool Publisher::recreate(Partition& p, uint32_t index) {
    uint64_t id = 0;
    const auto st = broker::create_producer(broker_, p.spec.target, p.request_id++, settings_.send_timeout, id);
    if (st.ok()) {
        if (p.producer_id != 0) {
            spdlog::info("re-created producer {} on {} (id {} -> {})", p.spec.target.name, p.spec.target.topic,
                         p.producer_id, id);
        }
        p.producer_id = id;
        p.needs_recreate = false;
        ++stats_.producer_recreations;
        return true;
    }
    if (const auto why = broker::permanent_create_error(p.spec.target, st)) {
        p.paused = true;  // nothing more goes to this partition; the pipeline stops
        settle_({Settlement::Kind::fatal, nullptr, {grpc::StatusCode::FAILED_PRECONDITION, *why}});
        return false;
    }
    spdlog::warn("cannot re-create producer {} on {} yet: {} ({})", p.spec.target.name, p.spec.target.topic,
                 st.error_message(), static_cast<int>(st.error_code()));
    ++p.failures;
    back_off(p, index);
    return false;
}

void Publisher::send(Partition& p, std::unique_ptr<Outgoing> out) {
    SendCall* call = nullptr;
    if (spare_calls_.empty()) {
        call = new SendCall{};
        call->kind = Tag::Kind::send;
    } else {
        call = spare_calls_.back().release();
        spare_calls_.pop_back();
    }
    call->ctx.emplace();
    danube::StreamMessage& m = out->msg;
    m.set_request_id(p.request_id++);
    auto* id = m.mutable_msg_id();
    id->set_producer_id(p.producer_id);
    id->set_topic_name(p.spec.target.topic);
    id->set_broker_addr(broker_.broker_addr());
    id->set_topic_offset(0);  // the broker assigns offsets
    m.set_producer_name(p.spec.target.name);
    ++out->attempts;
    call->out = std::move(out);
    call->ctx->set_deadline(std::chrono::system_clock::now() + settings_.send_timeout);
    call->rpc = broker_.producer().PrepareAsyncSendMessage(&*call->ctx, call->out->msg, &cq_);
    call->rpc->StartCall();
    call->rpc->Finish(&call->resp, &call->status, call);
    ++p.inflight;
    call->next = inflight_;
    if (inflight_) inflight_->prev = call;
    inflight_ = call;
    ++stats_.sent;
    ++stats_.inflight_calls;
}

void Publisher::back_off(Partition& p, uint32_t index) {
    if (p.timer_armed) return;
    // Exponential with jitter in [cap/2, cap], cap = base * 2^(failures-1) up to max_backoff_ms.
    const uint32_t shift = std::min<uint32_t>(p.failures > 0 ? p.failures - 1 : 0, 20);
    const uint64_t cap = std::min<uint64_t>(settings_.retry.retry_backoff_ms << shift, settings_.retry.max_backoff_ms);
    const uint64_t delay = cap / 2 + std::uniform_int_distribution<uint64_t>(0, cap - cap / 2)(rng_);
    p.paused = true;
    p.timer_armed = true;
    ++timers_armed_;
    p.timer.Set(&cq_, std::chrono::system_clock::now() + std::chrono::milliseconds(delay), &p.timer_tag);
    (void)index;
}

void Publisher::recycle(SendCall* call) {
    call->rpc.reset();  // before the context, which owns the call it lives in
    call->ctx.reset();
    call->out.reset();
    call->resp.Clear();
    call->status = grpc::Status();
    call->prev = call->next = nullptr;
    spare_calls_.emplace_back(call);
}

void Publisher::on_send_done(SendCall* raw) {
    std::unique_ptr<SendCall, RecycleCall> call(raw, RecycleCall{this});
    if (raw->prev) raw->prev->next = raw->next;
    else inflight_ = raw->next;
    if (raw->next) raw->next->prev = raw->prev;
    --stats_.inflight_calls;
    const uint32_t index = call->out->partition;
    Partition& p = *partitions_[index];
    --p.inflight;
    const grpc::Status& st = call->status;
    if (st.ok()) {
        p.failures = 0;
        ++stats_.acked;
        const auto acked_at_us = std::chrono::duration_cast<std::chrono::microseconds>(
                                     std::chrono::steady_clock::now().time_since_epoch()).count();
        // The next call leaves before this one's bookkeeping: in strict mode the partition's
        // throughput is 1 / (round trip + whatever happens between an ack and the next send).
        pump(index);
        if (settings_.latency && !call->out->dead_letter) {
            settings_.latency->observe(static_cast<double>(acked_at_us - call->out->polled_at_us) / 1e6);
        }
        settle_({Settlement::Kind::acked, std::move(call->out), st});
        return;
    }
    if (stop_seen_) {
        settle_({Settlement::Kind::fatal, std::move(call->out), st});
        return;
    }
    auto requeue = [&] {
        ++stats_.retried;
        if (p.spec.stats) ++p.spec.stats->retried;
        p.queue.push_front(std::move(call->out));  // strict: the head stays the head
    };
    switch (broker::classify_send_failure(st)) {
        case broker::SendFailure::ambiguous:
            if (call->out->attempts >= kAmbiguousAttempts) {
                ++stats_.rejected;
                settle_({Settlement::Kind::rejected, std::move(call->out), st});
                pump(index);
                return;
            }
            [[fallthrough]];
        case broker::SendFailure::transient:
            spdlog::warn("send to {} failed ({}: {}), retrying (failure {} in a row)", p.spec.target.topic,
                         static_cast<int>(st.error_code()), st.error_message(), p.failures + 1);
            ++p.failures;
            // After max_retries in a row, look the topic up and re-create the producer, as
            // danube-client does; keep backing off either way.
            if (p.failures >= std::max<uint32_t>(settings_.retry.max_retries, 1)) p.needs_recreate = true;
            requeue();
            back_off(p, index);
            return;
        case broker::SendFailure::producer_lost:
            spdlog::warn("producer {} on {} lost ({}), re-creating it", p.spec.target.name, p.spec.target.topic,
                         st.error_message());
            ++p.failures;
            p.needs_recreate = true;
            requeue();
            if (p.failures > 1) back_off(p, index);
            else pump(index);
            return;
        case broker::SendFailure::record_rejected:
            ++stats_.rejected;
            settle_({Settlement::Kind::rejected, std::move(call->out), st});
            pump(index);
            return;
        case broker::SendFailure::fatal:
            p.paused = true;
            settle_({Settlement::Kind::fatal, std::move(call->out), st});
            return;
    }
}

}  // namespace dcx::pipeline
