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
    EstimateOptions eo;
    eo.samples = vm["samples"].as<std::uint64_t>();
    eo.proposal = vm["proposal"].as<std::string>();
    eo.particles = vm["particles"].as<std::size_t>();
    eo.nodes = vm["nodes"].as<std::size_t>();
    eo.seed = vm["seed"].as<std::uint64_t>();
    const auto in = continuous_input(vm);
    const SoftQTarget target(in.model, in.state, in.values, alpha);
    const SoftValueRun run = estimate_soft_value(target, eo);
    const SoftValueEstimate& v = run.value;
    const Proposal& q = run.proposal;
    const LogZEstimate& e = v.log_z;
    const std::string& kind = eo.proposal;
    const std::uint64_t seed = eo.seed;
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
