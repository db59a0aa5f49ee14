// SPDX-License-Identifier: Apache-2.0
// OpenSSL-backed primitives; see crypto.hpp.
#include "crypto.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <array>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace dcx::webhook::crypto {
namespace {

const EVP_MD* md_of(Digest d) { return d == Digest::sha512 ? EVP_sha512() : EVP_sha256(); }

struct PkeyFree {
    void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
struct BioFree {
    void operator()(BIO* b) const noexcept { BIO_free(b); }
};
struct X509Free {
    void operator()(X509* x) const noexcept { X509_free(x); }
};
struct DecoderFree {
    void operator()(OSSL_DECODER_CTX* c) const noexcept { OSSL_DECODER_CTX_free(c); }
};
struct MdCtxFree {
    void operator()(EVP_MD_CTX* c) const noexcept { EVP_MD_CTX_free(c); }
};
struct EcdsaSigFree {
    void operator()(ECDSA_SIG* s) const noexcept { ECDSA_SIG_free(s); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int base64url_value(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
}

// PEM public keys of any kind OpenSSL knows (SPKI, PKCS#1 RSA), else a certificate's key.
PkeyPtr decode_public_key(std::string_view pem) {
    EVP_PKEY* raw = nullptr;
    std::unique_ptr<OSSL_DECODER_CTX, DecoderFree> dctx(
        OSSL_DECODER_CTX_new_for_pkey(&raw, "PEM", nullptr, nullptr, EVP_PKEY_PUBLIC_KEY, nullptr, nullptr));
    if (dctx) {
        const auto* data = reinterpret_cast<const unsigned char*>(pem.data());
        size_t len = pem.size();
        if (OSSL_DECODER_from_data(dctx.get(), &data, &len) == 1 && raw) return PkeyPtr(raw);
    }
    ERR_clear_error();
    std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (!bio) return nullptr;
    std::unique_ptr<X509, X509Free> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    ERR_clear_error();
    if (!cert) return nullptr;
    return PkeyPtr(X509_get_pubkey(cert.get()));
}

}  // namespace

std::string hmac(Digest digest, std::string_view key, std::string_view data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
    unsigned int len = 0;
    static const unsigned char kEmpty = 0;
    const unsigned char* d = data.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(data.data());
    if (!HMAC(md_of(digest), key.data(), static_cast<int>(key.size()), d, data.size(), out.data(), &len)) {
        throw std::runtime_error("HMAC failed");
    }
    return std::string(reinterpret_cast<const char*>(out.data()), len);
}

std::string sha256(std::string_view data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr) != 1) {
        throw std::runtime_error("SHA-256 failed");
    }
    return std::string(reinterpret_cast<const char*>(out.data()), len);
}

bool equal_bytes(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    if (a.empty()) return true;
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool equal_secrets(std::string_view a, std::string_view b) {
    const std::string da = sha256(a);
    const std::string db = sha256(b);
    return CRYPTO_memcmp(da.data(), db.data(), da.size()) == 0;
}

std::optional<std::string> hex_decode(std::string_view hex) {
    if (hex.size() % 2 != 0) return std::nullopt;
    std::string out(hex.size() / 2, '\0');
    for (size_t i = 0; i < out.size(); ++i) {
        const int hi = hex_value(hex[2 * i]);
        const int lo = hex_value(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out[i] = static_cast<char>((hi << 4) | lo);
    }
    return out;
}

std::string hex_encode(std::string_view bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (const char c : bytes) {
        const auto b = static_cast<unsigned char>(c);
        out += kDigits[b >> 4];
        out += kDigits[b & 15];
    }
    return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
    if (text.size() % 4 == 1) return std::nullopt;
    std::string out;
    out.reserve(text.size() * 3 / 4);
    uint32_t acc = 0;
    int bits = 0;
    for (const char c : text) {
        const int v = base64url_value(c);
        if (v < 0) return std::nullopt;
        acc = (acc << 6) | static_cast<uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((acc >> bits) & 0xff);
        }
    }
    // Leftover bits must be zero (canonical encoding, as Rust's base64 crate requires): otherwise
    // several spellings decode to the same bytes and a "tampered" token still verifies.
    if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) return std::nullopt;
    return out;
}

std::string base64_encode(std::string_view bytes) {
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    size_t i = 0;
    auto at = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(bytes[k])); };
    for (; i + 3 <= bytes.size(); i += 3) {
        const uint32_t n = (at(i) << 16) | (at(i + 1) << 8) | at(i + 2);
        out += kAlphabet[(n >> 18) & 63];
        out += kAlphabet[(n >> 12) & 63];
        out += kAlphabet[(n >> 6) & 63];
        out += kAlphabet[n & 63];
    }
    if (bytes.size() - i == 1) {
        const uint32_t n = at(i) << 16;
        out += kAlphabet[(n >> 18) & 63];
        out += kAlphabet[(n >> 12) & 63];
        out += "==";
    } else if (bytes.size() - i == 2) {
        const uint32_t n = (at(i) << 16) | (at(i + 1) << 8);
        out += kAlphabet[(n >> 18) & 63];
        out += kAlphabet[(n >> 12) & 63];
        out += kAlphabet[(n >> 6) & 63];
        out += '=';
    }
    return out;
}

struct PublicKey::Impl {
    PkeyPtr key;
};

PublicKey::PublicKey(std::unique_ptr<Impl> impl, Kind kind) : impl_(std::move(impl)), kind_(kind) {}
PublicKey::PublicKey(PublicKey&&) noexcept = default;
PublicKey& PublicKey::operator=(PublicKey&&) noexcept = default;
PublicKey::~PublicKey() = default;

PublicKey PublicKey::load_pem_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::ostringstream text;
    text << in.rdbuf();
    return from_pem(text.str(), path);
}

PublicKey PublicKey::from_pem(std::string_view pem, const std::string& what) {
    PkeyPtr key = decode_public_key(pem);
    if (!key) throw std::runtime_error(what + " holds no PEM public key or certificate");
    Kind kind;
    if (EVP_PKEY_get_base_id(key.get()) == EVP_PKEY_RSA) {
        // RFC 7518 §3.3: RS256 keys are 2048 bits or more (the Rust jsonwebtoken/ring rule too).
        if (EVP_PKEY_get_bits(key.get()) < 2048) throw std::runtime_error(what + ": RSA keys need 2048 bits or more");
        kind = Kind::rsa;
    } else if (EVP_PKEY_get_base_id(key.get()) == EVP_PKEY_EC) {
        char group[64] = {};
        size_t len = 0;
        if (EVP_PKEY_get_group_name(key.get(), group, sizeof group, &len) != 1 || std::string(group, len) != "prime256v1") {
            throw std::runtime_error(what + ": EC keys must use the P-256 curve (ES256)");
        }
        kind = Kind::ec_p256;
    } else {
        throw std::runtime_error(what + ": only RSA (RS256) and EC P-256 (ES256) public keys are supported");
    }
    auto impl = std::make_unique<Impl>();
    impl->key = std::move(key);
    return PublicKey(std::move(impl), kind);
}

bool PublicKey::verify_sha256(std::string_view data, std::string_view signature) const {
    std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
    if (!ctx) return false;
    bool ok = EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, impl_->key.get()) == 1 &&
              EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                               reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
    ERR_clear_error();  // a bad signature leaves errors on this thread's queue
    return ok;
}

std::optional<std::string> ecdsa_p256_raw_to_der(std::string_view raw) {
    if (raw.size() != 64) return std::nullopt;
    std::unique_ptr<ECDSA_SIG, EcdsaSigFree> sig(ECDSA_SIG_new());
    if (!sig) return std::nullopt;
    BIGNUM* r = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()), 32, nullptr);
    BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()) + 32, 32, nullptr);
    if (!r || !s || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
        BN_free(r);
        BN_free(s);
        return std::nullopt;
    }
    unsigned char* der = nullptr;
    const int len = i2d_ECDSA_SIG(sig.get(), &der);
    if (len <= 0) return std::nullopt;
    std::string out(reinterpret_cast<const char*>(der), static_cast<size_t>(len));
    OPENSSL_free(der);
    return out;
}

}  // namespace dcx::webhook::crypto
