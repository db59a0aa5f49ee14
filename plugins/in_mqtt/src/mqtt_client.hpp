// SPDX-License-Identifier: Apache-2.0
// The MQTT connection, over libmosquitto: owns the mosquitto handle (with the counted library
// guard) and the network thread that runs mosquitto_loop(), connects within
// connection_timeout_secs, reconnects with backoff and subscribes again whenever the broker
// did not keep the session (source-plugins.md §1.5 fixes 1, 5, 6). Messages go to a Handler on
// the network thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "dcx/sdk/source_connector.hpp"
#include "inbound_message.hpp"
#include "mosquitto_library.hpp"
#include "mqtt_config.hpp"

struct mosquitto;  // libmosquitto stays out of this header

namespace dcx::mqtt {

class MqttClient {
public:
    /// Receives every PUBLISH, on the network thread; may block (that is the backpressure:
    /// libmosquitto reads nothing more meanwhile). Returns false when the message was not taken:
    /// the client then drops the connection before acknowledging it, so a broker holding a
    /// persistent session sends it again.
    class Handler {
    public:
        virtual ~Handler() = default;
        virtual bool on_message(const InboundMessage& message) = 0;
    };

    struct Subscription {
        std::string filter;
        int qos = 1;
    };

    using LogFn = std::function<void(dcx::sdk::LogLevel, const std::string&)>;

    /// Sets up the handle (credentials, TLS, protocol, options); no network yet. Throws
    /// dcx::sdk::ConfigError for settings libmosquitto refuses.
    MqttClient(const MqttConfig& config, std::vector<Subscription> subscriptions, Handler& handler, LogFn log);
    /// Stops (see stop()) and destroys the handle.
    ~MqttClient();
    MqttClient(const MqttClient&) = delete;  // its address is libmosquitto's callback argument
    MqttClient& operator=(const MqttClient&) = delete;

    /// Connects and subscribes to every filter (or sees the first message of a kept session),
    /// waiting at most connection_timeout_secs (and
    /// returning early with RetryableError once `cancelled()` is true); from then on the
    /// network thread keeps the connection up until stop(). Throws dcx::sdk::ConfigError when
    /// the broker refuses the credentials or a subscription, dcx::sdk::RetryableError when it
    /// cannot be reached in time; then release the Handler and call stop(). [plugin-thread]
    void start(const std::function<bool()>& cancelled);

    /// Ends the network thread: a clean DISCONNECT when possible, then joins. Call only once
    /// the Handler no longer blocks. Idempotent. [plugin-thread]
    void stop() noexcept;

    /// False once the network thread ended by itself (an internal error). [thread-safe]
    bool thread_alive() const { return !thread_failed_.load(); }
    bool connected() const { return connected_.load(); }
    uint64_t reconnects() const { return reconnects_.load(); }

private:
    struct Callbacks;  // libmosquitto's C callbacks, defined in the .cpp

    enum class StartState { pending, ready, failed };

    void run() noexcept;
    int connect_first(std::chrono::steady_clock::time_point deadline, std::string& failure);
    std::string drive(std::chrono::steady_clock::time_point deadline);
    void subscribe_all(bool session_present);
    void finish_start(StartState state, const std::string& message, bool config_problem);
    void log(dcx::sdk::LogLevel level, const std::string& message) const;
    std::string endpoint() const;

    struct HandleDeleter {
        void operator()(mosquitto* m) const noexcept;
    };

    MosquittoLibrary library_;  // first: the handle must go before the library is cleaned up
    std::unique_ptr<mosquitto, HandleDeleter> handle_;
    MqttConfig config_;
    std::vector<Subscription> subscriptions_;
    Handler& handler_;
    LogFn log_;
    bool read_dup_ = false;

    // Network-thread state (touched from callbacks, which run on that thread).
    bool connack_ok_ = false;          // this connection attempt got a successful CONNACK
    bool subscribed_once_ = false;     // subscriptions were sent at least once in this process
    bool resubscribing_ = false;       // the SUBACKs outstanding belong to a re-subscription
    std::string refusal_;              // CONNACK refusal reason of this attempt
    bool refusal_is_config_ = false;   // ... caused by credentials or authorisation
    std::string last_library_error_;   // libmosquitto's last error log line (TLS reasons)
    std::map<int, std::string> pending_subacks_;  // mid -> filter

    mutable std::mutex mu_;
    std::condition_variable cv_;
    StartState start_state_ = StartState::pending;  // guarded by mu_
    std::string start_message_;                      // guarded by mu_
    bool start_config_problem_ = false;              // guarded by mu_

    std::atomic<bool> stop_{false};
    std::atomic<bool> connected_{false};
    std::atomic<bool> thread_failed_{false};
    std::atomic<uint64_t> reconnects_{0};
    std::thread thread_;
};

}  // namespace dcx::mqtt
