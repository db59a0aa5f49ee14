// SPDX-License-Identifier: Apache-2.0
#include "token_auth.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <chrono>

#include <nlohmann/json.hpp>

#include "common/base64.hpp"

namespace dcx::test_broker {
namespace {

std::optional<std::string> base64url_decode(std::string text) {
    for (char& c : text) {
        if (c == '-') c = '+';
        else if (c == '_') c = '/';
        else if (c == '+' || c == '/' || c == '=') return std::nullopt;
    }
    while (text.size() % 4 != 0) text += '=';
    return base64_decode(text);
}

}  // namespace

bool TokenAuth::verify(const std::string& jwt) const {
    const size_t dot1 = jwt.find('.');
    const size_t dot2 = dot1 == std::string::npos ? dot1 : jwt.find('.', dot1 + 1);
    if (dot2 == std::string::npos || jwt.find('.', dot2 + 1) != std::string::npos) return false;
    const auto header = base64url_decode(jwt.substr(0, dot1));
    const auto payload = base64url_decode(jwt.substr(dot1 + 1, dot2 - dot1 - 1));
    const auto signature = base64url_decode(jwt.substr(dot2 + 1));
    if (!header || !payload || !signature) return false;

    const auto h = nlohmann::json::parse(*header, nullptr, false);
    if (!h.is_object() || h.value("alg", "") != "HS256") return false;

    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    const std::string signing_input = jwt.substr(0, dot2);
    HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
         reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(), mac, &mac_len);
    if (signature->size() != mac_len || CRYPTO_memcmp(signature->data(), mac, mac_len) != 0) return false;

    const auto claims = nlohmann::json::parse(*payload, nullptr, false);
    if (!claims.is_object() || !claims.contains("exp") || !claims["exp"].is_number()) return false;
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count();
    return claims["exp"].get<double>() > static_cast<double>(now);
}

grpc::Status TokenAuth::check(const grpc::CallbackServerContext& ctx) const {
    if (!enabled()) return grpc::Status::OK;
    const auto& md = ctx.client_metadata();
    const auto it = md.find("authorization");
    if (it == md.end()) {
        return {grpc::StatusCode::UNAUTHENTICATED, "Authentication credentials are missing"};
    }
    const std::string value(it->second.data(), it->second.size());
    constexpr std::string_view kBearer = "Bearer ";
    if (value.rfind(kBearer, 0) != 0 || !verify(value.substr(kBearer.size()))) {
        return {grpc::StatusCode::UNAUTHENTICATED, "Invalid token"};
    }
    return grpc::Status::OK;
}

}  // namespace dcx::test_broker
