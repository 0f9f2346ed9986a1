#include "softmdp/continuous/svgd.hpp"

#include <algorithm>
#include <bit>
#include <numbers>
#include <omp.h>

#include <fmt/format.h>

#include "softmdp/core/errors.hpp"
#include "softmdp/core/stopwatch.hpp"
#include "softmdp/core/threads.hpp"
#include "../core/fast_math.hpp"

namespace softmdp::detail {

namespace {

// Particles j > i are visited in chunks whose distances and kernel values sit in a per-thread
// scratch array: every loop then runs over particles with unit stride and vectorises, for any d.
// The helpers of the SOFTMDP_SIMD_CLONES functions are always inlined, so that they are compiled
// for each version.
constexpr std::size_t kChunk = 128;
// Row blocks are the unit of parallel work. Their number depends on n only (not on the threads), so
// every floating-point sum is done in the same order with any thread count.
constexpr std::size_t kMaxBlocks = 32, kMinBlockRows = 16;
// Radix select: 16-bit digits of the distances' bit patterns (monotone for doubles >= 0); when at
// most kPickMax candidates are left, they are collected and finished by std::nth_element.
constexpr int kDigitBits = 16;
constexpr std::size_t kBins = std::size_t{1} << kDigitBits, kPickMax = std::size_t{1} << 14;
// Per-thread counters kPad apart: one cache line each.
constexpr std::size_t kPad = 8;
// Pairs per thread below which another thread costs more in fork/join than it saves (a step of
// 50,000 pairs takes about 0.1 ms; a busy machine makes each barrier far dearer).
constexpr std::size_t kPairsPerThread = 50'000;

// r2[t] = ||x_i - x_{j0+t}||^2 for t < m; xs holds the particles by coordinate (d x n).
[[gnu::always_inline]] inline void squared_distances(const double* xs, std::size_t n, std::size_t d, std::size_t i,
                                                     std::size_t j0, std::size_t m, double* r2) {
    std::fill_n(r2, m, 0.0);
    for (std::size_t k = 0; k < d; ++k) {
        const double xi = xs[k * n + i];
        const double* x = xs + k * n + j0;
#pragma omp simd
        for (std::size_t t = 0; t < m; ++t) r2[t] += (xi - x[t]) * (xi - x[t]);
    }
}

// For particles j0 .. j0+m-1 (all > i) with kernel values kv, and G coordinates k0 .. k0+G-1 in one
// pass (G known at compile time, so the loop over them unrolls into the loop over particles):
//   row[k]    += sum_j k_ij (s_jk + c (x_ik - x_jk))
//   col[k, j] += k_ij (s_ik - c (x_ik - x_jk))
template <std::size_t G>
[[gnu::always_inline]] inline void pair_terms(const double* xs, const double* ss, std::size_t n, std::size_t i, std::size_t k0,
                                              std::size_t j0, std::size_t m, double c, const double* kv, double* row,
                                              double* col) {
    static_assert(G >= 1 && G <= 3);
    double xi[G], si[G];
    for (std::size_t g = 0; g < G; ++g) xi[g] = xs[(k0 + g) * n + i], si[g] = ss[(k0 + g) * n + i];
    double a0 = 0.0, a1 = 0.0, a2 = 0.0;
#pragma omp simd reduction(+ : a0, a1, a2)
    for (std::size_t t = 0; t < m; ++t) {
        const double kc = c * kv[t];
        const auto term = [&](std::size_t g, double& acc) {
            const std::size_t at = (k0 + g) * n + j0 + t;
            const double diff = xi[g] - xs[at];
            acc += kv[t] * ss[at] + kc * diff;
            col[at] += kv[t] * si[g] - kc * diff;
        };
        term(0, a0);
        if constexpr (G > 1) term(1, a1);
        if constexpr (G > 2) term(2, a2);
    }
    row[k0] += a0;
    if constexpr (G > 1) row[k0 + 1] += a1;
    if constexpr (G > 2) row[k0 + 2] += a2;
}

// The pairs (i, j > i) of one particle i, kernel k_ij = exp(-||x_i - x_j||^2 / h) computed once for
// both halves of the SVGD sum (grad_{x_j} k(x_j, x_i) = (2/h)(x_i - x_j) k_ij), c = 2/h:
//   row[.]     = sum_j k_ij (s_j + c (x_i - x_j))   (phi of i, d values)
//   col[., j] += k_ij (s_i - c (x_i - x_j))         (phi of j, d x n)
// D: the dimension when it is 1 to 3 (distances and terms then take one pass each), 0 for any d.
template <std::size_t D>
SOFTMDP_SIMD_CLONES void stein_row(const double* xs, const double* ss, std::size_t n, std::size_t d, std::size_t i, double h,
                                   double* row, double* col, double* kv) {
    static_assert(D <= 3);
    const double inv_h = 1.0 / h, c = 2.0 / h;
    std::fill_n(row, d, 0.0);
    for (std::size_t j0 = i + 1; j0 < n; j0 += kChunk) {
        const std::size_t m = std::min(kChunk, n - j0);
        if constexpr (D > 0) {
            const auto sq = [&](std::size_t k, std::size_t t) {  // (x_ik - x_jk)^2, j = j0 + t
                const double diff = xs[k * n + i] - xs[k * n + j0 + t];
                return diff * diff;
            };
#pragma omp simd
            for (std::size_t t = 0; t < m; ++t) {
                double r2 = sq(0, t);
                if constexpr (D > 1) r2 += sq(1, t);
                if constexpr (D > 2) r2 += sq(2, t);
                kv[t] = fast_exp(-r2 * inv_h);
            }
            pair_terms<D>(xs, ss, n, i, 0, j0, m, c, kv, row, col);
        } else {
            squared_distances(xs, n, d, i, j0, m, kv);
#pragma omp simd
            for (std::size_t t = 0; t < m; ++t) kv[t] = fast_exp(-kv[t] * inv_h);
            for (std::size_t k = 0; k < d; ++k) pair_terms<1>(xs, ss, n, i, k, j0, m, c, kv, row, col);
        }
    }
}

// sum_{j > i} u(x_i, x_j), u the Stein kernel of the RBF kernel:
//   u = k [s_i.s_j + (2/h)(s_i - s_j).(x_i - x_j) + 2d/h - 4 r^2/h^2]   (symmetric in i, j).
SOFTMDP_SIMD_CLONES
double stein_kernel_row(const double* xs, const double* ss, std::size_t n, std::size_t d, std::size_t i, double h, double* r2,
                        double* u) {
    const double inv_h = 1.0 / h, c = 2.0 / h, base = 2.0 * static_cast<double>(d) / h, c4 = 4.0 / (h * h);
    double total = 0.0;
    for (std::size_t j0 = i + 1; j0 < n; j0 += kChunk) {
        const std::size_t m = std::min(kChunk, n - j0);
        squared_distances(xs, n, d, i, j0, m, r2);
#pragma omp simd
        for (std::size_t t = 0; t < m; ++t) u[t] = base - c4 * r2[t];
        for (std::size_t k = 0; k < d; ++k) {
            const double xi = xs[k * n + i], si = ss[k * n + i];
            const double *x = xs + k * n + j0, *s = ss + k * n + j0;
#pragma omp simd
            for (std::size_t t = 0; t < m; ++t) u[t] += si * s[t] + c * (si - s[t]) * (xi - x[t]);
        }
#pragma omp simd reduction(+ : total)
        for (std::size_t t = 0; t < m; ++t) total += fast_exp(-r2[t] * inv_h) * u[t];
    }
    return total;
}

// The threads worth using for n particles (the results do not depend on it).
int useful_threads(std::size_t n, int requested) {
    const std::size_t pairs = n < 2 ? 0 : n * (n - 1) / 2;
    return static_cast<int>(std::clamp<std::size_t>(pairs / kPairsPerThread, 1, static_cast<std::size_t>(thread_count(requested))));
}

// Row-major n x d to d x n.
void to_columns(std::span<const double> rows, std::size_t n, std::size_t d, std::vector<double>& cols) {
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t k = 0; k < d; ++k) cols[k * n + i] = rows[i * d + k];
}

}  // namespace

SvgdState::SvgdState(std::size_t n, std::size_t d, int threads)
    : n_(n),
      d_(d),
      blocks_(std::clamp<std::size_t>((n + kMinBlockRows - 1) / kMinBlockRows, 1, kMaxBlocks)),
      block_rows_((n + blocks_ - 1) / blocks_),
      threads_(useful_threads(n, threads)),
      xs_(n * d),
      ss_(n * d),
      col_(blocks_ * d * n),
      phi_(n * d),
      adagrad_(n * d, 0.0),
      scratch_(static_cast<std::size_t>(threads_) * 2 * kChunk),
      counts_(static_cast<std::size_t>(threads_) * kBins),
      picked_(static_cast<std::size_t>(threads_) * kPickMax),
      filled_(static_cast<std::size_t>(threads_) * kPad),
      rows_(n) {}

double to_box(std::span<const double> low, std::span<const double> high, std::span<const double> u, std::span<double> a) {
    double moved = 0.0;
    for (std::size_t k = 0; k < u.size(); ++k) {
        // Phi(u) = erfc(-u / sqrt 2) / 2 from the nearer face: no cancellation in the tails.
        const double w = high[k] - low[k], t = std::numbers::sqrt2 / 2.0 * u[k];
        const double v = u[k] < 0.0 ? low[k] + w * (0.5 * std::erfc(-t)) : high[k] - w * (0.5 * std::erfc(t));
        const double inside = std::clamp(v, std::nextafter(low[k], high[k]), std::nextafter(high[k], low[k]));
        moved = std::max(moved, std::abs(inside - a[k]));
        a[k] = inside;
    }
    return moved;
}

void score_in_u(std::span<const double> low, std::span<const double> high, std::span<const double> u, std::span<double> s) {
    // log p_u(u) = log p(a(u)) + sum_k log(da_k/du_k), da_k/du_k = (high_k - low_k) phi(u_k), and
    // d/du_k log phi(u_k) = -u_k. phi underflows to 0 for |u_k| > 38: the score is then -u_k.
    const double inv_sqrt_2pi = std::numbers::inv_sqrtpi / std::numbers::sqrt2;
    for (std::size_t k = 0; k < u.size(); ++k)
        s[k] = s[k] * (high[k] - low[k]) * inv_sqrt_2pi * std::exp(-0.5 * u[k] * u[k]) - u[k];
}

double SvgdState::median_bandwidth(std::span<const double> y) {
    if (n_ < 2) return 1.0;
    to_columns(y, n_, d_, xs_);
    const auto n = static_cast<std::int64_t>(n_);
    // Calls visit(r2, m, thread) on every chunk of squared distances of pairs i < j, rows spread over
    // the threads.
    const auto for_each_chunk = [&](auto&& visit) {
#pragma omp parallel num_threads(threads_)
        {
            const auto tid = static_cast<std::size_t>(omp_get_thread_num());
            double* r2 = scratch_.data() + tid * 2 * kChunk;
#pragma omp for schedule(dynamic, 16)
            for (std::int64_t ii = 0; ii < n; ++ii) {
                const auto i = static_cast<std::size_t>(ii);
                for (std::size_t j0 = i + 1; j0 < n_; j0 += kChunk) {
                    const std::size_t m = std::min(kChunk, n_ - j0);
                    squared_distances(xs_.data(), n_, d_, i, j0, m, r2);
                    visit(r2, m, tid);
                }
            }
        }
    };
    // Invariant: the wanted element has rank `rank` among the `count` distances whose bits above
    // `shift` equal prefix.
    const std::uint64_t pairs = static_cast<std::uint64_t>(n_) * (n_ - 1) / 2;
    std::uint64_t rank = pairs / 2, count = pairs, prefix = 0;
    int shift = 64;
    const auto in_prefix = [&](double r2) { return shift == 64 || (std::bit_cast<std::uint64_t>(r2) >> shift) == prefix; };
    while (count > kPickMax && shift > 0) {
        const int low = shift - kDigitBits;
        std::fill(counts_.begin(), counts_.end(), 0);
        for_each_chunk([&](const double* r2, std::size_t m, std::size_t tid) {
            std::uint64_t* bins = counts_.data() + tid * kBins;
            for (std::size_t t = 0; t < m; ++t)
                if (in_prefix(r2[t])) ++bins[(std::bit_cast<std::uint64_t>(r2[t]) >> low) & (kBins - 1)];
        });
        for (std::size_t t = 1; t < static_cast<std::size_t>(threads_); ++t)
            for (std::size_t b = 0; b < kBins; ++b) counts_[b] += counts_[t * kBins + b];
        std::size_t digit = 0;
        while (rank >= counts_[digit]) rank -= counts_[digit++];
        count = counts_[digit];
        prefix = (shift == 64 ? 0 : prefix << kDigitBits) | digit;
        shift = low;
    }
    double med2 = std::bit_cast<double>(prefix);  // shift == 0: every bit is fixed
    if (shift > 0) {
        // Each thread fills its own segment of picked_; the segments are then packed to the front.
        std::fill(filled_.begin(), filled_.end(), 0);
        for_each_chunk([&](const double* r2, std::size_t m, std::size_t tid) {
            double* out = picked_.data() + tid * kPickMax;
            std::size_t& f = filled_[tid * kPad];
            for (std::size_t t = 0; t < m; ++t)
                if (in_prefix(r2[t])) out[f++] = r2[t];
        });
        auto end = picked_.begin();
        for (std::size_t t = 0; t < static_cast<std::size_t>(threads_); ++t) {
            const auto from = picked_.begin() + static_cast<std::ptrdiff_t>(t * kPickMax);
            end = std::copy(from, from + static_cast<std::ptrdiff_t>(filled_[t * kPad]), end);
        }
        const auto nth = picked_.begin() + static_cast<std::ptrdiff_t>(rank);
        std::nth_element(picked_.begin(), nth, end);
        med2 = *nth;
    }
    // med is the median pairwise distance; h = med^2 / log(n + 1) uses the squared distance directly.
    const double h = med2 / std::log(static_cast<double>(n_) + 1.0);
    return h > 1e-12 ? h : 1.0;
}

void SvgdState::score_all(const std::function<double(std::size_t)>& update) {
    const auto n = static_cast<std::int64_t>(n_);
#pragma omp parallel for schedule(static) num_threads(threads_)
    for (std::int64_t i = 0; i < n; ++i) update(static_cast<std::size_t>(i));
}

double SvgdState::step(std::span<double> y, std::span<const double> scores, double h, double step_size, bool first,
                       const std::function<double(std::size_t)>& update) {
    to_columns(y, n_, d_, xs_);
    to_columns(scores, n_, d_, ss_);
    const std::size_t n = n_, d = d_;
    const auto blocks = static_cast<std::int64_t>(blocks_);
    const auto row = d == 1 ? &stein_row<1> : d == 2 ? &stein_row<2> : d == 3 ? &stein_row<3> : &stein_row<0>;
#pragma omp parallel num_threads(threads_)
    {
        double* kv = scratch_.data() + static_cast<std::size_t>(omp_get_thread_num()) * 2 * kChunk;
        // Largest blocks (first rows, longest) first.
#pragma omp for schedule(dynamic, 1)
        for (std::int64_t bb = 0; bb < blocks; ++bb) {
            const auto b = static_cast<std::size_t>(bb);
            const std::size_t begin = std::min(n, b * block_rows_), end = std::min(n, begin + block_rows_);
            double* col = col_.data() + b * d * n;
            for (std::size_t k = 0; k < d; ++k) std::fill(col + k * n + begin, col + (k + 1) * n, 0.0);
            for (std::size_t i = begin; i < end; ++i) row(xs_.data(), ss_.data(), n, d, i, h, phi_.data() + i * d, col, kv);
        }
    }
    // phi(x_j) = (1/n) [s_j (the pair j, j) + its row + the columns of the blocks up to its own, in
    // block order], then AdaGrad with momentum, the move and the update of x_j (its action and score).
    double moved = 0.0;
    const auto count = static_cast<std::int64_t>(n);
#pragma omp parallel for schedule(static) num_threads(threads_) reduction(max : moved)
    for (std::int64_t jj = 0; jj < count; ++jj) {
        const auto j = static_cast<std::size_t>(jj);
        const std::size_t last = j / block_rows_;
        for (std::size_t k = 0; k < d; ++k) {
            const std::size_t x = j * d + k;
            double g = scores[x] + phi_[x];
            for (std::size_t b = 0; b <= last; ++b) g += col_[(b * d + k) * n + j];
            g /= static_cast<double>(n);
            adagrad_[x] = first ? adagrad_[x] + g * g : 0.9 * adagrad_[x] + 0.1 * g * g;
            y[x] += step_size * g / (1e-6 + std::sqrt(adagrad_[x]));
        }
        moved = std::max(moved, update(j));
    }
    return moved;
}

double SvgdState::ksd(std::span<const double> y, std::span<const double> s, double h) {
    // V-statistic KSD^2 = (1/n^2) sum_{i,j} u(x_i, x_j): the squared RKHS norm of the Stein
    // discrepancy of the particles' empirical measure, so never negative. u is symmetric: the
    // diagonal u(x_i, x_i) = |s_i|^2 + 2d/h plus twice the pairs i < j.
    if (n_ == 0) return 0.0;
    to_columns(y, n_, d_, xs_);
    to_columns(s, n_, d_, ss_);
    const auto n = static_cast<std::int64_t>(n_);
#pragma omp parallel num_threads(threads_)
    {
        double* r2 = scratch_.data() + static_cast<std::size_t>(omp_get_thread_num()) * 2 * kChunk;
#pragma omp for schedule(dynamic, 16)
        for (std::int64_t ii = 0; ii < n; ++ii) {
            const auto i = static_cast<std::size_t>(ii);
            double diag = 2.0 * static_cast<double>(d_) / h;
            for (std::size_t k = 0; k < d_; ++k) diag += s[i * d_ + k] * s[i * d_ + k];
            rows_[i] = diag + 2.0 * stein_kernel_row(xs_.data(), ss_.data(), n_, d_, i, h, r2, r2 + kChunk);
        }
    }
    // Row sums first, then a sum in a fixed order: the result does not depend on the threads.
    double total = 0.0;
    for (double r : rows_) total += r;
    return std::sqrt(std::max(0.0, total) / (static_cast<double>(n_) * static_cast<double>(n_)));
}

}  // namespace softmdp::detail

namespace softmdp {

void check_particles(std::size_t n) {
    if (n < 2 || n > kMaxParticles) throw UsageError(fmt::format("{} must be in 2..{}, got {}", param("particles"), kMaxParticles, n));
}

}  // namespace softmdp
