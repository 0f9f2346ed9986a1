// softmdp compare FILE --alpha A: soft against hard, per state and in summary.
#include <fmt/format.h>

#include "cli.hpp"
#include "softmdp/core/printable.hpp"
#include "softmdp/analysis/compare.hpp"
#include "softmdp/analysis/result_summary.hpp"
#include "softmdp/core/errors.hpp"
#include "softmdp/io/documents.hpp"
#include "softmdp/io/policy_reader.hpp"

namespace softmdp::cli {
namespace {

int run(const std::vector<std::string>& args) {
    po::options_description desc("compare options");
    desc.add_options()
        ("file", po::value<std::string>()->required(), "MDP file (softmdp/1)")
        ("alpha,a", po::value<double>()->required(), "temperature alpha > 0")
        ("method,m", po::value<std::string>(), "soft method (default: as solve)")
        ("hard-method", po::value<std::string>(), "hard method (default mpi)")
        ("rows", po::value<std::size_t>()->default_value(50), "at most this many states in the table");
    add_prior_option(desc);
    add_model_options(desc);
    add_solver_options(desc);
    add_output_options(desc);
    po::variables_map vm;
    if (!parse(args, desc, "file", vm, "softmdp compare FILE --alpha A [--json OUT]",
               "  softmdp compare mdps/cliffwalking.json --alpha 1\n"
               "  softmdp compare mdps/frozenlake8x8.json --alpha 0.01 --json cmp.json\n"))
        return kOk;
    const double alpha = alpha_option(vm);
    if (alpha == 0.0) throw UsageError("compare needs --alpha > 0");
    const SolverOptions opt = solver_options(vm, "compare");
    const Model m = load(vm);
    const std::string prior_file = vm.count("prior") ? vm["prior"].as<std::string>() : std::string();
    const std::vector<double> prior = prior_file.empty() ? std::vector<double>() : read_policy(prior_file, m);
    const Comparison c = compare(m, alpha, opt, vm.count("method") ? vm["method"].as<std::string>() : std::string(),
                                 vm.count("hard-method") ? vm["hard-method"].as<std::string>() : std::string(), prior);
    const ResultSummary soft = summarise(m, c.soft, prior), hard = summarise(m, c.hard);
    const double j_soft = soft.objective, j_hard = hard.objective;

    // The likeliest soft action of s and its probability; the greedy action (ties: the first maximiser).
    const auto soft_choice = [&](std::size_t s) {
        const Offset r = c.stats.likeliest_row[s];
        return std::pair{m.action_name(m.row_action(r)), c.soft.policy[r]};
    };
    const auto greedy = [&](std::size_t s) { return m.action_name(m.row_action(c.stats.greedy_row[s])); };
    Report report;
    report.table = [&] {
        fmt::print("{:<12} {:>13} {:>13} {:>11} {:>11}  {:<10} {:<10} {:>7} {:>8}\n", "state", "V_soft", "V_hard", "gap",
                   "gap bound", "greedy", "soft", "p_soft", "entropy");
        const std::size_t n = std::min(m.num_states(), vm["rows"].as<std::size_t>());
        for (std::size_t s = 0; s < n; ++s) {
            if (m.is_terminal(s)) {
                fmt::print("{:<12} {:>13.8g} {:>13.8g} {:>11.4g} {:>11.4g}  (terminal)\n", printable(m.state_name(s)), 0.0, 0.0, 0.0, 0.0);
                continue;
            }
            const std::string g = greedy(s);
            const auto [sa, p] = soft_choice(s);
            fmt::print("{:<12} {:>13.8g} {:>13.8g} {:>11.4g} {:>11.4g}  {:<10} {:<10} {:>7.4f} {:>8.4f}\n", printable(m.state_name(s)),
                       c.soft.values[s], c.hard.values[s], c.soft.values[s] - c.hard.values[s],
                       c.gap_bound.empty() ? NAN : c.gap_bound[s], printable(g), printable(sa) + (sa != g ? "*" : ""), p, c.stats.entropy[s]);
        }
        if (n < m.num_states()) fmt::print("... {} more states (use --rows N or --json)\n", m.num_states() - n);
        fmt::print("\n{:<35}{:.10g}\n", fmt::format("J_soft (alpha {})", alpha), j_soft);
        fmt::print("J_hard                             {:.10g}\n", j_hard);
        fmt::print("hard return of the soft policy     {:.10g}   (cost of softness {:.4g})\n", c.soft_policy_hard_return,
                   j_hard - c.soft_policy_hard_return);
        fmt::print("global bound on V_soft - V_hard    {}\n",
                   c.global_bound ? fmt::format("{:.6g} = alpha max_s log|A_s| / (1 - gamma)", *c.global_bound)
                   : prior.empty() ? "none (gamma = 1)"
                                   : "none (KL to the prior " + prior_file + ": V_soft <= V_hard)");
        fmt::print("states whose likeliest action changes (*)  {} of {}\n", c.stats.changed, m.num_states() - m.num_terminal());
        fmt::print("mean entropy {:.4f} nats, mean probability of the greedy action {:.4f}\n", c.stats.mean_entropy,
                   c.stats.greedy_probability);
    };
    report.csv = [&](CsvWriter& csv) {
        csv.row("state", "v_soft", "v_hard", "gap", "gap_bound", "greedy", "soft_likeliest", "p_soft", "entropy",
                "soft_policy_hard_value");
        for (std::size_t s = 0; s < m.num_states(); ++s) {
            const bool t = m.is_terminal(s);
            const auto [sa, p] = t ? std::pair{std::string(), 0.0} : soft_choice(s);
            csv.row(m.state_name(s), c.soft.values[s], c.hard.values[s], c.soft.values[s] - c.hard.values[s],
                    c.gap_bound.empty() ? std::optional<double>() : c.gap_bound[s], t ? "" : greedy(s), sa,
                    t ? std::optional<double>() : p, c.stats.entropy[s], c.soft_policy_hard_values[s]);
        }
    };
    report.json = [&](JsonWriter& w) { write_compare_document(w, m, c, alpha, soft, hard, prior_file); };
    emit(vm, report);
    return c.soft.converged && c.hard.converged ? kOk : kNotConverged;
}

const Register reg{{"compare", "soft against hard per state: values, gap and its bound, policies, entropy", run}};

}  // namespace
}  // namespace softmdp::cli
