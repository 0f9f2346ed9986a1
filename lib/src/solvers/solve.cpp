#include "softmdp/solvers/solve.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <cmath>
#include <fmt/format.h>

#include "softmdp/core/errors.hpp"
#include "softmdp/core/resources.hpp"
#include "softmdp/solvers/numerical.hpp"
#include "softmdp/solvers/policy_evaluation.hpp"
#include "softmdp/solvers/policy_iteration.hpp"
#include "softmdp/solvers/soft_q_iteration.hpp"
#include "softmdp/solvers/value_iteration.hpp"

namespace softmdp {

namespace {

// The iterative methods' finish: the values of the final policy, evaluated exactly, when that is
// better (refine_with_exact_evaluation). Not for pi and soft-pi (already exact evaluations), nor
// mellowmax and boltzmann (their policies do not evaluate to their fixed points). Skipped when the
// iteration's own certified bound already meets the tolerance (every converged solve at discount
// < 1): the answer asked for is there, the bound reported stays the iteration's (a bound), and the
// exact evaluation was most of the cost of a small solve (2-state models: 30 to 60 us against
// about 10; the IRL inner loop of many small solves). Discount 1 has no bound: there it still runs.
Solution refined(const Model& m, double alpha, const SolverOptions& opt, Solution sol) {
    if (sol.error_bound && *sol.error_bound <= opt.tolerance) return sol;
    if (alpha == 0.0) refine_with_exact_evaluation(m, HardMax{}, sol, opt);
    else refine_with_exact_evaluation(m, LogSumExp{alpha}, sol, opt);
    return sol;
}

Solution with_method(std::string_view name, Solution sol) {
    sol.method = std::string(name);
    return sol;
}

bool always(const Model&) { return true; }

// Local models (gridworlds b = sqrt(S), chains b = 1) mix slowly, where a preconditioned Krylov
// evaluation wins (soft-ipi with the two-level preconditioner: 0.28 s against soft-pi's 0.65 s and
// soft-mpi's > 15 s on a 100 x 100 gridworld at gamma 0.9999). Random graphs mix fast, where plain
// soft value iteration's few sweeps win (Garnet 10^5 x 4 x 5 at gamma 0.9/0.95/0.99: soft-vi 13-16
// sweeps, 3-4x faster than soft-mpi and 6-9x faster than soft-ipi). docs/performance.md has the table.
bool local(const Model& m) {
    const auto b = static_cast<double>(m.bandwidth());
    return b * b <= static_cast<double>(m.num_states());
}
bool fast_mixing_large(const Model& m) { return !direct_evaluation(m) && !local(m); }

// The registry: one row per method (name, soft, summary, runner, when it is the default). Adding a
// solver: its own header/source, and one row here.
constexpr std::array kMethods{
    MethodInfo{"vi", false, "value iteration, Jacobi sweeps (parallel), MacQueen bounds",
               [](const Model& m, double, const SolverOptions& o) { return refined(m, 0.0, o, value_iteration(m, Sweep::jacobi, o)); },
               always, 0, 1},
    MethodInfo{"gs-vi", false, "value iteration, Gauss-Seidel sweeps",
               [](const Model& m, double, const SolverOptions& o) {
                   return refined(m, 0.0, o, value_iteration(m, Sweep::gauss_seidel, o));
               }, nullptr, 0, 0},
    MethodInfo{"pi", false, "policy iteration, exact evaluation (sparse LU / BiCGSTAB)",
               [](const Model& m, double, const SolverOptions& o) { return policy_iteration(m, o); }, nullptr, 2, 2},
    MethodInfo{"ipi", false, "inexact policy iteration: matrix-free preconditioned Krylov evaluations (--krylov)",
               [](const Model& m, double, const SolverOptions& o) { return refined(m, 0.0, o, inexact_policy_iteration(m, 0.0, o)); },
               nullptr, 2, 10},
    MethodInfo{"mpi", false, "modified policy iteration (--evaluation-sweeps per improvement)",
               [](const Model& m, double, const SolverOptions& o) { return refined(m, 0.0, o, modified_policy_iteration(m, 0.0, o)); },
               nullptr, 2, 1},
    MethodInfo{"soft-vi", true, "soft value iteration V <- alpha logsumexp(Q_V/alpha)",
               [](const Model& m, double a, const SolverOptions& o) {
                   return refined(m, a, o, soft_value_iteration(m, a, Sweep::jacobi, o));
               },
               fast_mixing_large, 0, 1},
    MethodInfo{"soft-gs-vi", true, "soft value iteration, Gauss-Seidel sweeps",
               [](const Model& m, double a, const SolverOptions& o) {
                   return refined(m, a, o, soft_value_iteration(m, a, Sweep::gauss_seidel, o));
               }, nullptr, 0, 0},
    MethodInfo{"soft-qi", true, "soft Q-iteration Q <- r + gamma P alpha logsumexp(Q/alpha)",
               [](const Model& m, double a, const SolverOptions& o) { return refined(m, a, o, soft_q_iteration(m, a, o)); },
               nullptr, 4, 1},  // Q, Qn, and q and policy kept whatever keep_rows says
    MethodInfo{"soft-pi", true, "soft policy iteration: exact soft evaluation, pi <- softmax(Q/alpha)",
               [](const Model& m, double a, const SolverOptions& o) { return soft_policy_iteration(m, a, o); }, direct_evaluation, 2, 2},
    MethodInfo{"soft-ipi", true, "soft inexact policy iteration: matrix-free preconditioned Krylov evaluations",
               [](const Model& m, double a, const SolverOptions& o) { return refined(m, a, o, inexact_policy_iteration(m, a, o)); },
               local, 2, 10},  // q, pi; TV and BiCGSTAB's eight vectors
    MethodInfo{"soft-mpi", true, "soft modified policy iteration",
               [](const Model& m, double a, const SolverOptions& o) { return refined(m, a, o, modified_policy_iteration(m, a, o)); },
               nullptr, 2, 1},  // q, pi; TV
    MethodInfo{"mellowmax", true, "value iteration with mellowmax alpha log mean exp(Q/alpha) (a contraction)",
               [](const Model& m, double a, const SolverOptions& o) {
                   return with_method("mellowmax", value_iteration(m, Mellowmax{a}, Sweep::jacobi, o));
               }, nullptr, 0, 1},
    MethodInfo{"boltzmann", true, "value iteration with the Boltzmann average sum softmax(Q/alpha) Q (not a contraction)",
               [](const Model& m, double a, const SolverOptions& o) {
                   return with_method("boltzmann", value_iteration(m, Boltzmann{a}, Sweep::jacobi, o));
               }, nullptr, 0, 1},
};

// The registry row of `name`, or nullptr.
const MethodInfo* find_method(std::string_view name) {
    for (const auto& mi : kMethods)
        if (mi.name == name) return &mi;
    return nullptr;
}

}  // namespace

std::span<const MethodInfo> methods() { return kMethods; }

// The fastest sound method: the first row of its kind that prefers m (see solve.hpp).
std::string_view default_method(const Model& m, double alpha) {
    for (const auto& mi : kMethods)
        if (mi.soft == (alpha > 0.0) && mi.preferred && mi.preferred(m)) return mi.name;
    return alpha > 0.0 ? "soft-vi" : "vi";  // unreachable: vi always; soft-pi, soft-ipi and soft-vi cover every model
}

std::uint64_t method_memory(const Model& m, const MethodInfo& mi, bool keep_rows) {
    const double rows = static_cast<double>(m.num_rows()), states = static_cast<double>(m.num_states());
    // The q and policy tables when kept; soft-qi keeps them always, and its row_vectors count them.
    const double tables = keep_rows && mi.name != "soft-qi" ? 2.0 : 0.0;
    double bytes = sizeof(double) * ((mi.row_vectors + tables) * rows + (mi.state_vectors + 1.0) * states);
    // The exact evaluations' band (policy_evaluation.hpp): S (2b + 1) doubles, 3 S on a chain.
    if ((mi.name == "pi" || mi.name == "soft-pi") && use_band_lu(m))
        bytes += sizeof(double) * states * (2.0 * static_cast<double>(m.bandwidth()) + 1.0);
    return static_cast<std::uint64_t>(std::min(bytes, 0x1p63));
}

// The memory check composed with the speed rule: default_method decides what is fastest, this
// only steps back to Jacobi value iteration when that would not fit.
MethodChoice choose_default_method(const Model& m, double alpha, bool keep_rows, std::uint64_t available) {
    const std::string_view fastest = default_method(m, alpha);
    const auto info = [](std::string_view name) -> const MethodInfo& {
        if (const MethodInfo* mi = find_method(name)) return *mi;
        throw std::logic_error("choose_default_method: no method " + std::string(name));
    };
    const std::uint64_t need = method_memory(m, info(fastest), keep_rows);
    const std::string_view lean = alpha > 0.0 ? "soft-vi" : "vi";
    if (need <= available || fastest == lean) return {fastest, {}};
    const std::uint64_t lean_need = method_memory(m, info(lean), keep_rows);
    return {lean, fmt::format("{} chosen instead of the default {}: {} would need about {} of memory beyond the model, "
                              "{} is available; {} needs about {}{}",
                              lean, fastest, fastest, human_bytes(static_cast<double>(need)),
                              human_bytes(static_cast<double>(available)), lean, human_bytes(static_cast<double>(lean_need)),
                              lean_need > available ? " (more than is available too)" : "")};
}

Solution solve(const Model& m, std::string_view method, double alpha, const SolverOptions& opt) {
    if (!std::isfinite(alpha) || alpha < 0.0)
        throw UsageError(fmt::format("{} must be a finite number >= 0, got {}", param("alpha"), alpha));
    const MethodInfo* info = find_method(method);
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
        sol = info->run(m, alpha, opt);
    } catch (const NumericalError& e) {  // from a step inside the method (soft-pi's evaluation): name the method
        const std::string& what = e.marked();  // keeps its parameter marks (errors.hpp)
        if (what.rfind(std::string(method) + " ", 0) == 0) throw;
        throw NumericalError(fmt::format("{}: {}", method, what));
    }
    require_finite(m, sol, method);
    return sol;
}

}  // namespace softmdp
