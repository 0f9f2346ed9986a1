#include "softmdp/io/binary_io.hpp"

#include <fmt/format.h>
#include <lzma.h>
#include <sys/mman.h>

#include <optional>
#include <zlib.h>

#include "softmdp/core/errors.hpp"

namespace softmdp {

void advise_huge_pages(void* data, std::size_t bytes) noexcept {
    constexpr std::uintptr_t kHuge = std::uintptr_t{2} << 20;
    const auto first = (reinterpret_cast<std::uintptr_t>(data) + kHuge - 1) & ~(kHuge - 1);
    const auto last = (reinterpret_cast<std::uintptr_t>(data) + bytes) & ~(kHuge - 1);
    if (last > first) ::madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
}

FileSink::~FileSink() {
    // Best effort: commit() of the OutputFile reports a failed flush; a destructor must not throw.
    if (used_ > 0) std::fwrite(buf_, 1, used_, f_);
}

void FileSink::flush() {
    if (used_ > 0 && std::fwrite(buf_, 1, used_, f_) != used_) throw IoError("write failed (disk full?)");
    written_ += used_;
    used_ = 0;
}

void FileSink::write(const void* data, std::size_t n) {
    const char* p = static_cast<const char*>(data);
    if (used_ + n > sizeof buf_) {
        flush();
        if (n >= sizeof buf_) {
            if (std::fwrite(p, 1, n, f_) != n) throw IoError("write failed (disk full?)");
            written_ += n;
            return;
        }
    }
    std::memcpy(buf_ + used_, p, n);
    used_ += n;
}

void CountSink::write(const void* data, std::size_t n) {
    size += n;
    if (!with_crc) return;
    // zlib's crc32 takes 32-bit lengths.
    const auto* p = static_cast<const Bytef*>(data);
    while (n > 0) {
        const uInt k = static_cast<uInt>(std::min<std::size_t>(n, 1U << 30));
        crc = static_cast<std::uint32_t>(::crc32(crc, p, k));
        p += k;
        n -= k;
    }
}

bool is_gzip(std::string_view b) noexcept { return b.size() >= 3 && b.substr(0, 3) == std::string_view("\x1f\x8b\x08", 3); }
bool is_xz(std::string_view b) noexcept { return b.size() >= 6 && b.substr(0, 6) == std::string_view("\xfd" "7zXZ\0", 6); }

namespace {

// zlib's inflate of all of `in` (window_bits: 16 + MAX_WBITS for gzip, -MAX_WBITS for raw DEFLATE);
// `size`, when known (a zip member), is the exact output size, else the output grows as needed.
std::string inflate_all(std::string_view in, int window_bits, std::optional<std::uint64_t> size, const std::string& source,
                        const std::string& what) {
    z_stream z{};
    if (inflateInit2(&z, window_bits) != Z_OK) throw std::runtime_error("zlib: inflateInit2 failed");
    std::string out(size ? *size : std::max<std::size_t>(in.size() * 4, 1 << 16), '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    std::size_t in_left = in.size(), done = 0;
    int rc = Z_OK;
    while (rc != Z_STREAM_END) {
        if (!size && done == out.size()) out.resize(out.size() * 2);
        // zlib counts in 32 bits: feed it at most 1 GiB at a time.
        const uInt in_chunk = static_cast<uInt>(std::min<std::size_t>(in_left, 1U << 30));
        const uInt out_chunk = static_cast<uInt>(std::min<std::size_t>(out.size() - done, 1U << 30));
        z.avail_in = in_chunk;
        z.next_out = reinterpret_cast<Bytef*>(out.data() + done);
        z.avail_out = out_chunk;
        rc = inflate(&z, Z_NO_FLUSH);
        in_left -= in_chunk - z.avail_in;
        done += out_chunk - z.avail_out;
        if (rc == Z_BUF_ERROR && (in_left == 0 || (size && done == out.size()))) rc = Z_DATA_ERROR;
        if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
            const std::string why = z.msg ? z.msg : "truncated, corrupt or larger than its stated size";
            inflateEnd(&z);
            binary_error(source, what, kNoIndex, fmt::format("cannot decompress: {}", why));
        }
    }
    inflateEnd(&z);
    if (size && done != *size) binary_error(source, what, kNoIndex, fmt::format("decompresses to {} bytes, not the stated {}", done, *size));
    out.resize(done);
    return out;
}

std::string unxz(std::string_view in, const std::string& source) {
    lzma_stream z = LZMA_STREAM_INIT;
    if (lzma_stream_decoder(&z, UINT64_MAX, 0) != LZMA_OK) throw std::runtime_error("liblzma: cannot start the decoder");
    std::string out;
    out.resize(std::max<std::size_t>(in.size() * 4, 1 << 16));
    z.next_in = reinterpret_cast<const std::uint8_t*>(in.data());
    z.avail_in = in.size();
    std::size_t done = 0;
    lzma_ret rc = LZMA_OK;
    while (rc != LZMA_STREAM_END) {
        if (done == out.size()) out.resize(out.size() * 2);
        z.next_out = reinterpret_cast<std::uint8_t*>(out.data() + done);
        z.avail_out = out.size() - done;
        rc = lzma_code(&z, LZMA_FINISH);
        done = out.size() - z.avail_out;
        if (rc != LZMA_OK && rc != LZMA_STREAM_END) {
            lzma_end(&z);
            binary_error(source, "xz stream", kNoIndex, fmt::format("cannot decompress (liblzma error {}): truncated or corrupt", static_cast<int>(rc)));
        }
    }
    lzma_end(&z);
    out.resize(done);
    return out;
}

}  // namespace

std::string decompress(std::string_view bytes, const std::string& source) {
    return is_xz(bytes) ? unxz(bytes, source) : inflate_all(bytes, 16 + MAX_WBITS, std::nullopt, source, "gzip stream");
}

std::string inflate_raw(std::string_view in, std::uint64_t size, const std::string& source, const std::string& what) {
    return inflate_all(in, -MAX_WBITS, size, source, what);
}

void binary_error(const std::string& source, const std::string& array, std::uint64_t index, const std::string& message) {
    throw InputError(message, Location{source, std::nullopt, {}, index == kNoIndex ? array : fmt::format("{}[{}]", array, index)});
}

}  // namespace softmdp
