// Occupancy measures against (I - gamma P_pi^T)^-1 p0 solved densely here, against a dense forward
// recursion of the state distribution, and against the Monte Carlo frequencies of simulate().
#include <doctest/doctest.h>

#include "occupancy_models.hpp"
#include "softmdp/analysis/occupancy.hpp"
#include "softmdp/analysis/policy.hpp"
#include "softmdp/core/errors.hpp"
#include "softmdp/learning/simulate.hpp"
#include "softmdp/solvers/policy_evaluation.hpp"
#include "softmdp/solvers/solve.hpp"

using namespace softmdp;

namespace {

std::vector<double> soft_policy(const Model& m, double alpha) {
    SolverOptions o;
    o.tolerance = 1e-12;
    return softmax_policy(m, solve(m, default_method(m, alpha), alpha, o).q, alpha);
}

double l1_distance(std::span<const double> a, std::span<const double> b) {
    double x = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) x += std::abs(a[i] - b[i]);
    return x;
}

}  // namespace

TEST_CASE("occupancy: discounted d(s), d(s,a) equal the dense (I - gamma P_pi^T)^-1 p0 within the certified bound") {
    for (const char* file : {"chain2.json", "gridworld4x4.json", "frozenlake4x4.json", "cliffwalking.json", "riverswim.json"}) {
        const Model m = test::example(file);
        for (double alpha : {0.0, 0.3}) {
            const std::string name = file;
        CAPTURE(name);
            CAPTURE(alpha);
            const auto pi = alpha == 0.0 ? uniform_policy(m) : soft_policy(m, alpha);
            const auto x = test::dense_state_occupancy(m, pi, m.initial());
            const Occupancy occ = occupancy(m, pi);
            REQUIRE(occ.error_bound);
            CHECK(occ.converged);
            CHECK(*occ.error_bound <= 1e-8);
            double err = 0.0, total = 0.0;
            for (std::size_t s = 0; s < m.num_states(); ++s) {
                const double ds = m.is_terminal(s) ? x[s] / (1.0 - m.discount()) : x[s];
                err += std::abs(occ.states[s] - ds);
                total += occ.states[s];
                for (Offset r = m.row_first(s); r < m.row_last(s); ++r) err += std::abs(occ.state_actions[r] - x[s] * pi[r]);
            }
            // The dense solve has its own rounding (~1e-15 relative): the bound must cover the rest.
            CHECK(err <= *occ.error_bound + 1e-12 * total);
            CHECK(total == doctest::Approx(1.0 / (1.0 - m.discount())).epsilon(1e-10));
        }
    }
}

TEST_CASE("occupancy: linear in a signed start measure; sizes and policies are checked") {
    const Model m = test::example("gridworld4x4.json");
    const auto pi = uniform_policy(m);
    std::vector<double> rho(m.num_states(), 0.0);
    rho[1] = 0.7;
    rho[5] = -0.2;
    rho[9] = 0.5;
    const auto x = test::dense_state_occupancy(m, pi, rho);
    const Occupancy occ = occupancy(m, pi, rho);
    std::vector<double> xs(occ.states);
    for (std::size_t s = 0; s < m.num_states(); ++s)
        if (m.is_terminal(s)) xs[s] *= 1.0 - m.discount();
    CHECK(l1_distance(xs, x) <= *occ.error_bound + 1e-13);
    CHECK_THROWS_AS(occupancy(m, pi, std::vector<double>(3, 0.0)), UsageError);
    CHECK_THROWS_AS(occupancy(m, std::vector<double>(m.num_rows(), 0.0)), InputError);
    CHECK_THROWS_AS(finite_horizon_occupancy(m, pi, 0), UsageError);
}

TEST_CASE("occupancy: finite horizon equals a dense forward recursion and tends to the discounted one") {
    for (const char* file : {"frozenlake4x4.json", "cliffwalking.json"}) {
        const std::string name = file;
        CAPTURE(name);
        const Model m = test::example(file);
        const std::size_t S = m.num_states();
        const auto pi = soft_policy(m, 0.2);
        auto P = test::dense_p_pi(m, pi);
        for (std::size_t s = 0; s < S; ++s)
            if (m.is_terminal(s)) P[s * S + s] = 1.0;  // absorbing
        const std::uint64_t H = 25;
        std::vector<double> mu(m.initial().begin(), m.initial().end()), d(S, 0.0);
        double g = 1.0;
        for (std::uint64_t t = 0; t < H; ++t, g *= m.discount()) {
            std::vector<double> next(S, 0.0);
            for (std::size_t i = 0; i < S; ++i) {
                d[i] += g * mu[i];
                for (std::size_t j = 0; j < S; ++j) next[j] += mu[i] * P[i * S + j];
            }
            mu = next;
        }
        const Occupancy occ = finite_horizon_occupancy(m, pi, H);
        REQUIRE(occ.error_bound);
        CHECK(*occ.error_bound < 1e-10);
        CHECK(l1_distance(occ.states, d) <= *occ.error_bound + 1e-13);
        // Long horizons: the discounted occupancy up to the tail gamma^H / (1 - gamma).
        const std::uint64_t long_h = 2000;
        const Occupancy fh = finite_horizon_occupancy(m, pi, long_h), inf = occupancy(m, pi);
        const double tail = std::pow(m.discount(), static_cast<double>(long_h)) / (1.0 - m.discount());
        CHECK(l1_distance(fh.state_actions, inf.state_actions) <= tail + *inf.error_bound + *fh.error_bound);
    }
}

TEST_CASE("occupancy: Monte Carlo frequencies of simulate() agree within their standard error" * doctest::skip(test::kSanitized)) {
    const Model m = test::example("frozenlake4x4.json");
    const auto pi = soft_policy(m, 0.1);
    const std::uint64_t H = 60, N = 20000;
    const auto episodes = simulate(m, pi, {.episodes = N, .horizon = H, .seed = 7});
    // Per episode the discounted visit count of each (s, a); its mean estimates d(s,a).
    std::vector<double> sum(m.num_rows(), 0.0), sq(m.num_rows(), 0.0), one(m.num_rows());
    for (const auto& e : episodes) {
        std::fill(one.begin(), one.end(), 0.0);
        double g = 1.0;
        for (std::size_t t = 0; t < e.states.size(); ++t, g *= m.discount()) one[m.find_row(e.states[t], e.actions[t])] += g;
        for (std::size_t r = 0; r < one.size(); ++r) sum[r] += one[r], sq[r] += one[r] * one[r];
    }
    const Occupancy occ = finite_horizon_occupancy(m, pi, H);
    const double n = static_cast<double>(N);
    std::size_t checked = 0;
    for (std::size_t r = 0; r < m.num_rows(); ++r) {
        const double mean = sum[r] / n, se = std::sqrt(std::max(0.0, sq[r] / n - mean * mean) / (n - 1.0));
        CAPTURE(r);
        // 5 standard errors over 64 pairs: a false alarm has probability ~4e-5 (fixed seed anyway).
        CHECK(std::abs(mean - occ.state_actions[r]) <= 5.0 * se + 1e-12);
        checked += se > 0.0;
    }
    CHECK(checked > m.num_rows() / 2);  // most pairs are visited: the check has teeth
}

TEST_CASE("occupancy: the matrix-free paths (6000-state Garnet: extrapolated power iteration; chain: BiCGSTAB) against the evaluation duality sum d r = p0 . V^pi") {
    // Above the sparse-LU limit. A Garnet mixes fast: extrapolated power iteration; a 6000-state
    // chain mixes slowly: the power iteration gives up and BiCGSTAB solves. Independent reference:
    // the (non-transposed) exact evaluation of the same policy, sum_(s,a) d(s,a) r(s,a) = sum_s
    // p0(s) V^pi(s), within |r|_max times the occupancy's l1 bound plus the evaluation's bound.
    const auto dir = test::temp_dir("occupancy-garnet");
    const std::string garnet = (dir / "g.json").string(), chain = (dir / "c.json").string();
    REQUIRE(test::run_cli("generate garnet --states 6000 --actions 3 --branching 4 --seed 2 --discount 0.97 --output " + garnet).code == 0);
    REQUIRE(test::run_cli("generate chain --states 6000 --discount 0.97 --output " + chain).code == 0);
    for (const auto& case_ : {std::pair<std::string, std::string>{garnet, "power-extrapolated"}, {chain, "bicgstab"}}) {
        const std::string& file = case_.first;
        const std::string& method = case_.second;  // not a structured binding: clang 14's CAPTURE cannot take one
        CAPTURE(method);
        const Model m = load_model(file);
        REQUIRE(!use_sparse_lu(m));
        const auto pi = soft_policy(m, 0.5);
        SolverOptions o;
        o.tolerance = 1e-10;
        const Occupancy occ = occupancy(m, pi, {}, o);
        CHECK(occ.method == method);
        REQUIRE(occ.error_bound);
        CHECK(occ.converged);
        CHECK(occ.sweeps <= 3);  // the solve did the work; the sweeps only certify
        const Solution ev = evaluate_policy_exact(m, pi, 0.0, o);
        double lhs = 0.0, rhs = 0.0, total = 0.0, terminal = 0.0;
        for (Offset r = 0; r < m.num_rows(); ++r) lhs += occ.state_actions[r] * m.row_reward(r);
        for (std::size_t s = 0; s < m.num_states(); ++s) {
            rhs += m.initial()[s] * ev.values[s], total += occ.states[s];
            if (m.is_terminal(s)) terminal += occ.states[s];
        }
        CHECK(std::abs(lhs - rhs) <= m.max_abs_reward() * *occ.error_bound + *ev.error_bound + 1e-12 * std::abs(rhs));
        if (terminal == 0.0) CHECK(total == doctest::Approx(1.0 / (1.0 - m.discount())).epsilon(1e-9));
    }
}

TEST_CASE("occupancy: summarise gives the total and the expected return (chain2 by hand; the evaluation duality)") {
    // Uniform on chain2: x = (5.5, 4.5) (see test_cli_irl.cpp), d(s,a) = x(s)/2, rewards stay 1 at A
    // and 2 at B, move 0: expected return 2.75 * 1 + 2.25 * 2 = 7.25; total 1/(1 - 0.9) = 10.
    const Model chain = test::example("chain2.json");
    const OccupancySummary c = summarise(chain, occupancy(chain, uniform_policy(chain)));
    CHECK(c.total == doctest::Approx(10.0).epsilon(1e-12));
    CHECK(c.expected_return == doctest::Approx(7.25).epsilon(1e-12));
    // frozenlake, uniform: the expected return is sum_s p0(s) V^pi(s) of the hard evaluation.
    const Model m = test::example("frozenlake4x4.json");
    SolverOptions o;
    o.tolerance = 1e-12;
    const auto pi = uniform_policy(m);
    const Occupancy occ = occupancy(m, pi, {}, o);
    const Solution ev = evaluate_policy_exact(m, pi, 0.0, o);
    double rhs = 0.0;
    for (std::size_t s = 0; s < m.num_states(); ++s) rhs += m.initial()[s] * ev.values[s];
    CHECK(std::abs(summarise(m, occ).expected_return - rhs) <= m.max_abs_reward() * *occ.error_bound + *ev.error_bound + 1e-14);
}

TEST_CASE("occupancy: converged means the reported bound meets the tolerance; below the rounding floor it stops") {
    // With terminal states the reported l1 bound is the polish bound widened by 1/(1 - gamma) + 1:
    // the loop must stop on the reported number, not on the polish bound alone, and stop when the
    // bound no longer shrinks instead of sweeping to max_iterations.
    for (const char* file : {"frozenlake4x4.json", "cliffwalking.json"}) {
        const Model m = test::example(file);
        const auto pi = uniform_policy(m);
        for (double tol : {1e-4, 1e-8, 1e-11, 1e-13, 1e-15, 1e-17}) {
            CAPTURE(file);
            CAPTURE(tol);
            SolverOptions opt;
            opt.tolerance = tol;
            const Occupancy occ = occupancy(m, pi, {}, opt);
            REQUIRE(occ.error_bound);
            CHECK(occ.converged == (*occ.error_bound <= tol));
            if (tol >= 1e-8) CHECK(occ.converged);
            // Below the floor (about 2e-10 and 2e-9 here) cliffwalking used to sweep to max_iterations (10^6).
            CHECK(occ.sweeps < 1000);
        }
    }
}
