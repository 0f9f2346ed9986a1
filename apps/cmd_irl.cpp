// softmdp irl FILE --demonstrations T.json [--features F.json] --alpha A [--horizon H]: maximum
// causal entropy inverse RL (learning/irl.hpp), written as softmdp-irl/1.
#include <fmt/format.h>

#include "cli.hpp"
#include "horizon_option.hpp"
#include "softmdp/core/errors.hpp"
#include "softmdp/io/features.hpp"
#include "softmdp/io/irl.hpp"
#include "softmdp/io/trajectories.hpp"
#include "softmdp/learning/irl.hpp"

namespace softmdp::cli {
namespace {

int run(const std::vector<std::string>& args) {
    po::options_description desc("irl options");
    desc.add_options()
        ("file", po::value<std::string>()->required(), "MDP file (its dynamics; its rewards are ignored)")
        ("demonstrations,d", po::value<std::string>()->required(), "softmdp-trajectories/1 file: trajectories or visitation counts")
        ("features", po::value<std::string>(), "softmdp-features/1 file (default: one-hot, one weight per state-action pair)")
        ("alpha,a", po::value<double>()->default_value(1.0), "temperature alpha > 0 of the learner's soft-optimal policy")
        ("horizon", po::value<std::uint64_t>(), "finite horizon H: time-indexed policies by backward induction (default: discounted)")
        ("optimizer", po::value<std::string>()->default_value("lbfgs"), "lbfgs | gradient (both with a backtracking line search)")
        ("l2", po::value<double>()->default_value(0.0), "L2 regularisation l2/2 ||w||^2 of the weights")
        ("method", po::value<std::string>(), "the inner soft solver (discounted): a soft method of `softmdp solve` (default: as solve)")
        ("irl-iterations", po::value<std::uint64_t>()->default_value(200), "at most this many optimiser iterations")
        ("gradient-tolerance", po::value<double>()->default_value(1e-6, "1e-6"), "stop when max_k |dL/dw_k| <= this");
    add_prior_option(desc);
    add_model_options(desc);
    add_solver_options(desc);
    add_output_options(desc);
    po::variables_map vm;
    if (!parse(args, desc, "file", vm,
               "softmdp irl FILE --demonstrations T.json [--features F.json] [--alpha A] [--horizon H] [--optimizer lbfgs|gradient] [--l2 L] [--json OUT]",
               "  softmdp simulate mdps/gridworld4x4.json --alpha 0.5 --episodes 200 --horizon 50 --seed 1 --json demos.json\n"
               "  softmdp irl mdps/gridworld4x4.json --demonstrations demos.json --alpha 0.5 --json irl.json\n"))
        return kOk;
    IrlOptions o;
    o.alpha = vm["alpha"].as<double>();
    if (!(o.alpha > 0.0) || !std::isfinite(o.alpha)) throw UsageError(fmt::format("--alpha must be a finite number > 0, got {}", o.alpha));
    o.horizon = horizon_option(vm).value_or(0);
    const std::string optimizer = vm["optimizer"].as<std::string>();
    if (optimizer != "lbfgs" && optimizer != "gradient") throw UsageError(fmt::format("--optimizer must be lbfgs or gradient, got '{}'", optimizer));
    o.optimizer = optimizer == "lbfgs" ? IrlOptimizer::lbfgs : IrlOptimizer::gradient;
    o.l2 = vm["l2"].as<double>();
    if (!(o.l2 >= 0.0) || !std::isfinite(o.l2)) throw UsageError(fmt::format("--l2 must be a finite number >= 0, got {}", o.l2));
    o.max_iterations = vm["irl-iterations"].as<std::uint64_t>();
    o.tolerance = vm["gradient-tolerance"].as<double>();
    if (!(o.tolerance >= 0.0)) throw UsageError("--gradient-tolerance must be >= 0");
    if (vm.count("method")) {
        o.method = vm["method"].as<std::string>();
        if (o.horizon > 0) throw UsageError("--method chooses the discounted soft solver: a finite horizon uses backward induction");
    }
    o.solver = solver_options(vm, "irl");
    // The inner soft solves: well below the gradient tolerance unless --tolerance asks otherwise.
    if (vm["tolerance"].defaulted()) o.solver.tolerance = 1e-10;
    o.solver.progress = nullptr;
    const bool progress = show_progress(vm);
    o.progress = [&](const IrlPoint& p) {
        if (progress && progress_due())
            progress_line(fmt::format("irl: iteration {}  log-likelihood {:.10g}  feature gap {:.3g}  gradient {:.3g}", p.iteration,
                                      p.log_likelihood, p.feature_gap, p.gradient_norm));
    };
    Model m = load(vm);
    const Demonstrations demos = read_demonstrations(vm["demonstrations"].as<std::string>(), m);
    o.prior = prior_option(vm, m);
    if (!o.prior.empty()) o.prior_source = prior_name(vm);
    const Features phi = vm.count("features") ? read_features(vm["features"].as<std::string>(), m) : Features::one_hot(m);
    const IrlResult res = irl(std::move(m), phi, demos, o);
    Report report;
    report.table = [&] {
        const auto& first = res.curve.front();
        const auto& last = res.curve.back();
        fmt::print("max causal entropy IRL at alpha {}{} ({}, {} features): {} after {} iterations ({} solves, {:.3g} s)\n", o.alpha,
                   o.prior.empty() ? std::string() : ", prior " + o.prior_source,
                   o.horizon ? fmt::format("horizon {}", o.horizon) : std::string("discounted"), phi.count(),
                   to_string(res.stop), res.iterations, res.evaluations, res.seconds);
        fmt::print("log-likelihood {:.10g} -> {:.10g}, feature gap {:.3g} -> {:.3g}, gradient {:.3g}\n", first.log_likelihood,
                   last.log_likelihood, first.feature_gap, last.feature_gap, last.gradient_norm);
        if (phi.kind() != Features::Kind::one_hot) {
            fmt::print("\n{:<16} {:>14}\n", "feature", "weight");
            for (std::size_t k = 0; k < phi.count(); ++k) fmt::print("{:<16} {:>14.8g}\n", phi.name(k), res.weights[k]);
        }
    };
    report.csv = [&](CsvWriter& csv) {
        csv.row("iteration", "log_likelihood", "objective", "feature_gap", "gradient_norm", "seconds");
        for (const auto& p : res.curve) csv.row(p.iteration, p.log_likelihood, p.objective, p.feature_gap, p.gradient_norm, p.seconds);
    };
    report.json = [&](JsonWriter& w) { write_irl(w, res, phi, o); };
    emit(vm, report);
    return res.converged ? kOk : kNotConverged;
}

const Register reg{{"irl", "maximum causal entropy inverse RL from demonstrations (linear reward features)", run}};

}  // namespace
}  // namespace softmdp::cli
