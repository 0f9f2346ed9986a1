#pragma once
// A read-only view of a whole input file, memory-mapped when possible, read into memory when it is a
// stream; every reader (models, policies, Q tables, results, maps) reads through it.
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace softmdp {

// What a reader knows about the first byte of its format (after a UTF-8 BOM and blanks), so that a
// stream that cannot be such a file fails there instead of being read to its end.
struct StreamStart {
    std::string_view allowed;    // the bytes it may be; empty: any
    std::string_view what;       // for the message, e.g. "a JSON object ('{')"
    bool binary_models = false;  // a stream that opens with a binary model's magic bytes (UMB, PETSc, npz) is taken as it is
};
inline constexpr StreamStart kAnyText{};
inline constexpr StreamStart kJsonObject{"{", "a JSON object ('{')"};
// Any MDP file a command can load: softmdp/1 JSON, or a binary model told by its magic bytes.
inline constexpr StreamStart kModelFile{"{", "a JSON object ('{') or a binary model (UMB, PETSc binary, .npz)", true};

// A read-only view of a whole file (memory-mapped when possible). Throws IoError. A stream (pipe,
// device) is read into memory, and refused with InputError at its first NUL byte, at a first byte
// that `start` does not allow, or when it grows past stream_limit() (resources.hpp); with
// start.binary_models, a stream whose first 512 bytes (a tar header) show a binary model's magic
// bytes is exempt from the two text checks.
class MappedFile {
public:
    explicit MappedFile(const std::filesystem::path& file, StreamStart start = kAnyText);
    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;
    std::string_view text() const noexcept { return {data_, size_}; }
    // Gives back the memory of the whole pages in text()[from, to) (mapped files only: the pages stay
    // in the page cache and are read again if touched), so that one pass over a huge file does not
    // hold all of it in this process's RSS.
    void release(std::size_t from, std::size_t to) const noexcept;
    // Whether text() contains `needle`, searched window by window, releasing the windows behind.
    bool contains(std::string_view needle) const;

private:
    const char* data_ = nullptr;
    std::size_t size_ = 0;
    bool mapped_ = false;
    std::string buffer_;  // for files that cannot be mapped (pipes)
};

}  // namespace softmdp
