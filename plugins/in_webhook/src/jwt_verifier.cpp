// SPDX-License-Identifier: Apache-2.0
// JWT verification; see jwt_verifier.hpp.
#include "jwt_verifier.hpp"

#include <algorithm>
#include <cstdint>

#include <nlohmann/json.hpp>

namespace dcx::webhook {
namespace {

JwtCheck invalid(std::string why) {
    JwtCheck c;
    c.error = std::move(why);
    return c;
}

// A claim that must be an integer number of seconds (jsonwebtoken reads them as u64).
std::optional<int64_t> seconds_claim(const nlohmann::json& claims, const char* name, std::string& error) {
    const auto it = claims.find(name);
    if (it == claims.end()) return std::nullopt;
    if (it->is_number_unsigned() || (it->is_number_integer() && it->get<int64_t>() >= 0)) {
        const uint64_t v = it->get<uint64_t>();
        return static_cast<int64_t>(std::min<uint64_t>(v, INT64_MAX));
    }
    error = std::string("JSON error: invalid type for `") + name + "`, expected u64";
    return std::nullopt;
}

}  // namespace

JwtVerifier::JwtVerifier(bool hs256_enabled, std::optional<crypto::PublicKey> public_key,
                         std::optional<std::string> pinned_alg, int64_t leeway_s)
    : hs256_enabled_(hs256_enabled),
      public_key_(std::move(public_key)),
      pinned_alg_(std::move(pinned_alg)),
      leeway_s_(leeway_s) {}

JwtCheck JwtVerifier::verify(std::string_view token, const std::optional<std::string>& hs256_secret, int64_t now_s) const {
    const size_t dot1 = token.find('.');
    const size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
    if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) return invalid("InvalidToken");
    const std::string_view signing_input = token.substr(0, dot2);
    const auto header_text = crypto::base64url_decode(token.substr(0, dot1));
    const auto claims_text = crypto::base64url_decode(token.substr(dot1 + 1, dot2 - dot1 - 1));
    const auto signature = crypto::base64url_decode(token.substr(dot2 + 1));
    if (!header_text || !claims_text || !signature) return invalid("Base64 error: invalid base64url");

    const auto header = nlohmann::json::parse(*header_text, nullptr, false);
    if (header.is_discarded() || !header.is_object()) return invalid("JSON error: the header is not a JSON object");
    const auto alg_it = header.find("alg");
    if (alg_it == header.end() || !alg_it->is_string()) return invalid("JSON error: missing field `alg`");
    const std::string alg = alg_it->get<std::string>();

    // The algorithm comes from the token, so only accept the ones our keys are meant for.
    if (pinned_alg_ && alg != *pinned_alg_) return invalid("InvalidAlgorithm");
    bool verified = false;
    if (alg == "HS256" && hs256_enabled_) {
        if (!hs256_secret) {
            JwtCheck c;
            c.status = JwtCheck::Status::secret_missing;
            return c;
        }
        verified = crypto::equal_bytes(crypto::hmac(crypto::Digest::sha256, *hs256_secret, signing_input), *signature);
    } else if (public_key_ && alg == public_key_->jwt_algorithm()) {
        if (public_key_->kind() == crypto::PublicKey::Kind::ec_p256) {
            const auto der = crypto::ecdsa_p256_raw_to_der(*signature);
            verified = der && public_key_->verify_sha256(signing_input, *der);
        } else {
            verified = public_key_->verify_sha256(signing_input, *signature);
        }
    } else {
        return invalid("InvalidAlgorithm");
    }
    if (!verified) return invalid("InvalidSignature");

    const auto claims = nlohmann::json::parse(*claims_text, nullptr, false);
    if (claims.is_discarded() || !claims.is_object()) return invalid("JSON error: the claims are not a JSON object");
    std::string error;
    const auto exp = seconds_claim(claims, "exp", error);
    if (!error.empty()) return invalid(error);
    if (!exp) return invalid("Missing required claim: exp");
    const auto nbf = seconds_claim(claims, "nbf", error);
    if (!error.empty()) return invalid(error);
    const auto sub = claims.find("sub");
    if (sub == claims.end()) return invalid("JSON error: missing field `sub`");
    if (!sub->is_string()) return invalid("JSON error: invalid type for `sub`, expected a string");
    if (*exp < now_s - leeway_s_) return invalid("ExpiredSignature");
    if (nbf && *nbf > now_s + leeway_s_) return invalid("ImmatureSignature");

    JwtCheck ok;
    ok.status = JwtCheck::Status::ok;
    ok.exp = *exp;
    if (const auto jti = claims.find("jti"); jti != claims.end() && jti->is_string()) ok.jti = jti->get<std::string>();
    return ok;
}

}  // namespace dcx::webhook
