#pragma once
// Soft Q-iteration: Q <- r + gamma P V_Q with V_Q(s) = B(Q(s, .)) (B = alpha logsumexp(./alpha),
// or any Backup). A gamma-contraction in sup norm on Q when B is 1-Lipschitz and monotone, so
// ||Q' - Q*|| <= gamma/(1-gamma) ||Q' - Q||, and the reported V_Q' = B(Q') is within the same
// bound of V* (B is non-expansive).
#include <cmath>
#include <fmt/format.h>
#include <limits>
#include <vector>

#include "softmdp/core/iteration.hpp"
#include "softmdp/solvers/bellman.hpp"
#include "softmdp/core/solution.hpp"

namespace softmdp {

template <Backup Op>
Solution q_iteration(const Model& m, const Op& op, const SolverOptions& opt) {
    Iteration it(opt, "sweeps");
    const ModelData& d = m.data();
    const std::size_t S = m.num_states(), R = m.num_rows();
    const double gamma = m.discount();
    const int threads = sweep_threads(m, opt.threads);
    Solution sol;
    sol.alpha = op.temperature();
    std::vector<double> Q(R, 0.0), Qn(R), VQ(S, 0.0);
    if (!opt.initial_values.empty()) compute_q(m, opt.initial_values, Q, threads);
    double change = std::numeric_limits<double>::infinity();
    while (!it.at_limit()) {
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
        it.count_step();
        if (it.non_finite(change, "values became non-finite")) break;
        if (Op::is_contraction && gamma < 1.0) {
            const double slack = rounding_slack(m, max_abs(Q));
            sol.error_bound = gamma / (1.0 - gamma) * change + slack;
            if (it.at_resolution_floor(*sol.error_bound, slack)) break;
        }
        it.report(sol.error_bound);
        if (it.reached(sol.error_bound ? *sol.error_bound <= opt.tolerance : change <= opt.tolerance)) break;
    }
    if (!sol.error_bound) {
        std::string& reason = it.reason();
        reason += (reason.empty() ? "" : "; ") + std::string("no certified bound (discount 1 or a non-contraction)");
    }
    sol.values.assign(S, 0.0);
    sol.policy.assign(R, 0.0);
    policy_from_q(m, op, Q, sol.policy, sol.values, threads);
    sol.q = std::move(Q);
    it.finish(sol);
    sol.sweeps = sol.iterations;
    return sol;
}

// Soft Q-iteration with V_Q = alpha logsumexp(Q / alpha).
inline Solution soft_q_iteration(const Model& m, double alpha, const SolverOptions& opt = {}) {
    auto sol = q_iteration(m, LogSumExp{alpha}, opt);
    sol.method = "soft-qi";
    return sol;
}

}  // namespace softmdp
