// SPDX-License-Identifier: Apache-2.0
// Owner of one dlopen() handle. Opened RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE: symbols resolve
// up front, the plugin's libraries stay private, and the code stays mapped after dlclose so
// thread-local destructors and atexit handlers of the plugin remain valid (plugin-abi.md §8).
#pragma once

#include <filesystem>
#include <string>

namespace dcx::plugin {

class SharedLibrary {
public:
    /// Throws PluginLoadError(not_loadable) with dlerror()'s text.
    static SharedLibrary open(const std::filesystem::path& path);

    SharedLibrary(SharedLibrary&& other) noexcept;
    SharedLibrary& operator=(SharedLibrary&& other) noexcept;
    SharedLibrary(const SharedLibrary&) = delete;
    SharedLibrary& operator=(const SharedLibrary&) = delete;
    ~SharedLibrary();

    /// The symbol's address, or nullptr when the library does not export it.
    void* symbol(const char* name) const;
    const std::filesystem::path& path() const { return path_; }

private:
    SharedLibrary(void* handle, std::filesystem::path path) : handle_(handle), path_(std::move(path)) {}
    void* handle_ = nullptr;
    std::filesystem::path path_;
};

}  // namespace dcx::plugin
