// softmdp sample FILE --state S --alpha A: SVGD particles from pi(a|s) ∝ exp(Q(s,a)/alpha).
#include <cmath>
#include <fmt/format.h>

#include "cli.hpp"
#include "softmdp/printable.hpp"
#include "softmdp/errors.hpp"
#include "softmdp/plot.hpp"
#include "softmdp/svgd.hpp"

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
    if (so.particles < 2 || so.particles > 100000) throw UsageError("--particles must be in 2..100000");
    if (!(so.step_size > 0.0)) throw UsageError("--step-size must be > 0");
    const auto in = continuous_input(vm);
    const SoftQTarget target(in.model, in.state, in.values, alpha);
    if (vm.count("plot") && target.dim() != 2) throw UsageError("--plot draws 2-D action spaces only");
    const SvgdResult r = svgd(target, so);
    const std::size_t d = target.dim();

    Report report;
    report.table = [&] {
        fmt::print("SVGD at state {} (alpha {}): {} particles, {} steps ({}), bandwidth {:.4g}, KSD {:.4g}\n",
                   in.model.state_names[in.state], alpha, so.particles, r.steps, r.converged ? "converged" : "step budget",
                   r.bandwidth, r.ksd);
        for (std::size_t k = 0; k < d; ++k) {
            double mean = 0.0;
            for (std::size_t i = 0; i < so.particles; ++i) mean += r.particles[i * d + k];
            fmt::print("  mean a[{}] = {:.4f}\n", k, mean / static_cast<double>(so.particles));
        }
    };
    report.csv = [&](CsvWriter& csv) {
        std::vector<std::string> row;
        for (std::size_t k = 0; k < d; ++k) row.push_back(fmt::format("a{}", k));
        csv.row_of(row);
        for (std::size_t i = 0; i < so.particles; ++i) {
            for (std::size_t k = 0; k < d; ++k) row[k] = CsvWriter::field(r.particles[i * d + k]);
            csv.row_of(row);
        }
    };
    report.json = [&](JsonWriter& w) {
        w.begin_object();
        w.key("format").value("softmdp-samples/1");
        w.key("state").value(in.model.state_names[in.state]);
        w.key("alpha").value(alpha);
        w.key("steps").value(static_cast<std::uint64_t>(r.steps));
        w.key("converged").value(r.converged);
        w.key("bandwidth").value(r.bandwidth);
        w.key("ksd").value(r.ksd);
        w.key("seed").value(so.seed);
        w.key("particles").begin_array();
        for (std::size_t i = 0; i < so.particles; ++i) {
            w.begin_array();
            for (std::size_t k = 0; k < d; ++k) w.value(r.particles[i * d + k]);
            w.end_array();
        }
        w.end_array();
        w.end_object();
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
        const auto o = plot_particles(r.particles, target.low(), target.high(), f, nx, ny,
                                      fmt::format("SVGD at state {} (alpha {}), KSD {:.3g}", printable(in.model.state_names[in.state]), alpha, r.ksd),
                                      vm["plot"].as<std::string>());
        fmt::print(stderr, "softmdp: {}\n", o.message);
    }
    return kOk;
}

const Register reg{{"sample", "SVGD particles from the soft policy pi(a|s) ∝ exp(Q(s,a)/alpha) of a continuous state", run}};

}  // namespace
}  // namespace softmdp::cli
