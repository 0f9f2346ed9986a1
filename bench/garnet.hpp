#pragma once
// The in-memory Garnet of the sweep benchmarks (bench_sweep.cpp, ab/side.cpp): S states, A actions,
// B successors per row drawn uniformly (repeats allowed), Dirichlet(1) probabilities, rewards
// uniform in [0, 1), gamma = 0.99, every array built directly (no file).
#include <algorithm>
#include <cstdint>
#include <vector>

#include "softmdp/core/model.hpp"
#include "softmdp/core/random.hpp"

namespace bench {

inline softmdp::Model garnet(std::size_t S, std::size_t A, std::size_t B, std::uint64_t seed) {
    using namespace softmdp;
    Rng rng(seed);
    ModelData d;
    d.discount = 0.99;
    d.num_states = S;
    d.num_actions = A;
    d.initial.assign(S, 1.0 / static_cast<double>(S));
    d.state_begin.resize(S + 1);
    d.row_begin.push_back(0);
    std::vector<double> cuts(B + 1);
    for (std::size_t s = 0; s < S; ++s) {
        d.state_begin[s] = s * A;
        for (std::size_t a = 0; a < A; ++a) {
            d.row_action.push_back(static_cast<ActionId>(a));
            d.row_reward.push_back(rng.uniform());
            cuts[0] = 0.0;
            cuts[B] = 1.0;
            for (std::size_t k = 1; k < B; ++k) cuts[k] = rng.uniform();
            std::sort(cuts.begin(), cuts.end());
            for (std::size_t k = 0; k < B; ++k) d.transitions.push_back({static_cast<StateId>(rng.index(S)), cuts[k + 1] - cuts[k]});
            d.row_begin.push_back(d.transitions.size());
        }
    }
    d.state_begin[S] = S * A;
    return Model(std::move(d));
}

}  // namespace bench
