#pragma once
// Stochastic policies, stored per row of the model (pi(a|s) for each available (s, a)):
// built-ins (uniform, greedy(Q), softmax(Q/alpha)). Policy and weights files: io/policy_reader.hpp.
#include <span>
#include <vector>

#include "softmdp/core/model.hpp"

namespace softmdp {

std::vector<double> uniform_policy(const Model& m);
// All mass on the first maximiser of q(s, .) (q per row).
std::vector<double> greedy_policy(const Model& m, std::span<const double> q);
// softmax(q(s, .) / alpha); greedy at alpha = 0.
std::vector<double> softmax_policy(const Model& m, std::span<const double> q, double alpha);

}  // namespace softmdp
