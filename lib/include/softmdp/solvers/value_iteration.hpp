#pragma once
// Value iteration V <- B(Q_V) for any backup operator B (hard max, soft logsumexp, mellowmax,
// Boltzmann), with Jacobi or Gauss-Seidel sweeps and a certified stopping rule.
//
// Bounds (gamma < 1, B monotone, B(q + c) = B(q) + c, so T is a gamma-contraction):
//  - Jacobi: with d = T V - V, l = min d, u = max d (terminal states count with d = 0),
//    V* lies in [TV + c l, TV + c u] with c = gamma / (1 - gamma) (MacQueen). We report the
//    midpoint TV + c (l + u)/2 on non-terminal states, with error_bound c (u - l)/2.
//  - Gauss-Seidel: the sweep map is itself a gamma-contraction: error_bound c ||V' - V||_inf.
// Boltzmann is not a contraction and gamma = 1 has no such c: no bound is claimed there.
#include <cmath>
#include <fmt/format.h>
#include <limits>
#include <vector>

#include "softmdp/core/iteration.hpp"
#include "softmdp/solvers/bellman.hpp"
#include "softmdp/core/solution.hpp"

namespace softmdp {

enum class Sweep { jacobi, gauss_seidel };

// Sweeps without a new smallest change after which a non-contraction (Boltzmann) is declared stuck,
// unless every one of those sweeps moved all values the same way (a drift, see below).
inline constexpr std::uint64_t kStallSweeps = 1000;

template <Backup Op>
Solution value_iteration(const Model& m, const Op& op, Sweep sweep, const SolverOptions& opt) {
    Iteration it(opt, "sweeps");
    const ModelData& d = m.data();
    const std::size_t S = m.num_states();
    const double gamma = m.discount();
    const bool certified = Op::is_contraction && gamma < 1.0;
    const double c = gamma < 1.0 ? gamma / (1.0 - gamma) : std::numeric_limits<double>::infinity();
    const std::size_t A = std::max<std::size_t>(1, m.max_actions_per_state());

    Solution sol;
    sol.alpha = op.temperature();
    const int threads = opt.threads;
    std::vector<double> V(S, 0.0), Vn(sweep == Sweep::jacobi ? S : 0);
    if (!opt.initial_values.empty()) {
        V.assign(opt.initial_values.begin(), opt.initial_values.end());
        for (std::size_t s = 0; s < S; ++s)
            if (m.is_terminal(s)) V[s] = 0.0;
    }
    std::vector<double> scratch(A);  // Gauss-Seidel's Q buffer

    SweepStats st;
    double change = std::numeric_limits<double>::infinity(), best_change = change;
    std::uint64_t best_at = 0, monotone_since = 0;
    int direction = 0;  // +1: no value fell in the last sweep, -1: none rose, 0: neither
    std::optional<double> bound;
    while (!it.at_limit()) {
        if (sweep == Sweep::jacobi) {
            st = jacobi_sweep(m, op, V, Vn, threads);
            V.swap(Vn);
        } else {
            st = SweepStats{};
            for (std::size_t s = 0; s < S; ++s) {
                const double v = backup_state(d, op, s, V.data(), scratch.data());
                st.add(v, V[s]);
                V[s] = v;
            }
        }
        it.count_step();
        change = std::max(-st.lo, st.hi);
        if (it.non_finite(change, "values became non-finite (overflow)")) break;
        // A non-contraction may cycle for ever: stop when the change has not reached a new low for
        // kStallSweeps sweeps. Not while it drifts: when every sweep of that window moved all values
        // the same way, V is monotone, and bounded (|V| <= max|r| / (1 - gamma) for an average of Q),
        // so it converges; the change can still rise for a while, e.g. Boltzmann leaving the slow
        // region near an unstable fixed point for a stable one. Cycles and oscillations are not
        // monotone and are stopped as before.
        const int dir = st.lo >= 0.0 ? 1 : st.hi <= 0.0 ? -1 : 0;
        if (dir == 0 || dir != direction) monotone_since = it.count();
        direction = dir;
        const bool drifting = dir != 0 && it.count() - monotone_since >= kStallSweeps;
        if (change < best_change) best_change = change, best_at = it.count();
        if (!Op::is_contraction && it.count() - best_at >= kStallSweeps && !drifting) {
            it.halt(Stop::stalled,
                    fmt::format("no progress: the change between sweeps has stayed above {:.3g} for {} sweeps "
                                "(now {:.3g}); the iteration oscillates or drifts instead of converging",
                                best_change, kStallSweeps, change));
            break;
        }
        if (certified) {
            const double slack = rounding_slack(m, st.vmax);
            bound = (sweep == Sweep::jacobi ? c * (st.hi - st.lo) / 2.0 : c * change) + slack;
            if (it.at_resolution_floor(*bound, slack)) break;
        }
        it.report(bound);
        if (it.reached(certified ? *bound <= opt.tolerance : change <= opt.tolerance)) break;
    }
    if (certified && sweep == Sweep::jacobi && it.count() > 0) move_to_midpoint(m, V, st.lo, st.hi);
    if (!certified) {
        const std::string why = Op::is_contraction
                                    ? "discount 1: the sup-norm contraction bound does not apply"
                                    : fmt::format("the {} operator is not a contraction: the fixed point may not be "
                                                  "unique and no error bound is claimed",
                                                  Op::name);
        std::string& reason = it.reason();
        reason = reason.empty() ? why : reason + "; " + why;
        // Which fixed point: the attracting one that iteration reached from its start.
        if (it.converged())
            reason = fmt::format("change between sweeps {:.3g} <= tolerance at the fixed point reached from {} "
                                 "(attracting: the iteration converged to it); ",
                                 change, opt.initial_values.empty() ? "V = 0" : "the initial values") +
                     reason;
    }
    sol.error_bound = bound;
    sol.values = std::move(V);
    std::vector<double>().swap(Vn);  // before the tables: the peak is the model, V and q and policy
    finish_rows(m, op, sol, opt);
    it.finish(sol);
    sol.sweeps = sol.iterations;
    return sol;
}

// Hard value iteration: V <- max_a Q_V(s, a).
inline Solution value_iteration(const Model& m, Sweep sweep = Sweep::jacobi, const SolverOptions& opt = {}) {
    auto sol = value_iteration(m, HardMax{}, sweep, opt);
    sol.method = sweep == Sweep::jacobi ? "vi" : "gs-vi";
    return sol;
}

// Soft value iteration: V <- T_soft V, T_soft V(s) = alpha log sum_a exp(Q_V(s,a)/alpha).
inline Solution soft_value_iteration(const Model& m, double alpha, Sweep sweep = Sweep::jacobi,
                                     const SolverOptions& opt = {}) {
    auto sol = value_iteration(m, LogSumExp{alpha}, sweep, opt);
    sol.method = sweep == Sweep::jacobi ? "soft-vi" : "soft-gs-vi";
    return sol;
}

}  // namespace softmdp
