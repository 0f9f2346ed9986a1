// softmdp sweep FILE --alpha-min A --alpha-max B --points N [--log]: the soft optimum across alpha.
#include <fmt/format.h>

#include "cli.hpp"
#include "softmdp/core/errors.hpp"
#include "softmdp/io/documents.hpp"
#include "softmdp/io/plot.hpp"
#include "softmdp/io/policy_reader.hpp"
#include "softmdp/analysis/sweep.hpp"

namespace softmdp::cli {
namespace {

int run(const std::vector<std::string>& args) {
    po::options_description desc("sweep options");
    desc.add_options()
        ("file", po::value<std::string>()->required(), "MDP file (softmdp/1)")
        ("alpha-min", po::value<double>()->required(), "smallest alpha (>= 0; > 0 with --log)")
        ("alpha-max", po::value<double>()->required(), "largest alpha")
        ("points", po::value<std::size_t>()->default_value(10), "number of alphas")
        ("log", "space the alphas geometrically")
        ("method,m", po::value<std::string>(), "soft method (default: as solve, per alpha)")
        ("csv", po::value<std::string>(), "also write the table as CSV to this file ('-' = stdout)")
        ("plot", po::value<std::string>(), "J_soft and the hard return (above), mean entropy (below) against alpha, to OUT.png or OUT.svg (gnuplot)");
    add_prior_option(desc);
    add_model_options(desc);
    add_solver_options(desc);
    add_output_options(desc);
    po::variables_map vm;
    if (!parse(args, desc, "file", vm, "softmdp sweep FILE --alpha-min A --alpha-max B [--points N] [--log]",
               "  softmdp sweep mdps/frozenlake8x8.json --alpha-min 1e-4 --alpha-max 1 --points 9 --log\n"
               "  softmdp sweep mdps/riverswim.json --alpha-min 0 --alpha-max 0.5 --points 6 --json sweep.json --csv sweep.csv\n"))
        return kOk;
    const auto alphas = alpha_grid(vm["alpha-min"].as<double>(), vm["alpha-max"].as<double>(), vm["points"].as<std::size_t>(),
                                   vm.count("log") > 0);
    const SolverOptions opt = solver_options(vm, "sweep: the hard optimum");
    const Model m = load(vm);
    const std::vector<double> prior = vm.count("prior") ? read_policy(vm["prior"].as<std::string>(), m) : std::vector<double>();
    const auto points = alpha_sweep(m, alphas, vm.count("method") ? vm["method"].as<std::string>() : std::string(), opt,
                                    [&](std::size_t i, double alpha) {
                                        set_progress_label(fmt::format("sweep: point {} of {} (alpha {:.4g})", i + 1, alphas.size(), alpha));
                                    },
                                    prior);

    const auto csv_table = [&](CsvWriter& csv) {
        csv.row("alpha", "j_soft", "hard_return", "mean_entropy", "greedy_probability", "kl_from_greedy", "changed_states",
                "iterations", "error_bound", "converged", "seconds");
        for (const auto& p : points)
            csv.row(p.alpha, p.objective, p.hard_return, p.stats.mean_entropy, p.stats.greedy_probability, p.stats.kl_from_greedy,
                    p.stats.changed, p.iterations, p.error_bound, p.converged, p.seconds);
    };
    Report report;
    report.table = [&] {
        fmt::print("{:>11} {:>14} {:>14} {:>9} {:>9} {:>10} {:>7} {:>6} {:>9}\n", "alpha", "J_soft", "hard return",
                   "entropy", "p_greedy", "KL(g||pi)", "changed", "iters", "seconds");
        for (const auto& p : points)
            fmt::print("{:>11.4g} {:>14.8g} {:>14.8g} {:>9.4f} {:>9.4f} {:>10.4g} {:>7} {:>6} {:>9.4f}{}\n", p.alpha, p.objective,
                       p.hard_return, p.stats.mean_entropy, p.stats.greedy_probability, p.stats.kl_from_greedy, p.stats.changed,
                       p.iterations, p.seconds, p.converged ? "" : "  NOT converged");
    };
    report.csv = csv_table;
    report.json = [&](JsonWriter& w) { write_sweep_document(w, m, points, vm.count("prior") ? vm["prior"].as<std::string>() : std::string()); };
    emit(vm, report);
    if (vm.count("csv")) write_csv(vm["csv"].as<std::string>(), csv_table);
    if (vm.count("plot")) {
        std::vector<double> x, js, hr, h;
        for (const auto& p : points) {
            x.push_back(p.alpha);
            js.push_back(p.objective);
            hr.push_back(p.hard_return);
            h.push_back(p.stats.mean_entropy);
        }
        const auto o = plot_sweep(x, js, hr, h, fmt::format("{}: the soft optimum across alpha", m.name()), vm["plot"].as<std::string>());
        fmt::print(stderr, "softmdp: {}\n", o.message);
    }
    for (const auto& p : points)
        if (!p.converged) return kNotConverged;
    return kOk;
}

const Register reg{{"sweep", "the soft optimum across a range of alpha (J, hard return, entropy, greedy probability)", run}};

}  // namespace
}  // namespace softmdp::cli
