#pragma once
// Importance-sampling Monte Carlo for Z = integral_box exp(f(a)) da:
//   a_i ~ q,  w_i = 1[a_i in box] exp(f(a_i)) / q(a_i),  log Z ≈ log mean(w)   (a log-mean-exp)
// Standard error of log Z by the delta method: sd(w) / (sqrt(n) mean(w)); ESS = (sum w)^2 / sum w^2.
// Proposals: uniform on the box; a diagonal Gaussian with the box's indicator (samples outside the
// box weigh 0, so the estimate stays unbiased for the box integral); a mixture of isotropic
// Gaussians around given points (e.g. SVGD particles), also with the indicator.
// Samples are drawn in blocks of kSampleBlock, block b from its own generator
// Rng(stream_seed(seed, b)), on any thread; the blocks' weight sums are merged in block order. So a
// seed gives the same estimate with any thread count.
#include <cstdint>
#include <functional>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "softmdp/core/random.hpp"
#include "softmdp/continuous/target.hpp"

namespace softmdp {

struct Proposal {
    enum class Kind { uniform, gaussian, mixture } kind = Kind::uniform;
    std::vector<double> mean, stddev;  // gaussian: per dimension
    std::vector<double> centers;       // mixture: k x d, row-major
    double mixture_stddev = 0.1;       // mixture: per component, isotropic
    // mixture: weight of a uniform-on-the-box component (defensive importance sampling, Hesterberg
    // 1995): q = u * uniform + (1 - u) * mixture, so every weight is at most vol(box) max p / u and the
    // estimate is consistent whatever the centres miss. 0 disables it.
    double defensive = 0.0;
    std::string name() const;
};

struct LogZEstimate {
    double log_z = 0.0;      // log of the integral estimate
    double std_error = 0.0;  // of log_z (delta method)
    double ess = 0.0;        // effective sample size
    std::uint64_t samples = 0;
    // A low ESS (below kLowEssFraction of the samples or below kLowEssMin) means a few weights
    // dominate: the delta-method standard error is then unreliable (it cannot see what was missed).
    static constexpr double kLowEssFraction = 0.01, kLowEssMin = 100.0;
    bool low_ess() const noexcept {
        return !(ess >= kLowEssMin && ess >= kLowEssFraction * static_cast<double>(samples));
    }
    // The bias of log_z. log mean(w) is biased low (Jensen): to second order (delta method)
    //   E[log mean w] - log Z = -Var(w) / (2 n Z^2) = -cv^2 / (2n),
    // with the squared coefficient of variation of the weights estimated by n/ESS - 1. Adding
    // -log_bias() to log_z removes this O(1/n) term (tested against a closed form); beyond it, at an
    // ESS of a few, the sample has not seen the weights' tail and no correction from it can.
    double log_bias() const noexcept {
        if (!(ess > 0.0) || samples == 0) return 0.0;
        const auto n = static_cast<double>(samples);
        return -(n / ess - 1.0) / (2.0 * n);
    }
};

namespace detail {
inline constexpr std::size_t kSampleBlock = 4096;

// The sums behind LogZEstimate, relative to the largest log-weight so far (no overflow), mergeable
// across blocks: s1 = sum exp(lw - max), s2 = sum exp(2 (lw - max)).
struct WeightSums {
    double max = -std::numeric_limits<double>::infinity(), s1 = 0.0, s2 = 0.0;
    std::uint64_t n = 0;
    void add(std::span<const double> log_w);
    void merge(const WeightSums& other);
    LogZEstimate estimate() const;
};
LogZEstimate combine(std::span<const double> log_w);

// The samples themselves with their log-weights, for resampling (same blocks and streams as
// log_integral_mc, so the same seed gives the same points): points (samples x d, row-major), log_w
// (-inf outside the box), and the estimate they make.
struct WeightedDraws {
    std::vector<double> points, log_w;
    LogZEstimate estimate;
};

// For one block of samples a (m x d, row-major): log_w[i] += log p(a_i) wherever log_w[i] > -inf
// (the samples inside the box). Called from several threads at once.
using BlockDensity = std::function<void(std::span<const double> a, std::span<double> log_w)>;
LogZEstimate log_integral_mc(const BlockDensity& f, std::span<const double> low, std::span<const double> high,
                             const Proposal& q, std::uint64_t samples, std::uint64_t seed, int threads);
WeightedDraws importance_draws(const BlockDensity& f, std::span<const double> low, std::span<const double> high,
                               const Proposal& q, std::size_t samples, std::uint64_t seed, int threads);

// log_w[i] += log p(a_i) for the samples inside the box, as log_integral_mc and importance_draws need it.
template <LogDensityTarget T>
BlockDensity block_density(const T& target) {
    return [&target](std::span<const double> a, std::span<double> log_w) {
        const std::size_t d = target.dim();
        for (std::size_t i = 0; i < log_w.size(); ++i)
            if (log_w[i] > -std::numeric_limits<double>::infinity()) log_w[i] += target.log_density(a.subspan(i * d, d), {});
    };
}
}  // namespace detail

// threads: OpenMP threads (0: all cores); the estimate does not depend on it.
template <LogDensityTarget T>
LogZEstimate log_integral_mc(const T& target, const Proposal& q, std::uint64_t samples, std::uint64_t seed, int threads = 0) {
    return detail::log_integral_mc(detail::block_density(target), target.low(), target.high(), q, samples, seed, threads);
}

}  // namespace softmdp
