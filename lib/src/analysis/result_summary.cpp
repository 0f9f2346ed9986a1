#include "softmdp/analysis/result_summary.hpp"

#include "softmdp/analysis/residuals.hpp"
#include "softmdp/solvers/bellman.hpp"

#include <algorithm>
#include <cmath>

namespace softmdp {

ResultSummary summarise(const Model& m, const Solution& sol, std::span<const double> prior) {
    std::vector<double> shifted;  // Q + alpha log pi0 of one state (with a prior)
    ResultSummary out;
    out.objective = objective(m, sol.values);
    out.entropy.assign(m.num_states(), 0.0);
    out.greedy.resize(m.num_states());
    // One pass over the states, from the solution's tables or its per-state rows (keep_rows false).
    for_each_state_rows(m, sol, [&](std::size_t s, std::span<const double> q, std::span<const double> pi) {
        if (q.empty()) return;  // terminal
        std::span<const double> qk = q;
        if (!prior.empty() && sol.alpha > 0.0) {
            const auto p0 = prior.subspan(m.row_first(s), q.size());
            double sum = 0.0;
            for (double p : p0) sum += p;
            shifted.assign(q.begin(), q.end());
            for (std::size_t k = 0; k < q.size(); ++k)
                if (p0[k] > 0.0) shifted[k] += sol.alpha * std::log(p0[k] / sum);
            qk = shifted;
        }
        out.policy_residual = std::max(out.policy_residual, state_policy_residual(qk, sol.values[s], pi, sol.alpha));
        out.entropy[s] = entropy(pi);
        std::size_t best = 0;
        for (std::size_t k = 1; k < q.size(); ++k)
            if (q[k] > q[best]) best = k;
        out.greedy[s] = m.row_action(m.row_first(s) + best);
    });
    return out;
}

}  // namespace softmdp
