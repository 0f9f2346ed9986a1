// Cassandra's MDP text format: every entry form against hand-derived values, round trips of every
// shipped example, errors with line numbers.
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>

#include "softmdp/bellman.hpp"
#include "softmdp/cassandra.hpp"
#include "softmdp/errors.hpp"
#include "softmdp/loader.hpp"
#include "softmdp/solve.hpp"
#include "test_helpers.hpp"

using namespace softmdp;

TEST_CASE("a hand-written file with wildcards, a matrix, a row and costs") {
    const Model m = read_cassandra(test::source_path("tests/data/two_state.mdp"));
    CHECK(m.num_states() == 2);
    CHECK(m.state_name(1) == "B");
    CHECK(m.initial()[0] == 1.0);
    // Rewards (costs negated): every step -1, staying in B +1. Staying in B forever: 1/(1-0.9) = 10.
    // From A: move to B (-1) then stay: -1 + 0.9 * 10 = 8; staying in A forever: -10.
    const auto sol = solve(m, "pi", 0.0);
    CHECK(sol.values[1] == doctest::Approx(10.0).epsilon(1e-12));
    CHECK(sol.values[0] == doctest::Approx(8.0).epsilon(1e-12));
}

TEST_CASE("softmdp -> Cassandra -> softmdp keeps the optimal values of every shipped example") {
    const auto dir = test::temp_dir("cassandra");
    for (const char* ex : {"chain2.json", "forest.json", "gridworld4x4.json", "cliffwalking.json", "frozenlake8x8.json",
                           "riverswim.json", "boltzmann_counterexample.json"}) {
        const Model m = test::example(ex);
        const auto path = dir / "x.mdp";
        std::FILE* f = std::fopen(path.c_str(), "w");
        write_cassandra(f, m);
        std::fclose(f);
        const Model back = read_cassandra(path);
        CAPTURE(std::string(ex));
        REQUIRE(back.num_states() == m.num_states());
        const auto a = solve(m, "pi", 0.0), b = solve(back, "pi", 0.0);
        for (std::size_t s = 0; s < m.num_states(); ++s) CHECK(std::abs(a.values[s] - b.values[s]) <= 1e-9);
        CHECK(objective(m, a.values) == doctest::Approx(objective(back, b.values)).epsilon(1e-12));
    }
}

TEST_CASE("errors name the file and line") {
    const auto dir = test::temp_dir("cassandra-bad");
    const struct {
        const char* text;
        const char* expected;
    } cases[] = {
        {"discount: 0.9\nstates: 2\nactions: 1\nT: 0 : 0 : 5 1\n", ":4: unknown state '5'"},
        {"discount: 0.9\nstates: 2\nactions: 1\nT: 0 : 0 : 1 0.5\nT: 0 : 1 : 1 1\n", "probabilities sum to 0.5"},
        {"states: 2\nactions: 1\n", "missing 'discount:'"},
        {"discount: 0.9\nstates: 2\nactions: 1\nT: 0 : 0 : 1 x\n", ":4: expected a number, got 'x'"},
        {"discount: 0.9\nstates: 2\nactions: 1\nT: 0 : 0 : 1 x\nT: 0 : 1 : 1 1\n", ":4: expected a number, got 'x'"},
        {"discount: 0.9\nstates: 2\nactions: 1\nT: 0 : 0 : 1 inf\n", ":4: expected a number, got 'inf'"},
        {"discount: 0.9\nvalues: money\n", ":2: values must be reward or cost"},
    };
    for (const auto& c : cases) {
        test::write_file(dir / "bad.mdp", c.text);
        CAPTURE(c.text);
        CHECK_THROWS_WITH_AS(read_cassandra(dir / "bad.mdp"), doctest::Contains(c.expected), InputError);
    }
}

TEST_CASE("convert through the CLI, both ways") {
    const auto dir = test::temp_dir("convert-cli");
    const auto mdp = (dir / "forest.mdp").string(), back = (dir / "forest.json").string();
    REQUIRE(test::run_cli("convert " + test::source_path("mdps/forest.json") + " " + mdp).code == 0);
    REQUIRE(test::run_cli("convert " + mdp + " " + back + " --discount 0.5").code == 0);
    const Model m = load_model(back);
    CHECK(m.discount() == 0.5);
    CHECK(test::run_cli("convert " + mdp + " " + (dir / "x.txt").string()).code == 2);
    CHECK(test::run_cli("convert " + mdp + " " + mdp).code == 2);
}
