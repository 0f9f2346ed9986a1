#pragma once
// A Monte Carlo soft value alpha log Z, Z = integral exp(Q(s,a)/alpha) da over the action box of one
// state (importance_sampling.hpp), with its bias correction, judged against the quadrature reference
// (quadrature_reference.hpp) when there is one: what `softmdp estimate` reports.
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "softmdp/continuous/importance_sampling.hpp"
#include "softmdp/continuous/quadrature_reference.hpp"
#include "softmdp/continuous/target.hpp"

namespace softmdp {

struct SoftValueEstimate {
    double alpha = 0.0;
    LogZEstimate log_z;              // the estimate of log Z it scales
    double estimate = 0.0;           // alpha log_z
    double std_error = 0.0;          // alpha times log_z's standard error
    // log mean(w) is biased by about log_bias() (importance_sampling.hpp): -alpha log_bias(), added
    // to the estimate in `corrected`.
    double bias_correction = 0.0;
    double corrected = 0.0;
    std::optional<QuadratureReference> reference;  // of log Z
    double reference_error = INFINITY;             // alpha times the reference's error (none: infinite)
    // (corrected - alpha reference) / sqrt(std_error^2 + reference_error^2): the difference in
    // standard errors, the reference's own error added in quadrature; none when the reference is
    // less certain than the estimate (it cannot judge it then).
    std::optional<double> difference;
    bool finite = true;                 // estimate and std_error are finite
    std::vector<std::string> warnings;  // a low effective sample size, an unconverged reference, no finite estimate
};

// Scales and judges `log_z` (from log_integral_mc) against `reference` (from quadrature_reference
// with `reference_options`; none when d > 3).
SoftValueEstimate judge_soft_value(const LogZEstimate& log_z, double alpha, std::optional<QuadratureReference> reference,
                                   const QuadratureReferenceOptions& reference_options);

// The proposal of `softmdp estimate --proposal KIND`: "uniform"; "gaussian", at the best of 1000
// uniform draws with a quarter of the box as standard deviation; or "svgd", the defensive Gaussian
// mixture around `particles` SVGD particles of resampling.hpp (particle_proposal: Silverman's
// bandwidth, uniform weight 0.1, which bounds the weights, so the estimate is consistent even when
// the particles miss a mode). Throws UsageError for another kind.
Proposal make_proposal(std::string_view kind, const SoftQTarget& target, std::uint64_t seed, std::size_t particles);

struct EstimateOptions {
    std::uint64_t samples = 100000;    // Monte Carlo samples, 2 .. kMaxSamples
    std::string proposal = "uniform";  // uniform | gaussian | svgd (make_proposal)
    std::size_t particles = 100;       // SVGD particles of the svgd proposal (2 .. SvgdOptions::kMaxParticles)
    std::size_t nodes = 16;            // Gauss-Legendre nodes per panel of the reference, 1 .. kMaxPanelNodes
    std::uint64_t seed = 0;
    // Memory no longer grows with the samples (blocks merge in rounds), time does (about 10^7 a
    // second on 2 cores for small targets: 10^10 is a quarter of an hour).
    static constexpr std::uint64_t kMaxSamples = 10'000'000'000ULL;
    // One panel's grid, m^3 points in 3-D, must fit the reference's point budget.
    static constexpr std::size_t kMaxPanelNodes = 64;
};

struct SoftValueRun {
    Proposal proposal;        // the proposal used
    SoftValueEstimate value;  // judged against the quadrature reference when d <= 3
};

// `softmdp estimate`: the Monte Carlo soft value at the target's state with the proposal of
// opt.proposal, judged against the quadrature reference (d <= 3). Throws UsageError for options out
// of range.
SoftValueRun estimate_soft_value(const SoftQTarget& target, const EstimateOptions& opt);

}  // namespace softmdp
