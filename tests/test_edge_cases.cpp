// Numerical edge cases across methods: finite, correct answers against closed forms, never NaN.
#include <doctest/doctest.h>

#include <cmath>

#include "softmdp/core/model_builder.hpp"
#include "softmdp/solvers/solve.hpp"
#include "test_helpers.hpp"

using namespace softmdp;

namespace {

// alpha log sum_a exp(r_a / alpha) with the max factored out, written independently.
double lse(const std::vector<double>& r, double alpha) {
    double m = r[0];
    for (double x : r) m = std::max(m, x);
    if (alpha == 0.0) return m;
    double s = 0.0;
    for (double x : r) s += std::exp((x - m) / alpha);
    return m + alpha * std::log(s);
}

const char* kHard[] = {"vi", "gs-vi", "pi", "ipi", "mpi"};
const char* kSoft[] = {"soft-vi", "soft-gs-vi", "soft-qi", "soft-pi", "soft-ipi", "soft-mpi"};

}  // namespace

TEST_CASE("one state, self-loops: every method, alpha from 0 to 1e12, gamma from 0 to 0.9999, rewards up to 1e6") {
    for (double gamma : {0.0, 0.5, 0.9999}) {
        for (const std::vector<double>& r : {std::vector<double>{1.0, 3.0, -2.0}, std::vector<double>{1e6, 1e6 - 1.0},
                                             std::vector<double>{1e-300, 2e-300}, std::vector<double>{5.0, 5.0, 5.0, 5.0},
                                             std::vector<double>{0.7}}) {
            for (double alpha : {0.0, 1e-12, 1e-8, 1.0, 1e8, 1e12}) {
                const Model m = test::self_loops(r, gamma);
                const double exact = lse(r, alpha) / (1.0 - gamma);
                SolverOptions opt;
                opt.tolerance = std::max(1e-8, 1e-9 * std::abs(exact));
                opt.max_iterations = 2'000'000;
                std::vector<const char*> methods = alpha == 0.0 ? std::vector<const char*>(std::begin(kHard), std::end(kHard))
                                                                : std::vector<const char*>(std::begin(kSoft), std::end(kSoft));
                // At gamma = 0.9999 value iteration needs ~10^5 sweeps per case: keep the PI family there.
                if (gamma > 0.99) methods = alpha == 0.0 ? std::vector<const char*>{"pi", "ipi", "mpi"} : std::vector<const char*>{"soft-pi", "soft-ipi", "soft-mpi"};
                for (const char* method : methods) {
                    CAPTURE(gamma);
                    CAPTURE(r[0]);
                    CAPTURE(alpha);
                    CAPTURE(std::string(method));
                    const auto sol = solve(m, method, alpha, opt);
                    REQUIRE(std::isfinite(sol.values[0]));
                    for (double p : sol.policy) CHECK(std::isfinite(p));
                    CHECK(sol.converged);
                    CHECK(std::abs(sol.values[0] - exact) <= std::max(opt.tolerance, *sol.error_bound) * (1 + 1e-12));
                }
            }
        }
    }
}

TEST_CASE("all states terminal, one state, one action: zeros and certainty, no NaN") {
    ModelBuilder b;
    b.set_discount(0.9);
    b.set_state_count(3);
    b.set_action_count(2);
    const Model m = b.build();
    for (const char* method : {"vi", "gs-vi", "pi", "ipi", "mpi", "soft-vi", "soft-qi", "soft-pi", "soft-ipi", "mellowmax", "boltzmann"}) {
        const bool soft = std::string(method) != "vi" && std::string(method) != "gs-vi" && std::string(method) != "pi" &&
                          std::string(method) != "ipi" && std::string(method) != "mpi";
        const auto sol = solve(m, method, soft ? 0.5 : 0.0);
        CAPTURE(std::string(method));
        CHECK(sol.converged);
        CHECK(sol.values == std::vector<double>{0.0, 0.0, 0.0});
        CHECK(sol.q.empty());
    }
}

TEST_CASE("a state whose only action self-loops next to a terminal state") {
    ModelBuilder b;
    b.set_discount(0.95);
    b.set_state_count(2);
    b.set_action_count(1);
    b.add(Ref::at(0), Ref::at(0), 2.0, {{Ref::at(0), 1.0}});
    const Model m = b.build();
    for (double alpha : {0.0, 1.0}) {
        const auto sol = solve(m, alpha > 0 ? "soft-pi" : "pi", alpha);
        // One action: no entropy, V = r / (1 - gamma) whatever alpha.
        CHECK(sol.values[0] == doctest::Approx(40.0).epsilon(1e-12));
        CHECK(sol.values[1] == 0.0);
        CHECK(sol.policy[0] == 1.0);
    }
}
