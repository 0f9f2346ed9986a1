#include "softmdp/solvers/solve.hpp"

#include <array>
#include <cmath>
#include <fmt/format.h>

#include "softmdp/core/errors.hpp"
#include "softmdp/solvers/numerical.hpp"
#include "softmdp/solvers/policy_evaluation.hpp"
#include "softmdp/solvers/policy_iteration.hpp"
#include "softmdp/solvers/soft_q_iteration.hpp"
#include "softmdp/solvers/value_iteration.hpp"

namespace softmdp {

namespace {
constexpr std::array kMethods{
    MethodInfo{"vi", false, "value iteration, Jacobi sweeps (parallel), MacQueen bounds"},
    MethodInfo{"gs-vi", false, "value iteration, Gauss-Seidel sweeps"},
    MethodInfo{"pi", false, "policy iteration, exact evaluation (sparse LU / BiCGSTAB)"},
    MethodInfo{"ipi", false, "inexact policy iteration: matrix-free preconditioned Krylov evaluations (--krylov)"},
    MethodInfo{"mpi", false, "modified policy iteration (--evaluation-sweeps per improvement)"},
    MethodInfo{"soft-vi", true, "soft value iteration V <- alpha logsumexp(Q_V/alpha)"},
    MethodInfo{"soft-gs-vi", true, "soft value iteration, Gauss-Seidel sweeps"},
    MethodInfo{"soft-qi", true, "soft Q-iteration Q <- r + gamma P alpha logsumexp(Q/alpha)"},
    MethodInfo{"soft-pi", true, "soft policy iteration: exact soft evaluation, pi <- softmax(Q/alpha)"},
    MethodInfo{"soft-ipi", true, "soft inexact policy iteration: matrix-free preconditioned Krylov evaluations"},
    MethodInfo{"soft-mpi", true, "soft modified policy iteration"},
    MethodInfo{"mellowmax", true, "value iteration with mellowmax alpha log mean exp(Q/alpha) (a contraction)"},
    MethodInfo{"boltzmann", true, "value iteration with the Boltzmann average sum softmax(Q/alpha) Q (not a contraction)"},
};

// Runs the solver of `method` (a known name, alpha valid for it).
Solution run(const Model& m, std::string_view method, double alpha, const SolverOptions& opt) {
    Solution sol;
    if (method == "vi") sol = value_iteration(m, Sweep::jacobi, opt);
    else if (method == "gs-vi") sol = value_iteration(m, Sweep::gauss_seidel, opt);
    else if (method == "pi") return policy_iteration(m, opt);
    else if (method == "ipi" || method == "soft-ipi") sol = inexact_policy_iteration(m, alpha, opt);
    else if (method == "mpi") sol = modified_policy_iteration(m, 0.0, opt);
    else if (method == "soft-vi") sol = soft_value_iteration(m, alpha, Sweep::jacobi, opt);
    else if (method == "soft-gs-vi") sol = soft_value_iteration(m, alpha, Sweep::gauss_seidel, opt);
    else if (method == "soft-qi") sol = soft_q_iteration(m, alpha, opt);
    else if (method == "soft-pi") return soft_policy_iteration(m, alpha, opt);
    else if (method == "soft-mpi") sol = modified_policy_iteration(m, alpha, opt);
    else {
        sol = method == "mellowmax" ? value_iteration(m, Mellowmax{alpha}, Sweep::jacobi, opt)
                                    : value_iteration(m, Boltzmann{alpha}, Sweep::jacobi, opt);
        sol.method = std::string(method);
        return sol;  // their policies do not evaluate to their fixed points: no Newton step
    }
    // The iterative methods: values of the final policy, evaluated exactly, when that is better.
    if (alpha == 0.0) refine_with_exact_evaluation(m, HardMax{}, sol, opt);
    else refine_with_exact_evaluation(m, LogSumExp{alpha}, sol, opt);
    return sol;
}

}  // namespace

std::span<const MethodInfo> methods() { return kMethods; }

std::string_view default_method(const Model& m, double alpha) {
    if (alpha == 0.0) return "vi";
    if (use_sparse_lu(m)) return "soft-pi";
    // Local models (gridworlds b = sqrt(S), chains b = 1) mix slowly, where a preconditioned Krylov
    // evaluation wins: 8.4 s against soft-pi's 22 s and soft-mpi's > 300 s on a 300 x 300 gridworld at
    // gamma 0.9999. Random graphs mix fast, where soft-mpi's few sweeps win (Garnet 10^5: 0.41 s
    // against 0.57 s). docs/performance.md has the table.
    const auto b = static_cast<double>(m.bandwidth());
    return b * b <= static_cast<double>(m.num_states()) ? "soft-ipi" : "soft-mpi";
}

Solution solve(const Model& m, std::string_view method, double alpha, const SolverOptions& opt) {
    if (!std::isfinite(alpha) || alpha < 0.0)
        throw UsageError(fmt::format("{} must be a finite number >= 0, got {}", param("alpha"), alpha));
    const MethodInfo* info = nullptr;
    for (const auto& mi : kMethods)
        if (mi.name == method) info = &mi;
    if (!info) {
        std::string names;
        for (const auto& mi : kMethods) names += (names.empty() ? "" : ", ") + std::string(mi.name);
        throw UsageError(fmt::format("unknown method '{}' (methods: {})", method, names));
    }
    if (!info->soft && alpha > 0.0)
        throw UsageError(fmt::format("method '{}' is hard (alpha = 0); with {} {} use a soft method such as soft-{}",
                                     method, param("alpha"), alpha, method));
    Solution sol;
    try {
        sol = run(m, method, alpha, opt);
    } catch (const NumericalError& e) {  // from a step inside the method (soft-pi's evaluation): name the method
        const std::string& what = e.marked();  // keeps its parameter marks (errors.hpp)
        if (what.rfind(std::string(method) + " ", 0) == 0) throw;
        throw NumericalError(fmt::format("{}: {}", method, what));
    }
    require_finite(m, sol, method);
    return sol;
}

}  // namespace softmdp
