// SPDX-License-Identifier: Apache-2.0
// Webhook integration helpers; see webhook_test_support.hpp.
#include "webhook_test_support.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <httplib.h>
#include <openssl/evp.h>

#include <algorithm>
#include <regex>
#include <stdexcept>
#include <thread>

#include "child_process.hpp"

namespace dcx::webhook::testing {

using namespace std::chrono_literals;
using dcx::testing::ConnectorProcess;
using dcx::testing::TestBroker;
using dcx::testing::wait_until;

std::string daemon_config(const TestBroker& broker, const std::string& webhook_tables, const std::string& core_extra) {
    return "danube_service_url = \"" + broker.url() +
           "\"\nconnector_name = \"webhook-itest\"\nplugin = \"in_webhook\"\n"
           "\n[processing]\nhealth_check_interval_ms = 1000\nmetrics_port = 0\n"
           "\n[http]\naddress = \"127.0.0.1\"\n"
           "\n[retry]\nretry_backoff_ms = 50\nmax_backoff_ms = 400\n" +
           core_extra + "\n" + webhook_tables + "\n";
}

std::string webhook_tables(const std::string& routes, const std::string& server_extra, const std::string& auth) {
    return "[server]\nhost = \"127.0.0.1\"\nport = 0\n" + server_extra + "\n[auth]\n" +
           (auth.empty() ? std::string("type = \"none\"\n") : auth) + "\n" + routes;
}

std::optional<int> wait_for_port(ConnectorProcess& daemon, std::chrono::milliseconds timeout) {
    static const std::regex kLine(R"(webhook server listening on https?://[^:\s]+:(\d+))");
    std::optional<int> port;
    wait_until(
        [&] {
            std::smatch m;
            const std::string log = daemon.log();
            if (std::regex_search(log, m, kLine)) port = std::stoi(m[1]);
            return port.has_value() || !daemon.process().running();
        },
        timeout);
    return port;
}

WebhookDaemon::WebhookDaemon(const TestBroker& broker, const std::string& webhook_tables,
                             std::map<std::string, std::string> env, const std::string& core_extra, bool expect_ready) {
    daemon_ = std::make_unique<ConnectorProcess>(dir_, "daemon", daemon_config(broker, webhook_tables, core_extra), std::move(env));
    const auto port = wait_for_port(*daemon_, 20s);
    if (!port) throw std::runtime_error("the webhook server did not start; daemon log:\n" + daemon_->log());
    port_ = *port;
    if (expect_ready && !wait_until([&] { return get(port_, "/ready").status == 200; }, 20s)) {
        throw std::runtime_error("the webhook server never became ready; daemon log:\n" + daemon_->log());
    }
}

std::optional<int> WebhookDaemon::stop(std::chrono::milliseconds timeout) {
    daemon_->process().signal(SIGTERM);
    return daemon_->wait_for_exit(timeout);
}

std::string Reply::header(const std::string& name) const {
    std::string key = name;
    std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const auto it = headers.find(key);
    return it == headers.end() ? std::string() : it->second;
}

namespace {

Reply from(const httplib::Result& r) {
    Reply out;
    if (!r) return out;
    out.status = r->status;
    out.body = r->body;
    for (const auto& [k, v] : r->headers) {
        std::string key = k;
        std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        out.headers[key] = v;
    }
    return out;
}

httplib::Client client(int port) {
    httplib::Client c("127.0.0.1", port);
    c.set_connection_timeout(5s);
    c.set_read_timeout(15s);
    c.set_write_timeout(5s);
    return c;
}

}  // namespace

Reply post(int port, const std::string& path, const std::string& body, std::map<std::string, std::string> headers) {
    auto c = client(port);
    httplib::Headers h;
    std::string content_type = "application/json";
    for (const auto& [k, v] : headers) {
        if (k == "Content-Type") content_type = v;
        else h.emplace(k, v);
    }
    return from(c.Post(path.c_str(), h, body, content_type.c_str()));
}

Reply get(int port, const std::string& path) {
    auto c = client(port);
    return from(c.Get(path.c_str()));
}

Reply request(int port, const std::string& method, const std::string& path, const std::string& body) {
    auto c = client(port);
    httplib::Request req;
    req.method = method;
    req.path = path;
    req.body = body;
    if (!body.empty()) req.set_header("Content-Type", "application/json");
    return from(c.send(req));
}

int trickle_post(int port, const std::string& head, const std::string& body, std::chrono::milliseconds gap,
                 std::chrono::milliseconds limit) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return 0;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return 0;
    }
    const std::string start = head + "\r\n\r\n";
    (void)!::send(fd, start.data(), start.size(), MSG_NOSIGNAL);
    const auto deadline = std::chrono::steady_clock::now() + limit;
    std::string answer;
    size_t sent = 0;
    while (std::chrono::steady_clock::now() < deadline) {
        // One byte, then wait `gap` for an answer (the server may answer mid-body).
        if (sent < body.size() && ::send(fd, body.data() + sent, 1, MSG_NOSIGNAL) == 1) ++sent;
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(gap.count())) > 0) {
            char buf[4096];
            const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
            if (n <= 0) break;
            answer.append(buf, static_cast<size_t>(n));
            if (answer.find("\r\n") != std::string::npos) break;
        }
    }
    ::close(fd);
    std::smatch m;
    static const std::regex kStatus(R"(^HTTP/1\.[01] (\d{3}))");
    if (std::regex_search(answer, m, kStatus)) return std::stoi(m[1]);
    return 0;
}

std::string raw_exchange(int port, const std::string& bytes, std::chrono::milliseconds limit) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return {};
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    std::string answer;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
        (void)!::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        const auto deadline = std::chrono::steady_clock::now() + limit;
        while (std::chrono::steady_clock::now() < deadline) {
            pollfd p{fd, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) continue;
            char buf[4096];
            const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
            if (n <= 0) break;
            answer.append(buf, static_cast<size_t>(n));
        }
    }
    ::close(fd);
    return answer;
}

std::vector<nlohmann::json> messages(const TestBroker& broker, const std::string& topic_prefix) {
    std::vector<nlohmann::json> out;
    for (auto& m : broker.journal()) {
        if (m.at("topic").get<std::string>().rfind(topic_prefix, 0) == 0) out.push_back(std::move(m));
    }
    return out;
}

std::string payload_bytes(const nlohmann::json& message) {
    const std::string b64 = message.at("payload_b64").get<std::string>();
    std::string out(b64.size() / 4 * 3 + 3, '\0');
    const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(b64.data()), static_cast<int>(b64.size()));
    if (n < 0) throw std::runtime_error("bad base64 in the journal");
    size_t len = static_cast<size_t>(n);
    if (!b64.empty() && b64.back() == '=') --len;
    if (b64.size() > 1 && b64[b64.size() - 2] == '=') --len;
    out.resize(len);
    return out;
}

std::multiset<std::string> ids_in(const TestBroker& broker, const std::string& topic_prefix) {
    std::multiset<std::string> out;
    for (const auto& m : messages(broker, topic_prefix)) {
        const auto doc = nlohmann::json::parse(payload_bytes(m), nullptr, false);
        if (doc.is_object() && doc.contains("id") && doc["id"].is_string()) out.insert(doc["id"].get<std::string>());
    }
    return out;
}

PortHolder::PortHolder() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd_, 1) != 0) {
        throw std::runtime_error("cannot bind a local port");
    }
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
}

PortHolder::~PortHolder() {
    if (fd_ >= 0) ::close(fd_);
}

}  // namespace dcx::webhook::testing
