#include "softmdp/learning/irl.hpp"

#include <cmath>
#include <deque>
#include <fmt/format.h>
#include <limits>

#include "softmdp/analysis/occupancy.hpp"
#include "softmdp/analysis/policy.hpp"
#include "softmdp/core/errors.hpp"
#include "softmdp/core/stopwatch.hpp"
#include "softmdp/solvers/finite_horizon.hpp"
#include "softmdp/solvers/prior.hpp"
#include "softmdp/solvers/soft_operators.hpp"
#include "softmdp/solvers/solve.hpp"

namespace softmdp {
namespace {

Model with_rewards(Model m, std::vector<double> r) {
    ModelData d = std::move(m).release();
    d.row_reward = std::move(r);
    d.next_reward.clear();  // r(s,a) is all there is now
    return Model(std::move(d));
}

// The weights c of the pairs per (time, row) (time 0 only when discounted), the start measure rho0
// (per state) and, for counts, nothing timed.
struct PairWeights {
    std::vector<double> c;     // (horizon or 1) x rows
    std::vector<double> rho0;  // per state
};

PairWeights pair_weights(const Model& m, const Demonstrations& demos, std::uint64_t horizon) {
    const std::size_t R = m.num_rows(), S = m.num_states();
    const double gamma = m.discount();
    PairWeights w;
    w.c.assign(std::max<std::uint64_t>(horizon, 1) * R, 0.0);
    w.rho0.assign(S, 0.0);
    if (demos.trajectories.empty()) {
        if (demos.counts.size() != R)
            throw UsageError(fmt::format("demonstrations: {} counts for {} state-action pairs (and no trajectories)", demos.counts.size(), R));
        if (horizon > 0) throw UsageError("visitation counts carry no times: a finite horizon needs trajectories");
        if (gamma >= 1.0) throw UsageError("visitation counts need a discount below 1 (they are read as a discounted occupancy)");
        double total = 0.0;
        for (double n : demos.counts) {
            if (!std::isfinite(n) || n < 0.0) throw UsageError(fmt::format("demonstrations: counts must be finite and >= 0, got {}", n));
            total += n;
        }
        if (!(total > 0.0)) throw UsageError("demonstrations: the counts sum to 0");
        for (std::size_t r = 0; r < R; ++r) w.c[r] = demos.counts[r] / total / (1.0 - gamma);
        w.rho0.assign(m.initial().begin(), m.initial().end());
        return w;
    }
    const double N = static_cast<double>(demos.trajectories.size());
    for (std::size_t k = 0; k < demos.trajectories.size(); ++k) {
        const Trajectory& tr = demos.trajectories[k];
        if (tr.states.size() != tr.actions.size())
            throw UsageError(fmt::format("demonstrations: trajectory {} has {} states and {} actions", k, tr.states.size(), tr.actions.size()));
        if (horizon > 0 && tr.states.size() > horizon)
            throw UsageError(fmt::format("demonstrations: trajectory {} has {} steps, more than the horizon {}", k, tr.states.size(), horizon));
        if (tr.states.empty()) continue;
        w.rho0[tr.states[0]] += 1.0 / N;
        double g = 1.0;
        for (std::size_t t = 0; t < tr.states.size(); ++t, g *= gamma) {
            const StateId s = tr.states[t];
            const Offset row = s < S ? m.find_row(s, tr.actions[t]) : R;
            if (row == R)
                throw UsageError(fmt::format("demonstrations: trajectory {} step {}: action {} is not available in state {}", k, t,
                                             tr.actions[t], s < S ? m.state_name(s) : std::to_string(s)));
            w.c[(horizon > 0 ? t : 0) * R + row] += g / N;
        }
    }
    return w;
}

// rho = sum c (e_s - gamma p(.|s,a)): per state (discounted) or per (t, state) (finite horizon, the
// -gamma part one step later; dropped past the horizon where V_H is fixed).
std::vector<double> likelihood_sources(const Model& m, std::span<const double> c, std::uint64_t horizon) {
    const std::size_t R = m.num_rows(), S = m.num_states();
    const std::uint64_t T = std::max<std::uint64_t>(horizon, 1);
    std::vector<double> rho(T * S, 0.0);
    for (std::uint64_t t = 0; t < T; ++t)
        for (std::size_t s = 0; s < S; ++s)
            for (Offset r = m.row_first(s); r < m.row_last(s); ++r) {
                const double x = c[t * R + r];
                if (x == 0.0) continue;
                rho[t * S + s] += x;
                const std::uint64_t next = horizon > 0 ? t + 1 : 0;
                if (horizon > 0 && next >= horizon) continue;
                for (const Transition& tr : m.transitions(r)) rho[next * S + tr.next] -= m.discount() * x * tr.prob();
            }
    return rho;
}

double max_abs_gap(std::span<const double> a, std::span<const double> b) {
    double x = 0.0;
    for (std::size_t k = 0; k < a.size(); ++k) x = std::max(x, std::abs(a[k] - b[k]));
    return x;
}

double weight_dot(std::span<const double> a, std::span<const double> b) {
    double x = 0.0;
    for (std::size_t k = 0; k < a.size(); ++k) x += a[k] * b[k];
    return x;
}

// log pi(a|s) = (q' - alpha logsumexp(q'/alpha))/alpha per row, q' = q + alpha log pi0 (log_prior;
// empty: no prior), the logsumexp over the rows the prior keeps; -inf on the others.
void log_policy(const Model& m, std::span<const double> q, double alpha, std::span<const double> log_prior, std::span<double> out) {
    std::vector<double> qs;
    for (std::size_t s = 0; s < m.num_states(); ++s) {
        qs.clear();
        for (Offset r = m.row_first(s); r < m.row_last(s); ++r)
            if (log_prior.empty() || std::isfinite(log_prior[r])) qs.push_back(q[r] + (log_prior.empty() ? 0.0 : log_prior[r]));
        if (qs.empty()) continue;
        const double v = soft_max(qs, alpha);
        for (Offset r = m.row_first(s); r < m.row_last(s); ++r)
            out[r] = log_prior.empty() || std::isfinite(log_prior[r]) ? (q[r] + (log_prior.empty() ? 0.0 : log_prior[r]) - v) / alpha
                                                                     : -std::numeric_limits<double>::infinity();
    }
}

// alpha log pi0(a|s) per row (pi0 renormalised per state, as with_prior), -inf where pi0 = 0; empty
// without a prior. Refuses demonstrated pairs (c > 0) that the prior excludes.
std::vector<double> prior_shift(const Model& m, const IrlOptions& opt, std::span<const double> c) {
    if (opt.prior.empty()) return {};
    if (opt.prior.size() != m.num_rows())
        throw UsageError(fmt::format("irl: the prior has {} entries for {} state-action pairs", opt.prior.size(), m.num_rows()));
    check_prior(m, opt.prior, opt.prior_source);
    const std::size_t R = m.num_rows();
    std::vector<double> shift(R, -std::numeric_limits<double>::infinity());
    for (std::size_t s = 0; s < m.num_states(); ++s) {
        double sum = 0.0;
        for (Offset r = m.row_first(s); r < m.row_last(s); ++r) sum += opt.prior[r];
        for (Offset r = m.row_first(s); r < m.row_last(s); ++r) {
            if (opt.prior[r] != 0.0) {
                shift[r] = opt.alpha * std::log(opt.prior[r] / sum);
                continue;
            }
            for (std::size_t k = r; k < c.size(); k += R)
                if (c[k] != 0.0)
                    throw UsageError(fmt::format("demonstrations: state {} takes action {}, which the prior {} excludes (pi0 = 0: "
                                                 "the demonstrations would have likelihood 0)",
                                                 m.state_name(s), m.action_name(m.row_action(r)), opt.prior_source));
        }
    }
    return shift;
}

// One evaluation of L(w) and its gradient.
struct Evaluation {
    double log_likelihood = 0.0, objective = 0.0;
    std::vector<double> gradient;  // of the objective
    std::vector<double> policy, values;
};

class Problem {
public:
    Problem(Model m, const Features& phi, const Demonstrations& demos, const IrlOptions& opt)
        : m_(std::move(m)), phi_(phi), opt_(opt), w_(pair_weights(m_, demos, opt.horizon)) {
        rho_ = likelihood_sources(m_, w_.c, opt.horizon);
        log_prior_ = prior_shift(m_, opt, w_.c);
        const std::size_t R = m_.num_rows();
        std::vector<double> c_all(R, 0.0);
        for (std::size_t k = 0; k < w_.c.size(); ++k) c_all[k % R] += w_.c[k];
        mu_e_ = phi_.expectation(m_, c_all);
    }

    Evaluation evaluate(std::span<const double> weights) {
        ++evaluations;
        Evaluation e;
        const std::size_t R = m_.num_rows();
        std::vector<double> logpi, d;
        if (opt_.horizon == 0) {
            auto r = phi_.reward(m_, weights);  // before m_ moves (argument order is unspecified)
            m_ = with_rewards(std::move(m_), std::move(r));
            SolverOptions so = opt_.solver;
            so.initial_values = warm_;  // the previous weights' values: successive rewards are close
            const auto soft_solve = [&](const Model& on) {
                return solve(on, opt_.method.empty() ? default_method(on, opt_.alpha) : std::string_view(opt_.method), opt_.alpha, so);
            };
            // With a prior: on the prior model (made in m_'s arrays), q reported as Q in r_w's scale.
            Solution sol = opt_.prior.empty() ? soft_solve(m_) : solve_on_prior_model(m_, opt_.prior, opt_.alpha, soft_solve, opt_.prior_source);
            if (!sol.converged)
                throw NumericalError(fmt::format("irl: the soft solve stopped before its tolerance ({})", sol.reason));
            e.policy = opt_.prior.empty() ? softmax_policy(m_, sol.q, opt_.alpha) : std::move(sol.policy);
            logpi.assign(R, 0.0);
            log_policy(m_, sol.q, opt_.alpha, log_prior_, logpi);
            d = occupancy(m_, e.policy, rho_, opt_.solver).state_actions;
            e.values = std::move(sol.values);
            warm_ = e.values;
        } else {
            auto fh = solve_finite_horizon(m_, opt_.alpha, opt_.horizon, {}, phi_.reward(m_, weights), opt_.solver.threads, opt_.prior);
            logpi.assign(opt_.horizon * R, 0.0);
            for (std::uint64_t t = 0; t < opt_.horizon; ++t)
                log_policy(m_, std::span<const double>(fh.q).subspan(t * R, R), opt_.alpha, log_prior_,
                           std::span<double>(logpi).subspan(t * R, R));
            d = finite_horizon_occupancy(m_, fh.policy, opt_.horizon, rho_).state_actions;
            e.policy = std::move(fh.policy);
            e.values = std::move(fh.values);
        }
        for (std::size_t k = 0; k < w_.c.size(); ++k)
            if (w_.c[k] != 0.0) e.log_likelihood += w_.c[k] * logpi[k];
        const auto mu = phi_.expectation(m_, d);
        e.gradient.resize(weights.size());
        for (std::size_t k = 0; k < weights.size(); ++k) e.gradient[k] = (mu_e_[k] - mu[k]) / opt_.alpha - opt_.l2 * weights[k];
        e.objective = e.log_likelihood - 0.5 * opt_.l2 * weight_dot(weights, weights);
        if (!std::isfinite(e.objective)) throw NumericalError(fmt::format("irl: the log-likelihood is not finite at alpha {}", opt_.alpha));
        return e;
    }

    // mu_w = Phi^T D_w(rho0): the learned policy's discounted feature counts from the demonstrations' starts.
    std::vector<double> learned_features(std::span<const double> policy) {
        ++evaluations;
        const auto occ = opt_.horizon == 0 ? occupancy(m_, policy, w_.rho0, opt_.solver)
                                           : finite_horizon_occupancy(m_, policy, opt_.horizon, w_.rho0);
        return phi_.expectation(m_, occ.state_actions);
    }

    const std::vector<double>& demonstrated_features() const { return mu_e_; }
    Model take_model(std::span<const double> weights) {
        auto r = phi_.reward(m_, weights);
        return with_rewards(std::move(m_), std::move(r));
    }
    const Model& model() const { return m_; }
    std::uint64_t evaluations = 0;

private:
    Model m_;
    const Features& phi_;
    const IrlOptions& opt_;
    PairWeights w_;
    std::vector<double> rho_, mu_e_, warm_, log_prior_;
};

}  // namespace

double demonstration_log_likelihood(const Model& m, const Demonstrations& demos, std::span<const double> pi) {
    const auto w = pair_weights(m, demos, 0);
    double ll = 0.0;
    for (std::size_t r = 0; r < m.num_rows(); ++r)
        if (w.c[r] != 0.0) ll += w.c[r] * std::log(pi[r]);
    return ll;
}

IrlResult irl(Model m, const Features& phi, const Demonstrations& demos, const IrlOptions& opt) {
    const Stopwatch clock;
    if (!(opt.alpha > 0.0) || !std::isfinite(opt.alpha)) throw UsageError(fmt::format("irl: alpha must be finite and > 0, got {}", opt.alpha));
    if (!(opt.l2 >= 0.0) || !std::isfinite(opt.l2)) throw UsageError(fmt::format("irl: l2 must be finite and >= 0, got {}", opt.l2));
    if (opt.memory == 0) throw UsageError("irl: the L-BFGS memory must be at least 1");
    const std::size_t K = phi.count();
    std::vector<double> w = opt.initial_weights.empty() ? std::vector<double>(K, 0.0) : opt.initial_weights;
    if (w.size() != K) throw UsageError(fmt::format("irl: {} initial weights for {} features", w.size(), K));

    Problem problem(std::move(m), phi, demos, opt);
    IrlResult res;
    res.demonstrated_features = problem.demonstrated_features();
    Evaluation cur = problem.evaluate(w);
    const auto point = [&](std::uint64_t it, const Evaluation& e) {
        IrlPoint p;
        p.iteration = it;
        p.log_likelihood = e.log_likelihood;
        p.objective = e.objective;
        res.learned_features = problem.learned_features(e.policy);
        p.feature_gap = max_abs_gap(res.demonstrated_features, res.learned_features);
        p.gradient_norm = max_abs_gap(e.gradient, std::vector<double>(K, 0.0));
        p.seconds = clock.seconds();
        res.curve.push_back(p);
        if (opt.progress) opt.progress(p);
    };
    point(0, cur);

    // Ascent on L: L-BFGS two-loop direction (or the gradient), backtracking Armijo line search, so
    // every accepted step raises the objective.
    std::deque<std::pair<std::vector<double>, std::vector<double>>> memory;  // (s, y) of -L
    double step = 1.0;
    res.stop = Stop::iteration_limit;
    res.reason = "stopped at the iteration limit";
    for (std::uint64_t it = 1;; ++it) {
        if (res.curve.back().gradient_norm <= opt.tolerance) {
            res.converged = true;
            res.stop = Stop::converged;
            res.reason = fmt::format("gradient {:.3g} <= tolerance {:.3g}", res.curve.back().gradient_norm, opt.tolerance);
            break;
        }
        if (it > opt.max_iterations) break;
        if (clock.seconds() >= opt.solver.time_limit) {
            res.stop = Stop::time_limit;
            res.reason = "stopped at the time limit";
            break;
        }
        // Direction p (ascent) = H g with the two-loop recursion on the minimisation of -L.
        std::vector<double> p = cur.gradient;
        if (opt.optimizer == IrlOptimizer::lbfgs && !memory.empty()) {
            std::vector<double> a(memory.size());
            for (std::size_t i = memory.size(); i-- > 0;) {
                const auto& [s, y] = memory[i];
                a[i] = weight_dot(s, p) / weight_dot(y, s);
                for (std::size_t k = 0; k < K; ++k) p[k] -= a[i] * y[k];
            }
            const auto& [s_last, y_last] = memory.back();
            const double scale = weight_dot(s_last, y_last) / weight_dot(y_last, y_last);
            for (double& x : p) x *= scale;
            for (std::size_t i = 0; i < memory.size(); ++i) {
                const auto& [s, y] = memory[i];
                const double b = weight_dot(y, p) / weight_dot(y, s);
                for (std::size_t k = 0; k < K; ++k) p[k] += s[k] * (a[i] - b);
            }
            if (weight_dot(p, cur.gradient) <= 0.0) {  // not an ascent direction: restart from the gradient
                memory.clear();
                p = cur.gradient;
            }
        }
        double t = opt.optimizer == IrlOptimizer::lbfgs && !memory.empty() ? 1.0 : step;
        if (opt.optimizer == IrlOptimizer::lbfgs && memory.empty()) t = 1.0 / std::max(1.0, res.curve.back().gradient_norm);
        const double slope = weight_dot(p, cur.gradient);
        std::optional<Evaluation> next;
        std::vector<double> wn(K);
        for (int trial = 0; trial < 50; ++trial, t *= 0.5) {
            for (std::size_t k = 0; k < K; ++k) wn[k] = w[k] + t * p[k];
            Evaluation e = problem.evaluate(wn);
            if (e.objective >= cur.objective + 1e-4 * t * slope && e.objective >= cur.objective) {
                next = std::move(e);
                break;
            }
        }
        if (!next) {
            res.stop = Stop::stalled;
            res.reason = fmt::format("the line search found no increase (gradient {:.3g}): the rounding of the soft solves", res.curve.back().gradient_norm);
            break;
        }
        std::vector<double> s(K), y(K);
        for (std::size_t k = 0; k < K; ++k) {
            s[k] = wn[k] - w[k];
            y[k] = cur.gradient[k] - next->gradient[k];  // gradient of -L: -(g_new - g_old)
        }
        if (weight_dot(s, y) > 1e-12 * std::sqrt(weight_dot(s, s) * weight_dot(y, y))) {
            memory.emplace_back(std::move(s), std::move(y));
            if (memory.size() > opt.memory) memory.pop_front();
        }
        step = 2.0 * t;  // gradient ascent: try a longer step next time
        w = wn;
        cur = std::move(*next);
        res.iterations = it;
        point(it, cur);
    }
    res.weights = w;
    res.policy = std::move(cur.policy);
    res.values = std::move(cur.values);
    res.evaluations = problem.evaluations;
    res.model = problem.take_model(w);
    res.reward.assign(res.model->data().row_reward.begin(), res.model->data().row_reward.end());
    res.seconds = clock.seconds();
    return res;
}

}  // namespace softmdp
