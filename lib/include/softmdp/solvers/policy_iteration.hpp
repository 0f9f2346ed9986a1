#pragma once
// Policy iteration, inexact (Newton-Krylov) policy iteration and modified policy iteration with any
// regularised operator (soft_operators.hpp, `Regularised`: HardMax, LogSumExp, ...):
//   evaluate pi with the operator's regularisation (soft: alpha H(pi)), then improve pi with the
//   operator (greedy(Q), softmax(Q/alpha)).
// Each improvement step computes TV = B(Q_V); the MacQueen bracket of (V, TV) certifies the
// reported values (see bellman.hpp).
#include <cmath>
#include <fmt/format.h>
#include <limits>
#include <string_view>
#include <vector>

#include "softmdp/solvers/aggregation.hpp"
#include "softmdp/solvers/bellman.hpp"
#include "softmdp/solvers/krylov.hpp"
#include "softmdp/solvers/numerical.hpp"
#include "softmdp/solvers/policy_evaluation.hpp"
#include "softmdp/core/solution.hpp"

namespace softmdp {

// exact: sparse LU / BiCGSTAB to the rounding floor (pi, soft-pi); sweeps: up to K Jacobi sweeps
// (mpi); inexact: a matrix-free preconditioned Krylov solve stopped at the forcing tolerance (ipi).
enum class Evaluation { exact, sweeps, inexact };

namespace detail {

// Improvements without a new lowest bound (or a changed hard policy) before a run counts as stalled.
inline constexpr std::uint64_t kStallImprovements = 20;

// What to try when a policy-iteration run stalls (docs/performance.md has the measurements).
inline std::string_view stall_advice(Evaluation eval, double alpha) {
    if (alpha == 0.0)
        return eval == Evaluation::inexact ? "try --method vi, or ipi with a larger --aggregate-size"
                                           : "try --method vi (value iteration with the MacQueen bracket)";
    switch (eval) {
        case Evaluation::sweeps: return "the policy mixes slowly: try --method soft-ipi (preconditioned Krylov evaluations)";
        case Evaluation::inexact: return "try --method soft-pi (exact evaluations), or soft-ipi with a larger --aggregate-size";
        default: return "try --method soft-ipi or soft-vi";
    }
}

template <Regularised Op>
Solution policy_iteration_impl(const Model& m, const Op& op, Evaluation eval, const SolverOptions& opt) {
    Iteration it(opt, "improvements");
    const std::size_t S = m.num_states(), R = m.num_rows();
    const double gamma = m.discount();
    const double alpha = op.temperature();
    Solution sol;
    sol.alpha = alpha;
    std::vector<double> V(S, 0.0), TV(S), q(R), pi(R, 0.0);
    if (!opt.initial_values.empty()) V.assign(opt.initial_values.begin(), opt.initial_values.end());
    compute_q(m, V, q, opt.threads);
    policy_from_q(m, op, q, pi, {}, opt.threads);

    double bellman_span = std::numeric_limits<double>::infinity();  // of TV - V at the last improvement
    bool evaluated_exactly = false;  // the last evaluation reached its tolerance (not so for a stiff Krylov solve)
    // Inexact evaluations: ||T V - V||_2 at the last two improvements (0: none yet), and the cap of
    // the forcing term, cut tenfold whenever the residual grew (the evaluation was too loose to
    // improve the policy: near gamma = 1 an error e in the residual is e / (1 - gamma) in V).
    double residual2 = 0.0, previous_residual = 0.0, eta_max = 0.1;
    // The two-level preconditioner's aggregates: from the model's graph, so one for every policy.
    Aggregation aggregation;
    if (eval == Evaluation::inexact) {
        const std::uint32_t size = opt.aggregate_size.value_or(default_aggregate_size(m));
        if (size > 0) aggregation = aggregate_states(m, size);
    }
    while (!it.at_limit()) {
        // Evaluate pi.
        if (eval == Evaluation::exact) {
            SolverOptions eo;
            // As exact as doubles allow, but reachable: near gamma = 1 the rounding floor of the
            // residual bound exceeds any fixed tolerance, and an unreachable one would cost every
            // evaluation its full budget of polish sweeps and never count as exact.
            const double scale = gamma < 1.0 ? (m.max_abs_reward() + alpha * std::log(static_cast<double>(std::max<std::size_t>(1, m.max_actions_per_state())))) / (1.0 - gamma)
                                             : max_abs(V);
            eo.tolerance = std::max(std::min(opt.tolerance, 1e-10) * (1.0 - gamma) * 1e-2, 4.0 * rounding_slack(m, scale));
            eo.max_iterations = 50;
            eo.threads = opt.threads;
            eo.initial_values = V;
            eo.keep_rows = false;  // the values are all the improvement needs
            auto e = evaluate_policy_exact(m, pi, op, eo);
            evaluated_exactly = e.converged;
            V = std::move(e.values);
            sol.sweeps += e.sweeps;
        } else if (eval == Evaluation::inexact) {
            // Newton-Krylov: solve (I - gamma P_pi) v = r_pi (+ alpha H_pi) from the previous values.
            // pi is greedy (softmax) at V, so the first residual b - A V = T_pi V - V = T V - V is
            // the Bellman residual. The solve stops at eta_k times it, eta_k = min(eta_max,
            // ||T V_k - V_k|| / ||T V_{k-1} - V_{k-1}||): loose while the policy is far from
            // optimal, tightening as the outer residual falls, which keeps the outer convergence
            // superlinear (Eisenstat and Walker's choice); never below what the tolerance can use,
            // nor below the rounding floor. The bound comes from the Bellman residual after the
            // improvement, so an inexact evaluation never weakens it (docs/math.md).
            KrylovOptions ko;
            ko.method = opt.krylov;
            ko.preconditioner_sweeps = opt.preconditioner_sweeps;
            ko.aggregation = aggregation.count() > 0 ? &aggregation : nullptr;
            ko.threads = opt.threads;
            // Targets on ||b - A v||_2 >= ||b - A v||_inf. The tolerance needs ||T V - V||_inf of about
            // tolerance (1 - gamma) / gamma: a hundredth of that is as far as any solve need go. The
            // rounding floor: each residual entry is computed to about (k + 4) ulps of max(|V|, |r|),
            // which is rounding_slack / (c + 1); over S entries that is sqrt(S) times more in the
            // 2-norm. Below it a solve only stirs rounding errors.
            const double sqrt_s = std::sqrt(static_cast<double>(S));
            const double one_minus_gamma = gamma < 1.0 ? 1.0 - gamma : 1.0;  // discount 1: residual tolerances as they are
            const double floor = 4.0 * sqrt_s * rounding_slack(m, max_abs(V)) / (gamma < 1.0 ? gamma / (1.0 - gamma) + 1.0 : 1.0);
            if (opt.forcing) {
                // eta_k = min(eta_max, ||d_k|| / ||d_{k-1}||), d = T V - V at the improvements.
                ko.relative_tolerance = previous_residual > 0.0 ? std::min(eta_max, residual2 / previous_residual) : eta_max;
                ko.absolute_tolerance = std::max(0.01 * opt.tolerance * one_minus_gamma, floor);
            } else {
                ko.relative_tolerance = 0.0;
                ko.absolute_tolerance = std::max(std::min(opt.tolerance, 1e-10) * one_minus_gamma * one_minus_gamma * 1e-2, floor);
            }
            const auto bonus = regularisation_bonus(m, op, pi);
            const auto b = policy_rhs(m, pi, bonus);
            const auto ks = solve_policy_evaluation(m, pi, b, V, ko);
            sol.inner_iterations += ks.iterations;
            sol.matvecs += ks.matvecs;
            if (!std::isfinite(ks.residual)) numerical_failure(m, alpha, "policy evaluation", "the values became non-finite");
        } else {
            // Sweep T_pi until its residual span is a tenth of the last Bellman residual span: past
            // that, evaluating pi more exactly gains less than improving it (fast-mixing MDPs stop
            // after a few sweeps, slow-mixing ones use all opt.evaluation_sweeps).
            const auto bonus = regularisation_bonus(m, op, pi);
            for (std::uint64_t k = 1; k < opt.evaluation_sweeps; ++k) {  // k = 0 was the improvement's backup
                const auto [pl, pu] = policy_sweep(m, pi, bonus, V, TV, opt.threads);
                V.swap(TV);
                ++sol.sweeps;
                if (pu - pl <= 0.1 * bellman_span) break;
            }
        }
        it.count_step();
        // Improve: Q = Q_V, TV = B(Q), pi' = policy of Q.
        compute_q(m, V, q, opt.threads);
        backup_values(m, op, q, TV, opt.threads);
        bool changed = false;
        const auto SS = static_cast<std::int64_t>(S);
#pragma omp parallel for schedule(static) reduction(|| : changed) num_threads(sweep_threads(m, opt.threads))
        for (std::int64_t si = 0; si < SS; ++si) {
            const Offset b = m.row_first(static_cast<std::size_t>(si)), e = m.row_last(static_cast<std::size_t>(si));
            if (b != e && improve_policy(op, std::span<const double>(q.data() + b, e - b), std::span<double>(pi.data() + b, e - b)))
                changed = true;
        }
        ++sol.sweeps;
        const auto [l, u] = difference_range(TV, V);
        bellman_span = u - l;
        if (eval == Evaluation::inexact) {
            previous_residual = residual2;
            residual2 = 0.0;
            for (std::size_t s = 0; s < S; ++s) residual2 += (TV[s] - V[s]) * (TV[s] - V[s]);
            residual2 = std::sqrt(residual2);
            if (previous_residual > 0.0 && residual2 > previous_residual) eta_max = std::max(0.1 * eta_max, 1e-6);
        }
        if (it.non_finite(u - l, "values became non-finite")) break;
        std::optional<double> bound;
        const double slack = rounding_slack(m, max_abs(TV));
        if (gamma < 1.0) bound = gamma / (1.0 - gamma) * (u - l) / 2.0 + slack;
        if (bound && it.at_resolution_floor(*bound, slack)) break;
        it.report(bound);
        // A stable greedy policy is optimal only if it was evaluated exactly; at discount 1 (no
        // bound) the other methods stop on the Bellman residual instead.
        const bool exact_and_stable = alpha == 0.0 && !changed && eval == Evaluation::exact && evaluated_exactly;
        const double residual = std::max(-l, u);
        if (it.reached(bound ? (*bound <= opt.tolerance || exact_and_stable) : (exact_and_stable || residual <= opt.tolerance))) {
            if (gamma < 1.0) {
                sol.error_bound = move_to_midpoint(m, TV, l, u);
            } else {
                it.reason() = exact_and_stable
                                 ? "discount 1: policy stable under exact evaluation; no sup-norm bound"
                                 : fmt::format("discount 1: Bellman residual {:.3g} <= tolerance; no sup-norm bound", residual + 0.0);
            }
            V.swap(TV);
            break;
        }
        // A run that makes no headway stops and says what to try (a changed hard policy is
        // progress: policy iteration never revisits one, though its bound may wait for it, e.g.
        // along a chain, where the greedy policy turns one state per improvement).
        if (it.stalled(bound, alpha == 0.0 && changed, kStallImprovements, "improvements", stall_advice(eval, alpha))) break;
        if (eval == Evaluation::sweeps) V.swap(TV);  // TV is the first sweep of the next evaluation
    }
    if (!it.converged() && it.count() > 0) sol.error_bound = certified_step(m, op, V, opt.threads);
    sol.values = std::move(V);
    // The working tables go before the result's are made: the peak is two tables of R, not four.
    std::vector<double>().swap(TV);
    std::vector<double>().swap(q);
    std::vector<double>().swap(pi);
    finish_rows(m, op, sol, opt);
    it.finish(sol);
    return sol;
}

}  // namespace detail

// A Newton step after an iterative solve of a small model: evaluate the final policy exactly
// (sparse LU) and keep V^pi when it comes with a smaller certified bound (discount < 1) or Bellman
// residual (discount 1). The greedy policy of a converged hard solve is almost always optimal, and
// then V^pi = V* to rounding; for soft policies the step is quadratically convergent.
template <Regularised Op>
void refine_with_exact_evaluation(const Model& m, const Op& op, Solution& sol, const SolverOptions& opt) {
    if (!sol.converged || !use_sparse_lu(m)) return;
    // A small model (sparse LU applies): the policy table, also when the solution does not keep it.
    std::vector<double> kept_policy;
    if (sol.policy.size() != m.num_rows()) {
        std::vector<double> q(m.num_rows());
        kept_policy.assign(m.num_rows(), 0.0);
        compute_q(m, sol.values, q, opt.threads);
        policy_from_q(m, op, q, kept_policy, {}, opt.threads);
    }
    const std::span<const double> policy = kept_policy.empty() ? std::span<const double>(sol.policy) : std::span<const double>(kept_policy);
    SolverOptions eo;
    eo.tolerance = 1e-300;  // no polish sweeps beyond the two minimum: the LU solution is what we test
    eo.max_iterations = 1;
    eo.threads = opt.threads;
    std::vector<double> V;
    try {
        V = evaluate_policy_exact(m, policy, op, eo).values;
    } catch (const std::exception&) {
        return;  // singular (an improper policy at discount 1): keep the iterative answer
    }
    std::vector<double> TV(V.size());
    const SweepStats st = jacobi_sweep(m, op, V, TV, opt.threads);
    if (!std::isfinite(st.hi - st.lo)) return;
    const double gamma = m.discount();
    if (gamma < 1.0) {
        const double c = gamma / (1.0 - gamma);
        const double bound = c * (st.hi - st.lo) / 2.0 + rounding_slack(m, st.vmax);
        if (!sol.error_bound || bound >= *sol.error_bound) return;
        sol.error_bound = move_to_midpoint(m, TV, st.lo, st.hi);
        sol.values.swap(TV);
    } else {
        std::vector<double> Told(V.size());  // only discount 1 needs the old iterate's residual
        const SweepStats old = jacobi_sweep(m, op, sol.values, Told, opt.threads);
        if (std::max(-st.lo, st.hi) >= std::max(-old.lo, old.hi)) return;
        sol.values.swap(V);
    }
    SolverOptions ro = opt;
    ro.keep_rows = sol.q.size() == m.num_rows();
    finish_rows(m, op, sol, ro);
}

// Policy iteration with operator op and evaluation `eval` (the method name is left empty).
template <Regularised Op>
Solution policy_iteration(const Model& m, const Op& op, Evaluation eval, const SolverOptions& opt = {}) {
    return detail::policy_iteration_impl(m, op, eval, opt);
}

// Policy iteration: exact evaluation, greedy improvement; stops when the policy is stable.
inline Solution policy_iteration(const Model& m, const SolverOptions& opt = {}) {
    auto sol = detail::policy_iteration_impl(m, HardMax{}, Evaluation::exact, opt);
    sol.method = "pi";
    return sol;
}

// Soft policy iteration: exact soft evaluation, pi <- softmax(Q^pi / alpha).
inline Solution soft_policy_iteration(const Model& m, double alpha, const SolverOptions& opt = {}) {
    auto sol = alpha == 0.0 ? detail::policy_iteration_impl(m, HardMax{}, Evaluation::exact, opt)
                            : detail::policy_iteration_impl(m, LogSumExp{alpha}, Evaluation::exact, opt);
    sol.method = "soft-pi";
    return sol;
}

// Inexact (Newton-Krylov) policy iteration, hard or soft: each evaluation a matrix-free,
// Gauss-Seidel-preconditioned GMRES(m) or BiCGSTAB solve (opt.krylov) stopped at the forcing
// tolerance; stops on the MacQueen bound of the final V only.
inline Solution inexact_policy_iteration(const Model& m, double alpha = 0.0, const SolverOptions& opt = {}) {
    auto sol = alpha == 0.0 ? detail::policy_iteration_impl(m, HardMax{}, Evaluation::inexact, opt)
                            : detail::policy_iteration_impl(m, LogSumExp{alpha}, Evaluation::inexact, opt);
    sol.method = alpha == 0.0 ? "ipi" : "soft-ipi";
    return sol;
}

// Modified policy iteration: opt.evaluation_sweeps sweeps of T_pi per improvement.
inline Solution modified_policy_iteration(const Model& m, double alpha = 0.0, const SolverOptions& opt = {}) {
    auto sol = alpha == 0.0 ? detail::policy_iteration_impl(m, HardMax{}, Evaluation::sweeps, opt)
                            : detail::policy_iteration_impl(m, LogSumExp{alpha}, Evaluation::sweeps, opt);
    sol.method = alpha == 0.0 ? "mpi" : "soft-mpi";
    return sol;
}

}  // namespace softmdp
