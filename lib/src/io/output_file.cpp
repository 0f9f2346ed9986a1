#include "softmdp/io/output_file.hpp"

#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fmt/format.h>

#include "softmdp/core/errors.hpp"

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

void throw_write_error(const std::string& what, int err) {
    if (err == EPIPE) throw OutputClosed(fmt::format("{}: the reader closed the pipe", what));
    throw IoError(fmt::format("{}: write failed: {}", what, std::strerror(err)));
}

void flush_stdout() {
    errno = 0;
    if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
        int err = errno;
        if (err == 0) {  // an earlier write failed and its errno is gone: a pipe without reader says POLLERR
            pollfd p{::fileno(stdout), 0, 0};
            err = ::poll(&p, 1, 0) == 1 && (p.revents & POLLERR) ? EPIPE : EIO;
        }
        std::clearerr(stdout);
        throw_write_error("standard output", err);
    }
}

void remove_pending_outputs() noexcept {
    for (std::size_t i = 0; i < kSlots; ++i)
        if (g_used[i]) ::unlink(g_pending[i].data());
}

namespace {
// /proc/self/fd/N, /dev/stdout and the like name an open descriptor, not a place in a directory:
// their "target" (e.g. "pipe:[123]", or a file the shell already truncated) is written through.
bool names_descriptor(const std::string& p) {
    return p.rfind("/proc/", 0) == 0 || p.rfind("/dev/std", 0) == 0 || p.rfind("/dev/fd/", 0) == 0;
}

// Follows symbolic links (at most 40, as the kernel does) to the path a rename must replace, so a
// link keeps pointing at the new content instead of being replaced by a regular file. A dangling
// link resolves to the file it names, which is then created (as `> link` in a shell does).
// `descriptor` is set when a step of the way names an open descriptor.
std::string resolve_links(const std::string& path, bool& descriptor) {
    namespace fs = std::filesystem;
    fs::path p(path);
    descriptor = names_descriptor(path);
    for (int hops = 0; hops < 40; ++hops) {
        std::error_code ec;
        if (!fs::is_symlink(fs::symlink_status(p, ec)) || ec) return p.string();
        descriptor = descriptor || names_descriptor(p.string());
        const fs::path to = fs::read_symlink(p, ec);
        if (ec) throw IoError(fmt::format("{}: cannot read the symbolic link {}: {}", path, p.string(), ec.message()));
        p = to.is_absolute() ? to : p.parent_path() / to;
    }
    throw IoError(fmt::format("{}: too many levels of symbolic links", path));
}
}  // namespace

OutputFile::OutputFile(const std::string& path) : path_(path) {
    if (path_ == "-") {
        file_ = stdout;
        return;
    }
    if (path_.empty()) throw IoError("output path is empty");
    struct stat st {};
    const bool exists = ::stat(path_.c_str(), &st) == 0;  // follows links
    if (exists && S_ISDIR(st.st_mode)) throw IoError(fmt::format("{}: is a directory", path_));
    bool descriptor = false;
    const std::string target = resolve_links(path_, descriptor);
    if (exists && (!S_ISREG(st.st_mode) || descriptor)) {
        // A device, a pipe or an open descriptor (/dev/stdout, /dev/full, a FIFO, /proc/self/fd/1):
        // nothing to replace atomically, and replacing it would be wrong; write straight to it and
        // report write errors at commit().
        file_ = std::fopen(path_.c_str(), "w");
        if (!file_) throw IoError(fmt::format("{}: cannot open for writing: {}", path_, std::strerror(errno)));
        direct_ = true;
        return;
    }
    // A regular file the user may not write is not replaced behind their back (rename only needs the
    // directory to be writable). As root, access() grants it, as `>` would.
    if (exists && ::access(target.c_str(), W_OK) != 0)
        throw IoError(fmt::format("{}: cannot write: {} (not replaced)", path_, std::strerror(errno)));
    rename_to_ = target;
    const std::filesystem::path to(target);
    const std::filesystem::path dir = to.has_parent_path() ? to.parent_path() : std::filesystem::path(".");
    std::string templ = (dir / fmt::format(".{}.tmp.XXXXXX", to.filename().string())).string();
    const int fd = ::mkstemp(templ.data());
    if (fd < 0) throw IoError(fmt::format("{}: cannot create a file in {}: {}", path_, dir.string(), std::strerror(errno)));
    temp_ = templ;
    claim(temp_);
    if (exists) {
        // Replacing a file keeps its permissions (and, when allowed, its owner), as writing into it would.
        ::fchmod(fd, st.st_mode & 07777);
        [[maybe_unused]] const int owned = ::fchown(fd, st.st_uid, st.st_gid);  // only root may give a file away
    } else {
        // mkstemp creates the file 0600; give it the permissions a plain open() would (0666 & ~umask).
        const mode_t mask = ::umask(0);
        ::umask(mask);
        ::fchmod(fd, 0666 & ~mask);
    }
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
        if (!ok || !closed) throw_write_error(path_, err);
        return;
    }
    if (is_stdout()) {
        committed_ = true;
        flush_stdout();
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
    if (std::rename(temp_.c_str(), rename_to_.c_str()) != 0) fail("rename");
    release(temp_);
    committed_ = true;
}

}  // namespace softmdp
