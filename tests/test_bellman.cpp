// The Bellman kernels (bellman.hpp) against the backup written out state by state with std::exp and
// std::log, on models whose action counts take every path of the chunk kernels: uniform counts
// (the unrolled max and log-sum-exp for 1..6 and 8 actions), other uniform counts, mixed counts and
// terminal states, states with more rows than a chunk; rows with varying and with equal numbers of
// successors (the unrolled Q for 1..6 and 8).
#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <vector>

#include "softmdp/solvers/bellman.hpp"
#include "softmdp/core/random.hpp"

using namespace softmdp;

namespace {

// S states; state s has counts[s % counts.size()] actions (0: terminal), each with `successors`
// random successors (0: 1 to 3 of them), rewards in [-5, 5).
Model random_model(std::size_t S, const std::vector<std::size_t>& counts, std::uint64_t seed, std::size_t successors = 0) {
    Rng rng(seed);
    ModelData d;
    d.discount = 0.9;
    d.num_states = S;
    d.num_actions = 0;
    d.initial.assign(S, 1.0 / static_cast<double>(S));
    d.row_begin.push_back(0);
    for (std::size_t s = 0; s < S; ++s) {
        d.state_begin.push_back(d.row_action.size());
        const std::size_t A = counts[s % counts.size()];
        d.num_actions = std::max(d.num_actions, A);
        for (std::size_t a = 0; a < A; ++a) {
            d.row_action.push_back(static_cast<ActionId>(a));
            d.row_reward.push_back(rng.uniform(-5.0, 5.0));
            const std::size_t B = successors > 0 ? successors : 1 + rng.index(3);
            for (std::size_t k = 0; k < B; ++k) d.transitions.emplace_back(static_cast<StateId>(rng.index(S)), 1.0 / static_cast<double>(B));
            d.row_begin.push_back(d.transitions.size());
        }
    }
    d.state_begin.push_back(d.row_action.size());
    d.num_actions = std::max<std::size_t>(d.num_actions, 1);
    return Model(std::move(d));
}

// TV(s) = alpha log sum_a exp(Q_V(s,a)/alpha) (max at alpha = 0), 0 at terminal states, by hand.
std::vector<double> backup_by_hand(const Model& m, const std::vector<double>& V, double alpha) {
    std::vector<double> TV(m.num_states(), 0.0);
    for (std::size_t s = 0; s < m.num_states(); ++s) {
        if (m.is_terminal(s)) continue;
        std::vector<double> q;
        for (Offset r = m.row_first(s); r < m.row_last(s); ++r) {
            double acc = 0.0;
            for (const Transition& t : m.transitions(r)) acc += t.prob() * V[t.next];
            q.push_back(m.row_reward(r) + m.discount() * acc);
        }
        double mx = q[0];
        for (double x : q) mx = std::max(mx, x);
        if (alpha == 0.0) {
            TV[s] = mx;
            continue;
        }
        double sum = 0.0;
        for (double x : q) sum += std::exp((x - mx) / alpha);
        TV[s] = mx + alpha * std::log(sum);
    }
    return TV;
}

}  // namespace

TEST_CASE("a Jacobi sweep is the state-by-state backup, for every pattern of action counts") {
    const std::vector<std::vector<std::size_t>> patterns = {{1}, {2}, {3}, {4}, {5}, {6}, {7}, {8}, {9},
                                                            {4, 4, 0, 4}, {2, 5, 1, 3}, {3, 0}, {1200, 1, 4}};
    // Successors per row: 1 to 3 (the general loop), or the same number for every row (unrolled for
    // 1 and 5, not for 7).
    for (const auto& counts : patterns) {
        for (const std::size_t successors : {0, 1, 5, 7}) {
            const Model m = random_model(counts[0] == 1200 ? 40 : 700, counts, 7 + counts.size(), successors);
            CHECK(m.uniform_actions() == (counts.size() == 1 ? counts[0] : 0));  // decide the kernels' paths
            CHECK(m.uniform_successors() == successors);
            Rng rng(3);
            std::vector<double> V(m.num_states());
            for (std::size_t s = 0; s < V.size(); ++s) V[s] = m.is_terminal(s) ? 0.0 : rng.uniform(-20.0, 20.0);
            for (double alpha : {0.0, 1e-3, 1.0, 1e3}) {
                const auto expected = backup_by_hand(m, V, alpha);
                for (int threads : {1, 2}) {
                    std::vector<double> TV(m.num_states());
                    const SweepStats st =
                        alpha == 0.0 ? jacobi_sweep(m, HardMax{}, V, TV, threads) : jacobi_sweep(m, LogSumExp{alpha}, V, TV, threads);
                    CAPTURE(counts.size());
                    CAPTURE(counts[0]);
                    CAPTURE(successors);
                    CAPTURE(alpha);
                    double lo = INFINITY, hi = -INFINITY;
                    for (std::size_t s = 0; s < TV.size(); ++s) {
                        // fast_exp/fast_log are within 2 ulp of libm; the sum of A terms and alpha log
                        // then differ by a few ulp of max(|TV|, alpha log A).
                        const double scale = std::abs(expected[s]) + alpha * std::log(10.0 + m.num_available(s));
                        CHECK(std::abs(TV[s] - expected[s]) <= 1e-14 * scale);
                        if (alpha == 0.0) CHECK(TV[s] == expected[s]);
                        lo = std::min(lo, TV[s] - V[s]);
                        hi = std::max(hi, TV[s] - V[s]);
                    }
                    CHECK(st.lo == lo);
                    CHECK(st.hi == hi);
                }
            }
        }
    }
}

TEST_CASE("the unrolled uniform-action log-sum-exp gives the same bits as the general passes") {
    // The same 300 four-action states, alone (every chunk uniform) and followed by a terminal state
    // (the last chunk, states 256..300, then takes the general passes).
    const Model uniform = random_model(300, {4}, 11);
    ModelData d = uniform.data();
    d.num_states += 1;
    d.state_begin.push_back(d.state_begin.back());
    d.initial.assign(d.num_states, 1.0 / static_cast<double>(d.num_states));
    const Model mixed(std::move(d));
    Rng rng(5);
    std::vector<double> V(301, 0.0);
    for (std::size_t s = 0; s < 300; ++s) V[s] = rng.uniform(-20.0, 20.0);
    for (double alpha : {1e-3, 1.0, 1e3}) {
        std::vector<double> a(300), b(301);
        jacobi_sweep(uniform, LogSumExp{alpha}, std::span<const double>(V.data(), 300), a, 1);
        jacobi_sweep(mixed, LogSumExp{alpha}, V, b, 1);
        CHECK(b[300] == 0.0);
        for (std::size_t s = 0; s < 300; ++s) CHECK(std::bit_cast<std::uint64_t>(a[s]) == std::bit_cast<std::uint64_t>(b[s]));
    }
}

TEST_CASE("resolution_reason suggests a finite tolerance, or none when the resolution is not finite") {
    CHECK(resolution_reason(1e-12, 1e-10).find("use --tolerance 4e-10 or larger") != std::string::npos);
    const std::string huge = resolution_reason(1e-8, 1e308);  // 4 * 1e308 overflows: never "--tolerance inf"
    CHECK(huge.find("inf") == std::string::npos);
    CHECK(huge.find("rescale the rewards") != std::string::npos);
}
