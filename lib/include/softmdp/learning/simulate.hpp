#pragma once
// Episodes of a policy in a model: s_0 ~ p0, a_t ~ pi(.|s_t), s_{t+1} ~ p(.|s_t,a_t), until a
// terminal state or the horizon. Reproducible: episode k draws from its own stream (random.hpp's
// stream_seed(seed, k)), so the episodes do not depend on how many others are drawn.
#include <cstdint>
#include <span>
#include <vector>

#include "softmdp/core/model.hpp"

namespace softmdp {

struct Trajectory {
    std::vector<StateId> states;    // s_0 .. s_{T-1}
    std::vector<ActionId> actions;  // a_0 .. a_{T-1}
    StateId final_state = 0;        // s_T
    bool terminated = false;        // s_T is terminal (else the horizon cut the episode)
    double discounted_return = 0.0; // sum_t gamma^t r(s_t, a_t, s_{t+1}), sampled rewards
};

struct SimulateOptions {
    std::uint64_t episodes = 100;
    std::uint64_t horizon = 100;  // steps per episode at most
    std::uint64_t seed = 0;
};

// pi: a per-row policy (stationary), or horizon x rows (time-indexed, pi_t at [t * rows, ...)).
// Throws UsageError for options or sizes, InputError for a bad policy.
std::vector<Trajectory> simulate(const Model& m, std::span<const double> pi, const SimulateOptions& opt);

}  // namespace softmdp
