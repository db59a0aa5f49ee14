// SPDX-License-Identifier: Apache-2.0
// A libmosquitto publisher for tests: connects synchronously and publishes with every wait
// bounded; publish() returns once the broker acknowledged (QoS 1 and 2) or the packet left (QoS 0).
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

struct mosquitto;

namespace dcx::testing {

class MqttPublisher {
public:
    explicit MqttPublisher(int port, const std::string& client_id = {});
    ~MqttPublisher();
    MqttPublisher(const MqttPublisher&) = delete;
    MqttPublisher& operator=(const MqttPublisher&) = delete;

    /// Publishes and waits (at most 10 s) until the broker has it; throws on failure.
    void publish(const std::string& topic, const std::string& payload, int qos, bool retain = false);
    /// Publishes each {topic, payload} at `qos`, then waits until all are acknowledged.
    void publish_all(const std::vector<std::pair<std::string, std::string>>& messages, int qos, bool retain = false);

private:
    struct Callbacks;
    void wait_for(const std::set<int>& mids);

    mosquitto* m_ = nullptr;
    std::mutex mu_;
    std::condition_variable cv_;
    std::set<int> done_;  // mids the broker acknowledged
    bool connected_ = false;
};

/// Runs mosquitto_pub with `args` (after -h 127.0.0.1 -p `port`), bounded; throws when it fails.
void mosquitto_pub(int port, const std::vector<std::string>& args);

}  // namespace dcx::testing
