// The iteration driver (core/iteration.hpp): every stop reason reached on purpose, in every solver
// loop that can reach it, with Solution::stop, converged and reason agreeing, and every certified
// bound of a stopped solve covering the distance to a closed-form fixed point.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "softmdp/continuous/continuous_model.hpp"
#include "softmdp/continuous/continuous_solver.hpp"
#include "softmdp/core/iteration.hpp"
#include "softmdp/core/model_builder.hpp"
#include "softmdp/io/continuous_reader.hpp"
#include "softmdp/io/loader.hpp"
#include "softmdp/solvers/policy_evaluation.hpp"
#include "softmdp/solvers/policy_iteration.hpp"
#include "softmdp/solvers/soft_q_iteration.hpp"
#include "softmdp/solvers/solve.hpp"
#include "softmdp/solvers/value_iteration.hpp"
#include "test_helpers.hpp"

using namespace softmdp;

namespace {

constexpr double kGamma = 0.9;

// s0: "go" (reward 1, to s1) or "stay" (reward 0, back to s0); s1: one action, reward 0, stays.
// V*(s1) = 0; hard V*(s0) = 1; soft V*(s0) is the root of v = alpha log(e^{1/alpha} + e^{gamma v/alpha}).
Model two_states() {
    ModelBuilder b;
    b.set_discount(kGamma);
    b.set_state_count(2);
    b.set_action_count(2);
    b.add(Ref::at(0), Ref::at(0), 1.0, {{Ref::at(1), 1.0}});
    b.add(Ref::at(0), Ref::at(1), 0.0, {{Ref::at(0), 1.0}});
    b.add(Ref::at(1), Ref::at(0), 0.0, {{Ref::at(1), 1.0}});
    return b.build();
}

// The closed form above, by bisection (the map is increasing in v with slope < 1).
double soft_v0(double alpha) {
    if (alpha == 0.0) return 1.0;
    const auto f = [&](double v) { return alpha * std::log(std::exp(1.0 / alpha) + std::exp(kGamma * v / alpha)) - v; };
    double lo = 0.0, hi = 100.0;  // v0 < (1 + alpha log 2) / (1 - gamma); exp(gamma hi / alpha) stays finite
    for (int i = 0; i < 200; ++i) (f(0.5 * (lo + hi)) > 0.0 ? lo : hi) = 0.5 * (lo + hi);
    return 0.5 * (lo + hi);
}

// stop, converged and reason agree, and a certified bound covers the truth (alpha < 0: an operator
// without the closed form, not compared).
void check_consistent(const Solution& sol, Stop expected, double alpha) {
    CAPTURE(sol.method);
    CAPTURE(sol.reason);
    CHECK(sol.stop == expected);
    CHECK(sol.converged == (sol.stop == Stop::converged));
    if (expected != Stop::converged) CHECK_FALSE(sol.reason.empty());
    if (sol.error_bound && !sol.values.empty() && alpha >= 0.0) {
        CHECK(std::abs(sol.values[0] - soft_v0(alpha)) <= *sol.error_bound);
        CHECK(std::abs(sol.values[1]) <= *sol.error_bound);
    }
}

SolverOptions with(double tolerance, std::uint64_t max_iterations, double time_limit = std::numeric_limits<double>::infinity()) {
    SolverOptions o;
    o.tolerance = tolerance;
    o.max_iterations = max_iterations;
    o.time_limit = time_limit;
    return o;
}

}  // namespace

TEST_CASE("Stop names as documents write them") {
    CHECK(to_string(Stop::converged) == "converged");
    CHECK(to_string(Stop::iteration_limit) == "iteration_limit");
    CHECK(to_string(Stop::time_limit) == "time_limit");
    CHECK(to_string(Stop::resolution_floor) == "resolution_floor");
    CHECK(to_string(Stop::stalled) == "stalled");
    CHECK(to_string(Stop::non_finite) == "non_finite");
    CHECK(to_string(Stop::resource_limit) == "resource_limit");
}

TEST_CASE("the driver: limits before a step, the floor only above the tolerance, finish fills the Solution") {
    const SolverOptions o = with(1e-6, 2);
    Iteration it(o, "sweeps");
    CHECK_FALSE(it.at_limit());
    it.count_step();
    CHECK_FALSE(Iteration::floor_reached(1e-6, 1e-5, 1e-6));  // within the tolerance: converged, not the floor
    CHECK(Iteration::floor_reached(1.5e-5, 1e-5, 1e-6));
    CHECK_FALSE(Iteration::floor_reached(3e-5, 1e-5, 1e-6));  // still shrinking
    it.count_step();
    CHECK(it.at_limit());
    Solution sol;
    it.finish(sol);
    CHECK(sol.stop == Stop::iteration_limit);
    CHECK(sol.reason == "stopped at the iteration limit (2 sweeps)");
    CHECK(sol.iterations == 2);
    CHECK_FALSE(sol.converged);
    // One rounding formula: rounding_slack is rounding_allowance with (successors + 4) ulps.
    const Model m = two_states();
    CHECK(rounding_slack(m, 3.0) == rounding_allowance(5.0, kGamma / (1.0 - kGamma), 3.0 + 1.0));  // + max |r|
}

TEST_CASE("the driver's stall rule: a bound that reaches no new low for the window stops, progress resets it") {
    const SolverOptions o = with(1e-6, 1000);
    Iteration it(o, "improvements");
    std::uint64_t stopped_at = 0;
    // Falling slowly (never a stall), then flat from step 10: stalled after 3 more steps; a changed
    // policy (progressed) at step 11 delays it by one.
    for (int k = 1; k <= 30 && !it.stopped(); ++k) {
        it.count_step();
        const double bound = k < 10 ? 1.0 - 1e-3 * k : 0.995;
        if (it.stalled(bound, k == 11, 3, "improvements", "try --method vi")) stopped_at = it.count();
    }
    CHECK(stopped_at == 14);
    Solution sol;
    it.finish(sol);
    CHECK(sol.stop == Stop::stalled);
    CHECK_FALSE(sol.converged);
    CHECK(sol.reason.find("no progress") != std::string::npos);
    CHECK(sol.reason.find("try --method vi") != std::string::npos);
    Iteration none(o, "improvements");  // no bound (discount 1): never stalled
    for (int k = 0; k < 10; ++k) {
        none.count_step();
        CHECK_FALSE(none.stalled(std::nullopt, false, 3, "improvements", ""));
    }
}

TEST_CASE("value iteration reaches each stop: converged, iteration limit, time limit, resolution floor, non-finite") {
    const Model m = two_states();
    for (Sweep sw : {Sweep::jacobi, Sweep::gauss_seidel}) {
        check_consistent(value_iteration(m, sw, with(1e-8, 100)), Stop::converged, 0.0);
        const auto lim = value_iteration(m, sw, with(1e-8, 1));
        check_consistent(lim, Stop::iteration_limit, 0.0);
        CHECK(lim.reason == "stopped at the iteration limit (1 sweeps)");
        const auto t = value_iteration(m, sw, with(1e-8, 100, 0.0));
        check_consistent(t, Stop::time_limit, 0.0);
        CHECK(t.iterations == 0);
        const auto fl = soft_value_iteration(m, 0.5, sw, with(1e-300, 1000));
        check_consistent(fl, Stop::resolution_floor, 0.5);
        CHECK(fl.reason.find("below the floating-point resolution") != std::string::npos);
    }
    // Boltzmann (no bound, so no resolution floor first) with a reward of 1.7e308: r + gamma V overflows.
    const auto nf = value_iteration(test::self_loops({1.7e308}, 0.9), Boltzmann{1.0}, Sweep::jacobi, with(1e-8, 100));
    CHECK(nf.stop == Stop::non_finite);
    CHECK_FALSE(nf.converged);
    // stalled: test_value_iteration.cpp's cycling non-contraction.
}

TEST_CASE("soft Q-iteration reaches converged, iteration limit, time limit and the resolution floor") {
    const Model m = two_states();
    check_consistent(soft_q_iteration(m, 0.5, with(1e-8, 10000)), Stop::converged, 0.5);
    check_consistent(soft_q_iteration(m, 0.5, with(1e-8, 1)), Stop::iteration_limit, 0.5);
    check_consistent(soft_q_iteration(m, 0.5, with(1e-8, 100, 0.0)), Stop::time_limit, 0.5);
    check_consistent(soft_q_iteration(m, 0.5, with(1e-300, 100000)), Stop::resolution_floor, 0.5);
}

TEST_CASE("policy iteration (exact, sweeps, inexact; hard and soft) reaches converged, the limits and the floor") {
    const Model m = two_states();
    for (double alpha : {0.0, 0.5}) {
        CAPTURE(alpha);
        check_consistent(soft_policy_iteration(m, alpha, with(1e-8, 100)), Stop::converged, alpha);
        check_consistent(modified_policy_iteration(m, alpha, with(1e-8, 1000)), Stop::converged, alpha);
        check_consistent(inexact_policy_iteration(m, alpha, with(1e-8, 1000)), Stop::converged, alpha);
        check_consistent(soft_policy_iteration(m, alpha, with(1e-8, 0)), Stop::iteration_limit, alpha);
        check_consistent(modified_policy_iteration(m, alpha, with(1e-8, 100, 0.0)), Stop::time_limit, alpha);
        check_consistent(inexact_policy_iteration(m, alpha, with(1e-8, 100, 0.0)), Stop::time_limit, alpha);
    }
    // soft-pi needs several improvements at alpha 0.5; soft-mpi with one sweep per evaluation many.
    const auto one = soft_policy_iteration(m, 0.5, with(1e-8, 1));
    check_consistent(one, Stop::iteration_limit, 0.5);
    CHECK(one.reason == "stopped at the iteration limit (1 improvements)");
    SolverOptions slow = with(1e-300, 100000);
    slow.evaluation_sweeps = 1;
    check_consistent(modified_policy_iteration(m, 0.5, slow), Stop::resolution_floor, 0.5);
    // Generic over operators: policy iteration with LogSumExp through the operator entry point.
    const auto generic = policy_iteration(m, LogSumExp{0.5}, Evaluation::exact, with(1e-8, 100));
    check_consistent(generic, Stop::converged, 0.5);
}

TEST_CASE("policy evaluation: converged, iteration limit and time limit; regularised by the operator") {
    const Model m = two_states();
    const std::vector<double> pi{0.25, 0.75, 1.0};  // rows: (s0, go), (s0, stay), (s1, only)
    // V(s0) = 0.25 + 0.75 gamma V(s0) + alpha H(0.25, 0.75): closed form.
    const double alpha = 0.5, h = -(0.25 * std::log(0.25) + 0.75 * std::log(0.75));
    const double v0 = (0.25 + alpha * h) / (1.0 - 0.75 * kGamma);
    for (auto* eval : {+[](const Model& mm, std::span<const double> p, double a, const SolverOptions& o) {
                           return evaluate_policy_exact(mm, p, a, o);
                       },
                       +[](const Model& mm, std::span<const double> p, double a, const SolverOptions& o) {
                           return evaluate_policy_iterative(mm, p, a, o);
                       }}) {
        const auto ok = eval(m, pi, alpha, with(1e-10, 100000));
        CHECK(ok.stop == Stop::converged);
        CHECK(ok.converged);
        REQUIRE(ok.error_bound);
        CHECK(std::abs(ok.values[0] - v0) <= *ok.error_bound);
        const auto lim = eval(m, pi, alpha, with(1e-300, 1));
        CHECK(lim.stop == Stop::iteration_limit);
        CHECK_FALSE(lim.converged);
        REQUIRE(lim.error_bound);
        CHECK(std::abs(lim.values[0] - v0) <= *lim.error_bound);
    }
    const auto t = evaluate_policy_iterative(m, pi, alpha, with(1e-10, 100000, 0.0));
    CHECK(t.stop == Stop::time_limit);
    CHECK(t.reason == "stopped at the time limit");
    // The operator form is the alpha form: LogSumExp regularises with alpha H, HardMax with nothing.
    const auto op = evaluate_policy_exact(m, pi, LogSumExp{alpha}, with(1e-10, 100));
    CHECK(std::abs(op.values[0] - v0) <= *op.error_bound);
    const auto hard = evaluate_policy_exact(m, pi, HardMax{}, with(1e-10, 100));
    CHECK(std::abs(hard.values[0] - 0.25 / (1.0 - 0.75 * kGamma)) <= *hard.error_bound);
}

TEST_CASE("solve() through the registry: every method's stop agrees with converged") {
    const Model m = two_states();
    for (const auto& mi : methods()) {
        CAPTURE(mi.name);
        const double alpha = mi.soft ? 0.5 : 0.0;
        const auto sol = solve(m, mi.name, alpha, with(1e-8, 1000));
        CHECK(sol.method == mi.name);
        CHECK(sol.converged == (sol.stop == Stop::converged));
        if (mi.name != "boltzmann") check_consistent(sol, Stop::converged, mi.name == "mellowmax" ? -1.0 : alpha);
        const auto lim = solve(m, mi.name, alpha, with(1e-8, 0));
        CHECK(lim.stop == Stop::iteration_limit);
    }
    CHECK(default_method(m, 0.0) == "vi");
    CHECK(default_method(m, 0.5) == "soft-pi");  // two states: sparse LU
}

namespace {
const char* kContinuous = R"({"format": "softmdp/1", "discount": 0.9, "states": ["x", "y"],
  "action_space": {"low": [-1.0], "high": [1.0]}, "bandwidth": 0.3, "action_cost": 0.1,
  "anchors": [{"s": "x", "at": [-0.5], "r": 0.0, "next": [["x", 1.0]]},
              {"s": "x", "at": [0.5], "r": 1.0, "next": [["y", 1.0]]},
              {"s": "y", "at": [0.0], "r": 0.5, "next": [["x", 0.5], ["y", 0.5]]}]})";
}  // namespace

TEST_CASE("the continuous solver reaches converged, iteration limit, time limit, node budget and the floor") {
    const auto m = parse_continuous_model(kContinuous, "test.json");
    const auto ok = continuous_soft_q_iteration(m, 0.3, {}, with(1e-6, 100000));
    CHECK(ok.solution.stop == Stop::converged);
    CHECK(ok.solution.converged);
    const auto lim = continuous_soft_q_iteration(m, 0.3, {}, with(1e-6, 1));
    CHECK(lim.solution.stop == Stop::iteration_limit);
    CHECK(lim.solution.reason == "stopped at the iteration limit");
    const auto t = continuous_soft_q_iteration(m, 0.3, {}, with(1e-6, 100000, 0.0));
    CHECK(t.solution.stop == Stop::time_limit);
    ContinuousOptions small;
    small.max_nodes = 20;
    const auto budget = continuous_soft_q_iteration(m, 0.3, small, with(1e-10, 100000));
    CHECK(budget.solution.stop == Stop::resource_limit);
    CHECK(budget.solution.reason.find("node budget") != std::string::npos);
    CHECK_FALSE(budget.solution.converged);
    ContinuousOptions mc;
    mc.integrator = Integrator::monte_carlo;
    mc.samples = 64;
    const auto fl = continuous_soft_q_iteration(m, 0.3, mc, with(1e-300, 100000));
    CHECK(fl.solution.stop == Stop::resolution_floor);
    CHECK_FALSE(fl.solution.converged);
}

TEST_CASE("solve and evaluate write the stop in their result documents") {
    const auto dir = test::temp_dir("stop");
    const std::string model = test::source_path("mdps/chain2.json");
    auto r = test::run_cli("solve " + model + " --method vi --max-iterations 1 --json " + (dir / "s.json").string());
    CHECK(r.code == 4);
    CHECK(read_json_file(dir / "s.json")["stop"] == "iteration_limit");
    r = test::run_cli("solve " + model + " --json " + (dir / "c.json").string());
    CHECK(r.code == 0);
    CHECK(read_json_file(dir / "c.json")["stop"] == "converged");
}
