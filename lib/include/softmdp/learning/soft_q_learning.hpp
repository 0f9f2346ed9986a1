#pragma once
// Tabular soft Q-learning from simulated transitions (Soft Q-Learning, section 3.2, made runnable):
// stochastic updates of J_Q(theta) = sum_s p(s) sum_a mu(a|s) (Q_hat(s,a) - Q(s,a))^2,
//   Q(s,a) += lr (r + gamma V_target(s') - Q(s,a)),  V_target(s') = alpha logsumexp(Q_target(s',.)/alpha)
// with the target table Q_target refreshed every K steps (K = 1: plain soft Q-learning).
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "softmdp/core/model.hpp"

namespace softmdp {

struct LearnOptions {
    double alpha = 1.0;
    std::uint64_t steps = 100000;
    std::uint64_t seed = 0;
    enum class Behaviour { uniform, epsilon_greedy, soft } behaviour = Behaviour::uniform;
    double epsilon = 0.1;
    enum class Schedule { constant, power } schedule = Schedule::power;
    double learning_rate = 1.0;  // constant: lr; power: lr / n(s,a)^omega
    double omega = 0.6;
    std::uint64_t target_every = 1;  // K
    std::uint64_t horizon = 1000;    // episode length before a restart from p0
    std::uint64_t curve_points = 20; // points of the learning curve after step 0
    double initial_q = 0.0;          // Q(s,a) before learning; optimistic values make a soft behaviour
                                     // try every action (from 0 it may never leave the first good one)
    std::function<void(std::uint64_t step)> progress;
};

// The names of the behaviours and schedules (as the CLI's --behaviour and --schedule spell them).
std::string_view to_string(LearnOptions::Behaviour b);
std::string_view to_string(LearnOptions::Schedule s);

struct LearnPoint {
    std::uint64_t step = 0;
    double q_error = 0.0;    // ||Q - Q*_soft||_inf over available (s, a)
    double objective = 0.0;  // J of the current soft policy softmax(Q/alpha), exact soft evaluation
};

struct LearnResult {
    std::vector<double> q;          // per row
    std::vector<double> q_star;     // per row, the exact soft optimum
    std::vector<LearnPoint> curve;  // first point at step 0
    std::uint64_t episodes = 0;
};

// Throws UsageError for invalid options.
LearnResult soft_q_learning(const Model& m, const LearnOptions& opt);

}  // namespace softmdp
