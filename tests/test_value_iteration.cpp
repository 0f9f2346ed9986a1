// Hard and soft value iteration against hand-derived closed forms.
#include <doctest/doctest.h>

#include <cmath>

#include "softmdp/model_builder.hpp"
#include "softmdp/value_iteration.hpp"
#include "test_helpers.hpp"

using namespace softmdp;

namespace {
// One state with self-loop actions of rewards r_a.
Model self_loops(std::initializer_list<double> rewards, double gamma) {
    ModelBuilder b;
    b.set_discount(gamma);
    b.set_state_count(1);
    b.set_action_count(rewards.size());
    std::uint64_t a = 0;
    for (double r : rewards) b.add(Ref::at(0), Ref::at(a++), r, {{Ref::at(0), 1.0}});
    return b.build();
}
}  // namespace

TEST_CASE("hard VI on one state with self-loops: V = max_a r_a / (1 - gamma)") {
    const Model m = self_loops({1.0, 3.0, -2.0}, 0.9);
    for (Sweep sweep : {Sweep::jacobi, Sweep::gauss_seidel}) {
        const auto sol = value_iteration(m, sweep);
        CHECK(sol.converged);
        CHECK(std::abs(sol.values[0] - 30.0) <= *sol.error_bound);
        CHECK(sol.policy[1] == 1.0);
    }
}

TEST_CASE("soft VI on one state: V = alpha log sum_a exp(r_a / alpha) / (1 - gamma)") {
    const double gamma = 0.95;
    for (double alpha : {1e-8, 0.01, 0.5, 1.0, 10.0, 1e8}) {
        const Model m = self_loops({1.0, 3.0, -2.0}, gamma);
        SolverOptions opt;
        opt.tolerance = 1e-10 * std::max(1.0, std::abs(3.0 + alpha * std::log(3.0)) / (1.0 - gamma));
        const auto sol = soft_value_iteration(m, alpha, Sweep::jacobi, opt);
        // log-sum-exp with the max factored out, written out by hand.
        const double lse = 3.0 + alpha * std::log(std::exp(-2.0 / alpha) + 1.0 + std::exp(-5.0 / alpha));
        const double expected = lse / (1.0 - gamma);
        CAPTURE(alpha);
        CHECK(sol.converged);
        CHECK(std::abs(sol.values[0] - expected) <= *sol.error_bound);
        CHECK(std::abs(sol.values[0] - expected) <= 1e-8 * std::max(1.0, std::abs(expected)));
    }
}
