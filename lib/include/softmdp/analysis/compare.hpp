#pragma once
// Soft against hard on one MDP: both optima, the gap and its bound, and how the soft policy
// differs from the greedy one.
//
// Gap bound: V_hard <= V_soft <= V_hard + alpha b, where
//   b(s) = max_pi E_pi[ sum_t gamma^t log |A_{s_t}| | s_0 = s ]
// (the entropy of pi(.|s) is at most log |A_s|; 0 at terminal states), computed by hard value
// iteration on the state reward log |A_s| and reported as the upper end of its MacQueen bracket.
// It is never larger than the global alpha max_s log|A_s| / (1 - gamma).
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "softmdp/core/model.hpp"
#include "softmdp/core/solution.hpp"

namespace softmdp {

// b(s) above (an upper bound, certified to within rounding); empty when gamma = 1.
std::vector<double> entropy_gap_bound(const Model& m, const SolverOptions& opt = {});

// How a stochastic policy relates to a reference greedy policy (both per row).
struct PolicyStats {
    std::vector<double> entropy;       // H(pi(.|s)) per state
    double mean_entropy = 0.0;         // over non-terminal states
    double greedy_probability = 0.0;   // mean over non-terminal states of pi(a*(s)|s)
    double kl_from_greedy = 0.0;       // mean of KL(greedy || pi)(s) = -log pi(a*(s)|s) (inf if some pi(a*|s) = 0)
    std::size_t changed = 0;           // states whose likeliest action is not a*(s)
    std::vector<Offset> greedy_row;    // per state: the row of a*(s), the first maximiser of `greedy`
    std::vector<Offset> likeliest_row; // per state: the row of the likeliest action under pi
};
// `greedy` per row: the hard policy, or greedy_weights(). The likeliest action is the first one
// whose probability is within a factor (1 - pi_tie) of the largest.
PolicyStats policy_stats(const Model& m, std::span<const double> pi, std::span<const double> greedy, double pi_tie = 0.0);

// The first row of s (in the model's order) whose x is within `tie` of the largest. Actions tied in
// exact arithmetic differ by rounding in floating point: a tie below what the solution certifies goes
// to the first maximiser, by rule, never to whichever rounding favoured.
Offset first_maximiser(const Model& m, std::span<const double> x, std::size_t s, double tie);

// Per row: 1 for the greedy action of a hard solution (the first action whose Q is within twice its
// certified error bound, plus rounding, of the best), else 0.
std::vector<double> greedy_weights(const Model& m, const Solution& hard);

// The relative tie of a soft policy: log pi is known to within 2 error_bound / alpha.
double soft_policy_tie(const Solution& soft);

struct Comparison {
    Solution hard;                     // alpha = 0
    Solution soft;                     // at alpha
    std::vector<double> gap_bound;     // alpha b(s); empty when gamma = 1
    std::optional<double> global_bound;  // alpha max_s log|A_s| / (1 - gamma)
    double soft_policy_hard_return = 0.0;  // J of the soft policy under the hard (entropy-free) return
    std::vector<double> soft_policy_hard_values;  // its V per state
    PolicyStats stats;
};

// Solves both (methods: empty = the defaults of solve.hpp) and compares them.
//
// prior (per row of m; empty = none): the soft side is KL-regularised towards pi0 (solvers/prior.hpp),
// by solve_with_prior (on a compacted copy: m is const) and reported on m's rows in m's reward scale: q = Q =
// r + gamma P V on every action, policy 0 on excluded ones. The hard side is m's own optimum. Then
// V_soft <= V_hard (the KL penalty is >= 0) and no upper bound on the gap is computed (gap_bound
// empty, global_bound none).
Comparison compare(const Model& m, double alpha, const SolverOptions& opt = {}, std::string_view soft_method = {},
                   std::string_view hard_method = {}, std::span<const double> prior = {});

}  // namespace softmdp
