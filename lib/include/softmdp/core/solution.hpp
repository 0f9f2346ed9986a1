#pragma once
// What every solver takes (SolverOptions) and returns (Solution).
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "softmdp/core/stop.hpp"

namespace softmdp {

struct Progress {
    std::uint64_t iteration = 0;
    std::optional<double> bound;
    double seconds = 0.0;
};

// The Krylov method of inexact policy iteration's evaluations (krylov.hpp).
enum class KrylovMethod { gmres, bicgstab };

struct SolverOptions {
    double tolerance = 1e-8;                  // stop when error_bound <= tolerance
    std::uint64_t max_iterations = 1'000'000;  // sweeps (VI, QI) or improvements (PI, MPI)
    double time_limit = std::numeric_limits<double>::infinity();  // seconds
    int threads = 0;                          // 0: all cores
    std::span<const double> initial_values;   // warm start V0 (empty: V0 = 0)
    std::uint64_t evaluation_sweeps = 20;     // modified policy iteration: sweeps per evaluation
    // Inexact policy iteration (ipi, soft-ipi): the Krylov method, its Gauss-Seidel preconditioner
    // sweeps, and whether evaluations stop at the forcing tolerance (true) or at the rounding floor
    // (false: exact Krylov policy iteration, the reference the forcing sequence is measured against).
    KrylovMethod krylov = KrylovMethod::bicgstab;  // measured faster (docs/performance.md)
    std::uint32_t preconditioner_sweeps = 2;
    // States per aggregate of the two-level preconditioner's coarse correction (aggregation.hpp);
    // 0: Gauss-Seidel only; unset: default_aggregate_size (local models only).
    std::optional<std::uint32_t> aggregate_size;
    bool forcing = true;
    std::function<void(const Progress&)> progress;
    // false: the solution keeps the values only; q and policy stay empty and Solution::state_rows
    // gives them per state (16 bytes per row less: on a Garnet with 4 actions and 5 successors the
    // two tables are a fifth of the CSR arrays). The solve command's documents are the same either
    // way (for_each_state_rows, solvers/bellman.hpp). Methods that keep a Q table to iterate on
    // (soft-qi, finite horizon) fill the tables anyway.
    bool keep_rows = true;
};

struct Solution {
    std::string method;
    double alpha = 0.0;
    bool converged = false;         // stop == Stop::converged
    Stop stop = Stop::iteration_limit;  // why it stopped, typed (core/stop.hpp)
    std::uint64_t iterations = 0;   // improvements for PI/MPI, sweeps otherwise
    std::uint64_t sweeps = 0;       // Bellman sweeps over all states (work measure)
    std::uint64_t inner_iterations = 0;  // inexact PI: Krylov iterations over all evaluations
    std::uint64_t matvecs = 0;           // inexact PI: passes over P_pi (products and preconditioner sweeps)
    std::optional<double> error_bound;  // certified ||V - V*||_inf, when the theory gives one
    double seconds = 0.0;
    std::string reason;              // why it stopped, or why no bound is claimed
    std::vector<double> values;      // per state
    std::vector<double> q;           // per row (model's CSR order): Q_V(s,a)
    std::vector<double> policy;      // per row: pi(a|s)
    // Q_V(s, .) and pi(.|s) of state s (spans of num_available(s)) from the given values, by the
    // same arithmetic as the tables above; set by the value and policy iteration methods, which
    // leave q and policy empty with SolverOptions::keep_rows false. Refers to the model solved: valid
    // while it lives.
    std::function<void(std::size_t s, std::span<const double> values, std::span<double> q, std::span<double> pi)> state_rows;
    // Why the method was chosen, when a caller's rule says more than "the default" (e.g. the memory
    // check of the default method, solve.hpp); empty otherwise.
    std::string method_note;
};

}  // namespace softmdp
