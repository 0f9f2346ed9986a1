// Hard and soft value iteration against hand-derived closed forms.
#include <doctest/doctest.h>

#include <cmath>

#include "softmdp/core/model_builder.hpp"
#include "softmdp/solvers/value_iteration.hpp"
#include "test_helpers.hpp"

using namespace softmdp;

TEST_CASE("hard VI on one state with self-loops: V = max_a r_a / (1 - gamma)") {
    const Model m = test::self_loops({1.0, 3.0, -2.0}, 0.9);
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
        const Model m = test::self_loops({1.0, 3.0, -2.0}, gamma);
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

TEST_CASE("Boltzmann's failure case (Asadi & Littman 2017): two stable fixed points, no bound claimed") {
    const Model m = test::example("boltzmann_counterexample.json");
    const double alpha = 1.0 / 17.0;
    // Fixed points of V = boltz_17(Q_V(s1, .)), found by bisection on f(V) = B(Q_V) - V below
    // (an independent scalar computation): stable at 0.6078 and 0.8769, unstable at 0.6919.
    const auto f = [&](double v) {
        const double qa = 0.122 + 0.98 * 0.66 * v, qb = 0.033 + 0.98 * 0.99 * v;
        const double wa = 1.0 / (1.0 + std::exp((qb - qa) / alpha));
        return wa * qa + (1.0 - wa) * qb - v;
    };
    const auto root = [&](double lo, double hi) {
        for (int i = 0; i < 200; ++i) {
            const double mid = 0.5 * (lo + hi);
            ((f(lo) > 0) == (f(mid) > 0) ? lo : hi) = mid;
        }
        return 0.5 * (lo + hi);
    };
    const double low = root(0.55, 0.65), high = root(0.8, 0.95);
    std::vector<double> from0{0.0, 0.0}, from1{1.0, 0.0};
    SolverOptions opt;
    opt.tolerance = 1e-12;
    opt.initial_values = from0;
    const auto a = value_iteration(m, Boltzmann{alpha}, Sweep::jacobi, opt);
    opt.initial_values = from1;
    const auto b = value_iteration(m, Boltzmann{alpha}, Sweep::jacobi, opt);
    CHECK_FALSE(a.error_bound.has_value());
    CHECK_FALSE(b.error_bound.has_value());
    CHECK(a.reason.find("fixed point may not be unique") != std::string::npos);
    CHECK(a.values[0] == doctest::Approx(low).epsilon(1e-8));
    CHECK(b.values[0] == doctest::Approx(high).epsilon(1e-8));
    CHECK(std::abs(a.values[0] - b.values[0]) > 0.2);
    // Mellowmax and soft VI are contractions: one fixed point, reached from both starts.
    for (int op = 0; op < 2; ++op) {
        opt.initial_values = from0;
        const auto x = op == 0 ? value_iteration(m, Mellowmax{alpha}, Sweep::jacobi, opt)
                               : value_iteration(m, LogSumExp{alpha}, Sweep::jacobi, opt);
        opt.initial_values = from1;
        const auto y = op == 0 ? value_iteration(m, Mellowmax{alpha}, Sweep::jacobi, opt)
                               : value_iteration(m, LogSumExp{alpha}, Sweep::jacobi, opt);
        REQUIRE(x.error_bound.has_value());
        CHECK(x.converged);
        CHECK(y.converged);
        CHECK(std::abs(x.values[0] - y.values[0]) <= *x.error_bound + *y.error_bound);
    }
}

TEST_CASE("a non-contraction that does not settle stops at the iteration limit, unconverged") {
    const Model m = test::example("boltzmann_counterexample.json");
    SolverOptions opt;
    opt.max_iterations = 50;
    opt.tolerance = 1e-14;
    const auto sol = value_iteration(m, Boltzmann{1.0 / 17.0}, Sweep::jacobi, opt);
    CHECK_FALSE(sol.converged);
    CHECK(sol.iterations == 50);
    CHECK(sol.reason.find("iteration limit") != std::string::npos);
    CHECK_FALSE(sol.error_bound.has_value());
}

namespace {
// A non-contraction that cycles for ever: from V = 0 on a zero-reward self-loop, B flips the sign
// of the backed-up value, so V runs 1, -1, 1, ... and the change between sweeps stays at 2.
struct SignFlip {
    static constexpr bool is_contraction = false;
    static constexpr std::string_view name = "sign-flip";
    double temperature() const noexcept { return 1.0; }
    double value(std::span<const double> q) const noexcept { return q[0] > 0.0 ? -1.0 : 1.0; }
    void policy(std::span<const double> q, std::span<double> pi) const noexcept { greedy_policy(q, pi); }
};
}  // namespace

TEST_CASE("a non-contraction that cycles is stopped as unconverged after kStallSweeps without progress") {
    const Model m = test::self_loops({0.0}, 0.9);
    const auto sol = value_iteration(m, SignFlip{}, Sweep::jacobi, SolverOptions{});
    CHECK_FALSE(sol.converged);
    CHECK(sol.stop == Stop::stalled);
    CHECK(sol.iterations == kStallSweeps + 1);  // the first sweep sets the best change (1), then none beats it
    CHECK(sol.reason.find("no progress") != std::string::npos);
    CHECK_FALSE(sol.error_bound.has_value());
    CHECK(std::abs(sol.values[0]) == 1.0);
}

TEST_CASE("Boltzmann drifting monotonically past a slow region is not stopped as stuck; it reaches the stable fixed point") {
    // At alpha 0.0585 the iteration from V = 0 crawls past the ghost of the fixed points that exist at
    // 1/17 (the change falls to 7e-5), then speeds up towards the one stable fixed point: the change
    // rises for more than kStallSweeps sweeps while V(s1) only grows. The old rule stopped at 1702
    // sweeps, unconverged.
    const Model m = test::example("boltzmann_counterexample.json");
    const double alpha = 0.0585;
    // Fixed points of V = boltz(Q_V(s1, .)) by bisection on f(V) = B(Q_V) - V (independent scalar code).
    const auto f = [&](double v) {
        const double qa = 0.122 + 0.98 * 0.66 * v, qb = 0.033 + 0.98 * 0.99 * v;
        const double wa = 1.0 / (1.0 + std::exp((qb - qa) / alpha));
        return wa * qa + (1.0 - wa) * qb - v;
    };
    // f > 0 on [0, 0.85] (V keeps rising: no fixed point there) and one sign change above.
    for (double v = 0.0; v <= 0.85; v += 1e-4) REQUIRE(f(v) > 0.0);
    double lo = 0.85, hi = 1.2;
    REQUIRE(f(hi) < 0.0);
    for (int i = 0; i < 200; ++i) (f(0.5 * (lo + hi)) > 0 ? lo : hi) = 0.5 * (lo + hi);
    SolverOptions opt;
    opt.tolerance = 1e-10;
    const auto sol = value_iteration(m, Boltzmann{alpha}, Sweep::jacobi, opt);
    CHECK(sol.converged);
    CHECK(sol.iterations > 1702);
    CHECK(sol.values[0] == doctest::Approx(0.5 * (lo + hi)).epsilon(1e-7));
    CHECK(sol.reason.find("fixed point reached from V = 0") != std::string::npos);
}
