#pragma once
// What a result reports beyond its Solution, computed once here so that the result writer
// (io/result.hpp) only formats: the objective, how consistent the policy is with Q and V, the
// entropy of the policy and the greedy action of each state.
#include <optional>
#include <vector>

#include "softmdp/core/model.hpp"
#include "softmdp/core/solution.hpp"

namespace softmdp {

struct ResultSummary {
    double objective = 0.0;        // J = sum_s p0(s) V(s)
    double policy_residual = 0.0;  // max |alpha log pi - (Q - V)| (residuals.hpp): 0 when pi = exp((Q - V)/alpha)
    std::vector<double> entropy;   // H(pi(.|s)) per state, in nats
    std::vector<std::optional<ActionId>> greedy;  // the first maximiser of Q(s, .); none at terminal states
};

// With `prior` (pi0 per row, KL regularisation, solvers/prior.hpp) the policy residual is that of
// pi = pi0 exp((Q - V)/alpha): max |alpha log pi - alpha log pi0 - (Q - V)| over the rows with pi > 0.
ResultSummary summarise(const Model& m, const Solution& sol, std::span<const double> prior = {});

}  // namespace softmdp
