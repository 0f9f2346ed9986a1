#include "softmdp/bellman.hpp"

namespace softmdp {

namespace detail {

namespace {

// logsumexp_chunk when every state of the chunk has A rows, A known at compile time: each pass runs
// over the states with the A rows unrolled, so the max and the sum vectorise as well, and exp fuses
// with the sum. Same operations in the same order as the general passes, so the same bits.
template <int A>
[[gnu::always_inline]] inline void logsumexp_uniform(std::size_t n, const double* q, double alpha, double* out,
                                                     double* scratch) noexcept {
    double* mx = scratch;
    double* sum = scratch + n;
#pragma omp simd
    for (std::size_t i = 0; i < n; ++i) {
        double m = q[i * A];
        for (int k = 1; k < A; ++k) m = q[i * A + k] > m ? q[i * A + k] : m;
        mx[i] = m;
    }
#pragma omp simd
    for (std::size_t i = 0; i < n; ++i) {
        double acc = 0.0;
        for (int k = 0; k < A; ++k) acc += fast_exp_le0((q[i * A + k] - mx[i]) / alpha);
        sum[i] = acc;
    }
#pragma omp simd
    for (std::size_t i = 0; i < n; ++i) out[i] = mx[i] + alpha * fast_log(sum[i]);
}

// Calls f.template operator()<A>() with A = width for the action counts that have unrolled kernels;
// false for the others. f must be always_inline, so that it is compiled for the caller's target.
template <class F>
[[gnu::always_inline]] inline bool with_unrolled_width(Offset width, F&& f) noexcept {
    switch (width) {
        case 1: f.template operator()<1>(); return true;
        case 2: f.template operator()<2>(); return true;
        case 3: f.template operator()<3>(); return true;
        case 4: f.template operator()<4>(); return true;
        case 5: f.template operator()<5>(); return true;
        case 6: f.template operator()<6>(); return true;
        case 8: f.template operator()<8>(); return true;
        default: return false;
    }
}

// out[i] = max of the A rows of state i, as selects (see max_of).
template <int A>
[[gnu::always_inline]] inline void max_uniform(std::size_t n, const double* q, double* out) noexcept {
#pragma omp simd
    for (std::size_t i = 0; i < n; ++i) {
        double m = q[i * A];
        for (int k = 1; k < A; ++k) m = q[i * A + k] > m ? q[i * A + k] : m;
        out[i] = m;
    }
}

// States per group of the grouped sweep: the Q values of 16 states stay in L1, and their backup
// (about 300 instructions for 4 actions, soft) fits in the out-of-order window next to the loads of
// the following group, so the arithmetic hides behind the memory traffic.
constexpr std::size_t kGroupStates = 16;

// The n states from g, A rows each: TV = max Q_V (alpha = 0) or alpha logsumexp(Q_V / alpha), and
// their statistics. n is a constant where this is inlined, except at a chunk's tail.
template <int A>
[[gnu::always_inline]] inline void backup_group(const ModelData& d, double alpha, std::size_t g, std::size_t n,
                                                const double* V, double* TV, double* q, double* scratch,
                                                SweepStats& st) noexcept {
    chunk_q(d, d.state_begin[g], d.state_begin[g + n], V, q);
    if (alpha == 0.0)
        max_uniform<A>(n, q, TV + g);
    else
        logsumexp_uniform<A>(n, q, alpha, TV + g, scratch);
    for (std::size_t i = 0; i < n; ++i) st.add(TV[g + i], V[g + i]);
}

// The chunk's states, A rows each, in groups of kGroupStates.
template <int A>
[[gnu::always_inline]] inline void sweep_uniform(const ModelData& d, double alpha, Chunk c, const double* V, double* TV,
                                                 SweepStats& out) noexcept {
    SweepStats st = out;  // locals, so that the compiler keeps them in registers and L1
    alignas(64) double q[kGroupStates * A], scratch[2 * kGroupStates];
    std::size_t g = c.first;
    for (; g + kGroupStates <= c.last; g += kGroupStates) backup_group<A>(d, alpha, g, kGroupStates, V, TV, q, scratch, st);
    if (g < c.last) backup_group<A>(d, alpha, g, c.last - g, V, TV, q, scratch, st);
    out = st;
}

// The chunk in groups if its states share an action count with unrolled kernels (else false): in
// baseline code for the max, which needs no wide vectors, and in wide clones for the log-sum-exp.
// Q has the same bits in both (chunk_q's no_contract).
bool sweep_uniform_hard(const ModelData& d, Chunk c, const double* V, double* TV, SweepStats& st) noexcept {
    return with_unrolled_width(c.width, [&]<int A>() __attribute__((always_inline)) { sweep_uniform<A>(d, 0.0, c, V, TV, st); });
}

SOFTMDP_SIMD_CLONES
bool sweep_uniform_soft(const ModelData& d, double alpha, Chunk c, const double* V, double* TV, SweepStats& st) noexcept {
    return with_unrolled_width(c.width, [&]<int A>() __attribute__((always_inline)) { sweep_uniform<A>(d, alpha, c, V, TV, st); });
}

}  // namespace

void sweep_chunk(const ModelData& d, const HardMax& op, Chunk c, const double* V, double* TV, double* q,
                 double* scratch, SweepStats& st) noexcept {
    if (!sweep_uniform_hard(d, c, V, TV, st)) sweep_chunk<HardMax>(d, op, c, V, TV, q, scratch, st);
}

void sweep_chunk(const ModelData& d, const LogSumExp& op, Chunk c, const double* V, double* TV, double* q,
                 double* scratch, SweepStats& st) noexcept {
    if (op.alpha == 0.0) return sweep_chunk(d, HardMax{}, c, V, TV, q, scratch, st);
    if (!sweep_uniform_soft(d, op.alpha, c, V, TV, st)) sweep_chunk<LogSumExp>(d, op, c, V, TV, q, scratch, st);
}

SOFTMDP_SIMD_CLONES
void logsumexp_chunk(const Offset* begin, Chunk c, const double* q, double alpha, double* out, double* scratch) noexcept {
    const std::size_t n = c.last - c.first;
    // Most models give (nearly) every state the same number of actions: take the unrolled passes
    // then (on a 4-action Garnet the soft sweep's cost over the hard one fell from about 5 to 3 ms).
    if (with_unrolled_width(c.width, [&]<int A>() __attribute__((always_inline)) {
            logsumexp_uniform<A>(n, q, alpha, out, scratch);
        }))
        return;
    const Offset base = begin[0];
    const std::size_t rows = begin[n] - base;
    double* shift = scratch;     // per row: the max of its state
    double* w = scratch + rows;  // per row: exp((q - max)/alpha)
    double* mx = w + rows;       // per state
    double* sum = mx + n;        // per state
    for (std::size_t i = 0; i < n; ++i) {
        const Offset b = begin[i] - base, e = begin[i + 1] - base;
        double m = b == e ? 0.0 : q[b];
        for (Offset r = b + 1; r < e; ++r) m = q[r] > m ? q[r] : m;
        mx[i] = m;
        for (Offset r = b; r < e; ++r) shift[r] = m;
    }
#pragma omp simd
    for (std::size_t r = 0; r < rows; ++r) w[r] = fast_exp_le0((q[r] - shift[r]) / alpha);
    for (std::size_t i = 0; i < n; ++i) {
        double acc = 0.0;  // >= 1 (the max's own term) unless terminal
        for (Offset r = begin[i] - base, e = begin[i + 1] - base; r < e; ++r) acc += w[r];
        sum[i] = acc;
    }
#pragma omp simd
    for (std::size_t i = 0; i < n; ++i) {
        const double v = mx[i] + alpha * fast_log(sum[i]);  // unconditional, so the loop vectorises
        out[i] = sum[i] == 0.0 ? 0.0 : v;                   // terminal states have no rows
    }
}

}  // namespace detail

void compute_q(const Model& m, std::span<const double> V, std::span<double> q, int threads) {
    const ModelData& d = m.data();
    const auto rows = static_cast<std::int64_t>(m.num_rows());
#pragma omp parallel for schedule(static) num_threads(sweep_threads(m, threads))
    for (std::int64_t r = 0; r < rows; ++r) q[static_cast<std::size_t>(r)] = q_value(d, static_cast<Offset>(r), V.data());
}

std::vector<double> policy_entropy(const Model& m, std::span<const double> pi) {
    std::vector<double> h(m.num_states(), 0.0);
    for (std::size_t s = 0; s < m.num_states(); ++s)
        h[s] = entropy(pi.subspan(m.row_first(s), m.num_available(s)));
    return h;
}

double objective(const Model& m, std::span<const double> V) {
    double j = 0.0;
    const auto p0 = m.initial();
    for (std::size_t s = 0; s < m.num_states(); ++s) j += p0[s] * V[s];
    return j;
}

}  // namespace softmdp
