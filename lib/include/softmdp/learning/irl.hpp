#pragma once
// Maximum causal entropy inverse RL (Ziebart 2010) with linear rewards r_w = Phi w (features.hpp).
// The learner is the soft-optimal policy of r_w at temperature alpha: stationary,
// pi_w = softmax(Q*_w/alpha) (discounted), or time-indexed pi_w,t by backward induction over a
// horizon H (finite_horizon.hpp). It maximises the discounted log-likelihood of the demonstrated
// pairs (s_i, a_i) at times t_i of N trajectories,
//   L(w) = sum_i c_i log pi_w(a_i | s_i)  -  l2/2 ||w||^2,      c_i = gamma^t_i / N,
// where log pi_w(a|s) = (Q_w(s,a) - V_w(s))/alpha. Its exact gradient (envelope theorem,
// reward_gradient.hpp, applied to Q_w and V_w) is
//   dL/dw = (1/alpha) (Phi^T c - Phi^T D_w(rho)) - l2 w,  rho = sum_i c_i (e_{s_i} - gamma p(.|s_i,a_i)),
// with D_w(rho) the occupancy of pi_w started from the signed measure rho (occupancy.hpp; finite
// horizon: rho_t collects +c_i at t_i and -gamma c_i p(.|s_i,a_i) at t_i + 1). Along trajectories of
// the true dynamics rho telescopes to the empirical start distribution rho0 up to sampling noise, so
// the gradient is the classic MCE feature-expectation gap mu_E - mu_w (mu_E = Phi^T c, the
// demonstrations' discounted feature counts; mu_w = Phi^T D_w(rho0)), which the curve reports.
// Visitation counts n(s,a) instead of trajectories (discounted only) act as c = n / sum(n) / (1 - gamma)
// with rho0 = p0: when n is pi's discounted occupancy from p0, rho = p0 exactly (flow conservation).
//
// With a reference policy pi0 (IrlOptions::prior, KL regularisation, solvers/prior.hpp) the learner
// is the KL-regularised soft optimum of r_w: V_w = alpha log sum_a pi0 exp(Q_w/alpha) and
//   log pi_w(a|s) = log pi0(a|s) + (Q_w(s,a) - V_w(s))/alpha,
// i.e. the entropy learner of the rewards r_w + alpha log pi0 (pi0 = 0 excludes an action). log pi0
// does not depend on w, so the gradient above holds unchanged (D_w the occupancy of this pi_w). A
// demonstrated action that the prior excludes has likelihood 0: refused.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "softmdp/analysis/features.hpp"
#include "softmdp/core/model.hpp"
#include "softmdp/core/solution.hpp"
#include "softmdp/core/stop.hpp"
#include "softmdp/learning/simulate.hpp"

namespace softmdp {

// Demonstrations: trajectories (states and actions), or visitation counts per row of the model.
struct Demonstrations {
    std::vector<Trajectory> trajectories;
    std::vector<double> counts;  // per row; used when there are no trajectories
};

enum class IrlOptimizer { lbfgs, gradient };

struct IrlPoint {
    std::uint64_t iteration = 0;
    double log_likelihood = 0.0;  // sum_i c_i log pi_w(a_i|s_i)
    double objective = 0.0;       // log_likelihood - l2/2 ||w||^2 (non-decreasing: line search)
    double feature_gap = 0.0;     // max_k |mu_E - mu_w|_k
    double gradient_norm = 0.0;   // max_k |dL/dw_k|
    double seconds = 0.0;
};

struct IrlOptions {
    double alpha = 1.0;
    std::uint64_t horizon = 0;  // 0: discounted (infinite horizon)
    IrlOptimizer optimizer = IrlOptimizer::lbfgs;
    double l2 = 0.0;
    std::uint64_t max_iterations = 200;
    double tolerance = 1e-6;    // stop when max_k |dL/dw_k| <= tolerance
    std::uint32_t memory = 10;  // L-BFGS pairs kept
    SolverOptions solver = [] {  // the inner soft solves (discounted): well below the gradient's scale
        SolverOptions s;
        s.tolerance = 1e-10;
        return s;
    }();
    std::string method;                         // the inner soft solver (empty: default_method)
    std::vector<double> initial_weights;        // empty: 0
    std::vector<double> prior;                  // pi0 per row of the model (empty: none, entropy regularisation)
    std::string prior_source = "prior";         // its name in messages and documents (e.g. the file)
    std::function<void(const IrlPoint&)> progress;
};

struct IrlResult {
    std::vector<double> weights;
    std::vector<double> reward;   // r_w per row
    std::vector<double> policy;   // pi_w per row (finite horizon: H x rows, pi_t at [t * rows, ...))
    std::vector<double> values;   // V_w per state (finite horizon: (H + 1) x S)
    std::vector<IrlPoint> curve;  // point 0: the initial weights
    std::vector<double> demonstrated_features;  // mu_E
    std::vector<double> learned_features;       // mu_w at the end
    std::uint64_t iterations = 0;
    std::uint64_t evaluations = 0;  // soft solves + occupancies (the line search's trials included)
    bool converged = false;
    Stop stop = Stop::iteration_limit;
    std::string reason;
    double seconds = 0.0;
    std::optional<Model> model;  // the demonstrations' dynamics with the learned reward r_w
};

// The model is taken by value (move it in: IRL re-solves its dynamics under every candidate reward
// and hands it back in IrlResult::model). Throws UsageError for bad options or demonstrations that do
// not fit the model (unavailable actions, pairs beyond the horizon, counts with a horizon).
IrlResult irl(Model m, const Features& phi, const Demonstrations& demos, const IrlOptions& opt);

// sum_i c_i log pi(a_i|s_i) for a stationary per-row policy: the curve's log-likelihood of other
// policies (e.g. the expert's), with the same weights c_i.
double demonstration_log_likelihood(const Model& m, const Demonstrations& demos, std::span<const double> pi);

}  // namespace softmdp
