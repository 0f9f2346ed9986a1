#pragma once
// Shared by the occupancy, gradient and IRL tests: dense references written independently of the
// library, and a small gridworld whose reward is linear in known state features.
#include <cmath>
#include <span>
#include <vector>

#include "softmdp/analysis/features.hpp"
#include "softmdp/core/model.hpp"
#include "softmdp/core/model_builder.hpp"
#include "test_helpers.hpp"

namespace softmdp::test {

// Dense P_pi (S x S, row-major) of a per-row policy, terminal rows all zero.
inline std::vector<double> dense_p_pi(const Model& m, std::span<const double> pi) {
    const std::size_t S = m.num_states();
    std::vector<double> P(S * S, 0.0);
    for (std::size_t s = 0; s < S; ++s)
        for (Offset r = m.row_first(s); r < m.row_last(s); ++r)
            for (const auto& t : m.transitions(r)) P[s * S + t.next] += pi[r] * t.prob();
    return P;
}

// x = (I - gamma P_pi^T)^-1 rho by dense Gaussian elimination (test_helpers' dense_solve).
inline std::vector<double> dense_state_occupancy(const Model& m, std::span<const double> pi, std::span<const double> rho) {
    const std::size_t S = m.num_states();
    const auto P = dense_p_pi(m, pi);
    std::vector<double> A(S * S, 0.0);
    for (std::size_t i = 0; i < S; ++i)
        for (std::size_t j = 0; j < S; ++j) A[i * S + j] = (i == j ? 1.0 : 0.0) - m.discount() * P[j * S + i];
    return dense_solve(A, {rho.begin(), rho.end()});
}

// A rows x cols gridworld: actions up, down, left, right move with probability 1 - slip (else stay);
// reward r(s) = phi(s) . w with per-state features (goal indicator, trap indicator, column/cols,
// row/rows); uniform p0 so demonstrations visit every state; no terminal states.
struct FeatureGrid {
    Model model;
    Features features;
    std::vector<double> true_weights;
};

inline FeatureGrid feature_grid(std::size_t rows, std::size_t cols, double gamma, std::vector<double> w, double slip = 0.1) {
    const std::size_t S = rows * cols, K = 4;
    std::vector<double> table(S * K, 0.0);
    const std::size_t goal = S - 1, trap = cols + 1;
    for (std::size_t s = 0; s < S; ++s) {
        table[s * K + 0] = s == goal ? 1.0 : 0.0;
        table[s * K + 1] = s == trap ? 1.0 : 0.0;
        table[s * K + 2] = static_cast<double>(s % cols) / static_cast<double>(cols);
        table[s * K + 3] = static_cast<double>(s / cols) / static_cast<double>(rows);
    }
    ModelBuilder b;
    b.set_name("feature-grid");
    b.set_discount(gamma);
    b.set_state_count(S);
    b.set_action_count(4);
    b.set_action_names({"up", "down", "left", "right"});
    b.set_initial(std::vector<double>(S, 1.0 / static_cast<double>(S)));
    for (std::size_t s = 0; s < S; ++s) {
        const std::size_t r = s / cols, c = s % cols;
        double reward = 0.0;
        for (std::size_t k = 0; k < K; ++k) reward += table[s * K + k] * w[k];
        for (std::size_t a = 0; a < 4; ++a) {
            std::size_t nr = r, nc = c;
            if (a == 0 && r > 0) --nr;
            if (a == 1 && r + 1 < rows) ++nr;
            if (a == 2 && c > 0) --nc;
            if (a == 3 && c + 1 < cols) ++nc;
            const std::size_t next = nr * cols + nc;
            b.begin_entry();
            b.entry_state(Ref::at(s));
            b.entry_action(Ref::at(a));
            b.entry_reward(reward);
            if (next == s) {
                b.entry_next(Ref::at(s), 1.0);
            } else {
                b.entry_next(Ref::at(next), 1.0 - slip);
                b.entry_next(Ref::at(s), slip);
            }
            b.end_entry();
        }
    }
    Model m = b.build();
    Features phi(m, Features::Kind::per_state, K, table, {"goal", "trap", "column", "row"});
    return {std::move(m), std::move(phi), std::move(w)};
}

}  // namespace softmdp::test
