// SPDX-License-Identifier: Apache-2.0
#include "mosquitto_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

#include "test_pki.hpp"

namespace dcx::testing {
namespace {

sockaddr_in loopback(int port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

}  // namespace

int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a = loopback(0);
    socklen_t len = sizeof a;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
        if (fd >= 0) ::close(fd);
        throw std::runtime_error("cannot find a free port");
    }
    ::close(fd);
    return ntohs(a.sin_port);
}

bool port_open(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return false;
    sockaddr_in a = loopback(port);
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    return ok;
}

MosquittoServer::MosquittoServer(Options options) : options_(std::move(options)) {
    port_ = free_port();
    std::string conf;
    conf += "per_listener_settings false\n";
    // mosquitto drops root privileges to the 'mosquitto' user, who could not read this
    // directory; for a non-root test run the line has no effect.
    conf += "user root\n";
    conf += "log_dest stderr\nlog_type error\nlog_type warning\nlog_type notice\nlog_type information\n";
    conf += "connection_messages true\n";
    if (options_.persistence) {
        conf += "persistence true\npersistence_location " + dir_.path().string() + "/\n";
    } else {
        conf += "persistence false\n";
    }
    if (!options_.username.empty()) {
        const auto pwfile = dir_ / "passwords";
        write_file(pwfile, "");
        ChildProcess pw({DCX_MOSQUITTO_PASSWD_BIN, "-b", pwfile.string(), options_.username, options_.password},
                        dir_ / "mosquitto_passwd");
        if (pw.wait_for_exit(std::chrono::seconds(20)) != 0) throw std::runtime_error("mosquitto_passwd failed: " + pw.stderr_text());
        conf += "allow_anonymous false\npassword_file " + pwfile.string() + "\n";
    } else {
        conf += "allow_anonymous true\n";
    }
    conf += "listener " + std::to_string(port_) + " 127.0.0.1\n";
    if (options_.tls) {
        tls_port_ = free_port();
        const auto& p = pki();
        conf += "listener " + std::to_string(tls_port_) + " 127.0.0.1\n";
        conf += "cafile " + p.path("ca.crt") + "\ncertfile " + p.path("server.crt") + "\nkeyfile " + p.path("server.key") + "\n";
        conf += "require_certificate true\n";
    }
    write_file(dir_ / "mosquitto.conf", conf);
    start();
}

MosquittoServer::~MosquittoServer() = default;

void MosquittoServer::start() {
    process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{DCX_MOSQUITTO_BIN, "-c", (dir_ / "mosquitto.conf").string()},
        dir_ / ("mosquitto-" + std::to_string(generation_++)));
    const bool up = wait_until([&] { return !process_->running() || (port_open(port_) && (!tls_port_ || port_open(tls_port_))); },
                               std::chrono::seconds(20));
    if (!up || !process_->running()) throw std::runtime_error("mosquitto did not start: " + process_->stderr_text());
}

void MosquittoServer::stop() {
    process_->signal(SIGTERM);
    if (!process_->wait_for_exit(std::chrono::seconds(10))) {
        process_->kill_now();
        throw std::runtime_error("mosquitto ignored SIGTERM for 10 s");
    }
}

std::string MosquittoServer::log() const {
    std::string all;
    for (int g = 0; g < generation_; ++g) all += read_file(dir_ / ("mosquitto-" + std::to_string(g) + ".stderr"));
    return all;
}

}  // namespace dcx::testing
