#include "softmdp/solvers/numerical.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "softmdp/core/errors.hpp"

namespace softmdp {

namespace {
// x, or "6.9e+308" where x overflowed: the term's size from its logarithm (log10x).
std::string magnitude(double x, double log10x) {
    if (std::isfinite(x)) return fmt::format("{:.3g}", x);
    const double e = std::floor(log10x);
    return fmt::format("{:.2g}e+{:.0f}", std::pow(10.0, log10x - e), e);
}
}  // namespace

std::string numerical_culprit(const Model& m, double alpha) {
    const double gamma = m.discount(), r = m.max_abs_reward();
    const auto A = std::max<std::size_t>(1, m.max_actions_per_state());
    const double log_a = std::log(static_cast<double>(A));
    if (gamma < 1.0) {
        const double horizon = 1.0 / (1.0 - gamma);
        const double entropy_term = alpha * log_a * horizon, reward_term = r * horizon;
        if (entropy_term >= reward_term && !(entropy_term <= kValueRange))
            return fmt::format("{} {} is too large: the entropy term alpha log A / (1 - gamma) = {} (A = {} actions, "
                               "discount {}) is beyond the range of doubles; use a smaller {}",
                               param("alpha"), alpha, magnitude(entropy_term, std::log10(alpha) + std::log10(log_a) + std::log10(horizon)), A, gamma,
                               param("alpha"));
        if (!(reward_term <= kValueRange))
            return fmt::format("the rewards are too large: max |r| / (1 - gamma) = {} (max |r| = {:.3g}, discount {}) is "
                               "beyond the range of doubles; rescale the rewards",
                               magnitude(reward_term, std::log10(r) + std::log10(horizon)), r, gamma);
    }
    if (alpha > 0.0 && alpha < 1e-300)
        return fmt::format("{0} {1} is too small: Q/alpha overflows the doubles; use {0} 0 (the hard problem) or a "
                           "larger {0}",
                           param("alpha"), alpha);
    if (gamma == 1.0)
        return fmt::format("at discount 1 with {} {} and rewards up to {:.3g}: the values are sums over unbounded "
                           "horizons, and in floating point some state may reach no terminal state (a probability or "
                           "policy weight rounded to 0)",
                           param("alpha"), alpha, r);
    return fmt::format("with {} {}, rewards up to {:.3g} and discount {}, an intermediate quantity left the range "
                       "of doubles",
                       param("alpha"), alpha, r, gamma);
}

void numerical_failure(const Model& m, double alpha, std::string_view what, std::string_view what_failed) {
    throw NumericalError(fmt::format("{} at alpha {}: {}: {}", what, alpha, what_failed, numerical_culprit(m, alpha)));
}

void require_finite(const Model& m, const Solution& sol, std::string_view what) {
    const auto finite = [](const std::vector<double>& v) {
        return std::all_of(v.begin(), v.end(), [](double x) { return std::isfinite(x); });
    };
    if (!finite(sol.values)) numerical_failure(m, sol.alpha, what, "the values became non-finite");
    if (!finite(sol.policy)) numerical_failure(m, sol.alpha, what, "the policy became non-finite");
    // A bound is finite whenever the values are well inside the doubles; inf or NaN means the
    // rounding allowance itself overflowed (values near DBL_MAX).
    if (sol.error_bound && !std::isfinite(*sol.error_bound)) numerical_failure(m, sol.alpha, what, "the error bound overflowed");
}

}  // namespace softmdp
