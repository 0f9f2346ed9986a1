#include "softmdp/continuous/importance_sampling.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "softmdp/core/stopwatch.hpp"
#include "softmdp/core/threads.hpp"
#include "../core/fast_math.hpp"

namespace softmdp {

std::string Proposal::name() const {
    switch (kind) {
        case Kind::uniform: return "uniform";
        case Kind::gaussian: return "gaussian";
        case Kind::mixture: return defensive > 0.0 ? "defensive mixture" : "mixture";
    }
    return "?";
}

namespace detail {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Draws from a proposal, its normalising constants computed once.
class Sampler {
public:
    Sampler(const Proposal& q, std::span<const double> low, std::span<const double> high)
        : q_(q), low_(low), high_(high), d_(low.size()) {
        const double half_log_2pi = 0.5 * std::log(2.0 * std::numbers::pi);
        switch (q.kind) {
            case Proposal::Kind::uniform:
                for (std::size_t k = 0; k < d_; ++k) log_norm_ -= std::log(high[k] - low[k]);
                break;
            case Proposal::Kind::gaussian:
                for (std::size_t k = 0; k < d_; ++k) log_norm_ -= std::log(q.stddev[k]) + half_log_2pi;
                break;
            case Proposal::Kind::mixture: {
                // Centres by coordinate (d x K): the loops over components then run with unit stride.
                components_ = q.centers.size() / d_;
                centers_.resize(q.centers.size());
                for (std::size_t j = 0; j < components_; ++j)
                    for (std::size_t k = 0; k < d_; ++k) centers_[k * components_ + j] = q.centers[j * d_ + k];
                const double s = q.mixture_stddev;
                inv_2s2_ = 0.5 / (s * s);
                log_norm_ = -std::log(static_cast<double>(components_)) - static_cast<double>(d_) * (std::log(s) + half_log_2pi);
                for (std::size_t k = 0; k < d_; ++k) log_uniform_ -= std::log(high[k] - low[k]);
                break;
            }
        }
    }
    std::size_t scratch_size() const noexcept { return components_; }

    // a (m x d) ~ q; log_w[i] = -log q(a_i), or -inf outside the box.
    void draw(Rng& rng, std::size_t m, std::span<double> a, std::span<double> log_w, std::span<double> scratch) const {
        for (std::size_t i = 0; i < m; ++i) {
            double* ai = a.data() + i * d_;
            double log_q = log_norm_;
            switch (q_.kind) {
                case Proposal::Kind::uniform:
                    for (std::size_t k = 0; k < d_; ++k) ai[k] = rng.uniform(low_[k], high_[k]);
                    break;
                case Proposal::Kind::gaussian:
                    for (std::size_t k = 0; k < d_; ++k) {
                        const double z = rng.normal();
                        ai[k] = q_.mean[k] + q_.stddev[k] * z;
                        log_q -= 0.5 * z * z;
                    }
                    break;
                case Proposal::Kind::mixture: {
                    const double u = q_.defensive;
                    if (u > 0.0 && rng.uniform(0.0, 1.0) < u) {
                        for (std::size_t k = 0; k < d_; ++k) ai[k] = rng.uniform(low_[k], high_[k]);
                    } else {
                        const std::size_t c = rng.index(components_);
                        for (std::size_t k = 0; k < d_; ++k) ai[k] = q_.centers[c * d_ + k] + q_.mixture_stddev * rng.normal();
                    }
                    log_q += log_mixture_kernel(ai, scratch.data());
                    if (u > 0.0) {
                        // log(u U + (1 - u) M); the uniform density is only there inside the box (the
                        // sample weighs 0 outside anyway).
                        const double lm = std::log1p(-u) + log_q, lu = std::log(u) + log_uniform_;
                        const double hi = std::max(lm, lu);
                        log_q = hi + std::log(std::exp(lm - hi) + std::exp(lu - hi));
                    }
                    break;
                }
            }
            bool inside = true;
            for (std::size_t k = 0; k < d_; ++k) inside = inside && ai[k] >= low_[k] && ai[k] <= high_[k];
            log_w[i] = inside ? -log_q : -kInf;
        }
    }

private:
    // log sum_c exp(-||a - center_c||^2 / (2 s^2)), as a log-sum-exp over the components.
    double log_mixture_kernel(const double* a, double* dist) const {
        const std::size_t K = components_;
        std::fill_n(dist, K, 0.0);
        for (std::size_t k = 0; k < d_; ++k) {
            const double ak = a[k];
            const double* c = centers_.data() + k * K;
#pragma omp simd
            for (std::size_t j = 0; j < K; ++j) dist[j] += (ak - c[j]) * (ak - c[j]);
        }
        const double nearest = *std::min_element(dist, dist + K);
        double sum = 0.0;
#pragma omp simd reduction(+ : sum)
        for (std::size_t j = 0; j < K; ++j) sum += fast_exp((nearest - dist[j]) * inv_2s2_);
        return -nearest * inv_2s2_ + std::log(sum);
    }

    const Proposal& q_;
    std::span<const double> low_, high_;
    std::size_t d_;
    double log_norm_ = 0.0;  // the constant part of log q
    double log_uniform_ = 0.0;  // mixture: log of the uniform density on the box
    std::size_t components_ = 0;
    std::vector<double> centers_;
    double inv_2s2_ = 0.0;
};

// The sums of one block of log-weights, relative to its own maximum.
SOFTMDP_SIMD_CLONES
WeightSums block_sums(std::span<const double> log_w) {
    WeightSums b;
    b.n = log_w.size();
    const double* lw = log_w.data();
    double mx = -kInf;
    for (std::size_t i = 0; i < log_w.size(); ++i) mx = std::max(mx, lw[i]);
    b.max = mx;
    if (!std::isfinite(mx)) return b;
    double s1 = 0.0, s2 = 0.0;
#pragma omp simd reduction(+ : s1, s2)
    for (std::size_t i = 0; i < log_w.size(); ++i) {
        const double v = fast_exp(lw[i] - mx);
        s1 += v;
        s2 += v * v;
    }
    b.s1 = s1;
    b.s2 = s2;
    return b;
}

}  // namespace

void WeightSums::add(std::span<const double> log_w) { merge(block_sums(log_w)); }

void WeightSums::merge(const WeightSums& o) {
    n += o.n;
    if (o.max == -kInf || (!std::isfinite(max) && max != -kInf)) return;  // no weight to add, or already +inf/NaN
    if (max == -kInf || !std::isfinite(o.max)) {
        max = o.max, s1 = o.s1, s2 = o.s2;
        return;
    }
    // Rescale the sums with the smaller maximum to the larger one.
    const double hi = std::max(max, o.max), r = std::exp(max - hi), ro = std::exp(o.max - hi);
    s1 = s1 * r + o.s1 * ro;
    s2 = s2 * r * r + o.s2 * ro * ro;
    max = hi;
}

LogZEstimate WeightSums::estimate() const {
    LogZEstimate e;
    e.samples = n;
    if (!std::isfinite(max)) {
        e.log_z = -kInf;
        e.std_error = kInf;
        return e;
    }
    // Shifted weights v_i = w_i / max w in [0, 1]: mean, variance and ESS without overflow.
    const auto count = static_cast<double>(n);
    const double mean = s1 / count;
    const double var = n > 1 ? std::max(0.0, (s2 - count * mean * mean) / (count - 1.0)) : 0.0;
    e.log_z = max + std::log(mean);
    e.std_error = std::sqrt(var / count) / mean;
    e.ess = s1 * s1 / s2;
    return e;
}

LogZEstimate combine(std::span<const double> log_w) {
    WeightSums w;
    w.add(log_w);
    return w.estimate();
}

namespace {

// Block b's samples (m of them): drawn from its own generator, weighted by f.
void draw_block(const Sampler& sampler, const BlockDensity& f, std::size_t d, std::uint64_t seed, std::uint64_t b,
                std::size_t m, std::span<double> a, std::span<double> log_w, std::span<double> scratch) {
    Rng rng(stream_seed(seed, b));
    sampler.draw(rng, m, a, log_w, scratch);
    f(std::span<const double>(a.data(), m * d), log_w.first(m));
}

// ceil(samples / kSampleBlock) without the overflow of (samples + kSampleBlock - 1) / kSampleBlock
// at samples near 2^64 (which wrapped to 0 blocks).
std::uint64_t block_count(std::uint64_t samples) noexcept {
    return samples / kSampleBlock + (samples % kSampleBlock != 0 ? 1 : 0);
}

}  // namespace

LogZEstimate log_integral_mc(const BlockDensity& f, std::span<const double> low, std::span<const double> high,
                             const Proposal& q, std::uint64_t samples, std::uint64_t seed, int threads) {
    const std::size_t d = low.size();
    const Sampler sampler(q, low, high);
    const std::uint64_t blocks = block_count(samples);
    // Blocks run in rounds of kRound, each round's sums merged in block order: memory stays bounded
    // whatever the number of samples (one WeightSums per block of 10^12 samples was 7.6 GB) and the
    // merge order, hence the estimate, is that of one pass over all blocks.
    constexpr std::uint64_t kRound = 256;
    std::vector<WeightSums> sums(static_cast<std::size_t>(std::min(blocks, kRound)));
    WeightSums total;
    for (std::uint64_t first = 0; first < blocks; first += kRound) {
        const auto count = static_cast<std::int64_t>(std::min(kRound, blocks - first));
#pragma omp parallel num_threads(thread_count(threads))
        {
            std::vector<double> a(kSampleBlock * d), log_w(kSampleBlock), scratch(sampler.scratch_size());
#pragma omp for schedule(dynamic)
            for (std::int64_t bb = 0; bb < count; ++bb) {
                const std::uint64_t b = first + static_cast<std::uint64_t>(bb);
                const auto m = static_cast<std::size_t>(std::min<std::uint64_t>(kSampleBlock, samples - b * kSampleBlock));
                draw_block(sampler, f, d, seed, b, m, a, log_w, scratch);
                sums[static_cast<std::size_t>(bb)] = WeightSums{};
                sums[static_cast<std::size_t>(bb)].add(std::span<const double>(log_w.data(), m));
            }
        }
        for (std::int64_t bb = 0; bb < count; ++bb) total.merge(sums[static_cast<std::size_t>(bb)]);
    }
    return total.estimate();
}

WeightedDraws importance_draws(const BlockDensity& f, std::span<const double> low, std::span<const double> high,
                               const Proposal& q, std::size_t samples, std::uint64_t seed, int threads) {
    const std::size_t d = low.size();
    const Sampler sampler(q, low, high);
    const std::uint64_t blocks = block_count(samples);
    WeightedDraws out;
    out.points.resize(samples * d);
    out.log_w.resize(samples);
    const auto count = static_cast<std::int64_t>(blocks);
#pragma omp parallel num_threads(thread_count(threads))
    {
        std::vector<double> scratch(sampler.scratch_size());
#pragma omp for schedule(dynamic)
        for (std::int64_t bb = 0; bb < count; ++bb) {
            const auto b = static_cast<std::uint64_t>(bb);
            const std::size_t at = static_cast<std::size_t>(b * kSampleBlock), m = std::min(kSampleBlock, samples - at);
            draw_block(sampler, f, d, seed, b, m, std::span<double>(out.points.data() + at * d, m * d),
                       std::span<double>(out.log_w.data() + at, m), scratch);
        }
    }
    out.estimate = combine(out.log_w);
    return out;
}

}  // namespace detail
}  // namespace softmdp
