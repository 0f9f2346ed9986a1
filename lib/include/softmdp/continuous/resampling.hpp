#pragma once
// Particles that carry the target's mode weights: sampling-importance-resampling (SIR, Rubin 1987)
// on a proposal built from SVGD particles.
//   q = u uniform(box) + (1 - u) (1/K) sum_c N(c, s^2 I)     (centres c: the particles)
//   a_i ~ q (M draws),  w_i = p(a_i) / q(a_i) (p unnormalised, exact),  then n particles resampled
//   systematically with probabilities w_i / sum w.
// Why: finite-particle SVGD keeps the split between separated modes that its start had (a 1-D target
// with mass 0.27 left of 0 kept 0.50-0.55 of its particles there; measured in docs/continuous.md).
// The weights are exact, so the weighted draws are consistent for p whatever the particles missed;
// the defensive uniform (Hesterberg 1995) bounds every weight by vol(box) max p / u. The resampled
// particles are, as M/n and the ESS grow, n draws from p; the ESS of the weights says how well q
// covered p (a mode the particles over- or under-weighted lowers it).
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "softmdp/continuous/importance_sampling.hpp"
#include "softmdp/continuous/svgd.hpp"
#include "softmdp/continuous/target.hpp"

namespace softmdp {

// The defensive Gaussian mixture around particles (n x d): K <= max_centres of them as centres
// (every ceil(n / max_centres)-th: a draw costs O(K d), and 10^5 draws on 1000 centres took 0.7 s),
// component standard deviation by Silverman's rule s = sd (4 / ((d + 2) K))^(1/(d + 4)) with sd the
// particles' standard deviation averaged over the coordinates (at least 1e-3), uniform weight
// `defensive`.
Proposal particle_proposal(std::span<const double> particles, std::size_t d, double defensive = 0.1,
                           std::size_t max_centres = 256);

struct ResampleOptions {
    std::size_t draws = 0;  // importance draws M (0: max(100000, 50 n), at most kMaxDraws)
    double defensive = 0.1;
    std::uint64_t seed = 0;
    int threads = 0;
    static constexpr std::size_t kMaxDraws = 1'000'000;
};

struct ResampleResult {
    std::vector<double> particles;  // n x d, row-major: the resampled draws
    LogZEstimate weights;           // of the M draws: ess, samples, and log Z (the soft value / alpha)
    std::size_t distinct = 0;       // distinct draws among the resampled particles
    // A mode-weight diagnostic that KSD lacks: per coordinate, the share below the box's midpoint of
    // the particles given (unweighted) and of the weighted draws (self-normalised weights).
    std::vector<double> share_below_mid_before, share_below_mid_weighted;
};

namespace detail {
// Systematic resampling: n indices into the weights exp(log_w) (normalised inside), index i taken
// floor(n W_i + offset) - floor(n W_{<i} + offset) times for the cumulative weights W and one
// uniform offset in [0, 1): every count is within 1 of n times its weight.
std::vector<std::size_t> systematic_resample(std::span<const double> log_w, std::size_t n, double offset);
ResampleResult importance_resample(const BlockDensity& f, std::span<const double> low, std::span<const double> high,
                                   std::span<const double> particles, std::size_t n, const ResampleOptions& opt);
}  // namespace detail

// n particles from the target by SIR on particle_proposal(particles); the particles given are only
// the proposal's centres.
template <LogDensityTarget T>
ResampleResult importance_resample(const T& target, std::span<const double> particles, std::size_t n, const ResampleOptions& opt) {
    return detail::importance_resample(detail::block_density(target), target.low(), target.high(), particles, n, opt);
}

// `softmdp sample`: SVGD particles from the target, importance-resampled on a kernel density of
// them (`resample`, which gives the modes their right weights) or as they are.
struct SoftPolicySamples {
    SvgdResult svgd;
    std::optional<ResampleResult> resampled;  // when resampled
    std::vector<double> particles;            // n x d, row-major: the particles reported (resampled, else SVGD's)
    bool finite = true;                       // the particles and the KSD are finite
    std::vector<std::string> warnings;        // a low effective sample size of the weights, non-finite results
};
// Throws UsageError for options out of range (particles, step size, draws).
SoftPolicySamples sample_soft_policy(const SoftQTarget& target, const SvgdOptions& svgd_options, bool resample,
                                     const ResampleOptions& resample_options);

}  // namespace softmdp
