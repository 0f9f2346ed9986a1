#include "softmdp/solvers/policy_evaluation.hpp"

#include "../core/fast_math.hpp"

#include <Eigen/IterativeLinearSolvers>
#include <Eigen/SparseCore>
#include <Eigen/SparseLU>
#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <limits>

#include "softmdp/core/iteration.hpp"
#include "softmdp/solvers/bellman.hpp"
#include "softmdp/core/errors.hpp"
#include "softmdp/solvers/numerical.hpp"

namespace softmdp {

std::string_view to_string(EntropyConvention c) { return c == EntropyConvention::state ? "state" : "action"; }

void check_policy(const Model& m, std::span<const double> pi, const std::string& source) {
    if (pi.size() != m.num_rows())
        throw InputError(fmt::format("policy has {} entries, the model has {} state-action pairs", pi.size(), m.num_rows()),
                         Location{source, {}, {}, {}});
    for (std::size_t s = 0; s < m.num_states(); ++s) {
        if (m.is_terminal(s)) continue;
        double sum = 0.0;
        for (Offset r = m.row_first(s); r < m.row_last(s); ++r) {
            if (!std::isfinite(pi[r]) || pi[r] < 0.0)
                throw InputError(fmt::format("probability must be finite and >= 0, got {}", pi[r]),
                                 Location{source, {}, fmt::format("state {}", m.state_name(s)),
                                          m.action_name(m.row_action(r))});
            sum += pi[r];
        }
        if (std::abs(sum - 1.0) > 1e-9)
            throw InputError(fmt::format("probabilities over the available actions sum to {:.17g}, not 1", sum),
                             Location{source, {}, fmt::format("state {}", m.state_name(s)), {}});
    }
}

std::pair<double, double> policy_sweep(const Model& m, std::span<const double> pi, std::span<const double> bonus,
                                       std::span<const double> V, std::span<double> Vout, int threads) {
    const ModelData& d = m.data();
    const auto S = static_cast<std::int64_t>(m.num_states());
    const auto backup = [&](std::size_t s) {
        double v = 0.0;
        if (d.state_begin[s] != d.state_begin[s + 1]) {
            for (Offset r = d.state_begin[s]; r < d.state_begin[s + 1]; ++r)
                if (pi[r] != 0.0) v += pi[r] * q_value(d, r, V.data());
            v += bonus[s];
        }
        Vout[s] = v;
        return v - V[s];
    };
    double lo = 0.0, hi = 0.0;
    const int nt = sweep_threads(m, threads);
    if (nt == 1) {  // outside any parallel region (compute_q in bellman.cpp says why)
        for (std::int64_t si = 0; si < S; ++si) {
            const double dv = backup(static_cast<std::size_t>(si));
            lo = std::min(lo, dv), hi = std::max(hi, dv);
        }
        return {lo, hi};
    }
#pragma omp parallel for schedule(static) reduction(min : lo) reduction(max : hi) num_threads(nt)
    for (std::int64_t si = 0; si < S; ++si) {
        const double dv = backup(static_cast<std::size_t>(si));
        lo = std::min(lo, dv);
        hi = std::max(hi, dv);
    }
    return {lo, hi};
}

void to_action_convention(const Model& m, Solution& sol, double alpha) {
    for (Offset r = 0; r < m.num_rows(); ++r) {
        if (alpha == 0.0) continue;
        sol.q[r] = sol.policy[r] > 0.0 ? sol.q[r] - alpha * std::log(sol.policy[r])
                                       : std::numeric_limits<double>::infinity();
    }
}

namespace {

// A regularisation bonus per state, as regularisation_bonus computes it for a valid policy.
void check_bonus(const Model& m, std::span<const double> bonus) {
    if (bonus.size() != m.num_states())
        throw UsageError(fmt::format("regularisation bonus has {} entries, the model has {} states", bonus.size(), m.num_states()));
}

// Fills q, policy, the residual bound and the method of an evaluation result.
void finish(const Model& m, Solution& sol, std::span<const double> pi, std::span<const double> bonus,
            const SolverOptions& opt, EntropyConvention convention, const Iteration& it) {
    std::vector<double> TV(m.num_states());
    const auto [l, u] = policy_sweep(m, pi, bonus, sol.values, TV, opt.threads);
    const double residual = std::max(-l, u);
    // Both ||T_pi V - V||/(1-gamma) and an earlier bound (Gauss-Seidel's) are sound: keep the smaller.
    if (m.discount() < 1.0) sol.error_bound = std::min(sol.error_bound.value_or(INFINITY), residual / (1.0 - m.discount()) + rounding_slack(m, max_abs(sol.values)));
    else sol.reason = "discount 1: no sup-norm bound; residual " + fmt::format("{:.3g}", residual);
    // Without keep_rows no tables: two fresh vectors of R per evaluation (policy iteration's
    // evaluations use evaluate_values_exact, which never builds them).
    if (opt.keep_rows) {
        sol.q.resize(m.num_rows());
        compute_q(m, sol.values, sol.q, opt.threads);
        sol.policy.assign(pi.begin(), pi.end());
        if (convention == EntropyConvention::action) to_action_convention(m, sol, sol.alpha);
    }
    sol.seconds = it.seconds();
    require_finite(m, sol, "policy evaluation");
}

// The exact evaluation of a model whose transitions stay within a narrow band (gridworlds, chains:
// bandwidth b = max |s' - s| small) at discount < 1: Gaussian elimination of A = I - gamma P_pi in band
// storage, without pivoting. Every non-terminal row of A is strictly diagonally dominant (diagonal
// 1 - gamma p_pi(s|s) exceeds the off-diagonal sum gamma (1 - p_pi(s|s)) by at least 1 - gamma),
// terminal rows are the identity; elimination keeps rows diagonally dominant, so no pivot is needed,
// the growth factor is at most 2 and the factors stay in the band: S b^2 multiply-adds, without
// Eigen's SparseLU symbolic analysis, ordering and allocations, which cost 20 to 100 times more on a
// 400-state gridworld (the IRL inner loop's size). Up to kBandLuWork (use_band_lu,
// policy_evaluation.hpp); the caller's polish sweeps certify the result either way. Empty when a
// pivot is not positive (cannot happen for a valid policy; then the sparse LU decides).
// Row s of (I - gamma P_pi) V = r_pi + bonus, for the direct solvers below: calls
// off(s', -gamma pi(a|s) P(s'|s,a)) for every transition of a played action (the diagonal 1 is the
// caller's) and returns the right-hand side r_pi(s) + bonus(s). Terminal states have no such row:
// their equation is V(s) = 0.
template <class Off>
double evaluation_row(const Model& m, std::span<const double> pi, std::span<const double> bonus, std::size_t s, Off&& off) {
    const ModelData& d = m.data();
    const double gamma = m.discount();
    double rs = bonus[s];
    for (Offset r = m.row_first(s); r < m.row_last(s); ++r) {
        if (pi[r] == 0.0) continue;
        rs += pi[r] * d.row_reward[r];
        for (Offset t = d.row_begin[r]; t < d.row_begin[r + 1]; ++t) off(d.transitions[t].next, -gamma * pi[r] * d.transitions[t].prob());
    }
    return rs;
}

// The forward elimination of band_solve on S rows of width 2b + 1 (x: the right-hand side), in
// place; false at a pivot that is not positive. Its inner loop (b multiply-adds) is most of a small
// soft-pi solve: compiled for AVX-512, AVX2+FMA and baseline (fast_math.hpp).
SOFTMDP_SIMD_CLONES
bool band_eliminate(double* band, double* x, std::size_t S, std::size_t b) noexcept {
    const std::size_t w = 2 * b + 1;
    for (std::size_t k = 0; k < S; ++k) {
        const double* rk = band + k * w;
        const double pivot = rk[b];
        if (!(pivot > 0.0)) return false;
        const std::size_t last = std::min(S - 1, k + b);
        for (std::size_t i = k + 1; i <= last; ++i) {
            double* ri = band + i * w;
            const double l = ri[k + b - i] / pivot;  // A(i, k)
            if (l == 0.0) continue;
            double* dst = ri + (k + 1 + b - i);  // A(i, k + 1 .. last)
            const double* src = rk + b + 1;      // A(k, k + 1 .. last)
            for (std::size_t j = 0; j < last - k; ++j) dst[j] -= l * src[j];
            x[i] -= l * x[k];
        }
    }
    return true;
}

std::vector<double> band_solve(const Model& m, std::span<const double> pi, std::span<const double> bonus) {
    const std::size_t S = m.num_states(), b = m.bandwidth(), w = 2 * b + 1;
    thread_local std::vector<double> band;  // reused: a fresh one page-faults on every solve
    band.assign(S * w, 0.0);
    std::vector<double> x(S, 0.0);
    for (std::size_t s = 0; s < S; ++s) {  // row s holds columns s - b .. s + b
        double* row = band.data() + s * w;
        row[b] = 1.0;
        if (m.is_terminal(s)) continue;
        x[s] = evaluation_row(m, pi, bonus, s, [&](std::size_t next, double a) { row[next + b - s] += a; });
    }
    if (!band_eliminate(band.data(), x.data(), S, b)) return {};
    for (std::size_t k = S; k-- > 0;) {
        const double* rk = band.data() + k * w;
        double sum = x[k];
        const std::size_t last = std::min(S - 1, k + b);
        for (std::size_t j = k + 1; j <= last; ++j) sum -= rk[j + b - k] * x[j];
        x[k] = sum / rk[b];
    }
    return x;
}

// (I - gamma P_pi) V = r_pi + bonus by Eigen: sparse LU where use_sparse_lu, else BiCGSTAB.
std::vector<double> sparse_solve(const Model& m, std::span<const double> pi, std::span<const double> bonus, double alpha,
                                 const SolverOptions& opt) {
    const std::size_t S = m.num_states();
    const double gamma = m.discount();
    // A = I - gamma P_pi (row s: state s), b = r_pi + alpha H_pi; terminal rows are V(s) = 0.
    using SpMat = Eigen::SparseMatrix<double, Eigen::ColMajor, std::int64_t>;
    std::vector<Eigen::Triplet<double, std::int64_t>> triplets;
    triplets.reserve(S + m.num_transitions());
    Eigen::VectorXd b = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(S));
    for (std::size_t s = 0; s < S; ++s) {
        const auto si = static_cast<std::int64_t>(s);
        triplets.emplace_back(si, si, 1.0);
        if (m.is_terminal(s)) continue;
        b[si] = evaluation_row(m, pi, bonus, s, [&](std::size_t next, double a) { triplets.emplace_back(si, static_cast<std::int64_t>(next), a); });
    }
    SpMat A(static_cast<std::int64_t>(S), static_cast<std::int64_t>(S));
    A.setFromTriplets(triplets.begin(), triplets.end());
    triplets = {};

    Eigen::VectorXd x;
    // Sparse LU where its fill stays small (use_sparse_lu); else BiCGSTAB (I - gamma P_pi is
    // diagonally dominant) and the Jacobi polish below.
    if (use_sparse_lu(m)) {
        Eigen::SparseLU<SpMat> lu;
        lu.compute(A);
        if (lu.info() == Eigen::Success) {
            x = lu.solve(b);
            // A direct solve that overflows means V^pi itself is beyond the doubles: falling back
            // to the guess below would let policy iteration repeat this evaluation for ever.
            if (!x.allFinite()) numerical_failure(m, alpha, "policy evaluation", "the solution of (I - gamma P_pi) V = r_pi is not finite");
        } else {
            // Discount 1 with a policy that terminates from every state in exact arithmetic can
            // still be singular in doubles (a probability to the terminal state below the rounding of
            // 1, a softmax weight underflowed to 0): a numerical failure, not a bad file.
            numerical_failure(m, alpha, "policy evaluation",
                              fmt::format("the linear system (I - gamma P_pi) V = r_pi is singular in floating point "
                                          "(discount {}): under this policy some state reaches no terminal state",
                                          gamma));
        }
    } else {
        Eigen::BiCGSTAB<SpMat, Eigen::DiagonalPreconditioner<double>> solver;
        solver.setTolerance(std::max(1e-15, opt.tolerance * (1.0 - gamma) * 1e-2));
        solver.setMaxIterations(1000);
        solver.compute(A);
        // Warm start (policy iteration passes the previous policy's values): successive policies
        // differ in few states, and near gamma = 1 a cold start needs far more iterations.
        if (opt.initial_values.size() == S) {
            const Eigen::VectorXd guess = Eigen::Map<const Eigen::VectorXd>(opt.initial_values.data(), static_cast<Eigen::Index>(S));
            x = solver.solveWithGuess(b, guess);
        } else {
            x = solver.solve(b);
        }
    }
    // A Krylov solve that stopped short is still far closer than 0 (or the guess): the polish below
    // and the caller's bound decide what it is worth. Only a non-finite solution is dropped.
    if (x.allFinite()) return {x.data(), x.data() + x.size()};
    if (opt.initial_values.size() == S) return {opt.initial_values.begin(), opt.initial_values.end()};
    return std::vector<double>(S, 0.0);
}

}  // namespace

namespace {

// The values of the exact evaluation into sol.values (band or sparse solve, then Jacobi polish
// sweeps until the residual certifies opt.tolerance, usually 0 or 1), counted by it; the limits stop
// the polish without a sentence: the caller's bound says what the values are worth.
void exact_values(const Model& m, std::span<const double> pi, std::span<const double> bonus, double alpha,
                  const SolverOptions& opt, Iteration& it, Solution& sol) {
    check_policy(m, pi);
    check_bonus(m, bonus);
    const std::size_t S = m.num_states();
    const double gamma = m.discount();
    std::vector<double> band = use_band_lu(m) ? band_solve(m, pi, bonus) : std::vector<double>{};
    const bool banded = !band.empty() && std::all_of(band.begin(), band.end(), [](double v) { return std::isfinite(v); });
    sol.values = banded ? std::move(band) : sparse_solve(m, pi, bonus, alpha, opt);
    std::vector<double> TV(S);
    for (;;) {
        if (it.count() >= opt.max_iterations) {
            it.halt(Stop::iteration_limit, {});
            break;
        }
        const auto [l, u] = policy_sweep(m, pi, bonus, sol.values, TV, opt.threads);
        it.count_step();
        const double residual = std::max(-l, u);
        if (!std::isfinite(residual)) numerical_failure(m, alpha, "policy evaluation", "the values became non-finite");
        if (it.reached(gamma == 1.0 ? residual <= opt.tolerance
                                    : residual / (1.0 - gamma) + rounding_slack(m, max_abs(sol.values)) <= opt.tolerance))
            break;
        if (it.seconds() >= opt.time_limit) {
            it.halt(Stop::time_limit, {});
            break;
        }
        sol.values.swap(TV);
    }
}

}  // namespace

ExactValues evaluate_values_exact(const Model& m, std::span<const double> pi, std::span<const double> bonus, double alpha,
                                  const SolverOptions& opt) {
    Iteration it(opt, "");
    Solution sol;
    exact_values(m, pi, bonus, alpha, opt, it, sol);
    return {std::move(sol.values), it.converged(), it.count()};
}

Solution evaluate_regularised_exact(const Model& m, std::span<const double> pi, std::span<const double> bonus, double alpha,
                                    const SolverOptions& opt, EntropyConvention convention) {
    Iteration it(opt, "");
    Solution sol;
    sol.method = "evaluate-exact";
    sol.alpha = alpha;
    exact_values(m, pi, bonus, alpha, opt, it, sol);
    it.finish(sol);
    sol.sweeps = sol.iterations;
    sol.iterations = 1;  // one solve (the polish sweeps are its work)
    finish(m, sol, pi, bonus, opt, convention, it);
    return sol;
}

Solution evaluate_regularised_iterative(const Model& m, std::span<const double> pi, std::span<const double> bonus,
                                        double alpha, const SolverOptions& opt, EntropyConvention convention) {
    Iteration it(opt, "");
    check_policy(m, pi);
    check_bonus(m, bonus);
    const ModelData& d = m.data();
    const double gamma = m.discount();
    const double c = gamma < 1.0 ? gamma / (1.0 - gamma) : std::numeric_limits<double>::infinity();
    Solution sol;
    sol.method = "evaluate-iterative";
    sol.alpha = alpha;
    sol.values.assign(m.num_states(), 0.0);
    if (!opt.initial_values.empty()) sol.values.assign(opt.initial_values.begin(), opt.initial_values.end());
    auto& V = sol.values;
    while (!it.at_limit()) {
        double change = 0.0;
        for (std::size_t s = 0; s < m.num_states(); ++s) {  // Gauss-Seidel: a gamma-contraction
            double v = 0.0;
            if (!m.is_terminal(s)) {
                for (Offset r = d.state_begin[s]; r < d.state_begin[s + 1]; ++r)
                    if (pi[r] != 0.0) v += pi[r] * q_value(d, r, V.data());
                v += bonus[s];
            }
            change = std::max(change, std::abs(v - V[s]));
            V[s] = v;
        }
        it.count_step();
        if (!std::isfinite(change)) numerical_failure(m, alpha, "policy evaluation", "the values became non-finite");
        it.report(c * change);
        if (gamma < 1.0) sol.error_bound = c * change + rounding_slack(m, max_abs(V));
        if (it.reached(gamma < 1.0 ? c * change <= opt.tolerance : change <= opt.tolerance)) break;
    }
    it.finish(sol);
    sol.sweeps = sol.iterations;
    finish(m, sol, pi, bonus, opt, convention, it);
    return sol;
}

}  // namespace softmdp
