#include "softmdp/analysis/compare.hpp"

#include <cmath>
#include <limits>

#include "softmdp/core/iteration.hpp"
#include "softmdp/solvers/bellman.hpp"
#include "softmdp/core/errors.hpp"
#include "softmdp/solvers/policy_evaluation.hpp"
#include "softmdp/solvers/prior.hpp"
#include "softmdp/solvers/solve.hpp"

namespace softmdp {

std::vector<double> entropy_gap_bound(const Model& m, const SolverOptions& opt) {
    const double gamma = m.discount();
    if (gamma >= 1.0) return {};
    const ModelData& d = m.data();
    const std::size_t S = m.num_states();
    const double c = gamma / (1.0 - gamma);
    std::vector<double> b(S, 0.0), Tb(S, 0.0);
    double l = 0.0, u = 0.0;
    // Value iteration b <- log|A_s| + gamma max_a P b: a hard backup with the rewards replaced, which
    // the library's value_iteration cannot run without a second copy of the model. The driver stops it;
    // any iterate is usable (the bracket's upper end below bounds b* from wherever it stopped).
    Iteration it(opt, "");
    while (!it.at_limit()) {
        l = 0.0, u = 0.0;
        double bmax = 0.0;
        for (std::size_t s = 0; s < S; ++s) {
            if (m.is_terminal(s)) continue;
            double best = -std::numeric_limits<double>::infinity();
            for (Offset r = d.state_begin[s]; r < d.state_begin[s + 1]; ++r) {
                double acc = 0.0;
                for (Offset t = d.row_begin[r]; t < d.row_begin[r + 1]; ++t) acc += d.transitions[t].prob() * b[d.transitions[t].next];
                best = std::max(best, acc);
            }
            Tb[s] = std::log(static_cast<double>(m.num_available(s))) + gamma * best;
            l = std::min(l, Tb[s] - b[s]);
            u = std::max(u, Tb[s] - b[s]);
            bmax = std::max(bmax, Tb[s]);
        }
        b.swap(Tb);
        it.count_step();
        if (it.reached(c * (u - l) <= 1e-12 * std::max(1.0, bmax))) break;
    }
    // Upper end of the bracket b* <= Tb + c u, plus rounding.
    // (The rewards' rounding, and 1e-15 relative, about 4.5 ulps, of the largest b + 1 per backup.)
    const double slack = rounding_slack(m, 0.0) + rounding_allowance(1e-15 / std::numeric_limits<double>::epsilon(), c,
                                                                     *std::max_element(b.begin(), b.end()) + 1.0);
    for (std::size_t s = 0; s < S; ++s)
        if (!m.is_terminal(s)) b[s] += c * u + slack;
    return b;
}

Offset first_maximiser(const Model& m, std::span<const double> x, std::size_t s, double tie) {
    double best = -std::numeric_limits<double>::infinity();
    for (Offset r = m.row_first(s); r < m.row_last(s); ++r) best = std::max(best, x[r]);
    for (Offset r = m.row_first(s); r < m.row_last(s); ++r)
        if (x[r] >= best - tie) return r;
    return m.row_first(s);
}

std::vector<double> greedy_weights(const Model& m, const Solution& hard) {
    std::vector<double> w(m.num_rows(), 0.0);
    if (hard.q.size() != m.num_rows()) return hard.policy;  // no Q: the solver's own choice
    const double eb = hard.error_bound.value_or(0.0);
    for (std::size_t s = 0; s < m.num_states(); ++s) {
        if (m.is_terminal(s)) continue;
        double scale = 0.0;
        for (Offset r = m.row_first(s); r < m.row_last(s); ++r) scale = std::max(scale, std::abs(hard.q[r]));
        w[first_maximiser(m, hard.q, s, 2.0 * eb + 1e-12 * (1.0 + scale))] = 1.0;
    }
    return w;
}

double soft_policy_tie(const Solution& soft) {
    return soft.alpha > 0.0 ? std::min(1.0, 2.0 * soft.error_bound.value_or(0.0) / soft.alpha + 1e-12) : 0.0;
}

PolicyStats policy_stats(const Model& m, std::span<const double> pi, std::span<const double> greedy, double pi_tie) {
    PolicyStats st;
    st.entropy = policy_entropy(m, pi);
    st.greedy_row.resize(m.num_states());
    st.likeliest_row.resize(m.num_states());
    std::size_t live = 0;
    for (std::size_t s = 0; s < m.num_states(); ++s) {
        st.greedy_row[s] = st.likeliest_row[s] = m.row_first(s);
        if (m.is_terminal(s)) continue;
        ++live;
        double top = 0.0;
        for (Offset r = m.row_first(s); r < m.row_last(s); ++r) top = std::max(top, pi[r]);
        const Offset star = first_maximiser(m, greedy, s, 0.0), likeliest = first_maximiser(m, pi, s, pi_tie * top);
        st.greedy_row[s] = star;
        st.likeliest_row[s] = likeliest;
        st.mean_entropy += st.entropy[s];
        st.greedy_probability += pi[star];
        st.kl_from_greedy += pi[star] > 0.0 ? -std::log(pi[star]) : std::numeric_limits<double>::infinity();
        st.changed += likeliest != star;
    }
    if (live > 0) {
        st.mean_entropy /= static_cast<double>(live);
        st.greedy_probability /= static_cast<double>(live);
        st.kl_from_greedy /= static_cast<double>(live);
    }
    return st;
}

Comparison compare(const Model& m, double alpha, const SolverOptions& opt, std::string_view soft_method,
                   std::string_view hard_method, std::span<const double> prior) {
    if (!(alpha > 0.0) || !std::isfinite(alpha)) throw UsageError(fmt::format("compare needs a temperature {} > 0", param("alpha")));
    Comparison c;
    c.hard = solve(m, hard_method.empty() ? default_method(m, 0.0) : hard_method, 0.0, opt);
    if (!prior.empty()) {
        c.soft = solve_with_prior(m, prior, soft_method, alpha, opt);  // on a compacted copy (m is const)
    } else {
        c.soft = solve(m, soft_method.empty() ? default_method(m, alpha) : soft_method, alpha, opt);
        c.gap_bound = entropy_gap_bound(m, opt);
        for (double& x : c.gap_bound) x *= alpha;
    }
    if (m.discount() < 1.0 && prior.empty()) {
        double max_log = 0.0;
        for (std::size_t s = 0; s < m.num_states(); ++s)
            if (!m.is_terminal(s)) max_log = std::max(max_log, std::log(static_cast<double>(m.num_available(s))));
        c.global_bound = alpha * max_log / (1.0 - m.discount());
    }
    SolverOptions eval = opt;
    eval.initial_values = {};
    const auto hard_eval = evaluate_policy_exact(m, c.soft.policy, 0.0, eval);
    c.soft_policy_hard_values = hard_eval.values;
    c.soft_policy_hard_return = objective(m, hard_eval.values);
    c.stats = policy_stats(m, c.soft.policy, greedy_weights(m, c.hard), soft_policy_tie(c.soft));
    return c;
}

}  // namespace softmdp
