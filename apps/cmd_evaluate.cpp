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
#include "softmdp/solvers/prior.hpp"
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
    Model m = load(vm);
    const std::vector<double> pi0 = prior_option(vm, m);
    const std::string prior = prior_name(vm);
    if (!pi0.empty() && vm.count("residual"))
        throw UsageError("--residual checks the entropy-regularised Bellman equation; it does not apply with --prior");
    // With --prior the named policies (uniform, greedy, softmax) are those of the KL problem, on the
    // prior's support; a policy file must put no mass where pi0 = 0 (the KL would be infinite).
    const std::string spec = vm.count("policy") ? vm["policy"].as<std::string>() : std::string();
    const bool named = spec == "uniform" || spec == "greedy" || spec == "softmax";
    std::vector<double> pi;
    if (!spec.empty() && (pi0.empty() || !named)) pi = policy_from_option(spec, m, alpha, opt);
    if (!pi0.empty() && !pi.empty()) check_within_prior(m, pi0, pi, spec);
    if (horizon) {
        if (pi.empty()) pi = expand_prior_rows(pi0, policy_from_option(spec, with_prior(m, pi0, alpha, prior), alpha, opt));
        return run_finite_horizon(vm, m, alpha, pi, pi0);
    }

    std::optional<Solution> sol;
    if (!spec.empty()) {
        const auto convention = conv == "state" ? EntropyConvention::state : EntropyConvention::action;
        const auto evaluate = [&](const Model& on, std::span<const double> policy) {
            return vm.count("iterative") ? evaluate_policy_iterative(on, policy, alpha, opt, convention)
                                         : evaluate_policy_exact(on, policy, alpha, opt, convention);
        };
        if (pi0.empty()) {
            sol = evaluate(m, pi);
        } else {  // on the prior model, reported on m (solvers/prior.hpp)
            sol = solve_on_prior_model(m, pi0, alpha, [&](const Model& pm) {
                return evaluate(pm, pi.empty() ? policy_from_option(spec, pm, alpha, opt) : compact_prior_rows(pi0, pi));
            }, prior);
            pi = sol->policy;
        }
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

    const std::optional<ResultSummary> summary = sol ? std::optional(summarise(m, *sol, pi0)) : std::nullopt;
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
