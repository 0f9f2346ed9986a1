// Maximum causal entropy IRL on a gridworld whose reward is linear in known features, from
// 10^4 demonstrated steps of the expert's soft-optimal policy: the learned reward's soft policy
// matches the expert's (total variation per state), the feature-expectation gap vanishes to the
// sampling noise, and the log-likelihood never decreases.
#include <doctest/doctest.h>

#include "occupancy_models.hpp"
#include "softmdp/analysis/occupancy.hpp"
#include "softmdp/analysis/policy.hpp"
#include "softmdp/core/errors.hpp"
#include "softmdp/learning/irl.hpp"
#include "softmdp/learning/simulate.hpp"
#include "softmdp/solvers/finite_horizon.hpp"
#include "softmdp/solvers/solve.hpp"

using namespace softmdp;

namespace {

// max over states (and times) of the total variation 1/2 sum_a |pi - pi_E|.
double max_tv(const Model& m, std::span<const double> a, std::span<const double> b) {
    double worst = 0.0;
    const std::size_t blocks = a.size() / m.num_rows();
    for (std::size_t t = 0; t < blocks; ++t)
        for (std::size_t s = 0; s < m.num_states(); ++s) {
            double tv = 0.0;
            for (Offset r = m.row_first(s); r < m.row_last(s); ++r) tv += std::abs(a[t * m.num_rows() + r] - b[t * m.num_rows() + r]);
            worst = std::max(worst, tv / 2.0);
        }
    return worst;
}

double max_abs(std::span<const double> v) {
    double x = 0.0;
    for (double y : v) x = std::max(x, std::abs(y));
    return x;
}

void check_curve(const IrlResult& res) {
    REQUIRE(res.curve.size() >= 2);
    for (std::size_t i = 1; i < res.curve.size(); ++i) {
        CAPTURE(i);
        CHECK(res.curve[i].log_likelihood >= res.curve[i - 1].log_likelihood);
    }
}

}  // namespace

TEST_CASE("irl: discounted, linear features, 10^4 demonstrated steps of the expert soft policy") {
    const auto grid = test::feature_grid(5, 5, 0.9, {2.0, -2.0, 0.5, 0.3});
    const double alpha = 0.5;
    SolverOptions so;
    so.tolerance = 1e-12;
    const auto expert = softmax_policy(grid.model, solve(grid.model, "soft-pi", alpha, so).q, alpha);
    Demonstrations demos;
    demos.trajectories = simulate(grid.model, expert, {.episodes = 100, .horizon = 100, .seed = 11});
    for (const IrlOptimizer opt : {IrlOptimizer::lbfgs, IrlOptimizer::gradient}) {
        IrlOptions o;
        o.alpha = alpha;
        o.optimizer = opt;
        o.max_iterations = opt == IrlOptimizer::lbfgs ? 100 : 400;
        o.tolerance = 1e-7;
        const IrlResult res = irl(grid.model, grid.features, demos, o);
        CAPTURE(opt == IrlOptimizer::lbfgs);
        CAPTURE(res.reason);
        check_curve(res);
        if (opt == IrlOptimizer::lbfgs) CHECK(res.converged);
        // The learned soft policy against the expert's: the level covers 10^4 samples' noise.
        CHECK(max_tv(grid.model, res.policy, expert) < 0.06);
        // The gap to the demonstrated discounted feature counts: from its start to sampling noise.
        const double start_gap = res.curve.front().feature_gap, gap = res.curve.back().feature_gap;
        CHECK(gap < 0.05 * start_gap);
        CHECK(gap < 0.02 * max_abs(res.demonstrated_features));
        // The weights (the trap state is visited least, so its weight is the least determined: -1.54 for -2).
        for (std::size_t k = 0; k < 4; ++k) CHECK(std::abs(res.weights[k] - grid.true_weights[k]) < 0.6);
    }
}

TEST_CASE("irl: exact expert occupancy as counts recovers the expert policy to the optimiser's tolerance") {
    const auto grid = test::feature_grid(4, 4, 0.85, {1.5, -1.0, 0.4, -0.3});
    const double alpha = 0.6;
    SolverOptions so;
    so.tolerance = 1e-12;
    const auto expert = softmax_policy(grid.model, solve(grid.model, "soft-pi", alpha, so).q, alpha);
    Demonstrations demos;
    demos.counts = occupancy(grid.model, expert, {}, so).state_actions;
    IrlOptions o;
    o.alpha = alpha;
    o.tolerance = 1e-9;
    const IrlResult res = irl(grid.model, grid.features, demos, o);
    CAPTURE(res.reason);
    check_curve(res);
    CHECK(max_tv(grid.model, res.policy, expert) < 1e-6);
    CHECK(res.curve.back().feature_gap < 1e-7);
    for (std::size_t k = 0; k < 4; ++k) CHECK(res.weights[k] == doctest::Approx(grid.true_weights[k]).epsilon(1e-4));
}

TEST_CASE("irl: finite horizon, demonstrations of the expert's time-indexed soft policy") {
    const auto grid = test::feature_grid(5, 5, 0.95, {2.0, -2.0, 0.5, 0.3});
    const double alpha = 0.5;
    const std::uint64_t H = 20;
    const auto expert = solve_finite_horizon(grid.model, alpha, H);
    Demonstrations demos;
    demos.trajectories = simulate(grid.model, expert.policy, {.episodes = 500, .horizon = H, .seed = 5});
    IrlOptions o;
    o.alpha = alpha;
    o.horizon = H;
    o.tolerance = 1e-7;
    o.max_iterations = 100;
    const IrlResult res = irl(grid.model, grid.features, demos, o);
    CAPTURE(res.reason);
    check_curve(res);
    CHECK(res.converged);
    CHECK(res.policy.size() == H * grid.model.num_rows());
    CHECK(max_tv(grid.model, res.policy, expert.policy) < 0.08);
    CHECK(res.curve.back().feature_gap < 0.02 * max_abs(res.demonstrated_features));
}

TEST_CASE("irl: one-hot features (the default) and invalid demonstrations") {
    const Model m = test::example("gridworld4x4.json");
    const auto pi = softmax_policy(m, solve(m, "soft-pi", 1.0).q, 1.0);
    Demonstrations demos;
    demos.trajectories = simulate(m, pi, {.episodes = 50, .horizon = 30, .seed = 2});
    IrlOptions o;
    o.max_iterations = 30;
    const IrlResult res = irl(m, Features::one_hot(m), demos, o);
    check_curve(res);
    CHECK(res.weights.size() == m.num_rows());
    CHECK(res.curve.back().log_likelihood > res.curve.front().log_likelihood);

    Demonstrations bad = demos;
    bad.trajectories[0].actions[0] = 99;
    CHECK_THROWS_AS(irl(m, Features::one_hot(m), bad, o), UsageError);
    Demonstrations counts;
    counts.counts.assign(m.num_rows(), 1.0);
    IrlOptions fh = o;
    fh.horizon = 5;
    CHECK_THROWS_AS(irl(m, Features::one_hot(m), counts, fh), UsageError);
    fh.horizon = 3;
    CHECK_THROWS_AS(irl(m, Features::one_hot(m), demos, fh), UsageError);  // trajectories longer than 3
    IrlOptions a0 = o;
    a0.alpha = 0.0;
    CHECK_THROWS_AS(irl(m, Features::one_hot(m), demos, a0), UsageError);
}
