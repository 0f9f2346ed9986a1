#pragma once
// Output that never leaves a half-written file: data goes to a temporary file in the target's
// directory, which is flushed, synced and renamed over the target only by commit(). "-" is stdout.
#include <cstdio>
#include <filesystem>
#include <string>

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
    std::FILE* file_ = nullptr;
    bool committed_ = false;
    bool direct_ = false;  // an existing device or pipe: written in place
};

// Removes every uncommitted temporary file (for signal handlers; async-signal-safe).
void remove_pending_outputs() noexcept;

}  // namespace softmdp
