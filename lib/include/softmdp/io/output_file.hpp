#pragma once
// Output that never leaves a half-written file: data goes to a temporary file in the target's
// directory, which is flushed, synced and renamed over the target only by commit(). "-" is stdout.
// A symbolic link is followed and the file it points to is replaced (the link stays, and the file
// keeps its permissions); a read-only file is refused. Devices, FIFOs and descriptors
// (/dev/stdout, /proc/self/fd/N) are written directly, never replaced (docs/reliability.md).
#include <cstdio>
#include <filesystem>
#include <string>

#include "softmdp/core/errors.hpp"

namespace softmdp {

class OutputFile {
public:
    explicit OutputFile(const std::string& path);
    ~OutputFile();  // removes the temporary file unless committed
    OutputFile(const OutputFile&) = delete;
    OutputFile& operator=(const OutputFile&) = delete;

    std::FILE* stream() const noexcept { return file_; }
    bool is_stdout() const noexcept { return path_ == "-"; }
    // The temporary file that commit() renames into place (empty for stdout and devices): another
    // process may write the content there (e.g. gnuplot's picture) before commit().
    const std::string& temp_path() const noexcept { return temp_; }
    // Flushes, syncs, closes and renames into place. Throws IoError (the target is left untouched).
    void commit();

private:
    std::string path_;
    std::string temp_;
    std::string rename_to_;  // path_ with its symbolic links resolved
    std::FILE* file_ = nullptr;
    bool committed_ = false;
    bool direct_ = false;  // an existing device or pipe: written in place
};

// Flushes stdout and checks that everything written to it arrived: throws OutputClosed for a closed
// pipe, IoError for any other failure (/dev/full: "No space left on device").
void flush_stdout();

// Throws for a failed write of `what` with errno `err`: OutputClosed for EPIPE, else IoError.
[[noreturn]] void throw_write_error(const std::string& what, int err);

// Removes every uncommitted temporary file (for signal handlers; async-signal-safe).
void remove_pending_outputs() noexcept;

}  // namespace softmdp
