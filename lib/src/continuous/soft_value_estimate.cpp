#include "softmdp/continuous/soft_value_estimate.hpp"

#include <fmt/format.h>

#include "softmdp/continuous/resampling.hpp"
#include "softmdp/continuous/svgd.hpp"
#include "softmdp/core/errors.hpp"
#include "softmdp/core/random.hpp"

namespace softmdp {

Proposal make_proposal(std::string_view kind, const SoftQTarget& target, std::uint64_t seed, std::size_t particles) {
    const std::size_t d = target.dim();
    Proposal q;
    if (kind == "uniform") return q;
    if (kind == "gaussian") {
        Rng rng(seed ^ 0x9e3779b97f4a7c15ULL);
        std::vector<double> a(d), best(d);
        double best_f = -INFINITY;
        for (int i = 0; i < 1000; ++i) {
            for (std::size_t k = 0; k < d; ++k) a[k] = rng.uniform(target.low()[k], target.high()[k]);
            const double f = target.log_density(a, {});
            if (f > best_f) best_f = f, best = a;
        }
        q.kind = Proposal::Kind::gaussian;
        q.mean = best;
        for (std::size_t k = 0; k < d; ++k) q.stddev.push_back(0.25 * (target.high()[k] - target.low()[k]));
        return q;
    }
    if (kind == "svgd") {
        SvgdOptions so;
        so.particles = particles;
        check_particles(so.particles);
        so.max_steps = 300;
        so.seed = seed;
        return particle_proposal(svgd(target, so).particles, d);
    }
    throw UsageError(fmt::format("{} must be uniform, gaussian or svgd, got '{}'", param("proposal"), kind));
}

SoftValueRun estimate_soft_value(const SoftQTarget& target, const EstimateOptions& opt) {
    if (opt.samples < 2 || opt.samples > EstimateOptions::kMaxSamples)
        throw UsageError(fmt::format("{} must be in 2..{}, got {}", param("samples"), EstimateOptions::kMaxSamples, opt.samples));
    QuadratureReferenceOptions ro;
    ro.nodes_per_panel = opt.nodes;
    if (ro.nodes_per_panel < 1 || ro.nodes_per_panel > EstimateOptions::kMaxPanelNodes)
        throw UsageError(fmt::format("{} must be in 1..{}, got {}", param("nodes"), EstimateOptions::kMaxPanelNodes, ro.nodes_per_panel));
    check_particles(opt.particles);
    SoftValueRun run;
    run.proposal = make_proposal(opt.proposal, target, opt.seed, opt.particles);
    const LogZEstimate e = log_integral_mc(target, run.proposal, opt.samples, opt.seed);
    std::optional<QuadratureReference> reference;
    if (target.dim() <= 3) reference = quadrature_reference(target, ro);
    run.value = judge_soft_value(e, target.alpha(), std::move(reference), ro);
    return run;
}

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
