#include "softmdp/continuous/soft_value_estimate.hpp"

#include <fmt/format.h>

namespace softmdp {

SoftValueEstimate judge_soft_value(const LogZEstimate& e, double alpha, std::optional<QuadratureReference> ref,
                                   const QuadratureReferenceOptions& ro) {
    SoftValueEstimate v;
    v.alpha = alpha;
    v.log_z = e;
    v.estimate = alpha * e.log_z;
    v.std_error = alpha * e.std_error;
    v.bias_correction = -alpha * e.log_bias();
    v.corrected = v.estimate + v.bias_correction;
    v.reference = std::move(ref);
    if (v.reference) v.reference_error = alpha * v.reference->error;
    if (v.reference && v.reference_error <= v.std_error && v.std_error > 0.0)
        v.difference = (v.corrected - alpha * v.reference->log_z) / std::hypot(v.std_error, v.reference_error);
    if (e.low_ess())
        v.warnings.push_back(fmt::format("effective sample size {:.1f} of {} samples (< {}% or < {:.0f}): a few weights dominate, "
                                         "the standard error and the bias correction are unreliable",
                                         e.ess, e.samples, 100.0 * LogZEstimate::kLowEssFraction, LogZEstimate::kLowEssMin));
    // An unconverged reference matters only when its error is not small against the standard error.
    if (v.reference && !v.reference->converged && !(v.reference_error <= 0.1 * v.std_error))
        v.warnings.push_back(fmt::format("the quadrature reference did not reach a relative {:.0e} within {} points per level: its error "
                                         "estimate is {:.3g}",
                                         ro.tolerance, ro.max_points, v.reference_error));
    v.finite = std::isfinite(v.estimate) && std::isfinite(v.std_error);
    if (!v.finite) v.warnings.push_back("the estimate is not finite: no finite weight was drawn (numerical failure)");
    return v;
}

}  // namespace softmdp
