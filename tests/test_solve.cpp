// Every method of solve() on every shipped example, against an independent reference solver
// (tests/reference/solve_mdp.py: plain Python, dense Gaussian elimination), and the certified
// error bound against the true distance.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "softmdp/core/errors.hpp"
#include "softmdp/io/loader.hpp"
#include "softmdp/core/model_builder.hpp"
#include "softmdp/io/result.hpp"
#include "softmdp/solvers/solve.hpp"
#include "random_grid.hpp"
#include "test_helpers.hpp"

using namespace softmdp;

namespace {

std::vector<double> reference_values(const std::string& example, double alpha) {
    const auto dir = test::temp_dir("reference");
    const auto out = dir / "ref.json";
    const std::string cmd = test::python() + " " + test::source_path("tests/reference/solve_mdp.py") + " " +
                            test::source_path("mdps/" + example) + " " + std::to_string(alpha) + " > " + out.string();
    REQUIRE(std::system(cmd.c_str()) == 0);
    return read_json_file(out)["values"].get<std::vector<double>>();
}

const char* kExamples[] = {"chain2.json",       "forest.json",       "gridworld4x4.json", "cliffwalking.json",
                           "frozenlake4x4.json", "frozenlake8x8.json", "riverswim.json",    "boltzmann_counterexample.json"};

}  // namespace

TEST_CASE("hard methods agree with the reference on every example, within their certified bound") {
    for (const char* ex : kExamples) {
        const Model m = test::example(ex);
        const auto ref = reference_values(ex, 0.0);
        for (const char* method : {"vi", "gs-vi", "pi", "mpi", "soft-vi", "soft-pi", "soft-qi", "mellowmax"}) {
            const std::string example_name = ex;
            CAPTURE(example_name);
            const std::string method_name = method;
                CAPTURE(method_name);
            SolverOptions opt;
            opt.tolerance = 1e-10;
            const auto sol = solve(m, method, 0.0, opt);  // soft methods at alpha = 0 are the hard ones
            REQUIRE(sol.converged);
            REQUIRE(sol.error_bound.has_value());
            double dist = 0.0;
            for (std::size_t s = 0; s < m.num_states(); ++s) dist = std::max(dist, std::abs(sol.values[s] - ref[s]));
            CHECK(dist <= 1e-9);
            CHECK(dist <= *sol.error_bound + 1e-12);  // the reference itself is exact to ~1e-13
        }
    }
}

TEST_CASE("soft methods agree with the reference soft policy iteration") {
    for (const char* ex : {"chain2.json", "forest.json", "gridworld4x4.json", "frozenlake4x4.json", "riverswim.json"}) {
        for (double alpha : {0.05, 0.5, 2.0}) {
            const Model m = test::example(ex);
            const auto ref = reference_values(ex, alpha);
            for (const char* method : {"soft-vi", "soft-gs-vi", "soft-qi", "soft-pi", "soft-mpi"}) {
                const std::string example_name = ex;
            CAPTURE(example_name);
                CAPTURE(alpha);
                const std::string method_name = method;
                CAPTURE(method_name);
                SolverOptions opt;
                opt.tolerance = 1e-10;
                const auto sol = solve(m, method, alpha, opt);
                REQUIRE(sol.converged);
                double dist = 0.0;
                for (std::size_t s = 0; s < m.num_states(); ++s) dist = std::max(dist, std::abs(sol.values[s] - ref[s]));
                CHECK(dist <= 1e-9);
                CHECK(dist <= *sol.error_bound + 1e-12);
            }
        }
    }
}

TEST_CASE("the bound holds at every stopping point, not only at convergence") {
    const Model m = test::example("frozenlake8x8.json");
    const auto ref = reference_values("frozenlake8x8.json", 0.0);
    for (std::uint64_t n : {1, 2, 5, 20, 100}) {
        for (const char* method : {"vi", "gs-vi", "mpi", "soft-qi"}) {
            SolverOptions opt;
            opt.max_iterations = n;
            const auto sol = solve(m, method, 0.0, opt);
            CAPTURE(n);
            const std::string method_name = method;
                CAPTURE(method_name);
            REQUIRE(sol.error_bound.has_value());
            double dist = 0.0;
            for (std::size_t s = 0; s < m.num_states(); ++s) dist = std::max(dist, std::abs(sol.values[s] - ref[s]));
            CHECK(dist <= *sol.error_bound);
        }
    }
}

TEST_CASE("hand-derived closed forms") {
    // chain2 (mdps/README.md): V(B) = 2/(1-0.9) = 20; V(A) = max(1/(1-0.9), 0.9 * 20) = 18.
    const auto chain = solve(test::example("chain2.json"), "pi", 0.0);
    CHECK(chain.values[0] == doctest::Approx(18.0).epsilon(1e-14));
    CHECK(chain.values[1] == doctest::Approx(20.0).epsilon(1e-14));
    CHECK(chain.policy[1] == 1.0);  // A: move
    CHECK(chain.policy[2] == 1.0);  // B: stay
    // Forest management (MDPToolbox docs, PolicyIteration example): V = (26.244, 29.484, 33.484).
    const auto forest = solve(test::example("forest.json"), "pi", 0.0);
    CHECK(forest.values[0] == doctest::Approx(26.244).epsilon(1e-12));
    CHECK(forest.values[1] == doctest::Approx(29.484).epsilon(1e-12));
    CHECK(forest.values[2] == doctest::Approx(33.484).epsilon(1e-12));
    // Gridworld 4x4, gamma 0.9, -1 per step: V(s) = -(1 - 0.9^d)/(1 - 0.9), d = steps to the nearest corner.
    const Model g = test::example("gridworld4x4.json");
    const auto grid = solve(g, "vi", 0.0);
    for (std::size_t s = 0; s < 16; ++s) {
        const int r = static_cast<int>(s) / 4, c = static_cast<int>(s) % 4;
        const int d = std::min(r + c, (3 - r) + (3 - c));
        CHECK(grid.values[s] == doctest::Approx(-(1.0 - std::pow(0.9, d)) / 0.1).epsilon(1e-9));
    }
    // Cliff walking: the optimal path from the start takes 13 steps of reward -1.
    const Model cliff = test::example("cliffwalking.json");
    const auto cw = solve(cliff, "pi", 0.0);
    CHECK(cw.values[36] == doctest::Approx(-(1.0 - std::pow(0.99, 13)) / 0.01).epsilon(1e-12));
}

TEST_CASE("iterative methods on small models reach the hand-derived values within their bound") {
    // chain2: V = (18, 20) exactly (mdps/README.md).
    SolverOptions opt;
    opt.tolerance = 1e-12;
    for (const char* method : {"vi", "gs-vi", "mpi"}) {
        const auto sol = solve(test::example("chain2.json"), method, 0.0, opt);
        REQUIRE(sol.converged);
        CHECK(*sol.error_bound <= 1e-12);
        CHECK(std::abs(sol.values[0] - 18.0) <= *sol.error_bound);
        CHECK(std::abs(sol.values[1] - 20.0) <= *sol.error_bound);
    }
    // Gridworld 4x4: V(s) = -(1 - 0.9^d)/(1 - 0.9).
    const auto grid = solve(test::example("gridworld4x4.json"), "mpi", 0.0, opt);
    REQUIRE(grid.converged);
    for (std::size_t s = 0; s < 16; ++s) {
        const int r = static_cast<int>(s) / 4, c = static_cast<int>(s) % 4;
        const int d = std::min(r + c, (3 - r) + (3 - c));
        CHECK(std::abs(grid.values[s] + (1.0 - std::pow(0.9, d)) / 0.1) <= *grid.error_bound);
    }
}

TEST_CASE("an iterative solve whose own bound meets the tolerance keeps it (no exact-evaluation finish), and it covers V*") {
    // The finish that evaluates the final policy exactly (refine_with_exact_evaluation) is skipped
    // when the iteration already certifies the tolerance: the reported bound is then the
    // iteration's, and must still cover V*. V* here: value iteration written out below, 2000 sweeps
    // (0.9^2000 is far below rounding), independent of the library's kernels.
    const Model m = test::random_grid(6, 0.9, 11, {35});
    const ModelData& d = m.data();
    const std::size_t S = m.num_states();
    for (double alpha : {0.0, 0.5}) {
        std::vector<double> V(S, 0.0), TV(S, 0.0);
        for (int k = 0; k < 2000; ++k) {
            for (std::size_t s = 0; s < S; ++s) {
                if (m.is_terminal(s)) continue;
                std::vector<double> q;
                for (Offset r = m.row_first(s); r < m.row_last(s); ++r) {
                    double x = d.row_reward[r];
                    for (Offset t = d.row_begin[r]; t < d.row_begin[r + 1]; ++t) x += 0.9 * d.transitions[t].prob() * V[d.transitions[t].next];
                    q.push_back(x);
                }
                const double mx = *std::max_element(q.begin(), q.end());
                double z = 0.0;
                for (double x : q) z += alpha > 0.0 ? std::exp((x - mx) / alpha) : 0.0;
                TV[s] = alpha > 0.0 ? mx + alpha * std::log(z) : mx;
            }
            V.swap(TV);
        }
        const std::vector<const char*> methods = alpha == 0.0 ? std::vector<const char*>{"vi", "gs-vi", "mpi", "ipi"}
                                                               : std::vector<const char*>{"soft-vi", "soft-gs-vi", "soft-qi", "soft-mpi", "soft-ipi"};
        for (const char* method : methods) {
            CAPTURE(method);
            SolverOptions opt;
            opt.tolerance = 1e-6;
            const auto sol = solve(m, method, alpha, opt);
            REQUIRE(sol.converged);
            REQUIRE(sol.error_bound);
            CHECK(*sol.error_bound <= 1e-6);
            // Jacobi value iteration converges linearly: its last bound is near the tolerance, where
            // an exact evaluation of its policy would have certified about 1e-13.
            if (std::string(method) == "vi" || std::string(method) == "soft-vi") CHECK(*sol.error_bound > 1e-9);
            for (std::size_t s = 0; s < S; ++s) CHECK(std::abs(sol.values[s] - V[s]) <= *sol.error_bound);
        }
    }
}

TEST_CASE("discount 1: every method reaches the proper optimum, never a partially evaluated policy") {
    // One state a: `go` pays -1 and stays with 0.99 (else terminal), `alt` pays -200 and ends.
    // Hard: V(a) = max(-1 + 0.99 V, -200) = -100. Soft: the root of
    // f(V) = alpha log(exp((-1 + 0.99 V)/alpha) + exp(-200/alpha)) - V, found by bisection here.
    ModelBuilder b;
    b.set_discount(1.0);
    b.set_state_count(2);
    b.set_action_count(2);
    b.add(Ref::at(0), Ref::at(0), -1.0, {{Ref::at(0), 0.99}, {Ref::at(1), 0.01}});
    b.add(Ref::at(0), Ref::at(1), -200.0, {{Ref::at(1), 1.0}});
    const Model m = b.build();
    for (const char* method : {"vi", "gs-vi", "pi", "ipi", "mpi"}) {
        CAPTURE(method);
        const auto sol = solve(m, method, 0.0);
        CHECK(sol.converged);
        CHECK(std::abs(sol.values[0] + 100.0) <= 1e-6);
    }
    const double alpha = 1.0;
    const auto f = [&](double v) { return alpha * std::log(std::exp((-1.0 + 0.99 * v) / alpha) + std::exp(-200.0 / alpha)) - v; };
    double lo = -200.0, hi = 0.0;  // f(lo) > 0 > f(hi)
    for (int i = 0; i < 200; ++i) (f(0.5 * (lo + hi)) > 0.0 ? lo : hi) = 0.5 * (lo + hi);
    for (const char* method : {"soft-vi", "soft-gs-vi", "soft-qi", "soft-pi", "soft-ipi", "soft-mpi"}) {
        CAPTURE(method);
        const auto sol = solve(m, method, alpha);
        CHECK(sol.converged);
        CHECK(std::abs(sol.values[0] - lo) <= 1e-6);
        CHECK_FALSE(sol.error_bound.has_value());
    }
}

TEST_CASE("solve rejects bad method names and alpha") {
    const Model m = test::example("chain2.json");
    CHECK_THROWS_AS(solve(m, "nope", 0.0), UsageError);
    CHECK_THROWS_AS(solve(m, "vi", 0.5), UsageError);
    CHECK_THROWS_AS(solve(m, "soft-vi", -1.0), UsageError);
    CHECK_THROWS_AS(solve(m, "soft-vi", std::nan("")), UsageError);
    CHECK(default_method(test::example("chain2.json"), 0.0) != default_method(test::example("chain2.json"), 1.0));
}

TEST_CASE("mellowmax at alpha 1e308 certifies the uniform policy's values, not 0") {
    // As alpha -> infinity mellowmax is the mean over actions: on chain2, V(A) = 0.5 + 0.45 (V(A) + V(B)),
    // V(B) = 1 + 0.45 (V(A) + V(B)): V = (7.25, 7.75). Formerly exit 0 with V = (0, 0) and bound 2e-14.
    const Solution sol = solve(test::example("chain2.json"), "mellowmax", 1e308);
    REQUIRE(sol.converged);
    REQUIRE(sol.error_bound);
    CHECK(std::abs(sol.values[0] - 7.25) <= *sol.error_bound);
    CHECK(std::abs(sol.values[1] - 7.75) <= *sol.error_bound);
}

TEST_CASE("keep_rows false: the solution keeps its values only, and the result document is the same") {
    // The tables computed whole (compute_q, policy_from_q) against the rows recomputed per state
    // (Solution::state_rows): the same doubles in every field, for every method and example.
    const auto document = [](const Model& m, const Solution& sol) {
        auto j = nlohmann::json::parse(test::written([&](JsonWriter& w) { write_result(w, m, sol); }));
        j.erase("seconds");
        return j;
    };
    for (const char* ex : {"chain2.json", "gridworld4x4.json", "frozenlake8x8.json", "riverswim.json"}) {
        const Model m = test::example(ex);
        for (const double alpha : {0.0, 0.5}) {
            for (const auto& mi : methods()) {
                if (mi.soft != (alpha > 0.0)) continue;
                const std::string where = std::string(ex) + " " + std::string(mi.name);
                CAPTURE(where);
                SolverOptions lean;
                lean.keep_rows = false;
                const Solution full = solve(m, mi.name, alpha), values_only = solve(m, mi.name, alpha, lean);
                if (mi.name != "soft-qi") {  // soft-qi iterates on its Q table and keeps it
                    CHECK(values_only.q.empty());
                    CHECK(values_only.policy.empty());
                }
                CHECK(document(m, values_only) == document(m, full));
            }
        }
    }
}

TEST_CASE("state_rows: Q and the softmax policy of one state in closed form") {
    // One state, self-loops with rewards 1 and 2, gamma 0.9, alpha 1: V = log(e + e^2) / (1 - gamma),
    // Q_a = r_a + gamma V, pi_a = exp((Q_a - V) / alpha).
    const Model m = test::self_loops({1.0, 2.0}, 0.9);
    SolverOptions lean;
    lean.keep_rows = false;
    lean.tolerance = 1e-12;
    const Solution sol = solve(m, "soft-vi", 1.0, lean);
    REQUIRE(sol.state_rows);
    const double V = std::log(std::exp(1.0) + std::exp(2.0)) / 0.1;
    std::vector<double> q(2), pi(2);
    sol.state_rows(0, sol.values, q, pi);
    CHECK(q[0] == doctest::Approx(1.0 + 0.9 * V).epsilon(1e-12));
    CHECK(q[1] == doctest::Approx(2.0 + 0.9 * V).epsilon(1e-12));
    CHECK(pi[0] == doctest::Approx(std::exp(1.0) / (std::exp(1.0) + std::exp(2.0))).epsilon(1e-12));
    CHECK(pi[1] == doctest::Approx(std::exp(2.0) / (std::exp(1.0) + std::exp(2.0))).epsilon(1e-12));
}

TEST_CASE("the memory check of the default method: Jacobi value iteration when the fastest would not fit") {
    const Model m = test::example("frozenlake8x8.json");
    const double R = static_cast<double>(m.num_rows()), S = static_cast<double>(m.num_states());
    const auto info = [](std::string_view name) {
        for (const auto& mi : methods())
            if (mi.name == name) return mi;
        FAIL("no method " << name);
        return MethodInfo{};
    };
    // Hand count: soft-mpi holds q and pi (2 per row), TV and its values (2 per state); soft-vi
    // Vn and its values; keep_rows adds the tables q and policy (2 per row).
    CHECK(method_memory(m, info("soft-mpi"), false) == static_cast<std::uint64_t>(8 * (2 * R + 2 * S)));
    CHECK(method_memory(m, info("soft-mpi"), true) == static_cast<std::uint64_t>(8 * (4 * R + 2 * S)));
    CHECK(method_memory(m, info("soft-vi"), false) == static_cast<std::uint64_t>(8 * 2 * S));
    for (const double alpha : {0.0, 1.0}) {
        const std::string_view fastest = default_method(m, alpha), lean = alpha > 0.0 ? "soft-vi" : "vi";
        const MethodChoice roomy = choose_default_method(m, alpha, false, UINT64_MAX);
        CHECK(roomy.method == fastest);
        CHECK(roomy.note.empty());
        const std::uint64_t need = method_memory(m, info(fastest), false);
        CHECK(choose_default_method(m, alpha, false, need).method == fastest);  // just fits
        const MethodChoice tight = choose_default_method(m, alpha, false, need - 1);
        CHECK(tight.method == (fastest == lean ? fastest : lean));
        if (fastest != lean) {
            CHECK(tight.note.find(std::string(lean) + " chosen instead of the default " + std::string(fastest)) == 0);
        }
    }
}
