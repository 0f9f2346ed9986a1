#pragma once
// The policy a command runs or measures: --policy uniform | greedy | softmax | FILE, or the soft
// optimum of --alpha alone (evaluate, occupancy, simulate).
#include <optional>
#include <string>
#include <vector>

#include "cli.hpp"

namespace softmdp::cli {

// --policy SPEC at temperature alpha (softmax: softmax(Q*_soft/alpha), the soft optimum; greedy:
// greedy in the hard optimal Q*).
std::vector<double> policy_from_option(const std::string& spec, const Model& m, double alpha, const SolverOptions& opt);

struct ChosenPolicy {
    std::vector<double> pi;     // per row
    std::string source;         // how it was chosen, for the documents
    std::optional<double> alpha;  // its temperature, when it has one
};

// --policy P, or without it the soft-optimal policy at --alpha (greedy optimal at --alpha 0).
// UsageError when neither is given.
ChosenPolicy chosen_policy(const po::variables_map& vm, const Model& m, const SolverOptions& opt);

}  // namespace softmdp::cli
