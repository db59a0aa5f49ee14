// SPDX-License-Identifier: Apache-2.0
// danube.ConsumerService for live consumers: Subscribe, a ReceiveMessages stream per consumer
// fed by BrokerCore as messages are accepted, and Ack/Nack (acknowledged, otherwise ignored).
#include <deque>

#include "services.hpp"

namespace dcx::test_broker {
namespace {

class MessageStream final : public grpc::ServerWriteReactor<danube::StreamMessage>, public MessageSink {
public:
    MessageStream(BrokerCore& core, uint64_t consumer_id) : core_(core), consumer_id_(consumer_id) {}

    void start(grpc::Status admitted) {
        if (admitted.ok()) admitted = core_.attach_stream(consumer_id_, this);
        if (!admitted.ok()) {
            std::lock_guard lock(mu_);
            finish_locked(admitted);
        }
    }

    void deliver(const danube::StreamMessage& msg) override {
        std::lock_guard lock(mu_);
        if (finished_) return;
        queue_.push_back(msg);
        if (!writing_) write_front_locked();
    }

    void OnWriteDone(bool ok) override {
        std::lock_guard lock(mu_);
        writing_ = false;
        if (!ok) {
            finish_locked(grpc::Status::CANCELLED);
            return;
        }
        queue_.pop_front();
        if (!queue_.empty() && !finished_) write_front_locked();
    }

    void OnCancel() override {
        std::lock_guard lock(mu_);
        finish_locked(grpc::Status::CANCELLED);
    }

    void OnDone() override {
        core_.detach_stream(consumer_id_, this);
        delete this;
    }

private:
    void write_front_locked() {
        writing_ = true;
        StartWrite(&queue_.front());
    }
    void finish_locked(const grpc::Status& status) {
        if (finished_) return;
        finished_ = true;
        Finish(status);
    }

    BrokerCore& core_;
    const uint64_t consumer_id_;
    std::mutex mu_;
    std::deque<danube::StreamMessage> queue_;  // front() is being written while writing_
    bool writing_ = false;
    bool finished_ = false;
};

}  // namespace

grpc::ServerUnaryReactor* ConsumerService::Subscribe(grpc::CallbackServerContext* ctx, const danube::ConsumerRequest* req,
                                                     danube::ConsumerResponse* resp) {
    return serve(gate_, ctx, "Subscribe", req, resp, [this](auto& q, auto& r) { return core_.subscribe(q, r); });
}

grpc::ServerWriteReactor<danube::StreamMessage>* ConsumerService::ReceiveMessages(grpc::CallbackServerContext* ctx,
                                                                                 const danube::ReceiveRequest* req) {
    auto* stream = new MessageStream(core_, req->consumer_id());
    stream->start(auth_.check(*ctx));
    return stream;
}

grpc::ServerUnaryReactor* ConsumerService::Ack(grpc::CallbackServerContext* ctx, const danube::AckRequest* req,
                                               danube::AckResponse* resp) {
    return serve(gate_, ctx, "Ack", req, resp, [](auto& q, auto& r) {
        r.set_request_id(q.request_id());
        return grpc::Status::OK;
    });
}

grpc::ServerUnaryReactor* ConsumerService::Nack(grpc::CallbackServerContext* ctx, const danube::NackRequest* req,
                                                danube::NackResponse* resp) {
    return serve(gate_, ctx, "Nack", req, resp, [](auto& q, auto& r) {
        r.set_request_id(q.request_id());
        return grpc::Status::OK;
    });
}

}  // namespace dcx::test_broker
