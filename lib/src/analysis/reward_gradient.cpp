#include "softmdp/analysis/reward_gradient.hpp"

#include <cmath>
#include <fmt/format.h>

#include "softmdp/analysis/policy.hpp"
#include "softmdp/core/errors.hpp"
#include "softmdp/solvers/bellman.hpp"
#include "softmdp/solvers/solve.hpp"

namespace softmdp {

RewardGradient soft_reward_gradient(const Model& m, double alpha, const SolverOptions& opt, std::string_view method) {
    if (!(alpha > 0.0) || !std::isfinite(alpha))
        throw UsageError(fmt::format("the reward gradient needs a finite alpha > 0, got {}", alpha));
    RewardGradient g;
    g.solution = solve(m, method.empty() ? default_method(m, alpha) : method, alpha, opt);
    // pi = softmax(Q/alpha) of the solve's Q = r + gamma P V: the policy the bound above is about.
    g.solution.policy = softmax_policy(m, g.solution.q, alpha);
    g.objective = objective(m, g.solution.values);
    g.occupancy = occupancy(m, g.solution.policy, {}, opt);
    g.gradient = g.occupancy.state_actions;
    const double gamma = m.discount();
    if (g.solution.error_bound && g.occupancy.error_bound && gamma < 1.0) {
        double mass = 0.0;
        for (double p : m.initial()) mass += std::abs(p);
        const double delta = std::min(2.0, 2.0 * gamma * *g.solution.error_bound / alpha);
        g.error_bound = delta * mass / ((1.0 - gamma) * (1.0 - gamma)) + *g.occupancy.error_bound;
    }
    return g;
}

}  // namespace softmdp
