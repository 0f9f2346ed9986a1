#pragma once
// Bellman kernels over the CSR model, shared by every solver.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>
#include <fmt/format.h>
#include <span>
#include <stdexcept>
#include <vector>

#include "softmdp/core/iteration.hpp"
#include "softmdp/core/stopwatch.hpp"
#include "softmdp/core/threads.hpp"
#include "softmdp/core/model.hpp"
#include "softmdp/core/solution.hpp"
#include "softmdp/solvers/soft_operators.hpp"

namespace softmdp {

// Threads for a sweep over `transitions` entries: one below 50000, where starting a parallel region
// costs more than the sweep itself.
inline int sweep_threads(const Model& m, int threads) noexcept {
    return m.num_transitions() < 50000 ? 1 : thread_count(threads);
}

namespace detail {

// q[r - first] = Q_V(s, a) = r(s,a) + gamma sum_s' p(s'|s,a) V(s') for the rows [first, last), in
// one pass over their transitions (contiguous): each row reads only where it ends, 6-10% faster per
// sweep than a separate loop per row on the 10^6-state Garnet (measured interleaved).
inline void chunk_q(const ModelData& d, Offset first, Offset last, const double* V, double* q) noexcept {
    const Offset* end = d.row_begin.data();
    const double* reward = d.row_reward.data();
    const Transition* tr = d.transitions.data();
    const double gamma = d.discount;
    Offset t = end[first];
    for (Offset r = first; r < last; ++r) {
        double acc = 0.0;
        for (const Offset e = end[r + 1]; t < e; ++t) acc += tr[t].prob() * V[tr[t].next];
        q[r - first] = reward[r] + gamma * acc;
    }
}

}  // namespace detail

// Q_V(s,a) for one row.
inline double q_value(const ModelData& d, Offset row, const double* V) noexcept {
    double q = 0.0;
    detail::chunk_q(d, row, row + 1, V, &q);
    return q;
}

// B(Q_V(s, .)) for one state, using qbuf (>= its action count) as scratch; 0 for terminal states.
template <Backup Op>
inline double backup_state(const ModelData& d, const Op& op, std::size_t s, const double* V, double* qbuf) noexcept {
    const Offset b = d.state_begin[s], e = d.state_begin[s + 1];
    if (b == e) return 0.0;
    detail::chunk_q(d, b, e, V, qbuf);
    return op.value(std::span<const double>(qbuf, e - b));
}

// What a sweep V -> TV reports: the range of TV - V over all states (terminal states count with
// TV - V = 0) and max |TV|, for the MacQueen bracket and the rounding slack.
struct SweepStats {
    double lo = std::numeric_limits<double>::infinity();
    double hi = -std::numeric_limits<double>::infinity();
    double vmax = 0.0;
    // Accounts for one state's backup: its new value and the one it replaces.
    void add(double tv, double v) noexcept {
        lo = std::min(lo, tv - v);
        hi = std::max(hi, tv - v);
        vmax = std::max(vmax, std::abs(tv));
    }
};

namespace detail {

// Rows per chunk of the block kernels: small enough for L1, large enough to vectorise over.
inline constexpr std::size_t kChunkRows = 1024;

// Per-thread scratch that only grows, so that sweeps allocate nothing after the first one.
inline double* thread_scratch(std::size_t n) {
    thread_local std::vector<double> buf;
    if (buf.size() < n) buf.resize(n);
    return buf.data();
}

// States [first, last) of the block kernels, the number of actions they all have, and the number of
// successors of every row of the model (each 0 if it varies): the kernels unroll over common counts.
struct Chunk {
    std::size_t first, last;
    Offset width;
    Offset successors;
};

// The action count shared by the n states whose row offsets are begin[0..n], or 0 if they differ.
inline Offset common_width(const Offset* begin, std::size_t n) noexcept {
    const Offset width = begin[1] - begin[0];
    bool same = true;
    for (std::size_t i = 1; i < n; ++i) same &= begin[i + 1] - begin[i] == width;
    return same ? width : 0;
}

// The chunks of states [block * kBlock, (block + 1) * kBlock) (see for_each_chunk).
inline constexpr std::size_t kBlock = 4096;  // states per scheduling unit
template <class F>
inline void chunks_of_block(const Model& m, std::size_t block, F& f) {
    const std::size_t S = m.num_states(), A = m.uniform_actions(), B = m.uniform_successors();
    const Offset* sb = m.data().state_begin.data();
    const std::size_t end = std::min(S, (block + 1) * kBlock);
    for (std::size_t s0 = block * kBlock, s1; s0 < end; s0 = s1) {
        if (A > 0) {  // every state has A rows: no search, no check (5% of a Garnet sweep)
            s1 = std::min(end, s0 + std::max<std::size_t>(1, kChunkRows / A));
            f(Chunk{s0, s1, A, B});
            continue;
        }
        // the last s1 <= s0 + kChunkRows whose rows [sb[s0], sb[s1]) fit, found by bisection
        const Offset* fits_end = std::upper_bound(sb + s0 + 1, sb + std::min(end, s0 + kChunkRows) + 1, sb[s0] + kChunkRows);
        s1 = std::max(s0 + 1, static_cast<std::size_t>(fits_end - sb) - 1);
        f(Chunk{s0, s1, common_width(sb + s0, s1 - s0), B});
    }
}

inline std::size_t block_count(const Model& m) noexcept { return (m.num_states() + kBlock - 1) / kBlock; }

// Splits the states into chunks of at most kChunkRows states and rows (a state with more rows is a
// chunk of its own) and calls f(Chunk) for each, sharing the chunks among the threads of the
// enclosing parallel region (an orphaned `omp for`, so callers keep their own reductions).
template <class F>
inline void for_each_chunk(const Model& m, F&& f) {
    const auto blocks = static_cast<std::int64_t>(block_count(m));
#pragma omp for schedule(dynamic, 1)  // a descheduled thread (busy machine) does not hold up the rest
    for (std::int64_t blk = 0; blk < blocks; ++blk) chunks_of_block(m, static_cast<std::size_t>(blk), f);
}

// The same chunks in order on the calling thread, outside any OpenMP construct: for models below
// sweep_threads' cut, where even a one-thread parallel region costs libgomp's team set-up and
// futex calls (1 to 3 us each on a virtual machine), more than a sweep of a 400-state gridworld.
template <class F>
inline void for_each_chunk_serial(const Model& m, F&& f) {
    for (std::size_t blk = 0, n = block_count(m); blk < n; ++blk) chunks_of_block(m, blk, f);
}

// Scratch doubles for one chunk: its Q rows, and backup_chunk's 2 (rows + states).
inline std::size_t chunk_scratch(const Model& m) noexcept {
    return 3 * std::max(kChunkRows, m.max_actions_per_state()) + 2 * kChunkRows;
}

// q[r - first row] = Q_V(s, a) for the chunk's rows: chunk_q, unrolled over the successors when
// every row has the same number, which also leaves the row offsets unread (bellman.cpp).
void chunk_q(const ModelData& d, Chunk c, const double* V, double* q) noexcept;

// out[i] = max_a q(c.first + i, a) for the chunk's states (rows start at q), unrolled and vectorised,
// when they share an action count that has an unrolled kernel; else false, and nothing written.
bool max_chunk_unrolled(Chunk c, const double* q, double* out) noexcept;

// out[i] = alpha logsumexp(q(c.first + i, .)/alpha) for the chunk's states, whose row offsets are
// begin[0..n] (rows start at q; 0 for terminal states), as vectorised passes over the chunk's rows:
// exp((q - max)/alpha), then alpha log of the per-state sums. scratch holds 2 (rows + n) doubles.
// Compiled for AVX-512, AVX2+FMA and baseline x86-64 (bellman.cpp).
void logsumexp_chunk(const Offset* begin, Chunk c, const double* q, double alpha, double* out, double* scratch) noexcept;

// out[s - c.first] = B(q(s, .)) for the chunk's states, whose rows start at q (0 for terminal
// states); scratch as for logsumexp_chunk.
template <Backup Op>
inline void backup_chunk(const ModelData& d, const Op& op, Chunk c, const double* q, double* out, double* scratch) noexcept {
    const Offset* begin = d.state_begin.data() + c.first;
    constexpr ChunkKernel kernel = chunk_kernel_of<Op>();
    if constexpr (kernel == ChunkKernel::logsumexp) {
        if (op.temperature() > 0.0) return logsumexp_chunk(begin, c, q, op.temperature(), out, scratch);
    }
    if constexpr (kernel != ChunkKernel::none) {  // the max (logsumexp at alpha = 0)
        if (max_chunk_unrolled(c, q, out)) return;
    }
    for (std::size_t i = 0; i < c.last - c.first; ++i) {
        const Offset b = begin[i] - begin[0], e = begin[i + 1] - begin[0];
        out[i] = b == e ? 0.0 : op.value(std::span<const double>(q + b, e - b));
    }
}

// One chunk of a Jacobi sweep: TV(s) = B(Q_V(s, .)) from the chunk's Q (in q), accounted in st;
// scratch as for logsumexp_chunk.
template <Backup Op>
inline void sweep_chunk(const ModelData& d, const Op& op, Chunk c, const double* V, double* TV, double* q,
                        double* scratch, SweepStats& st) noexcept {
    chunk_q(d, c, V, q);
    backup_chunk(d, op, c, q, TV + c.first, scratch);
    SweepStats mine = st;  // a local, so that it stays in registers
    for (std::size_t s = c.first; s < c.last; ++s) mine.add(TV[s], V[s]);
    st = mine;
}

}  // namespace detail

// One Jacobi sweep TV(s) = B(Q_V(s, .)) over all states, in parallel over chunks of states.
template <Backup Op>
SweepStats jacobi_sweep(const Model& m, const Op& op, std::span<const double> V, std::span<double> TV, int threads = 0) {
    const ModelData& d = m.data();
    const std::size_t rows_max = std::max(detail::kChunkRows, m.max_actions_per_state());
    const int nt = sweep_threads(m, threads);
    if (nt == 1) {  // no parallel region at all (for_each_chunk_serial says why)
        double* q = detail::thread_scratch(detail::chunk_scratch(m));
        SweepStats st;
        detail::for_each_chunk_serial(m, [&](detail::Chunk c) { detail::sweep_chunk(d, op, c, V.data(), TV.data(), q, q + rows_max, st); });
        return st;
    }
    double lo = std::numeric_limits<double>::infinity(), hi = -lo, vmax = 0.0;
#pragma omp parallel num_threads(nt) reduction(min : lo) reduction(max : hi, vmax)
    {
        double* q = detail::thread_scratch(detail::chunk_scratch(m));
        SweepStats mine;
        detail::for_each_chunk(m, [&](detail::Chunk c) { detail::sweep_chunk(d, op, c, V.data(), TV.data(), q, q + rows_max, mine); });
        lo = mine.lo, hi = mine.hi, vmax = mine.vmax;
    }
    return {lo, hi, vmax};
}

// values(s) = B(q(s, .)) for every state from a per-row table q (0 at terminal states).
template <Backup Op>
void backup_values(const Model& m, const Op& op, std::span<const double> q, std::span<double> values, int threads = 0) {
    const ModelData& d = m.data();
    const auto chunk = [&](double* scratch) {
        return [&d, &op, q, values, scratch](detail::Chunk c) {
            detail::backup_chunk(d, op, c, q.data() + d.state_begin[c.first], values.data() + c.first, scratch);
        };
    };
    const int nt = sweep_threads(m, threads);
    if (nt == 1) return detail::for_each_chunk_serial(m, chunk(detail::thread_scratch(detail::chunk_scratch(m))));
#pragma omp parallel num_threads(nt)
    detail::for_each_chunk(m, chunk(detail::thread_scratch(detail::chunk_scratch(m))));
}

// Q_V for every row.
void compute_q(const Model& m, std::span<const double> V, std::span<double> q, int threads = 0);

// The policy of operator op at Q (per row), and optionally the backed-up values B(Q(s,.)).
template <Backup Op>
void policy_from_q(const Model& m, const Op& op, std::span<const double> q, std::span<double> pi,
                   std::span<double> values = {}, int threads = 0) {
    const ModelData& d = m.data();
    const auto S = static_cast<std::int64_t>(m.num_states());
    const auto state = [&](std::size_t s) {
        const Offset b = d.state_begin[s], e = d.state_begin[s + 1];
        if (values.size()) values[s] = 0.0;
        if (b == e) return;
        std::span<const double> qs(q.data() + b, e - b);
        op.policy(qs, std::span<double>(pi.data() + b, e - b));
        if (values.size()) values[s] = op.value(qs);
    };
    const int nt = sweep_threads(m, threads);
    if (nt == 1) {  // no parallel region (for_each_chunk_serial says why)
        for (std::size_t s = 0; s < m.num_states(); ++s) state(s);
        return;
    }
#pragma omp parallel for schedule(static) num_threads(nt)
    for (std::int64_t si = 0; si < S; ++si) state(static_cast<std::size_t>(si));
}

// Per-state entropy H(pi(.|s)) of a per-row policy (0 at terminal states).
std::vector<double> policy_entropy(const Model& m, std::span<const double> pi);

// sum_s p0(s) V(s).
double objective(const Model& m, std::span<const double> V);

// The end of a value or policy iteration at sol.values: sol.state_rows, which gives one state's
// Q_V(s, .) and pi(.|s) of op, and with opt.keep_rows the whole tables sol.q and sol.policy, by the
// same arithmetic (q_value per row, op.policy per state), so that either way gives the same doubles.
template <Backup Op>
void finish_rows(const Model& m, const Op& op, Solution& sol, const SolverOptions& opt) {
    sol.state_rows = [model = &m, op](std::size_t s, std::span<const double> V, std::span<double> q, std::span<double> pi) {
        const ModelData& d = model->data();
        const Offset b = d.state_begin[s], e = d.state_begin[s + 1];
        for (Offset r = b; r < e; ++r) q[r - b] = q_value(d, r, V.data());
        if (e > b) op.policy(q.first(e - b), pi.first(e - b));
    };
    if (!opt.keep_rows) {
        std::vector<double>().swap(sol.q);
        std::vector<double>().swap(sol.policy);
        return;
    }
    sol.q.resize(m.num_rows());
    compute_q(m, sol.values, sol.q, opt.threads);
    sol.policy.assign(m.num_rows(), 0.0);
    policy_from_q(m, op, sol.q, sol.policy, {}, opt.threads);
}

// Calls f(s, q, pi) for every state s in order (the first `states` of them), q and pi the spans of
// its rows (empty at terminal states): from sol.q and sol.policy when the solution kept them, else
// computed one state at a time by sol.state_rows (memory: the rows of one state).
template <class F>
void for_each_state_rows(const Model& m, const Solution& sol, F&& f, std::size_t states = SIZE_MAX) {
    const bool kept = sol.q.size() == m.num_rows() && sol.policy.size() == m.num_rows();
    if (!kept && !sol.state_rows) throw std::logic_error("for_each_state_rows: the solution has neither q and policy nor state_rows");
    std::vector<double> q(kept ? 0 : m.max_actions_per_state()), pi(q.size());
    for (std::size_t s = 0; s < std::min(states, m.num_states()); ++s) {
        const Offset b = m.row_first(s);
        const std::size_t n = m.num_available(s);
        if (kept) {
            f(s, std::span<const double>(sol.q.data() + b, n), std::span<const double>(sol.policy.data() + b, n));
        } else {
            sol.state_rows(s, sol.values, q, pi);
            f(s, std::span<const double>(q.data(), n), std::span<const double>(pi.data(), n));
        }
    }
}

}  // namespace softmdp

namespace softmdp {

// Floating-point allowance added to every certified bound (rounding_allowance, core/iteration.hpp).
// Computing TV(s) = B(r + gamma sum_k p V) with k successors rounds by at most about (k + 4) ulps of
// max(|V|, |r|) (the sum, the reward, the backup).
inline double rounding_slack(const Model& m, double max_abs_value) noexcept {
    const double c = m.discount() < 1.0 ? m.discount() / (1.0 - m.discount()) : 0.0;
    return rounding_allowance(static_cast<double>(m.max_successors() + 4), c, max_abs_value + m.max_abs_reward());
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

// min and max of TV - V over all states (terminal states, where both are 0, count with 0).
inline std::pair<double, double> difference_range(std::span<const double> TV, std::span<const double> V) {
    double l = std::numeric_limits<double>::infinity(), u = -l;
    for (std::size_t s = 0; s < V.size(); ++s) {
        const double d = TV[s] - V[s];
        // std::min/max drop a NaN (inf - inf): return it, so callers' isfinite checks see it.
        if (std::isnan(d)) return {d, d};
        l = std::min(l, d);
        u = std::max(u, d);
    }
    return {l, u};
}

}  // namespace softmdp

namespace softmdp {

// One backup V <- B(Q_V) moved to the MacQueen midpoint; returns the certified bound on the new V
// (none for gamma = 1 or a non-contraction).
template <Backup Op>
std::optional<double> certified_step(const Model& m, const Op& op, std::vector<double>& V, int threads = 0) {
    std::vector<double> TV(V.size());
    const SweepStats st = jacobi_sweep(m, op, V, TV, threads);
    std::optional<double> bound;
    if (Op::is_contraction && m.discount() < 1.0) bound = move_to_midpoint(m, TV, st.lo, st.hi);
    V.swap(TV);
    return bound;
}

}  // namespace softmdp
