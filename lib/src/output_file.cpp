#include "softmdp/output_file.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fmt/format.h>

#include "softmdp/errors.hpp"

namespace softmdp {

namespace {
// Fixed-size registry of temporary paths, readable from a signal handler.
constexpr std::size_t kSlots = 16;
std::array<std::array<char, 4096>, kSlots> g_pending{};
std::array<std::atomic<bool>, kSlots> g_used{};

int claim(const std::string& path) {
    if (path.size() >= 4096) return -1;
    for (std::size_t i = 0; i < kSlots; ++i) {
        bool expected = false;
        if (g_used[i].compare_exchange_strong(expected, true)) {
            std::memcpy(g_pending[i].data(), path.c_str(), path.size() + 1);
            return static_cast<int>(i);
        }
    }
    return -1;
}

void release(const std::string& path) {
    for (std::size_t i = 0; i < kSlots; ++i)
        if (g_used[i] && path == g_pending[i].data()) g_used[i] = false;
}
}  // namespace

void remove_pending_outputs() noexcept {
    for (std::size_t i = 0; i < kSlots; ++i)
        if (g_used[i]) ::unlink(g_pending[i].data());
}

OutputFile::OutputFile(const std::string& path) : path_(path) {
    if (path_ == "-") {
        file_ = stdout;
        return;
    }
    if (path_.empty()) throw IoError("output path is empty");
    if (std::filesystem::is_directory(path_)) throw IoError(fmt::format("{}: is a directory", path_));
    std::error_code ec;
    const auto status = std::filesystem::status(path_, ec);
    if (!ec && std::filesystem::exists(status) && !std::filesystem::is_regular_file(status)) {
        // A device or a pipe (/dev/stdout, /dev/full, a FIFO): nothing to replace atomically; write
        // straight to it and report write errors at commit().
        file_ = std::fopen(path_.c_str(), "w");
        if (!file_) throw IoError(fmt::format("{}: cannot open for writing: {}", path_, std::strerror(errno)));
        direct_ = true;
        return;
    }
    const std::filesystem::path target(path_);
    const std::filesystem::path dir = target.has_parent_path() ? target.parent_path() : std::filesystem::path(".");
    std::string templ = (dir / fmt::format(".{}.tmp.XXXXXX", target.filename().string())).string();
    const int fd = ::mkstemp(templ.data());
    if (fd < 0) throw IoError(fmt::format("{}: cannot create a file in {}: {}", path_, dir.string(), std::strerror(errno)));
    temp_ = templ;
    claim(temp_);
    // mkstemp creates the file 0600; give it the permissions a plain open() would (0666 & ~umask).
    const mode_t mask = ::umask(0);
    ::umask(mask);
    ::fchmod(fd, 0666 & ~mask);
    file_ = ::fdopen(fd, "w");
    if (!file_) {
        ::close(fd);
        ::unlink(temp_.c_str());
        release(temp_);
        throw IoError(fmt::format("{}: cannot open: {}", path_, std::strerror(errno)));
    }
    std::setvbuf(file_, nullptr, _IOFBF, 1 << 20);
}

OutputFile::~OutputFile() {
    if (direct_ && !committed_ && file_) std::fclose(file_);
    if (is_stdout() || direct_ || committed_) return;
    if (file_) std::fclose(file_);
    ::unlink(temp_.c_str());
    release(temp_);
}

void OutputFile::commit() {
    if (direct_) {
        const bool ok = std::fflush(file_) == 0 && !std::ferror(file_);
        const int err = errno;
        const bool closed = std::fclose(file_) == 0;
        file_ = nullptr;
        committed_ = true;
        if (!ok || !closed) throw IoError(fmt::format("{}: write failed: {}", path_, std::strerror(err)));
        return;
    }
    if (is_stdout()) {
        if (std::fflush(stdout) != 0 || std::ferror(stdout))
            throw IoError(fmt::format("writing to standard output failed: {}", std::strerror(errno)));
        committed_ = true;
        return;
    }
    const auto fail = [&](const char* what) {
        const int err = errno;
        if (file_) std::fclose(file_);
        file_ = nullptr;
        ::unlink(temp_.c_str());
        release(temp_);
        committed_ = true;
        throw IoError(fmt::format("{}: {} failed: {} (nothing was written)", path_, what, std::strerror(err)));
    };
    if (std::fflush(file_) != 0 || std::ferror(file_)) fail("write");
    if (::fsync(::fileno(file_)) != 0) fail("sync");
    const int rc = std::fclose(file_);
    file_ = nullptr;
    if (rc != 0) fail("close");
    if (std::rename(temp_.c_str(), path_.c_str()) != 0) fail("rename");
    release(temp_);
    committed_ = true;
}

}  // namespace softmdp
