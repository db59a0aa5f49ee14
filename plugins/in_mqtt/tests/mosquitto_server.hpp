// SPDX-License-Identifier: Apache-2.0
// A real mosquitto broker for one test: its own config file, port and persistence directory on
// 127.0.0.1 (never the system service), stopped (or restarted on the same port) by the test.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "child_process.hpp"
#include "temp_dir.hpp"

namespace dcx::testing {

/// A free TCP port on 127.0.0.1 (bound, then released).
int free_port();
/// True when something accepts TCP connections on 127.0.0.1:`port`.
bool port_open(int port);

class MosquittoServer {
public:
    struct Options {
        bool persistence = true;          // the session survives a restart (SIGTERM saves it)
        std::string username;             // non-empty: a password file with this user, no anonymous access
        std::string password;
        bool tls = false;                 // a second listener with TLS (pki(): CA, server cert, client cert required)
    };

    explicit MosquittoServer(Options options);
    MosquittoServer() : MosquittoServer(Options{}) {}
    ~MosquittoServer();
    MosquittoServer(const MosquittoServer&) = delete;
    MosquittoServer& operator=(const MosquittoServer&) = delete;

    /// The plain listener (anonymous unless a username is set).
    int port() const { return port_; }
    /// The TLS listener (Options::tls).
    int tls_port() const { return tls_port_; }
    /// SIGTERM (mosquitto saves its persistence file) and wait, bounded.
    void stop();
    /// Starts again with the same ports, configuration and persistence.
    void start();
    std::string log() const;

private:
    Options options_;
    TempDir dir_;
    int port_ = 0;
    int tls_port_ = 0;
    int generation_ = 0;
    std::unique_ptr<ChildProcess> process_;
};

}  // namespace dcx::testing
