#pragma once
// Continuous-action soft Q-iteration over the finite states of a ContinuousModel:
//   V(s) <- alpha log integral_box exp(Q_V(s,a)/alpha) da
// with the integral by tensor Gauss-Legendre quadrature (d <= 3) or by Monte Carlo with a fixed
// uniform sample per state (common random numbers). Either way the discretised operator is a
// positive-weight log-sum-exp, hence monotone with T(V + c) = TV + gamma c: a gamma-contraction,
// so the MacQueen bracket certifies the distance to ITS fixed point (`error_bound`). The
// integration error is reported apart: per-state Monte Carlo standard errors (delta method), or a
// quadrature check against twice the nodes.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "softmdp/continuous_model.hpp"
#include "softmdp/solution.hpp"

namespace softmdp {

enum class Integrator { quadrature, monte_carlo };

struct ContinuousOptions {
    Integrator integrator = Integrator::quadrature;
    std::size_t nodes = 24;          // quadrature nodes per dimension
    std::uint64_t samples = 20000;   // Monte Carlo samples per state
    std::uint64_t seed = 0;
};

struct ContinuousSolution {
    Solution solution;                     // values, bound, iterations (q and policy stay empty)
    std::vector<double> mc_std_error;      // per state (Monte Carlo): standard error of V(s) from sampling
    std::optional<double> quadrature_check;  // max_s |V_n(s) - V_2n(s)| after one backup at the solution
};

ContinuousSolution continuous_soft_q_iteration(const ContinuousModel& m, double alpha, const ContinuousOptions& copt,
                                               const SolverOptions& opt = {});

}  // namespace softmdp
