// Soft policy evaluation: hand-derived values, both entropy conventions, pi* -> V*.
#include <doctest/doctest.h>

#include <cmath>
#include <random>

#include "softmdp/solvers/bellman.hpp"
#include "softmdp/analysis/policy.hpp"
#include "softmdp/solvers/policy_evaluation.hpp"
#include "softmdp/solvers/solve.hpp"
#include "random_grid.hpp"
#include "test_helpers.hpp"

using namespace softmdp;

TEST_CASE("uniform policy on chain2, by hand") {
    // Under the uniform policy both states move to A or B with probability 1/2, so gamma P V is the
    // same for both: V(B) - V(A) = r_u(B) - r_u(A) = 1 - 0.5. With m = (V(A) + V(B))/2:
    // m = 0.75 + alpha log 2 + gamma m, so m = (0.75 + alpha log 2)/(1 - gamma), V = m -+ 0.25.
    const Model m = test::example("chain2.json");
    const auto pi = uniform_policy(m);
    for (double alpha : {0.0, 0.3, 2.0}) {
        const double mid = (0.75 + alpha * std::log(2.0)) / (1.0 - 0.9);
        for (bool exact : {true, false}) {
            SolverOptions opt;
            opt.tolerance = 1e-11;
            const auto sol = exact ? evaluate_policy_exact(m, pi, alpha, opt) : evaluate_policy_iterative(m, pi, alpha, opt);
            CAPTURE(alpha);
            CAPTURE(exact);
            CHECK(sol.converged);
            CHECK(std::abs(sol.values[0] - (mid - 0.25)) <= std::max(1e-11, *sol.error_bound));
            CHECK(std::abs(sol.values[1] - (mid + 0.25)) <= std::max(1e-11, *sol.error_bound));
            CHECK(objective(m, sol.values) == doctest::Approx(sol.values[0]).epsilon(1e-15));  // p0 = A
        }
    }
}

TEST_CASE("the two entropy conventions: same V, Q differs by -alpha log pi") {
    const Model m = test::example("frozenlake4x4.json");
    const double alpha = 0.2;
    const auto opt_sol = solve(m, "soft-pi", alpha);
    const auto pi = softmax_policy(m, opt_sol.q, 0.05);  // any stochastic policy with full support
    const auto st = evaluate_policy_exact(m, pi, alpha, {}, EntropyConvention::state);
    const auto ac = evaluate_policy_exact(m, pi, alpha, {}, EntropyConvention::action);
    for (std::size_t s = 0; s < m.num_states(); ++s) {
        CHECK(st.values[s] == doctest::Approx(ac.values[s]).epsilon(1e-12));
        // V = sum_a pi Q_action in the action convention; V = sum_a pi Q_state + alpha H in the state one.
        double v_action = 0.0, v_state = 0.0;
        for (Offset r = m.row_first(s); r < m.row_last(s); ++r) {
            CHECK(ac.q[r] == doctest::Approx(st.q[r] - alpha * std::log(pi[r])).epsilon(1e-12));
            v_action += pi[r] * ac.q[r];
            v_state += pi[r] * st.q[r];
        }
        if (m.is_terminal(s)) continue;
        CHECK(v_action == doctest::Approx(ac.values[s]).epsilon(1e-10));
        CHECK(v_state + alpha * entropy(std::span<const double>(pi).subspan(m.row_first(s), m.num_available(s))) ==
              doctest::Approx(st.values[s]).epsilon(1e-10));
    }
}

TEST_CASE("soft evaluation of the optimal soft policy returns V*") {
    for (const char* ex : {"chain2.json", "riverswim.json", "cliffwalking.json"}) {
        const Model m = test::example(ex);
        for (double alpha : {0.0, 0.1, 1.0}) {
            SolverOptions opt;
            opt.tolerance = 1e-10;
            const auto star = solve(m, alpha > 0 ? "soft-vi" : "vi", alpha, opt);
            const auto ev = evaluate_policy_exact(m, star.policy, alpha, opt);
            for (std::size_t s = 0; s < m.num_states(); ++s)
                CHECK(std::abs(ev.values[s] - star.values[s]) <= 2e-9 * std::max(1.0, std::abs(star.values[s])));
        }
    }
}

TEST_CASE("policies are checked against the model") {
    const Model m = test::example("chain2.json");
    std::vector<double> bad{0.5, 0.6, 1.0, 0.0};
    CHECK_THROWS_WITH(evaluate_policy_exact(m, bad, 0.0), doctest::Contains("sum to 1.1"));
    std::vector<double> short_pi{1.0};
    CHECK_THROWS_WITH(evaluate_policy_exact(m, short_pi, 0.0), doctest::Contains("policy has 1 entries"));
    std::vector<double> neg{1.5, -0.5, 1.0, 0.0};
    CHECK_THROWS_WITH(evaluate_policy_exact(m, neg, 0.0), doctest::Contains("finite and >= 0"));
}

TEST_CASE("exact evaluation of a local model (band elimination) equals a dense solve, certified in one sweep") {
    // A 7x7 grid (bandwidth 7) with two terminal states, a random policy, both discounts' regimes.
    // Reference: (I - gamma P_pi) V = r_pi + alpha H(pi(.|s)) by the dense solver of test_helpers.
    for (double gamma : {0.9, 0.999}) {
        const Model m = test::random_grid(7, gamma, 3, {0, 48});
        REQUIRE(m.bandwidth() == 7);
        const ModelData& d = m.data();
        const std::size_t S = m.num_states();
        std::mt19937 rng(5);
        std::uniform_real_distribution<double> u(0.1, 1.0);
        std::vector<double> pi(m.num_rows());
        for (std::size_t s = 0; s < S; ++s) {
            double sum = 0.0;
            for (Offset r = m.row_first(s); r < m.row_last(s); ++r) sum += pi[r] = u(rng);
            for (Offset r = m.row_first(s); r < m.row_last(s); ++r) pi[r] /= sum;
        }
        for (double alpha : {0.0, 0.7}) {
            CAPTURE(gamma);
            CAPTURE(alpha);
            std::vector<double> A(S * S, 0.0), b(S, 0.0);
            for (std::size_t s = 0; s < S; ++s) {
                A[s * S + s] = 1.0;
                for (Offset r = m.row_first(s); r < m.row_last(s); ++r) {
                    b[s] += pi[r] * d.row_reward[r] - alpha * pi[r] * std::log(pi[r]);
                    for (Offset t = d.row_begin[r]; t < d.row_begin[r + 1]; ++t)
                        A[s * S + d.transitions[t].next] -= gamma * pi[r] * d.transitions[t].prob();
                }
            }
            const auto ref = test::dense_solve(A, b);
            SolverOptions opt;
            opt.tolerance = gamma == 0.9 ? 1e-10 : 1e-6;  // above the rounding floor of each
            const auto sol = evaluate_policy_exact(m, pi, alpha, opt);
            REQUIRE(sol.converged);
            // The direct solution certifies the tolerance at once: a wrong one would need many polish
            // sweeps (or never get there) before the residual certified it.
            CHECK(sol.sweeps <= 2);
            for (std::size_t s = 0; s < S; ++s) {
                CHECK(std::abs(sol.values[s] - ref[s]) <= *sol.error_bound);
                CHECK(std::abs(sol.values[s] - ref[s]) <= 1e-11 * (1.0 + std::abs(ref[s])));
            }
            // The values-only evaluation policy iteration uses: against the same dense reference,
            // with the same polish.
            const auto vals = evaluate_values_exact(m, pi, entropy_bonus(m, pi, alpha), alpha, opt);
            CHECK(vals.converged);
            CHECK(vals.sweeps == sol.sweeps);
            REQUIRE(vals.values.size() == S);
            for (std::size_t s = 0; s < S; ++s) CHECK(std::abs(vals.values[s] - ref[s]) <= 1e-11 * (1.0 + std::abs(ref[s])));
        }
    }
}
