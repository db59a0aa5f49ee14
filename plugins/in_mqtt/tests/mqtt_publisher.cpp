// SPDX-License-Identifier: Apache-2.0
#include "mqtt_publisher.hpp"

#include <mosquitto.h>
#include <signal.h>

#include <stdexcept>

#include "child_process.hpp"
#include "temp_dir.hpp"

namespace dcx::testing {

struct MqttPublisher::Callbacks {
    static void on_connect(mosquitto*, void* obj, int rc) {
        auto& p = *static_cast<MqttPublisher*>(obj);
        {
            std::lock_guard lock(p.mu_);
            p.connected_ = rc == 0;
        }
        p.cv_.notify_all();
    }
    static void on_publish(mosquitto*, void* obj, int mid) {
        auto& p = *static_cast<MqttPublisher*>(obj);
        {
            std::lock_guard lock(p.mu_);
            p.done_.insert(mid);
        }
        p.cv_.notify_all();
    }
};

MqttPublisher::MqttPublisher(int port, const std::string& client_id) {
    // A broker restarted under a test must not kill the test process with SIGPIPE.
    ::signal(SIGPIPE, SIG_IGN);
    mosquitto_lib_init();
    m_ = mosquitto_new(client_id.empty() ? nullptr : client_id.c_str(), true, this);
    if (!m_) throw std::runtime_error("mosquitto_new failed");
    mosquitto_connect_callback_set(m_, &Callbacks::on_connect);
    mosquitto_publish_callback_set(m_, &Callbacks::on_publish);
    if (const int rc = mosquitto_connect(m_, "127.0.0.1", port, 30); rc != MOSQ_ERR_SUCCESS) {
        throw std::runtime_error(std::string("publisher cannot connect: ") + mosquitto_strerror(rc));
    }
    mosquitto_loop_start(m_);
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, std::chrono::seconds(10), [&] { return connected_; })) {
        throw std::runtime_error("publisher got no CONNACK");
    }
}

MqttPublisher::~MqttPublisher() {
    if (!m_) return;
    mosquitto_disconnect(m_);
    mosquitto_loop_stop(m_, false);
    mosquitto_destroy(m_);
    mosquitto_lib_cleanup();
}

void MqttPublisher::wait_for(const std::set<int>& mids) {
    std::unique_lock lock(mu_);
    const bool all = cv_.wait_for(lock, std::chrono::seconds(10), [&] {
        for (const int mid : mids) {
            if (!done_.count(mid)) return false;
        }
        return true;
    });
    if (!all) throw std::runtime_error("the MQTT broker did not acknowledge every publish within 10 s");
}

void MqttPublisher::publish(const std::string& topic, const std::string& payload, int qos, bool retain) {
    publish_all({{topic, payload}}, qos, retain);
}

void MqttPublisher::publish_all(const std::vector<std::pair<std::string, std::string>>& messages, int qos, bool retain) {
    std::set<int> mids;
    for (const auto& [topic, payload] : messages) {
        int mid = 0;
        const int rc = mosquitto_publish(m_, &mid, topic.c_str(), static_cast<int>(payload.size()), payload.data(), qos, retain);
        if (rc != MOSQ_ERR_SUCCESS) throw std::runtime_error(std::string("publish failed: ") + mosquitto_strerror(rc));
        mids.insert(mid);
    }
    wait_for(mids);
}

void mosquitto_pub(int port, const std::vector<std::string>& args) {
    static TempDir logs;
    static int n = 0;
    std::vector<std::string> argv{DCX_MOSQUITTO_PUB_BIN, "-h", "127.0.0.1", "-p", std::to_string(port)};
    argv.insert(argv.end(), args.begin(), args.end());
    ChildProcess p(argv, logs / ("mosquitto_pub-" + std::to_string(n++)));
    const auto code = p.wait_for_exit(std::chrono::seconds(20));
    if (code != 0) throw std::runtime_error("mosquitto_pub failed: " + p.stderr_text());
}

}  // namespace dcx::testing
