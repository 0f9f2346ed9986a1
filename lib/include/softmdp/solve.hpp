#pragma once
// One entry point from a method name to a solver, shared by the CLI and by library users.
#include <span>
#include <string>
#include <string_view>

#include "softmdp/model.hpp"
#include "softmdp/solution.hpp"

namespace softmdp {

struct MethodInfo {
    std::string_view name;
    bool soft;         // uses alpha
    std::string_view summary;
};

// Every method `solve` accepts, hard ones first.
std::span<const MethodInfo> methods();

// The fastest sound method: mpi for alpha = 0, soft-mpi otherwise.
std::string_view default_method(double alpha);

// Runs `method` at temperature alpha. Throws UsageError for an unknown method, alpha < 0 or
// non-finite, or alpha > 0 with a hard method.
Solution solve(const Model& m, std::string_view method, double alpha, const SolverOptions& opt = {});

}  // namespace softmdp
