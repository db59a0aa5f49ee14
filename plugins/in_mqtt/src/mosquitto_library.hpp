// SPDX-License-Identifier: Apache-2.0
// Process-wide libmosquitto initialisation, counted: mosquitto_lib_init() runs when the first
// guard is made and mosquitto_lib_cleanup() when the last one goes, so several instances (or a
// retried initialize()) never clean up under each other.
#pragma once

namespace dcx::mqtt {

class MosquittoLibrary {
public:
    /// Throws std::runtime_error when mosquitto_lib_init() fails.
    MosquittoLibrary();
    ~MosquittoLibrary();
    MosquittoLibrary(const MosquittoLibrary&) = delete;
    MosquittoLibrary& operator=(const MosquittoLibrary&) = delete;

    /// "2.0.11", from the loaded library (not the headers).
    static const char* version();
    /// True when the loaded library is a 2.0.x release, whose internal message layout
    /// mqtt_client.cpp relies on to read the DUP flag.
    static bool is_2_0();
};

}  // namespace dcx::mqtt
