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
        for (int k = 0; k < A; ++k) acc += fast_exp((q[i * A + k] - mx[i]) / alpha);
        sum[i] = acc;
    }
#pragma omp simd
    for (std::size_t i = 0; i < n; ++i) out[i] = mx[i] + alpha * fast_log(sum[i]);
}

}  // namespace

SOFTMDP_SIMD_CLONES
void logsumexp_chunk(const Offset* begin, std::size_t n, const double* q, double alpha, double* out,
                     double* scratch) noexcept {
    // Most models give (nearly) every state the same number of actions: take the unrolled passes
    // then (on a 4-action Garnet the soft sweep's cost over the hard one fell from about 5 to 3 ms).
    const Offset width = begin[1] - begin[0];
    bool uniform = true;
    for (std::size_t i = 1; i < n; ++i) uniform &= begin[i + 1] - begin[i] == width;
    if (uniform) {
        switch (width) {
            case 2: return logsumexp_uniform<2>(n, q, alpha, out, scratch);
            case 3: return logsumexp_uniform<3>(n, q, alpha, out, scratch);
            case 4: return logsumexp_uniform<4>(n, q, alpha, out, scratch);
            case 5: return logsumexp_uniform<5>(n, q, alpha, out, scratch);
            case 6: return logsumexp_uniform<6>(n, q, alpha, out, scratch);
            case 8: return logsumexp_uniform<8>(n, q, alpha, out, scratch);
            default: break;
        }
    }
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
    for (std::size_t r = 0; r < rows; ++r) w[r] = fast_exp((q[r] - shift[r]) / alpha);
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
