#pragma once
// The gradient of the soft optimal objective J_soft(r) = sum_s p0(s) V*_soft(s) in the rewards.
// J_soft = max_pi E[sum_t gamma^t (r(s_t,a_t) + alpha H(pi(.|s_t)))] is a maximum of functions
// linear in r, so by the envelope theorem dJ_soft/dr(s,a) = d*(s,a), the discounted state-action
// occupancy of the soft-optimal policy pi* (occupancy.hpp); for linear rewards r = Phi w,
// dJ_soft/dw = Phi^T d*.
//
// Certified: the solve gives V with ||V - V*|| <= eps, so Q = r + gamma P V is within gamma eps of
// Q*, and pi = softmax(Q/alpha) within delta = 2 gamma eps / alpha of pi* in l1 per state (softmax
// is 2/alpha-Lipschitz from l_inf to l1). Then, with m = ||p0||_1,
//   ||x_pi - x_pi*||_1 <= gamma delta m / (1 - gamma)^2 and ||d_pi - d_pi*||_1 <= delta m / (1 - gamma)^2
// (x = state occupancy; d(s,a) = x(s) pi(a|s)); error_bound adds the occupancy's own bound.
#include <optional>
#include <string_view>
#include <vector>

#include "softmdp/analysis/features.hpp"
#include "softmdp/analysis/occupancy.hpp"
#include "softmdp/core/model.hpp"
#include "softmdp/core/solution.hpp"

namespace softmdp {

struct RewardGradient {
    double objective = 0.0;         // J_soft = sum_s p0(s) V(s)
    std::vector<double> gradient;   // dJ_soft/dr per row = d*(s,a)
    std::optional<double> error_bound;  // certified l1 bound on the gradient (empty: none)
    Solution solution;              // the soft solve (values, q, policy = softmax(q/alpha))
    Occupancy occupancy;            // of that policy
};

// Solves the soft optimum at alpha > 0 with `method` (empty: default_method) and returns the
// gradient. Throws UsageError for alpha <= 0 (the hard optimum is not differentiable everywhere).
RewardGradient soft_reward_gradient(const Model& m, double alpha, const SolverOptions& opt = {},
                                    std::string_view method = {});

// dJ_soft/dw = Phi^T dJ_soft/dr.
inline std::vector<double> weight_gradient(const Model& m, const Features& phi, const RewardGradient& g) {
    return phi.expectation(m, g.gradient);
}

}  // namespace softmdp
