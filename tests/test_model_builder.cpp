// ModelBuilder: the programmatic way to build validated models, and the gamma = 1 check.
#include <doctest/doctest.h>

#include <cmath>

#include "softmdp/core/errors.hpp"
#include "softmdp/core/model_builder.hpp"

using namespace softmdp;

TEST_CASE("entries in any order become sorted CSR rows") {
    ModelBuilder b("api");
    b.set_discount(0.5);
    b.set_state_names({"a", "b", "c"});
    b.set_action_count(3);
    b.add(Ref::named("c"), Ref::at(2), 1.0, {{Ref::named("a"), 1.0}});
    b.add(Ref::named("a"), Ref::at(1), 2.0, {{Ref::named("b"), 0.5}, {Ref::named("c"), 0.5, 4.0}});
    b.add(Ref::named("a"), Ref::at(0), 3.0, {{Ref::named("a"), 1.0}});
    const Model m = b.build();
    CHECK(m.num_rows() == 3);
    CHECK(m.row_first(0) == 0);
    CHECK(m.row_last(0) == 2);
    CHECK(m.row_action(0) == 0);
    CHECK(m.row_reward(0) == 3.0);
    CHECK(m.row_action(1) == 1);
    CHECK(m.row_reward(1) == 2.0 + 0.5 * 4.0);
    CHECK(m.successor_rewards(1)[1] == 4.0);
    CHECK(m.is_terminal(1));
    CHECK(m.row_action(2) == 2);
    CHECK(m.transitions(2)[0].next == 0);
    CHECK(m.max_actions_per_state() == 2);
    CHECK(m.num_terminal() == 1);
}

TEST_CASE("models without per-successor rewards store none") {
    ModelBuilder b;
    b.set_discount(0.9);
    b.set_state_count(1);
    b.set_action_count(1);
    b.add(Ref::at(0), Ref::at(0), 1.0, {{Ref::at(0), 1.0}});
    const Model m = b.build();
    CHECK(m.successor_rewards(0).empty());
    CHECK(m.data().next_reward.empty());
}

TEST_CASE("builder errors name the entry and field") {
    ModelBuilder b("api");
    b.set_discount(0.9);
    b.set_state_count(2);
    b.set_action_count(1);
    b.add(Ref::at(0), Ref::at(0), 0.0, {{Ref::at(1), 1.0}});
    b.add(Ref::at(1), Ref::at(0), 0.0, {{Ref::at(2), 1.0}});
    try {
        b.build();
        FAIL("expected an error");
    } catch (const InputError& e) {
        CHECK(std::string(e.what()) == "api: transitions[1] (s=1, a=0): field 'next[0][0]': state index 2 is out of range (there are 2 states)");
        CHECK(e.location().field == "next[0][0]");
    }
    ModelBuilder c;
    CHECK_THROWS_AS(c.set_discount(std::nan("")), InputError);
    CHECK_THROWS_AS(c.set_state_count(ModelBuilder::kMaxStates + 1), InputError);
    c.set_discount(0.9);
    c.set_state_count(1);
    c.set_action_count(1);
    CHECK_THROWS_WITH_AS(c.add(Ref::at(0), Ref::at(0), INFINITY, {{Ref::at(0), 1.0}}), doctest::Contains("reward must be finite"),
                         InputError);
}

TEST_CASE("a state count the machine cannot hold is refused up front, not by a failed allocation") {
    // 2^31 - 1 states need ~137 GB at kBytesPerState; this holds on any machine with less memory.
    ModelBuilder b("big.json");
    CHECK_THROWS_WITH_AS(b.set_state_count(ModelBuilder::kMaxStates), doctest::Contains("GiB of memory"), InputError);
    CHECK_NOTHROW(b.set_state_count(1'000'000));
}

TEST_CASE("find_improper_state: a long chain that terminates, and one escape into a loop") {
    const std::size_t n = 20000;  // a quadratic algorithm would take seconds here
    for (bool loop : {false, true}) {
        ModelBuilder b;
        b.set_discount(loop ? 0.99 : 1.0);
        b.set_state_count(n + 1);  // state n is terminal
        b.set_action_count(2);
        for (std::size_t s = 0; s < n; ++s) {
            b.add(Ref::at(s), Ref::at(0), -1.0, {{Ref::at(s + 1), 1.0}});
            if (loop && s == n / 2) b.add(Ref::at(s), Ref::at(1), 0.0, {{Ref::at(s), 0.5}, {Ref::at(s - 1), 0.5}});
        }
        const Model m = b.build();
        // With the escape, states n/2 - 1 and n/2 can cycle forever; everything before them can walk into the cycle.
        CHECK(find_improper_state(m) == (loop ? 0 : m.num_states()));
        if (loop) {
            ModelBuilder again;
            again.set_discount(1.0);
            again.set_state_count(3);
            again.set_action_count(2);
            again.add(Ref::at(0), Ref::at(0), 0.0, {{Ref::at(2), 1.0}});
            again.add(Ref::at(1), Ref::at(0), 0.0, {{Ref::at(1), 1.0}});
            CHECK_THROWS_WITH_AS(again.build(), doctest::Contains("from state 1 some policy never terminates"), InputError);
        }
    }
}

TEST_CASE("an action count that no name and no entry backs is refused: results list every action") {
    // 10^8 actions in a 170-byte file formerly made a 2.5 GB result (Q and pi over every action).
    const auto build = [](std::uint64_t actions) {
        ModelBuilder b("a.json");
        b.set_discount(0.9);
        b.set_state_count(1);
        b.set_action_count(actions);
        b.add(Ref::at(0), Ref::at(0), 1.0, {{Ref::at(0), 1.0}});
        return b.build();
    };
    CHECK_THROWS_WITH_AS(build(100'000'000), doctest::Contains("a.json: field 'actions': 100000000 actions, but the file has 1 transition entries"),
                         InputError);
    CHECK_THROWS_AS(build(ModelBuilder::kFreeActions + 1), InputError);
    CHECK(build(ModelBuilder::kFreeActions).num_actions() == ModelBuilder::kFreeActions);
}

TEST_CASE("state_count_error: what set_state_count and the PRISM reader refuse, before allocating") {
    CHECK(ModelBuilder::state_count_error(0) == "the state set is empty");
    CHECK(ModelBuilder::state_count_error(ModelBuilder::kMaxStates + 1).find("more than the limit") != std::string::npos);
    CHECK(ModelBuilder::state_count_error(1'000'000).empty());
}
