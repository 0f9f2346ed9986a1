#include "softmdp/analysis/sweep.hpp"

#include <algorithm>
#include <limits>
#include <optional>

#include <cmath>
#include <cstdlib>
#include <string>
#include <fmt/format.h>

#include "softmdp/solvers/bellman.hpp"
#include "softmdp/core/errors.hpp"
#include "softmdp/solvers/policy_evaluation.hpp"
#include "softmdp/core/resources.hpp"
#include "softmdp/solvers/prior.hpp"
#include "softmdp/solvers/solve.hpp"

namespace softmdp {

std::vector<double> alpha_grid(double lo, double hi, std::size_t n, bool log_scale) {
    if (!std::isfinite(lo) || !std::isfinite(hi)) throw UsageError(fmt::format("{} and {} must be finite", param("alpha_min"), param("alpha_max")));
    if (lo < 0.0) throw UsageError(fmt::format("{} must be >= 0, got {}", param("alpha_min"), lo));
    if (lo > hi) throw UsageError(fmt::format("{} {} is larger than {} {}", param("alpha_min"), lo, param("alpha_max"), hi));
    if (n < 1) throw UsageError(param("points") + " must be >= 1");
    if (n == 1 && lo != hi)
        throw UsageError(fmt::format("{} 1 is the single alpha {}: give {} equal to it (got {} and {})", param("points"), param("alpha_min"),
                                     param("alpha_max"), lo, hi));
    if (log_scale && lo <= 0.0) throw UsageError(fmt::format("{} needs {} > 0", param("log"), param("alpha_min")));
    // Each point keeps its alpha and its results (SweepPoint): check them against memory first.
    if (const double need = static_cast<double>(n) * static_cast<double>(sizeof(double) + sizeof(SweepPoint));
        need > static_cast<double>(usable_memory()))
        throw UsageError(fmt::format("{} {} needs at least {} of memory, more than the {} available here", param("points"), n, human_bytes(need),
                                     human_bytes(static_cast<double>(usable_memory()))));
    std::vector<double> a(n);
    // Interior points rounded to 15 significant digits, so that decimal grids read as written
    // (0.1, not 0.09999999999999999; 0.01 from 1e-3..1e-1 on a log scale).
    const double e0 = log_scale ? std::log10(lo) : 0.0, e1 = log_scale ? std::log10(hi) : 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        const double k = static_cast<double>(i), last = static_cast<double>(n > 1 ? n - 1 : 1);
        const double x = log_scale ? std::pow(10.0, e0 + (e1 - e0) * k / last) : lo + (hi - lo) * k / last;
        // strtod, not stod: a subnormal alpha (1e-320) is a valid double that stod refuses.
        // Formatting cannot fail, and the shortest 15-digit form reads back within 1e-15 of x.
        a[i] = std::strtod(fmt::format("{:.15g}", x).c_str(), nullptr);
    }
    a.front() = lo;
    a.back() = hi;
    return a;
}

namespace {
// J_soft(alpha) = max_pi E[sum_t gamma^t (r + alpha H)] is a maximum of functions non-decreasing in
// alpha (H >= 0), so the true J_i of increasing alphas are non-decreasing and J_i lies in
// [J_i - eb_i, J_i + eb_i]. Hence J_i >= lo_i = max_{k <= i} (J_k - eb_k) and J_i <= hi_i =
// min_{k >= i} (J_k + eb_k). Both ends are non-decreasing in i, so their midpoints are too, and each
// is within (hi_i - lo_i) / 2 <= eb_i of the truth. Applied only when the computed J fall out of
// order (else nothing changes) and every point has a bound; an empty [lo, hi] would mean a wrong
// bound: then nothing is changed either.
void make_monotone(std::vector<SweepPoint>& pts) {
    bool ordered = true, bounded = true;
    for (std::size_t i = 0; i < pts.size(); ++i) {
        bounded = bounded && pts[i].error_bound.has_value();
        if (i > 0) ordered = ordered && pts[i].objective >= pts[i - 1].objective && pts[i].alpha > pts[i - 1].alpha;
        if (i > 0 && !(pts[i].alpha > pts[i - 1].alpha)) return;
    }
    if (ordered || !bounded) return;
    const std::size_t n = pts.size();
    std::vector<double> lo(n), hi(n);
    for (std::size_t i = 0; i < n; ++i)
        lo[i] = std::max(i ? lo[i - 1] : -std::numeric_limits<double>::infinity(), pts[i].objective - *pts[i].error_bound);
    for (std::size_t i = n; i-- > 0;)
        hi[i] = std::min(i + 1 < n ? hi[i + 1] : std::numeric_limits<double>::infinity(), pts[i].objective + *pts[i].error_bound);
    for (std::size_t i = 0; i < n; ++i)
        if (!(lo[i] <= hi[i])) return;
    for (std::size_t i = 0; i < n; ++i) {
        pts[i].objective = lo[i] + (hi[i] - lo[i]) / 2.0;
        // Half the bracket, rounded up (a few ulps of J) so it still covers the truth in floating point.
        pts[i].objective_bound = (hi[i] - lo[i]) / 2.0 + 4.0 * std::numeric_limits<double>::epsilon() * std::abs(pts[i].objective);
        pts[i].objective_raised = true;
    }
}
}  // namespace

std::vector<SweepPoint> alpha_sweep(const Model& m, std::span<const double> alphas, std::string_view method,
                                    const SolverOptions& opt, const SweepPointStarted& started, std::span<const double> prior) {
    const Solution hard = solve(m, default_method(m, 0.0), 0.0, opt);
    if (!prior.empty()) check_prior(m, prior);
    // With a prior, each alpha solves its own prior model (rewards r + alpha log pi0), a compacted
    // copy of m while it solves (solvers/prior.hpp).
    std::vector<SweepPoint> points;
    std::vector<double> warm;
    for (double alpha : alphas) {
        if (started) started(points.size(), alpha);
        SolverOptions o = opt;
        if (!warm.empty()) o.initial_values = warm;
        const Solution sol = !prior.empty() ? solve_with_prior(m, prior, method, alpha, o)
                                  : solve(m, method.empty() ? default_method(m, alpha) : method, alpha, o);
        const std::vector<double>& pi = sol.policy;
        SweepPoint p;
        p.alpha = alpha;
        p.objective = objective(m, sol.values);
        SolverOptions eval = opt;
        eval.initial_values = {};
        p.hard_return = objective(m, evaluate_policy_exact(m, pi, 0.0, eval).values);
        p.stats = policy_stats(m, pi, greedy_weights(m, hard), soft_policy_tie(sol));
        p.converged = sol.converged;
        p.iterations = sol.iterations;
        p.error_bound = sol.error_bound;
        p.objective_bound = sol.error_bound;
        p.seconds = sol.seconds;

        points.push_back(std::move(p));
        warm = sol.values;
    }
    if (prior.empty()) make_monotone(points);
    return points;
}

}  // namespace softmdp
