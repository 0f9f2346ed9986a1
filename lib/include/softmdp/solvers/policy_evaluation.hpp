#pragma once
// (Soft) policy evaluation of a stochastic policy pi given per row of the model.
//   state convention:  V(s) = sum_a pi(a|s) Q(s,a) + alpha H(pi(.|s)),  Q(s,a) = r(s,a) + gamma P V
//   action convention: Q(s,a) = r(s,a) - alpha log pi(a|s) + gamma P V,  V(s) = sum_a pi(a|s) Q(s,a)
// V is the same in both; Q_action = Q_state - alpha log pi(a|s) (+inf where pi(a|s) = 0,
// written as null). alpha = 0 is hard policy evaluation.
#include <span>
#include <string_view>

#include "softmdp/core/solution.hpp"
#include "softmdp/core/model.hpp"

namespace softmdp {

enum class EntropyConvention { state, action };

// Whether the exact evaluation factorises I - gamma P_pi (sparse LU: exact, and robust near gamma = 1
// where Krylov methods crawl) rather than solving it with BiCGSTAB: up to kSparseLuLimit states, and
// only while a band LU's work S b^2, b = m.bandwidth(), stays below kSparseLuWork. Random graphs
// (b ~ S) fill in to dense factors: LU took 0.9 s on a 2000-state Garnet where BiCGSTAB took 1 ms
// (14 iterations: a random chain mixes fast). Local ones (gridworlds b ~ sqrt(S), chains b = 1) stay
// sparse: 0.03 s at 4900 states, where BiCGSTAB at gamma 0.9999 needed 265 iterations.
inline constexpr std::size_t kSparseLuLimit = 5000;
inline constexpr double kSparseLuWork = 2.5e8;
inline bool use_sparse_lu(const Model& m) noexcept {
    const auto S = static_cast<double>(m.num_states()), b = static_cast<double>(m.bandwidth());
    return m.num_states() <= kSparseLuLimit && S * b * b <= kSparseLuWork;
}
std::string_view to_string(EntropyConvention c);

// Exact: solves (I - gamma P_pi) V = r_pi + alpha H_pi (sparse LU where use_sparse_lu, else BiCGSTAB),
// then certifies with the residual: ||V - V^pi|| <= ||T_pi V - V|| / (1 - gamma).
Solution evaluate_policy_exact(const Model& m, std::span<const double> pi, double alpha, const SolverOptions& opt = {},
                               EntropyConvention convention = EntropyConvention::state);

// Iterative: Gauss-Seidel sweeps V <- T_pi V, stopping when gamma/(1-gamma) ||V' - V|| <= tolerance.
Solution evaluate_policy_iterative(const Model& m, std::span<const double> pi, double alpha,
                                   const SolverOptions& opt = {},
                                   EntropyConvention convention = EntropyConvention::state);

// One Jacobi sweep Vout = T_pi V (with the entropy term); returns (min, max) of Vout - V.
std::pair<double, double> policy_sweep(const Model& m, std::span<const double> pi, std::span<const double> entropy_bonus,
                                       std::span<const double> V, std::span<double> Vout, int threads = 0);

// alpha H(pi(.|s)) per state.
std::vector<double> entropy_bonus(const Model& m, std::span<const double> pi, double alpha);

// Checks a per-row policy: finite, >= 0, sums to 1 on every non-terminal state. Throws InputError.
void check_policy(const Model& m, std::span<const double> pi, const std::string& source = "policy");

// Rewrites sol.q from the state to the action convention.
void to_action_convention(const Model& m, Solution& sol, double alpha);

}  // namespace softmdp
