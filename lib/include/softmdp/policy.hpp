#pragma once
// Stochastic policies, stored per row of the model (pi(a|s) for each available (s, a)):
// built-ins (uniform, greedy(Q), softmax(Q/alpha)) and softmdp-policy/1 files.
#include <filesystem>
#include <span>
#include <vector>

#include "softmdp/model.hpp"

namespace softmdp {

std::vector<double> uniform_policy(const Model& m);
// All mass on the first maximiser of q(s, .) (q per row).
std::vector<double> greedy_policy(const Model& m, std::span<const double> q);
// softmax(q(s, .) / alpha); greedy at alpha = 0.
std::vector<double> softmax_policy(const Model& m, std::span<const double> q, double alpha);

// Reads a softmdp-policy/1 file, or the "policy" of a softmdp-result/1 file:
//   "policy": per state (array over states, or object {state name: ...}), either an array of
//   probabilities over all actions, or an object {action name or index: probability}.
// Terminal states may be omitted or null. Checks sizes, names, and sums. Throws InputError.
std::vector<double> read_policy(const std::filesystem::path& file, const Model& m);

}  // namespace softmdp
