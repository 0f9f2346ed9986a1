#pragma once
// Bellman kernels over the CSR model, shared by every solver.
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <fmt/format.h>
#include <span>
#include <vector>

#include "softmdp/model.hpp"
#include "softmdp/soft_operators.hpp"

namespace softmdp {

// Q_V(s,a) = r(s,a) + gamma sum_s' p(s'|s,a) V(s') for one row.
inline double q_value(const ModelData& d, Offset row, const double* V, double gamma) noexcept {
    double acc = 0.0;
    const StateId* next = d.next_state.data();
    const double* prob = d.next_prob.data();
    for (Offset t = d.row_begin[row], e = d.row_begin[row + 1]; t < e; ++t) acc += prob[t] * V[next[t]];
    return d.row_reward[row] + gamma * acc;
}

// B(Q_V(s, .)) for one state, using qbuf (>= its action count) as scratch; 0 for terminal states.
template <Backup Op>
inline double backup_state(const ModelData& d, const Op& op, std::size_t s, const double* V, double* qbuf) noexcept {
    const Offset b = d.state_begin[s], e = d.state_begin[s + 1];
    if (b == e) return 0.0;
    for (Offset r = b; r < e; ++r) qbuf[r - b] = q_value(d, r, V, d.discount);
    return op.value(std::span<const double>(qbuf, e - b));
}

// Q_V for every row.
void compute_q(const Model& m, std::span<const double> V, std::span<double> q, int threads = 0);

// The policy of operator op at Q (per row), and optionally the backed-up values B(Q(s,.)).
template <Backup Op>
void policy_from_q(const Model& m, const Op& op, std::span<const double> q, std::span<double> pi,
                   std::span<double> values = {}) {
    const ModelData& d = m.data();
    for (std::size_t s = 0; s < m.num_states(); ++s) {
        const Offset b = d.state_begin[s], e = d.state_begin[s + 1];
        if (values.size()) values[s] = 0.0;
        if (b == e) continue;
        std::span<const double> qs(q.data() + b, e - b);
        op.policy(qs, std::span<double>(pi.data() + b, e - b));
        if (values.size()) values[s] = op.value(qs);
    }
}

// Per-state entropy H(pi(.|s)) of a per-row policy (0 at terminal states).
std::vector<double> policy_entropy(const Model& m, std::span<const double> pi);

// sum_s p0(s) V(s).
double objective(const Model& m, std::span<const double> V);

// Resolves the thread count (0: all cores).
inline int thread_count(int threads) noexcept { return threads > 0 ? threads : omp_get_max_threads(); }

// Threads for a sweep over `transitions` entries: one below 50000, where starting a parallel region
// costs more than the sweep itself.
inline int sweep_threads(const Model& m, int threads) noexcept {
    return m.num_transitions() < 50000 ? 1 : thread_count(threads);
}

// Wall-clock seconds since construction.
class Stopwatch {
public:
    double seconds() const {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    }

private:
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace softmdp

namespace softmdp {

// Floating-point allowance added to every certified bound. Computing TV(s) = B(r + gamma sum_k p V)
// with k successors rounds by at most about (k + 4) ulps of max(|V|, |r|) (the sum, the reward,
// the backup); the MacQueen bracket multiplies that error by c = gamma/(1-gamma), and the reported
// values carry it once more, hence (c + 1). Keeps error_bound >= the true distance even when the
// iteration has converged to machine precision.
inline double rounding_slack(const Model& m, double max_abs_value) noexcept {
    const double c = m.discount() < 1.0 ? m.discount() / (1.0 - m.discount()) : 0.0;
    const double ulps = static_cast<double>(m.max_successors() + 4);
    return ulps * std::numeric_limits<double>::epsilon() * (c + 1.0) * (max_abs_value + m.max_abs_reward());
}

// Why a solver stopped short of a tolerance that rounding makes unreachable, and what to ask for.
inline std::string resolution_reason(double tolerance, double slack) {
    return fmt::format("the tolerance {:g} is below the floating-point resolution of these values ({:.3g}); "
                       "use --tolerance {:.1g} or larger",
                       tolerance, slack, 4.0 * slack);
}

inline double max_abs(std::span<const double> v) noexcept {
    double x = 0.0;
    for (double y : v) x = std::max(x, std::abs(y));
    return x;
}

// MacQueen bracket: if d = TV - V has l <= d <= u (terminal states count as d = 0), then
// V* lies in [TV + c l, TV + c u] with c = gamma/(1-gamma) for any monotone, constant-shifting
// gamma-contraction T. Moves TV (non-terminal states) to the midpoint; returns c (u - l)/2.
inline double move_to_midpoint(const Model& m, std::span<double> TV, double l, double u) {
    const double c = m.discount() / (1.0 - m.discount());
    const double shift = c * (l + u) / 2.0;
    for (std::size_t s = 0; s < m.num_states(); ++s)
        if (!m.is_terminal(s)) TV[s] += shift;
    return c * (u - l) / 2.0 + rounding_slack(m, max_abs(TV));
}

// min and max of TV - V, with 0 included (terminal states).
inline std::pair<double, double> difference_range(std::span<const double> TV, std::span<const double> V) {
    double l = 0.0, u = 0.0;
    for (std::size_t s = 0; s < V.size(); ++s) {
        l = std::min(l, TV[s] - V[s]);
        u = std::max(u, TV[s] - V[s]);
    }
    return {l, u};
}

}  // namespace softmdp

namespace softmdp {

// One backup V <- B(Q_V) moved to the MacQueen midpoint; returns the certified bound on the new V
// (none for gamma = 1 or a non-contraction).
template <Backup Op>
std::optional<double> certified_step(const Model& m, const Op& op, std::vector<double>& V, int threads = 0) {
    std::vector<double> TV(V.size()), q(m.max_actions_per_state() * static_cast<std::size_t>(sweep_threads(m, threads)) + 1);
    const ModelData& d = m.data();
    const auto S = static_cast<std::int64_t>(m.num_states());
    const std::size_t A = m.max_actions_per_state();
#pragma omp parallel for schedule(static) num_threads(sweep_threads(m, threads))
    for (std::int64_t s = 0; s < S; ++s)
        TV[static_cast<std::size_t>(s)] = backup_state(d, op, static_cast<std::size_t>(s), V.data(), q.data() + A * static_cast<std::size_t>(omp_get_thread_num()));
    const auto [l, u] = difference_range(TV, V);
    std::optional<double> bound;
    if (Op::is_contraction && m.discount() < 1.0) bound = move_to_midpoint(m, TV, l, u);
    V.swap(TV);
    return bound;
}

}  // namespace softmdp
