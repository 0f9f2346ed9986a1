#pragma once
// Continuous-action soft Q-iteration over the finite states of a ContinuousModel:
//   V(s) <- alpha log integral_box exp(Q_V(s,a)/alpha) da
// with the integral by Gauss-Legendre quadrature (d <= 3) or by Monte Carlo with a fixed uniform
// sample per state (common random numbers). Either way the discretised operator is a positive-weight
// log-sum-exp, hence monotone with T(V + c) = TV + gamma c: a gamma-contraction, so the MacQueen
// bracket certifies the distance to ITS fixed point (`iteration_bound`). The integration error is
// the distance between that fixed point and the true one:
// - quadrature: estimated by comparing the fixed points of two grids (the error of a backup is
//   amplified through the successors, so one backup at a finer grid does not measure it); without a
//   fixed node count the grid is refined until iteration bound + estimate <= the tolerance;
// - Monte Carlo: a standard error per state, the per-backup standard errors propagated through the
//   fixed point (docs/continuous.md).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "softmdp/continuous/continuous_model.hpp"
#include "softmdp/core/solution.hpp"

namespace softmdp {

enum class Integrator { quadrature, monte_carlo };

struct ContinuousOptions {
    Integrator integrator = Integrator::quadrature;
    // Quadrature. 0: composite Gauss-Legendre (8 nodes per panel), panels doubled until the values
    // meet the tolerance. N > 0: the plain N-node rule per dimension, its error estimated against
    // the refined solution (which is computed too).
    std::size_t nodes = 0;
    std::size_t max_nodes = 16384;    // refinement budget: nodes per dimension (also: half the usable memory)
    std::uint64_t samples = 20000;   // Monte Carlo samples per state
    std::uint64_t seed = 0;
    // Up to this many states dense (I - gamma P_pi)^-1 is used: Newton (soft policy iteration) steps
    // between backups (where an S x S LU costs less than about 1/(1 - gamma) backups), and the exact
    // propagation of Monte Carlo errors. Above: plain iteration, and the upper bound that adds
    // standard errors along paths.
    std::size_t dense_limit = 2000;
};

// One grid of the quadrature: its nodes per dimension and how far soft Q-iteration got on it.
struct QuadratureLevel {
    std::vector<std::size_t> nodes;  // per dimension
    std::uint64_t iterations = 0;
    double iteration_bound = 0.0;
    std::optional<double> change;  // max_s |V(s) - V(s) on the grid before| (from the second grid on)
};

struct ContinuousSolution {
    // values; error_bound = iteration_bound + integration_error (quadrature; none when no second grid
    // was solved), = iteration_bound for Monte Carlo (whose error is statistical: mc_std_error).
    Solution solution;
    double iteration_bound = 0.0;  // MacQueen: ||V - fixed point of the discretised operator||_inf

    // Quadrature.
    // Estimate of ||V*_grid - V*||_inf. Refining: max_s |V_a(s) - V_b(s)| + both grids' iteration
    // bounds, for the reported grid a and the grid b before it. With --nodes: max_s |V_N(s) - V_r(s)|
    // + the refined solution r's error bound + V_N's iteration bound.
    std::optional<double> integration_error;
    std::vector<std::size_t> nodes;             // per dimension, of the grid whose values are reported
    std::vector<std::size_t> comparison_nodes;  // per dimension, the grid it was compared with
    std::size_t panel_order = 0;                // nodes per panel (composite grids); 0: one panel (--nodes)
    std::vector<QuadratureLevel> levels;        // every grid solved, in order

    // Monte Carlo, per state.
    std::vector<double> mc_backup_std_error;  // delta-method standard error of one backup at the solution
    std::vector<double> mc_std_error;         // standard error of V(s): the backup errors through the fixed point
    bool mc_std_error_exact = true;           // false: the upper bound (too many states for the dense inverse)
};

ContinuousSolution continuous_soft_q_iteration(const ContinuousModel& m, double alpha, const ContinuousOptions& copt,
                                               const SolverOptions& opt = {});

}  // namespace softmdp
