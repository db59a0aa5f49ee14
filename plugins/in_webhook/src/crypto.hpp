// SPDX-License-Identifier: Apache-2.0
// The few cryptographic and encoding primitives the webhook needs, over OpenSSL: HMAC, SHA-256,
// constant-time comparison, hex and base64 codecs, and public keys for JWT signatures. OpenSSL
// types stay in crypto.cpp.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace dcx::webhook::crypto {

enum class Digest { sha256, sha512 };

/// HMAC of `data` with `key` (raw bytes: 32 for sha256, 64 for sha512).
std::string hmac(Digest digest, std::string_view key, std::string_view data);
/// SHA-256 of `data` (32 raw bytes).
std::string sha256(std::string_view data);

/// Equal bytes, in time that depends only on the lengths (CRYPTO_memcmp). For MACs, whose
/// length is public.
bool equal_bytes(std::string_view a, std::string_view b);
/// Equal secrets, in time that depends on neither content nor length: compares SHA-256 digests
/// with CRYPTO_memcmp. For API keys, whose length is part of the secret.
bool equal_secrets(std::string_view a, std::string_view b);

/// Hex (either case) to bytes; nullopt for odd lengths or other characters.
std::optional<std::string> hex_decode(std::string_view hex);
std::string hex_encode(std::string_view bytes);
/// Base64url without padding (RFC 7515 §2, as JWTs use it), canonical (unused bits zero);
/// nullopt for anything else.
std::optional<std::string> base64url_decode(std::string_view text);
/// Standard base64 with padding (RFC 4648 §4).
std::string base64_encode(std::string_view bytes);

/// A public key for JWT signatures: RSA (RS256, 2048 bits or more) or EC P-256 (ES256).
class PublicKey {
public:
    enum class Kind { rsa, ec_p256 };

    /// Reads a PEM public key (SubjectPublicKeyInfo or PKCS#1 RSA) or an X.509 certificate.
    /// Throws std::runtime_error saying what is wrong with the file.
    static PublicKey load_pem_file(const std::string& path);
    static PublicKey from_pem(std::string_view pem, const std::string& what = "public key");

    PublicKey(PublicKey&&) noexcept;
    PublicKey& operator=(PublicKey&&) noexcept;
    PublicKey(const PublicKey&) = delete;
    PublicKey& operator=(const PublicKey&) = delete;
    ~PublicKey();

    Kind kind() const { return kind_; }
    /// The JWS algorithm this key verifies: "RS256" or "ES256".
    const char* jwt_algorithm() const { return kind_ == Kind::rsa ? "RS256" : "ES256"; }
    /// Verifies a SHA-256 signature: RSASSA-PKCS1-v1_5 for RSA, DER ECDSA for EC. [thread-safe]
    bool verify_sha256(std::string_view data, std::string_view signature) const;

private:
    struct Impl;
    explicit PublicKey(std::unique_ptr<Impl> impl, Kind kind);

    std::unique_ptr<Impl> impl_;
    Kind kind_;
};

/// JWS ES256 signatures are r || s (32 bytes each); OpenSSL wants DER. nullopt for other sizes.
std::optional<std::string> ecdsa_p256_raw_to_der(std::string_view raw);

}  // namespace dcx::webhook::crypto
