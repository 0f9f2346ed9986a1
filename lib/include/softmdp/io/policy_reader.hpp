#pragma once
// Readers of per-state distributions for a model: softmdp-policy/1 files (or the "policy" of a
// softmdp-result/1 file) and softmdp-weights/1 files. The policies themselves (uniform, greedy,
// softmax) are in analysis/policy.hpp.
#include <filesystem>
#include <vector>

#include "softmdp/core/model.hpp"

namespace softmdp {

// Reads a softmdp-policy/1 file, or the "policy" of a softmdp-result/1 or softmdp-irl/1 file:
//   "policy": per state (array over states, or object {state name: ...}), either an array of
//   probabilities over all actions, or an object {action name or index: probability}.
// Terminal states may be omitted or null. Checks sizes, names, and sums. Returns pi per row of the
// model. Throws InputError.
std::vector<double> read_policy(const std::filesystem::path& file, const Model& m);

// Reads a softmdp-weights/1 file, weights over states (e.g. the state weights p of the soft Bellman
// residuals): {"format": "softmdp-weights/1", "weights": array over states, or object {state: w}
// (unlisted states 0)}. Weights are finite and >= 0, not all 0; returned normalised to sum 1.
std::vector<double> read_state_weights(const std::filesystem::path& file, const Model& m);

}  // namespace softmdp
