#include "softmdp/continuous/continuous_solver.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <limits>

#include "softmdp/core/iteration.hpp"
#include "softmdp/core/stopwatch.hpp"
#include "softmdp/core/threads.hpp"
#include "softmdp/core/errors.hpp"
#include "softmdp/continuous/importance_sampling.hpp"
#include "softmdp/core/resources.hpp"
#include "softmdp/continuous/quadrature.hpp"
#include "softmdp/core/random.hpp"

namespace softmdp {

namespace {

constexpr std::size_t kPanelOrder = 8;  // Gauss-Legendre nodes per panel of the refined grids

// The fixed integration points of one state: anchor weights w_k(a_j), action costs, log-weights.
struct StatePoints {
    std::vector<double> w;      // J x K
    std::vector<double> cost;   // -action_cost ||a_j||^2
    std::vector<double> log_weight;
};

// Bytes of the integration tables for J points per state: the points (J x d, while they are built)
// and per non-terminal state the anchor weights (J x K), the action costs and the log-weights.
double table_bytes(const ContinuousModel& m, double J) {
    double per_point = static_cast<double>(m.dim());
    for (std::size_t s = 0; s < m.num_states(); ++s)
        if (!m.is_terminal(s)) per_point += static_cast<double>(m.anchors[s].size()) + 2.0;
    return 8.0 * J * per_point;
}

// The tables may take half of the memory this process may use (the rest: model, values, the
// grid kept for comparison while the next is built).
double table_budget() { return 0.5 * static_cast<double>(usable_memory()); }

// The tables of state s at the points pts (J x d) with log-weights logw.
void fill_state(const ContinuousModel& m, std::size_t s, const std::vector<double>& pts, const std::vector<double>& logw,
                StatePoints& sp) {
    const std::size_t d = m.dim(), K = m.anchors[s].size(), J = logw.size();
    sp.w.resize(J * K);
    sp.cost.resize(J);
    sp.log_weight = logw;
    const PackedAnchors packed = m.pack_anchors(s);
    for (std::size_t j = 0; j < J; ++j) {
        const std::span<const double> a(pts.data() + j * d, d);
        m.anchor_weights(packed, a, std::span<double>(sp.w.data() + j * K, K));
        double norm2 = 0.0;
        for (double x : a) norm2 += x * x;
        sp.cost[j] = -m.action_cost * norm2;
    }
}

std::vector<StatePoints> grid_points(const ContinuousModel& m, const QuadratureGrid& g) {
    std::vector<StatePoints> out(m.num_states());
    for (std::size_t s = 0; s < m.num_states(); ++s)
        if (!m.is_terminal(s)) fill_state(m, s, g.points, g.log_weights, out[s]);
    return out;
}

// Uniform samples, one independent set per state from one generator: log weight log(vol / N).
std::vector<StatePoints> mc_points(const ContinuousModel& m, std::uint64_t samples, std::uint64_t seed) {
    const double need = table_bytes(m, static_cast<double>(samples)), have = table_budget();
    if (need > have)
        throw UsageError(fmt::format("{} {}: the Monte Carlo tables would need {:.3g} GiB, more than the {:.3g} GiB "
                                     "(half the usable memory) allowed; use fewer samples",
                                     param("samples"), samples, need / 0x1p30, have / 0x1p30));
    const std::size_t d = m.dim();
    std::vector<StatePoints> out(m.num_states());
    Rng rng(seed);
    std::vector<double> pts(samples * d);
    const std::vector<double> logw(samples, std::log(m.box_volume() / static_cast<double>(samples)));
    for (std::size_t s = 0; s < m.num_states(); ++s) {
        if (m.is_terminal(s)) continue;
        for (std::size_t j = 0; j < samples; ++j)
            for (std::size_t k = 0; k < d; ++k) pts[j * d + k] = rng.uniform(m.low[k], m.high[k]);
        fill_state(m, s, pts, logw, out[s]);
    }
    return out;
}

// f_j = Q_V(s, a_j) / alpha at the points of state s.
void scaled_q(const ContinuousModel& m, std::size_t s, double alpha, const StatePoints& sp, std::span<const double> V,
              std::vector<double>& G, std::vector<double>& f) {
    const std::size_t K = m.anchors[s].size(), J = sp.log_weight.size();
    G.resize(K);
    m.anchor_values(s, V, G);
    f.resize(J);
    for (std::size_t j = 0; j < J; ++j) {
        double q = sp.cost[j];
        for (std::size_t k = 0; k < K; ++k) q += sp.w[j * K + k] * G[k];
        f[j] = q / alpha;
    }
}

// Row s of P_pi, the soft policy's transitions at the points: sum_k q_k P_k(.) with
// q_k = sum_j p_j w_k(a_j), p_j = exp(log_weight_j + f_j - lse) the policy's weight of point j.
void policy_row(const ContinuousModel& m, std::size_t s, const StatePoints& sp, const std::vector<double>& f, double lse,
                std::vector<std::pair<std::uint32_t, double>>& row) {
    const std::size_t K = m.anchors[s].size(), J = sp.log_weight.size();
    std::vector<double> q(K, 0.0);
    for (std::size_t j = 0; j < J; ++j) {
        const double pj = std::exp(sp.log_weight[j] + f[j] - lse);
        for (std::size_t k = 0; k < K; ++k) q[k] += pj * sp.w[j * K + k];
    }
    row.clear();
    for (std::size_t k = 0; k < K; ++k)
        for (const auto& [to, prob] : m.anchors[s][k].next) row.emplace_back(to, q[k] * prob);
}
using PolicyRows = std::vector<std::vector<std::pair<std::uint32_t, double>>>;

// One backup of every state (and P_pi at V when rows is given); returns (min, max) of TV - V.
std::pair<double, double> backup(const ContinuousModel& m, double alpha, const std::vector<StatePoints>& pts,
                                 std::span<const double> V, std::span<double> TV, PolicyRows* rows = nullptr) {
    double lo = 0.0, hi = 0.0;
    std::vector<double> G, f;
    for (std::size_t s = 0; s < m.num_states(); ++s) {
        TV[s] = 0.0;
        if (m.is_terminal(s)) continue;
        scaled_q(m, s, alpha, pts[s], V, G, f);
        const double lse = log_sum_weighted(pts[s].log_weight, f);
        TV[s] = alpha * lse;
        if (rows) policy_row(m, s, pts[s], f, lse, (*rows)[s]);
        lo = std::min(lo, TV[s] - V[s]);
        hi = std::max(hi, TV[s] - V[s]);
    }
    return {lo, hi};
}

// The LU factors of I - gamma P_pi, dense.
Eigen::PartialPivLU<Eigen::MatrixXd> resolvent(const PolicyRows& rows, double gamma) {
    const auto n = static_cast<Eigen::Index>(rows.size());
    Eigen::MatrixXd A = Eigen::MatrixXd::Identity(n, n);
    for (std::size_t s = 0; s < rows.size(); ++s)
        for (const auto& [to, prob] : rows[s]) A(static_cast<Eigen::Index>(s), to) -= gamma * prob;
    return A.partialPivLu();
}

struct Iterated {
    Stop stop = Stop::iteration_limit;
    bool converged = false;
    bool at_floor = false;  // stopped at the floating-point floor above the tolerance: the bound holds, V is usable
    double bound = std::numeric_limits<double>::infinity();
    std::uint64_t iterations = 0;
    std::string reason;
};

// Soft Q-iteration on one discretised operator from V (in place) until the MacQueen bound is at most
// tol, or stops improving at the floating-point floor within `accept` (>= tol); V ends at the
// midpoint of the bracket. `done` counts iterations against opt.max_iterations
// over every grid.
Iterated iterate(const ContinuousModel& m, double alpha, const std::vector<StatePoints>& pts, std::vector<double>& V,
                 double tol, double accept, std::size_t dense_limit, const SolverOptions& opt, const Stopwatch& clock,
                 std::uint64_t& done) {
    const std::size_t S = m.num_states();
    const double gamma = m.discount, cst = gamma / (1.0 - gamma);
    double max_r = 0.0;
    for (const auto& an : m.anchors)
        for (const auto& a : an) max_r = std::max(max_r, std::abs(a.reward));
    std::vector<double> TV(S);
    // With few states (below), each step is a Newton step on V = TV: V + (I - gamma P_pi)^-1 (TV - V)
    // with P_pi at V, which is soft policy iteration (the soft value of the policy at V; monotone and
    // quadratically convergent), instead of V <- TV. The certificate is the same either way: it only
    // uses the pair (V, TV).
    // A Newton step costs an LU of S x S (S^3 / 3 multiply-adds) and converges in a handful of
    // steps; plain iteration needs of the order of 1/(1 - gamma) backups (sum_s points x anchors
    // each). Newton while its step costs at most that many backups: always for few states or fine
    // grids, not for 1000 states on 40 nodes at gamma 0.99 (measured: 1.4 s plain, 2.1 s Newton;
    // with 2000 samples per state instead, 101 s plain, 3.8 s Newton; docs/continuous.md).
    double backup_work = 0.0;
    for (std::size_t s = 0; s < S; ++s)
        backup_work += static_cast<double>(pts[s].log_weight.size()) * static_cast<double>(m.anchors[s].size() + 1);
    const double Sd = static_cast<double>(S);
    const bool newton = S <= dense_limit && Sd * Sd * Sd / 3.0 <= backup_work / (1.0 - gamma);
    PolicyRows rows(newton ? S : 0);
    Iterated out;
    Iteration it(opt, "", clock, done);
    // The point the last bound certifies: TV moved to the bracket's midpoint (a Newton step's V is
    // not certified until it is backed up).
    std::vector<double> certified;
    while (!it.at_limit()) {
        const auto [l, u] = backup(m, alpha, pts, V, TV, newton ? &rows : nullptr);
        it.count_step();
        ++out.iterations;
        double vmax = 0.0;
        for (double v : TV) vmax = std::max(vmax, std::abs(v));
        // 64 roundings: the quadrature or sample sum of exp terms per backup; alpha * 50 covers the
        // entropy term's size.
        const double slack = rounding_allowance(64.0, cst, vmax + max_r + alpha * 50.0);
        const double bound = cst * (u - l) / 2.0 + slack;
        out.bound = bound;
        const double shift = cst * (l + u) / 2.0;  // the midpoint of the MacQueen bracket
        certified = TV;
        if (std::isfinite(shift))
            for (std::size_t s = 0; s < S; ++s)
                if (!m.is_terminal(s)) certified[s] += shift;
        const bool at_floor = Iteration::floor_reached(bound, slack, tol);
        const bool stop = !std::isfinite(bound) || bound <= tol || at_floor || it.count() >= opt.max_iterations;
        if (newton && !stop) {
            Eigen::VectorXd step(static_cast<Eigen::Index>(S));
            for (std::size_t s = 0; s < S; ++s) step[static_cast<Eigen::Index>(s)] = TV[s] - V[s];
            step = resolvent(rows, gamma).solve(step);
            for (std::size_t s = 0; s < S; ++s) TV[s] = V[s] + step[static_cast<Eigen::Index>(s)];
        }
        V.swap(TV);
        if (it.non_finite(bound, "the iteration bound is not finite (values or their rounding allowance beyond the range of "
                                 "doubles): no bound can be certified"))
            break;
        it.report(bound);
        if (it.reached(bound <= tol)) break;
        if (at_floor) {
            // At the floating-point floor: good enough when within what the caller accepts.
            if (!it.reached(bound <= accept))
                it.halt(Stop::resolution_floor,
                        fmt::format("the tolerance {:g} is below the floating-point resolution of these values ({:.3g})", accept, slack));
            break;
        }
    }
    if (!certified.empty()) V.swap(certified);
    done = it.count();
    out.stop = it.stop();
    out.converged = it.converged();
    out.at_floor = it.stop() == Stop::resolution_floor;
    out.reason = it.reason();
    return out;
}

double max_abs_diff(const std::vector<double>& a, const std::vector<double>& b) {
    double d = 0.0;
    for (std::size_t s = 0; s < a.size(); ++s) d = std::max(d, std::abs(a[s] - b[s]));
    return d;
}

std::string nodes_text(const std::vector<std::size_t>& n) {
    return fmt::format("{}", fmt::join(n, " x "));
}

// The narrowest feature of the integrands a -> Q_V(s, a): the anchor weights w_k change over the
// bandwidth h around an anchor, and between two anchors at distance D the softmax turns over within
// h^2 / D across their bisector (log w_k / w_j has slope D / h^2). Neighbouring anchors decide the
// turnovers, so D is the largest distance from an anchor to its nearest neighbour (same state).
double feature_width(const ContinuousModel& m) {
    double D = 0.0;
    for (const auto& an : m.anchors)
        for (std::size_t k = 0; k < an.size(); ++k) {
            double nearest = std::numeric_limits<double>::infinity();
            for (std::size_t j = 0; j < an.size(); ++j) {
                if (j == k) continue;
                double d2 = 0.0;
                for (std::size_t i = 0; i < an[k].at.size(); ++i) d2 += (an[k].at[i] - an[j].at[i]) * (an[k].at[i] - an[j].at[i]);
                nearest = std::min(nearest, std::sqrt(d2));
            }
            if (std::isfinite(nearest)) D = std::max(D, nearest);
        }
    return m.bandwidth * std::min(1.0, m.bandwidth / std::max(D, 1e-300));
}

std::vector<std::size_t> nodes_of(const std::vector<std::size_t>& panels, std::size_t order) {
    std::vector<std::size_t> n(panels.size());
    for (std::size_t i = 0; i < n.size(); ++i) n[i] = panels[i] * order;
    return n;
}

double grid_bytes(const ContinuousModel& m, const std::vector<std::size_t>& panels, std::size_t order) {
    const std::uint64_t J = composite_grid_size(panels, order);
    return J == UINT64_MAX ? std::numeric_limits<double>::infinity() : table_bytes(m, static_cast<double>(J));
}

// Refinement: composite grids of kPanelOrder nodes per panel, first where the narrowest feature
// (feature_width) spans at least 3 node spacings along every dimension (below that two grids can
// agree while both miss it), then the panels doubled, each grid warm-started from the last, until
// iteration bound + integration estimate <= the tolerance. The estimate for grid L is
// max_s |V_L - V_{L-1}| + both iteration bounds: the change of the fixed point, which measures the
// coarser grid's error and so overstates the finer one's once the rule converges.
void refine(const ContinuousModel& m, double alpha, const ContinuousOptions& c, const SolverOptions& opt, const Stopwatch& clock,
            std::vector<double>& V, std::uint64_t& done, ContinuousSolution& out) {
    const std::size_t d = m.dim(), order = kPanelOrder;
    const auto doubled = [](std::vector<std::size_t> p) {
        for (auto& x : p) x *= 2;
        return p;
    };
    const auto too_big = [&](const std::vector<std::size_t>& panels) {
        const auto n = nodes_of(panels, order);
        return grid_bytes(m, panels, order) > table_budget() || *std::max_element(n.begin(), n.end()) > c.max_nodes;
    };
    std::vector<std::size_t> panels(d, 1);
    const double spacing = feature_width(m) / 3.0;  // node spacing wanted: panel width / order
    for (std::size_t i = 0; i < d; ++i)
        panels[i] = static_cast<std::size_t>(std::max(1.0, std::ceil((m.high[i] - m.low[i]) / (spacing * kPanelOrder))));
    // The first two grids must fit the budget, or there is nothing to compare: start coarser.
    while (too_big(doubled(panels))) {
        if (*std::max_element(panels.begin(), panels.end()) == 1)
            throw UsageError(fmt::format("quadrature: even {} nodes per dimension exceed the node budget ({} per dimension, "
                                         "{:.3g} GiB); use {} mc",
                                         nodes_text(nodes_of(doubled(panels), order)), c.max_nodes, table_budget() / 0x1p30, param("integrator")));
        for (auto& x : panels) x = (x + 1) / 2;
    }
    // Iterate each grid to an eighth of the tolerance: the estimate adds two iteration bounds and
    // the reported bound a third, leaving at least 5/8 of the tolerance to the integration error.
    const double tol_iter = opt.tolerance / 8.0;
    Solution& sol = out.solution;
    std::vector<double> prev;
    double prev_bound = 0.0;
    for (;;) {
        const QuadratureGrid g = composite_grid(m.low, m.high, panels, order);
        const Iterated it = iterate(m, alpha, grid_points(m, g), V, tol_iter, opt.tolerance, c.dense_limit, opt, clock, done);
        out.levels.push_back({nodes_of(panels, order), it.iterations, it.bound, std::nullopt});
        if (!it.converged && !it.at_floor) {
            sol.reason = it.reason;
            sol.stop = it.stop;
            if (prev.empty()) {  // nothing to compare with: report this grid, no integration estimate
                out.nodes = out.levels.back().nodes;
                out.iteration_bound = it.bound;
            } else {  // report the last grid that converged, with its estimate if it has one
                V.swap(prev);
                if (!out.integration_error) {
                    out.nodes = out.levels[out.levels.size() - 2].nodes;
                    out.iteration_bound = prev_bound;
                }
            }
            return;
        }
        if (!prev.empty()) {
            const double change = max_abs_diff(V, prev);
            out.levels.back().change = change;
            out.integration_error = change + it.bound + prev_bound;
            out.nodes = out.levels.back().nodes;
            out.comparison_nodes = out.levels[out.levels.size() - 2].nodes;
            out.iteration_bound = it.bound;
            if (it.bound + *out.integration_error <= opt.tolerance) {
                sol.converged = true;
                sol.stop = Stop::converged;
                return;
            }
            if (it.at_floor) {  // finer grids cannot lower the iteration bound
                sol.reason = it.reason;
                sol.stop = it.stop;
                return;
            }
            if (too_big(doubled(panels))) {
                sol.stop = Stop::resource_limit;
                sol.reason = fmt::format("node budget exhausted: the next grid ({} nodes) exceeds {} nodes per dimension or "
                                         "{:.3g} GiB; the error bound {:.3g} holds the integration error estimate of the {}-node grid",
                                         nodes_text(nodes_of(doubled(panels), order)), c.max_nodes, table_budget() / 0x1p30,
                                         out.iteration_bound + *out.integration_error, nodes_text(out.nodes));
                return;
            }
        }
        prev = V;
        prev_bound = it.bound;
        panels = doubled(panels);
    }
}

// With --nodes N: the plain N-node rule; its integration error is estimated against the refined
// solution (refine, warm-started from it): max_s |V_N - V_refined| + the refined solution's own
// error bound + V_N's iteration bound. Comparing with 2N nodes instead understates it whenever 2N
// does not resolve the integrand either (the errors of both have the same sign).
void solve_quadrature(const ContinuousModel& m, double alpha, const ContinuousOptions& c, const SolverOptions& opt,
                      const Stopwatch& clock, std::vector<double>& V, ContinuousSolution& out) {
    const std::size_t d = m.dim();
    if (d > 3) throw UsageError(fmt::format("quadrature supports d <= 3, the action space has d = {}; use {} mc", d, param("integrator")));
    std::uint64_t done = 0;
    Solution& sol = out.solution;
    if (c.nodes == 0) {
        refine(m, alpha, c, opt, clock, V, done, out);
        out.panel_order = kPanelOrder;
    } else {
        const std::vector<std::size_t> one(d, 1);
        if (const double need = grid_bytes(m, one, c.nodes), have = table_budget(); need > have)
            throw UsageError(fmt::format("{} {}: {} grid points per state would need {:.3g} GiB, more than the {:.3g} GiB "
                                         "(half the usable memory) allowed; use fewer nodes",
                                         param("nodes"), c.nodes, nodes_text(nodes_of(one, c.nodes)), need / 0x1p30, have / 0x1p30));
        const QuadratureGrid g = quadrature_grid(m.low, m.high, c.nodes);
        const Iterated it = iterate(m, alpha, grid_points(m, g), V, opt.tolerance / 8.0, opt.tolerance, c.dense_limit, opt, clock, done);
        out.nodes = nodes_of(one, c.nodes);
        out.iteration_bound = it.bound;
        out.levels.push_back({out.nodes, it.iterations, it.bound, std::nullopt});
        if (!it.converged && !it.at_floor) {
            sol.reason = it.reason;
            sol.stop = it.stop;
        } else {
            ContinuousSolution ref;
            std::vector<double> W = V;
            refine(m, alpha, c, opt, clock, W, done, ref);
            out.comparison_nodes = ref.nodes;
            out.levels.insert(out.levels.end(), ref.levels.begin(), ref.levels.end());
            if (ref.integration_error) {
                out.integration_error = max_abs_diff(V, W) + ref.iteration_bound + *ref.integration_error + it.bound;
                sol.converged = it.bound + *out.integration_error <= opt.tolerance;
                // Not converged: the iteration's floor, or the fixed grid's integration error.
                sol.stop = sol.converged ? Stop::converged : it.at_floor ? it.stop : Stop::resource_limit;
                if (!sol.converged && it.at_floor)
                    sol.reason = it.reason;
                else if (!sol.converged)
                    sol.reason = fmt::format("the integration error estimate {:.3g} of the {}-node grid is above the tolerance {:g}; "
                                             "without --nodes the grid is refined until the tolerance is met",
                                             *out.integration_error, nodes_text(out.nodes), opt.tolerance);
            } else {
                sol.reason = "no refined solution to compare with: " + ref.solution.reason;
                sol.stop = ref.solution.stop;
            }
        }
    }
    if (out.integration_error) sol.error_bound = out.iteration_bound + *out.integration_error;
    else sol.error_bound.reset();
    sol.iterations = sol.sweeps = done;
}

// Monte Carlo errors at the solution V. The sampled operator is T + delta with delta(s) the error of
// state s's backup: a fixed perturbation (common random numbers), independent across states (each
// state has its own samples), with the delta-method standard error se(s). To first order the fixed
// point moves by (I - gamma P_pi)^-1 delta, P_pi the soft policy's transitions (the derivative of the
// backup in V), so V(s) has variance sum_s' M(s,s')^2 se(s')^2 with M = (I - gamma P_pi)^-1.
void mc_errors(const ContinuousModel& m, double alpha, const ContinuousOptions& c, const std::vector<StatePoints>& pts,
               std::span<const double> V, ContinuousSolution& out) {
    const std::size_t S = m.num_states();
    const double gamma = m.discount;
    out.mc_backup_std_error.assign(S, 0.0);
    PolicyRows rows(S);
    std::vector<double> G, f, p;
    for (std::size_t s = 0; s < S; ++s) {
        if (m.is_terminal(s)) continue;
        const StatePoints& sp = pts[s];
        const std::size_t J = sp.log_weight.size();
        scaled_q(m, s, alpha, sp, V, G, f);
        policy_row(m, s, sp, f, log_sum_weighted(sp.log_weight, f), rows[s]);
        // The delta method on log mean(exp(f_j) vol): importance weights of the uniform proposal.
        p.resize(J);
        for (std::size_t j = 0; j < J; ++j) p[j] = f[j] + sp.log_weight[j] + std::log(static_cast<double>(J));
        out.mc_backup_std_error[s] = alpha * detail::combine(p).std_error;
    }
    const std::vector<double>& se = out.mc_backup_std_error;
    out.mc_std_error.assign(S, 0.0);
    if (S <= c.dense_limit) {
        const Eigen::MatrixXd M = resolvent(rows, gamma).inverse();
        Eigen::VectorXd se2(static_cast<Eigen::Index>(S));
        for (std::size_t s = 0; s < S; ++s) se2[static_cast<Eigen::Index>(s)] = se[s] * se[s];
        const Eigen::VectorXd var = M.cwiseAbs2() * se2;
        for (std::size_t s = 0; s < S; ++s) out.mc_std_error[s] = std::sqrt(std::max(0.0, var[static_cast<Eigen::Index>(s)]));
        out.mc_std_error_exact = true;
        return;
    }
    // Too many states for the dense inverse: sd(sum_s' M(s,s') delta(s')) <= sum_s' M(s,s') se(s'), the
    // solution of e = se + gamma P_pi e (standard errors added along paths, as if fully correlated).
    // Iterated from 0 upwards; the last step's change bounds the rest by gamma / (1 - gamma).
    std::vector<double>& e = out.mc_std_error;
    std::vector<double> next(S);
    for (int it = 0; it < 100000; ++it) {
        double change = 0.0, emax = 0.0;
        for (std::size_t s = 0; s < S; ++s) {
            double v = se[s];
            for (const auto& [to, prob] : rows[s]) v += gamma * prob * e[to];
            next[s] = v;
            change = std::max(change, v - e[s]);
            emax = std::max(emax, v);
        }
        e.swap(next);
        const double rest = gamma / (1.0 - gamma) * change;
        if (rest <= 1e-6 * emax || it == 99999) {
            for (double& x : e) x += rest;
            break;
        }
    }
    out.mc_std_error_exact = false;
}

}  // namespace

ContinuousSolution continuous_soft_q_iteration(const ContinuousModel& m, double alpha, const ContinuousOptions& c,
                                               const SolverOptions& opt) {
    if (!(alpha > 0.0) || !std::isfinite(alpha)) throw UsageError(fmt::format("continuous actions need a temperature {} > 0", param("alpha")));
    const Stopwatch clock;
    const std::size_t S = m.num_states();
    ContinuousSolution out;
    Solution& sol = out.solution;
    sol.method = c.integrator == Integrator::quadrature ? "soft-qi-quadrature" : "soft-qi-mc";
    sol.alpha = alpha;
    std::vector<double> V(S, 0.0);
    if (!opt.initial_values.empty()) V.assign(opt.initial_values.begin(), opt.initial_values.end());
    if (c.integrator == Integrator::quadrature) {
        solve_quadrature(m, alpha, c, opt, clock, V, out);
    } else {
        const auto pts = mc_points(m, c.samples, c.seed);
        std::uint64_t done = 0;
        const Iterated it = iterate(m, alpha, pts, V, opt.tolerance, opt.tolerance, c.dense_limit, opt, clock, done);
        sol.converged = it.converged;
        sol.stop = it.stop;
        sol.reason = it.reason;
        sol.iterations = sol.sweeps = done;
        out.iteration_bound = it.bound;
        sol.error_bound = it.bound;
        mc_errors(m, alpha, c, pts, V, out);
    }
    sol.values = std::move(V);
    // A non-finite value certifies nothing: numerical failure (NumericalError, as for discrete
    // models, numerical.hpp), naming what put the values out of range. Q/alpha overflows when alpha is
    // below |Q| / DBL_MAX; alpha log(box volume) / (1 - gamma) bounds the entropy part of V.
    if (!std::all_of(sol.values.begin(), sol.values.end(), [](double v) { return std::isfinite(v); })) {
        double r_max = 0.0, volume = 1.0;
        for (const auto& anchors : m.anchors)
            for (const Anchor& k : anchors) r_max = std::max(r_max, std::abs(k.reward));
        double cost = 0.0;  // the largest action cost on the box, action_cost max ||a||^2
        for (std::size_t i = 0; i < m.dim(); ++i) {
            volume *= m.high[i] - m.low[i];
            cost += m.action_cost * std::max(m.low[i] * m.low[i], m.high[i] * m.high[i]);
        }
        const double q_max = (r_max + cost) / (1.0 - m.discount);
        std::string culprit;
        if (!(q_max / alpha < 1e300))
            culprit = fmt::format("{0} {1} is too small: Q/alpha overflows (|Q| up to about {2:.3g}); use {0} >= {3:.3g}", param("alpha"), alpha,
                                  q_max, q_max / 1e300);
        else if (!(alpha * std::abs(std::log(volume)) / (1.0 - m.discount) < 1e300))
            culprit = fmt::format("{} {} is too large: the entropy term alpha log(box volume) / (1 - gamma) is beyond the range of doubles",
                                  param("alpha"), alpha);
        else
            culprit = fmt::format("the rewards (up to {:.3g}), {} {} and the discount {} put the values beyond the range of doubles",
                                  r_max, param("alpha"), alpha, m.discount);
        throw NumericalError(fmt::format("{} at alpha {}: the values became non-finite: {}", sol.method, alpha, culprit));
    }
    sol.seconds = clock.seconds();
    return out;
}

}  // namespace softmdp
