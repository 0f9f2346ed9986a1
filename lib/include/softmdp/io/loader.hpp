#pragma once
// Reads softmdp/1 files by streaming over a memory-mapped file: a hand-written scanner reads the
// common case fast; anything it does not handle with certainty (an error above all) is read again
// by nlohmann/json's SAX parser, the reference, whose messages name the file, line, entry and
// field. Transitions go straight into the ModelBuilder, with no JSON DOM of the file in memory.
#include <filesystem>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "softmdp/core/errors.hpp"
#include "softmdp/core/model.hpp"
#include "softmdp/core/model_builder.hpp"
#include "softmdp/io/mapped_file.hpp"

namespace softmdp {

// Which parser reads a softmdp/1 text. Both fill the builder with the same calls, so they build the
// same model and (through the fallback) report the same errors.
enum class ParsePath {
    automatic,  // the fast scanner, falling back to the reference for anything it does not handle
    fast,       // the fast scanner only; where it would fall back, throws InputError (for tests)
    reference,  // nlohmann/json's SAX parser only
};

// The formats of a discrete-action MDP file, told apart by their first bytes (magic numbers), not
// by the file's name: UMB (a tar, or gzip/xz), PETSc binary (class id 1211216, big-endian), .npz (a
// zip), softmdp/1 JSON (anything else).
enum class ModelFormat { softmdp, umb, petsc, npz };
ModelFormat detect_model_format(std::string_view bytes) noexcept;
// How messages name a format: "softmdp/1", "UMB", "PETSc binary", "npz".
std::string_view model_format_name(ModelFormat format) noexcept;

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

// Rethrows `e`, an error about the JSON `text`, with the line where what it names starts (its entry
// transitions[k] or anchors[k], else its top-level key) when it has none; on the error path only.
[[noreturn]] void throw_located(std::string_view text, const InputError& e);

// Parses small JSON files (policies, results, Q tables) into a DOM, with the line of any syntax
// error. Throws InputError or IoError.
nlohmann::json read_json_file(const std::filesystem::path& file);
nlohmann::json parse_json_text(std::string_view text, const std::string& source);

// The "format" of a JSON object, or "" when there is none or it is not a string.
std::string format_of(const nlohmann::json& j);

// The 1-based line of a byte offset in text.
std::size_t line_of(std::string_view text, std::size_t offset);

}  // namespace softmdp
