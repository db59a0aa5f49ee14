// SPDX-License-Identifier: Apache-2.0
// Finds a plugin file, checks it, dlopen()s it and negotiates the ABI version through its one
// exported entry point. Each way to fail is its own PluginLoadError kind.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "dcx/plugin_api.h"
#include "plugin/shared_library.hpp"

namespace dcx::plugin {

/// A loaded plugin. Never unloaded while the process runs (plugin-abi.md §8).
struct LoadedPlugin {
    std::shared_ptr<SharedLibrary> library;
    const dcx_plugin_descriptor_t* descriptor = nullptr;
    std::filesystem::path path;
    std::string id;
    std::string name;
    std::string version;
    std::string description;
    uint32_t abi_major = 0;
    uint32_t abi_minor = 0;
};

/// `spec` is an absolute or relative path (contains '/'), or a plugin name looked up in
/// `plugins_dir` as `<name>`, `<name>.so` and `lib<name>.so`. Throws PluginLoadError(not_found)
/// naming every place it looked.
std::filesystem::path resolve_plugin_path(std::string_view spec, const std::filesystem::path& plugins_dir);

/// Checks permissions and the ELF header, dlopen()s, calls dcx_plugin_entry and validates the
/// descriptor. Throws PluginLoadError.
LoadedPlugin load_plugin(const std::filesystem::path& path);

}  // namespace dcx::plugin
