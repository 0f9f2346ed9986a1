#pragma once
// A sweep over the temperature alpha: for each alpha the soft optimum, warm-started from its
// neighbour, and what it costs and buys against the hard optimum.
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "softmdp/compare.hpp"
#include "softmdp/model.hpp"
#include "softmdp/solution.hpp"

namespace softmdp {

// n points from lo to hi, evenly spaced, or geometrically with log_scale (needs lo > 0).
// Throws UsageError for lo > hi, n < 1, lo < 0, non-finite ends.
std::vector<double> alpha_grid(double lo, double hi, std::size_t n, bool log_scale);

struct SweepPoint {
    double alpha = 0.0;
    double objective = 0.0;    // J_soft = sum p0 V_soft
    double hard_return = 0.0;  // J of the soft policy without entropy
    PolicyStats stats;         // entropy, probability of the greedy action, KL(greedy || pi), changed states
    bool converged = false;
    std::uint64_t iterations = 0;
    std::optional<double> error_bound;
    double seconds = 0.0;
};

// method: empty = default_method(alpha). Points are solved in the order given, each warm-started
// from the previous point's values.
std::vector<SweepPoint> alpha_sweep(const Model& m, std::span<const double> alphas, std::string_view method = {},
                                    const SolverOptions& opt = {});

}  // namespace softmdp
