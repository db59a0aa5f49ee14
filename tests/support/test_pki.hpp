// SPDX-License-Identifier: Apache-2.0
// Test certificates (a CA, a server certificate for 127.0.0.1, a client certificate) made with
// the openssl CLI, and HS256 JWTs, for the TLS, mTLS and token tests.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "temp_dir.hpp"

namespace dcx::testing {

/// Made once per test process (pki()); files live in its temporary directory.
struct Pki {
    TempDir dir;
    std::string ca_pem, client_cert_pem, client_key_pem;

    Pki();
    std::string path(const std::string& name) const { return (dir / name).string(); }

private:
    void openssl(std::vector<std::string> args) const;
};

const Pki& pki();

/// The secret in pki().path("jwt.secret").
inline constexpr const char* kJwtSecret = "tls-contract-test-secret";

std::string base64url(std::string_view data);
int64_t now_seconds();
/// A compact HS256 (or `alg`) JWT with the claims the real broker reads, expiring at `exp`.
std::string make_jwt(const std::string& secret, int64_t exp, const std::string& alg = "HS256");

}  // namespace dcx::testing
