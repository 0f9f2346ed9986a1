// softmdp learn FILE --alpha A --steps N --seed S: tabular soft Q-learning from simulated samples.
#include <fmt/format.h>

#include "cli.hpp"
#include "softmdp/core/stopwatch.hpp"
#include "softmdp/core/threads.hpp"
#include "softmdp/core/errors.hpp"
#include "softmdp/io/documents.hpp"
#include "softmdp/learning/soft_q_learning.hpp"

namespace softmdp::cli {
namespace {

int run(const std::vector<std::string>& args) {
    po::options_description desc("learn options");
    desc.add_options()
        ("file", po::value<std::string>()->required(), "MDP file (softmdp/1)")
        ("alpha,a", po::value<double>()->default_value(1.0), "temperature alpha >= 0")
        ("steps", po::value<std::uint64_t>()->default_value(100000), "environment steps (updates)")
        ("seed", po::value<std::uint64_t>()->default_value(0), "random seed (same seed, same curve)")
        ("behaviour", po::value<std::string>()->default_value("uniform"), "uniform | epsilon-greedy | soft")
        ("epsilon", po::value<double>()->default_value(0.1), "epsilon-greedy: exploration probability")
        ("schedule", po::value<std::string>()->default_value("power"), "learning rate: constant | power (lr / n(s,a)^omega)")
        ("learning-rate", po::value<double>()->default_value(1.0), "lr")
        ("omega", po::value<double>()->default_value(0.6), "power schedule exponent, in (0.5, 1]")
        ("target-every", po::value<std::uint64_t>()->default_value(1), "refresh the target table every K steps (1: plain soft Q-learning)")
        ("horizon", po::value<std::uint64_t>()->default_value(1000), "restart from p0 after this many steps")
        ("points", po::value<std::uint64_t>()->default_value(20), "learning-curve points after step 0")
        ("q-init", po::value<double>()->default_value(0.0), "initial Q(s,a); values above every Q* make a soft behaviour try each action");
    add_model_options(desc);
    add_output_options(desc);
    po::variables_map vm;
    if (!parse(args, desc, "file", vm, "softmdp learn FILE --alpha A --steps N --seed S [--json OUT]",
               "  softmdp learn mdps/chain2.json --alpha 1 --steps 20000 --seed 1\n"
               "  softmdp learn mdps/forest.json --alpha 0.5 --steps 200000 --behaviour soft --q-init 50 --json curve.json\n"))
        return kOk;
    LearnOptions o;
    o.alpha = alpha_option(vm);
    o.steps = vm["steps"].as<std::uint64_t>();
    o.seed = vm["seed"].as<std::uint64_t>();
    const std::string beh = vm["behaviour"].as<std::string>(), sched = vm["schedule"].as<std::string>();
    if (beh == "uniform") o.behaviour = LearnOptions::Behaviour::uniform;
    else if (beh == "epsilon-greedy") o.behaviour = LearnOptions::Behaviour::epsilon_greedy;
    else if (beh == "soft") o.behaviour = LearnOptions::Behaviour::soft;
    else throw UsageError(fmt::format("--behaviour must be uniform, epsilon-greedy or soft, got '{}'", beh));
    if (sched == "constant") o.schedule = LearnOptions::Schedule::constant;
    else if (sched == "power") o.schedule = LearnOptions::Schedule::power;
    else throw UsageError(fmt::format("--schedule must be constant or power, got '{}'", sched));
    o.epsilon = vm["epsilon"].as<double>();
    o.learning_rate = vm["learning-rate"].as<double>();
    o.omega = vm["omega"].as<double>();
    o.target_every = vm["target-every"].as<std::uint64_t>();
    o.horizon = vm["horizon"].as<std::uint64_t>();
    o.curve_points = vm["points"].as<std::uint64_t>();
    o.initial_q = vm["q-init"].as<double>();
    const Model m = load(vm);
    if (show_progress(vm)) {
        const Stopwatch clock;
        o.progress = [&o, clock](std::uint64_t step) {
            if (progress_due())
                progress_line(fmt::format("learn: step {} of {} ({:.0f}%), {:.1f} s", step, o.steps,
                                          100.0 * static_cast<double>(step) / static_cast<double>(std::max<std::uint64_t>(o.steps, 1)),
                                          clock.seconds()));
        };
    }
    const LearnResult r = soft_q_learning(m, o);

    Report report;
    report.table = [&] {
        fmt::print("soft Q-learning (alpha {}, {} behaviour, {} episodes) on {}\n{:>10} {:>14} {:>16}\n", o.alpha, beh,
                   r.episodes, vm["file"].as<std::string>(), "step", "||Q - Q*||", "J(soft policy)");
        for (const auto& p : r.curve) fmt::print("{:>10} {:>14.6g} {:>16.10g}\n", p.step, p.q_error, p.objective);
    };
    report.csv = [&](CsvWriter& csv) {
        csv.row("step", "q_error", "objective");
        for (const auto& p : r.curve) csv.row(p.step, p.q_error, p.objective);
    };
    report.json = [&](JsonWriter& w) { write_learn_document(w, m, o, r); };
    emit(vm, report);
    return kOk;
}

const Register reg{{"learn", "tabular soft Q-learning from simulated transitions, with its learning curve", run}};

}  // namespace
}  // namespace softmdp::cli
