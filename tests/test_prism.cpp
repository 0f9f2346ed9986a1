// PRISM's explicit files: a hand-written model against closed-form values, the mapping of rewards,
// labels and initial states, round trips of the shipped examples, errors with file:line and field.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>

#include "softmdp/solvers/bellman.hpp"
#include "softmdp/core/errors.hpp"
#include "softmdp/io/prism.hpp"
#include "softmdp/solvers/solve.hpp"
#include "test_helpers.hpp"

using namespace softmdp;

namespace {

// Writes NAME.tra and the companions whose text is not empty.
std::filesystem::path write_set(const std::filesystem::path& dir, const std::string& tra, const std::string& srew = {},
                                const std::string& trew = {}, const std::string& lab = {}) {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const auto path = dir / "m.tra";
    const PrismFiles f = prism_files(path);
    test::write_file(f.tra, tra);
    if (!srew.empty()) test::write_file(f.srew, srew);
    if (!trew.empty()) test::write_file(f.trew, trew);
    if (!lab.empty()) test::write_file(f.lab, lab);
    return path;
}

BuildOptions collect(std::vector<std::string>& warnings) {
    BuildOptions o;
    o.warn = [&warnings](const std::string& w) { warnings.push_back(w); };
    return o;
}

double reward(const Model& m, std::size_t s, const std::string& action) {
    for (Offset r = m.row_first(s); r < m.row_last(s); ++r)
        if (m.action_name(m.row_action(r)) == action) return m.row_reward(r);
    FAIL("no action " << action << " in state " << s);
    return 0.0;
}

}  // namespace

TEST_CASE("a hand-written .tra/.srew/.trew/.lab set: rewards, labels, initial states and closed-form values") {
    std::vector<std::string> warnings;
    const Model m = read_prism(test::source_path("tests/data/prism_small.tra"), 0.9, collect(warnings));
    REQUIRE(m.num_states() == 4);
    CHECK(m.name() == "prism_small");
    // Action labels name the actions, in order of first appearance.
    REQUIRE(m.num_actions() == 2);
    CHECK(m.action_name(0) == "a");
    CHECK(m.action_name(1) == "b");
    CHECK(m.num_available(0) == 2);
    CHECK(m.num_available(1) == 1);
    CHECK(m.action_name(m.row_action(m.row_first(2))) == "b");
    // State 3 has no choices: a deadlock, terminal; its state reward 7 is dropped with a warning.
    CHECK(m.is_terminal(3));
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0].find("deadlock") != std::string::npos);
    CHECK(warnings[0].find("state 3: 7") != std::string::npos);
    // r(s,c) = srew(s) + sum p trew: 1 + 2, 1 - 1, 0 + 10, 0.5 + 0.
    CHECK(reward(m, 0, "a") == 3.0);
    CHECK(reward(m, 0, "b") == 0.0);
    CHECK(reward(m, 1, "a") == 10.0);
    CHECK(reward(m, 2, "b") == 0.5);
    // "init" on states 0 and 1: uniform over them. The first probability was a fraction, 1/2.
    CHECK(m.initial()[0] == 0.5);
    CHECK(m.initial()[1] == 0.5);
    CHECK(m.initial()[2] == 0.0);
    CHECK(m.transitions(m.row_first(0))[0].prob() == 0.5);

    // Hard, gamma 0.9: V(3) = 0, V(1) = 10, V(2) = 0.5 / (1 - 0.9) = 5,
    // Q(0,a) = 3 + 0.9 (10 + 5) / 2 = 9.75, Q(0,b) = 0 + 0.9 * 5 = 4.5, so V(0) = 9.75.
    const auto hard = solve(m, "pi", 0.0);
    CHECK(hard.values[0] == doctest::Approx(9.75).epsilon(1e-12));
    CHECK(hard.values[1] == doctest::Approx(10.0).epsilon(1e-12));
    CHECK(hard.values[2] == doctest::Approx(5.0).epsilon(1e-12));
    CHECK(hard.values[3] == 0.0);
    CHECK(objective(m, hard.values) == doctest::Approx((9.75 + 10.0) / 2).epsilon(1e-12));
    // Soft, alpha 0.5: single-action states keep their hard values; V(0) = alpha log(e^{9.75/alpha} + e^{4.5/alpha}).
    const auto soft = solve(m, "soft-pi", 0.5);
    CHECK(soft.values[0] == doctest::Approx(9.75 + 0.5 * std::log1p(std::exp(-10.5))).epsilon(1e-12));
    CHECK(soft.values[1] == doctest::Approx(10.0).epsilon(1e-12));
    CHECK(soft.values[2] == doctest::Approx(5.0).epsilon(1e-12));
}

TEST_CASE("transition rewards that differ between successors are per-successor rewards") {
    const auto dir = test::temp_dir("prism-split");
    const auto tra = write_set(dir, "2 2 3\n0 0 0 0.25\n0 0 1 0.75\n0 1 1 1\n", "2 1\n0 1\n", "2 2 2\n0 0 0 4\n0 0 1 0\n");
    const Model m = read_prism(tra, 0.5);
    // No .lab: state 0 is the initial state (PRISM's default); no action labels: c0, c1 by choice index.
    CHECK(m.initial()[0] == 1.0);
    CHECK(m.action_name(0) == "c0");
    CHECK(m.action_name(1) == "c1");
    // r(0,c0) = 1 + 0.25 * 4 + 0.75 * 0 = 2; r(0,c1) = 1 (no transition rewards); state 1 is a deadlock.
    const Offset row = m.row_first(0);
    CHECK(m.row_reward(row) == 2.0);
    REQUIRE(m.successor_rewards(row).size() == 2);
    CHECK(m.successor_rewards(row)[0] == 4.0);
    CHECK(m.row_reward(row + 1) == 1.0);
    CHECK(m.is_terminal(1));
    // V(0) = max(2 + 0.5 * 0.25 V(0), 1): V(0) = 2 / (1 - 0.125).
    CHECK(solve(m, "pi", 0.0).values[0] == doctest::Approx(2.0 / 0.875).epsilon(1e-12));
}

TEST_CASE("action labels that repeat within a state, or are missing, give c0, c1, ... with a warning") {
    const auto dir = test::temp_dir("prism-labels");
    std::vector<std::string> warnings;
    const Model m = read_prism(write_set(dir, "1 2 2\n0 0 0 1 go\n0 1 0 1 go\n"), 0.9, collect(warnings));
    CHECK(m.num_actions() == 2);
    CHECK(m.action_name(1) == "c1");
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0].find("state 0 has two choices labelled 'go'") != std::string::npos);

    warnings.clear();
    const Model n = read_prism(write_set(dir, "2 2 2\n0 0 1 1 go\n1 0 0 1\n"), 0.9, collect(warnings));
    CHECK(n.action_name(0) == "c0");
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0].find("choice 0 of state 1 has no action label") != std::string::npos);
}

TEST_CASE("softmdp -> PRISM -> softmdp keeps the model and its optimal values, hard and soft") {
    const auto dir = test::temp_dir("prism-round");
    for (const char* ex : {"chain2.json", "forest.json", "frozenlake4x4.json", "riverswim.json", "gridworld4x4.json",
                           "cliffwalking.json", "frozenlake8x8.json", "boltzmann_counterexample.json"}) {
        CAPTURE(std::string(ex));
        const Model m = test::example(ex);
        const auto tra = dir / "x.tra";
        write_prism(m, tra);
        const Model back = read_prism(tra, m.discount());
        REQUIRE(back.num_states() == m.num_states());
        REQUIRE(back.num_actions() == m.num_actions());
        REQUIRE(back.num_rows() == m.num_rows());
        REQUIRE(back.num_transitions() == m.num_transitions());
        for (std::size_t a = 0; a < m.num_actions(); ++a) CHECK(back.action_name(a) == m.action_name(a));
        for (std::size_t s = 0; s < m.num_states(); ++s) {
            CHECK(back.initial()[s] == m.initial()[s]);
            REQUIRE(back.num_available(s) == m.num_available(s));
            for (Offset r = m.row_first(s); r < m.row_last(s); ++r) {
                CHECK(back.row_action(r) == m.row_action(r));
                CHECK(back.row_reward(r) == m.row_reward(r));
                const auto p = m.transitions(r), q = back.transitions(r);
                CHECK(std::equal(p.begin(), p.end(), q.begin(), q.end(),
                                 [](const Transition& x, const Transition& y) { return x.prob() == y.prob(); }));
            }
        }
        for (const double alpha : {0.0, 0.5}) {
            const auto a = solve(m, alpha == 0.0 ? "pi" : "soft-pi", alpha), b = solve(back, alpha == 0.0 ? "pi" : "soft-pi", alpha);
            for (std::size_t s = 0; s < m.num_states(); ++s) CHECK(std::abs(a.values[s] - b.values[s]) <= 1e-12);
        }
    }
}

TEST_CASE("the writer says what PRISM's files cannot hold") {
    const auto dir = test::temp_dir("prism-writer");
    std::vector<std::string> warnings;
    const auto warn = [&warnings](const std::string& w) { warnings.push_back(w); };
    const auto contains = [&](const std::string& text) {
        return std::any_of(warnings.begin(), warnings.end(), [&](const std::string& w) { return w.find(text) != std::string::npos; });
    };
    ModelBuilder b;
    b.set_discount(0.9);
    b.set_state_names({"x", "y", "z"});
    b.set_action_names({"go left", "stay"});
    b.set_initial({0.25, 0.75, 0.0});
    b.add(Ref::named("x"), Ref::named("go left"), 1.0, {{Ref::named("y"), 0.5, 2.0}, {Ref::named("z"), 0.5, 0.0}});
    b.add(Ref::named("y"), Ref::named("stay"), 0.0, {{Ref::named("y"), 1.0}});
    const Model m = b.build();
    const auto tra = dir / "w.tra";
    test::write_file(dir / "w.srew", "3 1\n0 100\n");  // stale: it would add 100 to state x
    write_prism(m, tra, warn);
    CHECK(contains("'go left' is not a PRISM identifier"));
    CHECK(contains("1 choice(s) have per-successor rewards"));
    CHECK(contains("not uniform over its 2 states"));
    CHECK(contains("removed"));
    CHECK_FALSE(std::filesystem::exists(dir / "w.srew"));
    const Model back = read_prism(tra, 0.9);
    // Expected reward r(x, go left) = 1 + 0.5 * 2 = 2, kept; the split between successors is not.
    CHECK(back.row_reward(back.row_first(0)) == 2.0);
    CHECK(back.successor_rewards(back.row_first(0)).empty());
    CHECK(back.initial()[0] == 0.5);
    CHECK(back.is_terminal(2));
    for (std::size_t s = 0; s < 3; ++s) CHECK(solve(back, "pi", 0.0).values[s] == doctest::Approx(solve(m, "pi", 0.0).values[s]).epsilon(1e-12));
}

TEST_CASE("malformed files: errors name the file, the line and the field") {
    const auto dir = test::temp_dir("prism-bad");
    const std::string ok_tra = "2 2 3\n0 0 0 0.5\n0 0 1 0.5\n1 0 0 1\n";
    const struct {
        std::string tra, srew, trew, lab;
        const char* expected;
    } cases[] = {
        {"", "", "", "", "m.tra:1: empty file"},
        {"2 5\n0 1 1\n", "", "", "", "Markov chain's header"},
        {"2 x 3\n", "", "", "", "m.tra:1: field 'choices': expected an index (0, 1, ...), got 'x'"},
        {"2 3 3\n0 0 0 0.5\n0 0 1 0.5\n1 0 0 1\n", "", "", "", "m.tra:1: field 'choices': the header says 3 choices, the file has 2"},
        {"2 2 4\n0 0 0 0.5\n0 0 1 0.5\n1 0 0 1\n", "", "", "", "m.tra:1: field 'transitions': the header says 4 transitions, the file has 3"},
        {"2 2 3\n0 0 0 0.5\n0 0 1\n1 0 0 1\n", "", "", "", "m.tra:3: expected \"s c t p [action]\", got 3 fields"},
        {"2 2 3\n0 0 0 0.5\n0 0 1 half\n1 0 0 1\n", "", "", "", "m.tra:3: field 'p': expected a finite number, got 'half'"},
        {"2 2 3\n0 0 0 0.5\n0 0 1 0.4\n1 0 0 1\n", "", "", "", "m.tra:2: field 'p': state 0, choice 0: probabilities sum to 0.9"},
        {"2 2 3\n0 0 0 -0.5\n0 0 1 1.5\n1 0 0 1\n", "", "", "", "m.tra:2: field 'p': probability must be >= 0, got -0.5"},
        {"2 2 3\n1 0 0 1\n0 0 0 0.5\n0 0 1 0.5\n", "", "", "", "m.tra:3: field 's': state 0 after state 1: lines must be sorted"},
        {"2 2 3\n0 1 0 0.5\n0 1 1 0.5\n1 0 0 1\n", "", "", "", "m.tra:2: field 'c': state 0 starts with choice 1"},
        {"1 3 3\n0 0 0 1\n0 2 0 1\n0 1 0 1\n", "", "", "", "m.tra:3: field 'c': choice 2 of state 0 follows choice 0"},
        {"2 2 3\n0 0 0 0.5\n0 0 0 0.5\n1 0 0 1\n", "", "", "", "m.tra:3: field 't': successor 0 is listed twice"},
        {"2 2 3\n0 0 0 0.5\n0 0 2 0.5\n1 0 0 1\n", "", "", "", "m.tra:3: field 't': state 2 is out of range: the .tra header says 2 states"},
        {"2 2 3\n0 0 0 0.5 a\n0 0 1 0.5 b\n1 0 0 1 a\n", "", "", "", "m.tra:3: field 'action': choice 0 of state 0 has action label 'b' here"},
        {ok_tra, "3 1\n0 1\n", "", "", "m.srew:1: field 'states': the header says 3 states, the .tra file 2"},
        {ok_tra, "2 2\n0 1\n", "", "", "m.srew:1: field 'rewards': the header says 2 rewards, the file has 1"},
        {ok_tra, "2 2\n0 1\n0 2\n", "", "", "m.srew:3: field 's': state 0 is listed twice"},
        {ok_tra, "", "2 1 1\n0 0 0 1\n", "", "m.trew:1: field 'choices': the header says 1 choices, the .tra file 2"},
        {ok_tra, "", "2 2 1\n1 0 1 1\n", "", "m.trew:2: field 't': the .tra file has no transition 1 0 1"},
        {ok_tra, "", "2 2 1\n0 1 0 1\n", "", "m.trew:2: field 'c': state 0 has 1 choices in the .tra file: there is no choice 1"},
        {ok_tra, "", "2 2 1\n0 0 1 5\n", "", "m.trew:2: field 't': choice 0 of state 0 has rewards for 1 of its 2 successors"},
        {ok_tra, "", "", "0=\"goal\"\n1: 0\n", "m.lab:1: field 'labels': no label \"init\""},
        {ok_tra, "", "", "0=\"init\" 1=\"deadlock\"\n1: 1\n", "m.lab:1: field 'init': no state has the label \"init\""},
        {ok_tra, "", "", "0=\"init\"\n5: 0\n", "m.lab:2: field 's': state 5 is out of range"},
        {ok_tra, "", "", "0=\"init\"\n1: 3\n", "m.lab:2: field 'label': '3' is not a declared label number (0..0)"},
        {ok_tra, "", "", "init\n", "m.lab:1: field 'labels': expected N=\"name\", got 'init'"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.tra);
        CAPTURE(c.srew);
        CAPTURE(c.trew);
        CAPTURE(c.lab);
        const auto tra = write_set(dir, c.tra, c.srew, c.trew, c.lab);
        CHECK_THROWS_WITH_AS(read_prism(tra, 0.9), doctest::Contains(c.expected), InputError);
    }
    // A missing .tra is an I/O error; a discount outside [0, 1] is invalid input.
    CHECK_THROWS_AS(read_prism(dir / "none.tra", 0.9), IoError);
    CHECK_THROWS_WITH_AS(read_prism(write_set(dir, ok_tra), 1.5), doctest::Contains("discount must be in [0, 1]"), InputError);
    // Discount 1 needs every policy to reach a deadlock: 1 -> 0 -> {0, 1} can loop forever.
    CHECK_THROWS_WITH_AS(read_prism(write_set(dir, ok_tra), 1.0), doctest::Contains("discount 1 needs every policy"), InputError);
}

TEST_CASE("a header declaring more states than memory holds is refused before any allocation") {
    // Formerly 10^9 states allocated 5.8 GB for this four-line file. 2^31 - 1 states need 137 GB at
    // ModelBuilder::kBytesPerState, more than any test machine has.
    const auto dir = test::temp_dir("prism-huge");
    const auto f = write_set(dir, "2147483647 1 1\n0 0 0 1\n");
    CHECK_THROWS_WITH_AS(read_prism(f, 0.9), doctest::Contains("field 'states': 2147483647 states need about"), InputError);
}
