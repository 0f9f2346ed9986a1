#include "softmdp/analysis/policy.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "softmdp/core/errors.hpp"
#include "softmdp/solvers/policy_evaluation.hpp"
#include "softmdp/solvers/solve.hpp"
#include "softmdp/solvers/soft_operators.hpp"

namespace softmdp {

std::vector<double> uniform_policy(const Model& m) {
    std::vector<double> pi(m.num_rows());
    for (std::size_t s = 0; s < m.num_states(); ++s)
        for (Offset r = m.row_first(s); r < m.row_last(s); ++r) pi[r] = 1.0 / static_cast<double>(m.num_available(s));
    return pi;
}

std::vector<double> softmax_policy(const Model& m, std::span<const double> q, double alpha) {
    std::vector<double> pi(m.num_rows());
    for (std::size_t s = 0; s < m.num_states(); ++s) {
        const auto n = m.num_available(s);
        if (n == 0) continue;
        softmax_policy(q.subspan(m.row_first(s), n), alpha, std::span<double>(pi).subspan(m.row_first(s), n));
    }
    return pi;
}

std::vector<double> greedy_policy(const Model& m, std::span<const double> q) { return softmax_policy(m, q, 0.0); }

bool is_named_policy(std::string_view name) noexcept { return name == "uniform" || name == "greedy" || name == "softmax"; }

std::vector<double> named_policy(std::string_view name, const Model& m, double alpha, const SolverOptions& opt) {
    if (name == "uniform") return uniform_policy(m);
    if (!is_named_policy(name)) throw UsageError(fmt::format("{} must be uniform, greedy, softmax or a policy, got '{}'", param("policy"), name));
    if (name == "softmax" && !(alpha > 0.0)) throw UsageError(fmt::format("{} softmax needs {} > 0", param("policy"), param("alpha")));
    // The optimal Q of the same problem: hard for greedy, soft at alpha for softmax (= pi*).
    const double a = name == "greedy" ? 0.0 : alpha;
    const Solution sol = solve(m, default_method(m, a), a, opt);
    return name == "greedy" ? greedy_policy(m, sol.q) : softmax_policy(m, sol.q, alpha);
}

ChosenPolicy optimal_policy(const Model& m, double alpha, const SolverOptions& opt) {
    ChosenPolicy c;
    c.pi = named_policy(alpha > 0.0 ? "softmax" : "greedy", m, alpha, opt);
    c.source = alpha > 0.0 ? fmt::format("soft-optimal at alpha {}", alpha) : std::string("greedy optimal (alpha 0)");
    c.alpha = alpha;
    return c;
}

ChosenPolicy chosen_named_policy(std::string_view name, const Model& m, double alpha, const SolverOptions& opt) {
    ChosenPolicy c;
    c.pi = named_policy(name, m, alpha, opt);
    c.source = std::string(name);
    if (name == "softmax") c.alpha = alpha;
    return c;
}

}  // namespace softmdp
