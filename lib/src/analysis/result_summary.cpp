#include "softmdp/analysis/result_summary.hpp"

#include "softmdp/analysis/residuals.hpp"
#include "softmdp/solvers/bellman.hpp"

namespace softmdp {

ResultSummary summarise(const Model& m, const Solution& sol) {
    ResultSummary out;
    out.objective = objective(m, sol.values);
    out.policy_residual = policy_residual(m, sol.q, sol.values, sol.policy, sol.alpha);
    out.entropy = policy_entropy(m, sol.policy);
    out.greedy.resize(m.num_states());
    for (std::size_t s = 0; s < m.num_states(); ++s) {
        if (m.is_terminal(s)) continue;
        Offset best = m.row_first(s);
        for (Offset r = best + 1; r < m.row_last(s); ++r)
            if (sol.q[r] > sol.q[best]) best = r;
        out.greedy[s] = m.row_action(best);
    }
    return out;
}

}  // namespace softmdp
