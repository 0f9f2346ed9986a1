#pragma once
// Reads softmdp/1 files by streaming (nlohmann/json's SAX interface over a memory-mapped file):
// transitions go straight into the ModelBuilder, with no JSON DOM of the file in memory.
#include <filesystem>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "softmdp/model.hpp"
#include "softmdp/model_builder.hpp"

namespace softmdp {

// Loads a discrete-action MDP file. Throws InputError (bad content, with file, line or entry and
// field) or IoError (cannot read).
Model load_model(const std::filesystem::path& file, const BuildOptions& options = {});

// The same from text in memory; `source` names it in error messages.
Model parse_model(std::string_view text, const BuildOptions& options = {}, const std::string& source = "<text>");

// A read-only view of a whole file (memory-mapped when possible). Throws IoError.
class MappedFile {
public:
    explicit MappedFile(const std::filesystem::path& file);
    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;
    std::string_view text() const noexcept { return {data_, size_}; }

private:
    const char* data_ = nullptr;
    std::size_t size_ = 0;
    bool mapped_ = false;
    std::string buffer_;  // for files that cannot be mapped (pipes)
};

// Parses small JSON files (policies, results, Q tables) into a DOM, with the line of any syntax
// error. Throws InputError or IoError.
nlohmann::json read_json_file(const std::filesystem::path& file);
nlohmann::json parse_json_text(std::string_view text, const std::string& source);

// The "format" of a JSON object, or "" when there is none or it is not a string.
std::string format_of(const nlohmann::json& j);

// The 1-based line of a byte offset in text.
std::size_t line_of(std::string_view text, std::size_t offset);

}  // namespace softmdp
