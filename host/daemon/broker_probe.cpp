// SPDX-License-Identifier: Apache-2.0
#include "daemon/broker_probe.hpp"

#include <spdlog/spdlog.h>

#include "common/thread_name.hpp"

namespace dcx::daemon {

BrokerProbe::BrokerProbe(broker::BrokerConnection& broker, ConnectorState& state, std::chrono::milliseconds interval)
    : broker_(broker), state_(state), interval_(interval), thread_([this] {
          name_this_thread("dcx-probe");
          run();
      }) {}

BrokerProbe::~BrokerProbe() {
    {
        std::lock_guard lock(mu_);
        stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
}

void BrokerProbe::run() {
    bool first = true;
    while (true) {
        danube::TopicLookupRequest req;
        req.set_topic("/system/danube-connectd-probe");
        danube::TopicLookupResponse resp;
        auto ctx = broker_.context(std::min(interval_, std::chrono::milliseconds(1500)));
        const auto st = broker_.discovery().TopicLookup(ctx.get(), req, &resp);
        const auto code = st.error_code();
        const bool auth_failed = code == grpc::StatusCode::UNAUTHENTICATED || code == grpc::StatusCode::PERMISSION_DENIED;
        const bool up = code != grpc::StatusCode::UNAVAILABLE && code != grpc::StatusCode::DEADLINE_EXCEEDED &&
                        code != grpc::StatusCode::CANCELLED;
        const bool was_up = state_.broker_up.exchange(up);
        state_.broker_auth_ok = !auth_failed;
        if (up != was_up || first) {
            if (up) spdlog::info("broker {} is reachable", state_.broker_url);
            else spdlog::warn("broker {} is not reachable: {}", state_.broker_url, st.error_message());
        }
        first = false;
        std::unique_lock lock(mu_);
        if (cv_.wait_for(lock, interval_, [&] { return stop_; })) return;
    }
}

}  // namespace dcx::daemon
