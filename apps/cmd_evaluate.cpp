// softmdp evaluate FILE --policy P: (soft) policy evaluation; --residual Q: soft Bellman residuals.
#include <fmt/format.h>

#include "cli.hpp"
#include "horizon_option.hpp"
#include "policy_option.hpp"
#include "softmdp/core/printable.hpp"
#include "softmdp/analysis/policy.hpp"
#include "softmdp/analysis/residuals.hpp"
#include "softmdp/analysis/result_summary.hpp"
#include "softmdp/core/errors.hpp"
#include "softmdp/io/documents.hpp"
#include "softmdp/io/policy_reader.hpp"
#include "softmdp/io/q_table_reader.hpp"
#include "softmdp/solvers/policy_evaluation.hpp"
#include "softmdp/solvers/solve.hpp"

namespace softmdp::cli {
namespace {

int run(const std::vector<std::string>& args) {
    po::options_description desc("evaluate options");
    desc.add_options()
        ("file", po::value<std::string>()->required(), "MDP file (softmdp/1)")
        ("policy,p", po::value<std::string>(), "uniform | greedy | softmax | a softmdp-policy/1 or softmdp-result/1 file")
        ("alpha,a", po::value<double>(), "temperature alpha >= 0 of the entropy bonus (default 0)")
        ("convention", po::value<std::string>()->default_value("state"), "entropy convention: state | action")
        ("iterative", "Gauss-Seidel sweeps instead of the exact sparse solve")
        ("residual", po::value<std::string>(), "print the soft Bellman residuals J_V, J_Q of this Q table (softmdp-q/1 or softmdp-result/1)")
        ("residual-states", po::value<std::string>()->default_value("initial"),
         "residual state weights p: initial (p0) | uniform | a softmdp-weights/1 file")
        ("residual-actions", po::value<std::string>()->default_value("uniform"),
         "residual action weights mu: uniform | softmax (of the Q table) | policy (the --policy) | a softmdp-policy/1 file");
    add_prior_option(desc);
    add_model_options(desc);
    add_horizon_options(desc);
    add_solver_options(desc);
    add_output_options(desc);
    po::variables_map vm;
    if (!parse(args, desc, "file", vm, "softmdp evaluate FILE (--policy P | --residual Q.json) [--alpha A] [--convention state|action]",
               "  softmdp evaluate mdps/gridworld4x4.json --policy uniform\n"
               "  softmdp evaluate mdps/frozenlake4x4.json --policy softmax --alpha 0.1 --convention action --json -\n"
               "  softmdp evaluate mdps/chain2.json --alpha 1 --residual result.json\n"
               "  softmdp evaluate mdps/chain2.json --policy uniform --alpha 1 --horizon 5 --json -\n"
               "  softmdp evaluate mdps/chain2.json --alpha 1 --residual q.json --residual-states uniform --residual-actions softmax\n"))
        return kOk;
    const double alpha = alpha_option(vm);
    const std::string conv = vm["convention"].as<std::string>();
    if (conv != "state" && conv != "action") throw UsageError(fmt::format("--convention must be state or action, got '{}'", conv));
    if (!vm.count("policy") && !vm.count("residual")) throw UsageError("give --policy P (to evaluate) or --residual Q.json");
    if (vm["residual-actions"].as<std::string>() == "policy" && !vm.count("policy"))
        throw UsageError("--residual-actions policy weighs actions by the --policy: give --policy P");
    const auto horizon = horizon_option(vm);
    if (horizon) refuse_given(vm, {"residual", "iterative", "tolerance", "max-iterations", "time-limit"},
                              "does not apply with --horizon: backward induction is exact, in the state convention");
    if (horizon && conv != "state") throw UsageError("--horizon evaluates in the state convention only: drop --convention action");
    const SolverOptions opt = solver_options(vm, "evaluate");
    if (horizon && vm.count("prior")) throw UsageError("--prior does not apply with --horizon yet: finite-horizon evaluation is entropy-regularised only");
    const Model m = with_prior_option(load(vm), vm, alpha);
    const std::string prior = vm.count("prior") ? vm["prior"].as<std::string>() : std::string();
    if (horizon) return run_finite_horizon(vm, m, alpha, policy_from_option(vm["policy"].as<std::string>(), m, alpha, opt));

    std::optional<Solution> sol;
    std::vector<double> pi;
    if (vm.count("policy")) {
        pi = policy_from_option(vm["policy"].as<std::string>(), m, alpha, opt);
        const auto convention = conv == "state" ? EntropyConvention::state : EntropyConvention::action;
        sol = vm.count("iterative") ? evaluate_policy_iterative(m, pi, alpha, opt, convention)
                                    : evaluate_policy_exact(m, pi, alpha, opt, convention);
        sol->method += "-" + conv;
    }
    std::vector<ResidualsOf> residuals;
    const ResidualWeights weights{vm["residual-states"].as<std::string>(), vm["residual-actions"].as<std::string>()};
    if (vm.count("residual")) {
        const auto q = read_q_table(vm["residual"].as<std::string>(), m);
        // p: empty = p0; mu: empty = uniform (the library's defaults).
        std::vector<double> p, mu;
        if (weights.states == "uniform") p.assign(m.num_states(), 1.0 / static_cast<double>(m.num_states()));
        else if (weights.states != "initial") p = read_state_weights(weights.states, m);
        if (weights.actions == "softmax") mu = softmax_policy(m, q, alpha);
        else if (weights.actions == "policy") mu = pi;
        else if (weights.actions != "uniform") mu = read_policy(weights.actions, m);
        for (auto kind : {SoftValueOfQ::soft, SoftValueOfQ::boltzmann})
            residuals.push_back({kind, soft_bellman_residuals(m, q, alpha, kind, p, mu)});
    }

    const std::optional<ResultSummary> summary = sol ? std::optional(summarise(m, *sol)) : std::nullopt;
    Report report;
    report.table = [&] {
        if (sol) {
            fmt::print("evaluation of {} at alpha {}{} ({} convention): J = {:.12g}, error bound {}\n\n",
                       vm["policy"].as<std::string>(), alpha, prior.empty() ? std::string() : ", prior " + prior, conv,
                       summary->objective,
                       sol->error_bound ? fmt::format("{:.3g}", *sol->error_bound) : std::string("none"));
            fmt::print("{:<16} {:>16} {:>10}\n", "state", "V", "entropy");
            const auto& H = summary->entropy;
            for (std::size_t s = 0; s < std::min<std::size_t>(m.num_states(), 50); ++s)
                fmt::print("{:<16} {:>16.10g} {:>10.4f}\n", printable(m.state_name(s)), sol->values[s], H[s]);
            if (m.num_states() > 50) fmt::print("... {} more states (use --json)\n", m.num_states() - 50);
        }
        if (!residuals.empty()) {
            fmt::print("{}soft Bellman residuals at alpha {} (state weights {}, action weights {}):\n", sol ? "\n" : "", alpha,
                       weights.states, weights.actions);
            for (const auto& row : residuals)
                fmt::print("  V_Q = {:<9}  J_V = {:<14.6g} J_Q = {:.6g}\n", to_string(row.value_of_q), row.residuals.v_residual, row.residuals.q_residual);
        }
    };
    report.csv = [&](CsvWriter& csv) {
        if (sol) {  // the evaluation, one row per state
            const auto& H = summary->entropy;
            csv.row("state", "value", "entropy");
            for (std::size_t s = 0; s < m.num_states(); ++s) csv.row(m.state_name(s), sol->values[s], H[s]);
            return;
        }
        csv.row("value_of_q", "v_residual", "q_residual");
        for (const auto& row : residuals) csv.row(to_string(row.value_of_q), row.residuals.v_residual, row.residuals.q_residual);
    };
    report.json = [&](JsonWriter& w) {
        if (sol) write_evaluation_document(w, m, *sol, *summary, conv, weights, residuals, prior);
        else write_residuals_document(w, alpha, weights, residuals);
    };
    emit(vm, report);
    return sol && !sol->converged ? kNotConverged : kOk;
}

const Register reg{{"evaluate", "soft or hard policy evaluation (V, Q, J), and soft Bellman residuals of a Q table", run}};

}  // namespace
}  // namespace softmdp::cli
