#pragma once
// A model distributed over the ranks of an MPI communicator (docs/distributed.md).
//
// The states are cut into contiguous blocks, one per rank, balanced by transitions (plus one per row
// and state, so that blocks of terminal or single-successor states still spread): rank r owns the
// states [first[r], first[r+1]) and all their rows, so every backup (max or log-sum-exp over the
// actions of a state) is local. Its block is an ordinary softmdp::Model, `local`, with the owned
// states first and then one terminal state per *ghost*: a remote state that some owned row leads to.
// Successor indices point into [owned | ghosts], so the serial sweep kernels run on the block
// unchanged; before each sweep the ghosts' values are fetched from their owners (GhostExchange).
//
// Loading never goes through one rank's memory: a PETSc binary file is memory-mapped by every rank,
// which reads the row lengths (4 bytes per (s, a)) to cut the blocks and then only its own rows'
// column indices, probabilities, rewards and initial probabilities; an (uncompressed) UMB file
// likewise: every rank reads the offsets (8 bytes per state and per choice) and the choice actions (4
// bytes per choice), then only its own states' branches, rewards and initial probabilities, with the
// serial reader's code (io/umb.hpp: UmbBlocks); a softmdp/1 (JSON) model is small enough to be read
// whole by every rank and cut.
#include <mpi.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "softmdp/core/model.hpp"
#include "softmdp/core/model_builder.hpp"

namespace softmdp::distributed {

// first[r] .. first[r+1]: the states of rank r (size ranks + 1, first[0] = 0, last = num_states).
struct Partition {
    std::vector<std::size_t> first;
    int ranks() const noexcept { return static_cast<int>(first.size()) - 1; }
    // The rank owning state s.
    int owner(std::size_t s) const noexcept;
};

// Blocks of consecutive states with about equal weight, weight(s) = 1 + rows(s) + transitions(s);
// `weight_end[s]` is the sum of the weights of the states [0, s] (size S). Deterministic, so every
// rank computes the same partition from the same file.
Partition balanced_partition(std::span<const std::uint64_t> weight_end, int ranks);

// A partition given by its boundaries (a test or a user's own cut): `cuts` are the ranks - 1 inner
// boundaries, non-decreasing in [0, S]. Throws UsageError (param "partition").
Partition explicit_partition(std::span<const std::size_t> cuts, std::size_t num_states, int ranks);

// Per sweep, the ghost values each rank receives from and sends to its neighbours, through
// MPI_Neighbor_alltoallv on a graph communicator created once from the model's structure.
class GhostExchange {
public:
    GhostExchange() = default;
    // ghosts: the sorted global ids of the block's ghosts; owned [first, last).
    GhostExchange(MPI_Comm comm, const Partition& p, std::span<const std::uint32_t> ghosts);
    GhostExchange(GhostExchange&&) noexcept;
    GhostExchange& operator=(GhostExchange&&) noexcept;
    ~GhostExchange();

    // Fills V[owned ..] (the ghosts, in the order of `ghosts`) with their owners' V[0 .. owned).
    void exchange(std::span<double> V, std::size_t owned);
    std::uint64_t bytes_sent() const noexcept { return 8 * send_index_.size(); }
    std::uint64_t bytes_received() const noexcept { return 8 * recv_total_; }
    int neighbours() const noexcept { return static_cast<int>(std::max(sources_.size(), destinations_.size())); }

private:
    MPI_Comm graph_ = MPI_COMM_NULL;
    std::vector<int> sources_, destinations_;
    std::vector<int> recv_counts_, recv_displs_, send_counts_, send_displs_;
    std::vector<std::uint32_t> send_index_;  // local indices of the owned values to send, by destination
    std::vector<double> send_buffer_;
    std::size_t recv_total_ = 0;
};

// One terminal state: the block of a rank before loading, and the padding of an empty block (a Model
// has at least one state; the sweeps only visit the owned ones).
inline ModelData empty_block() {
    ModelData d;
    d.num_states = 1;
    d.initial = {1.0};
    d.state_begin = {0, 0};
    d.row_begin = {0};
    return d;
}

struct DistributedModel {
    MPI_Comm comm = MPI_COMM_WORLD;
    int rank = 0, ranks = 1;
    std::string name;
    double discount = 0.0;
    std::size_t num_states = 0;   // of the whole model
    std::size_t num_actions = 0;
    std::uint64_t num_transitions = 0;  // of the whole model
    Partition partition;
    std::size_t first = 0, owned = 0;  // this rank's states: [first, first + owned)
    Model local{empty_block()};        // owned states, then the ghosts (terminal); at least one state
    std::vector<std::uint32_t> ghosts;  // global ids of the ghosts, ascending
    GhostExchange exchange;
    std::vector<double> initial;  // p0 of the owned states
    std::vector<std::string> state_names;   // of the owned states; empty: named by their global index
    std::vector<std::string> action_names;  // all actions; empty: named by index
    // Of the whole model, for the rounding allowance of the certified bound (solvers/bellman.hpp).
    std::size_t max_successors = 0;
    double max_abs_reward = 0.0;
};

struct LoadOptions {
    BuildOptions build;                 // --renormalize, --discount
    std::vector<std::size_t> cuts;      // explicit partition (empty: balanced_partition)
};

// Loads a softmdp/1 (JSON), PETSc binary or uncompressed UMB model file over comm (collective; errors agreed, so every
// rank throws the same one). Other formats: UsageError naming the ones supported (convert first).
DistributedModel load_distributed(MPI_Comm comm, const std::string& file, const LoadOptions& options);

}  // namespace softmdp::distributed
