#pragma once
// Reads softmdp/1 files by streaming over a memory-mapped file: a hand-written scanner reads the
// common case fast; anything it does not handle with certainty (an error above all) is read again
// by nlohmann/json's SAX parser, the reference, whose messages name the file, line, entry and
// field. Transitions go straight into the ModelBuilder, with no JSON DOM of the file in memory.
#include <filesystem>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "softmdp/model.hpp"
#include "softmdp/model_builder.hpp"

namespace softmdp {

// Which parser reads a softmdp/1 text. Both fill the builder with the same calls, so they build the
// same model and (through the fallback) report the same errors.
enum class ParsePath {
    automatic,  // the fast scanner, falling back to the reference for anything it does not handle
    fast,       // the fast scanner only; where it would fall back, throws InputError (for tests)
    reference,  // nlohmann/json's SAX parser only
};

// A read-only view of a whole file (memory-mapped when possible). Throws IoError.
class MappedFile {
public:
    explicit MappedFile(const std::filesystem::path& file);
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

// The formats of a discrete-action MDP file, told apart by their first bytes (magic numbers), not
// by the file's name: UMB (a tar, or gzip/xz), PETSc binary (class id 1211216, big-endian), .npz (a
// zip), softmdp/1 JSON (anything else).
enum class ModelFormat { softmdp, umb, petsc, npz };
ModelFormat detect_model_format(std::string_view bytes) noexcept;

// Loads a discrete-action MDP file of any ModelFormat. Throws InputError (bad content, with file, line or entry and
// field) or IoError (cannot read).
Model load_model(const std::filesystem::path& file, const BuildOptions& options = {});

// The same from a file already open (read once: it may be a pipe); releases its pages as it reads.
Model parse_model(const MappedFile& file, const BuildOptions& options, const std::string& source,
                  ParsePath parser = ParsePath::automatic);

// A whole model file of any ModelFormat in memory (e.g. read from a pipe).
Model parse_any_model(std::string_view bytes, const BuildOptions& options, const std::string& source);
// The same from a file already open, whose pages are given back as the reader is done with them.
Model parse_any_model(const MappedFile& file, const BuildOptions& options, const std::string& source);

// The same from text in memory; `source` names it in error messages.
Model parse_model(std::string_view text, const BuildOptions& options = {}, const std::string& source = "<text>",
                  ParsePath parser = ParsePath::automatic);

// Parses small JSON files (policies, results, Q tables) into a DOM, with the line of any syntax
// error. Throws InputError or IoError.
nlohmann::json read_json_file(const std::filesystem::path& file);
nlohmann::json parse_json_text(std::string_view text, const std::string& source);

// The "format" of a JSON object, or "" when there is none or it is not a string.
std::string format_of(const nlohmann::json& j);

// The 1-based line of a byte offset in text.
std::size_t line_of(std::string_view text, std::size_t offset);

}  // namespace softmdp
