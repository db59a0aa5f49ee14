// SPDX-License-Identifier: Apache-2.0
// The daemon's one small HTTP listener (cpp-httplib from Debian) for /metrics, /healthz, /readyz
// and /status. Handlers return {status, content type, body}; the server owns its thread.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>

namespace httplib {
class Server;
}

namespace dcx::metrics {

struct HttpResponse {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
};

class HttpServer {
public:
    using Handler = std::function<HttpResponse()>;

    /// `routes` maps GET paths to handlers. Nothing listens until start().
    explicit HttpServer(const std::map<std::string, Handler>& routes);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    /// Binds `address:port` (port 0 picks one) and serves on a thread; returns the bound port.
    /// Throws std::runtime_error naming the address when it cannot bind.
    int start(const std::string& address, int port);
    void stop();

private:
    std::unique_ptr<httplib::Server> server_;
    std::thread thread_;
};

}  // namespace dcx::metrics
