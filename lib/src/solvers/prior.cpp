#include "softmdp/solvers/prior.hpp"

#include <cmath>
#include <fmt/format.h>

#include "softmdp/core/errors.hpp"
#include "softmdp/solvers/bellman.hpp"
#include "softmdp/solvers/policy_evaluation.hpp"
#include "softmdp/solvers/solve.hpp"

namespace softmdp {

void check_prior(const Model& m, std::span<const double> pi0, const std::string& source) { check_policy(m, pi0, source); }

Model with_prior(Model m, std::span<const double> pi0, double alpha, const std::string& source) {
    if (!std::isfinite(alpha) || alpha < 0.0)
        throw UsageError(fmt::format("{} must be a finite number >= 0, got {}", param("alpha"), alpha));
    check_prior(m, pi0, source);
    ModelData d = std::move(m).release();
    // Compacts the rows in place (kept rows keep their order; a row moves to a lower index only).
    Offset out_row = 0, out_t = 0;
    const bool per_successor = !d.next_reward.empty();
    for (std::size_t s = 0; s < d.num_states; ++s) {
        const Offset first = d.state_begin[s], last = d.state_begin[s + 1];
        double sum = 0.0;
        for (Offset r = first; r < last; ++r) sum += pi0[r];
        d.state_begin[s] = out_row;
        for (Offset r = first; r < last; ++r) {
            if (pi0[r] == 0.0) continue;
            const Offset t0 = d.row_begin[r], t1 = d.row_begin[r + 1];
            d.row_action[out_row] = d.row_action[r];
            d.row_reward[out_row] = d.row_reward[r] + (alpha > 0.0 ? alpha * std::log(pi0[r] / sum) : 0.0);
            d.row_begin[out_row] = out_t;
            for (Offset t = t0; t < t1; ++t, ++out_t) {
                d.transitions[out_t] = d.transitions[t];
                if (per_successor) d.next_reward[out_t] = d.next_reward[t];
            }
            ++out_row;
        }
    }
    d.state_begin[d.num_states] = out_row;
    d.row_action.resize(out_row);
    d.row_reward.resize(out_row);
    d.row_begin.resize(out_row + 1);
    d.row_begin[out_row] = out_t;
    d.transitions.resize(out_t);
    if (per_successor) d.next_reward.resize(out_t);
    return Model(std::move(d));
}

void check_within_prior(const Model& m, std::span<const double> pi0, std::span<const double> pi, const std::string& source) {
    if (pi.size() != m.num_rows() || pi0.size() != m.num_rows())
        throw UsageError(fmt::format("{}: {} entries and a prior of {} for {} state-action pairs", source, pi.size(), pi0.size(), m.num_rows()));
    for (std::size_t s = 0; s < m.num_states(); ++s)
        for (Offset r = m.row_first(s); r < m.row_last(s); ++r)
            if (pi0[r] == 0.0 && pi[r] > 0.0)
                throw InputError(fmt::format("{}: state {} takes action {} (probability {}), which the prior excludes (pi0 = 0: "
                                             "KL(pi || pi0) is infinite)",
                                             source, m.state_name(s), m.action_name(m.row_action(r)), pi[r]));
}

std::vector<double> uniform_on_prior(const Model& m, std::span<const double> pi0) {
    std::vector<double> pi(m.num_rows(), 0.0);
    for (std::size_t s = 0; s < m.num_states(); ++s) {
        double n = 0.0;
        for (Offset r = m.row_first(s); r < m.row_last(s); ++r) n += pi0[r] != 0.0;
        for (Offset r = m.row_first(s); r < m.row_last(s); ++r) pi[r] = pi0[r] != 0.0 ? 1.0 / n : 0.0;
    }
    return pi;
}

std::vector<double> expand_prior_rows(std::span<const double> pi0, std::span<const double> x, double fill) {
    std::vector<double> out(pi0.size(), fill);
    std::size_t k = 0;
    for (std::size_t r = 0; r < pi0.size(); ++r)
        if (pi0[r] != 0.0) {
            if (k == x.size()) throw UsageError("expand_prior_rows: fewer entries than the prior keeps rows");
            out[r] = x[k++];
        }
    if (k != x.size()) throw UsageError("expand_prior_rows: more entries than the prior keeps rows");
    return out;
}

std::vector<double> compact_prior_rows(std::span<const double> pi0, std::span<const double> x) {
    if (x.size() != pi0.size()) throw UsageError("compact_prior_rows: the array and the prior have different sizes");
    std::vector<double> out;
    for (std::size_t r = 0; r < pi0.size(); ++r)
        if (pi0[r] != 0.0) out.push_back(x[r]);
    return out;
}

namespace {

// What with_prior changes in m's arrays, kept to give m back: its per-row arrays and the transitions
// of the rows the prior excludes (in order).
struct Removed {
    std::vector<Offset> state_begin, row_begin;
    std::vector<ActionId> row_action;
    std::vector<double> row_reward;
    std::vector<Transition> transitions;
    std::vector<double> next_reward;
};

Removed removed_by_prior(const Model& m, std::span<const double> pi0) {
    const ModelData& d = m.data();
    Removed x{d.state_begin, d.row_begin, d.row_action, d.row_reward, {}, {}};
    for (std::size_t r = 0; r < m.num_rows(); ++r) {
        if (pi0[r] != 0.0) continue;
        const auto t0 = static_cast<std::ptrdiff_t>(d.row_begin[r]), t1 = static_cast<std::ptrdiff_t>(d.row_begin[r + 1]);
        x.transitions.insert(x.transitions.end(), d.transitions.begin() + t0, d.transitions.begin() + t1);
        if (!d.next_reward.empty()) x.next_reward.insert(x.next_reward.end(), d.next_reward.begin() + t0, d.next_reward.begin() + t1);
    }
    return x;
}

// Undoes with_prior: every kept row's transitions go back up to their original place (last row first:
// a kept row only ever moved down), the excluded rows' come from the stash.
Model restore(Model pm, Removed x, std::span<const double> pi0) {
    ModelData d = std::move(pm).release();
    const std::size_t R = x.row_action.size();
    const Offset T = x.row_begin[R];
    const bool per_successor = !d.next_reward.empty();
    d.transitions.resize(T);
    if (per_successor) d.next_reward.resize(T);
    Offset k = d.row_action.size(), e = x.transitions.size();
    for (std::size_t r = R; r-- > 0;) {
        const Offset b = x.row_begin[r], n = x.row_begin[r + 1] - b;
        const auto to = static_cast<std::ptrdiff_t>(b + n);
        if (pi0[r] != 0.0) {
            const auto c = static_cast<std::ptrdiff_t>(d.row_begin[--k]), cn = c + static_cast<std::ptrdiff_t>(n);
            std::move_backward(d.transitions.begin() + c, d.transitions.begin() + cn, d.transitions.begin() + to);
            if (per_successor) std::move_backward(d.next_reward.begin() + c, d.next_reward.begin() + cn, d.next_reward.begin() + to);
        } else {
            e -= n;
            const auto s0 = static_cast<std::ptrdiff_t>(e), s1 = static_cast<std::ptrdiff_t>(e + n);
            std::copy(x.transitions.begin() + s0, x.transitions.begin() + s1, d.transitions.begin() + static_cast<std::ptrdiff_t>(b));
            if (per_successor) std::copy(x.next_reward.begin() + s0, x.next_reward.begin() + s1, d.next_reward.begin() + static_cast<std::ptrdiff_t>(b));
        }
    }
    d.state_begin = std::move(x.state_begin);
    d.row_begin = std::move(x.row_begin);
    d.row_action = std::move(x.row_action);
    d.row_reward = std::move(x.row_reward);
    return Model(std::move(d));
}

}  // namespace

namespace {

// alpha log pi0(a|s) per kept row, exactly as with_prior adds it (pi0 renormalised per state), after
// the checks of with_prior (so that a bad prior or alpha leaves the model as it was).
std::vector<double> checked_shift(const Model& m, std::span<const double> pi0, double alpha, const std::string& source) {
    if (!std::isfinite(alpha) || alpha < 0.0)
        throw UsageError(fmt::format("{} must be a finite number >= 0, got {}", param("alpha"), alpha));
    check_prior(m, pi0, source);
    std::vector<double> shift;
    shift.reserve(m.num_rows());
    for (std::size_t s = 0; s < m.num_states(); ++s) {
        double sum = 0.0;
        for (Offset r = m.row_first(s); r < m.row_last(s); ++r) sum += pi0[r];
        for (Offset r = m.row_first(s); r < m.row_last(s); ++r)
            if (pi0[r] != 0.0) shift.push_back(alpha > 0.0 ? alpha * std::log(pi0[r] / sum) : 0.0);
    }
    return shift;
}

// The q and policy tables of a solution of pm (from state_rows when the solver kept values only),
// state_rows cleared: it refers to the prior model.
void keep_tables(const Model& pm, Solution& sol) {
    if (sol.q.size() != pm.num_rows() || sol.policy.size() != pm.num_rows()) {
        std::vector<double> q(pm.num_rows()), policy(pm.num_rows());
        sol.q.clear();
        sol.policy.clear();
        for_each_state_rows(pm, sol, [&](std::size_t s, std::span<const double> qs, std::span<const double> pis) {
            std::copy(qs.begin(), qs.end(), q.begin() + static_cast<std::ptrdiff_t>(pm.row_first(s)));
            std::copy(pis.begin(), pis.end(), policy.begin() + static_cast<std::ptrdiff_t>(pm.row_first(s)));
        });
        sol.q = std::move(q);
        sol.policy = std::move(policy);
    }
    sol.state_rows = nullptr;
}

// The prior model's solution (tables kept) on m's rows in m's reward scale (prior.hpp).
Solution on_user_model(const Model& m, std::span<const double> pi0, std::span<const double> shift, Solution sol) {
    for (std::size_t k = 0; k < sol.q.size(); ++k) sol.q[k] -= shift[k];
    sol.policy = expand_prior_rows(pi0, sol.policy);
    sol.q = expand_prior_rows(pi0, sol.q);
    const ModelData& d = m.data();
    for (std::size_t r = 0; r < m.num_rows(); ++r)
        if (pi0[r] == 0.0) sol.q[r] = q_value(d, r, sol.values.data());
    return sol;
}

}  // namespace

Solution solve_on_prior_model(Model& m, std::span<const double> pi0, double alpha, const std::function<Solution(const Model&)>& run,
                              const std::string& source) {
    const std::vector<double> shift = checked_shift(m, pi0, alpha, source);  // before m moves
    Removed removed = removed_by_prior(m, pi0);
    Model pm = with_prior(std::move(m), pi0, alpha, source);
    Solution sol;
    try {
        sol = run(pm);
        keep_tables(pm, sol);
    } catch (...) {
        m = restore(std::move(pm), std::move(removed), pi0);
        throw;
    }
    m = restore(std::move(pm), std::move(removed), pi0);
    return on_user_model(m, pi0, shift, std::move(sol));
}

Solution solve_on_prior_model(const Model& m, std::span<const double> pi0, double alpha, const std::function<Solution(const Model&)>& run,
                              const std::string& source) {
    const std::vector<double> shift = checked_shift(m, pi0, alpha, source);
    Solution sol;
    {
        const Model pm = with_prior(m, pi0, alpha, source);  // a compacted copy, freed before the mapping
        sol = run(pm);
        keep_tables(pm, sol);
    }
    return on_user_model(m, pi0, shift, std::move(sol));
}

namespace {
// `choose` as a run whose Solution carries only the policy (the values and q are not wanted).
std::function<Solution(const Model&)> policy_run(const std::function<std::vector<double>(const Model&)>& choose) {
    return [&choose](const Model& pm) {
        Solution sol;
        sol.policy = choose(pm);
        sol.values.assign(pm.num_states(), 0.0);
        sol.q.assign(pm.num_rows(), 0.0);
        return sol;
    };
}
}  // namespace

std::vector<double> policy_on_prior_model(Model& m, std::span<const double> pi0, double alpha,
                                          const std::function<std::vector<double>(const Model&)>& choose, const std::string& source) {
    return solve_on_prior_model(m, pi0, alpha, policy_run(choose), source).policy;
}

std::vector<double> policy_on_prior_model(const Model& m, std::span<const double> pi0, double alpha,
                                          const std::function<std::vector<double>(const Model&)>& choose, const std::string& source) {
    return solve_on_prior_model(m, pi0, alpha, policy_run(choose), source).policy;
}

namespace {
std::function<Solution(const Model&)> solver(std::string_view method, double alpha, const SolverOptions& opt) {
    return [=, &opt](const Model& pm) { return solve(pm, method.empty() ? default_method(pm, alpha) : method, alpha, opt); };
}
}  // namespace

Solution solve_with_prior(Model& m, std::span<const double> pi0, std::string_view method, double alpha, const SolverOptions& opt,
                          const std::string& source) {
    return solve_on_prior_model(m, pi0, alpha, solver(method, alpha, opt), source);
}

Solution solve_with_prior(const Model& m, std::span<const double> pi0, std::string_view method, double alpha, const SolverOptions& opt,
                          const std::string& source) {
    return solve_on_prior_model(m, pi0, alpha, solver(method, alpha, opt), source);
}

}  // namespace softmdp
