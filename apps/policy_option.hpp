#pragma once
// The policy a command runs or measures: --policy uniform | greedy | softmax | FILE, or the soft
// optimum of --alpha alone (evaluate, occupancy, simulate). The named policies and the optimum are
// the library's (analysis/policy.hpp); this only reads the options and the policy file.
#include <string>
#include <vector>

#include "cli.hpp"
#include "softmdp/analysis/policy.hpp"

namespace softmdp::cli {

// --policy SPEC at temperature alpha: a named policy (named_policy) or a softmdp-policy/1 or
// softmdp-result/1 file.
std::vector<double> policy_from_option(const std::string& spec, const Model& m, double alpha, const SolverOptions& opt);

// --policy P, or without it the soft-optimal policy at --alpha (greedy optimal at --alpha 0).
// UsageError when neither is given.
ChosenPolicy chosen_policy(const po::variables_map& vm, const Model& m, const SolverOptions& opt);

}  // namespace softmdp::cli
