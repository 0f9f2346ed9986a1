#include "horizon_option.hpp"

#include <fmt/format.h>

#include "softmdp/analysis/compare.hpp"
#include "softmdp/analysis/result_summary.hpp"
#include "softmdp/core/errors.hpp"
#include "softmdp/core/printable.hpp"
#include "softmdp/io/result.hpp"
#include "softmdp/solvers/finite_horizon.hpp"

namespace softmdp::cli {

void add_horizon_options(po::options_description& desc) {
    desc.add_options()
        ("horizon", po::value<std::uint64_t>(), "finite horizon H: time-indexed values and policies by backward induction (exact; default: discounted, infinite)")
        ("terminal", po::value<std::string>(), "with --horizon: the terminal values V_H from a softmdp-result/1 file (default 0)");
}

std::optional<std::uint64_t> horizon_option(const po::variables_map& vm) {
    if (!vm.count("horizon")) {
        if (vm.count("terminal")) throw UsageError("--terminal gives the values at the end of a finite horizon: give --horizon H");
        return std::nullopt;
    }
    const std::uint64_t h = vm["horizon"].as<std::uint64_t>();
    if (h < 1 || h > kMaxHorizon) throw UsageError(fmt::format("--horizon must be in 1..{}, got {}", kMaxHorizon, h));
    return h;
}

int run_finite_horizon(const po::variables_map& vm, const Model& m, double alpha, std::span<const double> pi, std::span<const double> prior) {
    const std::uint64_t H = *horizon_option(vm);
    std::vector<double> terminal;
    if (vm.count("terminal")) terminal = read_result_values(vm["terminal"].as<std::string>(), m);
    const int threads = solver_options(vm, "finite-horizon").threads;  // --threads checked as everywhere
    const FiniteHorizonSolution fh =
        pi.empty() ? solve_finite_horizon(m, alpha, H, terminal, {}, threads, prior) : evaluate_finite_horizon(m, pi, alpha, H, terminal, threads, prior);
    const std::string prior_file = prior.empty() ? std::string() : vm["prior"].as<std::string>();
    const Solution first = at_time(m, fh, 0);
    const ResultSummary summary = summarise(m, first, prior);
    const std::size_t S = m.num_states();
    // The likeliest action's row of state s at step t (first maximiser: the greedy one at alpha = 0).
    const auto likeliest = [&](std::uint64_t t, std::size_t s) { return first_maximiser(m, fh.policy_at(t, m.num_rows()), s, 0.0); };
    Report report;
    report.table = [&] {
        fmt::print("{} (alpha {}{}) over horizon {} on {}: exact, {:.3f} s{}\n", fh.method, alpha,
                   prior_file.empty() ? std::string() : ", prior " + prior_file, H, vm["file"].as<std::string>(),
                   fh.seconds, terminal.empty() ? "" : fmt::format(", terminal values from {}", vm["terminal"].as<std::string>()));
        fmt::print("objective J = sum_s p0(s) V_0(s) = {:.12g}\n\n", summary.objective);
        fmt::print("{:<16} {:>16}  {:<14} {:>8}  (step t = 0; --json for every t)\n", "state", "V_0", "likeliest", "p");
        const std::size_t n = std::min<std::size_t>(S, vm.count("rows") ? vm["rows"].as<std::size_t>() : 50);
        for (std::size_t s = 0; s < n; ++s) {
            if (m.num_available(s) == 0) {
                fmt::print("{:<16} {:>16.10g}  {:<14}\n", printable(m.state_name(s)), first.values[s], "(terminal)");
                continue;
            }
            const Offset r = likeliest(0, s);
            fmt::print("{:<16} {:>16.10g}  {:<14} {:>8.4f}\n", printable(m.state_name(s)), first.values[s],
                       printable(m.action_name(m.row_action(r))), first.policy[r]);
        }
        if (n < S) fmt::print("... {} more states (use --json)\n", S - n);
    };
    report.csv = [&](CsvWriter& csv) {  // one row per (t, state); t = H: the terminal values
        csv.row("t", "state", "value", "action", "probability");
        for (std::uint64_t t = 0; t <= H; ++t)
            for (std::size_t s = 0; s < S; ++s) {
                const double v = fh.values_at(t, S)[s];
                if (t == H || m.num_available(s) == 0) {
                    csv.row(t, m.state_name(s), v, "", "");
                    continue;
                }
                const Offset r = likeliest(t, s);
                csv.row(t, m.state_name(s), v, m.action_name(m.row_action(r)), fh.policy_at(t, m.num_rows())[r]);
            }
    };
    report.json = [&](JsonWriter& w) { write_finite_horizon_result(w, m, fh, summary, pi.empty() ? "" : "state", prior_file); };
    emit(vm, report);
    return kOk;
}

}  // namespace softmdp::cli
