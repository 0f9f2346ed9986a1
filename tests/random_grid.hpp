#pragma once
// A random local model for the solver tests (test_solve.cpp, test_policy_evaluation.cpp).
#include <algorithm>
#include <random>
#include <vector>

#include "softmdp/core/model.hpp"
#include "softmdp/core/model_builder.hpp"

namespace softmdp::test {

// An n x n grid whose actions (up, down, left, right) move as intended with a random probability
// in [0.6, 0.9], else to a random other neighbour or stay; rewards uniform in [-1, 1]; the states
// in `terminal` have no actions. Transitions reach only s +- 1 and s +- n: bandwidth n, the local
// models whose exact evaluations run as band eliminations.
inline Model random_grid(std::size_t n, double gamma, unsigned seed, const std::vector<std::size_t>& terminal = {}) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    ModelBuilder b;
    b.set_discount(gamma);
    b.set_state_count(n * n);
    b.set_action_count(4);
    const int moves[4][2] = {{-1, 0}, {1, 0}, {0, -1}, {0, 1}};
    for (std::size_t s = 0; s < n * n; ++s) {
        if (std::find(terminal.begin(), terminal.end(), s) != terminal.end()) continue;
        const auto y = static_cast<int>(s / n), x = static_cast<int>(s % n);
        const auto to = [&](int a) {
            const int yy = std::clamp(y + moves[a][0], 0, static_cast<int>(n) - 1), xx = std::clamp(x + moves[a][1], 0, static_cast<int>(n) - 1);
            return static_cast<std::size_t>(yy) * n + static_cast<std::size_t>(xx);
        };
        for (int a = 0; a < 4; ++a) {
            const double p = 0.6 + 0.3 * u(rng);
            std::vector<double> w(n * n, 0.0);
            w[to(a)] += p;
            w[to(static_cast<int>(rng() % 4))] += (1.0 - p) * 0.5;
            w[s] += (1.0 - p) * 0.5;
            b.begin_entry();
            b.entry_state(Ref::at(s));
            b.entry_action(Ref::at(static_cast<std::uint64_t>(a)));
            b.entry_reward(2.0 * u(rng) - 1.0);
            for (std::size_t t = 0; t < n * n; ++t)
                if (w[t] > 0.0) b.entry_next(Ref::at(t), w[t]);
            b.end_entry();
        }
    }
    return b.build();
}

}  // namespace softmdp::test
