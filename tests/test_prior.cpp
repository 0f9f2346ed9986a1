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

#include "softmdp/core/errors.hpp"
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
                    const auto pi = to_full_rows(m, pm, sol.policy);
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
        const auto pi = to_full_rows(m, pm, sol.policy);
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
    const auto back = to_full_rows(m, pm, rewards, NAN);
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
        if (!m.is_terminal(s)) CHECK(doc["q"][s][0].is_null());
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
    CHECK(bad.err.find("not available") != std::string::npos);

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
