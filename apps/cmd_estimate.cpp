// softmdp estimate FILE --state S --alpha A: Monte Carlo soft value of continuous actions.
#include <cmath>
#include <fmt/format.h>

#include "cli.hpp"
#include "softmdp/printable.hpp"
#include "softmdp/errors.hpp"
#include "softmdp/importance_sampling.hpp"
#include "softmdp/quadrature.hpp"
#include "softmdp/svgd.hpp"

namespace softmdp::cli {
namespace {

// The proposal of --proposal: uniform; a Gaussian at the best of 1000 uniform draws with a quarter
// of the box as standard deviation; or a Gaussian mixture around SVGD particles with Silverman's
// bandwidth, with a defensive uniform component of weight kDefensive (Hesterberg 1995): it bounds the
// weights, so the estimate is consistent even when the particles miss a mode.
constexpr double kDefensive = 0.1;

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
        const SvgdResult r = svgd(target, so);
        q.kind = Proposal::Kind::mixture;
        q.centers = r.particles;
        q.defensive = kDefensive;
        double sd = 0.0;
        for (std::size_t k = 0; k < d; ++k) {
            double mean = 0.0, var = 0.0;
            for (std::size_t i = 0; i < particles; ++i) mean += r.particles[i * d + k];
            mean /= static_cast<double>(particles);
            for (std::size_t i = 0; i < particles; ++i) var += (r.particles[i * d + k] - mean) * (r.particles[i * d + k] - mean);
            sd += std::sqrt(var / static_cast<double>(particles)) / static_cast<double>(d);
        }
        q.mixture_stddev = std::max(1e-3, sd * std::pow(4.0 / ((static_cast<double>(d) + 2.0) * static_cast<double>(particles)),
                                                        1.0 / (static_cast<double>(d) + 4.0)));
        return q;
    }
    throw UsageError(fmt::format("--proposal must be uniform, gaussian or svgd, got '{}'", kind));
}

int run(const std::vector<std::string>& args) {
    po::options_description desc("estimate options");
    add_continuous_options(desc);
    desc.add_options()
        ("samples,n", po::value<std::uint64_t>()->default_value(100000), "Monte Carlo samples")
        ("proposal", po::value<std::string>()->default_value("uniform"), "uniform | gaussian | svgd")
        ("particles", po::value<std::size_t>()->default_value(100), "SVGD particles for --proposal svgd")
        ("nodes", po::value<std::size_t>()->default_value(64), "Gauss-Legendre nodes per dimension of the reference (d <= 3)");
    add_output_options(desc);
    po::variables_map vm;
    if (!parse(args, desc, "file", vm, "softmdp estimate FILE --state S --alpha A [--values R.json] [--samples N] [--proposal P]",
               "  softmdp estimate mdps/multigoal.json --state center --alpha 0.1 --samples 100000\n"
               "  softmdp estimate mdps/multigoal.json --state center --alpha 0.1 --proposal svgd --json -\n"))
        return kOk;
    const double alpha = alpha_option(vm);
    if (alpha == 0.0) throw UsageError("estimate needs --alpha > 0");
    const std::uint64_t n = vm["samples"].as<std::uint64_t>();
    if (n < 2) throw UsageError("--samples must be >= 2");
    const auto in = continuous_input(vm);
    const SoftQTarget target(in.model, in.state, in.values, alpha);
    const std::uint64_t seed = vm["seed"].as<std::uint64_t>();
    const std::string kind = vm["proposal"].as<std::string>();
    const Proposal q = make_proposal(kind, target, seed, std::max<std::size_t>(2, vm["particles"].as<std::size_t>()));
    const LogZEstimate e = log_integral_mc(target, q, n, seed);
    std::optional<double> reference;
    if (target.dim() <= 3) reference = alpha * log_integral_quadrature(target, vm["nodes"].as<std::size_t>());
    const double estimate = alpha * e.log_z, se = alpha * e.std_error;
    std::vector<std::string> warnings;
    if (e.low_ess())
        warnings.push_back(fmt::format("effective sample size {:.1f} of {} samples (< {}% or < {:.0f}): a few weights dominate, "
                                       "the standard error is unreliable",
                                       e.ess, e.samples, 100.0 * LogZEstimate::kLowEssFraction, LogZEstimate::kLowEssMin));
    for (const std::string& msg : warnings) fmt::print(stderr, "warning: {}\n", printable(msg));

    Report report;
    report.table = [&] {
        fmt::print("soft value alpha log integral exp(Q/alpha) da at state {} (alpha {}):\n", printable(in.model.state_names[in.state]), alpha);
        fmt::print("  estimate    {:.10g} +- {:.3g} (standard error), {} proposal ({})\n", estimate, se, kind, q.name());
        fmt::print("  samples     {}, effective sample size {:.1f}\n", e.samples, e.ess);
        if (reference)
            fmt::print("  quadrature  {:.10g} ({} nodes per dimension); difference {:.2f} standard errors\n", *reference,
                       vm["nodes"].as<std::size_t>(), se > 0 ? (estimate - *reference) / se : 0.0);
    };
    report.json = [&](JsonWriter& w) {
        w.begin_object();
        w.key("format").value("softmdp-estimate/1");
        w.key("state").value(in.model.state_names[in.state]);
        w.key("alpha").value(alpha);
        w.key("proposal").value(kind);
        w.key("proposal_detail").begin_object();
        w.key("kind").value(q.name());
        if (q.kind == Proposal::Kind::mixture) {
            w.key("components").value(static_cast<std::uint64_t>(q.centers.size() / target.dim()));
            w.key("component_stddev").value(q.mixture_stddev);
            w.key("defensive_uniform_weight").value(q.defensive);
        }
        w.end_object();
        w.key("estimate").value(estimate);
        w.key("std_error").value(se);
        w.key("ess").value(e.ess);
        w.key("samples").value(e.samples);
        w.key("seed").value(seed);
        w.key("reference");
        reference ? w.value(*reference) : w.null();
        w.key("warnings").begin_array();
        for (const std::string& msg : warnings) w.value(msg);
        w.end_array();
        w.end_object();
    };
    emit(vm, report);
    return kOk;
}

const Register reg{{"estimate", "Monte Carlo soft value alpha log integral exp(Q/alpha) of a continuous-action state", run}};

}  // namespace
}  // namespace softmdp::cli
