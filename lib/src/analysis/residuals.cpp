#include "softmdp/analysis/residuals.hpp"

#include <cmath>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "softmdp/solvers/bellman.hpp"
#include "softmdp/core/errors.hpp"
#include "softmdp/io/loader.hpp"
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
    for (std::size_t s = 0; s < m.num_states(); ++s)
        for (Offset r = m.row_first(s); r < m.row_last(s); ++r)
            if (pi[r] > 0.0) worst = std::max(worst, std::abs(alpha * std::log(pi[r]) - (q[r] - values[s])));
    return worst;
}

std::vector<double> read_q_table(const std::string& file, const Model& m) {
    const auto j = read_json_file(file);
    const auto where = [&](const std::string& field) { return Location{file, {}, {}, field}; };
    const std::string format = format_of(j);
    if (format != "softmdp-q/1" && format != "softmdp-result/1")
        throw InputError(fmt::format("\"format\" must be \"softmdp-q/1\" or \"softmdp-result/1\", got \"{}\"", format),
                         where("format"));
    if (!j.contains("q") || !j["q"].is_array()) throw InputError("missing array 'q'", where("q"));
    const auto& table = j["q"];
    if (table.size() != m.num_states())
        throw InputError(fmt::format("has {} states, the model has {}: a Q table for another MDP?", table.size(), m.num_states()),
                         where("q"));
    std::vector<double> q(m.num_rows());
    for (std::size_t s = 0; s < m.num_states(); ++s) {
        const auto& row = table[s];
        if (!row.is_array() || row.size() != m.num_actions())
            throw InputError(fmt::format("must be an array of {} values (one per action)", m.num_actions()),
                             where(fmt::format("q[{}]", s)));
        for (Offset r = m.row_first(s); r < m.row_last(s); ++r) {
            const auto& v = row[m.row_action(r)];
            if (!v.is_number())
                throw InputError(fmt::format("action {} is available in state {}: needs a number, got {}",
                                             m.action_name(m.row_action(r)), m.state_name(s), v.dump()),
                                 where(fmt::format("q[{}][{}]", s, m.row_action(r))));
            q[r] = v.get<double>();
        }
    }
    return q;
}

}  // namespace softmdp
