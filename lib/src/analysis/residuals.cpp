#include "softmdp/analysis/residuals.hpp"

#include <cmath>
#include <fmt/format.h>

#include "softmdp/solvers/bellman.hpp"
#include "softmdp/core/errors.hpp"
#include "softmdp/analysis/policy.hpp"

namespace softmdp {

std::string_view to_string(SoftValueOfQ v) { return v == SoftValueOfQ::soft ? "soft" : "boltzmann"; }

std::vector<double> value_of_q(const Model& m, std::span<const double> q, double alpha, SoftValueOfQ kind) {
    std::vector<double> V(m.num_states(), 0.0);
    for (std::size_t s = 0; s < m.num_states(); ++s) {
        if (m.is_terminal(s)) continue;
        const auto qs = q.subspan(m.row_first(s), m.num_available(s));
        V[s] = kind == SoftValueOfQ::soft ? LogSumExp{alpha}.value(qs) : Boltzmann{alpha}.value(qs);
    }
    return V;
}

Residuals soft_bellman_residuals(const Model& m, std::span<const double> q, double alpha, SoftValueOfQ kind,
                                 std::span<const double> p, std::span<const double> mu) {
    const auto weights = p.empty() ? m.initial() : p;
    const std::vector<double> uniform = mu.empty() ? uniform_policy(m) : std::vector<double>{};
    const auto behaviour = mu.empty() ? std::span<const double>(uniform) : mu;
    const auto VQ = value_of_q(m, q, alpha, kind);
    std::vector<double> q_hat(m.num_rows());
    compute_q(m, VQ, q_hat);  // Q_hat = r + gamma P V_Q
    Residuals res;
    for (std::size_t s = 0; s < m.num_states(); ++s) {
        if (m.is_terminal(s)) continue;
        const auto qh = std::span<const double>(q_hat).subspan(m.row_first(s), m.num_available(s));
        const double tv = LogSumExp{alpha}.value(qh);  // T_soft V_Q(s)
        res.v_residual += weights[s] * (tv - VQ[s]) * (tv - VQ[s]);
        for (Offset r = m.row_first(s); r < m.row_last(s); ++r)
            res.q_residual += weights[s] * behaviour[r] * (q_hat[r] - q[r]) * (q_hat[r] - q[r]);
    }
    // Squares of differences near 1e154 and beyond overflow: say so rather than print inf or null.
    if (!std::isfinite(res.v_residual) || !std::isfinite(res.q_residual))
        throw NumericalError(fmt::format("soft Bellman residuals at alpha {}: the weighted sum of squared differences is "
                                         "not finite (J_V = {}, J_Q = {}): the Q table or the rewards are beyond the range "
                                         "where their squares are doubles (about 1e154)",
                                         alpha, res.v_residual, res.q_residual));
    return res;
}

double policy_residual(const Model& m, std::span<const double> q, std::span<const double> values,
                       std::span<const double> pi, double alpha) {
    if (alpha == 0.0) return 0.0;
    double worst = 0.0;
    for (std::size_t s = 0; s < m.num_states(); ++s) {
        const Offset b = m.row_first(s);
        const std::size_t n = m.num_available(s);
        worst = std::max(worst, state_policy_residual(q.subspan(b, n), values[s], pi.subspan(b, n), alpha));
    }
    return worst;
}

double state_policy_residual(std::span<const double> q, double v, std::span<const double> pi, double alpha) noexcept {
    if (alpha == 0.0) return 0.0;
    double worst = 0.0;
    for (std::size_t k = 0; k < q.size(); ++k)
        if (pi[k] > 0.0) worst = std::max(worst, std::abs(alpha * std::log(pi[k]) - (q[k] - v)));
    return worst;
}

}  // namespace softmdp
