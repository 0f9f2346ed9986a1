#pragma once
// A sweep over the temperature alpha: for each alpha the soft optimum, warm-started from its
// neighbour, and what it costs and buys against the hard optimum.
#include <functional>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "softmdp/analysis/compare.hpp"
#include "softmdp/core/model.hpp"
#include "softmdp/core/solution.hpp"

namespace softmdp {

// n points from lo to hi, evenly spaced, or geometrically with log_scale (needs lo > 0). The ends are
// exactly lo and hi; a geometric grid whose ends are powers of ten gives the powers of ten exactly
// (1e-3, 1e-2, ...). n = 1 is the single alpha lo and needs lo == hi. Throws UsageError for lo > hi,
// n < 1, n = 1 with lo != hi, lo < 0, non-finite ends.
std::vector<double> alpha_grid(double lo, double hi, std::size_t n, bool log_scale);

struct SweepPoint {
    double alpha = 0.0;
    double objective = 0.0;    // J_soft = sum p0 V_soft (see objective_raised)
    double hard_return = 0.0;  // J of the soft policy without entropy
    PolicyStats stats;         // entropy, probability of the greedy action, KL(greedy || pi), changed states
    bool converged = false;
    std::uint64_t iterations = 0;
    std::optional<double> error_bound;  // on V (and J) at this point, as the solver certified it
    // J_soft is non-decreasing in alpha (dJ/dalpha = expected discounted entropy >= 0), but points
    // solved to a tolerance can come out in the wrong order within their bounds. Then every point's
    // objective becomes the midpoint of its bracket tightened by its neighbours' (sweep.cpp:
    // make_monotone): monotone, and within objective_bound <= error_bound of its true J.
    bool objective_raised = false;          // (JSON: j_soft_adjusted)
    std::optional<double> objective_bound;  // bound on |objective - J_true| (error_bound unless adjusted)
    double seconds = 0.0;
};

// Called before the solve of each point (its index and alpha), e.g. for progress lines.
using SweepPointStarted = std::function<void(std::size_t index, double alpha)>;

// method: empty = default_method(alpha). Points are solved in the order given, each warm-started
// from the previous point's values. Along increasing alphas, J_soft is made monotone within the
// certified bounds (objective_raised); bounds that contradict monotonicity are left as computed.
//
// prior (per row of m; empty = none): KL regularisation towards pi0 (solvers/prior.hpp), each point
// solved by solve_with_prior (the prior model at that alpha, a compacted copy of m). J is then the KL-regularised optimum, non-increasing in alpha
// (the penalty alpha KL >= 0 grows), so no monotone adjustment is made; hard_return and stats are of
// the policy on m's rows (0 on actions the prior excludes), against m's hard optimum.
std::vector<SweepPoint> alpha_sweep(const Model& m, std::span<const double> alphas, std::string_view method = {},
                                    const SolverOptions& opt = {}, const SweepPointStarted& started = {},
                                    std::span<const double> prior = {});

}  // namespace softmdp
