#pragma once
// Matrix-free Krylov solves of policy evaluation, (I - gamma P_pi) v = b, for inexact policy
// iteration (ipi, soft-ipi; docs/math.md). P_pi v is computed from the model's CSR and the per-row
// policy, P_pi(s, s') = sum_a pi(a|s) p(s'|s,a), never assembled: the memory is the CSR plus
// O(restart) vectors of S doubles. Terminal rows are v(s) = b(s) (= 0).
#include <cstdint>
#include <optional>
#include <string_view>
#include <span>
#include <vector>

#include "softmdp/core/model.hpp"
#include "softmdp/core/solution.hpp"
#include "softmdp/solvers/aggregation.hpp"

namespace softmdp {

struct KrylovOptions {
    KrylovMethod method = KrylovMethod::bicgstab;
    std::uint32_t restart = 20;                // GMRES(m): basis vectors kept before a restart
    std::uint32_t preconditioner_sweeps = 2;   // Gauss-Seidel sweeps on A y = z, alternately forward and backward (0: none)
    // Two-level preconditioner: the aggregates of its coarse correction (nullptr: Gauss-Seidel only).
    // Not owned; must outlive the solve.
    const Aggregation* aggregation = nullptr;
    double relative_tolerance = 0.1;           // stop at ||b - A v||_2 <= max(rel * ||b - A v0||_2, abs)
    double absolute_tolerance = 0.0;
    std::uint64_t max_iterations = 1000;       // Krylov iterations (GMRES: basis vectors built)
    // At least this many iterations even when v already meets the target: an outer loop whose
    // evaluation changed nothing would otherwise repeat the same step for ever.
    std::uint64_t min_iterations = 1;
    int threads = 0;
};

struct KrylovStats {
    std::uint64_t iterations = 0;  // Krylov iterations
    std::uint64_t matvecs = 0;     // passes over P_pi's transitions: products with A and preconditioner sweeps
    double initial_residual = 0.0;  // ||b - A v0||_2
    double residual = 0.0;          // ||b - A v||_2 at the stop (GMRES: of the final iterate, recomputed)
    bool reached = false;           // residual <= the target
};

// The options --krylov (gmres or bicgstab), --preconditioner-sweeps (at most 100) and
// --aggregate-size into opt, checked: UsageError naming the option (softmdp and softmdp-mpi).
void set_krylov_options(SolverOptions& opt, std::string_view krylov, std::uint32_t preconditioner_sweeps,
                        std::optional<std::uint32_t> aggregate_size);

// r_pi + bonus per state (0 on terminal states): the right-hand side of the evaluation of pi.
std::vector<double> policy_rhs(const Model& m, std::span<const double> pi, std::span<const double> bonus);

// y = (I - gamma P_pi) x.
void apply_evaluation_operator(const Model& m, std::span<const double> pi, std::span<const double> x, std::span<double> y,
                               int threads = 0);

// Solves (I - gamma P_pi) v = b starting from v (warm start), right-preconditioned by
// opt.preconditioner_sweeps Gauss-Seidel sweeps from 0, with a coarse correction on
// opt.aggregation's aggregates between the first and the second half of the sweeps when given
// (a fixed linear map, so plain GMRES/BiCGSTAB apply, and the residual they monitor is the true
// one). matvecs counts the coarse correction's residual as one product. A solve that stops short
// leaves its best iterate in v: the caller certifies whatever it gets.
KrylovStats solve_policy_evaluation(const Model& m, std::span<const double> pi, std::span<const double> b, std::span<double> v,
                                    const KrylovOptions& opt);

}  // namespace softmdp
