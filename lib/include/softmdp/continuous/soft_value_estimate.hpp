#pragma once
// A Monte Carlo soft value alpha log Z, Z = integral exp(Q(s,a)/alpha) da over the action box of one
// state (importance_sampling.hpp), with its bias correction, judged against the quadrature reference
// (quadrature_reference.hpp) when there is one: what `softmdp estimate` reports.
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "softmdp/continuous/importance_sampling.hpp"
#include "softmdp/continuous/quadrature_reference.hpp"

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

}  // namespace softmdp
