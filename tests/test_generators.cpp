// Generated MDPs: valid files, closed-form values, Garnet's documented statistics, reproducibility.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <set>

#include "softmdp/core/errors.hpp"
#include "softmdp/io/generators.hpp"
#include "softmdp/io/loader.hpp"
#include "softmdp/solvers/policy_evaluation.hpp"
#include "softmdp/solvers/solve.hpp"
#include "test_helpers.hpp"

using namespace softmdp;

namespace {
template <class Fn>
Model generate(Fn fn) {
    return parse_model(test::written(fn), {}, "generated");
}
}  // namespace

TEST_CASE("chain: V*(s) = gamma^(N-1-s) / (1 - gamma)") {
    const Model m = generate([](JsonWriter& w) { write_chain(w, {7, 0.8}); });
    const auto sol = solve(m, "pi", 0.0);
    for (std::size_t s = 0; s < 7; ++s) CHECK(sol.values[s] == doctest::Approx(std::pow(0.8, 6 - s) / 0.2).epsilon(1e-12));
}

TEST_CASE("gridworld without slip: V*(s) = -(1 - gamma^d) / (1 - gamma), d the distance to the goal") {
    const Model m = generate([](JsonWriter& w) { write_gridworld(w, {5, 3, 0.0, 0.9}); });
    CHECK(m.num_states() == 15);
    CHECK(m.num_terminal() == 1);
    const auto sol = solve(m, "pi", 0.0);
    for (std::size_t y = 0; y < 3; ++y)
        for (std::size_t x = 0; x < 5; ++x) {
            const double d = static_cast<double>((4 - x) + (2 - y));
            CHECK(sol.values[y * 5 + x] == doctest::Approx(-(1.0 - std::pow(0.9, d)) / 0.1).epsilon(1e-12));
        }
    const Model slippery = generate([](JsonWriter& w) { write_gridworld(w, {5, 3, 0.2, 0.9}); });
    const auto slip = solve(slippery, "pi", 0.0);
    for (std::size_t s = 0; s + 1 < 15; ++s) CHECK(slip.values[s] <= sol.values[s] + 1e-12);  // slipping never helps
}

TEST_CASE("frozenlake 8x8 matches the shipped file's optimal values") {
    const Model gen = generate([](JsonWriter& w) { write_frozenlake(w, {frozenlake_map("8x8"), true, 0.99}); });
    const Model shipped = test::example("frozenlake8x8.json");
    const auto a = solve(gen, "pi", 0.0), b = solve(shipped, "pi", 0.0);
    REQUIRE(gen.num_states() == shipped.num_states());
    for (std::size_t s = 0; s < gen.num_states(); ++s) {
        CHECK(gen.state_name(s) == shipped.state_name(s));
        CHECK(a.values[s] == doctest::Approx(b.values[s]).epsilon(1e-12));
    }
    // Not slippery: the goal is reachable with certainty, so V(start) = gamma^(shortest path - 1).
    const Model det = generate([](JsonWriter& w) { write_frozenlake(w, {frozenlake_map("4x4"), false, 0.9}); });
    CHECK(solve(det, "pi", 0.0).values[0] == doctest::Approx(std::pow(0.9, 5)).epsilon(1e-12));
}

TEST_CASE("garnet: B distinct successors, Dirichlet probabilities, rewards in [0,1), reproducible") {
    const GarnetSpec spec{300, 3, 4, 42, 0.95};
    const Model m = generate([&](JsonWriter& w) { write_garnet(w, spec); });
    CHECK(m.num_rows() == 900);
    CHECK(m.num_transitions() == 3600);
    CHECK(m.num_terminal() == 0);
    double mean_r = 0.0;
    for (Offset r = 0; r < m.num_rows(); ++r) {
        std::set<StateId> next;
        double sum = 0.0;
        for (const Transition& t : m.transitions(r)) {
            next.insert(t.next);
            sum += t.prob();
        }
        CHECK(next.size() == 4);
        CHECK(sum == doctest::Approx(1.0).epsilon(1e-12));
        CHECK(m.row_reward(r) >= 0.0);
        CHECK(m.row_reward(r) < 1.0);
        mean_r += m.row_reward(r) / 900.0;
    }
    CHECK(mean_r == doctest::Approx(0.5).epsilon(0.1));  // uniform rewards: 0.5 +- 0.0096 (1 sd)
    const Model again = generate([&](JsonWriter& w) { write_garnet(w, spec); });
    CHECK(again.data().transitions == m.data().transitions);
    GarnetSpec other = spec;
    other.seed = 43;
    CHECK(generate([&](JsonWriter& w) { write_garnet(w, other); }).data().transitions != m.data().transitions);
    CHECK_THROWS(generate([&](JsonWriter& w) { write_garnet(w, {3, 2, 5, 0, 0.9}); }));  // B > S
}

TEST_CASE("gridworld above the sparse-LU limit at gamma 0.9999: policy iteration's Krylov evaluation gives the closed form") {
    // 75 x 75 = 5625 states > kSparseLuLimit: each evaluation is BiCGSTAB, which stalls on the
    // first, improper greedy policies (V = -1/(1 - gamma) = -10^4, I - gamma P nearly singular). It once
    // restarted such an evaluation from V = 0 and took the stable policy as exactly evaluated:
    // "converged" at V = -5025 with the slippery grid (true -215). Deterministic: the closed form.
    const Model m = generate([](JsonWriter& w) { write_gridworld(w, {75, 75, 0.0, 0.9999}); });
    REQUIRE(m.num_states() > kSparseLuLimit);
    REQUIRE(!use_sparse_lu(m));
    SolverOptions opt;
    opt.tolerance = 1e-6;
    const auto sol = solve(m, "pi", 0.0, opt);
    CHECK(sol.converged);
    REQUIRE(sol.error_bound);
    CHECK(*sol.error_bound <= 1e-6);
    for (std::size_t s = 0; s < m.num_states(); s += 37) {
        const double d = static_cast<double>((74 - s % 75) + (74 - s / 75));
        CHECK(sol.values[s] == doctest::Approx(-(1.0 - std::pow(0.9999, d)) / 1e-4).epsilon(1e-9));
    }
    // Slippery: no closed form; value iteration's certified answer is the reference.
    const Model slip = generate([](JsonWriter& w) { write_gridworld(w, {75, 75, 0.1, 0.9999}); });
    const auto pi = solve(slip, "pi", 0.0, opt);
    const auto vi = solve(slip, "vi", 0.0, opt);
    CHECK(pi.converged);
    REQUIRE(vi.converged);
    for (std::size_t s = 0; s < slip.num_states(); ++s) CHECK(std::abs(pi.values[s] - vi.values[s]) <= 2e-6);
}

TEST_CASE("sparse LU for local transition graphs, BiCGSTAB for random ones; both evaluate to Gauss-Seidel's values") {
    // Bandwidths by construction: a W-wide gridworld moves by at most W states, a Garnet anywhere.
    const Model grid = generate([](JsonWriter& w) { write_gridworld(w, {70, 70, 0.2, 0.9999}); });
    CHECK(grid.bandwidth() == 70);
    CHECK(use_sparse_lu(grid));  // 4900 * 70^2 = 2.4e7
    const Model small = generate([](JsonWriter& w) { write_garnet(w, {300, 4, 5, 3, 0.99}); });
    CHECK(use_sparse_lu(small));  // 300 * 299^2 = 2.7e7 at most
    const Model random = generate([](JsonWriter& w) { write_garnet(w, {2000, 4, 5, 3, 0.99}); });
    CHECK(random.bandwidth() > 1900);
    CHECK(!use_sparse_lu(random));  // its LU took 0.9 s, BiCGSTAB 1 ms
    CHECK(default_method(random, 1.0) == "soft-vi");
    CHECK(default_method(grid, 1.0) == "soft-pi");
    // The uniform soft policy, evaluated exactly (BiCGSTAB here) and by Gauss-Seidel sweeps.
    for (const Model* m : {&random, &small}) {
        std::vector<double> pi(m->num_rows());
        for (std::size_t s = 0; s < m->num_states(); ++s)
            for (Offset r = m->row_first(s); r < m->row_last(s); ++r) pi[r] = 1.0 / static_cast<double>(m->num_available(s));
        SolverOptions opt;
        opt.tolerance = 1e-9;
        const auto exact = evaluate_policy_exact(*m, pi, 0.5, opt);
        const auto sweeps = evaluate_policy_iterative(*m, pi, 0.5, opt);
        REQUIRE(exact.converged);
        REQUIRE(sweeps.converged);
        for (std::size_t s = 0; s < m->num_states(); ++s) CHECK(std::abs(exact.values[s] - sweeps.values[s]) <= 2e-9);
    }
}

TEST_CASE("generator sizes are checked against memory and disk before anything is written, naming the options") {
    const auto text_of = [](const std::function<void(JsonWriter&)>& fn) { return test::written(fn); };
    // 10 x 10^9 x 5: 5e10 transitions, at least 745 GiB to load.
    CHECK_THROWS_WITH_AS(text_of([](JsonWriter& w) { write_garnet(w, {10, 1'000'000'000, 5, 0, 0.9}); }),
                         doctest::Contains("states, actions and branching describe a model of 10 states"), UsageError);
    CHECK_THROWS_WITH_AS(text_of([](JsonWriter& w) { write_garnet(w, {10, 1ULL << 40, 5, 0, 0.9}); }), doctest::Contains("actions must be < 2^31"),
                         UsageError);
    // 2^32 x 2^32 cells wrapped to 0 ("needs at least 2 cells"); 2^63 + 1 x 2 wrapped to 2 and passed.
    CHECK_THROWS_WITH_AS(text_of([](JsonWriter& w) { write_gridworld(w, {1ULL << 32, 1ULL << 32, 0.0, 0.9}); }),
                         doctest::Contains("at most 10^8 cells"), UsageError);
    CHECK_THROWS_WITH_AS(text_of([](JsonWriter& w) { write_gridworld(w, {(1ULL << 63) + 1, 2, 0.0, 0.9}); }),
                         doctest::Contains("at most 10^8 cells"), UsageError);
    // The disk: a chain of 1000 states is at least 60 kB of JSON; nothing is written when 1 kB is free.
    std::string out;
    CHECK_THROWS_WITH_AS(out = text_of([](JsonWriter& w) { write_chain(w, {1000, 0.9}, {}, 1000); }),
                         doctest::Contains("states describe a file of at least"), UsageError);
    CHECK(out.empty());
    CHECK_NOTHROW(text_of([](JsonWriter& w) { write_chain(w, {1000, 0.9}, {}, 1'000'000); }));
    // A FrozenLake map that is no map fails at its first byte, not at the end of an endless stream.
    CHECK_THROWS_WITH_AS(frozenlake_map("/dev/zero"), doctest::Contains("starts with byte 0x00"), InputError);
}
