#pragma once
// Stochastic policies, stored per row of the model (pi(a|s) for each available (s, a)):
// built-ins (uniform, greedy(Q), softmax(Q/alpha)) and softmdp-policy/1 files; weights over states.
#include <filesystem>
#include <span>
#include <vector>

#include "softmdp/core/model.hpp"

namespace softmdp {

std::vector<double> uniform_policy(const Model& m);
// All mass on the first maximiser of q(s, .) (q per row).
std::vector<double> greedy_policy(const Model& m, std::span<const double> q);
// softmax(q(s, .) / alpha); greedy at alpha = 0.
std::vector<double> softmax_policy(const Model& m, std::span<const double> q, double alpha);

// Reads a softmdp-policy/1 file, or the "policy" of a softmdp-result/1 or softmdp-irl/1 file:
//   "policy": per state (array over states, or object {state name: ...}), either an array of
//   probabilities over all actions, or an object {action name or index: probability}.
// Terminal states may be omitted or null. Checks sizes, names, and sums. Throws InputError.
std::vector<double> read_policy(const std::filesystem::path& file, const Model& m);

// Reads a softmdp-weights/1 file, weights over states (e.g. the state weights p of the soft Bellman
// residuals): {"format": "softmdp-weights/1", "weights": array over states, or object {state: w}
// (unlisted states 0)}. Weights are finite and >= 0, not all 0; returned normalised to sum 1.
std::vector<double> read_state_weights(const std::filesystem::path& file, const Model& m);

}  // namespace softmdp
