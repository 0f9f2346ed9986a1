#pragma once
// Hard and soft value iteration over a DistributedModel (docs/distributed.md), certified exactly as
// the serial Jacobi value iteration (solvers/value_iteration.hpp): per sweep each rank fetches its
// ghosts' values (one neighbourhood exchange), backs up its owned states with the serial chunk
// kernels, and one MPI_Allreduce (max) of [-min d, max d, max |TV|, time limit reached] gives every
// rank the MacQueen bracket l <= TV - V <= u of the whole model, so all ranks take the same decisions.
// Bound c (u - l)/2 + rounding allowance, c = gamma / (1 - gamma), at the midpoint TV + c (l + u)/2.
#include "softmdp/distributed/distributed_solve.hpp"

namespace softmdp::distributed {

// alpha 0: hard (max), alpha > 0: soft (alpha log-sum-exp). Collective; method left empty.
DistributedSolution distributed_value_iteration(DistributedModel& dm, double alpha, const SolverOptions& opt);

}  // namespace softmdp::distributed
