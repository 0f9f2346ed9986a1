#pragma once
// Inexact (Newton-Krylov) hard and soft policy iteration over a DistributedModel, the serial ipi and
// soft-ipi (solvers/policy_iteration.hpp) on the ranks' blocks (docs/distributed.md):
//   evaluate: (I - gamma P_pi) v = r_pi (+ alpha H_pi) by the serial BiCGSTAB or GMRES(m) code
//     (lib/src/solvers/krylov_method.hpp), matrix-free on the blocks: each product fetches the
//     ghosts' values (one neighbourhood exchange), each inner product is one MPI_Allreduce;
//     right-preconditioned by block Jacobi across ranks with Gauss-Seidel sweeps (and optionally
//     the coarse correction on the rank's own aggregates) inside each rank; stopped at the serial
//     forcing tolerance;
//   improve: one exchange, Q, TV = B(Q), pi <- greedy/softmax(Q), and one MPI_Allreduce (max) of the
//     bracket l <= TV - V <= u of the whole model (one more, a sum, for ||TV - V||_2 of the forcing
//     sequence).
// The bound is the serial one: c (u - l)/2 + rounding allowance at the MacQueen midpoint of TV, from
// the Bellman residual of the final V, so an inexact evaluation never weakens it.
#include "softmdp/distributed/distributed_solve.hpp"

namespace softmdp::distributed {

// alpha 0: hard (greedy), alpha > 0: soft (softmax). opt.krylov, opt.preconditioner_sweeps,
// opt.aggregate_size (unset: the serial default_aggregate_size rule on the whole model's bandwidth)
// and opt.forcing as serially. Collective; method left empty. Throws UsageError at discount 1.
DistributedSolution distributed_policy_iteration(DistributedModel& dm, double alpha, const SolverOptions& opt);

}  // namespace softmdp::distributed
