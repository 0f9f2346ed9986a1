#include "softmdp/io/mapped_file.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fmt/format.h>

#include "softmdp/core/errors.hpp"
#include "softmdp/core/resources.hpp"
#include "softmdp/io/loader.hpp"

namespace softmdp {

MappedFile::MappedFile(const std::filesystem::path& file, StreamStart start) {
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw IoError(fmt::format("{}: cannot open: {}", file.string(), std::strerror(errno)));
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        ::close(fd);
        throw IoError(fmt::format("{}: cannot stat: {}", file.string(), std::strerror(errno)));
    }
    if (S_ISDIR(st.st_mode)) {
        ::close(fd);
        throw IoError(fmt::format("{}: is a directory, not a file", file.string()));
    }
    if (S_ISREG(st.st_mode) && st.st_size > 0) {
        void* p = ::mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
        if (p != MAP_FAILED) {
            ::madvise(p, static_cast<std::size_t>(st.st_size), MADV_SEQUENTIAL);
            data_ = static_cast<const char*>(p);
            size_ = static_cast<std::size_t>(st.st_size);
            mapped_ = true;
            ::close(fd);
            return;
        }
    }
    // Pipes, character devices and unmappable files: read them whole, but check each chunk as it
    // arrives, so that a stream that cannot be a text file of the reader's format (/dev/zero,
    // /dev/urandom, `yes |`) fails at its first wrong byte, and an endless one at stream_limit().
    // A binary model is recognised by the magic bytes in its first 512 bytes (a tar header is that
    // long); until they have come, or when they show no binary model, the text checks apply.
    constexpr std::size_t kMagicBytes = 512;
    const std::uint64_t limit = stream_limit();
    std::size_t first = std::string::npos;  // offset of the first byte after a BOM and blanks
    std::size_t checked = 0;                // bytes that passed the NUL check
    bool binary = false, decided = !start.binary_models;
    const auto refuse = [&](const std::string& msg, std::size_t offset) {
        ::close(fd);
        throw InputError(msg, Location{file.string(), line_of(buffer_, offset), {}, {}});
    };
    // The text checks on what has come so far: the first byte, and no NUL byte anywhere.
    const auto check_text = [&] {
        // Decided once the first byte past a UTF-8 BOM (which the parsers accept) and blanks has come.
        const bool bom_pending = buffer_.size() < 3 && buffer_[0] == '\xEF';
        if (first == std::string::npos && !start.allowed.empty() && !bom_pending) {
            std::size_t i = buffer_.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
            i = buffer_.find_first_not_of(" \t\r\n", i);
            if (i != std::string::npos) {
                first = i;
                const char c = buffer_[i];
                if (start.allowed.find(c) == std::string_view::npos)
                    refuse(fmt::format("expected {}, but the input starts with {}", start.what,
                                       c >= 0x20 && c < 0x7f ? fmt::format("'{}'", c) : fmt::format("byte 0x{:02x}", static_cast<unsigned char>(c))),
                           i);
            }
        }
        // No text format softmdp reads has a NUL byte (JSON allows none, nor do Cassandra or PRISM).
        if (const void* nul = std::memchr(buffer_.data() + checked, '\0', buffer_.size() - checked)) {
            const std::size_t at = static_cast<std::size_t>(static_cast<const char*>(nul) - buffer_.data());
            refuse(fmt::format("byte {} is NUL (0x00): not a text file", at), at);
        }
        checked = buffer_.size();
    };
    char chunk[1 << 16];
    for (;;) {
        const ssize_t n = ::read(fd, chunk, sizeof chunk);
        if (n < 0) {
            if (errno == EINTR) continue;
            ::close(fd);
            throw IoError(fmt::format("{}: read failed: {}", file.string(), std::strerror(errno)));
        }
        if (n == 0) break;
        const std::size_t at = buffer_.size();
        // Grow by doubling, but never reserve past the limit (a doubling near it could ask for more
        // memory than there is, and fail as "out of memory" instead of with the limit's message).
        if (at + static_cast<std::size_t>(n) > buffer_.capacity())
            buffer_.reserve(std::min<std::uint64_t>(std::max<std::size_t>(2 * buffer_.capacity(), sizeof chunk), limit + sizeof chunk));
        buffer_.append(chunk, static_cast<std::size_t>(n));
        if (!decided && buffer_.size() >= kMagicBytes) {
            binary = detect_model_format(buffer_) != ModelFormat::softmdp;
            decided = true;
        }
        if (decided && !binary) check_text();
        if (buffer_.size() > limit)
            refuse(fmt::format("the stream is longer than {} ({} bytes: a quarter of the memory available to this process, "
                               "see ulimit -v), the most a pipe or device is read into memory; give a regular file, "
                               "which is mapped, not copied",
                               human_bytes(static_cast<double>(limit)), limit),
                   buffer_.size());
    }
    // A stream shorter than the magic window: binary if its bytes say so, else text, checked now.
    if (!decided && !buffer_.empty() && detect_model_format(buffer_) == ModelFormat::softmdp) check_text();
    ::close(fd);
    data_ = buffer_.data();
    size_ = buffer_.size();
}

MappedFile::~MappedFile() {
    if (mapped_) ::munmap(const_cast<char*>(data_), size_);
}

void MappedFile::release(std::size_t from, std::size_t to) const noexcept {
    if (!mapped_) return;  // a buffer of ours: its memory is not backed by the file
    static const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    from = (from + page - 1) / page * page;  // whole pages only: data_ is page-aligned
    to = std::min(to, size_) / page * page;
    if (to <= from) return;
    // A private read-only mapping: dropped pages read the file again if touched.
    ::madvise(const_cast<char*>(data_) + from, to - from, MADV_DONTNEED);
}

bool MappedFile::contains(std::string_view needle) const {
    constexpr std::size_t kWindow = std::size_t{16} << 20;
    const std::string_view all = text();
    for (std::size_t at = 0; at < all.size(); at += kWindow) {
        // Windows overlap by needle.size() - 1 bytes, so a match across a boundary is seen.
        const std::string_view window = all.substr(at, kWindow + needle.size() - 1);
        if (::memmem(window.data(), window.size(), needle.data(), needle.size()) != nullptr) return true;  // glibc's is fast
        release(at, at + kWindow);
    }
    return false;
}

}  // namespace softmdp
