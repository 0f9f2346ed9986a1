// KL regularisation towards a reference policy pi0 (solvers/prior.hpp) against references written
// here: dense KL-regularised value iteration V(s) = alpha log sum_a pi0(a|s) exp(Q(s,a)/alpha) on the
// original model (no reward shift), the regularised objective E[sum gamma^t (r - alpha KL(pi||pi0))]
// of the resulting policy by dense evaluation, and closed forms for the uniform prior.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "occupancy_models.hpp"
#include "softmdp/core/errors.hpp"
#include "softmdp/learning/irl.hpp"
#include "softmdp/learning/simulate.hpp"
#include "softmdp/solvers/finite_horizon.hpp"
#include "softmdp/solvers/policy_evaluation.hpp"
#include "softmdp/solvers/prior.hpp"
#include "softmdp/solvers/solve.hpp"
#include "test_helpers.hpp"

using namespace softmdp;

namespace {

double q_of(const Model& m, Offset r, const std::vector<double>& V) {
    double q = m.row_reward(r);
    for (const Transition& t : m.transitions(r)) q += m.discount() * t.prob() * V[t.next];
    return q;
}

// Dense value iteration of the KL-regularised Bellman equation on m itself, to a change below 1e-15.
std::vector<double> kl_value_iteration(const Model& m, const std::vector<double>& pi0, double alpha) {
    std::vector<double> V(m.num_states(), 0.0), W(m.num_states(), 0.0);
    for (int it = 0; it < 200000; ++it) {
        double change = 0.0;
        for (std::size_t s = 0; s < m.num_states(); ++s) {
            if (m.is_terminal(s)) continue;
            double mx = -INFINITY;
            for (Offset r = m.row_first(s); r < m.row_last(s); ++r)
                if (pi0[r] > 0.0) mx = std::max(mx, q_of(m, r, V));
            double sum = 0.0;
            for (Offset r = m.row_first(s); r < m.row_last(s); ++r)
                if (pi0[r] > 0.0) sum += pi0[r] * std::exp((q_of(m, r, V) - mx) / alpha);
            W[s] = mx + alpha * std::log(sum);
            change = std::max(change, std::abs(W[s] - V[s]));
        }
        V.swap(W);
        if (change <= 1e-15 * (1.0 + std::abs(V[0]))) break;
    }
    return V;
}

// E[sum_t gamma^t (r - alpha KL(pi(.|s)||pi0(.|s)))] of pi (per row of m), by dense Gauss-Seidel
// sweeps; -inf where pi leaves pi0's support.
std::vector<double> kl_objective(const Model& m, const std::vector<double>& pi, const std::vector<double>& pi0, double alpha) {
    std::vector<double> V(m.num_states(), 0.0);
    for (int it = 0; it < 200000; ++it) {
        double change = 0.0;
        for (std::size_t s = 0; s < m.num_states(); ++s) {
            if (m.is_terminal(s)) continue;
            double v = 0.0, kl = 0.0;
            for (Offset r = m.row_first(s); r < m.row_last(s); ++r) {
                if (pi[r] == 0.0) continue;
                v += pi[r] * q_of(m, r, V);
                kl += pi[r] * std::log(pi[r] / pi0[r]);
            }
            const double w = v - alpha * kl;
            change = std::max(change, std::abs(w - V[s]));
            V[s] = w;
        }
        if (change <= 1e-15 * (1.0 + std::abs(V[0]))) break;
    }
    return V;
}

// A random prior per row of m: some actions excluded (0) where the state has several, the rest
// positive with weights spread over four orders of magnitude.
std::vector<double> random_prior(const Model& m, unsigned seed) {
    std::mt19937_64 g(seed);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::vector<double> pi0(m.num_rows(), 0.0);
    for (std::size_t s = 0; s < m.num_states(); ++s) {
        if (m.is_terminal(s)) continue;
        double sum = 0.0;
        for (Offset r = m.row_first(s); r < m.row_last(s); ++r) {
            const bool keep = r == m.row_first(s) + (s % m.num_available(s)) || u(g) > 0.3;
            pi0[r] = keep ? std::pow(10.0, -4.0 * u(g)) : 0.0;
            sum += pi0[r];
        }
        for (Offset r = m.row_first(s); r < m.row_last(s); ++r) pi0[r] /= sum;
    }
    return pi0;
}

std::vector<double> uniform_prior(const Model& m) {
    std::vector<double> pi0(m.num_rows(), 0.0);
    for (std::size_t s = 0; s < m.num_states(); ++s)
        for (Offset r = m.row_first(s); r < m.row_last(s); ++r) pi0[r] = 1.0 / static_cast<double>(m.num_available(s));
    return pi0;
}

double max_diff(const std::vector<double>& a, const std::vector<double>& b) {
    double d = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) d = std::max(d, std::abs(a[i] - b[i]));
    return d;
}

}  // namespace

TEST_CASE("prior: every soft method's KL-regularised optimum equals dense KL value iteration on the original model") {
    SolverOptions o;
    o.tolerance = 1e-11;
    for (const char* file : {"chain2.json", "gridworld4x4.json", "riverswim.json", "forest.json", "frozenlake4x4.json"}) {
        const Model m = test::example(file);
        for (unsigned seed : {1u, 2u}) {
            for (double alpha : {0.05, 1.0}) {
                const std::string name = file;
                CAPTURE(name);
                CAPTURE(seed);
                CAPTURE(alpha);
                const auto pi0 = random_prior(m, seed);
                const auto ref = kl_value_iteration(m, pi0, alpha);
                const Model pm = with_prior(m, pi0, alpha);
                double scale = 1.0;
                for (double v : ref) scale = std::max(scale, std::abs(v));
                for (const auto& mi : methods()) {
                    if (!mi.soft || mi.name == "mellowmax" || mi.name == "boltzmann") continue;
                    CAPTURE(mi.name);
                    const Solution sol = solve(pm, mi.name, alpha, o);
                    CHECK(sol.converged);
                    CHECK(max_diff(sol.values, ref) <= 1e-9 * scale);
                    if (sol.error_bound) CHECK(max_diff(sol.values, ref) <= *sol.error_bound + 1e-12 * scale);
                    // The policy is pi0 exp((Q - V)/alpha) with Q of the original rewards, 0 off pi0's support.
                    const auto pi = expand_prior_rows(pi0, sol.policy);
                    for (std::size_t s = 0; s < m.num_states(); ++s)
                        for (Offset r = m.row_first(s); r < m.row_last(s); ++r) {
                            const double expect = pi0[r] * std::exp((q_of(m, r, ref) - ref[s]) / alpha);
                            CHECK(pi[r] == doctest::Approx(expect).epsilon(1e-7).scale(1e-12));
                        }
                }
            }
        }
    }
}

TEST_CASE("prior: the optimum's value is its objective E[sum gamma^t (r - alpha KL(pi||pi0))], which no other policy beats") {
    SolverOptions o;
    o.tolerance = 1e-12;
    for (const char* file : {"chain2.json", "gridworld4x4.json", "riverswim.json"}) {
        const Model m = test::example(file);
        const double alpha = 0.4;
        const auto pi0 = random_prior(m, 7);
        const Model pm = with_prior(m, pi0, alpha);
        const Solution sol = solve(pm, "soft-pi", alpha, o);
        const auto pi = expand_prior_rows(pi0, sol.policy);
        const auto J = kl_objective(m, pi, pi0, alpha);
        double scale = 1.0;
        for (double v : J) scale = std::max(scale, std::abs(v));
        CHECK(max_diff(sol.values, J) <= 1e-9 * scale);
        // The library's own evaluation of pi on the prior model (state convention) is the same objective.
        const Solution ev = evaluate_policy_exact(pm, sol.policy, alpha, o);
        CHECK(max_diff(ev.values, J) <= 1e-9 * scale);
        // pi0 itself (KL 0) and a mixture of pi and pi0 do no better, state by state.
        for (double w : {0.0, 0.5}) {
            std::vector<double> mix(pi.size());
            for (std::size_t r = 0; r < pi.size(); ++r) mix[r] = w * pi[r] + (1.0 - w) * pi0[r];
            const auto Jmix = kl_objective(m, mix, pi0, alpha);
            for (std::size_t s = 0; s < m.num_states(); ++s) CHECK(Jmix[s] <= J[s] + 1e-9 * scale);
        }
    }
}

TEST_CASE("prior: uniform pi0 is entropy regularisation with rewards r - alpha log|A_s| (closed forms)") {
    SolverOptions o;
    o.tolerance = 1e-12;
    SUBCASE("one state, self-loops: V_KL = (alpha logsumexp(r/alpha) - alpha log n)/(1 - gamma)") {
        const std::vector<double> r{1.0, 0.5, -2.0};
        const Model m = test::self_loops(r, 0.9);
        for (double alpha : {0.1, 1.0, 10.0}) {
            const Solution kl = solve(with_prior(m, uniform_prior(m), alpha), "soft-vi", alpha, o);
            double lse = 0.0;
            for (double x : r) lse += std::exp(x / alpha);
            lse = alpha * std::log(lse);
            CHECK(kl.values[0] == doctest::Approx((lse - alpha * std::log(3.0)) / 0.1).epsilon(1e-10));
        }
    }
    SUBCASE("|A_s| = n everywhere, no terminal state: V_KL = V_entropy - alpha log n/(1 - gamma), same policy") {
        for (const char* file : {"chain2.json", "riverswim.json", "forest.json"}) {
            const Model m = test::example(file);
            REQUIRE(m.uniform_actions() > 0);
            REQUIRE(m.num_terminal() == 0);
            const double alpha = 0.3, shift = alpha * std::log(static_cast<double>(m.uniform_actions())) / (1.0 - m.discount());
            const Solution ent = solve(m, "soft-pi", alpha, o);
            const Solution kl = solve(with_prior(m, uniform_prior(m), alpha), "soft-pi", alpha, o);
            for (std::size_t s = 0; s < m.num_states(); ++s) CHECK(kl.values[s] == doctest::Approx(ent.values[s] - shift).epsilon(1e-10));
            CHECK(max_diff(kl.policy, ent.policy) <= 1e-10);
        }
    }
    SUBCASE("varying |A_s| and terminal states: the entropy optimum of r - alpha log|A_s|, and dense KL iteration") {
        const Model m = test::example("cliffwalking.json");
        const double alpha = 0.5;
        ModelData d = m.data();
        for (std::size_t s = 0; s < m.num_states(); ++s)
            for (Offset r = m.row_first(s); r < m.row_last(s); ++r) d.row_reward[r] -= alpha * std::log(static_cast<double>(m.num_available(s)));
        const Solution ent = solve(Model(std::move(d)), "soft-pi", alpha, o);
        const Solution kl = solve(with_prior(m, uniform_prior(m), alpha), "soft-pi", alpha, o);
        const auto ref = kl_value_iteration(m, uniform_prior(m), alpha);
        CHECK(max_diff(kl.values, ent.values) <= 1e-9);
        CHECK(max_diff(kl.values, ref) <= 1e-8);
    }
}

TEST_CASE("prior: both coefficients (entropy tau, KL lambda): solve(with_prior(m, pi0, lambda), tau + lambda)") {
    // max_pi E[sum gamma^t (r + tau H(pi) - lambda KL(pi||pi0))]: its backup is
    // V(s) = max_pi sum_a pi (Q - lambda log(pi/pi0)) - tau sum_a pi log pi
    //      = (tau + lambda) log sum_a pi0^(lambda/(tau+lambda)) exp(Q/(tau + lambda)),
    // i.e. the KL backup at temperature tau + lambda towards pi0^(lambda/(tau+lambda)) (renormalised,
    // with the normaliser's log inside V). Checked by dense iteration of that backup here.
    SolverOptions o;
    o.tolerance = 1e-11;
    const Model m = test::example("riverswim.json");
    const auto pi0 = random_prior(m, 11);
    for (const auto& coefficients : {std::pair{0.2, 0.5}, std::pair{1.0, 0.1}}) {
        const double tau = coefficients.first, lambda = coefficients.second;  // not a binding: clang 14 cannot capture one
        CAPTURE(tau);
        CAPTURE(lambda);
        const double t = tau + lambda;
        std::vector<double> V(m.num_states(), 0.0);
        for (int it = 0; it < 20000; ++it)
            for (std::size_t s = 0; s < m.num_states(); ++s) {
                double mx = -INFINITY, sum = 0.0;
                for (Offset r = m.row_first(s); r < m.row_last(s); ++r)
                    if (pi0[r] > 0.0) mx = std::max(mx, q_of(m, r, V));
                for (Offset r = m.row_first(s); r < m.row_last(s); ++r)
                    if (pi0[r] > 0.0) sum += std::pow(pi0[r], lambda / t) * std::exp((q_of(m, r, V) - mx) / t);
                V[s] = mx + t * std::log(sum);
            }
        const Solution sol = solve(with_prior(m, pi0, lambda), "soft-pi", t, o);
        CHECK(max_diff(sol.values, V) <= 1e-8);
    }
}

TEST_CASE("prior: alpha 0 keeps only the exclusion; bad priors are located errors") {
    const Model m = test::example("gridworld4x4.json");
    auto pi0 = random_prior(m, 3);
    const Model pm = with_prior(m, pi0, 0.0);
    std::size_t kept = 0;
    for (double p : pi0) kept += p > 0.0;
    CHECK(pm.num_rows() == kept);
    std::vector<double> rewards(pm.num_rows());
    for (Offset r = 0; r < pm.num_rows(); ++r) rewards[r] = pm.row_reward(r);
    const auto back = expand_prior_rows(pi0, rewards, NAN);
    for (Offset r = 0; r < m.num_rows(); ++r) {
        if (pi0[r] > 0.0) CHECK(back[r] == m.row_reward(r));
        else CHECK(std::isnan(back[r]));
    }
    // Hard optimum on the support: the dense KL iteration's alpha -> 0 limit is the max over the support.
    const Solution hard = solve(pm, "pi", 0.0);
    std::vector<double> V(m.num_states(), 0.0);
    for (int it = 0; it < 3000; ++it)
        for (std::size_t s = 0; s < m.num_states(); ++s) {
            if (m.is_terminal(s)) continue;
            double best = -INFINITY;
            for (Offset r = m.row_first(s); r < m.row_last(s); ++r)
                if (pi0[r] > 0.0) best = std::max(best, q_of(m, r, V));
            V[s] = best;
        }
    CHECK(max_diff(hard.values, V) <= 1e-9);

    const auto fails = [&](std::vector<double> p, const char* what) {
        CAPTURE(what);
        CHECK_THROWS_AS(with_prior(m, p, 1.0, "P.json"), InputError);
        try {
            (void)with_prior(m, p, 1.0, "P.json");
        } catch (const InputError& e) {
            CHECK(std::string(e.what()).find("P.json") != std::string::npos);
            CHECK(std::string(e.what()).find("state") != std::string::npos);
        }
    };
    auto neg = pi0;
    neg[m.row_first(1)] = -0.1;
    neg[m.row_first(1) + 1] += 0.1;
    fails(neg, "negative");
    auto sum = pi0;
    sum[m.row_first(2)] += 0.5;
    fails(sum, "sum");
    auto nan = pi0;
    nan[m.row_first(3)] = NAN;
    fails(nan, "nan");
    CHECK_THROWS_AS(with_prior(m, std::vector<double>(3, 0.0), 1.0), InputError);
    CHECK_THROWS_AS(with_prior(m, pi0, -1.0), UsageError);
}

TEST_CASE("prior: the CLI's --prior on solve, evaluate, compare, sweep and occupancy") {
    const std::string model = test::source_path("mdps/gridworld4x4.json");
    const std::string prior = test::source_path("mdps/priors/gridworld4x4_no_up.json");
    const Model m = test::example("gridworld4x4.json");
    std::vector<double> pi0(m.num_rows(), 0.0);
    for (std::size_t s = 0; s < m.num_states(); ++s)
        for (Offset r = m.row_first(s); r < m.row_last(s); ++r) {
            const std::string a = m.action_name(m.row_action(r));
            pi0[r] = a == "up" ? 0.0 : a == "left" ? 0.2 : 0.4;
        }
    const double alpha = 0.5;
    const auto ref = kl_value_iteration(m, pi0, alpha);

    const auto solved = test::run_cli("solve " + model + " --alpha 0.5 --prior " + prior + " --tolerance 1e-11 --json - --quiet");
    REQUIRE(solved.code == 0);
    const auto doc = nlohmann::json::parse(solved.out);
    CHECK(doc["prior"] == prior);
    for (std::size_t s = 0; s < m.num_states(); ++s) {
        CHECK(doc["values"][s].get<double>() == doctest::Approx(ref[s]).epsilon(1e-9));
        if (!m.is_terminal(s)) CHECK(doc["policy"][s][0].get<double>() == 0.0);  // "up" excluded
        // q is Q = r + gamma P V in the model's reward scale on every action, the excluded "up" too.
        for (Offset r = m.row_first(s); r < m.row_last(s); ++r)
            CHECK(doc["q"][s][r - m.row_first(s)].get<double>() == doctest::Approx(q_of(m, r, ref)).epsilon(1e-9));
    }
    // The default documents carry no "prior" (bit-identical to before --prior existed).
    CHECK(!nlohmann::json::parse(test::run_cli("solve " + model + " --alpha 0.5 --json - --quiet").out).contains("prior"));

    // Evaluating the KL-optimal policy gives its value, the objective E[sum gamma^t (r - alpha KL)].
    const auto dir = test::temp_dir("prior-cli");
    test::write_file(dir / "result.json", solved.out);
    const auto ev = test::run_cli("evaluate " + model + " --alpha 0.5 --prior " + prior + " --policy " + (dir / "result.json").string() +
                                  " --json - --quiet");
    REQUIRE(ev.code == 0);
    const auto evd = nlohmann::json::parse(ev.out);
    CHECK(evd["prior"] == prior);
    for (std::size_t s = 0; s < m.num_states(); ++s) CHECK(evd["values"][s].get<double>() == doctest::Approx(ref[s]).epsilon(1e-8));
    // A policy that uses an excluded action has infinite KL: refused, naming the state and action.
    const auto up = test::run_cli("evaluate " + model + " --alpha 0.5 --prior " + prior + " --policy uniform --json - --quiet");
    CHECK(up.code == 0);  // "uniform" is uniform over the prior's support
    std::string all_up = R"({"format": "softmdp-policy/1", "policy": {)";
    for (std::size_t s = 1; s < 15; ++s) all_up += (s > 1 ? ", " : "") + fmt::format(R"("s{}": {{"up": 1}})", s);
    test::write_file(dir / "up.json", all_up + "}}");
    const auto bad = test::run_cli("evaluate " + model + " --alpha 0.5 --prior " + prior + " --policy " + (dir / "up.json").string());
    CHECK(bad.code == 2);
    CHECK(bad.err.find("up.json") != std::string::npos);
    CHECK(bad.err.find("which the prior excludes") != std::string::npos);

    const auto cmp = test::run_cli("compare " + model + " --alpha 0.5 --prior " + prior + " --tolerance 1e-11 --json - --quiet");
    REQUIRE(cmp.code == 0);
    const auto cd = nlohmann::json::parse(cmp.out);
    CHECK(cd["prior"] == prior);
    CHECK(cd["gap_bound"].empty());  // no bound on V_hard - V_KL
    for (std::size_t s = 0; s < m.num_states(); ++s) {
        CHECK(cd["soft"]["values"][s].get<double>() == doctest::Approx(ref[s]).epsilon(1e-9));
        CHECK(cd["gap"][s].get<double>() <= 1e-9);  // V_KL <= V_hard
    }

    const auto sw = test::run_cli("sweep " + model + " --alpha-min 0.5 --alpha-max 1 --points 2 --prior " + prior +
                                  " --tolerance 1e-11 --json - --quiet");
    REQUIRE(sw.code == 0);
    const auto swd = nlohmann::json::parse(sw.out);
    CHECK(swd["prior"] == prior);
    double j = 0.0;
    for (std::size_t s = 0; s < m.num_states(); ++s) j += m.initial()[s] * ref[s];
    CHECK(swd["points"][0]["j_soft"].get<double>() == doctest::Approx(j).epsilon(1e-9));

    const auto occ = test::run_cli("occupancy " + model + " --alpha 0.5 --prior " + prior + " --tolerance 1e-11 --json - --quiet");
    REQUIRE(occ.code == 0);
    const auto od = nlohmann::json::parse(occ.out);
    for (std::size_t s = 0; s < m.num_states(); ++s)
        if (!m.is_terminal(s)) CHECK(od["state_actions"][s][0].get<double>() == 0.0);  // never up
}

// ---------------------------------------------------------------------------------------------
// Results on the user's model, finite horizons and IRL with a prior (issue 18).

namespace {

// Every array of two models' data, compared exactly.
bool same_arrays(const Model& a, const Model& b) {
    const ModelData &x = a.data(), &y = b.data();
    return x.state_begin == y.state_begin && x.row_action == y.row_action && x.row_reward == y.row_reward && x.row_begin == y.row_begin &&
           x.transitions == y.transitions && x.next_reward == y.next_reward;
}

// A 3-state model with per-successor rewards (r_to), so the restore of next_reward is exercised.
Model successor_reward_model() {
    ModelBuilder b;
    b.set_discount(0.9);
    b.set_state_count(3);
    b.set_action_count(3);
    for (std::size_t s = 0; s < 3; ++s)
        for (std::size_t a = 0; a < 3; ++a) {
            b.begin_entry();
            b.entry_state(Ref::at(s));
            b.entry_action(Ref::at(a));
            b.entry_reward(0.1 * static_cast<double>(s + 2 * a));
            b.entry_next(Ref::at((s + a) % 3), 0.6, 1.0 + static_cast<double>(a));
            b.entry_next(Ref::at((s + 1) % 3), 0.4, -0.5 * static_cast<double>(s));
            b.end_entry();
        }
    return b.build();
}

// pi0 normalised per state (as with_prior uses it).
std::vector<double> normalised(const Model& m, std::vector<double> pi0) {
    for (std::size_t s = 0; s < m.num_states(); ++s) {
        double sum = 0.0;
        for (Offset r = m.row_first(s); r < m.row_last(s); ++r) sum += pi0[r];
        for (Offset r = m.row_first(s); r < m.row_last(s); ++r) pi0[r] /= sum;
    }
    return pi0;
}

// Dense finite-horizon backward induction with a prior, written here: Q_t = r + gamma P V_{t+1},
// V_t = alpha log sum_{pi0 > 0} pi0 exp(Q_t/alpha) (max at alpha 0) for the optimum, or
// V_t = sum pi Q_t - alpha KL(pi || pi0) for a given stationary pi. Returns (values, q, policy).
struct Dense {
    std::vector<double> values, q, policy;
};
Dense dense_backward(const Model& m, const std::vector<double>& rewards, const std::vector<double>& pi0, double alpha, std::uint64_t H,
                     const std::vector<double>& terminal, const std::vector<double>& given = {}) {
    const std::size_t S = m.num_states(), R = m.num_rows();
    const auto p0 = normalised(m, pi0);
    Dense d;
    d.values.assign((H + 1) * S, 0.0);
    d.q.assign(H * R, 0.0);
    d.policy.assign(H * R, 0.0);
    for (std::size_t s = 0; s < S; ++s) d.values[H * S + s] = terminal[s];
    for (std::uint64_t t = H; t-- > 0;) {
        for (std::size_t s = 0; s < S; ++s) {
            if (m.is_terminal(s)) {
                d.values[t * S + s] = m.discount() * d.values[(t + 1) * S + s];
                continue;
            }
            for (Offset r = m.row_first(s); r < m.row_last(s); ++r) {
                double q = rewards[r];
                for (const Transition& tr : m.transitions(r)) q += m.discount() * tr.prob() * d.values[(t + 1) * S + tr.next];
                d.q[t * R + r] = q;
            }
            double v = 0.0;
            if (!given.empty()) {
                for (Offset r = m.row_first(s); r < m.row_last(s); ++r)
                    if (given[r] > 0.0) v += given[r] * (d.q[t * R + r] - alpha * std::log(given[r] / p0[r]));
                for (Offset r = m.row_first(s); r < m.row_last(s); ++r) d.policy[t * R + r] = given[r];
            } else if (alpha == 0.0) {
                Offset best = m.row_last(s);
                for (Offset r = m.row_first(s); r < m.row_last(s); ++r)
                    if (p0[r] > 0.0 && (best == m.row_last(s) || d.q[t * R + r] > d.q[t * R + best])) best = r;
                v = d.q[t * R + best];
                d.policy[t * R + best] = 1.0;
            } else {
                double mx = -INFINITY, sum = 0.0;
                for (Offset r = m.row_first(s); r < m.row_last(s); ++r)
                    if (p0[r] > 0.0) mx = std::max(mx, d.q[t * R + r]);
                for (Offset r = m.row_first(s); r < m.row_last(s); ++r)
                    if (p0[r] > 0.0) sum += p0[r] * std::exp((d.q[t * R + r] - mx) / alpha);
                v = mx + alpha * std::log(sum);
                for (Offset r = m.row_first(s); r < m.row_last(s); ++r)
                    d.policy[t * R + r] = p0[r] > 0.0 ? p0[r] * std::exp((d.q[t * R + r] - v) / alpha) : 0.0;
            }
            d.values[t * S + s] = v;
        }
    }
    return d;
}

std::vector<double> rewards_of(const Model& m) { return {m.data().row_reward.begin(), m.data().row_reward.end()}; }

// Dense KL value iteration with other rewards (IRL's r_w), written as kl_value_iteration above.
std::vector<double> kl_values_with(const Model& m, const std::vector<double>& rewards, const std::vector<double>& pi0, double alpha) {
    ModelData d = m.data();
    d.row_reward = rewards;
    d.next_reward.clear();
    return kl_value_iteration(Model(std::move(d)), pi0, alpha);
}

}  // namespace

TEST_CASE("prior: results are on the user's model: Q in its reward scale on every action, policy 0 off pi0's support, m given back") {
    SolverOptions o;
    o.tolerance = 1e-11;
    std::vector<std::pair<std::string, Model>> models;
    for (const char* file : {"chain2.json", "gridworld4x4.json", "riverswim.json", "forest.json"}) models.emplace_back(file, test::example(file));
    models.emplace_back("successor rewards", successor_reward_model());
    for (auto& named : models) {
        Model& m = named.second;
        const Model original = m;
        for (const bool keep_rows : {true, false}) {
            for (double alpha : {0.05, 1.0}) {
                CAPTURE(named.first);
                CAPTURE(keep_rows);
                CAPTURE(alpha);
                const auto pi0 = random_prior(m, 3);
                const auto ref = kl_value_iteration(original, pi0, alpha);
                double scale = 1.0;
                for (double v : ref) scale = std::max(scale, std::abs(v));
                SolverOptions oo = o;
                oo.keep_rows = keep_rows;
                const Solution sol = solve_with_prior(m, pi0, "", alpha, oo);
                CHECK(same_arrays(m, original));  // given back bit for bit
                const Solution copied = solve_with_prior(original, pi0, "", alpha, oo);  // the const form: on a copy
                CHECK(copied.values == sol.values);
                CHECK(copied.q == sol.q);
                CHECK(copied.policy == sol.policy);
                REQUIRE(sol.q.size() == m.num_rows());
                REQUIRE(sol.policy.size() == m.num_rows());
                CHECK(!sol.state_rows);
                CHECK(max_diff(sol.values, ref) <= 1e-9 * scale);
                const auto p0 = normalised(m, pi0);
                for (std::size_t s = 0; s < m.num_states(); ++s)
                    for (Offset r = m.row_first(s); r < m.row_last(s); ++r) {
                        const double Q = q_of(original, r, ref);
                        CHECK(sol.q[r] == doctest::Approx(Q).epsilon(1e-9).scale(scale));  // excluded rows too
                        const double expect = p0[r] * std::exp((Q - ref[s]) / alpha);
                        CHECK(sol.policy[r] == doctest::Approx(expect).epsilon(1e-7).scale(1e-12));
                        if (pi0[r] == 0.0) CHECK(sol.policy[r] == 0.0);
                    }
            }
        }
        // A failing run gives m back too.
        const auto pi0 = random_prior(m, 4);
        CHECK_THROWS_AS(solve_on_prior_model(m, pi0, 1.0, [](const Model&) -> Solution { throw NumericalError("boom"); }), NumericalError);
        CHECK(same_arrays(m, original));
        // A bad prior is refused before m is touched.
        CHECK_THROWS_AS(solve_with_prior(m, std::vector<double>(m.num_rows(), 0.0), "", 1.0), InputError);
        CHECK(same_arrays(m, original));
    }
}

TEST_CASE("prior: finite horizon, V_t = alpha log sum_a pi0 exp(Q_t/alpha), against dense backward induction written here") {
    for (const char* file : {"chain2.json", "gridworld4x4.json", "frozenlake4x4.json"}) {
        const Model m = test::example(file);
        const auto pi0 = random_prior(m, 7);
        std::vector<double> terminal(m.num_states());
        for (std::size_t s = 0; s < m.num_states(); ++s) terminal[s] = 0.3 * std::sin(static_cast<double>(s));
        const std::uint64_t H = 7;
        for (double alpha : {0.0, 0.2, 2.0}) {
            const std::string name = file;
            CAPTURE(name);
            CAPTURE(alpha);
            const FiniteHorizonSolution fh = solve_finite_horizon(m, alpha, H, terminal, {}, 1, pi0);
            const Dense ref = dense_backward(m, rewards_of(m), pi0, alpha, H, terminal);
            CHECK(max_diff(fh.values, ref.values) <= 1e-12);
            CHECK(max_diff(fh.q, ref.q) <= 1e-12);
            CHECK(max_diff(fh.policy, ref.policy) <= 1e-12);
            // Evaluation: a stationary policy on pi0's support (the optimum's first step), and the
            // optimum's own time-indexed policy, whose value is the optimum's (the KL objective).
            const std::vector<double> pi(fh.policy.begin(), fh.policy.begin() + static_cast<std::ptrdiff_t>(m.num_rows()));
            const FiniteHorizonSolution ev = evaluate_finite_horizon(m, pi, alpha, H, terminal, 1, pi0);
            CHECK(max_diff(ev.values, dense_backward(m, rewards_of(m), pi0, alpha, H, terminal, pi).values) <= 1e-12);
            if (alpha > 0.0) {
                const FiniteHorizonSolution own = evaluate_finite_horizon(m, fh.policy, alpha, H, terminal, 1, pi0);
                CHECK(max_diff(own.values, fh.values) <= 1e-10);
            }
        }
        // A policy with mass on an excluded action has infinite KL: refused.
        std::vector<double> uniform(m.num_rows());
        for (std::size_t s = 0; s < m.num_states(); ++s)
            for (Offset r = m.row_first(s); r < m.row_last(s); ++r) uniform[r] = 1.0 / static_cast<double>(m.num_available(s));
        if (std::find(pi0.begin(), pi0.end(), 0.0) != pi0.end())
            CHECK_THROWS_AS(evaluate_finite_horizon(m, uniform, 1.0, H, {}, 1, pi0), InputError);
        CHECK(max_diff(evaluate_finite_horizon(m, uniform_on_prior(m, pi0), 1.0, H, {}, 1, pi0).values,
                       dense_backward(m, rewards_of(m), pi0, 1.0, H, std::vector<double>(m.num_states(), 0.0), uniform_on_prior(m, pi0)).values) <= 1e-12);
    }
}

TEST_CASE("prior: irl's KL learner, likelihood and gradient against a dense computation written here (discounted and finite horizon)") {
    const auto grid = test::feature_grid(3, 3, 0.9, {1.0, -1.0, 0.5, 0.3});
    const Model& m = grid.model;
    const auto pi0 = random_prior(m, 9);
    const auto p0 = normalised(m, pi0);
    const double alpha = 0.7, l2 = 0.05;
    const std::size_t K = grid.features.count();
    for (const std::uint64_t H : {std::uint64_t{0}, std::uint64_t{6}}) {
        CAPTURE(H);
        Demonstrations demos;
        demos.trajectories = simulate(m, uniform_on_prior(m, pi0), {.episodes = 30, .horizon = H ? H : 12, .seed = 5});
        // L(w) = sum_i gamma^t_i / N log pi_w,t_i(a_i|s_i) - l2/2 |w|^2, pi_w = pi0 exp((Q_w - V_w)/alpha), dense.
        const auto L = [&](const std::vector<double>& w) {
            const auto r = grid.features.reward(m, w);
            std::vector<double> logpi;  // (H or 1) x rows
            if (H == 0) {
                const auto V = kl_values_with(m, r, pi0, alpha);
                logpi.assign(m.num_rows(), -INFINITY);
                for (std::size_t s = 0; s < m.num_states(); ++s)
                    for (Offset row = m.row_first(s); row < m.row_last(s); ++row) {
                        double q = r[row];
                        for (const Transition& t : m.transitions(row)) q += m.discount() * t.prob() * V[t.next];
                        if (p0[row] > 0.0) logpi[row] = std::log(p0[row]) + (q - V[s]) / alpha;
                    }
            } else {
                const Dense d = dense_backward(m, r, pi0, alpha, H, std::vector<double>(m.num_states(), 0.0));
                logpi.assign(H * m.num_rows(), -INFINITY);
                for (std::uint64_t t = 0; t < H; ++t)
                    for (std::size_t s = 0; s < m.num_states(); ++s)
                        for (Offset row = m.row_first(s); row < m.row_last(s); ++row)
                            if (p0[row] > 0.0) logpi[t * m.num_rows() + row] = std::log(p0[row]) + (d.q[t * m.num_rows() + row] - d.values[t * m.num_states() + s]) / alpha;
            }
            double ll = 0.0;
            for (const Trajectory& tr : demos.trajectories) {
                double g = 1.0;
                for (std::size_t t = 0; t < tr.states.size(); ++t, g *= m.discount())
                    ll += g / static_cast<double>(demos.trajectories.size()) * logpi[(H ? t : 0) * m.num_rows() + m.find_row(tr.states[t], tr.actions[t])];
            }
            double ww = 0.0;
            for (double x : w) ww += x * x;
            return ll - 0.5 * l2 * ww;
        };
        const auto fd_gradient = [&](const std::vector<double>& w) {
            std::vector<double> g(K);
            const double h = 1e-4;
            for (std::size_t k = 0; k < K; ++k) {
                auto a = w, b = w;
                a[k] += h;
                b[k] -= h;
                g[k] = (L(a) - L(b)) / (2 * h);
            }
            return g;
        };
        IrlOptions o;
        o.alpha = alpha;
        o.horizon = H;
        o.l2 = l2;
        o.tolerance = 1e-6;  // near 2e-7 the line search stalls on the rounding of L (the inner solves' 1e-10)
        o.prior = pi0;
        const IrlResult res = irl(m, grid.features, demos, o);
        const std::string reason = res.reason;
        CAPTURE(reason);
        CAPTURE(res.iterations);
        CHECK(res.converged);
        // The first point: the code's gradient norm at w = 0 is the dense gradient's.
        double g0 = 0.0;
        for (double x : fd_gradient(std::vector<double>(K, 0.0))) g0 = std::max(g0, std::abs(x));
        CHECK(res.curve.front().gradient_norm == doctest::Approx(g0).epsilon(1e-5));
        CHECK(res.curve.front().objective == doctest::Approx(L(std::vector<double>(K, 0.0))).epsilon(1e-10));
        // The end: the dense objective there, and a stationary point of the dense L.
        CHECK(res.curve.back().objective == doctest::Approx(L(res.weights)).epsilon(1e-10));
        for (double x : fd_gradient(res.weights)) CHECK(std::abs(x) <= 2e-6);
        for (std::size_t i = 1; i < res.curve.size(); ++i) CHECK(res.curve[i].objective >= res.curve[i - 1].objective);
        for (std::size_t k = 0; k < res.policy.size(); ++k)
            if (pi0[k % m.num_rows()] == 0.0) CHECK(res.policy[k] == 0.0);
    }
    // A demonstrated action the prior excludes: likelihood 0, refused.
    Demonstrations bad;
    Offset excluded = m.num_rows();
    for (Offset r = 0; r < m.num_rows() && excluded == m.num_rows(); ++r)
        if (pi0[r] == 0.0) excluded = r;
    REQUIRE(excluded < m.num_rows());
    std::size_t s = 0;
    while (m.row_last(s) <= excluded) ++s;
    bad.trajectories.push_back({{static_cast<StateId>(s)}, {m.row_action(excluded)}});
    IrlOptions o;
    o.alpha = alpha;
    o.prior = pi0;
    CHECK_THROWS_WITH_AS(irl(m, grid.features, bad, o), doctest::Contains("excludes"), UsageError);
}
