// SPDX-License-Identifier: Apache-2.0
#include "plugin/plugin_loader.hpp"

#include <sys/stat.h>

#include <cstddef>
#include <cstring>
#include <fstream>
#include <vector>

#include "common/utf8.hpp"
#include "plugin/plugin_error.hpp"

namespace dcx::plugin {
namespace {

namespace fs = std::filesystem;

// Size of the 1.0 descriptor: everything up to and including create().
constexpr uint32_t kDescriptorV1Size = offsetof(dcx_plugin_descriptor_t, create) + sizeof(void*);

// A static identifier from the plugin: must exist, be short and be UTF-8.
std::string descriptor_string(const char* text, const char* field, const fs::path& path) {
    if (!text) {
        throw PluginLoadError(LoadFailure::malformed, "plugin " + path.string() + ": descriptor field '" + field + "' is NULL");
    }
    std::string value(text, strnlen(text, 1025));
    if (value.size() > 1024 || !is_valid_utf8(value)) {
        throw PluginLoadError(LoadFailure::malformed,
                              "plugin " + path.string() + ": descriptor field '" + field + "' is not short UTF-8 text");
    }
    return value;
}

void check_permissions(const fs::path& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
        throw PluginLoadError(LoadFailure::not_found, "plugin " + path.string() + " is not a regular file");
    }
    if (st.st_mode & S_IWOTH) {
        throw PluginLoadError(LoadFailure::unsafe_permissions,
                              "refusing plugin " + path.string() + ": the file is writable by every user (chmod o-w)");
    }
    const fs::path dir = fs::absolute(path).parent_path();
    struct stat dst {};
    // World-writable directories without the sticky bit let anyone swap the file.
    if (::stat(dir.c_str(), &dst) == 0 && (dst.st_mode & S_IWOTH) && !(dst.st_mode & S_ISVTX)) {
        throw PluginLoadError(LoadFailure::unsafe_permissions,
                              "refusing plugin " + path.string() + ": its directory " + dir.string() +
                                  " is writable by every user");
    }
}

void check_elf_header(const fs::path& path) {
    char magic[4] = {};
    std::ifstream in(path, std::ios::binary);
    in.read(magic, sizeof magic);
    if (in.gcount() != 4 || magic[0] != 0x7f || magic[1] != 'E' || magic[2] != 'L' || magic[3] != 'F') {
        throw PluginLoadError(LoadFailure::not_loadable,
                              "plugin " + path.string() + " is not a shared object (no ELF header)");
    }
}

}  // namespace

fs::path resolve_plugin_path(std::string_view spec, const fs::path& plugins_dir) {
    if (spec.empty()) throw PluginLoadError(LoadFailure::not_found, "no plugin configured (key 'plugin')");
    if (spec.find('/') != std::string_view::npos) {
        fs::path p(spec);
        if (!fs::exists(p)) throw PluginLoadError(LoadFailure::not_found, "plugin file " + p.string() + " does not exist");
        return p;
    }
    const std::string name(spec);
    const std::vector<fs::path> candidates{plugins_dir / name, plugins_dir / (name + ".so"),
                                           plugins_dir / ("lib" + name + ".so")};
    for (const auto& c : candidates) {
        if (fs::is_regular_file(c)) return c;
    }
    std::string looked;
    for (const auto& c : candidates) looked += (looked.empty() ? "" : ", ") + c.string();
    throw PluginLoadError(LoadFailure::not_found, "plugin '" + name + "' not found; looked for " + looked);
}

LoadedPlugin load_plugin(const fs::path& path) {
    check_permissions(path);
    check_elf_header(path);
    auto library = std::make_shared<SharedLibrary>(SharedLibrary::open(path));

    auto* entry = reinterpret_cast<dcx_plugin_entry_fn>(library->symbol(DCX_PLUGIN_ENTRY_SYMBOL));
    if (!entry) {
        throw PluginLoadError(LoadFailure::entry_missing,
                              "plugin " + path.string() + " does not export " DCX_PLUGIN_ENTRY_SYMBOL
                              "(): not a danube-connectd plugin, or built without DCX_EXPORT");
    }
    const char* refusal = nullptr;
    const dcx_plugin_descriptor_t* d = entry(DCX_ABI_VERSION_MAJOR, DCX_ABI_VERSION_MINOR, &refusal);
    if (!d) {
        std::string why = refusal ? std::string(refusal, strnlen(refusal, 512)) : "no reason given";
        if (!is_valid_utf8(why)) why = "(reason is not UTF-8)";
        throw PluginLoadError(LoadFailure::refused, "plugin " + path.string() + " refused to load: " + why);
    }
    // The version fields come right after struct_size in every version of the descriptor.
    if (d->struct_size < offsetof(dcx_plugin_descriptor_t, abi_minor) + sizeof(uint32_t)) {
        throw PluginLoadError(LoadFailure::malformed, "plugin " + path.string() + ": descriptor struct_size " +
                                                          std::to_string(d->struct_size) + " is too small to hold a version");
    }
    const std::string versions = "plugin ABI " + std::to_string(d->abi_major) + "." + std::to_string(d->abi_minor) +
                                 ", host implements " + std::to_string(DCX_ABI_VERSION_MAJOR) + "." +
                                 std::to_string(DCX_ABI_VERSION_MINOR);
    if (d->abi_major != DCX_ABI_VERSION_MAJOR) {
        throw PluginLoadError(LoadFailure::abi_mismatch,
                              "plugin " + path.string() + " was built for another ABI major (" + versions +
                                  "); rebuild it against this host's plugin-api headers");
    }
    if (d->abi_minor > DCX_ABI_VERSION_MINOR) {
        throw PluginLoadError(LoadFailure::abi_mismatch,
                              "plugin " + path.string() + " needs a newer host (" + versions + "); upgrade danube-connectd");
    }
    if (d->struct_size < kDescriptorV1Size) {
        throw PluginLoadError(LoadFailure::malformed, "plugin " + path.string() + ": descriptor struct_size " +
                                                          std::to_string(d->struct_size) + " is smaller than the " +
                                                          "1.0 layout (" + std::to_string(kDescriptorV1Size) + " bytes)");
    }
    if (!d->create) {
        throw PluginLoadError(LoadFailure::malformed, "plugin " + path.string() + ": descriptor slot 'create' is NULL");
    }
    LoadedPlugin out;
    out.id = descriptor_string(d->id, "id", path);
    out.name = descriptor_string(d->name, "name", path);
    out.version = descriptor_string(d->version, "version", path);
    out.description = descriptor_string(d->description, "description", path);
    out.library = std::move(library);
    out.descriptor = d;
    out.path = path;
    out.abi_major = d->abi_major;
    out.abi_minor = d->abi_minor;
    return out;
}

}  // namespace dcx::plugin
