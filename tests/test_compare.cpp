// Soft against hard: the bounds from the theory on every example.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>

#include "softmdp/solvers/bellman.hpp"
#include "softmdp/analysis/compare.hpp"
#include "softmdp/io/loader.hpp"
#include "softmdp/core/model_builder.hpp"
#include "test_helpers.hpp"

using namespace softmdp;

TEST_CASE("V_hard <= V_soft <= V_hard + alpha b(s) <= V_hard + alpha max log|A| / (1 - gamma), every example") {
    for (const auto& entry : std::filesystem::directory_iterator(test::source_path("mdps"))) {
        if (entry.path().extension() != ".json") continue;
        const std::string text(MappedFile(entry.path()).text());
        if (text.find("\"action_space\"") != std::string::npos) continue;
        const Model m = load_model(entry.path());
        for (double alpha : {0.01, 0.3, 3.0}) {
            SolverOptions opt;
            opt.tolerance = 1e-9;
            const Comparison c = compare(m, alpha, opt);
            CAPTURE(entry.path().string());
            CAPTURE(alpha);
            const double tol = *c.soft.error_bound + *c.hard.error_bound;
            for (std::size_t s = 0; s < m.num_states(); ++s) {
                const double gap = c.soft.values[s] - c.hard.values[s];
                CHECK(gap >= -tol);
                CHECK(gap <= c.gap_bound[s] + tol);
                CHECK(c.gap_bound[s] <= *c.global_bound * (1 + 1e-9) + 1e-12);
            }
            // The soft policy collects less hard return than the optimum, and J_soft >= J_hard.
            CHECK(c.soft_policy_hard_return <= objective(m, c.hard.values) + tol);
            CHECK(objective(m, c.soft.values) >= objective(m, c.hard.values) - tol);
        }
    }
}

TEST_CASE("the per-state gap bound is tight for a single state with |A| self-loops of equal reward") {
    // V_soft - V_hard = alpha log |A| / (1 - gamma) exactly when all actions are equally good.
    ModelBuilder b;
    b.set_discount(0.8);
    b.set_state_count(1);
    b.set_action_count(3);
    for (std::uint64_t a = 0; a < 3; ++a) b.add(Ref::at(0), Ref::at(a), 1.0, {{Ref::at(0), 1.0}});
    const Model m = b.build();
    const Comparison c = compare(m, 0.5, {});
    const double exact = 0.5 * std::log(3.0) / 0.2;
    CHECK(c.soft.values[0] - c.hard.values[0] == doctest::Approx(exact).epsilon(1e-9));
    CHECK(c.gap_bound[0] == doctest::Approx(exact).epsilon(1e-9));
    CHECK(c.gap_bound[0] >= exact);
    CHECK(c.stats.mean_entropy == doctest::Approx(std::log(3.0)));
}

TEST_CASE("alpha -> 0 gives the hard values; alpha -> infinity gives the uniform policy") {
    const Model m = test::example("frozenlake8x8.json");
    SolverOptions opt;
    opt.tolerance = 1e-11;
    const Comparison small = compare(m, 1e-12, opt);
    for (std::size_t s = 0; s < m.num_states(); ++s) CHECK(std::abs(small.soft.values[s] - small.hard.values[s]) <= 1e-9);
    // As alpha -> infinity the soft optimum maximises the discounted entropy to come. With the same
    // number of actions everywhere and no terminal state (RiverSwim), that is the uniform policy;
    // with terminal states (FrozenLake) it is not: the policy steers away from the holes.
    SolverOptions loose;
    loose.tolerance = 1e3;  // values are ~1e10 at alpha = 1e8; only the policy matters here
    const Model river = test::example("riverswim.json");
    const Comparison big = compare(river, 1e8, loose);
    for (std::size_t s = 0; s < river.num_states(); ++s)
        for (Offset r = river.row_first(s); r < river.row_last(s); ++r) CHECK(big.soft.policy[r] == doctest::Approx(0.5).epsilon(1e-7));
    const Comparison lake = compare(m, 1e8, loose);
    CHECK(lake.stats.mean_entropy < std::log(4.0) - 1e-3);
}

TEST_CASE("exact ties go to the first maximiser, not to rounding") {
    // In s, 'a' pays 0.3 and ends; 'b' pays 0.1 and leads to t, which pays 0.4 and ends: at gamma 0.5,
    // Q(s, b) = 0.1 + 0.5 * 0.4 = 0.3 = Q(s, a) exactly, but 0.1 + 0.2 rounds to 0.30000000000000004.
    REQUIRE(0.1 + 0.5 * 0.4 > 0.3);  // the rounding that used to pick 'b'
    const Model m = parse_model(R"({"format": "softmdp/1", "discount": 0.5, "states": ["s", "t", "end"], "actions": ["a", "b"],
        "transitions": [{"s": "s", "a": "a", "r": 0.3, "next": [["end", 1]]}, {"s": "s", "a": "b", "r": 0.1, "next": [["t", 1]]},
                        {"s": "t", "a": "a", "r": 0.4, "next": [["end", 1]]}]})");
    for (double alpha : {1e-3, 1.0, 100.0}) {
        CAPTURE(alpha);
        const Comparison c = compare(m, alpha);
        CHECK(m.row_action(c.stats.greedy_row[0]) == 0);
        CHECK(m.row_action(c.stats.likeliest_row[0]) == 0);
        CHECK(c.stats.changed == 0);
        // Soft: both actions have probability 1/2 (up to rounding).
        CHECK(c.soft.policy[c.stats.likeliest_row[0]] == doctest::Approx(0.5).epsilon(1e-12));
    }
    // A real difference is not a tie: with 'a' paying 0.29 the greedy and likeliest action is 'b'.
    const Model m2 = parse_model(R"({"format": "softmdp/1", "discount": 0.5, "states": ["s", "t", "end"], "actions": ["a", "b"],
        "transitions": [{"s": "s", "a": "a", "r": 0.29, "next": [["end", 1]]}, {"s": "s", "a": "b", "r": 0.1, "next": [["t", 1]]},
                        {"s": "t", "a": "a", "r": 0.4, "next": [["end", 1]]}]})");
    const Comparison c2 = compare(m2, 1.0);
    CHECK(m2.row_action(c2.stats.greedy_row[0]) == 1);
    CHECK(m2.row_action(c2.stats.likeliest_row[0]) == 1);
}
