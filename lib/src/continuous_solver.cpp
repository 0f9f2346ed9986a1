#include "softmdp/continuous_solver.hpp"

#include <cmath>
#include <fmt/format.h>
#include <limits>

#include "softmdp/bellman.hpp"
#include "softmdp/errors.hpp"
#include "softmdp/importance_sampling.hpp"
#include "softmdp/quadrature.hpp"
#include "softmdp/random.hpp"

namespace softmdp {

namespace {

// The fixed integration points of one state: anchor weights w_k(a_j), action costs, log-weights.
struct StatePoints {
    std::vector<double> w;      // J x K
    std::vector<double> cost;   // -action_cost ||a_j||^2
    std::vector<double> log_weight;
};

std::vector<StatePoints> integration_points(const ContinuousModel& m, const ContinuousOptions& c, std::size_t nodes) {
    const std::size_t d = m.dim();
    std::vector<double> pts, logw;
    if (c.integrator == Integrator::quadrature) {
        if (d > 3) throw UsageError(fmt::format("quadrature supports d <= 3, the action space has d = {}; use --integrator mc", d));
        const QuadratureGrid g = quadrature_grid(m.low, m.high, nodes);
        pts = g.points;
        logw = g.log_weights;
    }
    std::vector<StatePoints> out(m.num_states());
    Rng rng(c.seed);
    std::vector<double> G, grad;
    for (std::size_t s = 0; s < m.num_states(); ++s) {
        if (m.is_terminal(s)) continue;
        if (c.integrator == Integrator::monte_carlo) {
            // Uniform samples: log weight log(vol / N).
            pts.resize(c.samples * d);
            for (std::size_t j = 0; j < c.samples; ++j)
                for (std::size_t k = 0; k < d; ++k) pts[j * d + k] = rng.uniform(m.low[k], m.high[k]);
            logw.assign(c.samples, std::log(m.box_volume() / static_cast<double>(c.samples)));
        }
        const std::size_t K = m.anchors[s].size(), J = logw.size();
        StatePoints& sp = out[s];
        sp.w.resize(J * K);
        sp.cost.resize(J);
        sp.log_weight = logw;
        // w_k(a_j): Q with unit vectors G = e_k gives w_k; compute all at once from Q's definition.
        G.assign(K, 0.0);
        const PackedAnchors packed = m.pack_anchors(s);
        for (std::size_t k = 0; k < K; ++k) {
            G[k] = 1.0;
            for (std::size_t j = 0; j < J; ++j) {
                const std::span<const double> a(pts.data() + j * d, d);
                double norm2 = 0.0;
                for (double x : a) norm2 += x * x;
                sp.w[j * K + k] = m.q_value(packed, G, a) + m.action_cost * norm2;
                if (k == 0) sp.cost[j] = -m.action_cost * norm2;
            }
            G[k] = 0.0;
        }
    }
    return out;
}

// One backup of every state; returns (min, max) of TV - V.
std::pair<double, double> backup(const ContinuousModel& m, double alpha, const std::vector<StatePoints>& pts,
                                 std::span<const double> V, std::span<double> TV, std::vector<double>* mc_se) {
    double lo = 0.0, hi = 0.0;
    std::vector<double> G, f;
    for (std::size_t s = 0; s < m.num_states(); ++s) {
        TV[s] = 0.0;
        if (m.is_terminal(s)) continue;
        const StatePoints& sp = pts[s];
        const std::size_t K = m.anchors[s].size(), J = sp.log_weight.size();
        G.resize(K);
        m.anchor_values(s, V, G);
        f.resize(J);
        for (std::size_t j = 0; j < J; ++j) {
            double q = sp.cost[j];
            for (std::size_t k = 0; k < K; ++k) q += sp.w[j * K + k] * G[k];
            f[j] = q / alpha;
        }
        TV[s] = alpha * log_sum_weighted(sp.log_weight, f);
        if (mc_se) {
            for (std::size_t j = 0; j < J; ++j) f[j] += sp.log_weight[j] + std::log(static_cast<double>(J));
            (*mc_se)[s] = alpha * detail::combine(f).std_error;
        }
        lo = std::min(lo, TV[s] - V[s]);
        hi = std::max(hi, TV[s] - V[s]);
    }
    return {lo, hi};
}

}  // namespace

ContinuousSolution continuous_soft_q_iteration(const ContinuousModel& m, double alpha, const ContinuousOptions& c,
                                               const SolverOptions& opt) {
    if (!(alpha > 0.0) || !std::isfinite(alpha)) throw UsageError("continuous actions need a temperature --alpha > 0");
    const Stopwatch clock;
    const auto pts = integration_points(m, c, c.nodes);
    const std::size_t S = m.num_states();
    const double gamma = m.discount, cst = gamma / (1.0 - gamma);
    ContinuousSolution out;
    Solution& sol = out.solution;
    sol.method = c.integrator == Integrator::quadrature ? "soft-qi-quadrature" : "soft-qi-mc";
    sol.alpha = alpha;
    std::vector<double> V(S, 0.0), TV(S);
    double shift = 0.0;
    if (!opt.initial_values.empty()) V.assign(opt.initial_values.begin(), opt.initial_values.end());
    double max_r = 0.0;
    for (const auto& an : m.anchors)
        for (const auto& a : an) max_r = std::max(max_r, std::abs(a.reward));
    for (;;) {
        if (sol.iterations >= opt.max_iterations || clock.seconds() >= opt.time_limit) {
            sol.reason = sol.iterations >= opt.max_iterations ? "stopped at the iteration limit" : "stopped at the time limit";
            break;
        }
        const auto [l, u] = backup(m, alpha, pts, V, TV, nullptr);
        ++sol.iterations;
        double vmax = 0.0;
        for (double v : TV) vmax = std::max(vmax, std::abs(v));
        const double slack = 64.0 * std::numeric_limits<double>::epsilon() * (cst + 1.0) * (vmax + max_r + alpha * 50.0);
        const double bound = cst * (u - l) / 2.0 + slack;
        V.swap(TV);
        sol.error_bound = bound;
        if (!std::isfinite(bound)) {
            sol.reason = "values became non-finite";
            break;
        }
        if (opt.progress) opt.progress({sol.iterations, bound, clock.seconds()});
        if (bound <= opt.tolerance) {
            sol.converged = true;
            shift = cst * (l + u) / 2.0;  // report the midpoint of the MacQueen bracket
            break;
        }
        shift = cst * (l + u) / 2.0;
        if (slack >= opt.tolerance && bound <= 2.0 * slack) {
            sol.reason = fmt::format("the tolerance {:g} is below the floating-point resolution of these values ({:.3g})",
                                     opt.tolerance, slack);
            break;
        }
    }
    for (std::size_t s = 0; s < S; ++s)
        if (!m.is_terminal(s)) V[s] += shift;
    sol.sweeps = sol.iterations;
    if (c.integrator == Integrator::monte_carlo) {
        out.mc_std_error.assign(S, 0.0);
        backup(m, alpha, pts, V, TV, &out.mc_std_error);
    } else {
        // The quadrature's own accuracy: one backup at the solution with twice the nodes.
        const auto fine = integration_points(m, c, 2 * c.nodes);
        std::vector<double> TV2(S);
        backup(m, alpha, pts, V, TV, nullptr);
        backup(m, alpha, fine, V, TV2, nullptr);
        double diff = 0.0;
        for (std::size_t s = 0; s < S; ++s) diff = std::max(diff, std::abs(TV[s] - TV2[s]));
        out.quadrature_check = diff;
    }
    sol.values = std::move(V);
    sol.seconds = clock.seconds();
    return out;
}

}  // namespace softmdp
