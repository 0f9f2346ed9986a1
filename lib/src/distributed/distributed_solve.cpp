#include "softmdp/distributed/distributed_solve.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "softmdp/core/errors.hpp"
#include "softmdp/distributed/distributed_policy_iteration.hpp"
#include "softmdp/distributed/distributed_value_iteration.hpp"
#include "softmdp/solvers/numerical.hpp"

namespace softmdp::distributed {

DistributedSolution distributed_solve(DistributedModel& dm, std::string_view method, double alpha, const SolverOptions& opt) {
    if (!std::isfinite(alpha) || alpha < 0.0)
        throw UsageError(fmt::format("{} must be a finite number >= 0, got {}", param("alpha"), alpha));
    const bool vi = method == "vi" || method == "soft-vi";
    if (!vi && method != "ipi" && method != "soft-ipi")
        throw UsageError(fmt::format("unknown method '{}' for softmdp-mpi (methods: vi, soft-vi, ipi, soft-ipi)", method));
    if ((method == "vi" || method == "ipi") && alpha > 0.0)
        throw UsageError(fmt::format("method '{}' is hard (alpha = 0); with {} {} use soft-{}", method, param("alpha"), alpha, method));
    DistributedSolution ds = vi ? distributed_value_iteration(dm, alpha, opt) : distributed_policy_iteration(dm, alpha, opt);
    ds.solution.method = std::string(method);
    // As the serial solve's require_finite: a non-finite result certifies nothing (NumericalError,
    // exit 2, nothing written). Decided over all ranks; the message is the lowest failing rank's.
    const Solution& sol = ds.solution;
    const auto finite = [](auto first, auto last) { return std::all_of(first, last, [](double x) { return std::isfinite(x); }); };
    int bad = !finite(sol.values.begin(), sol.values.begin() + static_cast<std::ptrdiff_t>(dm.owned)) ? 1
              : !finite(sol.policy.begin(), sol.policy.end())                                     ? 2
              : sol.error_bound && !std::isfinite(*sol.error_bound)                                ? 3
                                                                                                    : 0;
    int any = bad;
    MPI_Allreduce(MPI_IN_PLACE, &any, 1, MPI_INT, MPI_MAX, dm.comm);
    if (any) {
        const char* what[] = {"", "the values became non-finite", "the policy became non-finite", "the error bound overflowed"};
        numerical_failure(dm.local, alpha, method, what[bad ? bad : any]);
    }
    return ds;
}

}  // namespace softmdp::distributed
