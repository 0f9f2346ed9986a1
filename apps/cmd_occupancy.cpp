// softmdp occupancy FILE (--policy P | --alpha A) [--horizon H]: discounted or finite-horizon
// state and state-action visitation of a policy (analysis/occupancy.hpp).
#include <fmt/format.h>

#include "cli.hpp"
#include "horizon_option.hpp"
#include "policy_option.hpp"
#include "softmdp/analysis/occupancy.hpp"
#include "softmdp/core/errors.hpp"
#include "softmdp/core/printable.hpp"
#include "softmdp/io/occupancy.hpp"
#include "softmdp/solvers/prior.hpp"

namespace softmdp::cli {
namespace {

int run(const std::vector<std::string>& args) {
    po::options_description desc("occupancy options");
    desc.add_options()
        ("file", po::value<std::string>()->required(), "MDP file")
        ("policy,p", po::value<std::string>(), "uniform | greedy | softmax | a softmdp-policy/1 or softmdp-result/1 file")
        ("alpha,a", po::value<double>(), "temperature: without --policy, the soft-optimal policy at alpha (greedy optimal at 0)")
        ("horizon", po::value<std::uint64_t>(), "finite horizon H: sum over t < H by forward recursion (default: discounted, infinite)");
    add_prior_option(desc);
    add_model_options(desc);
    add_solver_options(desc);
    add_output_options(desc);
    po::variables_map vm;
    if (!parse(args, desc, "file", vm, "softmdp occupancy FILE (--policy P | --alpha A) [--horizon H] [--json OUT]",
               "  softmdp occupancy mdps/gridworld4x4.json --alpha 0.5 --json occ.json\n"
               "  softmdp occupancy mdps/frozenlake4x4.json --policy uniform --horizon 20 --json -\n"))
        return kOk;
    const auto horizon = horizon_option(vm);
    const SolverOptions opt = solver_options(vm, "occupancy");
    Model m = load(vm);
    // With --prior the policy is chosen on the prior model (solvers/prior.hpp, m's own arrays) and
    // reported on the model's rows (0 on excluded actions); the visitation is that of the model itself.
    const std::vector<double> pi0 = prior_option(vm, m);
    ChosenPolicy policy;
    if (!pi0.empty()) {
        policy.pi = policy_on_prior_model(m, pi0, alpha_option(vm), [&](const Model& pm) {
            policy = chosen_policy(vm, pm, opt);
            return policy.pi;
        }, prior_name(vm));
        policy.source += ", prior " + prior_name(vm);
    } else {
        policy = chosen_policy(vm, m, opt);
    }
    const Occupancy occ = horizon ? finite_horizon_occupancy(m, policy.pi, *horizon)
                                              : occupancy(m, policy.pi, {}, opt);
    const OccupancySummary summary = summarise(m, occ);
    Report report;
    report.table = [&] {
        fmt::print("occupancy of {} ({}): total {:.12g}, certified l1 error {}\n\n", policy.source,
                   occ.horizon ? fmt::format("horizon {}", *occ.horizon) : std::string("discounted"), summary.total,
                   occ.error_bound ? fmt::format("{:.3g}", *occ.error_bound) : std::string("none"));
        fmt::print("{:<16} {:>16}\n", "state", "d(s)");
        for (std::size_t s = 0; s < std::min<std::size_t>(m.num_states(), 50); ++s)
            fmt::print("{:<16} {:>16.10g}\n", printable(m.state_name(s)), occ.states[s]);
        if (m.num_states() > 50) fmt::print("... {} more states (use --json)\n", m.num_states() - 50);
    };
    report.csv = [&](CsvWriter& csv) {
        csv.row("state", "action", "occupancy");
        for (std::size_t s = 0; s < m.num_states(); ++s) {
            csv.row(m.state_name(s), "", occ.states[s]);
            for (Offset r = m.row_first(s); r < m.row_last(s); ++r) csv.row(m.state_name(s), m.action_name(m.row_action(r)), occ.state_actions[r]);
        }
    };
    report.json = [&](JsonWriter& w) { write_occupancy(w, m, occ, summary, policy.pi, policy.source, policy.alpha); };
    emit(vm, report);
    return occ.converged ? kOk : kNotConverged;
}

const Register reg{{"occupancy", "discounted or finite-horizon state and state-action visitation of a policy", run}};

}  // namespace
}  // namespace softmdp::cli
