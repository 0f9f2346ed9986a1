#pragma once
// Stochastic policies, stored per row of the model (pi(a|s) for each available (s, a)):
// built-ins (uniform, greedy(Q), softmax(Q/alpha)). Policy and weights files: io/policy_reader.hpp.
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "softmdp/core/model.hpp"
#include "softmdp/core/solution.hpp"

namespace softmdp {

std::vector<double> uniform_policy(const Model& m);
// All mass on the first maximiser of q(s, .) (q per row).
std::vector<double> greedy_policy(const Model& m, std::span<const double> q);
// softmax(q(s, .) / alpha); greedy at alpha = 0.
std::vector<double> softmax_policy(const Model& m, std::span<const double> q, double alpha);

// The policies named by a word (the CLI's --policy, Python's policy="..."): "uniform"; "greedy", in the
// hard optimal Q*; "softmax", softmax(Q*_soft/alpha) = the soft optimum at alpha (needs alpha > 0).
// The optimal Q comes from solve() with default_method and `opt`.
bool is_named_policy(std::string_view name) noexcept;
std::vector<double> named_policy(std::string_view name, const Model& m, double alpha, const SolverOptions& opt);

// A policy and how it was chosen (the "policy" and "alpha" fields of the occupancy and trajectories
// documents).
struct ChosenPolicy {
    std::vector<double> pi;       // per row
    std::string source;           // e.g. "uniform", "soft-optimal at alpha 0.5", a file name
    std::optional<double> alpha;  // its temperature, when it has one
};
// The policy a command runs when given only a temperature: the soft optimum at alpha > 0, the greedy
// optimal policy at alpha = 0.
ChosenPolicy optimal_policy(const Model& m, double alpha, const SolverOptions& opt);
// named_policy(name) with its source (alpha recorded for "softmax").
ChosenPolicy chosen_named_policy(std::string_view name, const Model& m, double alpha, const SolverOptions& opt);

}  // namespace softmdp
