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

// A UMB model produced array by array, for generators that stream (no model in memory): each
// callback writes its array to the sink in order and is called once per member (so it may run the
// generator again from its seed). Sizes are given up front: the tar header precedes the data.
struct UmbStream {
    std::string name;
    double discount = 0.0;
    std::uint64_t states = 0, actions = 0, choices = 0, branches = 0;
    std::function<void(ByteSink&)> state_to_choices;       // states + 1 uint64
    std::function<void(ByteSink&)> choice_to_branches;     // choices + 1 uint64
    std::function<void(ByteSink&)> choice_actions;         // choices uint32
    std::function<void(ByteSink&)> branch_to_target;       // branches uint64
    std::function<void(ByteSink&)> branch_to_probability;  // branches double
    std::function<void(ByteSink&)> choice_rewards;         // choices double
};
void write_umb(ByteSink& out, const UmbStream& model);

}  // namespace softmdp
