#pragma once
// KL regularisation towards a reference policy pi0 (a "prior"), reduced to the entropy-regularised
// (soft) MDP that every soft method already solves.
//
// The KL-regularised soft Bellman equation with temperature alpha and prior pi0(a|s) is
//   V(s) = alpha log sum_a pi0(a|s) exp(Q(s,a)/alpha),   Q(s,a) = r(s,a) + gamma sum_s' p(s'|s,a) V(s'),
//   pi(a|s) = pi0(a|s) exp((Q(s,a) - V(s))/alpha)   (proportional to pi0 exp(Q/alpha)),
// whose V is the optimum of E[sum_t gamma^t (r(s_t,a_t) - alpha KL(pi(.|s_t) || pi0(.|s_t)))]
// (Geist et al. 2019). Since alpha log pi0 + Q = Q + alpha log pi0, this is exactly the entropy-
// regularised equation V(s) = alpha log sum_a exp(Q'(s,a)/alpha) of the model with the rewards
//   r'(s,a) = r(s,a) + alpha log pi0(a|s)
// (and r - alpha KL(pi||pi0) = r + alpha log pi0 - alpha log pi under pi: the same objective).
// An action with pi0(a|s) = 0 has r' = -inf: it is excluded, i.e. removed from the model (so no
// infinity enters the solvers and their bounds). The prior model has the same states; its Q is
// Q' = Q + alpha log pi0, its policy and values are those of the KL problem. At alpha = 0 the KL term
// vanishes and only the exclusion remains (the hard MDP restricted to the prior's support).
//
// The uniform prior pi0 = 1/|A_s| gives r' = r - alpha log|A_s|: the KL optimum is the entropy
// (action convention) optimum of the model with rewards r - alpha log|A_s| (docs/regularised.md).
#include <span>
#include <vector>

#include "softmdp/core/model.hpp"

namespace softmdp {

// Checks a prior given per row of m (finite, >= 0, and summing to 1 within 1e-9 on every
// non-terminal state). Throws InputError naming `source`, the state and the action.
void check_prior(const Model& m, std::span<const double> pi0, const std::string& source = "prior");

// The model whose soft optimum at alpha is the KL-regularised optimum of m towards pi0 (per row of
// m): rewards r + alpha log pi0 (pi0 renormalised per state, so that sums within the 1e-9 of
// check_prior do not shift V), rows with pi0 = 0 removed. Takes m by value: pass std::move(m) to
// reuse its arrays (no copy of the transitions). Throws InputError (check_prior) or UsageError (alpha).
Model with_prior(Model m, std::span<const double> pi0, double alpha, const std::string& source = "prior");

// Maps a per-row array of the prior model back to the rows of the model it was made from
// (`full`): rows excluded by the prior get `fill` (0 for a policy).
std::vector<double> to_full_rows(const Model& full, const Model& prior_model, std::span<const double> x, double fill = 0.0);

}  // namespace softmdp
