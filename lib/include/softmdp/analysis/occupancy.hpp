#pragma once
// Occupancy (visitation) measures of a policy pi, per state and per state-action pair.
//   discounted:     x = sum_t gamma^t (P_pi^T)^t rho,  i.e.  (I - gamma P_pi^T) x = rho
//   finite horizon: x_0 = rho_0, x_{t+1} = rho_{t+1} + gamma P_{pi_t}^T x_t,  x = sum_{t<H} x_t
//   d(s) = x(s), d(s,a) = x(s) pi(a|s)     (finite horizon: d(s,a) = sum_t x_t(s) pi_t(a|s))
// rho is the initial distribution p0 by default, then d(s) = sum_t gamma^t P(s_t = s) and the
// states sum to 1/(1 - gamma) (finite horizon: sum_{t<H} gamma^t): a terminal state is absorbing,
// so its d(s) keeps its mass, x(s)/(1 - gamma) (+inf at discount 1, where nothing else is bounded
// by the discount either), while d(s,a) is 0 there (no actions). rho may be any signed measure:
// IRL's likelihood gradient needs the occupancy of a difference of measures. The discounted d(s,a)
// is dJ/dr(s,a) of the policy's objective J = sum_s rho(s) V^pi(s) (and, for the soft optimum,
// of the soft optimal objective: reward_gradient.hpp).
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "softmdp/core/model.hpp"
#include "softmdp/core/solution.hpp"

namespace softmdp {

struct Occupancy {
    std::vector<double> states;         // d(s)
    std::vector<double> state_actions;  // d(s,a) per row of the model
    std::optional<std::uint64_t> horizon;  // empty: discounted, infinite horizon
    // Certified sum_s |d(s) - d*(s)| + sum_(s,a) |d(s,a) - d*(s,a)| is at most this (an l1 bound,
    // so also a bound on every entry); empty where the theory gives none (discount 1).
    std::optional<double> error_bound;
    bool converged = false;  // error_bound <= tolerance (finite horizon: always; exact up to rounding)
    std::string method;      // "sparse-lu", "bicgstab" (+ polish sweeps) or "forward-recursion"
    std::uint64_t sweeps = 0;
    double seconds = 0.0;
    std::string reason;
};

// What the occupancy document reports beyond the Occupancy itself, computed here so that its writer
// (io/occupancy.hpp) only formats.
struct OccupancySummary {
    double total = 0.0;            // sum_s d(s): 1/(1 - gamma) discounted from p0, sum_{t<H} gamma^t finite
    double expected_return = 0.0;  // sum_(s,a) d(s,a) r(s,a): the policy's return without entropy terms
};
OccupancySummary summarise(const Model& m, const Occupancy& occ);

// Discounted occupancy of the stationary per-row policy pi from rho (empty: the model's p0), by a
// linear solve of the transposed evaluation system, polished by sweeps x <- rho + gamma P_pi^T x
// until the certified bound is below opt.tolerance (or opt.max_iterations sweeps).
// Bound: P_pi^T is non-expansive in l1 (its columns sum to at most 1), so for y = rho + gamma P_pi^T x
// and the fixed point x*: y - x* = gamma P_pi^T (x - x*) and ||x - x*|| <= ||y - x|| / (1 - gamma)
// give ||y - x*||_1 <= gamma ||y - x||_1 / (1 - gamma), plus the rounding of y's sums divided by
// (1 - gamma). d(s,a) = x(s) pi(a|s) has the same l1 error as x on the non-terminal states.
// Throws InputError for a bad policy, UsageError for sizes, NumericalError for a singular system.
Occupancy occupancy(const Model& m, std::span<const double> pi, std::span<const double> rho = {},
                    const SolverOptions& opt = {});

// Finite-horizon occupancy over `horizon` steps by forward recursion. pi is one per-row policy
// (stationary) or `horizon` of them back to back (time-indexed, pi_t at [t * rows, (t+1) * rows)).
// rho is per state (the start, p0 when empty) or horizon x S (a source rho_t at every step).
// Exact up to rounding; error_bound is that rounding's a-priori bound.
Occupancy finite_horizon_occupancy(const Model& m, std::span<const double> pi, std::uint64_t horizon,
                                   std::span<const double> rho = {});

}  // namespace softmdp
