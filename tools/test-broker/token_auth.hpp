// SPDX-License-Identifier: Apache-2.0
// The real broker's auth mode `tls`: every call needs `authorization: Bearer <JWT>` (HS256,
// `exp` checked), answered with its status texts (danube-broker/src/security/authn.rs).
#pragma once

#include <string>

#include <grpcpp/server_context.h>

namespace dcx::test_broker {

class TokenAuth {
public:
    /// An empty secret disables checking (auth mode `none`: every header ignored).
    explicit TokenAuth(std::string hs256_secret = {}) : secret_(std::move(hs256_secret)) {}

    bool enabled() const { return !secret_.empty(); }
    grpc::Status check(const grpc::CallbackServerContext& ctx) const;
    /// Verifies signature, algorithm and expiry of a compact JWS.
    bool verify(const std::string& jwt) const;

private:
    std::string secret_;
};

}  // namespace dcx::test_broker
