#pragma once
// The one entry of softmdp-mpi's methods (docs/distributed.md): the serial CLI's names, "vi" and
// "soft-vi" (distributed_value_iteration.hpp), "ipi" and "soft-ipi" (distributed_policy_iteration.hpp),
// and what every distributed run reports.
#include <cstdint>
#include <string_view>

#include "softmdp/core/solution.hpp"
#include "softmdp/distributed/distributed_model.hpp"

namespace softmdp::distributed {

struct DistributedSolution {
    // method, alpha, converged, stop, reason, iterations, sweeps, inner_iterations, matvecs,
    // error_bound, seconds as serially; values (owned states, then the ghosts' final values), q and
    // policy (the block's rows) of this rank.
    Solution solution;
    double objective = 0.0;  // sum_s p0(s) V(s) over all ranks
    // Per ghost exchange (one per sweep, or per product with P_pi) and rank: ghost values sent and
    // received (8 bytes each).
    std::uint64_t bytes_sent = 0, bytes_received = 0;
    std::uint64_t exchanges = 0;      // ghost exchanges made
    std::uint64_t reductions = 0;     // MPI_Allreduce calls made (every rank makes the same)
    std::uint64_t bytes_reduced = 0;  // over all of them, this rank's contribution
    double exchange_seconds = 0.0;  // this rank's time in the ghost exchange (waiting included)
    double reduce_seconds = 0.0;    // and in the reductions (the slowest rank's sweep shows here)
};

// Runs `method` ("vi" and "ipi" with alpha 0; "soft-vi" and "soft-ipi" with alpha > 0) with
// opt.threads OpenMP threads per rank (0: all cores). Collective. Throws UsageError for another
// method or a hard method with alpha > 0, NumericalError (on every rank) when the result is not finite.
DistributedSolution distributed_solve(DistributedModel& dm, std::string_view method, double alpha, const SolverOptions& opt);

}  // namespace softmdp::distributed
