// SPDX-License-Identifier: Apache-2.0
// Test keys and tokens; see jwt_test_keys.hpp.
#include "jwt_test_keys.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <chrono>
#include <memory>
#include <stdexcept>

namespace dcx::webhook::testing {
namespace {

struct PkeyFree {
    void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
struct BioFree {
    void operator()(BIO* b) const noexcept { BIO_free(b); }
};
struct MdCtxFree {
    void operator()(EVP_MD_CTX* c) const noexcept { EVP_MD_CTX_free(c); }
};

std::string bio_text(BIO* bio) {
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio, &data);
    return std::string(data, static_cast<size_t>(len));
}

KeyPair to_pems(EVP_PKEY* key) {
    if (!key) throw std::runtime_error("key generation failed");
    std::unique_ptr<BIO, BioFree> priv(BIO_new(BIO_s_mem()));
    std::unique_ptr<BIO, BioFree> pub(BIO_new(BIO_s_mem()));
    PEM_write_bio_PrivateKey(priv.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
    PEM_write_bio_PUBKEY(pub.get(), key);
    return {bio_text(priv.get()), bio_text(pub.get())};
}

KeyPair make_rsa() {
    std::unique_ptr<EVP_PKEY, PkeyFree> key(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048}));
    return to_pems(key.get());
}

KeyPair make_ec() {
    std::unique_ptr<EVP_PKEY, PkeyFree> key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    return to_pems(key.get());
}

std::string sign_sha256(const KeyPair& key, std::string_view input) {
    std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(key.private_pem.data(), static_cast<int>(key.private_pem.size())));
    std::unique_ptr<EVP_PKEY, PkeyFree> pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
    size_t len = 0;
    if (!pkey || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, pkey.get()) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
        throw std::runtime_error("signing failed");
    }
    std::string sig(len, '\0');
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                       reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
        throw std::runtime_error("signing failed");
    }
    sig.resize(len);
    return sig;
}

std::string signing_input(const nlohmann::json& header, const nlohmann::json& claims) {
    return base64url(header.dump()) + "." + base64url(claims.dump());
}

}  // namespace

const KeyPair& rsa_key() {
    static const KeyPair k = make_rsa();
    return k;
}
const KeyPair& ec_key() {
    static const KeyPair k = make_ec();
    return k;
}
const KeyPair& other_rsa_key() {
    static const KeyPair k = make_rsa();
    return k;
}

int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

nlohmann::json claims(int64_t ttl_s, const nlohmann::json& extra) {
    nlohmann::json c{{"sub", "webhook-test"}, {"exp", unix_now() + ttl_s}};
    for (const auto& [k, v] : extra.items()) c[k] = v;
    return c;
}

std::string hs256_token(const std::string& secret, const nlohmann::json& claims, const std::string& alg) {
    const std::string input = signing_input({{"alg", alg}, {"typ", "JWT"}}, claims);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()), reinterpret_cast<const unsigned char*>(input.data()),
         input.size(), mac, &len);
    return input + "." + base64url(std::string_view(reinterpret_cast<const char*>(mac), len));
}

std::string rs256_token(const KeyPair& key, const nlohmann::json& claims) {
    const std::string input = signing_input({{"alg", "RS256"}, {"typ", "JWT"}}, claims);
    return input + "." + base64url(sign_sha256(key, input));
}

std::string es256_token(const KeyPair& key, const nlohmann::json& claims) {
    const std::string input = signing_input({{"alg", "ES256"}, {"typ", "JWT"}}, claims);
    const std::string der = sign_sha256(key, input);
    // JWS wants r || s, 32 bytes each (RFC 7518 §3.4), not DER.
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
    if (!sig) throw std::runtime_error("bad ECDSA signature");
    std::string raw(64, '\0');
    BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char*>(raw.data()), 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
    ECDSA_SIG_free(sig);
    return input + "." + base64url(raw);
}

std::string none_token(const nlohmann::json& claims) {
    return signing_input({{"alg", "none"}, {"typ", "JWT"}}, claims) + ".";
}

}  // namespace dcx::webhook::testing
