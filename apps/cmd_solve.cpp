// softmdp solve FILE [--method M] [--alpha A]: hard or soft optimal values, Q and policy.
#include <sys/resource.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli.hpp"
#include "horizon_option.hpp"
#include "softmdp/core/printable.hpp"
#include "softmdp/solvers/bellman.hpp"
#include "softmdp/continuous/continuous_model.hpp"
#include "softmdp/continuous/continuous_solver.hpp"
#include "softmdp/core/errors.hpp"
#include "softmdp/io/json_writer.hpp"
#include "softmdp/io/loader.hpp"
#include "softmdp/io/plot.hpp"
#include "softmdp/io/result.hpp"
#include "softmdp/analysis/result_summary.hpp"
#include "softmdp/io/continuous_reader.hpp"
#include "softmdp/solvers/prior.hpp"
#include "softmdp/solvers/solve.hpp"
#include "softmdp/core/resources.hpp"

namespace softmdp::cli {
namespace {

// The likeliest action's index among the rows of a state (pi: their probabilities; the greedy one
// at alpha = 0).
std::size_t likeliest(std::span<const double> pi) {
    std::size_t best = 0;
    for (std::size_t k = 1; k < pi.size(); ++k)
        if (pi[k] > pi[best]) best = k;
    return best;
}

void print_table(const Model& m, const Solution& sol, std::size_t max_rows) {
    const bool soft = sol.alpha > 0.0;
    fmt::print("{:<16} {:>16}  {:<14}{}\n", "state", "V", soft ? "likeliest" : "greedy", soft ? "       p  entropy" : "");
    const std::size_t n = std::min(m.num_states(), max_rows);
    for_each_state_rows(m, sol, [&](std::size_t s, std::span<const double>, std::span<const double> pi) {
        if (pi.empty()) {
            fmt::print("{:<16} {:>16.10g}  {:<14}\n", printable(m.state_name(s)), sol.values[s], "(terminal)");
            return;
        }
        const std::size_t best = likeliest(pi);
        const std::string action = printable(m.action_name(m.row_action(m.row_first(s) + best)));
        if (soft)
            fmt::print("{:<16} {:>16.10g}  {:<14}{:>8.4f} {:>8.4f}\n", printable(m.state_name(s)), sol.values[s], action, pi[best], entropy(pi));
        else
            fmt::print("{:<16} {:>16.10g}  {:<14}\n", printable(m.state_name(s)), sol.values[s], action);
    }, n);
    if (n < m.num_states()) fmt::print("... {} more states (use --rows N or --json)\n", m.num_states() - n);
}

// One row per state: the value, the likeliest action (empty at terminal states), its probability
// and the policy's entropy.
void write_csv_table(CsvWriter& csv, const Model& m, const Solution& sol) {
    csv.row("state", "value", "action", "probability", "entropy");
    for_each_state_rows(m, sol, [&](std::size_t s, std::span<const double>, std::span<const double> pi) {
        if (pi.empty()) {
            csv.row(m.state_name(s), sol.values[s], "", "", 0.0);
            return;
        }
        const std::size_t best = likeliest(pi);
        csv.row(m.state_name(s), sol.values[s], m.action_name(m.row_action(m.row_first(s) + best)), pi[best], entropy(pi));
    });
}

// "24 x 24" for nodes per dimension.
std::string grid_text(const std::vector<std::size_t>& nodes) { return fmt::format("{}", fmt::join(nodes, " x ")); }

// How the integration error was obtained, in one line of the table.
std::string integration_note(const ContinuousSolution& cs) {
    if (cs.nodes.empty()) return {};
    std::string rule = cs.panel_order ? fmt::format("composite Gauss-Legendre ({} nodes per panel)", cs.panel_order)
                                      : std::string("Gauss-Legendre (--nodes)");
    std::string how = "no second grid solved: integration error unknown";
    if (cs.integration_error)
        how = cs.panel_order ? fmt::format("integration error {:.3g} estimated from the change of the fixed point since {} nodes",
                                           *cs.integration_error, grid_text(cs.comparison_nodes))
                             : fmt::format("integration error {:.3g} estimated against the refined solution ({} nodes)",
                                           *cs.integration_error, grid_text(cs.comparison_nodes));
    return fmt::format("quadrature: {} nodes, {}; {}\n", grid_text(cs.nodes), rule, how);
}

const char* mc_error_method(const ContinuousSolution& cs) {
    return cs.mc_std_error_exact
               ? "per-backup delta-method standard errors propagated through the fixed point: "
                 "sqrt(sum_s' M(s,s')^2 se(s')^2), M = (I - gamma P_pi)^-1"
               : "upper bound: per-backup delta-method standard errors added along paths, e = se + gamma P_pi e "
                 "(too many states for the exact propagation)";
}

// A continuous-action file: soft Q-iteration with quadrature or Monte Carlo integrals.
int run_continuous(const po::variables_map& vm, double alpha, const ContinuousModel& m) {
    if (vm.count("method")) throw UsageError("--method is for discrete MDPs; continuous actions use --integrator");
    if (vm.count("prior")) throw UsageError("--prior is for discrete MDPs (a softmdp-policy/1 over their actions)");
    if (vm.count("plot")) throw UsageError("--plot draws grid-shaped discrete MDPs; for continuous actions see sample --plot");
    ContinuousOptions c;
    const std::string integ = vm["integrator"].as<std::string>();
    if (integ != "quadrature" && integ != "mc") throw UsageError(fmt::format("--integrator must be quadrature or mc, got '{}'", integ));
    c.integrator = integ == "mc" ? Integrator::monte_carlo : Integrator::quadrature;
    // Options of the other integrator would be ignored: refuse them rather than let a user believe they apply.
    for (const char* name : integ == "mc" ? std::vector<const char*>{"nodes", "max-nodes"} : std::vector<const char*>{"samples", "seed"})
        if (vm.count(name) && !vm[name].defaulted())
            throw UsageError(fmt::format("--{} is for --integrator {}", name, integ == "mc" ? "quadrature" : "mc"));
    if (vm.count("nodes")) {
        c.nodes = vm["nodes"].as<std::size_t>();
        if (c.nodes < 1 || c.nodes > 1000) throw UsageError(fmt::format("--nodes must be in 1..1000, got {}", c.nodes));
    }
    c.max_nodes = vm["max-nodes"].as<std::size_t>();
    if (c.max_nodes < 16) throw UsageError(fmt::format("--max-nodes must be >= 16 (two grids of 8-node panels), got {}", c.max_nodes));
    c.samples = vm["samples"].as<std::uint64_t>();
    c.seed = vm["seed"].as<std::uint64_t>();
    if (c.samples < 2) throw UsageError("--samples must be >= 2");
    SolverOptions opt = solver_options(vm, "soft-qi");
    std::vector<double> init;
    if (vm.count("init")) {
        init = read_continuous_values(vm["init"].as<std::string>(), m);
        opt.initial_values = init;
    }
    const ContinuousSolution cs = continuous_soft_q_iteration(m, alpha, c, opt);
    const Solution& sol = cs.solution;
    const bool mc = c.integrator == Integrator::monte_carlo;
    double j = 0.0;
    for (std::size_t s = 0; s < m.num_states(); ++s) j += m.initial[s] * sol.values[s];
    Report report;
    report.table = [&] {
        const std::string bound =
            mc ? fmt::format("iteration bound {:.3g} (to the fixed point of the sampled operator; sampling error below)",
                             cs.iteration_bound)
            : sol.error_bound ? fmt::format("error bound {:.3g} = iteration bound {:.3g} + integration error {:.3g} (estimate)",
                                            *sol.error_bound, cs.iteration_bound, *cs.integration_error)
                              : fmt::format("iteration bound {:.3g}, no error bound (integration error unknown)", cs.iteration_bound);
        fmt::print("{} (alpha {}) on {}: {} after {} iterations, {}, {:.3f} s\n", sol.method, alpha, vm["file"].as<std::string>(),
                   sol.converged ? "converged" : "NOT converged", sol.iterations, bound, sol.seconds);
        if (!sol.reason.empty()) fmt::print("note: {}\n", sol.reason);
        if (mc)
            fmt::print("Monte Carlo: {} samples per state, seed {}; MC std error of V: {}\n", c.samples, c.seed, mc_error_method(cs));
        else
            fmt::print("{}", integration_note(cs));
        fmt::print("objective J = {:.12g}\n\n{:<16} {:>16}{}\n", j, "state", "V", mc ? "   MC std error" : "");
        for (std::size_t s = 0; s < std::min(m.num_states(), vm["rows"].as<std::size_t>()); ++s)
            fmt::print("{:<16} {:>16.10g}{}\n", printable(m.state_names[s]), sol.values[s],
                       mc ? fmt::format("   {:.3g}", cs.mc_std_error[s]) : std::string());
    };
    report.csv = [&](CsvWriter& csv) {
        if (!mc) csv.row("state", "value");
        else csv.row("state", "value", "mc_std_error");
        for (std::size_t s = 0; s < m.num_states(); ++s)
            if (!mc) csv.row(m.state_names[s], sol.values[s]);
            else csv.row(m.state_names[s], sol.values[s], cs.mc_std_error[s]);
    };
    report.json = [&](JsonWriter& w) { write_continuous_result(w, m, cs, c); };
    emit(vm, report);
    if (!sol.converged) {
        fmt::print(stderr, "softmdp: not converged: {}\n", sol.reason);
        return kNotConverged;
    }
    return kOk;
}

int run(const std::vector<std::string>& args) {
    po::options_description desc("solve options");
    desc.add_options()
        ("file", po::value<std::string>()->required(), "MDP file (softmdp/1)")
        ("method,m", po::value<std::string>(), "solver (see below); default: vi, or with --alpha > 0 soft-pi where sparse LU applies (up to 5000 states, local transitions) and soft-mpi elsewhere")
        ("alpha,a", po::value<double>(), "temperature alpha >= 0 (0 or absent: hard)")
        ("init", po::value<std::string>(), "warm start from the values of a softmdp-result/1 file")
        ("rows", po::value<std::size_t>()->default_value(50), "at most this many states in the table")
        ("integrator", po::value<std::string>()->default_value("quadrature"), "continuous actions: quadrature (d <= 3) | mc")
        ("nodes", po::value<std::size_t>(), "continuous actions: a fixed 1..1000 Gauss-Legendre nodes per dimension (default: refine until --tolerance is met on the values)")
        ("max-nodes", po::value<std::size_t>()->default_value(16384), "continuous actions: refinement budget, nodes per dimension (and half the memory); exit 4 when it runs out")
        ("samples", po::value<std::uint64_t>()->default_value(20000), "continuous actions: Monte Carlo samples per state")
        ("seed", po::value<std::uint64_t>()->default_value(0), "continuous actions: Monte Carlo seed")
        ("stats", "print load time, sweeps, ms per sweep and peak memory on stderr")
        ("plot", po::value<std::string>(), "grid-shaped MDPs: heatmap of V with the policy, to OUT.png or OUT.svg (gnuplot)");
    add_prior_option(desc);
    add_model_options(desc);
    add_horizon_options(desc);
    add_solver_options(desc);
    add_output_options(desc);
    po::variables_map vm;
    std::string examples =
        "  softmdp solve mdps/frozenlake8x8.json --json -\n"
        "  softmdp solve mdps/gridworld4x4.json --alpha 0.5 --method soft-vi\n"
        "  softmdp solve mdps/riverswim.json --method pi --json out.json\n"
        "  softmdp solve mdps/chain2.json --alpha 0.5 --horizon 10 --json -\n\nmethods:\n";
    for (const auto& mi : methods()) examples += fmt::format("  {:<11} {}\n", mi.name, mi.summary);
    if (!parse(args, desc, "file", vm, "softmdp solve FILE [--method M] [--alpha A] [--json OUT]", examples)) return kOk;

    const double alpha = alpha_option(vm);
    const auto horizon = horizon_option(vm);
    const std::string file = vm["file"].as<std::string>();
    const Stopwatch load_clock;
    const MappedFile mapped(file, kModelFile);  // read once: FILE may be a pipe
    if (is_continuous(mapped)) {
        if (horizon) throw UsageError("--horizon applies to discrete MDPs only");
        return run_continuous(vm, alpha, parse_continuous_model(mapped.text(), file));
    }
    Model m = load(vm, mapped, file);
    // --prior: solved on the prior model built in m's own arrays and reported on m (solvers/prior.hpp).
    const std::vector<double> pi0 = prior_option(vm, m);
    refuse_given(vm, {"integrator", "nodes", "samples", "seed"},
                 fmt::format("applies to continuous actions only; {} has discrete actions", file));
    if (horizon) {
        refuse_given(vm, {"method", "init", "tolerance", "max-iterations", "time-limit", "evaluation-sweeps", "krylov", "preconditioner-sweeps", "stats", "plot"},
                     "does not apply with --horizon: backward induction is exact (no method, tolerance or limit)");
        return run_finite_horizon(vm, m, alpha, {}, pi0);
    }
    if (vm.count("plot")) require_grid(m);  // before solving
    // The solution keeps its values only; the documents recompute Q and the policy state by state
    // (the same doubles), which saves 16 bytes per row (docs/performance.md, "Memory"). --plot reads
    // the policy table.
    const bool keep_rows = vm.count("plot") > 0;
    const MethodChoice choice = vm.count("method") ? MethodChoice{vm["method"].as<std::string>(), {}}
                                                   : choose_default_method(m, alpha, keep_rows, available_memory());
    const std::string method(choice.method);
    SolverOptions opt = solver_options(vm, method);
    opt.keep_rows = keep_rows;
    const double load_seconds = load_clock.seconds();
    struct rusage loaded {};
    ::getrusage(RUSAGE_SELF, &loaded);
    std::vector<double> init;
    if (vm.count("init")) {
        init = read_result_values(vm["init"].as<std::string>(), m);
        opt.initial_values = init;
    }
    Solution sol = pi0.empty() ? solve(m, method, alpha, opt) : solve_with_prior(m, pi0, method, alpha, opt, prior_name(vm));
    sol.method_note = choice.note;
    const std::string prior = prior_name(vm);

    emit(vm, {[&] {
                  fmt::print("{} (alpha {}{}) on {}: {} after {} iterations, error bound {}, {:.3f} s\n", sol.method, sol.alpha,
                             prior.empty() ? std::string() : ", prior " + prior,
                             vm["file"].as<std::string>(), sol.converged ? "converged" : "NOT converged", sol.iterations,
                             sol.error_bound ? fmt::format("{:.3g}", *sol.error_bound) : std::string("none"), sol.seconds);
                  if (!sol.reason.empty()) fmt::print("note: {}\n", sol.reason);
                  if (!sol.method_note.empty()) fmt::print("note: {}\n", sol.method_note);
                  fmt::print("objective J = sum_s p0(s) V(s) = {:.12g}\n\n", objective(m, sol.values));
                  print_table(m, sol, vm["rows"].as<std::size_t>());
              },
              [&](JsonWriter& w) { write_result(w, m, sol, summarise(m, sol, pi0), prior); }, [&](CsvWriter& csv) { write_csv_table(csv, m, sol); }});
    if (vm.count("plot")) fmt::print(stderr, "softmdp: {}\n", plot_grid(m, sol, vm["plot"].as<std::string>()).message);
    if (vm.count("stats")) {
        struct rusage ru {};
        ::getrusage(RUSAGE_SELF, &ru);
        fmt::print(stderr,
                   "stats: load {:.3f} s ({:.0f} MB/s), solve {:.3f} s, {} sweeps, {:.3f} ms per sweep, {} threads, "
                   "peak RSS {:.1f} MiB (after the load {:.1f} MiB), CSR {:.1f} MiB, peak/CSR {:.3f}{}, stop {}{}\n",
                   load_seconds, static_cast<double>(mapped.text().size()) / 1e6 / std::max(load_seconds, 1e-9), sol.seconds,
                   sol.sweeps, sol.sweeps ? 1e3 * sol.seconds / static_cast<double>(sol.sweeps) : 0.0,
                   thread_count(opt.threads), static_cast<double>(ru.ru_maxrss) / 1024.0,
                   static_cast<double>(loaded.ru_maxrss) / 1024.0, static_cast<double>(m.csr_bytes()) / (1024.0 * 1024.0),
                   static_cast<double>(ru.ru_maxrss) * 1024.0 / static_cast<double>(std::max<std::size_t>(1, m.csr_bytes())),
                   sol.matvecs ? fmt::format(", {} outer iterations, {} inner Krylov iterations, {} matrix-vector products",
                                             sol.iterations, sol.inner_iterations, sol.matvecs)
                               : std::string(),
                   to_string(sol.stop), sol.method_note.empty() ? std::string() : "; " + sol.method_note);
    }
    if (!sol.converged) {
        fmt::print(stderr, "softmdp: not converged: {}\n", sol.reason);
        return kNotConverged;
    }
    return kOk;
}

const Register reg{{"solve", "optimal hard or soft values, Q and policy (vi, pi, mpi, soft-vi, soft-qi, ...)", run}};

}  // namespace
}  // namespace softmdp::cli
