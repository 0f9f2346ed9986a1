// softmdp simulate FILE (--policy P | --alpha A) --episodes N --horizon H --seed S: episodes of a
// policy, written as softmdp-trajectories/1 (demonstrations for `softmdp irl`).
#include <cmath>
#include <fmt/format.h>

#include "cli.hpp"
#include "policy_option.hpp"
#include "softmdp/core/errors.hpp"
#include "softmdp/io/trajectories.hpp"
#include "softmdp/learning/simulate.hpp"

namespace softmdp::cli {
namespace {

int run(const std::vector<std::string>& args) {
    po::options_description desc("simulate options");
    desc.add_options()
        ("file", po::value<std::string>()->required(), "MDP file")
        ("policy,p", po::value<std::string>(), "uniform | greedy | softmax | a softmdp-policy/1 or softmdp-result/1 file")
        ("alpha,a", po::value<double>(), "temperature: without --policy, the soft-optimal policy at alpha (greedy optimal at 0)")
        ("episodes", po::value<std::uint64_t>()->default_value(100), "number of episodes")
        ("horizon", po::value<std::uint64_t>()->default_value(100), "steps per episode at most (an episode also ends in a terminal state)")
        ("seed", po::value<std::uint64_t>()->default_value(0), "random seed (same seed, same episodes)");
    add_model_options(desc);
    add_solver_options(desc);
    add_output_options(desc);
    po::variables_map vm;
    if (!parse(args, desc, "file", vm, "softmdp simulate FILE (--policy P | --alpha A) [--episodes N] [--horizon H] [--seed S] [--json OUT]",
               "  softmdp simulate mdps/gridworld4x4.json --alpha 0.5 --episodes 100 --horizon 50 --seed 1 --json demos.json\n"
               "  softmdp simulate mdps/chain2.json --policy uniform --episodes 3 --horizon 5 --json -\n"))
        return kOk;
    SimulateOptions so;
    so.episodes = vm["episodes"].as<std::uint64_t>();
    so.horizon = vm["horizon"].as<std::uint64_t>();
    so.seed = vm["seed"].as<std::uint64_t>();
    const SolverOptions opt = solver_options(vm, "simulate");
    const Model m = load(vm);
    const ChosenPolicy policy = chosen_policy(vm, m, opt);
    const auto episodes = simulate(m, policy.pi, so);
    Report report;
    report.table = [&] {
        double mean = 0.0, sq = 0.0;
        std::uint64_t steps = 0, terminated = 0;
        for (const auto& e : episodes) {
            mean += e.discounted_return;
            sq += e.discounted_return * e.discounted_return;
            steps += e.states.size();
            terminated += e.terminated;
        }
        const double n = static_cast<double>(episodes.size());
        mean /= n;
        const double se = n > 1 ? std::sqrt(std::max(0.0, sq / n - mean * mean) / (n - 1)) : 0.0;
        fmt::print("{} episodes of {} (horizon {}, seed {}): {} steps, {} ended in a terminal state\n", episodes.size(), policy.source,
                   so.horizon, so.seed, steps, terminated);
        fmt::print("mean discounted return {:.6g} +- {:.3g} (standard error)\n", mean, se);
    };
    report.csv = [&](CsvWriter& csv) {
        csv.row("episode", "t", "state", "action");
        for (std::size_t k = 0; k < episodes.size(); ++k)
            for (std::size_t t = 0; t < episodes[k].states.size(); ++t)
                csv.row(k, t, m.state_name(episodes[k].states[t]), m.action_name(episodes[k].actions[t]));
    };
    report.json = [&](JsonWriter& w) { write_trajectories(w, m, episodes, {policy.source, policy.alpha, so}); };
    emit(vm, report);
    return kOk;
}

const Register reg{{"simulate", "episodes of a policy as softmdp-trajectories/1 (demonstrations for irl)", run}};

}  // namespace
}  // namespace softmdp::cli
