#pragma once
// (Soft, or regularised) policy evaluation of a stochastic policy pi given per row of the model.
//   V(s) = sum_a pi(a|s) Q(s,a) + Omega(pi(.|s)),  Q(s,a) = r(s,a) + gamma P V
// with Omega the regularisation of an operator (soft_operators.hpp, `Regularised`): alpha H for
// LogSumExp{alpha}, 0 for HardMax. The alpha overloads are Shannon entropy:
//   state convention:  V(s) = sum_a pi(a|s) Q(s,a) + alpha H(pi(.|s)),  Q(s,a) = r(s,a) + gamma P V
//   action convention: Q(s,a) = r(s,a) - alpha log pi(a|s) + gamma P V,  V(s) = sum_a pi(a|s) Q(s,a)
// V is the same in both; Q_action = Q_state - alpha log pi(a|s) (+inf where pi(a|s) = 0,
// written as null). alpha = 0 is hard policy evaluation.
#include <span>
#include <string_view>

#include <vector>

#include "softmdp/core/solution.hpp"
#include "softmdp/core/model.hpp"
#include "softmdp/solvers/soft_operators.hpp"

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
// Whether the exact evaluation is a band elimination of I - gamma P_pi (policy_evaluation.cpp):
// discount < 1 and S (b + 1)^2 <= kBandLuWork multiply-adds, at any number of states. A chain
// (b = 1) of 10^5 states costs 4 * 10^5 of them, about a sweep: soft-pi's exact evaluations are then
// cheaper than soft-ipi's Krylov solves and need fewer improvements (docs/performance.md). The band
// itself takes S (2b + 1) doubles.
inline constexpr double kBandLuWork = 2.5e7;
inline bool use_band_lu(const Model& m) noexcept {
    const auto S = static_cast<double>(m.num_states()), b = static_cast<double>(m.bandwidth());
    return m.discount() < 1.0 && S * (b + 1.0) * (b + 1.0) <= kBandLuWork;
}
// Whether an exact evaluation is a direct solve (band elimination or sparse LU), not BiCGSTAB.
inline bool direct_evaluation(const Model& m) noexcept { return use_band_lu(m) || use_sparse_lu(m); }
std::string_view to_string(EntropyConvention c);

// Exact: solves (I - gamma P_pi) V = r_pi + bonus (sparse LU where use_sparse_lu, else BiCGSTAB),
// then certifies with the residual: ||V - V^pi|| <= ||T_pi V - V|| / (1 - gamma). bonus: the
// regularisation per state (regularisation_bonus); alpha is recorded in the result and used by the
// action convention (Q - alpha log pi, Shannon's).
Solution evaluate_regularised_exact(const Model& m, std::span<const double> pi, std::span<const double> bonus, double alpha,
                                    const SolverOptions& opt = {}, EntropyConvention convention = EntropyConvention::state);

// The values alone of evaluate_regularised_exact (the same solve and polish sweeps, the same
// doubles), without its q and policy tables and residual bound: policy iteration's evaluation step,
// which needs only V and whether the polish certified opt.tolerance.
struct ExactValues {
    std::vector<double> values;
    bool converged = false;     // the polish reached opt.tolerance
    std::uint64_t sweeps = 0;   // polish sweeps
};
ExactValues evaluate_values_exact(const Model& m, std::span<const double> pi, std::span<const double> bonus, double alpha,
                                  const SolverOptions& opt = {});

// Iterative: Gauss-Seidel sweeps V <- T_pi V, stopping when gamma/(1-gamma) ||V' - V|| <= tolerance.
Solution evaluate_regularised_iterative(const Model& m, std::span<const double> pi, std::span<const double> bonus,
                                        double alpha, const SolverOptions& opt = {},
                                        EntropyConvention convention = EntropyConvention::state);

// Omega(pi(.|s)) of op per state (0 at terminal states); empty when pi does not have one entry per
// row (check_policy reports that).
template <Regularised Op>
std::vector<double> regularisation_bonus(const Model& m, const Op& op, std::span<const double> pi) {
    std::vector<double> bonus;
    if (pi.size() != m.num_rows()) return bonus;
    bonus.assign(m.num_states(), 0.0);
    for (std::size_t s = 0; s < m.num_states(); ++s)
        if (!m.is_terminal(s)) bonus[s] = op.regularisation(pi.subspan(m.row_first(s), m.num_available(s)));
    return bonus;
}

// Evaluation of pi regularised as operator op regularises (policy iteration with op evaluates so).
template <Regularised Op>
Solution evaluate_policy_exact(const Model& m, std::span<const double> pi, const Op& op, const SolverOptions& opt = {},
                               EntropyConvention convention = EntropyConvention::state) {
    return evaluate_regularised_exact(m, pi, regularisation_bonus(m, op, pi), op.temperature(), opt, convention);
}
template <Regularised Op>
Solution evaluate_policy_iterative(const Model& m, std::span<const double> pi, const Op& op, const SolverOptions& opt = {},
                                   EntropyConvention convention = EntropyConvention::state) {
    return evaluate_regularised_iterative(m, pi, regularisation_bonus(m, op, pi), op.temperature(), opt, convention);
}

// Soft evaluation with alpha H(pi) (alpha = 0: hard).
inline Solution evaluate_policy_exact(const Model& m, std::span<const double> pi, double alpha, const SolverOptions& opt = {},
                                      EntropyConvention convention = EntropyConvention::state) {
    return evaluate_policy_exact(m, pi, LogSumExp{alpha}, opt, convention);
}
inline Solution evaluate_policy_iterative(const Model& m, std::span<const double> pi, double alpha,
                                          const SolverOptions& opt = {},
                                          EntropyConvention convention = EntropyConvention::state) {
    return evaluate_policy_iterative(m, pi, LogSumExp{alpha}, opt, convention);
}

// One Jacobi sweep Vout = T_pi V (with the entropy term); returns (min, max) of Vout - V.
std::pair<double, double> policy_sweep(const Model& m, std::span<const double> pi, std::span<const double> entropy_bonus,
                                       std::span<const double> V, std::span<double> Vout, int threads = 0);

// alpha H(pi(.|s)) per state: regularisation_bonus of LogSumExp{alpha}.
inline std::vector<double> entropy_bonus(const Model& m, std::span<const double> pi, double alpha) {
    return regularisation_bonus(m, LogSumExp{alpha}, pi);
}

// Checks a per-row policy: finite, >= 0, sums to 1 on every non-terminal state. Throws InputError.
void check_policy(const Model& m, std::span<const double> pi, const std::string& source = "policy");

// Rewrites sol.q from the state to the action convention.
void to_action_convention(const Model& m, Solution& sol, double alpha);

}  // namespace softmdp
