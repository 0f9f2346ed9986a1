#pragma once
// Finite-horizon (soft or hard) optimal control and policy evaluation by backward induction: exact,
// no tolerance.
//   V_H = terminal values (0 by default)
//   Q_t(s,a) = r(s,a) + gamma sum_s' p(s'|s,a) V_{t+1}(s')
//   V_t(s)   = alpha log sum_a exp(Q_t(s,a)/alpha)   (alpha > 0; max_a Q_t(s,a) at alpha = 0)
//   pi_t(a|s) = exp((Q_t(s,a) - V_t(s))/alpha)      (greedy, first maximiser, at alpha = 0)
// for t = H-1, ..., 0. A terminal (absorbing, rewardless) state keeps its terminal value discounted:
// V_t(s) = gamma^(H-t) V_H(s). The soft V_t is the state-convention value: the expected reward plus
// alpha times the entropy of the policy over the remaining H - t steps.
//
// With a prior pi0 (KL regularisation towards a reference policy, solvers/prior.hpp; per row, 0
// excludes an action) the backups are
//   V_t(s)    = alpha log sum_a pi0(a|s) exp(Q_t(s,a)/alpha)   (max over the kept actions at alpha = 0)
//   pi_t(a|s) = pi0(a|s) exp((Q_t(s,a) - V_t(s))/alpha)          (0 where pi0(a|s) = 0)
// and the evaluation of pi is V_t(s) = sum_a pi_t(a|s) Q_t(s,a) - alpha KL(pi_t(.|s) || pi0(.|s)),
// with Q_t as above (the user's rewards: q stays in their scale).
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "softmdp/core/model.hpp"
#include "softmdp/core/solution.hpp"

namespace softmdp {

struct FiniteHorizonSolution {
    std::string method;  // "backward-induction" (solve) or "evaluate-finite-horizon-state"
    std::uint64_t horizon = 0;
    double alpha = 0.0;
    double seconds = 0.0;
    std::vector<double> values;  // (H + 1) x S, row t = V_t (row H: the terminal values)
    std::vector<double> q;       // H x rows, row t = Q_t in the model's CSR order
    std::vector<double> policy;  // H x rows, row t = pi_t

    std::span<const double> values_at(std::uint64_t t, std::size_t S) const { return std::span(values).subspan(t * S, S); }
    std::span<const double> policy_at(std::uint64_t t, std::size_t rows) const { return std::span(policy).subspan(t * rows, rows); }
};

// The time-indexed tables take (H + 1) x S + 2 H x rows doubles; a horizon whose tables would pass
// kFiniteHorizonMaxBytes is refused (UsageError naming the horizon) before anything is allocated.
inline constexpr std::uint64_t kFiniteHorizonMaxBytes = std::uint64_t{8} << 30;  // 8 GiB

// Backward induction over `horizon` steps. `terminal_values` (per state, empty: 0) is V_H;
// `row_rewards` (per row, empty: the model's r(s,a)) replaces the rewards, so a caller can solve
// other rewards on the same dynamics (IRL). Throws UsageError for a bad alpha, horizon 0, or sizes,
// NumericalError when the values leave the doubles. Memory: H x rows doubles for q and policy each.
FiniteHorizonSolution solve_finite_horizon(const Model& m, double alpha, std::uint64_t horizon,
                                           std::span<const double> terminal_values = {},
                                           std::span<const double> row_rewards = {}, int threads = 0,
                                           std::span<const double> prior = {});

// Finite-horizon (soft) policy evaluation of pi (per row: stationary, or horizon x rows:
// time-indexed), state convention: V_t(s) = sum_a pi_t(a|s) Q_t(s,a) + alpha H(pi_t(.|s)), Q_t as
// above; `policy` holds pi. Exact, no tolerance. Throws as solve_finite_horizon, and InputError for
// a policy that is not a distribution on some state or (with a prior) that takes an excluded action.
FiniteHorizonSolution evaluate_finite_horizon(const Model& m, std::span<const double> pi, double alpha, std::uint64_t horizon,
                                              std::span<const double> terminal_values = {}, int threads = 0,
                                              std::span<const double> prior = {});

// Step t of a finite-horizon solution as an ordinary Solution (values V_t, q Q_t, policy pi_t), so
// that the result writers and summaries apply: converged (exact), no error bound (nothing is
// truncated or iterated; only rounding), iterations and sweeps = the horizon.
Solution at_time(const Model& m, const FiniteHorizonSolution& fh, std::uint64_t t = 0);

}  // namespace softmdp
