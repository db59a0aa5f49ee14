// SPDX-License-Identifier: Apache-2.0
// Helpers for the webhook integration tests: a danube-connectd running in_webhook against a test
// broker (its HTTP port read from the daemon's log), HTTP calls with cpp-httplib's client, a raw
// socket client for slow bodies, and readers for what reached the broker's journal.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "connector_process.hpp"
#include "temp_dir.hpp"
#include "test_broker.hpp"

namespace dcx::webhook::testing {

/// The daemon's configuration: core keys for `broker` (fast retries, local HTTP endpoints),
/// `core_extra` (tables such as [[schemas]] or [delivery]), then the webhook's own tables.
std::string daemon_config(const dcx::testing::TestBroker& broker, const std::string& webhook_tables,
                          const std::string& core_extra = {});

/// [server] on 127.0.0.1 with a free port (plus `server_extra` lines), [auth] type none unless
/// `auth` is given (the lines of the table), and `routes` appended as is.
std::string webhook_tables(const std::string& routes, const std::string& server_extra = {}, const std::string& auth = {});

class WebhookDaemon {
public:
    /// Starts danube-connectd and waits (bounded) until the webhook server logs its port and /ready
    /// answers 200 (the pipeline runs). `expect_ready = false` skips the readiness wait.
    WebhookDaemon(const dcx::testing::TestBroker& broker, const std::string& webhook_tables,
                  std::map<std::string, std::string> env = {}, const std::string& core_extra = {}, bool expect_ready = true);

    int port() const { return port_; }
    dcx::testing::ConnectorProcess& daemon() { return *daemon_; }
    std::string log() const { return daemon_->log(); }
    const dcx::testing::TempDir& dir() const { return dir_; }
    /// SIGTERM and the exit code (nullopt if it did not exit in time).
    std::optional<int> stop(std::chrono::milliseconds timeout = std::chrono::seconds(20));

private:
    dcx::testing::TempDir dir_;
    std::unique_ptr<dcx::testing::ConnectorProcess> daemon_;
    int port_ = 0;
};

/// The port in the daemon's "webhook server listening on" line, once it is there (bounded wait).
std::optional<int> wait_for_port(dcx::testing::ConnectorProcess& daemon, std::chrono::milliseconds timeout);

struct Reply {
    int status = 0;  // 0: no HTTP answer (connection refused, reset, timeout)
    std::string body;
    std::map<std::string, std::string> headers;  // names lowercased

    nlohmann::json json() const { return nlohmann::json::parse(body); }
    std::string header(const std::string& name) const;
};

/// POST `body` to http://127.0.0.1:<port><path> with `headers` (Content-Type application/json
/// unless given).
Reply post(int port, const std::string& path, const std::string& body, std::map<std::string, std::string> headers = {});
Reply get(int port, const std::string& path);
/// Any method, e.g. PUT or DELETE.
Reply request(int port, const std::string& method, const std::string& path, const std::string& body = {});

/// Sends `head` (request line and headers, without the blank line), then `body` one byte every
/// `gap` on a raw socket, and returns the status code of whatever answer came (0 if none) within
/// `limit`. The deliberate trickle of the slow-body test.
int trickle_post(int port, const std::string& head, const std::string& body, std::chrono::milliseconds gap,
                 std::chrono::milliseconds limit);

/// Sends `bytes` as they are on a raw socket and returns whatever answer came back (until the
/// server closes or `limit` passes): for requests no well-behaved client would send.
std::string raw_exchange(int port, const std::string& bytes, std::chrono::milliseconds limit);

/// Journal messages whose topic starts with `topic_prefix`.
std::vector<nlohmann::json> messages(const dcx::testing::TestBroker& broker, const std::string& topic_prefix);
/// A message's payload bytes (payload_b64 decoded).
std::string payload_bytes(const nlohmann::json& message);
/// The "id" string of each JSON payload on topics starting with `topic_prefix` (repeats kept).
std::multiset<std::string> ids_in(const dcx::testing::TestBroker& broker, const std::string& topic_prefix);

/// A 127.0.0.1 TCP socket listening on a free port, closed on destruction.
class PortHolder {
public:
    PortHolder();
    ~PortHolder();
    PortHolder(const PortHolder&) = delete;
    PortHolder& operator=(const PortHolder&) = delete;
    int port() const { return port_; }

private:
    int fd_ = -1;
    int port_ = 0;
};

}  // namespace dcx::webhook::testing
