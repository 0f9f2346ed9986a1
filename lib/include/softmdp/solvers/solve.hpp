#pragma once
// One entry point from a method name to a solver, shared by the CLI and by library users.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "softmdp/core/model.hpp"
#include "softmdp/core/solution.hpp"

namespace softmdp {

// One row of the method registry (solve.cpp): everything about a method is here, so adding a
// solver is its own file plus one row. `solve`, `methods`, `default_method` and the CLI's help all
// read the registry; nothing else dispatches on method names.
struct MethodInfo {
    std::string_view name;
    bool soft;         // uses alpha
    std::string_view summary;
    // Runs the method (alpha already checked: 0 for hard methods, finite and >= 0 for soft ones).
    Solution (*run)(const Model& m, double alpha, const SolverOptions& opt) = nullptr;
    // default_method picks, among the rows of its kind (hard or soft), the first whose `preferred`
    // holds for the model; nullptr: never the default.
    bool (*preferred)(const Model& m) = nullptr;
    // Working memory beyond the model, for the memory check of the default (method_memory): vectors
    // of one double per row and per state the method holds while it runs, besides its result's
    // values (and besides the q and policy tables, counted by keep_rows).
    std::uint8_t row_vectors = 0, state_vectors = 0;
};

// Every method `solve` accepts, hard ones first.
std::span<const MethodInfo> methods();

// The fastest sound method for m, measured (docs/performance.md): hard, Jacobi value iteration with
// the MacQueen bracket (its span contracts at the chain's mixing rate; on small models the exact
// finish makes it exact). Soft, the stochastic policy can mix slowly (gamma near 1, alpha large), where
// sweeps crawl: soft policy iteration where its evaluations are direct solves (direct_evaluation:
// sparse LU on small local models, band elimination on narrow-band ones such as chains at any size);
// above that, inexact soft policy iteration (soft-ipi, two-level preconditioner) on
// local models (bandwidth^2 <= states: gridworlds, chains), soft value iteration on the rest (random
// graphs mix fast: a Garnet needs 13-16 soft sweeps, fewer passes than soft-mpi's or soft-ipi's).
std::string_view default_method(const Model& m, double alpha);

// The memory check of the default, separate from the speed rule above: the bytes method `mi` would
// hold beyond the model (its working vectors, its values, and the q and policy tables when kept:
// SolverOptions::keep_rows). The band of pi's and soft-pi's band elimination is counted; sparse LU's
// factors are not: use_sparse_lu keeps them to small models.
std::uint64_t method_memory(const Model& m, const MethodInfo& mi, bool keep_rows);

// default_method's pick when its working memory fits in `available` bytes (resources.hpp:
// available_memory()), else Jacobi value iteration of its kind (vi, soft-vi: two vectors of S, the
// least of the parallel methods), with a note saying why ("" when the default fits).
struct MethodChoice {
    std::string_view method;
    std::string note;
};
MethodChoice choose_default_method(const Model& m, double alpha, bool keep_rows, std::uint64_t available);

// Runs `method` at temperature alpha. Throws UsageError for an unknown method, alpha < 0 or
// non-finite, or alpha > 0 with a hard method.
Solution solve(const Model& m, std::string_view method, double alpha, const SolverOptions& opt = {});

}  // namespace softmdp
