// SPDX-License-Identifier: Apache-2.0
#include "metrics/http_server.hpp"

#include <httplib.h>

#include <chrono>
#include <stdexcept>

#include "common/thread_name.hpp"

namespace dcx::metrics {

HttpServer::HttpServer(const std::map<std::string, Handler>& routes) : server_(std::make_unique<httplib::Server>()) {
    for (const auto& [path, handler] : routes) {
        server_->Get(path, [h = handler](const httplib::Request&, httplib::Response& res) {
            const HttpResponse r = h();
            res.status = r.status;
            res.set_content(r.body, r.content_type);
        });
    }
    server_->set_keep_alive_max_count(100);
    server_->set_read_timeout(5, 0);  // a slow client cannot hold a worker
    server_->set_write_timeout(5, 0);
}

HttpServer::~HttpServer() { stop(); }

int HttpServer::start(const std::string& address, int port) {
    const int bound = port == 0 ? server_->bind_to_any_port(address) : (server_->bind_to_port(address, port) ? port : -1);
    if (bound <= 0) {
        throw std::runtime_error("cannot listen for HTTP (metrics, health) on " + address + ":" + std::to_string(port) +
                                 " (address in use? set [processing] metrics_port, or 0 to pick a free port)");
    }
    thread_ = std::thread([this] {
        name_this_thread("dcx-http");
        server_->listen_after_bind();
    });
    // stop() is a no-op until the listen loop runs: a quick exit would then join forever.
    for (int i = 0; i < 5000 && !server_->is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return bound;
}

void HttpServer::stop() {
    if (!thread_.joinable()) return;
    server_->stop();
    thread_.join();
}

}  // namespace dcx::metrics
