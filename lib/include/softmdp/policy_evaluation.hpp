#pragma once
// (Soft) policy evaluation of a stochastic policy pi given per row of the model.
//   state convention:  V(s) = sum_a pi(a|s) Q(s,a) + alpha H(pi(.|s)),  Q(s,a) = r(s,a) + gamma P V
//   action convention: Q(s,a) = r(s,a) - alpha log pi(a|s) + gamma P V,  V(s) = sum_a pi(a|s) Q(s,a)
// V is the same in both; Q_action = Q_state - alpha log pi(a|s) (+inf where pi(a|s) = 0,
// written as null). alpha = 0 is hard policy evaluation.
#include <span>
#include <string_view>

#include "softmdp/solution.hpp"
#include "softmdp/model.hpp"

namespace softmdp {

enum class EntropyConvention { state, action };

// Up to this many states the exact evaluation factorises I - gamma P_pi (sparse LU); above, sparse LU
// fills in badly on random transition graphs and BiCGSTAB is used.
inline constexpr std::size_t kSparseLuLimit = 5000;
std::string_view to_string(EntropyConvention c);

// Exact: solves (I - gamma P_pi) V = r_pi + alpha H_pi (sparse LU, or BiCGSTAB for large models),
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
