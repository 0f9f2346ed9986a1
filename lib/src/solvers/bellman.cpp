#include "softmdp/solvers/bellman.hpp"
#include "../core/fast_math.hpp"

namespace softmdp {

namespace detail {

namespace {

// out[i] = max of the A rows of state i, as selects (see max_of), A known at compile time: the loop
// runs over the states with the A rows unrolled, so it vectorises.
template <int A>
[[gnu::always_inline]] inline void max_uniform(std::size_t n, const double* q, double* out) noexcept {
#pragma omp simd
    for (std::size_t i = 0; i < n; ++i) {
        double m = q[i * A];
        for (int k = 1; k < A; ++k) m = q[i * A + k] > m ? q[i * A + k] : m;
        out[i] = m;
    }
}

// logsumexp_chunk when every state of the chunk has A rows: each pass runs over the states with the
// A rows unrolled, so the max and the sum vectorise as well, and exp fuses with the sum. Same
// operations in the same order as the general passes, so the same bits.
template <int A>
[[gnu::always_inline]] inline void logsumexp_uniform(std::size_t n, const double* q, double alpha, double* out,
                                                     double* scratch) noexcept {
    double* mx = scratch;
    double* sum = scratch + n;
    max_uniform<A>(n, q, mx);
#pragma omp simd
    for (std::size_t i = 0; i < n; ++i) {
        double acc = 0.0;
        for (int k = 0; k < A; ++k) acc += fast_exp_le0((q[i * A + k] - mx[i]) / alpha);
        sum[i] = acc;
    }
#pragma omp simd
    for (std::size_t i = 0; i < n; ++i) out[i] = mx[i] + alpha * fast_log(sum[i]);
}

// Calls f.template operator()<N>() with N = count for the action and successor counts that have
// unrolled kernels; false for the others. f must be always_inline, so that it is compiled for the
// caller's target.
template <class F>
[[gnu::always_inline]] inline bool with_unrolled_count(Offset count, F&& f) noexcept {
    switch (count) {
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

// chunk_q for rows of B successors each: row r's start at r B, and the loop over them unrolls.
// Same operations in the same order as chunk_q, so the same bits; 18% faster on a Garnet sweep.
template <int B>
[[gnu::always_inline]] inline void chunk_q_uniform(const ModelData& d, Offset first, Offset last, const double* V,
                                                   double* q) noexcept {
    const double* reward = d.row_reward.data();
    const Transition* tr = d.transitions.data() + first * B;
    const double gamma = d.discount;
    for (Offset r = first; r < last; ++r, tr += B) {
        double acc = 0.0;
        for (int k = 0; k < B; ++k) acc += tr[k].prob() * V[tr[k].next];
        q[r - first] = reward[r] + gamma * acc;
    }
}

}  // namespace

void chunk_q(const ModelData& d, Chunk c, const double* V, double* q) noexcept {
    const Offset first = d.state_begin[c.first], last = d.state_begin[c.last];
    if (!with_unrolled_count(c.successors, [&]<int B>() __attribute__((always_inline)) { chunk_q_uniform<B>(d, first, last, V, q); }))
        chunk_q(d, first, last, V, q);
}

bool max_chunk_unrolled(Chunk c, const double* q, double* out) noexcept {
    const std::size_t n = c.last - c.first;
    return with_unrolled_count(c.width, [&]<int A>() __attribute__((always_inline)) { max_uniform<A>(n, q, out); });
}

SOFTMDP_SIMD_CLONES
void logsumexp_chunk(const Offset* begin, Chunk c, const double* q, double alpha, double* out, double* scratch) noexcept {
    const std::size_t n = c.last - c.first;
    // Most models give (nearly) every state the same number of actions: take the unrolled passes
    // then (on a 4-action Garnet the soft sweep's cost over the hard one fell from about 5 to 3 ms).
    if (with_unrolled_count(c.width, [&]<int A>() __attribute__((always_inline)) {
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
    const int nt = sweep_threads(m, threads);
    if (nt == 1) {  // outside any parallel region: libgomp enters even a one-thread region with futex
        // calls, 1 to 3 us each on a virtual machine, more than this pass over a small model
        detail::chunk_q(d, 0, static_cast<Offset>(rows), V.data(), q.data());
        return;
    }
#pragma omp parallel for schedule(static) num_threads(nt)
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
