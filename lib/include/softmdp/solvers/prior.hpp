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
#include <functional>
#include <span>
#include <string_view>
#include <vector>

#include "softmdp/core/model.hpp"
#include "softmdp/core/solution.hpp"

namespace softmdp {

// Checks a prior given per row of m (finite, >= 0, and summing to 1 within 1e-9 on every
// non-terminal state). Throws InputError naming `source`, the state and the action.
void check_prior(const Model& m, std::span<const double> pi0, const std::string& source = "prior");

// The model whose soft optimum at alpha is the KL-regularised optimum of m towards pi0 (per row of
// m): rewards r + alpha log pi0 (pi0 renormalised per state, so that sums within the 1e-9 of
// check_prior do not shift V), rows with pi0 = 0 removed. Takes m by value: pass std::move(m) to
// reuse its arrays (no copy of the transitions). Throws InputError (check_prior) or UsageError (alpha).
Model with_prior(Model m, std::span<const double> pi0, double alpha, const std::string& source = "prior");

// Checks that pi (per row of m) puts no mass where pi0 = 0 (KL(pi || pi0) would be infinite): throws
// InputError naming `source`, the state and the action.
void check_within_prior(const Model& m, std::span<const double> pi0, std::span<const double> pi, const std::string& source = "policy");

// The uniform policy on the prior's support: 1/|{a : pi0(a|s) > 0}| there, 0 elsewhere (what
// "uniform" means with a prior: the uniform policy of the prior model).
std::vector<double> uniform_on_prior(const Model& m, std::span<const double> pi0);

// What a prior solve reports, on the user's model m (not the prior model), in m's reward scale:
//   values  V(s) of the KL problem (the prior model's values: the same numbers),
//   q       Q(s,a) = r(s,a) + gamma sum_s' p(s'|s,a) V(s') on every row of m: Q' - alpha log pi0 on
//           the rows the prior keeps (Q' the prior model's q), and on an excluded row the value of
//           taking that action once and then following pi,
//   policy  pi(a|s) = pi0(a|s) exp((Q(s,a) - V(s))/alpha) on m's rows, 0 on the excluded actions.
// So without exclusions V and pi are those of the prior model and q is the Q of the KL equation.
//
// solve_on_prior_model runs `run` on the prior model of m at alpha and returns its Solution in
// that form (tables kept; state_rows cleared). This is the one place the "solve on the prior model,
// map back" pattern lives (solve, evaluate, compare, sweep, occupancy, IRL). Two forms:
//  - Model& m (the caller owns m): the prior model is built in m's own arrays (m is moved into it
//    and given back bit for bit afterwards, also when `run` throws), so the transitions are never
//    copied; the extra memory is m's per-row arrays (28 bytes a row) and the excluded rows'
//    transitions, while `run` runs. Not for a model other threads read meanwhile.
//  - const Model& m: the prior model is a (compacted) copy.
// Both throw InputError (a bad prior) or UsageError (alpha) before touching m.
Solution solve_on_prior_model(Model& m, std::span<const double> pi0, double alpha, const std::function<Solution(const Model&)>& run,
                              const std::string& source = "prior");
Solution solve_on_prior_model(const Model& m, std::span<const double> pi0, double alpha,
                              const std::function<Solution(const Model&)>& run, const std::string& source = "prior");

// The KL-regularised soft optimum of m towards pi0 at alpha by `method` (empty: default_method of the
// prior model), reported as above (in place or on a copy, as solve_on_prior_model).
Solution solve_with_prior(Model& m, std::span<const double> pi0, std::string_view method, double alpha, const SolverOptions& opt = {},
                          const std::string& source = "prior");
Solution solve_with_prior(const Model& m, std::span<const double> pi0, std::string_view method, double alpha,
                          const SolverOptions& opt = {}, const std::string& source = "prior");

// A policy chosen on the prior model of m at alpha by `choose` (a named policy, the greedy or soft
// optimum of the prior model, ...), per row of m: 0 on the actions pi0 excludes. In place or on a
// copy, as solve_on_prior_model.
std::vector<double> policy_on_prior_model(Model& m, std::span<const double> pi0, double alpha,
                                          const std::function<std::vector<double>(const Model&)>& choose, const std::string& source = "prior");
std::vector<double> policy_on_prior_model(const Model& m, std::span<const double> pi0, double alpha,
                                          const std::function<std::vector<double>(const Model&)>& choose, const std::string& source = "prior");

// Per row of m: x[k] of the prior model's k-th row on the rows pi0 keeps (pi0 > 0), `fill` on the
// others (the prior model's rows are exactly m's rows with pi0 > 0, in order).
std::vector<double> expand_prior_rows(std::span<const double> pi0, std::span<const double> x, double fill = 0.0);
// The inverse: x per row of m restricted to the rows with pi0 > 0.
std::vector<double> compact_prior_rows(std::span<const double> pi0, std::span<const double> x);

}  // namespace softmdp
