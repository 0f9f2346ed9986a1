// softmdp estimate FILE --state S --alpha A: Monte Carlo soft value of continuous actions.
#include <cmath>
#include <fmt/format.h>

#include "cli.hpp"
#include "softmdp/core/printable.hpp"
#include "softmdp/core/errors.hpp"
#include "softmdp/continuous/importance_sampling.hpp"
#include "softmdp/continuous/quadrature_reference.hpp"
#include "softmdp/continuous/resampling.hpp"
#include "softmdp/continuous/soft_value_estimate.hpp"
#include "softmdp/continuous/svgd.hpp"
#include "softmdp/io/documents.hpp"

namespace softmdp::cli {
namespace {

// The proposal of --proposal: uniform; a Gaussian at the best of 1000 uniform draws with a quarter
// of the box as standard deviation; or the defensive Gaussian mixture around SVGD particles of
// resampling.hpp (particle_proposal: Silverman's bandwidth, uniform weight 0.1, which bounds the
// weights, so the estimate is consistent even when the particles miss a mode).
Proposal make_proposal(const std::string& kind, const SoftQTarget& target, std::uint64_t seed, std::size_t particles) {
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
        so.max_steps = 300;
        so.seed = seed;
        return particle_proposal(svgd(target, so).particles, d);
    }
    throw UsageError(fmt::format("--proposal must be uniform, gaussian or svgd, got '{}'", kind));
}

// --samples at most this: memory no longer grows with it (blocks merge in rounds), time does
// (about 10^7 samples a second on 2 cores for small targets: 10^10 is a quarter of an hour).
constexpr std::uint64_t kMaxSamples = 10'000'000'000ULL;
// --nodes (per panel of the reference) at most this: one panel's grid, m^3 points in 3-D, must fit
// the reference's point budget.
constexpr std::size_t kMaxPanelNodes = 64;

int run(const std::vector<std::string>& args) {
    po::options_description desc("estimate options");
    add_continuous_options(desc);
    desc.add_options()
        ("samples,n", po::value<std::uint64_t>()->default_value(100000), "Monte Carlo samples")
        ("proposal", po::value<std::string>()->default_value("uniform"), "uniform | gaussian | svgd")
        ("particles", po::value<std::size_t>()->default_value(100), "SVGD particles for --proposal svgd")
        ("nodes", po::value<std::size_t>()->default_value(16),
         "Gauss-Legendre nodes per panel of the reference (d <= 3; panels double until it converges)");
    add_output_options(desc);
    po::variables_map vm;
    if (!parse(args, desc, "file", vm, "softmdp estimate FILE --state S --alpha A [--values R.json] [--samples N] [--proposal P]",
               "  softmdp estimate mdps/multigoal.json --state center --alpha 0.1 --samples 100000\n"
               "  softmdp estimate mdps/multigoal.json --state center --alpha 0.1 --proposal svgd --json -\n"))
        return kOk;
    const double alpha = alpha_option(vm);
    if (alpha == 0.0) throw UsageError("estimate needs --alpha > 0");
    const std::uint64_t n = vm["samples"].as<std::uint64_t>();
    if (n < 2 || n > kMaxSamples) throw UsageError(fmt::format("--samples must be in 2..{}, got {}", kMaxSamples, n));
    const std::size_t particles = particles_option(vm);
    QuadratureReferenceOptions ro;
    ro.nodes_per_panel = vm["nodes"].as<std::size_t>();
    if (ro.nodes_per_panel < 1 || ro.nodes_per_panel > kMaxPanelNodes)
        throw UsageError(fmt::format("--nodes must be in 1..{}, got {}", kMaxPanelNodes, ro.nodes_per_panel));
    const auto in = continuous_input(vm);
    const SoftQTarget target(in.model, in.state, in.values, alpha);
    const std::uint64_t seed = vm["seed"].as<std::uint64_t>();
    const std::string kind = vm["proposal"].as<std::string>();
    const Proposal q = make_proposal(kind, target, seed, particles);
    const LogZEstimate e = log_integral_mc(target, q, n, seed);
    std::optional<QuadratureReference> reference;
    if (target.dim() <= 3) reference = quadrature_reference(target, ro);
    const SoftValueEstimate v = judge_soft_value(e, alpha, reference, ro);
    const auto& ref = v.reference;
    const double estimate = v.estimate, se = v.std_error, correction = v.bias_correction, corrected = v.corrected;
    const double ref_error = v.reference_error;
    const auto& difference = v.difference;
    const auto& warnings = v.warnings;
    const bool finite = v.finite;
    for (const std::string& msg : warnings) fmt::print(stderr, "warning: {}\n", printable(msg));

    Report report;
    report.table = [&] {
        fmt::print("soft value alpha log integral exp(Q/alpha) da at state {} (alpha {}):\n", printable(in.model.state_names[in.state]), alpha);
        fmt::print("  estimate    {:.10g} +- {:.3g} (standard error), {} proposal ({})\n", estimate, se, kind, q.name());
        fmt::print("  corrected   {:.10g} (bias of alpha log mean(w) about -alpha (n/ESS - 1)/(2n) = {:.3g}, removed)\n", corrected,
                   -correction);
        fmt::print("  samples     {}, effective sample size {:.1f}\n", e.samples, e.ess);
        if (ref) {
            fmt::print("  quadrature  {:.10g} +- {:.2g} (estimated error; {} panels x {} Gauss-Legendre nodes per dimension)\n",
                       alpha * ref->log_z, ref_error, ref->panels, ref->nodes_per_panel);
            if (difference)
                fmt::print("  difference  {:.2f} standard errors (corrected estimate - reference, over sqrt(se^2 + reference error^2))\n",
                           *difference);
            else
                fmt::print("  difference  not judged: the reference's error {:.2g} {} the standard error {:.2g}\n", ref_error,
                           se > 0.0 ? "exceeds" : "and", se);
        }
    };
    report.json = [&](JsonWriter& w) {
        write_estimate_document(w, {.state = in.model.state_names[in.state],
                                    .proposal = kind,
                                    .proposal_used = q,
                                    .dimension = target.dim(),
                                    .seed = seed,
                                    .value = v});
    };
    emit(vm, report);
    if (!finite) {
        fmt::print(stderr, "softmdp: the estimate is not finite (written as null); exit 4\n");
        return kNotConverged;
    }
    return kOk;
}

const Register reg{{"estimate", "Monte Carlo soft value alpha log integral exp(Q/alpha) of a continuous-action state", run}};

}  // namespace
}  // namespace softmdp::cli
