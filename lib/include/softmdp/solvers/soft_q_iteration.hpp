#pragma once
// Soft Q-iteration: Q <- r + gamma P V_Q with V_Q(s) = B(Q(s, .)) (B = alpha logsumexp(./alpha),
// or any Backup). A gamma-contraction in sup norm on Q when B is 1-Lipschitz and monotone, so
// ||Q' - Q*|| <= gamma/(1-gamma) ||Q' - Q||, and the reported V_Q' = B(Q') is within the same
// bound of V* (B is non-expansive).
#include <cmath>
#include <fmt/format.h>
#include <limits>
#include <vector>

#include "softmdp/solvers/bellman.hpp"
#include "softmdp/core/solution.hpp"

namespace softmdp {

template <Backup Op>
Solution q_iteration(const Model& m, const Op& op, const SolverOptions& opt) {
    const Stopwatch clock;
    const ModelData& d = m.data();
    const std::size_t S = m.num_states(), R = m.num_rows();
    const double gamma = m.discount();
    const int threads = sweep_threads(m, opt.threads);
    Solution sol;
    sol.alpha = op.temperature();
    std::vector<double> Q(R, 0.0), Qn(R), VQ(S, 0.0);
    if (!opt.initial_values.empty()) compute_q(m, opt.initial_values, Q, threads);
    bool converged = false;
    double change = std::numeric_limits<double>::infinity();
    for (;;) {
        if (sol.iterations >= opt.max_iterations || clock.seconds() >= opt.time_limit) {
            sol.reason = sol.iterations >= opt.max_iterations
                             ? fmt::format("stopped at the iteration limit ({} sweeps)", opt.max_iterations)
                             : fmt::format("stopped at the time limit ({} s)", opt.time_limit);
            break;
        }
        backup_values(m, op, Q, VQ, threads);
        const auto RR = static_cast<std::int64_t>(R);
        change = 0.0;
#pragma omp parallel for schedule(static) num_threads(threads) reduction(max : change)
        for (std::int64_t r = 0; r < RR; ++r) {
            const auto row = static_cast<std::size_t>(r);
            Qn[row] = q_value(d, row, VQ.data());
            change = std::max(change, std::abs(Qn[row] - Q[row]));
        }
        Q.swap(Qn);
        ++sol.iterations;
        if (!std::isfinite(change)) {
            sol.reason = "values became non-finite";
            break;
        }
        if (Op::is_contraction && gamma < 1.0) {
            const double slack = rounding_slack(m, max_abs(Q));
            sol.error_bound = gamma / (1.0 - gamma) * change + slack;
            if (slack >= opt.tolerance && *sol.error_bound <= 2.0 * slack) {
                sol.reason = resolution_reason(opt.tolerance, slack);
                break;
            }
        }
        if (opt.progress) opt.progress({sol.iterations, sol.error_bound, clock.seconds()});
        if (sol.error_bound ? *sol.error_bound <= opt.tolerance : change <= opt.tolerance) {
            converged = true;
            break;
        }
    }
    if (!sol.error_bound) sol.reason += (sol.reason.empty() ? "" : "; ") + std::string("no certified bound (discount 1 or a non-contraction)");
    sol.converged = converged;
    sol.sweeps = sol.iterations;
    sol.values.assign(S, 0.0);
    sol.policy.assign(R, 0.0);
    policy_from_q(m, op, Q, sol.policy, sol.values, threads);
    sol.q = std::move(Q);
    sol.seconds = clock.seconds();
    return sol;
}

// Soft Q-iteration with V_Q = alpha logsumexp(Q / alpha).
inline Solution soft_q_iteration(const Model& m, double alpha, const SolverOptions& opt = {}) {
    auto sol = q_iteration(m, LogSumExp{alpha}, opt);
    sol.method = "soft-qi";
    return sol;
}

}  // namespace softmdp
