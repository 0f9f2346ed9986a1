#pragma once
// UMB, the "unified Markov binary" format Storm and PRISM share (github.com/pmc-tools/umb, spec.md):
// a tar (optionally gzip- or xz-compressed) of index.json and little-endian arrays. softmdp reads and
// writes its MDP subset: discrete time, 0 or 1 player, double branch probabilities, one reward
// annotation (on states, choices and/or branches, combined into r(s, a)), initial states, choice
// action names. What softmdp/1 has beyond that travels in places the spec leaves open: the discount in
// file-data.parameters, and the annotation group "softmdp" (initial probabilities, state names,
// per-successor rewards), which other tools ignore. See docs/formats.md.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "softmdp/io/binary_io.hpp"
#include "softmdp/io/model_stream.hpp"
#include "softmdp/core/model.hpp"
#include "softmdp/core/model_builder.hpp"

namespace softmdp {

// Whether the bytes start like a UMB file: a POSIX tar ("ustar" at offset 257) or a gzip/xz stream
// (which may also be a UMB: read_umb decompresses and checks).
bool is_tar(std::string_view bytes) noexcept;

// Reads a UMB model from the whole file's bytes (an uncompressed tar is read in place: the arrays are
// converted straight from the mapped file into the CSR arrays). options.discount is used when the
// file carries none; without either, UsageError asks for --discount. Throws InputError naming the
// file, member and index.
// `done`, when given, receives the parts of `bytes` the reader no longer needs, as it goes (the loader
// gives their pages back, so a load holds about the CSR arrays, not the file too).
Model read_umb(std::string_view bytes, const std::string& source, const BuildOptions& options, const DoneWith& done = {});

// Writes the model as an uncompressed UMB tar.
void write_umb(ByteSink& out, const Model& model);

// The same from a model stream (model_stream.hpp), in three passes (targets, probabilities,
// rewards); every state initial (the uniform p0).
void write_umb(ByteSink& out, const ModelStream& model);

}  // namespace softmdp
