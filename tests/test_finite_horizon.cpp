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

TEST_CASE("finite horizon: chain2 over 2 steps by hand (soft and hard, zero and given terminal values), and at_time") {
    // chain2: A --stay (r 1)--> A, A --move (r 0)--> B, B --stay (r 2)--> B, B --move (r 0)--> A; gamma 0.9.
    const Model m = test::example("chain2.json");
    const double g = 0.9;
    const auto lse = [](double x, double y) { return std::log(std::exp(x) + std::exp(y)); };  // alpha = 1
    for (const std::vector<double>& VH : {std::vector<double>{0.0, 0.0}, std::vector<double>{1.0, -1.0}}) {
        CAPTURE(VH[0]);
        // t = 1: Q_1(A) = (1 + g VH(A), g VH(B)), Q_1(B) = (2 + g VH(B), g VH(A)).
        const double q1As = 1 + g * VH[0], q1Am = g * VH[1], q1Bs = 2 + g * VH[1], q1Bm = g * VH[0];
        const double V1A = lse(q1As, q1Am), V1B = lse(q1Bs, q1Bm);
        const double q0As = 1 + g * V1A, q0Am = g * V1B, q0Bs = 2 + g * V1B, q0Bm = g * V1A;
        const auto soft = solve_finite_horizon(m, 1.0, 2, VH);
        CHECK(soft.method == "backward-induction");
        CHECK(soft.values_at(1, 2)[0] == doctest::Approx(V1A).epsilon(1e-15));
        CHECK(soft.values_at(1, 2)[1] == doctest::Approx(V1B).epsilon(1e-15));
        CHECK(soft.values_at(0, 2)[0] == doctest::Approx(lse(q0As, q0Am)).epsilon(1e-15));
        CHECK(soft.values_at(0, 2)[1] == doctest::Approx(lse(q0Bs, q0Bm)).epsilon(1e-15));
        CHECK(soft.values_at(2, 2)[0] == VH[0]);
        // pi_0(stay | A) = exp(Q_0(A, stay) - V_0(A)); rows in CSR order A:stay, A:move, B:stay, B:move.
        CHECK(soft.policy_at(0, 4)[0] == doctest::Approx(std::exp(q0As - lse(q0As, q0Am))).epsilon(1e-14));
        CHECK(soft.policy_at(1, 4)[3] == doctest::Approx(std::exp(q1Bm - V1B)).epsilon(1e-14));
        // Hard: V_1 = (max(q1A), max(q1B)), V_0 likewise, greedy first maximiser.
        const double h1A = std::max(q1As, q1Am), h1B = std::max(q1Bs, q1Bm);
        const auto hard = solve_finite_horizon(m, 0.0, 2, VH);
        CHECK(hard.values_at(0, 2)[0] == doctest::Approx(std::max(1 + g * h1A, g * h1B)).epsilon(1e-15));
        CHECK(hard.values_at(0, 2)[1] == doctest::Approx(std::max(2 + g * h1B, g * h1A)).epsilon(1e-15));
        // at_time: step t as an ordinary Solution (exact, no bound claimed).
        const Solution s1 = at_time(m, soft, 1);
        CHECK(s1.values == std::vector<double>{soft.values_at(1, 2)[0], soft.values_at(1, 2)[1]});
        CHECK(s1.q[0] == doctest::Approx(q1As).epsilon(1e-15));
        CHECK(s1.converged);
        CHECK(!s1.error_bound);
        CHECK(s1.iterations == 2);
        CHECK_THROWS_AS(at_time(m, soft, 2), UsageError);
    }
}

TEST_CASE("finite horizon: the soft V_0 is the best forward value over a grid of all time-indexed stochastic policies (brute force)") {
    // chain2, H = 2: a policy is P(stay | s, t) for 2 states x 2 steps; enumerate a 0.05 grid of them
    // (21^4 policies), each valued by the forward expectation with the entropy bonus.
    const Model m = test::example("chain2.json");
    const double alpha = 0.7;
    const std::uint64_t H = 2;
    const auto sol = solve_finite_horizon(m, alpha, H);
    double best[2] = {-1e300, -1e300};
    std::vector<double> pi(H * 4);
    const int n = 20;
    for (int a = 0; a <= n; ++a)
        for (int b = 0; b <= n; ++b)
            for (int c = 0; c <= n; ++c)
                for (int d = 0; d <= n; ++d) {
                    const double p[4] = {a / double(n), b / double(n), c / double(n), d / double(n)};  // (t, s)
                    for (std::size_t k = 0; k < 4; ++k) pi[2 * k] = p[k], pi[2 * k + 1] = 1.0 - p[k];
                    for (std::size_t s0 = 0; s0 < 2; ++s0) best[s0] = std::max(best[s0], forward_value(m, pi, alpha, H, s0));
                }
    for (std::size_t s = 0; s < 2; ++s) {
        CAPTURE(s);
        CHECK(best[s] <= sol.values_at(0, 2)[s] + 1e-12);  // nothing beats the optimum
        // and the grid comes close to it: a policy 0.025 off the optimum in each of 4 parameters loses
        // about (alpha / (p (1 - p))) 0.025^2 / 2 each (measured gap 0.008 at s = B, where p ~ 0.95)
        CHECK(best[s] >= sol.values_at(0, 2)[s] - 1.5e-2);
    }
}

TEST_CASE("finite horizon: a horizon whose tables would not fit is refused before allocating, naming the horizon") {
    const Model m = test::example("chain2.json");
    try {
        (void)solve_finite_horizon(m, 1.0, std::uint64_t{1} << 40);
        FAIL("no error");
    } catch (const UsageError& e) {
        CHECK(std::string(e.what()).find("horizon 1099511627776 needs") != std::string::npos);
        CHECK(e.parameter() == "horizon");
    }
    CHECK_THROWS_AS(evaluate_finite_horizon(m, uniform_policy(m), 1.0, std::uint64_t{1} << 62), UsageError);
}
