#pragma once
// Aggregation of states: the coarse space of the two-level preconditioner of inexact policy
// iteration (krylov.hpp, docs/math.md). States are grouped into connected aggregates of about
// `size` states by breadth-first search over the model's transition graph (the union over actions,
// so one aggregation serves every policy): on a gridworld the aggregates are diamonds of radius
// about sqrt(size / 2), on a chain segments of `size` states. Slow-mixing error modes are smooth
// over the graph, nearly constant on such aggregates, which is what the coarse correction removes.
#include <cstdint>
#include <vector>

#include "softmdp/core/model.hpp"

namespace softmdp {

struct Aggregation {
    std::vector<std::uint32_t> of;       // aggregate of each state (0 .. count() - 1)
    std::vector<std::uint64_t> begin;    // members of aggregate i: members[begin[i] .. begin[i + 1])
    std::vector<StateId> members;
    std::size_t count() const noexcept { return begin.empty() ? 0 : begin.size() - 1; }
};

// Aggregates of about `size` states (size >= 1; 1 gives one aggregate per state). A search that
// ends below size / 4 states (its neighbours already taken) joins the aggregate of a neighbour.
Aggregation aggregate_states(const Model& m, std::size_t size);

// The aggregate size ipi and soft-ipi use by default: 0 (no coarse correction) unless the model is
// local (bandwidth^2 <= states: gridworlds, chains), where the coarse operator stays sparse under
// LU; there max(8, S / 6000) (docs/performance.md has the measurements).
std::uint32_t default_aggregate_size(const Model& m) noexcept;
// The same rule from a model's state count and bandwidth (max |s' - s|), for a model no one process
// holds (softmdp-mpi).
std::uint32_t default_aggregate_size(std::size_t num_states, std::size_t bandwidth) noexcept;

}  // namespace softmdp
