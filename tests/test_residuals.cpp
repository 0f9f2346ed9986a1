// Soft Bellman residuals: only the entropy-including V_Q vanishes at the soft optimum.
#include <doctest/doctest.h>

#include <cmath>

#include "softmdp/core/errors.hpp"
#include "softmdp/analysis/policy.hpp"
#include "softmdp/analysis/residuals.hpp"
#include "softmdp/solvers/solve.hpp"
#include "test_helpers.hpp"

using namespace softmdp;

TEST_CASE("at Q*: the soft residuals vanish, the Boltzmann ones do not") {
    for (const char* ex : {"chain2.json", "frozenlake4x4.json", "riverswim.json"}) {
        const Model m = test::example(ex);
        const double alpha = 0.5;
        SolverOptions opt;
        opt.tolerance = 1e-11;
        const auto star = solve(m, "soft-qi", alpha, opt);
        const auto soft = soft_bellman_residuals(m, star.q, alpha, SoftValueOfQ::soft);
        const auto boltz = soft_bellman_residuals(m, star.q, alpha, SoftValueOfQ::boltzmann);
        CAPTURE(ex);
        CHECK(soft.v_residual <= 1e-18);
        CHECK(soft.q_residual <= 1e-18);
        // The Boltzmann V_Q leaves out alpha H(pi_Q): at Q* it is off by exactly alpha H at each state.
        CHECK(boltz.v_residual > 1e-4);
        CHECK(boltz.q_residual > 1e-4);
        // V-residual by hand from that identity: T_soft V_B(s) - V_B(s) where V_B = V* - alpha H.
        const auto VB = value_of_q(m, star.q, alpha, SoftValueOfQ::boltzmann);
        const auto VS = value_of_q(m, star.q, alpha, SoftValueOfQ::soft);
        const auto pi = softmax_policy(m, star.q, alpha);
        for (std::size_t s = 0; s < m.num_states(); ++s) {
            if (m.is_terminal(s)) continue;
            double h = 0.0;
            for (Offset r = m.row_first(s); r < m.row_last(s); ++r) h -= pi[r] > 0 ? pi[r] * std::log(pi[r]) : 0.0;
            CHECK(VS[s] - VB[s] == doctest::Approx(alpha * h).epsilon(1e-9));
        }
        CHECK(policy_residual(m, star.q, star.values, star.policy, alpha) <= 1e-9);
    }
}

TEST_CASE("residuals of a wrong Q table are positive and weighted by p and mu") {
    const Model m = test::example("chain2.json");
    std::vector<double> q(m.num_rows(), 0.0);  // Q = 0: Q_hat = r, V_Q = alpha log 2
    const double alpha = 1.0;
    const auto res = soft_bellman_residuals(m, q, alpha, SoftValueOfQ::soft);
    // By hand: V_Q = log 2 in both states, Q_hat(s,a) = r(s,a) + 0.9 log 2.
    // J_Q = p0(A) * (1/2)[(1 + .9 log2)^2 + (.9 log2)^2] (p0 = A only).
    const double l2 = std::log(2.0);
    CHECK(res.q_residual == doctest::Approx(0.5 * ((1 + 0.9 * l2) * (1 + 0.9 * l2) + (0.9 * l2) * (0.9 * l2))));
    // J_V = (T V_Q (A) - V_Q(A))^2 with T V_Q(A) = log(e^{1 + .9 l2} + e^{.9 l2}).
    const double tv = std::log(std::exp(1 + 0.9 * l2) + std::exp(0.9 * l2));
    CHECK(res.v_residual == doctest::Approx((tv - l2) * (tv - l2)));
    std::vector<double> p{0.0, 1.0};
    const auto res_b = soft_bellman_residuals(m, q, alpha, SoftValueOfQ::soft, p);
    CHECK(res_b.q_residual == doctest::Approx(0.5 * ((2 + 0.9 * l2) * (2 + 0.9 * l2) + (0.9 * l2) * (0.9 * l2))));
}

TEST_CASE("residuals whose squares overflow are a numerical error, not inf or null with exit 0") {
    // One self-loop, gamma 0.9, Q = 1e200: Q_hat = 1 + 0.9 * 1e200, the squared difference ~1e398.
    const Model m = test::self_loops({1.0}, 0.9);
    const std::vector<double> q{1e200};
    CHECK_THROWS_WITH_AS(soft_bellman_residuals(m, q, 1.0, SoftValueOfQ::soft), doctest::Contains("is not finite"), NumericalError);
    const std::vector<double> fine{1e100};  // squares 1e198: representable
    CHECK(std::isfinite(soft_bellman_residuals(m, fine, 1.0, SoftValueOfQ::soft).q_residual));
}
