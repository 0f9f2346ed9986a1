#include "softmdp/learning/soft_q_learning.hpp"

#include <cmath>
#include <fmt/format.h>

#include "softmdp/solvers/bellman.hpp"
#include "softmdp/core/errors.hpp"
#include "softmdp/analysis/policy.hpp"
#include "softmdp/solvers/policy_evaluation.hpp"
#include "softmdp/core/random.hpp"
#include "softmdp/solvers/solve.hpp"

namespace softmdp {

std::string_view to_string(LearnOptions::Behaviour b) {
    switch (b) {
        case LearnOptions::Behaviour::uniform: return "uniform";
        case LearnOptions::Behaviour::epsilon_greedy: return "epsilon-greedy";
        case LearnOptions::Behaviour::soft: return "soft";
    }
    return "?";
}

std::string_view to_string(LearnOptions::Schedule s) { return s == LearnOptions::Schedule::constant ? "constant" : "power"; }

namespace {

double probability(double p) { return p; }
double probability(const Transition& t) { return t.prob(); }

// Inverse-CDF draw of an index from probabilities p (summing to 1), or from a row's transitions.
template <class T>
std::size_t draw_index(std::span<const T> p, Rng& rng) {
    double u = rng.uniform(), acc = 0.0;
    for (std::size_t i = 0; i < p.size(); ++i) {
        acc += probability(p[i]);
        if (u < acc) return i;
    }
    for (std::size_t i = p.size(); i-- > 0;)
        if (probability(p[i]) > 0.0) return i;  // u beyond the rounded total
    return p.size() - 1;
}

double soft_value(const Model& m, std::span<const double> q, std::size_t s, double alpha) {
    if (m.is_terminal(s)) return 0.0;
    return soft_max(q.subspan(m.row_first(s), m.num_available(s)), alpha);
}

}  // namespace

LearnResult soft_q_learning(const Model& m, const LearnOptions& opt) {
    if (!(opt.alpha >= 0.0) || !std::isfinite(opt.alpha)) throw UsageError(param("alpha") + " must be a finite number >= 0");
    if (!(opt.learning_rate > 0.0) || opt.learning_rate > 1.0) throw UsageError(param("learning_rate") + " must be in (0, 1]");
    if (opt.omega <= 0.5 || opt.omega > 1.0) throw UsageError(param("omega") + " must be in (0.5, 1] (Robbins-Monro)");
    if (opt.epsilon < 0.0 || opt.epsilon > 1.0) throw UsageError(param("epsilon") + " must be in [0, 1]");
    if (opt.target_every < 1 || opt.horizon < 1) throw UsageError(fmt::format("{} and {} must be >= 1", param("target_every"), param("horizon")));
    if (m.num_terminal() == m.num_states()) throw UsageError("every state is terminal: there is nothing to learn");
    if (m.discount() >= 1.0) throw UsageError("learn needs discount < 1");

    LearnResult res;
    SolverOptions exact;
    exact.tolerance = 1e-10;
    res.q_star = solve(m, opt.alpha > 0 ? "soft-pi" : "pi", opt.alpha, exact).q;
    const std::size_t R = m.num_rows();
    if (!std::isfinite(opt.initial_q)) throw UsageError(param("q_init") + " must be finite");
    std::vector<double> Q(R, opt.initial_q), target, pi(m.max_actions_per_state()), cdf;
    std::vector<std::uint64_t> visits(R, 0);
    const auto point = [&](std::uint64_t step) {
        LearnPoint p;
        p.step = step;
        for (std::size_t r = 0; r < R; ++r) p.q_error = std::max(p.q_error, std::abs(Q[r] - res.q_star[r]));
        const auto policy = softmax_policy(m, Q, opt.alpha);
        SolverOptions eo;
        eo.tolerance = 1e-9;
        p.objective = objective(m, evaluate_policy_exact(m, policy, opt.alpha, eo).values);
        res.curve.push_back(p);
    };
    point(0);
    const std::uint64_t every = std::max<std::uint64_t>(1, opt.steps / std::max<std::uint64_t>(1, opt.curve_points));
    Rng rng(opt.seed);
    const ModelData& d = m.data();
    const auto start = [&] {
        ++res.episodes;
        return draw_index(m.initial(), rng);
    };
    std::size_t s = start();
    std::uint64_t t = 0;
    if (opt.target_every > 1) target = Q;
    const std::span<const double> Qt = opt.target_every > 1 ? std::span<const double>(target) : std::span<const double>(Q);
    for (std::uint64_t step = 1; step <= opt.steps; ++step) {
        while (m.is_terminal(s) || t >= opt.horizon) {
            s = start();
            t = 0;
        }
        // Behaviour policy over the available actions of s.
        const Offset b = m.row_first(s);
        const std::size_t n = m.num_available(s);
        const std::span<const double> qs(Q.data() + b, n);
        std::size_t k;
        if (opt.behaviour == LearnOptions::Behaviour::uniform ||
            (opt.behaviour == LearnOptions::Behaviour::epsilon_greedy && rng.uniform() < opt.epsilon)) {
            k = rng.index(n);
        } else if (opt.behaviour == LearnOptions::Behaviour::epsilon_greedy) {
            k = static_cast<std::size_t>(std::max_element(qs.begin(), qs.end()) - qs.begin());
        } else {
            softmax_policy(qs, opt.alpha, std::span<double>(pi.data(), n));
            k = draw_index(std::span<const double>(pi.data(), n), rng);
        }
        const Offset row = b + k;
        // Environment step: s' ~ p(.|s,a); reward r + r_to(s') (the file's per-step reward).
        const auto succ = m.transitions(row);
        const std::size_t j = draw_index(succ, rng);
        const std::size_t next = succ[j].next;
        const auto r_to = m.successor_rewards(row);
        const double reward = r_to.empty() ? d.row_reward[row] : m.entry_reward(row) + r_to[j];
        const double y = reward + m.discount() * soft_value(m, Qt, next, opt.alpha);
        const double lr = opt.schedule == LearnOptions::Schedule::constant
                              ? opt.learning_rate
                              : opt.learning_rate / std::pow(static_cast<double>(++visits[row]), opt.omega);
        Q[row] += lr * (y - Q[row]);
        s = next;
        ++t;
        if (opt.target_every > 1 && step % opt.target_every == 0) target = Q;
        if (step % every == 0 || step == opt.steps) {
            if (res.curve.back().step != step) point(step);
            if (opt.progress) opt.progress(step);
        }
    }
    res.q = std::move(Q);
    return res;
}

}  // namespace softmdp
