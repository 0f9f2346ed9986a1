#include "softmdp/analysis/occupancy.hpp"

#include <Eigen/SparseCore>
#include <Eigen/SparseLU>
#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <limits>

#include "softmdp/core/errors.hpp"
#include "softmdp/core/stopwatch.hpp"
#include "softmdp/solvers/numerical.hpp"
#include "softmdp/solvers/policy_evaluation.hpp"

namespace softmdp {
namespace {

constexpr double kUnit = std::numeric_limits<double>::epsilon() / 2;  // unit roundoff u

std::vector<double> start_measure(const Model& m, std::span<const double> rho, std::size_t allowed_multiple) {
    if (rho.empty()) return {m.initial().begin(), m.initial().end()};
    if (rho.size() != m.num_states() && rho.size() != allowed_multiple * m.num_states())
        throw UsageError(fmt::format("occupancy: the start measure has {} entries for {} states", rho.size(), m.num_states()));
    for (double x : rho)
        if (!std::isfinite(x)) throw UsageError("occupancy: the start measure must be finite");
    return {rho.begin(), rho.end()};
}

// y += gamma P_pi^T x (scatter over the rows); terminal states have no rows.
void add_transposed(const Model& m, std::span<const double> pi, double gamma, std::span<const double> x, std::span<double> y) {
    const ModelData& d = m.data();
    for (std::size_t s = 0; s < m.num_states(); ++s) {
        if (x[s] == 0.0) continue;
        for (Offset r = d.state_begin[s]; r < d.state_begin[s + 1]; ++r) {
            const double w = gamma * pi[r] * x[s];
            if (w == 0.0) continue;
            for (Offset k = d.row_begin[r]; k < d.row_begin[r + 1]; ++k) y[d.transitions[k].next] += w * d.transitions[k].prob();
        }
    }
}

// The most terms one entry of P_pi^T x sums (its in-degree under pi; every row when pi is empty),
// + 1 for rho.
std::size_t max_in_terms(const Model& m, std::span<const double> pi) {
    const ModelData& d = m.data();
    std::vector<std::uint32_t> count(m.num_states(), 1);
    for (Offset r = 0; r < m.num_rows(); ++r)
        if (pi.empty() || pi[r] != 0.0)
            for (Offset k = d.row_begin[r]; k < d.row_begin[r + 1]; ++k) ++count[d.transitions[k].next];
    std::size_t n = 1;
    for (auto c : count) n = std::max<std::size_t>(n, c);
    return n;
}

double l1(std::span<const double> v) {
    double s = 0.0;
    for (double x : v) s += std::abs(x);
    return s;
}

using SpMat = Eigen::SparseMatrix<double, Eigen::ColMajor, std::int64_t>;

// A^T = I - gamma P_pi^T, the evaluation system of policy_evaluation.hpp transposed, for the sparse
// LU. Its column s is row s of I - gamma P_pi: state s's successors under pi, so it is written
// column by column straight from the CSR (entries of one column merged and sorted, as Eigen's
// compressed format requires), without the sort of a triplet list.
SpMat assemble_transposed(const Model& m, std::span<const double> pi) {
    const ModelData& d = m.data();
    const std::size_t S = m.num_states();
    const double gamma = m.discount();
    std::vector<std::int64_t> outer(S + 1, 0), inner;
    std::vector<double> values;
    inner.reserve(S + m.num_transitions());
    values.reserve(S + m.num_transitions());
    std::vector<std::pair<std::int64_t, double>> column;
    for (std::size_t s = 0; s < S; ++s) {
        column.assign(1, {static_cast<std::int64_t>(s), 1.0});
        for (Offset r = m.row_first(s); r < m.row_last(s); ++r) {
            if (pi[r] == 0.0) continue;
            for (Offset k = d.row_begin[r]; k < d.row_begin[r + 1]; ++k)
                column.emplace_back(static_cast<std::int64_t>(d.transitions[k].next), -gamma * pi[r] * d.transitions[k].prob());
        }
        std::sort(column.begin(), column.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        for (const auto& [row, v] : column) {
            if (static_cast<std::size_t>(outer[s]) < inner.size() && inner.back() == row) values.back() += v;
            else inner.push_back(row), values.push_back(v);
        }
        outer[s + 1] = static_cast<std::int64_t>(inner.size());
    }
    const auto n = static_cast<std::int64_t>(S);
    return Eigen::Map<const SpMat>(n, n, static_cast<std::int64_t>(inner.size()), outer.data(), inner.data(), values.data());
}

double dot(std::span<const double> a, std::span<const double> b) {
    double x = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) x += a[i] * b[i];
    return x;
}

// y = (I - gamma P_pi^T) x, matrix-free from the CSR.
void apply_transposed(const Model& m, std::span<const double> pi, std::span<const double> x, std::span<double> y) {
    std::copy(x.begin(), x.end(), y.begin());
    add_transposed(m, pi, -m.discount(), x, y);
}

// BiCGSTAB (van der Vorst 1992) on (I - gamma P_pi^T) x = rho, right-preconditioned by the diagonal
// 1 - gamma P_pi(s,s), matrix-free: no assembled matrix (which cost as much as the solve at 10^5
// states). Stops at ||rho - A x||_2 <= tol ||rho||_2 or 1000 iterations; the caller's polish sweeps
// certify whatever it returns.
void transposed_bicgstab(const Model& m, std::span<const double> pi, std::span<const double> rho, std::vector<double>& x, double tol) {
    const std::size_t S = m.num_states();
    const ModelData& d = m.data();
    std::vector<double> inv_diag(S, 1.0);
    for (std::size_t s = 0; s < S; ++s) {
        double self = 0.0;
        for (Offset r = m.row_first(s); r < m.row_last(s); ++r)
            for (Offset k = d.row_begin[r]; k < d.row_begin[r + 1]; ++k)
                if (d.transitions[k].next == s) self += pi[r] * d.transitions[k].prob();
        const double diag = 1.0 - m.discount() * self;
        if (diag > 0.0) inv_diag[s] = 1.0 / diag;
    }
    std::vector<double> r(rho.begin(), rho.end()), r0, p(S, 0.0), v(S, 0.0), y(S), z(S), t(S), ax(S);
    apply_transposed(m, pi, x, ax);
    for (std::size_t s = 0; s < S; ++s) r[s] -= ax[s];
    r0 = r;
    const double target = tol * std::sqrt(dot(rho, rho));
    double rho_old = 1.0, alpha = 1.0, omega = 1.0;
    for (int it = 0; it < 1000 && std::sqrt(dot(r, r)) > target; ++it) {
        const double rho_new = dot(r0, r);
        if (rho_new == 0.0 || omega == 0.0) break;  // breakdown: the polish takes over
        const double beta = (rho_new / rho_old) * (alpha / omega);
        for (std::size_t s = 0; s < S; ++s) p[s] = r[s] + beta * (p[s] - omega * v[s]);
        for (std::size_t s = 0; s < S; ++s) y[s] = inv_diag[s] * p[s];
        apply_transposed(m, pi, y, v);
        const double r0v = dot(r0, v);
        if (r0v == 0.0) break;
        alpha = rho_new / r0v;
        for (std::size_t s = 0; s < S; ++s) r[s] -= alpha * v[s];  // r is now s = r - alpha v
        for (std::size_t s = 0; s < S; ++s) z[s] = inv_diag[s] * r[s];
        apply_transposed(m, pi, z, t);
        const double tt = dot(t, t);
        omega = tt > 0.0 ? dot(t, r) / tt : 0.0;
        for (std::size_t s = 0; s < S; ++s) {
            x[s] += alpha * y[s] + omega * z[s];
            r[s] -= omega * t[s];
        }
        rho_old = rho_new;
    }
}

// Power iteration x <- rho + gamma P_pi^T x with Aitken extrapolation, for fast-mixing models
// (random graphs), where it needs fewer products than BiCGSTAB (two per iteration): 23 against 42
// on the IRL benchmark's 10^5-state Garnet. The error after k sweeps is (gamma P_pi^T)^k e_0; when
// the ratio of successive l1 changes r_k = |d_k| / |d_(k-1)| settles (the slowest mode dominates),
// the remaining error is about sum_(j>k) d_j = r/(1 - r) d_k, which is added (the transposed
// analogue of value iteration's MacQueen midpoint; it removes the mass mode at once). Starts from
// rho/(1 - gamma), which has the total mass of x* when no state is terminal. Stops at
// |d_k|_1 <= target; gives up (false, x the last iterate, a good start for BiCGSTAB) when the settled
// ratio predicts more sweeps than the budget left (slow mixing: local models) or the change stops
// falling (the rounding floor). Nothing here is trusted: the caller's polish sweeps certify x.
bool extrapolated_power(const Model& m, std::span<const double> pi, std::span<const double> rho, bool has_terminal,
                        std::vector<double>& x, double target, std::uint64_t& products) {
    constexpr int kBudget = 60;  // products, before handing over to BiCGSTAB
    const std::size_t S = m.num_states();
    const double gamma = m.discount();
    for (std::size_t s = 0; s < S; ++s) x[s] = has_terminal ? rho[s] : rho[s] / (1.0 - gamma);
    std::vector<double> y(S), d(S);
    double previous = std::numeric_limits<double>::infinity(), previous_ratio = -1.0;
    int rising = 0;
    for (int k = 1; k <= kBudget; ++k) {
        std::copy(rho.begin(), rho.end(), y.begin());
        add_transposed(m, pi, gamma, x, y);
        ++products;
        double change = 0.0;
        for (std::size_t s = 0; s < S; ++s) change += std::abs(d[s] = y[s] - x[s]);
        x.swap(y);
        if (!std::isfinite(change)) return false;
        if (change <= target) return true;
        const double ratio = change / previous;
        rising = ratio >= 1.0 ? rising + 1 : 0;
        if (rising >= 2) return false;
        if (ratio > 0.0 && ratio < 1.0 && std::abs(ratio - previous_ratio) <= 1e-3 * ratio) {
            const double w = ratio / (1.0 - ratio);
            for (std::size_t s = 0; s < S; ++s) x[s] += w * d[s];
            previous = std::numeric_limits<double>::infinity(), previous_ratio = -1.0;  // a fresh ratio next
            continue;
        }
        // A settled ratio that leaves the target out of reach within the budget: slow mixing.
        if (k >= 8 && ratio > 0.0 && ratio < 1.0 && std::log(target / change) / std::log(ratio) > kBudget - k) return false;
        previous = change, previous_ratio = ratio;
    }
    return false;
}

void check_stationary(const Model& m, std::span<const double> pi) {
    if (pi.size() != m.num_rows())
        throw UsageError(fmt::format("occupancy: the policy has {} entries for {} state-action pairs", pi.size(), m.num_rows()));
    check_policy(m, pi);
}

}  // namespace

Occupancy occupancy(const Model& m, std::span<const double> pi, std::span<const double> rho_in, const SolverOptions& opt) {
    const Stopwatch clock;
    check_stationary(m, pi);
    const std::vector<double> rho = start_measure(m, rho_in, 1);
    const std::size_t S = m.num_states();
    const double gamma = m.discount();

    Occupancy occ;
    std::vector<double> X(S, 0.0), Y(S);
    // The bound reported below: the iterate's l1 error widened by the terminal states' 1/(1 - gamma)
    // and the d(s,a) products; the loop stops on that same number, so "converged" means the reported
    // bound meets the tolerance.
    bool has_terminal = false;
    for (std::size_t s = 0; s < S; ++s) has_terminal = has_terminal || m.is_terminal(s);
    const double scale = has_terminal && gamma < 1.0 ? 1.0 / (1.0 - gamma) : 1.0;
    if (use_sparse_lu(m)) {  // the same choice as the evaluation (policy_evaluation.hpp)
        occ.method = "sparse-lu";
        Eigen::SparseLU<SpMat> lu;
        lu.compute(assemble_transposed(m, pi));
        if (lu.info() != Eigen::Success)
            numerical_failure(m, 0.0, "occupancy",
                              fmt::format("(I - gamma P_pi^T) x = rho is singular in floating point (discount {}): under this "
                                          "policy some state reaches no terminal state",
                                          gamma));
        const Eigen::VectorXd x = lu.solve(Eigen::Map<const Eigen::VectorXd>(rho.data(), static_cast<Eigen::Index>(S)));
        if (x.allFinite()) X.assign(x.data(), x.data() + x.size());  // else the polish starts from 0
    } else {
        // Fast-mixing models: extrapolated power iteration to a quarter of the change the polish
        // below accepts (|d|_1 gamma/(1 - gamma) (scale + 1) <= tolerance); BiCGSTAB otherwise, or
        // from where the power iteration gave up.
        std::uint64_t products = 0;
        const double power_target = 0.25 * opt.tolerance * (1.0 - gamma) / (gamma * (scale + 1.0));
        if (gamma < 1.0 && gamma > 0.0 && extrapolated_power(m, pi, rho, has_terminal, X, power_target, products)) {
            occ.method = "power-extrapolated";
        } else {
            occ.method = "bicgstab";
            for (double& v : X)
                if (!std::isfinite(v)) v = 0.0;
            transposed_bicgstab(m, pi, rho, X, std::max(1e-15, opt.tolerance * (1.0 - gamma) * 1e-2));
        }
        for (double& v : X)
            if (!std::isfinite(v)) v = 0.0;
    }

    // Polish and certify (bound derived in occupancy.hpp).
    const double terms = static_cast<double>(max_in_terms(m, pi));
    const double sum_slack = 1.0 + (static_cast<double>(S) + 2.0) * kUnit;  // rounding of the l1 norms
    const double rho1 = l1(rho);
    double bound = std::numeric_limits<double>::infinity();
    const auto reported = [&](double b) { return b * (scale + 1.0) + 2.0 * kUnit * l1(X) * (scale + 1.0); };
    double previous_bound = std::numeric_limits<double>::infinity();
    for (std::uint64_t k = 0; k < std::max<std::uint64_t>(opt.max_iterations, 1); ++k) {
        std::copy(rho.begin(), rho.end(), Y.begin());
        add_transposed(m, pi, gamma, X, Y);
        ++occ.sweeps;
        double change = 0.0;
        for (std::size_t s = 0; s < S; ++s) change += std::abs(Y[s] - X[s]);
        X.swap(Y);
        if (!std::isfinite(change)) numerical_failure(m, 0.0, "occupancy", "the visitation became non-finite");
        if (gamma < 1.0) {
            const double rounding = (terms + 1.0) * kUnit * (rho1 + gamma * l1(Y)) * sum_slack;
            bound = (gamma * change * sum_slack + rounding) / (1.0 - gamma);
            if (reported(bound) <= opt.tolerance) {
                occ.converged = true;
                break;
            }
            // At the rounding floor the bound stops shrinking: more sweeps cannot meet a tolerance
            // below it (reported as not converged, with the bound reached).
            if (k > 0 && bound >= previous_bound) break;
            previous_bound = bound;
        } else if (change <= opt.tolerance) {
            occ.converged = true;
            break;
        }
        if (clock.seconds() >= opt.time_limit) break;
    }
    // d(s,a) = x(s) pi(a|s): one rounding per product; terminal states absorb x(s)/(1 - gamma).
    occ.state_actions.assign(m.num_rows(), 0.0);
    occ.states = X;
    for (std::size_t s = 0; s < S; ++s) {
        for (Offset r = m.row_first(s); r < m.row_last(s); ++r) occ.state_actions[r] = X[s] * pi[r];
        if (m.is_terminal(s)) {
            occ.states[s] = gamma < 1.0 ? X[s] / (1.0 - gamma) : (X[s] == 0.0 ? 0.0 : std::numeric_limits<double>::infinity());
        }
    }
    if (gamma < 1.0) {
        // states: |x - x*| per state, scaled by 1/(1 - gamma) on terminal ones; state_actions: |x - x*|
        // on the non-terminal ones; plus the products' rounding.
        occ.error_bound = reported(bound);
        occ.converged = *occ.error_bound <= opt.tolerance;
        if (!occ.converged) occ.reason = fmt::format("stopped with certified l1 error {:.3g} above the tolerance", *occ.error_bound);
    } else {
        occ.reason = "discount 1: no certified bound (P_pi^T is not a contraction)";
    }
    occ.seconds = clock.seconds();
    return occ;
}

Occupancy finite_horizon_occupancy(const Model& m, std::span<const double> pi, std::uint64_t horizon, std::span<const double> rho_in) {
    const Stopwatch clock;
    if (horizon == 0) throw UsageError(fmt::format("{} must be at least 1", param("horizon")));
    const std::size_t S = m.num_states(), R = m.num_rows();
    const bool timed = pi.size() != R;
    if (timed && pi.size() != horizon * R)
        throw UsageError(fmt::format("occupancy: the policy has {} entries: give {} (stationary) or horizon x {} (time-indexed)",
                                     pi.size(), R, R));
    for (std::uint64_t t = 0; t < (timed ? horizon : 1); ++t) check_policy(m, pi.subspan(t * R, R));
    const std::vector<double> rho = start_measure(m, rho_in, horizon);
    const bool sourced = rho.size() != S;
    const double gamma = m.discount();
    const double terms = static_cast<double>(max_in_terms(m, timed ? std::span<const double>{} : pi));

    Occupancy occ;
    occ.horizon = horizon;
    occ.method = "forward-recursion";
    occ.states.assign(S, 0.0);
    occ.state_actions.assign(R, 0.0);
    std::vector<double> x(rho.begin(), rho.begin() + static_cast<std::ptrdiff_t>(S)), next(S);
    double err = 0.0, total_err = 0.0;  // a-priori rounding: of x_t (l1), and of the sums into d
    for (std::uint64_t t = 0; t < horizon; ++t) {
        const auto pit = timed ? pi.subspan(t * R, R) : pi;
        for (std::size_t s = 0; s < S; ++s) {
            occ.states[s] += x[s];
            for (Offset r = m.row_first(s); r < m.row_last(s); ++r) occ.state_actions[r] += x[s] * pit[r];
        }
        total_err += 2.0 * err + 2.0 * kUnit * (static_cast<double>(t) + 2.0) * l1(x);
        if (t + 1 == horizon) break;
        if (sourced) std::copy_n(rho.begin() + static_cast<std::ptrdiff_t>((t + 1) * S), S, next.begin());
        else std::fill(next.begin(), next.end(), 0.0);
        add_transposed(m, pit, gamma, x, next);
        for (std::size_t s = 0; s < S; ++s)
            if (m.is_terminal(s)) next[s] += gamma * x[s];  // absorbing
        // P_pi^T is non-expansive in l1: earlier errors carry over at most once each step.
        err = gamma * err + (terms + 1.0) * kUnit * (l1(next) + gamma * l1(x));
        x.swap(next);
        for (double v : x)
            if (!std::isfinite(v)) numerical_failure(m, 0.0, "occupancy", "the visitation became non-finite");
    }
    occ.error_bound = total_err;
    occ.converged = true;
    occ.seconds = clock.seconds();
    return occ;
}

OccupancySummary summarise(const Model& m, const Occupancy& occ) {
    OccupancySummary sum;
    for (double x : occ.states) sum.total += x;
    for (Offset r = 0; r < m.num_rows(); ++r) sum.expected_return += occ.state_actions[r] * m.row_reward(r);
    return sum;
}

}  // namespace softmdp
