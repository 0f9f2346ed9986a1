// softmdp sample FILE --state S --alpha A: SVGD particles from pi(a|s) ∝ exp(Q(s,a)/alpha).
#include <algorithm>
#include <cmath>
#include <optional>
#include <fmt/format.h>

#include "cli.hpp"
#include "softmdp/core/printable.hpp"
#include "softmdp/core/errors.hpp"
#include "softmdp/io/documents.hpp"
#include "softmdp/io/plot.hpp"
#include "softmdp/continuous/resampling.hpp"
#include "softmdp/continuous/svgd.hpp"

namespace softmdp::cli {
namespace {

int run(const std::vector<std::string>& args) {
    po::options_description desc("sample options");
    add_continuous_options(desc);
    desc.add_options()
        ("particles,n", po::value<std::size_t>()->default_value(200), "number of particles")
        ("steps", po::value<std::size_t>()->default_value(1000), "at most this many SVGD steps")
        ("step-size", po::value<double>()->default_value(0.01), "AdaGrad step size")
        ("movement-tolerance", po::value<double>()->default_value(1e-5), "stop when no particle moves more than this")
        ("threads", po::value<int>()->default_value(0), "threads (0: all cores)")
        ("weighting", po::value<std::string>()->default_value("resample"),
         "resample: importance weights against pi(a|s) on a kernel density of the SVGD particles, then resampling "
         "(right mode weights); none: the SVGD particles as they are")
        ("draws", po::value<std::size_t>()->default_value(0), "importance draws for --weighting resample (0: max(100000, 50 n), at most 10^6)")
        ("plot", po::value<std::string>(), "d = 2: particles over the density pi(a|s), to OUT.png or OUT.svg (gnuplot)");
    add_output_options(desc);
    po::variables_map vm;
    if (!parse(args, desc, "file", vm, "softmdp sample FILE --state S --alpha A [--values R.json] [--particles N] [--steps K]",
               "  softmdp sample mdps/multigoal.json --state center --alpha 0.1 --particles 400 --json particles.json\n"))
        return kOk;
    const double alpha = alpha_option(vm);
    if (alpha == 0.0) throw UsageError("sample needs --alpha > 0");
    SvgdOptions so;
    so.particles = vm["particles"].as<std::size_t>();
    so.max_steps = vm["steps"].as<std::size_t>();
    so.step_size = vm["step-size"].as<double>();
    so.tolerance = vm["movement-tolerance"].as<double>();
    so.seed = vm["seed"].as<std::uint64_t>();
    so.threads = vm["threads"].as<int>();
    const std::string weighting = vm["weighting"].as<std::string>();
    if (weighting != "resample" && weighting != "none") throw UsageError(fmt::format("--weighting must be resample or none, got '{}'", weighting));
    ResampleOptions ro;
    ro.draws = vm["draws"].as<std::size_t>();
    ro.seed = so.seed;
    ro.threads = so.threads;
    check_particles(so.particles);
    const auto in = continuous_input(vm);
    const SoftQTarget target(in.model, in.state, in.values, alpha);
    if (vm.count("plot") && target.dim() != 2) throw UsageError("--plot draws 2-D action spaces only");
    const SoftPolicySamples sp = sample_soft_policy(target, so, weighting == "resample", ro);
    const SvgdResult& r = sp.svgd;
    const std::size_t d = target.dim(), n = so.particles;
    const std::optional<ResampleResult>& rs = sp.resampled;
    const std::vector<double>& particles = sp.particles;
    const bool finite = sp.finite;
    const std::vector<std::string>& warnings = sp.warnings;
    for (const std::string& msg : warnings) fmt::print(stderr, "warning: {}\n", printable(msg));
    const auto mean_of = [&](const std::vector<double>& p, std::size_t k) {
        double mean = 0.0;
        for (std::size_t i = 0; i < n; ++i) mean += p[i * d + k];
        return mean / static_cast<double>(n);
    };

    Report report;
    report.table = [&] {
        fmt::print("SVGD at state {} (alpha {}): {} particles, {} steps ({}), bandwidth {:.4g}, KSD {:.4g}{}\n",
                   printable(in.model.state_names[in.state]), alpha, n, r.steps, r.converged ? "converged" : "step budget", r.bandwidth, r.ksd,
                   rs ? " (of the SVGD particles)" : "");
        if (rs)
            fmt::print("importance-resampled: {} draws from a kernel density of the particles (+ {} uniform), ESS {:.1f} ({:.1f}%), "
                       "{} particles resampled ({} distinct)\n",
                       rs->weights.samples, ro.defensive, rs->weights.ess,
                       100.0 * rs->weights.ess / static_cast<double>(rs->weights.samples), n, rs->distinct);
        else
            fmt::print("not weighted (--weighting none): the SVGD particles may misweight separated modes\n");
        for (std::size_t k = 0; k < d; ++k) {
            if (rs)
                fmt::print("  a[{}]: mean {:.4f} (SVGD {:.4f}); share below the box midpoint {:.4f} weighted, {:.4f} SVGD\n", k,
                           mean_of(particles, k), mean_of(r.particles, k), rs->share_below_mid_weighted[k], rs->share_below_mid_before[k]);
            else
                fmt::print("  mean a[{}] = {:.4f}\n", k, mean_of(particles, k));
        }
    };
    report.csv = [&](CsvWriter& csv) {
        std::vector<std::string> row;
        for (std::size_t k = 0; k < d; ++k) row.push_back(fmt::format("a{}", k));
        csv.row_of(row);
        for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t k = 0; k < d; ++k) row[k] = CsvWriter::field(particles[i * d + k]);
            csv.row_of(row);
        }
    };
    report.json = [&](JsonWriter& w) {
        write_samples_document(w, {.state = in.model.state_names[in.state],
                                   .alpha = alpha,
                                   .svgd = r,
                                   .finite = finite,
                                   .seed = so.seed,
                                   .resampled = rs,
                                   .defensive_uniform_weight = ro.defensive,
                                   .warnings = warnings,
                                   .particles = particles,
                                   .dimension = d});
    };
    emit(vm, report);
    if (vm.count("plot")) {
        const std::size_t nx = 120, ny = 120;
        std::vector<double> f(nx * ny), a(2);
        double fmax = -INFINITY;
        for (std::size_t j = 0; j < ny; ++j)
            for (std::size_t i = 0; i < nx; ++i) {
                a[0] = target.low()[0] + (target.high()[0] - target.low()[0]) * (static_cast<double>(i) + 0.5) / nx;
                a[1] = target.low()[1] + (target.high()[1] - target.low()[1]) * (static_cast<double>(j) + 0.5) / ny;
                f[j * nx + i] = target.log_density(a, {});
                fmax = std::max(fmax, f[j * nx + i]);
            }
        for (double& x : f) x = std::exp(x - fmax);  // pi(a|s) up to its normalising constant
        const auto o = plot_particles(particles, target.low(), target.high(), f, nx, ny,
                                      rs ? fmt::format("SVGD + importance resampling at state {} (alpha {}), ESS {:.0f} of {} draws",
                                                       printable(in.model.state_names[in.state]), alpha, rs->weights.ess, rs->weights.samples)
                                         : fmt::format("SVGD at state {} (alpha {}), KSD {:.3g}", printable(in.model.state_names[in.state]), alpha, r.ksd),
                                      vm["plot"].as<std::string>());
        fmt::print(stderr, "softmdp: {}\n", o.message);
    }
    if (!finite) {
        fmt::print(stderr, "softmdp: the particles are not finite (written as null); exit 4\n");
        return kNotConverged;
    }
    return kOk;
}

const Register reg{{"sample", "SVGD particles from the soft policy pi(a|s) ∝ exp(Q(s,a)/alpha) of a continuous state", run}};

}  // namespace
}  // namespace softmdp::cli
