// Cassandra's MDP text format: every entry form against hand-derived values, round trips of every
// shipped example, errors with line numbers.
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>

#include "softmdp/solvers/bellman.hpp"
#include "softmdp/io/cassandra.hpp"
#include "softmdp/core/errors.hpp"
#include "softmdp/io/loader.hpp"
#include "softmdp/solvers/solve.hpp"
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
        // Files that end inside a T: line (found by fuzz_importers: the parser read past its tokens).
        {"discount: 0.5\nstates: A B\nactions: stay\nobservations: lo hi\nT: stay : A", "unexpected end of file"},
        {"discount: 0.5\nstates: A B\nactions: stay\nT: stay", "unexpected end of file"},
        {"discount: 0.5\nstates: A B\nactions: stay\nobservations: lo hi\nO: stay", "unexpected end of file"},
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

TEST_CASE("a reward that depends on the observation is averaged over the observation model (hand derivation)") {
    const auto dir = test::temp_dir("cassandra-obs");
    // A -> B -> B forever. Leaving A pays 4 when 'lo' is observed in B (probability 0.25) and 8 on
    // 'hi' (0.75): R(A, B) = 0.25 * 4 + 0.75 * 8 = 7. Staying in B pays 2: V(B) = 2 / (1 - 0.5) = 4,
    // V(A) = 7 + 0.5 * 4 = 9, whatever the order of the lines.
    const std::string head = "discount: 0.5\nvalues: reward\nstates: A B\nactions: stay\nobservations: lo hi\nstart: A\n"
                             "T: stay : A : B 1\nT: stay : B : B 1\n";
    const std::string lo = "R: stay : A : B : lo 4\n", hi = "R: stay : A : B : hi 8\n", b = "R: stay : B : B : * 2\n";
    const std::string by_entry = "O: stay : B : lo 0.25\nO: stay : B : hi 0.75\n", by_row = "O: stay : B\n0.25 0.75\n",
                      by_matrix = "O: stay\n0.5 0.5\n0.25 0.75\n";
    for (const std::string& text : {head + by_entry + lo + hi + b, head + hi + b + lo + by_row, head + b + by_matrix + hi + lo}) {
        test::write_file(dir / "obs.pomdp", text);
        CAPTURE(text);
        const auto sol = solve(read_cassandra(dir / "obs.pomdp"), "pi", 0.0);
        CHECK(sol.values[0] == doctest::Approx(9.0).epsilon(1e-12));
        CHECK(sol.values[1] == doctest::Approx(4.0).epsilon(1e-12));
    }
    // A later line for every observation replaces the per-observation ones: R(A, B) = 1, V(A) = 3.
    test::write_file(dir / "obs.pomdp", head + by_entry + lo + hi + b + "R: stay : A : B : * 1\n");
    CHECK(solve(read_cassandra(dir / "obs.pomdp"), "pi", 0.0).values[0] == doctest::Approx(3.0).epsilon(1e-12));
    // Without an observation model there is nothing to average over: refused at the first such line.
    test::write_file(dir / "obs.pomdp", head + b + lo + hi);
    CHECK_THROWS_WITH_AS(read_cassandra(dir / "obs.pomdp"),
                         doctest::Contains("obs.pomdp:10: R: this reward depends on the observation, but the file has no "
                                           "observation model"),
                         InputError);
    // An observation row that is not a distribution cannot weigh the rewards.
    test::write_file(dir / "obs.pomdp", head + "O: stay : B : lo 0.25\n" + lo + hi + b);
    CHECK_THROWS_WITH_AS(read_cassandra(dir / "obs.pomdp"), doctest::Contains("(a=stay, s'=B) sum to 0.25, not 1"), InputError);
    // Naming an observation in a file that declares none.
    test::write_file(dir / "obs.pomdp", "discount: 0.5\nstates: A B\nactions: stay\nT: stay : A : B 1\nT: stay : B : B 1\n" + lo);
    CHECK_THROWS_WITH_AS(read_cassandra(dir / "obs.pomdp"), doctest::Contains(":6: the reward names observation 'lo'"), InputError);
}

TEST_CASE("a name given twice is reported as such, on its line") {
    const auto dir = test::temp_dir("cassandra-dup");
    test::write_file(dir / "dup.mdp", "discount: 0.9\nstates: A A\nactions: go\nT: go : A : A 1\n");
    CHECK_THROWS_WITH_AS(read_cassandra(dir / "dup.mdp"), doctest::Contains("dup.mdp:2: states: the name 'A' is given twice"),
                         InputError);
    test::write_file(dir / "dup.mdp", "discount: 0.9\nstates: A B\nactions: go stop go\nT: go : A : A 1\n");
    CHECK_THROWS_WITH_AS(read_cassandra(dir / "dup.mdp"), doctest::Contains("dup.mdp:3: actions: the name 'go' is given twice"),
                         InputError);
}
