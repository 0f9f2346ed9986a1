// Finite-horizon backward induction against closed forms, brute force over deterministic policies,
// an independent forward evaluation of its own soft policy, and the infinite-horizon limit.
#include <doctest/doctest.h>

#include "occupancy_models.hpp"
#include "softmdp/analysis/policy.hpp"
#include "softmdp/core/errors.hpp"
#include "softmdp/solvers/finite_horizon.hpp"
#include "softmdp/solvers/solve.hpp"

using namespace softmdp;

TEST_CASE("finite horizon: one state with self-loops, V_0 = B (1 - gamma^H)/(1 - gamma) + gamma^H V_H in closed form") {
    const std::vector<double> r{1.0, 0.5, -2.0};
    const double gamma = 0.8, alpha = 0.7, VH = 3.0;
    const Model m = test::self_loops(r, gamma);
    double lse = 0.0;
    for (double x : r) lse += std::exp(x / alpha);
    for (double a : {0.0, alpha}) {
        const double B = a == 0.0 ? 1.0 : alpha * std::log(lse);
        for (std::uint64_t H : {1u, 2u, 7u}) {
            const auto sol = solve_finite_horizon(m, a, H, std::vector<double>{VH});
            const double g = std::pow(gamma, static_cast<double>(H));
            CHECK(sol.values_at(0, 1)[0] == doctest::Approx(B * (1.0 - g) / (1.0 - gamma) + g * VH).epsilon(1e-14));
        }
    }
}

TEST_CASE("finite horizon: hard V_0 is the best of all deterministic time-indexed policies (brute force)") {
    const Model m = test::example("chain2.json");
    const std::size_t S = m.num_states();
    const std::uint64_t H = 3;
    const auto sol = solve_finite_horizon(m, 0.0, H);
    // Enumerate every choice of one row per (t, s) and evaluate it by forward expectation from each s.
    std::vector<std::size_t> choice(H * S, 0);
    std::vector<double> best(S, -1e300);
    for (;;) {
        for (std::size_t s0 = 0; s0 < S; ++s0) {
            std::vector<double> mu(S, 0.0);
            mu[s0] = 1.0;
            double J = 0.0, g = 1.0;
            for (std::uint64_t t = 0; t < H; ++t, g *= m.discount()) {
                std::vector<double> next(S, 0.0);
                for (std::size_t s = 0; s < S; ++s) {
                    if (mu[s] == 0.0 || m.is_terminal(s)) continue;
                    const Offset r = m.row_first(s) + choice[t * S + s];
                    J += g * mu[s] * m.row_reward(r);
                    for (const auto& tr : m.transitions(r)) next[tr.next] += mu[s] * tr.prob();
                }
                mu = next;
            }
            best[s0] = std::max(best[s0], J);
        }
        std::size_t i = 0;
        for (; i < choice.size(); ++i) {
            const std::size_t s = i % S;
            if (++choice[i] < std::max<std::size_t>(m.num_available(s), 1)) break;
            choice[i] = 0;
        }
        if (i == choice.size()) break;
    }
    for (std::size_t s = 0; s < S; ++s) CHECK(sol.values_at(0, S)[s] == doctest::Approx(best[s]).epsilon(1e-13));
}

namespace {

// E[sum_{t<H} gamma^t (r + alpha H(pi_t(.|s_t)))] from s0 by pushing the state distribution
// forward (pi: per row, or H x rows): independent of the library's backward recursion.
double forward_value(const Model& m, std::span<const double> pi, double alpha, std::uint64_t H, std::size_t s0) {
    const std::size_t S = m.num_states(), R = m.num_rows();
    std::vector<double> mu(S, 0.0);
    mu[s0] = 1.0;
    double J = 0.0, g = 1.0;
    for (std::uint64_t t = 0; t < H; ++t, g *= m.discount()) {
        const auto pit = pi.size() == R ? pi : pi.subspan(t * R, R);
        std::vector<double> next(S, 0.0);
        for (std::size_t s = 0; s < S; ++s) {
            if (mu[s] == 0.0 || m.is_terminal(s)) continue;
            for (Offset r = m.row_first(s); r < m.row_last(s); ++r) {
                if (pit[r] == 0.0) continue;
                J += g * mu[s] * pit[r] * (m.row_reward(r) - alpha * std::log(pit[r]));
                for (const auto& tr : m.transitions(r)) next[tr.next] += mu[s] * pit[r] * tr.prob();
            }
        }
        mu = next;
    }
    return J;
}

}  // namespace

TEST_CASE("finite horizon: evaluation of a given policy equals the forward value; of the soft optimum, the optimum") {
    const Model m = test::example("frozenlake4x4.json");
    const std::size_t S = m.num_states();
    const double alpha = 0.3;
    const std::uint64_t H = 9;
    const auto uniform = uniform_policy(m);
    const auto ev = evaluate_finite_horizon(m, uniform, alpha, H);
    for (std::size_t s0 = 0; s0 < S; ++s0) CHECK(ev.values_at(0, S)[s0] == doctest::Approx(forward_value(m, uniform, alpha, H, s0)).epsilon(1e-12));
    const auto opt = solve_finite_horizon(m, alpha, H);
    const auto same = evaluate_finite_horizon(m, opt.policy, alpha, H);
    for (std::size_t k = 0; k < opt.values.size(); ++k) CHECK(same.values[k] == doctest::Approx(opt.values[k]).epsilon(1e-12));
    CHECK_THROWS_AS(evaluate_finite_horizon(m, std::vector<double>(3, 0.0), alpha, H), UsageError);
}

TEST_CASE("finite horizon: the soft V_0 is the forward value of its own policy with the entropy bonus, and tends to V*_soft") {
    const Model m = test::example("frozenlake4x4.json");
    const std::size_t S = m.num_states();
    const double alpha = 0.3;
    const std::uint64_t H = 12;
    const auto sol = solve_finite_horizon(m, alpha, H);
    for (std::size_t s0 = 0; s0 < S; ++s0) {
        CAPTURE(s0);
        CHECK(sol.values_at(0, S)[s0] == doctest::Approx(forward_value(m, sol.policy, alpha, H, s0)).epsilon(1e-12));
    }
    // Long horizon: within gamma^H max|V*| (+ the solve's bound) of the infinite-horizon soft optimum.
    const std::uint64_t long_h = 600;
    const auto longer = solve_finite_horizon(m, alpha, long_h);
    SolverOptions o;
    o.tolerance = 1e-12;
    const Solution inf = solve(m, "soft-pi", alpha, o);
    double vmax = 0.0;
    for (double v : inf.values) vmax = std::max(vmax, std::abs(v));
    for (std::size_t s = 0; s < S; ++s)
        CHECK(std::abs(longer.values_at(0, S)[s] - inf.values[s]) <= std::pow(m.discount(), 600.0) * vmax + 1e-11);
    CHECK_THROWS_AS(solve_finite_horizon(m, -1.0, 3), UsageError);
    CHECK_THROWS_AS(solve_finite_horizon(m, 1.0, 0), UsageError);
    CHECK_THROWS_AS(solve_finite_horizon(m, 1.0, 3, std::vector<double>(2, 0.0)), UsageError);
}
