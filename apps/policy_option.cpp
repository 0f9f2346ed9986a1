#include "policy_option.hpp"

#include <fmt/format.h>

#include "softmdp/analysis/policy.hpp"
#include "softmdp/core/errors.hpp"
#include "softmdp/io/policy_reader.hpp"
#include "softmdp/solvers/solve.hpp"

namespace softmdp::cli {

std::vector<double> policy_from_option(const std::string& spec, const Model& m, double alpha, const SolverOptions& opt) {
    if (spec == "uniform") return uniform_policy(m);
    if (spec == "greedy" || spec == "softmax") {
        // The optimal Q of the same problem: hard for greedy, soft at alpha for softmax (= pi*).
        const double a = spec == "greedy" ? 0.0 : alpha;
        if (spec == "softmax" && alpha == 0.0) throw UsageError("--policy softmax needs --alpha > 0");
        const Solution opt_sol = solve(m, default_method(m, a), a, opt);
        return spec == "greedy" ? greedy_policy(m, opt_sol.q) : softmax_policy(m, opt_sol.q, alpha);
    }
    return read_policy(spec, m);
}

ChosenPolicy chosen_policy(const po::variables_map& vm, const Model& m, const SolverOptions& opt) {
    const double alpha = alpha_option(vm);
    ChosenPolicy c;
    if (vm.count("policy")) {
        c.source = vm["policy"].as<std::string>();
        c.pi = policy_from_option(c.source, m, alpha, opt);
        if (c.source == "softmax") c.alpha = alpha;
        return c;
    }
    if (!vm.count("alpha")) throw UsageError("give --policy P, or --alpha A for the soft-optimal policy at temperature A");
    c.pi = policy_from_option(alpha > 0.0 ? "softmax" : "greedy", m, alpha, opt);
    c.source = alpha > 0.0 ? fmt::format("soft-optimal at alpha {}", alpha) : std::string("greedy optimal (alpha 0)");
    c.alpha = alpha;
    return c;
}

}  // namespace softmdp::cli
