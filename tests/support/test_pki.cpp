// SPDX-License-Identifier: Apache-2.0
#include "test_pki.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <chrono>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "child_process.hpp"

namespace dcx::testing {
namespace {

constexpr const char* kOpensslConfig = R"([req]
distinguished_name = dn
prompt = no
[dn]
CN = dcx-test
[v3_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1,DNS:localhost
[client]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = clientAuth
)";

}  // namespace

Pki::Pki() {
        write_file(dir / "openssl.cnf", kOpensslConfig);
        write_file(dir / "jwt.secret", std::string(kJwtSecret) + "\n");  // a trailing newline is ignored
        const std::string cnf = (dir / "openssl.cnf").string();
        const std::vector<std::string> ec{"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"};
        auto with = [&](std::vector<std::string> head, const std::vector<std::string>& tail) {
            head.insert(head.end(), tail.begin(), tail.end());
            return head;
        };
        openssl(with({"req", "-x509", "-config", cnf, "-extensions", "v3_ca", "-days", "2", "-subj", "/CN=dcx-test-ca",
                      "-keyout", path("ca.key"), "-out", path("ca.crt")},
                     ec));
        for (const std::string who : {"server", "client"}) {
            openssl(with({"req", "-new", "-config", cnf, "-subj", "/CN=" + who, "-keyout", path(who + ".key"), "-out",
                          path(who + ".csr")},
                         ec));
            openssl({"x509", "-req", "-in", path(who + ".csr"), "-CA", path("ca.crt"), "-CAkey", path("ca.key"),
                     "-set_serial", who == "server" ? "2" : "3", "-days", "2", "-extfile", cnf, "-extensions", who,
                     "-out", path(who + ".crt")});
        }
        ca_pem = read_file(dir / "ca.crt");
        client_cert_pem = read_file(dir / "client.crt");
        client_key_pem = read_file(dir / "client.key");
}

void Pki::openssl(std::vector<std::string> args) const {
        args.insert(args.begin(), "/usr/bin/openssl");
        ChildProcess process(args, dir / "openssl");
        const auto code = process.wait_for_exit(std::chrono::seconds(30));
        if (code != 0) throw std::runtime_error("openssl failed: " + process.stderr_text());
}

const Pki& pki() {
    static const Pki instance;
    return instance;
}

std::string base64url(std::string_view data) {
    std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(data.data()), static_cast<int>(data.size()));
    out.resize(static_cast<size_t>(n));
    while (!out.empty() && out.back() == '=') out.pop_back();
    for (char& c : out) {
        if (c == '+') c = '-';
        if (c == '/') c = '_';
    }
    return out;
}

int64_t now_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string make_jwt(const std::string& secret, int64_t exp, const std::string& alg) {
    const nlohmann::json header{{"alg", alg}, {"typ", "JWT"}};
    const nlohmann::json claims{{"iss", "danube-contract-test"}, {"sub", "connectd"},         {"exp", exp},
                                {"principal_type", "service"},   {"principal_name", "connectd"}};
    const std::string signing_input = base64url(header.dump()) + "." + base64url(claims.dump());
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
         reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(), mac, &mac_len);
    return signing_input + "." + base64url(std::string_view(reinterpret_cast<const char*>(mac), mac_len));
}


}  // namespace dcx::testing
