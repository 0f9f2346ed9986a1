#include "softmdp/solvers/finite_horizon.hpp"

#include <cmath>
#include <fmt/format.h>

#include "softmdp/core/errors.hpp"
#include "softmdp/core/stopwatch.hpp"
#include "softmdp/solvers/bellman.hpp"
#include "softmdp/solvers/numerical.hpp"
#include "softmdp/solvers/policy_evaluation.hpp"
#include "softmdp/solvers/prior.hpp"
#include "softmdp/solvers/soft_operators.hpp"

namespace softmdp {

namespace {

// Backward induction shared by the optimum (pi empty: the backup picks the policy) and the
// evaluation of a given policy (stationary or time-indexed).
FiniteHorizonSolution backward_induction(const Model& m, double alpha, std::uint64_t horizon, std::span<const double> terminal_values,
                                         std::span<const double> row_rewards, std::span<const double> given, int threads,
                                         std::span<const double> prior) {
    const Stopwatch clock;
    if (!std::isfinite(alpha) || alpha < 0.0) throw UsageError(fmt::format("{} must be finite and >= 0, got {}", param("alpha"), alpha));
    if (horizon == 0) throw UsageError(fmt::format("{} must be at least 1", param("horizon")));
    const std::size_t S = m.num_states(), R = m.num_rows();
    // In long double: (H + 1) S + 2 H R overflows 64 bits for absurd horizons.
    const long double bytes = 8.0L * ((static_cast<long double>(horizon) + 1.0L) * S + 2.0L * static_cast<long double>(horizon) * R);
    if (bytes > static_cast<long double>(kFiniteHorizonMaxBytes))
        throw UsageError(fmt::format("{} {} needs {:.3g} GiB for the time-indexed values, Q and policies ((H + 1) x {} + 2 H x {} "
                                     "doubles), more than the {} GiB limit",
                                     param("horizon"), horizon, static_cast<double>(bytes / (1024.0L * 1024.0L * 1024.0L)), S, R, kFiniteHorizonMaxBytes >> 30));
    if (!terminal_values.empty() && terminal_values.size() != S)
        throw UsageError(fmt::format("terminal values: {} entries for {} states", terminal_values.size(), S));
    if (!row_rewards.empty() && row_rewards.size() != R)
        throw UsageError(fmt::format("rewards: {} entries for {} state-action pairs", row_rewards.size(), R));
    const bool evaluating = !given.empty(), timed = given.size() == horizon * R && horizon > 1;
    if (evaluating) {
        if (given.size() != R && !timed)
            throw UsageError(fmt::format("the policy has {} entries: give {} (stationary) or horizon x {} (time-indexed)", given.size(), R, R));
        for (std::uint64_t t = 0; t < (timed ? horizon : 1); ++t) check_policy(m, given.subspan(t * R, R));
    }
    // With a prior: log_prior[r] = alpha log pi0(a|s) (pi0 renormalised per state, as with_prior),
    // and pi0(a|s) = 0 excludes the row (keep[r] = 0).
    const bool has_prior = !prior.empty();
    std::vector<double> log_prior;
    std::vector<char> keep;
    if (has_prior) {
        if (prior.size() != R) throw UsageError(fmt::format("prior: {} entries for {} state-action pairs", prior.size(), R));
        check_prior(m, prior);
        log_prior.assign(R, 0.0);
        keep.assign(R, 1);
        for (std::size_t s = 0; s < S; ++s) {
            double sum = 0.0;
            for (Offset r = m.row_first(s); r < m.row_last(s); ++r) sum += prior[r];
            for (Offset r = m.row_first(s); r < m.row_last(s); ++r) {
                keep[r] = prior[r] != 0.0;
                if (keep[r] && alpha > 0.0) log_prior[r] = alpha * std::log(prior[r] / sum);
            }
        }
        if (evaluating)
            for (std::uint64_t t = 0; t < (timed ? horizon : 1); ++t) check_within_prior(m, prior, given.subspan(t * R, R));
    }
    const ModelData& d = m.data();
    const std::span<const double> reward = row_rewards.empty() ? std::span<const double>(d.row_reward) : row_rewards;
    const double gamma = m.discount();

    FiniteHorizonSolution sol;
    sol.method = evaluating ? "evaluate-finite-horizon-state" : "backward-induction";
    sol.horizon = horizon;
    sol.alpha = alpha;
    sol.values.assign((horizon + 1) * S, 0.0);
    sol.q.assign(horizon * R, 0.0);
    sol.policy.assign(horizon * R, 0.0);
    if (!terminal_values.empty()) std::copy(terminal_values.begin(), terminal_values.end(), sol.values.begin() + static_cast<std::ptrdiff_t>(horizon * S));
    const auto Sl = static_cast<std::int64_t>(S);
    for (std::uint64_t t = horizon; t-- > 0;) {
        const double* next = sol.values.data() + (t + 1) * S;
        double* V = sol.values.data() + t * S;
        double* q = sol.q.data() + t * R;
        double* pi = sol.policy.data() + t * R;
        const double* fixed = evaluating ? given.data() + (timed ? t * R : 0) : nullptr;
#pragma omp parallel for schedule(static) num_threads(sweep_threads(m, threads))
        for (std::int64_t si = 0; si < Sl; ++si) {
            const auto s = static_cast<std::size_t>(si);
            const Offset first = d.state_begin[s], n = d.state_begin[s + 1] - first;
            if (n == 0) {  // absorbing and rewardless: the terminal value, discounted once per step
                V[s] = gamma * next[s];
                continue;
            }
            for (Offset r = first; r < first + n; ++r) {
                double ev = 0.0;
                for (Offset k = d.row_begin[r]; k < d.row_begin[r + 1]; ++k) ev += d.transitions[k].prob() * next[d.transitions[k].next];
                q[r] = reward[r] + gamma * ev;
            }
            const std::span<const double> qs(q + first, n);
            if (has_prior && !evaluating) {
                // V = alpha log sum_a pi0 exp(Q/alpha): the entropy backup of Q + alpha log pi0 over the
                // kept actions; pi = pi0 exp((Q - V)/alpha), 0 on the excluded ones.
                double* buf = detail::thread_scratch(2 * n);
                std::size_t kept = 0;
                for (Offset r = first; r < first + n; ++r)
                    if (keep[r]) buf[kept++] = q[r] + log_prior[r];
                V[s] = soft_max(std::span<const double>(buf, kept), alpha);
                softmax_policy(std::span<const double>(buf, kept), alpha, std::span<double>(buf + n, kept));
                std::size_t j = 0;
                for (Offset r = first; r < first + n; ++r) pi[r] = keep[r] ? buf[n + j++] : 0.0;
                continue;
            }
            if (has_prior) {  // V = sum_a pi Q - alpha KL(pi || pi0) = sum_a pi (Q + alpha log pi0) + alpha H(pi)
                double v = 0.0;
                for (Offset r = first; r < first + n; ++r)
                    if (fixed[r] != 0.0) v += fixed[r] * (q[r] + log_prior[r]);
                std::copy(fixed + first, fixed + first + n, pi + first);
                V[s] = v + alpha * entropy(std::span<const double>(fixed + first, n));
                continue;
            }
            if (!evaluating) {
                V[s] = soft_max(qs, alpha);
                softmax_policy(qs, alpha, std::span<double>(pi + first, n));
                continue;
            }
            double v = 0.0;
            for (Offset r = first; r < first + n; ++r)
                if (fixed[r] != 0.0) v += fixed[r] * q[r];
            std::copy(fixed + first, fixed + first + n, pi + first);
            V[s] = v + alpha * entropy(std::span<const double>(fixed + first, n));
        }
        for (std::size_t s = 0; s < S; ++s)
            if (!std::isfinite(V[s]))
                numerical_failure(m, alpha, "finite-horizon backward induction", fmt::format("V_{}({}) is not finite", t, m.state_name(s)));
    }
    sol.seconds = clock.seconds();
    return sol;
}

}  // namespace

FiniteHorizonSolution solve_finite_horizon(const Model& m, double alpha, std::uint64_t horizon, std::span<const double> terminal_values,
                                           std::span<const double> row_rewards, int threads, std::span<const double> prior) {
    return backward_induction(m, alpha, horizon, terminal_values, row_rewards, {}, threads, prior);
}

FiniteHorizonSolution evaluate_finite_horizon(const Model& m, std::span<const double> pi, double alpha, std::uint64_t horizon,
                                              std::span<const double> terminal_values, int threads, std::span<const double> prior) {
    if (pi.empty()) throw UsageError("evaluate_finite_horizon: an empty policy");
    return backward_induction(m, alpha, horizon, terminal_values, {}, pi, threads, prior);
}

Solution at_time(const Model& m, const FiniteHorizonSolution& fh, std::uint64_t t) {
    const std::size_t S = m.num_states(), R = m.num_rows();
    if (t >= fh.horizon || fh.values.size() != (fh.horizon + 1) * S || fh.q.size() != fh.horizon * R)
        throw UsageError(fmt::format("at_time: step {} of a horizon-{} solution of another model", t, fh.horizon));
    Solution sol;
    sol.method = fh.method;
    sol.alpha = fh.alpha;
    sol.converged = true;
    sol.stop = Stop::converged;
    sol.iterations = sol.sweeps = fh.horizon;
    sol.seconds = fh.seconds;
    sol.reason = fmt::format("exact: backward induction over {} steps (no iteration, no truncation; rounding only)", fh.horizon);
    const auto span_at = [](const std::vector<double>& v, std::size_t off, std::size_t n) {
        return std::vector<double>(v.begin() + static_cast<std::ptrdiff_t>(off), v.begin() + static_cast<std::ptrdiff_t>(off + n));
    };
    sol.values = span_at(fh.values, t * S, S);
    sol.q = span_at(fh.q, t * R, R);
    sol.policy = span_at(fh.policy, t * R, R);
    return sol;
}

}  // namespace softmdp
