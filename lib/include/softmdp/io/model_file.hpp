#pragma once
// The file formats of a discrete-action model by name ("softmdp", "cassandra", "prism", "umb",
// "petsc", "npz"): told from a path, and written by one call. `convert`, `generate` and Python's
// softmdp.load / Model.save all go through these, so the formats and their extensions are listed once.
#include <cstdio>
#include <filesystem>
#include <string_view>

#include "softmdp/core/model.hpp"

namespace softmdp {

// Whether `name` is one of the format names above.
bool is_model_file_format(std::string_view name) noexcept;

// The format of `path`: with look_inside, an existing regular file whose first bytes name a binary
// format (UMB, PETSc, npz: detect_model_format) is that format; else the extension says (.json
// softmdp, .mdp/.pomdp cassandra, .tra prism, .umb, .petsc/.bin petsc, .npz; any case). Empty when
// neither tells.
std::string_view model_file_format(const std::filesystem::path& path, bool look_inside);

// Writes m to `out` in a one-file format (softmdp, cassandra, umb, petsc, npz) and flushes what it
// buffered; the caller owns and checks the FILE. PRISM is several files: write_prism (prism.hpp).
// Throws UsageError for another name.
void write_model(std::FILE* out, const Model& m, std::string_view format);

}  // namespace softmdp
