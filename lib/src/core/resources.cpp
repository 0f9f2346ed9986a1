#include "softmdp/core/resources.hpp"

#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <optional>
#include <string_view>
#include <filesystem>
#include <fmt/format.h>
#include <thread>

namespace softmdp {

std::uint64_t usable_memory() {
    const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGE_SIZE);
    std::uint64_t bytes = pages > 0 && page > 0 ? static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page) : UINT64_MAX;
    for (int what : {RLIMIT_AS, RLIMIT_DATA}) {
        struct rlimit lim {};
        if (::getrlimit(what, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY) bytes = std::min<std::uint64_t>(bytes, lim.rlim_cur);
    }
    return bytes;
}

namespace {

// The value in kB of `key` (e.g. "MemAvailable:") in a /proc file of "key value kB" lines, in bytes.
std::optional<std::uint64_t> proc_kb(const char* file, std::string_view key) {
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(key, 0) == 0) {
            std::uint64_t kb = 0;
            if (std::sscanf(line.c_str() + key.size(), "%" SCNu64, &kb) == 1) return kb * 1024;
        }
    return std::nullopt;
}

}  // namespace

std::uint64_t available_memory() {
    std::uint64_t bytes = proc_kb("/proc/meminfo", "MemAvailable:").value_or(UINT64_MAX);
    const std::pair<int, const char*> limits[] = {{RLIMIT_AS, "VmSize:"}, {RLIMIT_DATA, "VmData:"}};
    for (const auto& [what, used_key] : limits) {
        struct rlimit lim {};
        if (::getrlimit(what, &lim) != 0 || lim.rlim_cur == RLIM_INFINITY) continue;
        const std::uint64_t used = proc_kb("/proc/self/status", used_key).value_or(0);
        bytes = std::min<std::uint64_t>(bytes, lim.rlim_cur > used ? lim.rlim_cur - used : 0);
    }
    return bytes;
}

std::uint64_t free_disk(const std::string& path) {
    if (path.empty() || path == "-") return UINT64_MAX;
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) return UINT64_MAX;  // a device or pipe
    std::filesystem::path dir = std::filesystem::path(path).parent_path();
    if (dir.empty()) dir = ".";
    struct statvfs fs {};
    if (::statvfs(dir.c_str(), &fs) != 0) return UINT64_MAX;
    return static_cast<std::uint64_t>(fs.f_bavail) * static_cast<std::uint64_t>(fs.f_frsize);
}

// A quarter: growing the buffer by doubling holds the old and the new one at once (up to twice the
// limit), and the model read from it needs memory too.
std::uint64_t stream_limit() { return usable_memory() / 4; }

int thread_limit() { return 64 * static_cast<int>(std::max(1u, std::thread::hardware_concurrency())); }

std::string human_bytes(double bytes) {
    if (bytes >= 0x1p30) return fmt::format("{:.1f} GiB", bytes / 0x1p30);
    if (bytes >= 0x1p20) return fmt::format("{:.1f} MiB", bytes / 0x1p20);
    return fmt::format("{:.0f} bytes", bytes);
}

}  // namespace softmdp
