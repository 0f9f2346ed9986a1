#pragma once
// Hard and soft value iteration over a DistributedModel (docs/distributed.md), certified exactly as
// the serial Jacobi value iteration (solvers/value_iteration.hpp): per sweep each rank fetches its
// ghosts' values (one neighbourhood exchange), backs up its owned states with the serial chunk
// kernels, and one MPI_Allreduce (max) of [-min d, max d, max |TV|, time limit reached] gives every
// rank the MacQueen bracket l <= TV - V <= u of the whole model, so all ranks take the same decisions.
// Bound c (u - l)/2 + rounding allowance, c = gamma / (1 - gamma), at the midpoint TV + c (l + u)/2.
#include <cstdint>
#include <string_view>

#include "softmdp/core/solution.hpp"
#include "softmdp/distributed/distributed_model.hpp"

namespace softmdp::distributed {

struct DistributedSolution {
    // method, alpha, converged, stop, reason, iterations, sweeps, error_bound, seconds as serially;
    // values (owned states, then the ghosts' final values), q and policy (the block's rows) of this rank.
    Solution solution;
    double objective = 0.0;  // sum_s p0(s) V(s) over all ranks
    // Per sweep and rank: ghost values sent and received (8 bytes each), and the reduction.
    std::uint64_t bytes_sent = 0, bytes_received = 0, bytes_reduced = 0;
    double exchange_seconds = 0.0;  // this rank's time in the ghost exchange (waiting included)
    double reduce_seconds = 0.0;    // and in the reduction (the slowest rank's sweep shows here)
};

// The methods: "vi" (alpha 0) and "soft-vi" (alpha > 0), the serial CLI's names; opt.threads OpenMP
// threads per rank (0: all cores). Collective.
// Throws UsageError for another method or a hard method with alpha > 0.
DistributedSolution distributed_solve(DistributedModel& dm, std::string_view method, double alpha, const SolverOptions& opt);

}  // namespace softmdp::distributed
