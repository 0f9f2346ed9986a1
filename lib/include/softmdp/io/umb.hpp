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
#include <memory>
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

// A UMB file read by blocks of states: softmdp-mpi's ranks each read only the byte ranges of their
// own states (read_umb is the one block of all states, so both make the same checks with the same
// messages). The constructor reads what concerns the whole file: index.json; the offsets
// state-to-choices and choice-to-branches (8 bytes per state and per choice: every block needs them
// to find its ranges, a partition to balance the blocks), checked; the choice actions (4 bytes per
// choice: whether they are distinct within every state decides how all states' actions are
// numbered); the initial-state bits; the state names' uniqueness. `bytes` must outlive it (a
// compressed file is decompressed into it whole). `whole`: the whole model's size is checked against
// this machine's memory first (check_model_size); false: each block's, when it is read.
class UmbBlocks {
public:
    UmbBlocks(std::string_view bytes, const std::string& source, const BuildOptions& options, bool whole = true);
    UmbBlocks(const UmbBlocks&) = delete;
    UmbBlocks& operator=(const UmbBlocks&) = delete;
    ~UmbBlocks();

    std::uint64_t num_states() const noexcept;
    std::uint64_t first_choice(std::uint64_t s) const noexcept;  // s in [0, num_states()]
    std::uint64_t first_branch(std::uint64_t c) const noexcept;  // c in [0, first_choice(num_states())]

    // The states [first, last) as arrays for build_from_arrays: their rows (offsets relative to the
    // block's first choice and branch), successors as the file's (global) state indices, rewards,
    // actions, p0 (empty: uniform over all states), names. num_states = last - first. Throws
    // InputError naming the file, member and (global) index. `done` as for read_umb.
    ModelData block(std::uint64_t first, std::uint64_t last, const DoneWith& done = {}) const;

    // The members build_from_arrays names in its errors.
    static const ArrayNames& array_names();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Writes the model as an uncompressed UMB tar.
void write_umb(ByteSink& out, const Model& model);

// The same from a model stream (model_stream.hpp), in three passes (targets, probabilities,
// rewards); every state initial (the uniform p0).
void write_umb(ByteSink& out, const ModelStream& model);

}  // namespace softmdp
