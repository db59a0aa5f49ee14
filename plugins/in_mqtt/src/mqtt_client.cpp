// SPDX-License-Identifier: Apache-2.0
// The libmosquitto connection; see mqtt_client.hpp.
//
// Threads: the handle is set up on the plugin thread, then only the network thread (run())
// drives it: mosquitto_loop(), connects, reconnects, subscriptions and every callback. The
// handle is marked threaded (mosquitto_threaded_set) so that packets queued by a callback are
// written by the loop after the callback returns, never from inside it. That is what makes
// a blocking Handler hold back the PUBACK of the message it is handling (libmosquitto 2.0
// queues the PUBACK before calling on_message, and writes it afterwards).
//
// Teardown order (style.md §6): the Handler is released, stop() sends DISCONNECT and joins the
// network thread (our replacement for mosquitto_loop_stop), then the handle is destroyed, then
// the library guard goes.
#include "mqtt_client.hpp"

#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <ctime>

namespace dcx::mqtt {
namespace {

using Clock = std::chrono::steady_clock;
using dcx::sdk::LogLevel;

constexpr auto kMinBackoff = std::chrono::milliseconds(200);
constexpr auto kMaxBackoff = std::chrono::seconds(10);
constexpr int kLoopTimeoutMs = 1000;

#if LIBMOSQUITTO_MAJOR == 2 && LIBMOSQUITTO_MINOR == 0
// libmosquitto 2.0 does not expose the DUP flag of a received PUBLISH, but every message it
// hands to on_message is the `msg` member of this internal struct (lib/mosquitto_internal.h,
// unchanged from 2.0.0 to 2.0.20). Used only when the loaded library is 2.0.x too.
struct MosquittoMessageAll20 {
    void* next;
    void* prev;
    void* properties;
    time_t timestamp;
    int state;  // enum mosquitto_msg_state
    bool dup;
    struct mosquitto_message msg;
    uint32_t expiry_interval;
};
constexpr bool kHeadersAre20 = true;
bool dup_of(const struct mosquitto_message* m) {
    const auto* all = reinterpret_cast<const MosquittoMessageAll20*>(reinterpret_cast<const char*>(m) -
                                                                     offsetof(MosquittoMessageAll20, msg));
    return all->dup;
}
#else
constexpr bool kHeadersAre20 = false;
bool dup_of(const struct mosquitto_message*) { return false; }
#endif

// Never prompt on a terminal for a key passphrase (OpenSSL's default): encrypted keys fail.
int no_key_password(char*, int, int, void*) { return 0; }

std::string mosq_error(int rc) {
    if (rc == MOSQ_ERR_ERRNO) return std::strerror(errno);
    return mosquitto_strerror(rc);
}

// MQTT 3.1.1 CONNACK codes 1-5 and MQTT 5 reason codes >= 0x80 that a retry cannot fix.
bool refusal_needs_config_change(int rc, bool v5) {
    if (!v5) return rc == 1 || rc == 2 || rc == 4 || rc == 5;
    return rc == 0x84 || rc == 0x85 || rc == 0x86 || rc == 0x87 || rc == 0x8A || rc == 0x8C;
}

class FdGuard {
public:
    explicit FdGuard(int fd) : fd_(fd) {}
    ~FdGuard() {
        if (fd_ >= 0) ::close(fd_);
    }
    FdGuard(const FdGuard&) = delete;
    FdGuard& operator=(const FdGuard&) = delete;

private:
    int fd_;
};

// A TCP connect bounded by `deadline`. libmosquitto can only send MQTT 5 CONNECT properties
// with its blocking connect, whose TCP connect could hang for minutes; probing first keeps
// connection_timeout_secs meaningful for that first connection.
std::optional<std::string> tcp_probe(const std::string& host, uint16_t port, Clock::time_point deadline) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (const int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found); rc != 0) {
        return std::string("cannot resolve ") + host + ": " + gai_strerror(rc);
    }
    std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> list(found, &freeaddrinfo);
    std::string last = "no address for " + host;
    for (const addrinfo* a = list.get(); a; a = a->ai_next) {
        const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) continue;
        FdGuard guard(fd);
        if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) return std::nullopt;
        if (errno != EINPROGRESS) {
            last = std::strerror(errno);
            continue;
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        pollfd p{fd, POLLOUT, 0};
        const int n = ::poll(&p, 1, static_cast<int>(std::max<int64_t>(left, 0)));
        if (n == 0) return std::string("no TCP connection within the connection timeout");
        int err = 0;
        socklen_t len = sizeof err;
        if (n > 0 && ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0) return std::nullopt;
        last = std::strerror(err ? err : errno);
    }
    return last;
}

}  // namespace

// libmosquitto's callbacks: `obj` is the MqttClient. They run on the network thread; nothing
// may escape them into C.
struct MqttClient::Callbacks {
    static MqttClient& self(void* obj) { return *static_cast<MqttClient*>(obj); }

    static void on_connect(mosquitto*, void* obj, int rc, int flags, const mosquitto_property*) noexcept {
        MqttClient& c = self(obj);
        try {
            const bool v5 = c.config_.protocol_version == ProtocolVersion::v5;
            if (rc != 0) {
                c.refusal_ = v5 ? mosquitto_reason_string(rc) : mosquitto_connack_string(rc);
                c.refusal_is_config_ = refusal_needs_config_change(rc, v5);
                return;
            }
            c.connack_ok_ = true;
            c.connected_ = true;
            const bool session_present = (flags & 1) != 0;
            // Fix 1 (source-plugins.md §1.5): a session the broker did not keep has no
            // subscriptions, so subscribe again; a kept session keeps them (and subscribing
            // again would re-send every retained message).
            if (!c.subscribed_once_ || !session_present) {
                c.subscribe_all(session_present);
            } else {
                c.log(LogLevel::info, "reconnected to " + c.endpoint() + "; the broker kept the session and its subscriptions");
            }
        } catch (const std::exception& e) {
            c.log(LogLevel::error, std::string("MQTT connect callback failed: ") + e.what());
        }
    }

    static void on_disconnect(mosquitto*, void* obj, int, const mosquitto_property*) noexcept {
        self(obj).connected_ = false;
    }

    static void on_subscribe(mosquitto*, void* obj, int mid, int qos_count, const int* granted,
                             const mosquitto_property*) noexcept {
        MqttClient& c = self(obj);
        try {
            const auto it = c.pending_subacks_.find(mid);
            if (it == c.pending_subacks_.end()) return;
            const std::string filter = it->second;
            c.pending_subacks_.erase(it);
            if (qos_count < 1 || granted[0] >= 0x80) {
                const std::string why = qos_count < 1 ? std::string("no reason") : mosquitto_reason_string(granted[0]);
                const std::string msg = "the MQTT broker refused the subscription to '" + filter + "' (" + why + ")";
                c.log(LogLevel::error, msg);
                c.finish_start(StartState::failed, msg, true);
                return;
            }
            if (c.pending_subacks_.empty()) {
                std::string list;
                for (const auto& s : c.subscriptions_) {
                    list += (list.empty() ? "" : ", ") + s.filter + " (QoS " + std::to_string(s.qos) + ")";
                }
                c.log(LogLevel::info, (c.resubscribing_ ? "re-subscribed after reconnect (the broker did not keep the session) to "
                                                        : "subscribed to ") +
                                          std::to_string(c.subscriptions_.size()) + " MQTT filter(s): " + list);
                c.finish_start(StartState::ready, {}, false);
            }
        } catch (const std::exception& e) {
            c.log(LogLevel::error, std::string("MQTT subscribe callback failed: ") + e.what());
        }
    }

    static void on_message(mosquitto* m, void* obj, const struct mosquitto_message* msg,
                           const mosquitto_property* props) noexcept {
        MqttClient& c = self(obj);
        bool taken = false;
        try {
            // A kept session delivers its queued messages right after CONNACK, before our SUBACKs.
            // The Handler may block until the host polls, which it does only once start() has
            // returned: so a delivery also ends the start (the SUBACKs are still checked).
            c.finish_start(StartState::ready, {}, false);
            InboundMessage in;
            in.topic = msg->topic ? std::string_view(msg->topic) : std::string_view();
            in.payload = std::string_view(static_cast<const char*>(msg->payload), static_cast<size_t>(msg->payloadlen));
            in.qos = msg->qos;
            in.retain = msg->retain;
            in.dup = c.read_dup_ && dup_of(msg);
            char* name = nullptr;
            char* value = nullptr;
            const mosquitto_property* p =
                mosquitto_property_read_string_pair(props, MQTT_PROP_USER_PROPERTY, &name, &value, false);
            while (p) {
                in.user_properties.emplace_back(name ? name : "", value ? value : "");
                std::free(name);
                std::free(value);
                name = value = nullptr;
                p = mosquitto_property_read_string_pair(p, MQTT_PROP_USER_PROPERTY, &name, &value, true);
            }
            taken = c.handler_.on_message(in);
        } catch (const std::exception& e) {
            c.log(LogLevel::error, std::string("MQTT message not taken: ") + e.what());
        }
        if (!taken) {
            // Closing the socket before the loop writes the queued PUBACK/PUBCOMP leaves the
            // message unacknowledged: a broker holding the session delivers it again.
            const int fd = mosquitto_socket(m);
            if (fd >= 0) ::shutdown(fd, SHUT_RDWR);
        }
    }

    static void on_log(mosquitto*, void* obj, int level, const char* text) noexcept {
        // libmosquitto says why TLS failed only here (the OpenSSL error queue).
        if (level == MOSQ_LOG_ERR && text) {
            try {
                self(obj).last_library_error_ = text;
            } catch (...) {
            }
        }
    }
};

void MqttClient::HandleDeleter::operator()(mosquitto* m) const noexcept { mosquitto_destroy(m); }

MqttClient::MqttClient(const MqttConfig& config, std::vector<Subscription> subscriptions, Handler& handler, LogFn log)
    : config_(config), subscriptions_(std::move(subscriptions)), handler_(handler), log_(std::move(log)) {
    using dcx::sdk::ConfigError;
    errno = 0;
    handle_.reset(mosquitto_new(config_.client_id.c_str(), config_.clean_session, this));
    if (!handle_) {
        throw ConfigError("mqtt.client_id: libmosquitto cannot create a client with this id (" +
                          std::string(std::strerror(errno)) + ")");
    }
    mosquitto* m = handle_.get();
    auto check = [](int rc, const std::string& what) {
        if (rc != MOSQ_ERR_SUCCESS) throw ConfigError(what + ": " + mosq_error(rc));
    };
    mosquitto_threaded_set(m, true);  // we run the loop on our own thread (see the top comment)
    const bool v5 = config_.protocol_version == ProtocolVersion::v5;
    check(mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, v5 ? MQTT_PROTOCOL_V5 : MQTT_PROTOCOL_V311),
          "mqtt.protocol_version");
    check(mosquitto_int_option(m, MOSQ_OPT_TCP_NODELAY, config_.tcp_nodelay ? 1 : 0), "mqtt.tcp_nodelay");
    // Fix 9: a user name alone is sent; a password alone only under MQTT 5 (checked in config).
    if (config_.username || config_.password) {
        check(mosquitto_username_pw_set(m, config_.username ? config_.username->c_str() : nullptr,
                                        config_.password ? config_.password->c_str() : nullptr),
              "mqtt.username");
    }
    if (config_.use_tls) {
        // Fix 5: TLS with the server certificate and host name verified; without ca_cert_path,
        // the system's trust store.
        const char* cafile = config_.ca_cert_path.empty() ? nullptr : config_.ca_cert_path.c_str();
        const char* capath = cafile ? nullptr : "/etc/ssl/certs";
        if (!cafile) check(mosquitto_int_option(m, MOSQ_OPT_TLS_USE_OS_CERTS, 1), "mqtt.use_tls");
        const char* cert = config_.client_cert_path.empty() ? nullptr : config_.client_cert_path.c_str();
        const char* key = config_.client_key_path.empty() ? nullptr : config_.client_key_path.c_str();
        check(mosquitto_tls_set(m, cafile, capath, cert, key, &no_key_password),
              "mqtt.use_tls: libmosquitto refused the certificate files (ca_cert_path, client_cert_path, client_key_path)");
        check(mosquitto_tls_opts_set(m, 1 /* SSL_VERIFY_PEER */, nullptr, nullptr), "mqtt.use_tls");
        check(mosquitto_tls_insecure_set(m, config_.tls_insecure), "mqtt.tls_insecure");
    }
    mosquitto_connect_v5_callback_set(m, &Callbacks::on_connect);
    mosquitto_disconnect_v5_callback_set(m, &Callbacks::on_disconnect);
    mosquitto_subscribe_v5_callback_set(m, &Callbacks::on_subscribe);
    mosquitto_message_v5_callback_set(m, &Callbacks::on_message);
    mosquitto_log_callback_set(m, &Callbacks::on_log);
    read_dup_ = kHeadersAre20 && MosquittoLibrary::is_2_0();
}

MqttClient::~MqttClient() { stop(); }

std::string MqttClient::endpoint() const {
    return config_.broker_host + ":" + std::to_string(config_.broker_port) + (config_.use_tls ? " (TLS)" : "");
}

void MqttClient::log(LogLevel level, const std::string& message) const {
    if (log_) log_(level, message);
}

void MqttClient::finish_start(StartState state, const std::string& message, bool config_problem) {
    {
        std::lock_guard lock(mu_);
        if (start_state_ != StartState::pending) return;
        start_state_ = state;
        start_message_ = message;
        start_config_problem_ = config_problem;
    }
    cv_.notify_all();
}

void MqttClient::start(const std::function<bool()>& cancelled) {
    thread_ = std::thread([this] {
        pthread_setname_np(pthread_self(), "mqtt-network");
        run();
    });
    // A little longer than the network thread's own CONNACK deadline, so its reason wins.
    const auto deadline = Clock::now() + std::chrono::seconds(config_.connection_timeout_secs) + std::chrono::milliseconds(500);
    std::unique_lock lock(mu_);
    while (start_state_ == StartState::pending && Clock::now() < deadline && !(cancelled && cancelled())) {
        cv_.wait_for(lock, std::chrono::milliseconds(100));
    }
    const StartState state = start_state_;
    std::string message = start_message_;
    const bool config_problem = start_config_problem_;
    lock.unlock();
    if (state == StartState::ready) return;
    if (state == StartState::pending) {
        message = cancelled && cancelled() ? "stopping before the MQTT connection was up"
                                           : "no connection to the MQTT broker within connection_timeout_secs (" +
                                                 std::to_string(config_.connection_timeout_secs) + " s)";
    }
    message = "MQTT broker " + endpoint() + ": " + message;
    if (config_problem) throw dcx::sdk::ConfigError(message);
    throw dcx::sdk::RetryableError(message);
}

void MqttClient::stop() noexcept {
    stop_ = true;
    {
        // Taking the lock orders the flag before a backoff wait that already checked it.
        std::lock_guard lock(mu_);
    }
    cv_.notify_all();
    // Queues a DISCONNECT, which also wakes the network thread out of select().
    if (handle_ && connected_) mosquitto_disconnect(handle_.get());
    if (thread_.joinable()) thread_.join();
}

int MqttClient::connect_first(Clock::time_point deadline, std::string& failure) {
    mosquitto* m = handle_.get();
    const int keepalive = static_cast<int>(config_.keep_alive_secs);
    if (config_.protocol_version == ProtocolVersion::v311) {
        return mosquitto_connect_bind_async(m, config_.broker_host.c_str(), config_.broker_port, keepalive, nullptr);
    }
    // MQTT 5: CONNECT properties go only through the blocking connect; later reconnects reuse
    // them. A persistent session needs a session expiry interval (MQTT 5 §3.1.2.11.2), and
    // the maximum packet size makes the broker drop larger messages instead of sending them.
    if (auto why = tcp_probe(config_.broker_host, config_.broker_port, deadline)) {
        failure = *why;
        return MOSQ_ERR_NO_CONN;
    }
    mosquitto_property* props = nullptr;
    int rc = MOSQ_ERR_SUCCESS;
    if (!config_.clean_session) rc = mosquitto_property_add_int32(&props, MQTT_PROP_SESSION_EXPIRY_INTERVAL, UINT32_MAX);
    if (rc == MOSQ_ERR_SUCCESS) {
        rc = mosquitto_property_add_int32(&props, MQTT_PROP_MAXIMUM_PACKET_SIZE, static_cast<uint32_t>(config_.max_packet_size));
    }
    if (rc == MOSQ_ERR_SUCCESS) {
        rc = mosquitto_connect_bind_v5(m, config_.broker_host.c_str(), config_.broker_port, keepalive, nullptr, props);
    }
    mosquitto_property_free_all(&props);
    return rc;
}

std::string MqttClient::drive(Clock::time_point deadline) {
    mosquitto* m = handle_.get();
    while (!stop_) {
        int timeout_ms = kLoopTimeoutMs;
        if (!connack_ok_) {
            // Fix 6: connection_timeout_secs bounds TCP, TLS and CONNECT/CONNACK together.
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
            if (left <= 0) {
                return "no CONNACK within connection_timeout_secs (" + std::to_string(config_.connection_timeout_secs) + " s)" +
                       (last_library_error_.empty() ? "" : "; " + last_library_error_);
            }
            timeout_ms = static_cast<int>(std::min<int64_t>(left, kLoopTimeoutMs));
        }
        const int rc = mosquitto_loop(m, timeout_ms, 1);
        if (rc != MOSQ_ERR_SUCCESS) {
            if (!refusal_.empty()) return "the broker refused the connection: " + refusal_;
            std::string why = mosq_error(rc);
            if (!last_library_error_.empty()) why += " (" + last_library_error_ + ")";
            return why;
        }
    }
    return {};
}

void MqttClient::subscribe_all(bool session_present) {
    mosquitto* m = handle_.get();
    resubscribing_ = subscribed_once_;
    pending_subacks_.clear();
    if (resubscribing_) {
        log(dcx::sdk::LogLevel::info, "reconnected to " + endpoint() + " without a kept session (session_present=" +
                                          std::to_string(session_present ? 1 : 0) + "): subscribing again");
    }
    for (const auto& s : subscriptions_) {
        int mid = 0;
        const int rc = mosquitto_subscribe(m, &mid, s.filter.c_str(), s.qos);
        if (rc != MOSQ_ERR_SUCCESS) {
            const std::string msg = "cannot subscribe to '" + s.filter + "': " + mosq_error(rc);
            log(dcx::sdk::LogLevel::error, msg);
            finish_start(StartState::failed, msg, rc == MOSQ_ERR_INVAL);
            continue;
        }
        pending_subacks_[mid] = s.filter;
    }
    subscribed_once_ = true;
}

void MqttClient::run() noexcept {
    // libmosquitto writes with write(): a peer that went away would raise SIGPIPE, whose default
    // action ends the daemon. Blocked on this thread (the only one writing), write() returns
    // EPIPE instead.
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
    try {
        bool initial = true;
        auto backoff = std::chrono::duration_cast<std::chrono::milliseconds>(kMinBackoff);
        mosquitto* m = handle_.get();
        while (!stop_) {
            const auto deadline = Clock::now() + std::chrono::seconds(config_.connection_timeout_secs);
            connack_ok_ = false;
            refusal_.clear();
            refusal_is_config_ = false;
            last_library_error_.clear();
            std::string failure;
            const int rc = initial ? connect_first(deadline, failure) : mosquitto_reconnect_async(m);
            if (rc == MOSQ_ERR_SUCCESS) failure = drive(deadline);
            else if (failure.empty()) failure = mosq_error(rc);
            connected_ = false;
            if (stop_) break;
            const bool was_up = connack_ok_;
            pending_subacks_.clear();
            if (initial) {
                bool pending = false;
                {
                    std::lock_guard lock(mu_);
                    pending = start_state_ == StartState::pending;
                }
                if (pending || !was_up) {  // start() reports it and stops this thread
                    finish_start(StartState::failed, failure, refusal_is_config_);
                    return;
                }
            }
            initial = false;
            if (was_up) {
                backoff = std::chrono::duration_cast<std::chrono::milliseconds>(kMinBackoff);
                log(LogLevel::warn, "lost the connection to MQTT broker " + endpoint() + ": " + failure + "; reconnecting");
            } else {
                log(LogLevel::warn, "cannot connect to MQTT broker " + endpoint() + ": " + failure + "; retrying in " +
                                        std::to_string(backoff.count()) + " ms");
            }
            {
                std::unique_lock lock(mu_);
                cv_.wait_for(lock, backoff, [&] { return stop_.load(); });
            }
            backoff = std::min(backoff * 2, std::chrono::duration_cast<std::chrono::milliseconds>(kMaxBackoff));
            ++reconnects_;
        }
        // Stopping: flush a DISCONNECT (bounded), so the broker ends the connection cleanly.
        if (connack_ok_) {
            mosquitto_disconnect(m);
            for (int i = 0; i < 10 && mosquitto_loop(m, 100, 1) == MOSQ_ERR_SUCCESS; ++i) {
            }
        }
    } catch (const std::exception& e) {
        thread_failed_ = true;
        connected_ = false;
        log(LogLevel::error, std::string("MQTT network thread failed: ") + e.what());
        finish_start(StartState::failed, e.what(), false);
    }
}

}  // namespace dcx::mqtt
