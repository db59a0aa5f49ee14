// SPDX-License-Identifier: Apache-2.0
// What the HTTP endpoints report about the running connector. Written by the startup code, the
// pipeline (through its shared stats) and the broker probe; read by the HTTP threads.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "pipeline/pipeline_stats.hpp"

namespace dcx::daemon {

struct ConnectorState {
    enum class Phase { starting, running, draining, stopped };

    ConnectorState(std::string name, std::string url) : connector_name(std::move(name)), broker_url(std::move(url)) {}

    const std::string connector_name;
    const std::string broker_url;
    const std::chrono::steady_clock::time_point started_at = std::chrono::steady_clock::now();
    std::atomic<Phase> phase{Phase::starting};
    std::atomic<bool> broker_up{false};
    std::atomic<bool> broker_auth_ok{true};
    const std::shared_ptr<pipeline::PipelineStats> stats = std::make_shared<pipeline::PipelineStats>();

    void set_waiting_for(std::string what) {
        std::lock_guard lock(mu_);
        waiting_for_ = std::move(what);
    }
    std::string waiting_for() const {
        std::lock_guard lock(mu_);
        return waiting_for_;
    }
    void set_plugin(nlohmann::json info) {
        std::lock_guard lock(mu_);
        plugin_ = std::move(info);
    }
    nlohmann::json plugin() const {
        std::lock_guard lock(mu_);
        return plugin_;
    }
    void set_routes(std::vector<std::pair<std::string, std::shared_ptr<pipeline::RouteStats>>> routes) {
        std::lock_guard lock(mu_);
        routes_ = std::move(routes);
    }
    std::vector<std::pair<std::string, std::shared_ptr<pipeline::RouteStats>>> routes() const {
        std::lock_guard lock(mu_);
        return routes_;
    }

private:
    mutable std::mutex mu_;
    std::string waiting_for_ = "loading the plugin";
    nlohmann::json plugin_ = nlohmann::json::object();
    std::vector<std::pair<std::string, std::shared_ptr<pipeline::RouteStats>>> routes_;
};

}  // namespace dcx::daemon
