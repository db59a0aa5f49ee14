// SPDX-License-Identifier: Apache-2.0
// Worker-to-plugin-thread hand-off; see intake_queue.hpp.
#include "intake_queue.hpp"

#include <algorithm>

namespace dcx::webhook {

using dcx::sdk::RecordOutcome;
using dcx::sdk::SourceRecord;

const char* to_string(IntakeQueue::State state) {
    switch (state) {
        case IntakeQueue::State::queued: return "queued";
        case IntakeQueue::State::taken: return "taken";
        case IntakeQueue::State::delivered: return "delivered";
        case IntakeQueue::State::dead_lettered: return "dead_lettered";
        case IntakeQueue::State::not_delivered: return "not_delivered";
        case IntakeQueue::State::withdrawn: return "withdrawn";
    }
    return "unknown";
}

void IntakeQueue::set_capacity(size_t capacity) {
    std::lock_guard lock(mu_);
    capacity_ = std::max<size_t>(capacity, 1);
}

IntakeQueue::Submit IntakeQueue::submit(SourceRecord record, uint64_t& token) {
    std::lock_guard lock(mu_);
    if (stopping_) return Submit::stopping;
    if (queue_.size() >= capacity_) return Submit::full;
    token = ++next_token_;
    record.with_token(token);
    waiters_.emplace(token, std::make_shared<Waiter>());
    queue_.push_back({token, std::move(record)});
    return Submit::accepted;
}

IntakeQueue::Ticket IntakeQueue::wait(uint64_t token, bool until_settled, Clock::time_point take_deadline,
                                      Clock::time_point settle_deadline) {
    std::unique_lock lock(mu_);
    const auto it = waiters_.find(token);
    if (it == waiters_.end()) return {State::withdrawn, "unknown ticket"};
    const std::shared_ptr<Waiter> w = it->second;
    auto done = [&] {
        if (w->ticket.state == State::queued) return false;
        return !until_settled || w->ticket.state != State::taken;
    };
    if (!w->cv.wait_until(lock, take_deadline, [&] { return w->ticket.state != State::queued; })) {
        // Never handed over: take it back, so the refusal the client gets is the truth.
        const auto q = std::find_if(queue_.begin(), queue_.end(), [&](const Entry& e) { return e.token == token; });
        if (q != queue_.end()) queue_.erase(q);
        w->ticket = {State::withdrawn, "the pipeline did not take the record in time"};
    }
    if (!done()) w->cv.wait_until(lock, settle_deadline, done);
    waiters_.erase(token);
    return w->ticket;
}

std::vector<SourceRecord> IntakeQueue::take(size_t max) {
    std::vector<SourceRecord> out;
    std::lock_guard lock(mu_);
    polled_ = true;
    const auto now = Clock::now();
    while (!queue_.empty() && out.size() < max) {
        Entry& e = queue_.front();
        if (const auto it = waiters_.find(e.token); it != waiters_.end()) {
            it->second->ticket.state = State::taken;
            it->second->cv.notify_all();
        }
        unconfirmed_.emplace(e.token, now);
        out.push_back(std::move(e.record));
        queue_.pop_front();
    }
    return out;
}

void IntakeQueue::settle(uint64_t token, RecordOutcome outcome, std::string_view reason) {
    std::lock_guard lock(mu_);
    const State state = outcome == RecordOutcome::delivered       ? State::delivered
                        : outcome == RecordOutcome::dead_lettered ? State::dead_lettered
                                                                  : State::not_delivered;
    finish(token, state, reason);
}

void IntakeQueue::finish(uint64_t token, State state, std::string_view reason) {
    unconfirmed_.erase(token);
    const auto it = waiters_.find(token);
    if (it == waiters_.end()) return;  // nobody waits (ack = "enqueue", or the request timed out)
    it->second->ticket = {state, std::string(reason)};
    it->second->cv.notify_all();
}

void IntakeQueue::stop() {
    std::lock_guard lock(mu_);
    stopping_ = true;
    for (const auto& e : queue_) {
        if (const auto it = waiters_.find(e.token); it != waiters_.end()) {
            it->second->ticket = {State::withdrawn, "the connector is stopping"};
            it->second->cv.notify_all();
        }
    }
    queue_.clear();
}

void IntakeQueue::close() {
    stop();
    std::lock_guard lock(mu_);
    closed_ = true;
    while (!unconfirmed_.empty()) {
        finish(unconfirmed_.begin()->first, State::not_delivered,
               "not delivered: the connector stopped before Danube confirmed it");
    }
}

IntakeQueue::Health IntakeQueue::health(Clock::time_point now) const {
    std::lock_guard lock(mu_);
    Health h;
    h.polled = polled_;
    h.stopping = stopping_ || closed_;
    h.queued = queue_.size();
    h.capacity = capacity_;
    h.unconfirmed = unconfirmed_.size();
    if (!unconfirmed_.empty()) {
        h.oldest_unconfirmed = std::chrono::duration_cast<std::chrono::milliseconds>(now - unconfirmed_.begin()->second);
    }
    return h;
}

}  // namespace dcx::webhook
