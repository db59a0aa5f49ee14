// SPDX-License-Identifier: Apache-2.0
#include "offsets/offset_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>
#include <openssl/evp.h>

namespace dcx::offsets {
namespace {

namespace fs = std::filesystem;

std::string sha256_hex(const std::string& data) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < len; ++i) {
        out += kHex[digest[i] >> 4];
        out += kHex[digest[i] & 0xF];
    }
    return out;
}

nlohmann::json body_of(const std::string& connector, const std::vector<plugin::SourceOffset>& offsets) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& o : offsets) {
        nlohmann::json e{{"partition", o.partition}, {"value", o.value}};
        if (o.metadata) e["metadata"] = *o.metadata;
        list.push_back(std::move(e));
    }
    return {{"format", 1}, {"connector", connector}, {"offsets", list}};
}

void write_all(int fd, const std::string& text, const std::string& path) {
    size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno));
        done += static_cast<size_t>(n);
    }
}

}  // namespace

OffsetStore::OffsetStore(const fs::path& data_dir, const std::string& connector_name)
    : path_(data_dir / "offsets" / (connector_name + ".json")), connector_(connector_name) {
    std::error_code ec;
    fs::create_directories(path_.parent_path(), ec);
    if (ec) throw std::runtime_error("data_dir: cannot create " + path_.parent_path().string() + ": " + ec.message());
}

std::vector<plugin::SourceOffset> OffsetStore::load() const {
    if (!fs::exists(path_)) return {};
    const std::string advice = "; refusing to start. Restore the file, or move it aside to start from the "
                               "source's beginning (records may be delivered again)";
    std::ifstream in(path_, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    const auto doc = nlohmann::json::parse(text.str(), nullptr, false);
    if (doc.is_discarded() || !doc.is_object() || !doc.contains("body") || !doc.contains("sha256")) {
        throw CorruptOffsetStore("offset store " + path_.string() + " is corrupt (not a complete offsets file)" + advice);
    }
    const std::string body = doc["body"].dump();
    if (!doc["sha256"].is_string() || doc["sha256"].get<std::string>() != sha256_hex(body)) {
        throw CorruptOffsetStore("offset store " + path_.string() + " is corrupt (checksum mismatch)" + advice);
    }
    const auto& b = doc["body"];
    if (b.value("format", 0) != 1 || !b.contains("offsets") || !b["offsets"].is_array()) {
        throw CorruptOffsetStore("offset store " + path_.string() + " has an unknown format" + advice);
    }
    if (b.value("connector", "") != connector_) {
        throw CorruptOffsetStore("offset store " + path_.string() + " belongs to connector '" +
                                 b.value("connector", "") + "', not '" + connector_ + "'" + advice);
    }
    std::vector<plugin::SourceOffset> out;
    for (size_t i = 0; i < b["offsets"].size(); ++i) {
        // A sealed file can still hold entries of the wrong shape (written by hand and re-sealed,
        // or by a future version): say which, rather than failing on a JSON type error.
        const auto& e = b["offsets"][i];
        const bool ok = e.is_object() && e.contains("partition") && e["partition"].is_string() && e.contains("value") &&
                        e["value"].is_number_unsigned() && (!e.contains("metadata") || e["metadata"].is_string());
        if (!ok) {
            throw CorruptOffsetStore("offset store " + path_.string() + " is corrupt (offsets[" + std::to_string(i) +
                                     "] is not {\"partition\": text, \"value\": unsigned integer})" + advice);
        }
        plugin::SourceOffset o{e["partition"].get<std::string>(), e["value"].get<uint64_t>(), std::nullopt};
        if (e.contains("metadata")) o.metadata = e["metadata"].get<std::string>();
        out.push_back(std::move(o));
    }
    return out;
}

void OffsetStore::save(const std::vector<plugin::SourceOffset>& offsets) {
    if (!loaded_) {
        current_ = load();
        loaded_ = true;
    }
    std::map<std::string, plugin::SourceOffset> merged;
    for (const auto& o : current_) merged[o.partition] = o;
    for (const auto& o : offsets) merged[o.partition] = o;
    current_.clear();
    for (auto& [_, o] : merged) current_.push_back(std::move(o));

    const nlohmann::json body = body_of(connector_, current_);
    const std::string text = nlohmann::json{{"body", body}, {"sha256", sha256_hex(body.dump())}}.dump(2) + "\n";
    const std::string tmp = path_.string() + ".tmp";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0) throw std::runtime_error("cannot write " + tmp + ": " + std::strerror(errno));
    try {
        write_all(fd, text, tmp);
    } catch (...) {
        ::close(fd);
        throw;
    }
    ::fsync(fd);
    ::close(fd);
    fs::rename(tmp, path_);
    // The rename itself must reach the disk, or a crash can bring the old file back.
    const int dir = ::open(path_.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
        ::fsync(dir);
        ::close(dir);
    }
}

}  // namespace dcx::offsets
