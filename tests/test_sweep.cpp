// Sweeps over alpha: the grid, monotone trends the theory guarantees, warm starts.
#include <doctest/doctest.h>

#include <cmath>

#include "softmdp/solvers/bellman.hpp"
#include "softmdp/core/errors.hpp"
#include "softmdp/solvers/solve.hpp"
#include "softmdp/analysis/sweep.hpp"
#include "test_helpers.hpp"

using namespace softmdp;

TEST_CASE("alpha_grid: linear, geometric, and invalid ranges") {
    const auto lin = alpha_grid(0.0, 1.0, 5, false);
    CHECK(lin == std::vector<double>{0.0, 0.25, 0.5, 0.75, 1.0});
    const auto lg = alpha_grid(1e-3, 1e1, 5, true);
    CHECK(lg[0] == doctest::Approx(1e-3));
    CHECK(lg[2] == doctest::Approx(1e-1));
    CHECK(lg[4] == 10.0);
    CHECK(alpha_grid(0.5, 0.5, 1, false) == std::vector<double>{0.5});
    CHECK(alpha_grid(0.5, 0.5, 1, true) == std::vector<double>{0.5});
    CHECK_THROWS_AS(alpha_grid(0.5, 1.0, 1, false), UsageError);  // one point: --alpha-min == --alpha-max
    // The ends exactly, and decimal points as written.
    CHECK(alpha_grid(1e-3, 1.0, 4, true) == std::vector<double>{1e-3, 1e-2, 1e-1, 1.0});
    CHECK(alpha_grid(1e-4, 1.0, 9, true).front() == 1e-4);
    CHECK(alpha_grid(0.0, 0.3, 4, false) == std::vector<double>{0.0, 0.1, 0.2, 0.3});
    CHECK(alpha_grid(0.001, 0.7, 5, true).back() == 0.7);
    CHECK_THROWS_AS(alpha_grid(1.0, 0.5, 3, false), UsageError);
    CHECK_THROWS_AS(alpha_grid(0.0, 1.0, 3, true), UsageError);
    CHECK_THROWS_AS(alpha_grid(-1.0, 1.0, 3, false), UsageError);
    CHECK_THROWS_AS(alpha_grid(0.0, 1.0, 0, false), UsageError);
    CHECK_THROWS_AS(alpha_grid(0.0, NAN, 3, false), UsageError);
}

TEST_CASE("J_soft grows with alpha, the hard return of the soft policy is at most J_hard") {
    // dJ_soft/dalpha = expected discounted entropy >= 0 (envelope theorem), and every policy's hard
    // return is at most the hard optimum.
    const Model m = test::example("riverswim.json");
    const auto alphas = alpha_grid(0.0, 1.0, 6, false);
    SolverOptions opt;
    opt.tolerance = 1e-10;
    const auto pts = alpha_sweep(m, alphas, {}, opt);
    const double j_hard = objective(m, solve(m, "pi", 0.0, opt).values);
    REQUIRE(pts.size() == 6);
    CHECK(pts[0].objective == doctest::Approx(j_hard).epsilon(1e-9));
    CHECK(pts[0].stats.greedy_probability == 1.0);
    for (std::size_t i = 0; i < pts.size(); ++i) {
        CHECK(pts[i].converged);
        CHECK(pts[i].hard_return <= j_hard + 1e-9);
        if (i > 0) CHECK(pts[i].objective >= pts[i - 1].objective - 1e-9);
        // Each point matches a cold solve at the same alpha.
        const auto cold = solve(m, pts[i].alpha > 0 ? "soft-pi" : "pi", pts[i].alpha, opt);
        CHECK(pts[i].objective == doctest::Approx(objective(m, cold.values)).epsilon(1e-9));
    }
}

TEST_CASE("alpha_grid keeps subnormal alphas (formerly std::stod threw on 1e-320)") {
    const auto a = alpha_grid(0.0, 1e-320, 3, false);
    REQUIRE(a.size() == 3);
    CHECK(a[0] == 0.0);
    CHECK(a[1] == 1e-320 / 2);  // subnormals are exact multiples of 2^-1074: the midpoint is exact
    CHECK(a[2] == 1e-320);
    const auto g = alpha_grid(1e-320, 1e-300, 3, true);
    CHECK(g[1] > 0.0);
    CHECK(std::abs(g[1] / 1e-310 - 1.0) < 1e-3);  // the geometric midpoint
}

TEST_CASE("J_soft is monotone in alpha within the certified bounds; an adjusted J stays within its bound of the truth") {
    // CliffWalking at tiny alphas: the true J barely moves (dJ/dalpha = discounted entropy, about 0),
    // and one solve stops 2.4e-5 above the others within its bound (tolerance 1e-3), so the computed
    // J values fall out of order. The truth at each alpha: soft-pi to 1e-12 (its own certified bound).
    const Model m = test::example("cliffwalking.json");
    const auto alphas = alpha_grid(1e-4, 1e-2, 12, true);
    SolverOptions opt;
    opt.tolerance = 1e-3;
    const auto pts = alpha_sweep(m, alphas, "soft-vi", opt);
    SolverOptions tight;
    tight.tolerance = 1e-12;
    std::size_t adjusted = 0;
    for (std::size_t i = 0; i < pts.size(); ++i) {
        CAPTURE(i);
        const auto truth = solve(m, "soft-pi", pts[i].alpha, tight);
        const double j_true = objective(m, truth.values);
        REQUIRE(pts[i].objective_bound.has_value());
        // Tighter, up to the few ulps of J added to cover rounding.
        CHECK(*pts[i].objective_bound <= *pts[i].error_bound + 1e-15 * std::abs(pts[i].objective));
        CHECK(std::abs(pts[i].objective - j_true) <= *pts[i].objective_bound + *truth.error_bound);
        if (i > 0) CHECK(pts[i].objective >= pts[i - 1].objective);
        adjusted += pts[i].objective_raised;
    }
    CHECK(adjusted > 0);  // the case this rule is for did occur
}
