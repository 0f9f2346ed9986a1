// Tabular soft Q-learning against the exact soft optimum.
#include <doctest/doctest.h>

#include "softmdp/core/errors.hpp"
#include "softmdp/learning/soft_q_learning.hpp"
#include "softmdp/solvers/solve.hpp"
#include "test_helpers.hpp"

using namespace softmdp;

TEST_CASE("deterministic MDP, learning rate 1: asynchronous soft value iteration, converges to Q* exactly") {
    // With deterministic transitions and rewards and lr = 1 every update sets Q(s,a) to its soft
    // Bellman target: asynchronous value iteration, a gamma-contraction, so Q -> Q* to rounding.
    const Model m = test::example("chain2.json");
    LearnOptions o;
    o.alpha = 1.0;
    o.steps = 20000;
    o.schedule = LearnOptions::Schedule::constant;
    o.learning_rate = 1.0;
    const auto r = soft_q_learning(m, o);
    REQUIRE(r.curve.front().step == 0);
    CHECK(r.curve.back().step == 20000);
    CHECK(r.curve.back().q_error <= 1e-9);
    // J of the learned soft policy is then J* = V*_soft(A) (p0 = A), from the exact solver.
    CHECK(r.curve.back().objective == doctest::Approx(solve(m, "soft-pi", 1.0).values[0]).epsilon(1e-9));
}

TEST_CASE("stochastic MDP: Robbins-Monro steps drive the error down; seeds reproduce curves") {
    const Model m = test::example("forest.json");
    LearnOptions o;
    o.alpha = 0.5;
    o.steps = 200000;
    o.curve_points = 4;
    for (std::uint64_t seed : {1, 2, 3}) {
        o.seed = seed;
        const auto r = soft_q_learning(m, o);
        CAPTURE(seed);
        // From Q = 0 the error starts at max |Q*| (about 33.5). With lr = 1/n^0.6 the noise of the
        // final iterate scales like n^-0.3 per pair: measured 0.05 to 0.3 after 200000 steps over seeds,
        // so 1% of the initial error leaves a margin of about 1.5x.
        CHECK(r.curve.back().q_error < 0.01 * r.curve.front().q_error);
    }
    o.seed = 7;
    const auto a = soft_q_learning(m, o), b = soft_q_learning(m, o);
    REQUIRE(a.curve.size() == b.curve.size());
    for (std::size_t i = 0; i < a.curve.size(); ++i) CHECK(a.curve[i].q_error == b.curve[i].q_error);
    o.seed = 8;
    CHECK(soft_q_learning(m, o).curve.back().q_error != a.curve.back().q_error);
}

TEST_CASE("every behaviour, target refresh and horizon converge to Q* on a deterministic MDP with lr 1") {
    // lr = 1 on deterministic dynamics makes every update a soft Bellman backup of the target table:
    // asynchronous soft value iteration with delayed targets, still a gamma-contraction as long as
    // every pair keeps being visited (epsilon-greedy and soft behaviours explore chain2's 4 pairs).
    const Model m = test::example("chain2.json");
    for (auto beh : {LearnOptions::Behaviour::uniform, LearnOptions::Behaviour::epsilon_greedy, LearnOptions::Behaviour::soft}) {
        LearnOptions o;
        o.alpha = 1.0;
        o.steps = 40000;
        o.behaviour = beh;
        o.epsilon = 0.3;
        o.schedule = LearnOptions::Schedule::constant;
        o.target_every = 7;
        o.horizon = 25;
        o.seed = 5;
        o.initial_q = 30.0;  // above every Q* (<= (2 + log 2)/(1 - 0.9) = 26.9): the soft behaviour tries all
        const auto r = soft_q_learning(m, o);
        CAPTURE(static_cast<int>(beh));
        CHECK(r.curve.back().q_error <= 1e-9);
        CHECK(r.episodes >= 40000 / 25);  // restarts at the horizon (chain2 has no terminal state)
    }
}

TEST_CASE("a soft behaviour from Q = 0 leaves actions untried; optimistic initial values explore them") {
    // Forest at alpha 0.5: Q* spans about 33 between actions, so softmax(Q/alpha) from Q = 0 soon
    // commits to the actions first rewarded and the others keep Q = 0 (error ~ max |Q*|). Starting
    // above every Q* (rewards <= 4, so Q* <= (4 + alpha log 2)/(1 - gamma) ~ 43.5) makes each untried
    // action look best until tried.
    const Model m = test::example("forest.json");
    LearnOptions o;
    o.alpha = 0.5;
    o.steps = 200000;
    o.behaviour = LearnOptions::Behaviour::soft;
    o.curve_points = 2;
    o.seed = 3;
    for (std::uint64_t seed : {1, 2, 3, 4}) {
        o.seed = seed;
        o.initial_q = 0.0;
        const auto zero = soft_q_learning(m, o);
        o.initial_q = 50.0;
        const auto optimistic = soft_q_learning(m, o);
        CAPTURE(seed);
        // Measured over seeds 1-4: 25.6 to 33.5 from 0; 1.7 to 2.0 optimistic (the residue is on pairs
        // the soft policy gives e^-30 once Q has settled, which then stop being updated): 3 leaves 1.5x.
        CHECK(zero.curve.back().q_error > 10.0);
        CHECK(optimistic.curve.back().q_error < 3.0);
    }
}

TEST_CASE("learn validates its options") {
    const Model m = test::example("chain2.json");
    LearnOptions o;
    o.omega = 0.4;
    CHECK_THROWS_AS(soft_q_learning(m, o), UsageError);
    o.omega = 0.6;
    o.learning_rate = 0.0;
    CHECK_THROWS_AS(soft_q_learning(m, o), UsageError);
}
