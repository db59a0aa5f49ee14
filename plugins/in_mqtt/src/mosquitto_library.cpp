// SPDX-License-Identifier: Apache-2.0
// Counted libmosquitto init guard; see mosquitto_library.hpp.
#include "mosquitto_library.hpp"

#include <mosquitto.h>

#include <mutex>
#include <stdexcept>
#include <string>

namespace dcx::mqtt {
namespace {

std::mutex g_mu;
int g_users = 0;  // guarded by g_mu

}  // namespace

MosquittoLibrary::MosquittoLibrary() {
    std::lock_guard lock(g_mu);
    if (g_users == 0) {
        const int rc = mosquitto_lib_init();
        if (rc != MOSQ_ERR_SUCCESS) throw std::runtime_error(std::string("mosquitto_lib_init failed: ") + mosquitto_strerror(rc));
    }
    ++g_users;
}

MosquittoLibrary::~MosquittoLibrary() {
    std::lock_guard lock(g_mu);
    if (--g_users == 0) mosquitto_lib_cleanup();
}

const char* MosquittoLibrary::version() {
    static const std::string text = [] {
        int major = 0, minor = 0, revision = 0;
        mosquitto_lib_version(&major, &minor, &revision);
        return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(revision);
    }();
    return text.c_str();
}

bool MosquittoLibrary::is_2_0() {
    int major = 0, minor = 0, revision = 0;
    mosquitto_lib_version(&major, &minor, &revision);
    return major == 2 && minor == 0;
}

}  // namespace dcx::mqtt
