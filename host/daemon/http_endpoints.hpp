// SPDX-License-Identifier: Apache-2.0
// /metrics (Prometheus text, the reference runtime's danube_connector_* names with the real topic
// label), /healthz (liveness), /readyz (readiness with reasons) and /status (what it is doing).
#pragma once

#include <map>
#include <memory>
#include <string>

#include "daemon/connector_state.hpp"
#include "metrics/http_server.hpp"

namespace dcx::daemon {

std::map<std::string, metrics::HttpServer::Handler> make_http_endpoints(std::shared_ptr<const ConnectorState> state);

/// The Prometheus text for `state` (also used by tests).
std::string render_metrics(const ConnectorState& state);

}  // namespace dcx::daemon
