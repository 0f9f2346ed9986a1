// Continuous-action soft Q-iteration against an independent reference: the values the solver reports
// must lie within its error_bound (quadrature) or its standard errors at their stated coverage
// (Monte Carlo). The reference below shares no code with the solver: its own Gauss-Legendre table,
// its own Q from the anchor formula of docs/continuous.md, its own fixed-point iteration.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "softmdp/continuous/continuous_model.hpp"
#include "softmdp/continuous/continuous_solver.hpp"
#include "softmdp/solvers/bellman.hpp"
#include "test_helpers.hpp"
#include "softmdp/io/continuous_reader.hpp"

using namespace softmdp;

namespace {

// Anchor MDPs on boxes of width 2: narrow bandwidths, gamma up to 0.99, a terminal state.
// 1-D, bandwidth 0.05, gamma 0.95.
const char* kNarrow1d = R"({"format": "softmdp/1", "discount": 0.95, "states": ["a", "b", "c", "end"],
  "action_space": {"low": [-1.0], "high": [1.0]}, "bandwidth": 0.05, "action_cost": 0.1,
  "anchors": [{"s": "a", "at": [-0.6], "r": 0.0, "next": [["a", 1.0]]},
              {"s": "a", "at": [0.1], "r": 1.0, "next": [["b", 1.0]]},
              {"s": "a", "at": [0.7], "r": 0.3, "next": [["a", 0.5], ["c", 0.5]]},
              {"s": "b", "at": [-0.3], "r": 0.5, "next": [["b", 0.7], ["a", 0.3]]},
              {"s": "b", "at": [0.4], "r": 0.8, "next": [["c", 1.0]]},
              {"s": "c", "at": [0.0], "r": 0.2, "next": [["a", 1.0]]},
              {"s": "c", "at": [0.9], "r": 1.5, "next": [["end", 1.0]]},
              {"s": "c", "at": [-0.9], "r": -0.5, "next": [["c", 1.0]]}]})";
// 1-D, bandwidth 0.08, gamma 0.99 (the issue's kind of model: a sharp, strongly amplified integral).
const char* kSlow1d = R"({"format": "softmdp/1", "discount": 0.99, "states": ["left", "right"],
  "action_space": {"low": [-1.0], "high": [1.0]}, "bandwidth": 0.08, "action_cost": 0.2,
  "anchors": [{"s": "left", "at": [-0.5], "r": 0.0, "next": [["left", 1.0]]},
              {"s": "left", "at": [0.5], "r": 1.0, "next": [["right", 1.0]]},
              {"s": "right", "at": [0.0], "r": 0.5, "next": [["right", 0.5], ["left", 0.5]]},
              {"s": "right", "at": [0.8], "r": -0.2, "next": [["right", 1.0]]}]})";
// 2-D, bandwidth 0.1, gamma 0.95.
const char* kNarrow2d = R"({"format": "softmdp/1", "discount": 0.95, "states": ["center", "side", "goal"],
  "action_space": {"low": [-1.0, -1.0], "high": [1.0, 1.0]}, "bandwidth": 0.1, "action_cost": 0.1,
  "anchors": [{"s": "center", "at": [0.3, 0.3], "r": 1.0, "next": [["goal", 1.0]]},
              {"s": "center", "at": [-0.3, 0.3], "r": 0.6, "next": [["side", 1.0]]},
              {"s": "center", "at": [0.0, 0.0], "r": -0.5, "next": [["center", 1.0]]},
              {"s": "center", "at": [0.0, -0.3], "r": 0.2, "next": [["center", 0.5], ["side", 0.5]]},
              {"s": "side", "at": [0.2, -0.2], "r": 0.4, "next": [["center", 1.0]]},
              {"s": "side", "at": [-0.1, 0.1], "r": 0.9, "next": [["side", 1.0]]}]})";
// 3-D, bandwidth 0.5, gamma 0.97.
const char* kBox3d = R"({"format": "softmdp/1", "discount": 0.97, "states": ["s", "t"],
  "action_space": {"low": [-1.0, -1.0, -1.0], "high": [1.0, 1.0, 1.0]}, "bandwidth": 0.5, "action_cost": 0.1,
  "anchors": [{"s": "s", "at": [0.5, 0.5, 0.5], "r": 1.0, "next": [["t", 1.0]]},
              {"s": "s", "at": [-0.5, 0.0, 0.3], "r": 0.3, "next": [["s", 1.0]]},
              {"s": "s", "at": [0.0, -0.6, -0.4], "r": -0.4, "next": [["s", 0.5], ["t", 0.5]]},
              {"s": "t", "at": [0.2, 0.2, -0.5], "r": 0.7, "next": [["s", 1.0]]},
              {"s": "t", "at": [-0.3, -0.3, 0.2], "r": 0.1, "next": [["t", 1.0]]}]})";

ContinuousModel model(const char* text) { return parse_continuous_model(text, "test.json"); }

// The reference: composite 5-point Gauss-Legendre (the textbook nodes) with `panels` panels per
// dimension, Q from the definition w_k(a) = softmax_k(-||a - c_k||^2 / (2 h^2)),
// Q(s,a) = sum_k w_k (r_k + gamma sum P_k V) - cost ||a||^2, and soft policy iteration with its own
// Gaussian elimination.
std::vector<double> reference_values(const ContinuousModel& m, double alpha, int panels) {
    static const double x5[5] = {-0.9061798459386640, -0.5384693101056831, 0.0, 0.5384693101056831, 0.9061798459386640};
    static const double w5[5] = {0.2369268850561891, 0.4786286704993665, 0.5688888888888889, 0.4786286704993665,
                                 0.2369268850561891};
    const std::size_t d = m.low.size(), S = m.state_names.size();
    std::vector<std::vector<double>> x(d), w(d);
    for (std::size_t i = 0; i < d; ++i) {
        const double width = (m.high[i] - m.low[i]) / panels;
        for (int p = 0; p < panels; ++p)
            for (int k = 0; k < 5; ++k) {
                x[i].push_back(m.low[i] + width * (p + 0.5 * (x5[k] + 1.0)));
                w[i].push_back(0.5 * width * w5[k]);
            }
    }
    std::size_t J = 1;
    for (std::size_t i = 0; i < d; ++i) J *= x[i].size();
    // Per state and point: log quadrature weight - cost ||a||^2 / alpha, and the anchor weights.
    std::vector<std::vector<double>> base(S), wk(S);
    std::vector<double> a(d);
    for (std::size_t s = 0; s < S; ++s) {
        const auto& an = m.anchors[s];
        if (an.empty()) continue;
        base[s].resize(J);
        wk[s].resize(J * an.size());
        for (std::size_t j = 0; j < J; ++j) {
            std::size_t rest = j;
            double lw = 0.0, norm2 = 0.0;
            for (std::size_t i = 0; i < d; ++i) {
                const std::size_t k = rest % x[i].size();
                rest /= x[i].size();
                a[i] = x[i][k];
                lw += std::log(w[i][k]);
                norm2 += a[i] * a[i];
            }
            base[s][j] = lw - m.action_cost * norm2 / alpha;
            std::vector<double> e(an.size());
            double emax = -1e300, sum = 0.0;
            for (std::size_t k = 0; k < an.size(); ++k) {
                double dist2 = 0.0;
                for (std::size_t i = 0; i < d; ++i) dist2 += (a[i] - an[k].at[i]) * (a[i] - an[k].at[i]);
                e[k] = -dist2 / (2.0 * m.bandwidth * m.bandwidth);
                emax = std::max(emax, e[k]);
            }
            for (double& v : e) sum += (v = std::exp(v - emax));
            for (std::size_t k = 0; k < an.size(); ++k) wk[s][j * an.size() + k] = e[k] / sum;
        }
    }
    // Soft policy iteration: V <- V + (I - gamma P_pi)^-1 (TV - V), P_pi the soft policy's transitions
    // at V (Gaussian elimination below), until max |TV - V| < 1e-13, so |V - V*| < 1e-13 / (1 - gamma).
    const double gamma = m.discount;
    std::vector<double> V(S, 0.0), TV(S, 0.0), f(J);
    for (int iter = 0; iter < 100; ++iter) {
        std::vector<double> A(S * S, 0.0);
        for (std::size_t s = 0; s < S; ++s) A[s * S + s] = 1.0;
        double diff = 0.0;
        for (std::size_t s = 0; s < S; ++s) {
            const auto& an = m.anchors[s];
            if (an.empty()) continue;
            std::vector<double> G(an.size());
            for (std::size_t k = 0; k < an.size(); ++k) {
                G[k] = an[k].reward;
                for (const auto& [to, p] : an[k].next) G[k] += gamma * p * V[to];
            }
            double fmax = -1e300;
            for (std::size_t j = 0; j < J; ++j) {
                double q = 0.0;
                for (std::size_t k = 0; k < an.size(); ++k) q += wk[s][j * an.size() + k] * G[k];
                f[j] = base[s][j] + q / alpha;
                fmax = std::max(fmax, f[j]);
            }
            double sum = 0.0;
            for (std::size_t j = 0; j < J; ++j) sum += std::exp(f[j] - fmax);
            TV[s] = alpha * (fmax + std::log(sum));
            diff = std::max(diff, std::abs(TV[s] - V[s]));
            for (std::size_t j = 0; j < J; ++j) {
                const double pj = std::exp(f[j] - fmax) / sum;
                for (std::size_t k = 0; k < an.size(); ++k)
                    for (const auto& [to, p] : an[k].next) A[s * S + to] -= gamma * pj * wk[s][j * an.size() + k] * p;
            }
        }
        if (diff < 1e-13) break;
        std::vector<double> x(S);
        for (std::size_t s = 0; s < S; ++s) x[s] = TV[s] - V[s];
        x = test::dense_solve(A, x);
        for (std::size_t s = 0; s < S; ++s) V[s] += x[s];
    }
    return V;
}

struct AnchorCase {
    const char* name;
    const char* text;
    double alpha;
    int reference_panels;
};
// Reference panels: at most as wide as the softmax turnover between neighbouring anchors,
// h^2 / D (D the largest nearest-neighbour distance; docs/continuous.md); checked by the case
// "the reference is converged" below.
const AnchorCase kAnchors[] = {
    {"narrow 1-D, bandwidth 0.05, gamma 0.95", kNarrow1d, 0.2, 720},  // h^2/D = 0.0025/0.9
    {"1-D, bandwidth 0.08, gamma 0.99", kSlow1d, 0.2, 320},           // 0.0064/1.0
    {"narrow 2-D, bandwidth 0.1, gamma 0.95", kNarrow2d, 0.3, 85},    // 0.01/0.424
    {"3-D, bandwidth 0.5, gamma 0.97", kBox3d, 0.5, 10},              // 0.25/1.14
};

}  // namespace

TEST_CASE("the reference is converged: its values change by < 1e-9 with 1.5x the panels" * doctest::skip(test::kSanitized)) {
    for (const AnchorCase& an : kAnchors) {
        CAPTURE(an.name);
        const auto m = model(an.text);
        const auto a = reference_values(m, an.alpha, an.reference_panels);
        const auto b = reference_values(m, an.alpha, an.reference_panels * 3 / 2);
        for (std::size_t s = 0; s < a.size(); ++s) CHECK(std::abs(a[s] - b[s]) < 1e-9);
    }
}

TEST_CASE("quadrature meets --tolerance on the values: |V - V_ref| <= error_bound <= tolerance on four anchor MDPs") {
    for (const AnchorCase& an : kAnchors) {
        CAPTURE(an.name);
        const auto m = model(an.text);
        const auto ref = reference_values(m, an.alpha, an.reference_panels);
        for (double tol : {1e-6, 1e-8}) {
            CAPTURE(tol);
            SolverOptions opt;
            opt.tolerance = tol;
            const auto r = continuous_soft_q_iteration(m, an.alpha, {}, opt);
            REQUIRE(r.solution.converged);
            REQUIRE(r.solution.error_bound);
            REQUIRE(r.integration_error);
            const double bound = *r.solution.error_bound;
            CHECK(bound <= tol);
            CHECK(bound == doctest::Approx(r.iteration_bound + *r.integration_error).epsilon(1e-12));
            CHECK(r.levels.size() >= 2);
            for (std::size_t s = 0; s < ref.size(); ++s) {
                CAPTURE(s);
                CHECK(std::abs(r.solution.values[s] - ref[s]) <= bound);
            }
            // The first grid already resolves the bandwidth: at least 3 nodes per bandwidth on average.
            const double spacing = (m.high[0] - m.low[0]) / static_cast<double>(r.levels.front().nodes[0]);
            CHECK(m.bandwidth >= 3.0 * spacing * (1.0 - 1e-12));
        }
    }
}

TEST_CASE("--nodes N: a fixed grid whose two-part bound covers the truth, even when it is far from the tolerance") {
    // Coarse fixed grids on the narrow models: the integration error is large and amplified through
    // the successors; the estimate compares the fixed point at N nodes with the refined one (against
    // 2N nodes it fell short on the 2-D model: 0.00565 off, 0.00564 estimated).
    struct Case {
        const char* text;
        double alpha;
        int panels;
        std::size_t nodes;
    };
    const Case cases[] = {{kNarrow1d, 0.2, 720, 24}, {kNarrow1d, 0.2, 720, 100}, {kSlow1d, 0.2, 320, 24},
                          {kSlow1d, 0.2, 320, 64},   {kNarrow2d, 0.3, 85, 24},  {kNarrow2d, 0.3, 85, 64}};
    for (const Case& c : cases) {
        CAPTURE(c.nodes);
        const auto m = model(c.text);
        const auto ref = reference_values(m, c.alpha, c.panels);
        ContinuousOptions co;
        co.nodes = c.nodes;
        const auto r = continuous_soft_q_iteration(m, c.alpha, co);
        REQUIRE(r.integration_error);
        REQUIRE(r.solution.error_bound);
        CHECK(r.nodes == std::vector<std::size_t>(m.low.size(), c.nodes));
        CHECK(r.comparison_nodes.size() == m.low.size());
        CHECK(r.comparison_nodes[0] > c.nodes);  // compared with the refined solution
        CHECK(r.panel_order == 0);
        CHECK(r.iteration_bound <= 1e-8);
        double err = 0.0;
        for (std::size_t s = 0; s < ref.size(); ++s) err = std::max(err, std::abs(r.solution.values[s] - ref[s]));
        CAPTURE(err);
        CAPTURE(*r.solution.error_bound);
        CHECK(err <= *r.solution.error_bound);
        // Not converged unless the whole bound is within the tolerance (1e-8).
        CHECK(r.solution.converged == (*r.solution.error_bound <= 1e-8));
        if (!r.solution.converged) CHECK(r.solution.reason.find("integration error") != std::string::npos);
    }
}

TEST_CASE("node budget exhausted: not converged, the reported bound still covers the truth") {
    const auto m = model(kNarrow1d);
    const auto ref = reference_values(m, 0.2, 720);
    ContinuousOptions co;
    co.max_nodes = 160;  // 64 -> 128 nodes (started coarser to fit), then 256 is over the budget
    SolverOptions opt;
    opt.tolerance = 1e-9;
    const auto r = continuous_soft_q_iteration(m, 0.2, co, opt);
    CHECK_FALSE(r.solution.converged);
    CHECK(r.solution.reason.find("node budget") != std::string::npos);
    REQUIRE(r.solution.error_bound);
    CHECK(r.nodes.back() <= 160);
    for (std::size_t s = 0; s < ref.size(); ++s) CHECK(std::abs(r.solution.values[s] - ref[s]) <= *r.solution.error_bound);
}

namespace {
// 1-D, bandwidth 0.3, gamma 0.95: three states that feed each other (errors add along paths).
const char* kChain1d = R"({"format": "softmdp/1", "discount": 0.95, "states": ["x", "y", "z"],
  "action_space": {"low": [-1.0], "high": [1.0]}, "bandwidth": 0.3, "action_cost": 0.1,
  "anchors": [{"s": "x", "at": [-0.5], "r": 0.0, "next": [["x", 1.0]]},
              {"s": "x", "at": [0.5], "r": 1.0, "next": [["y", 1.0]]},
              {"s": "y", "at": [0.0], "r": 0.5, "next": [["z", 0.5], ["x", 0.5]]},
              {"s": "y", "at": [0.7], "r": 0.2, "next": [["y", 1.0]]},
              {"s": "z", "at": [-0.4], "r": 0.8, "next": [["x", 1.0]]},
              {"s": "z", "at": [0.4], "r": 0.1, "next": [["z", 1.0]]}]})";
}  // namespace

TEST_CASE("Monte Carlo: the propagated standard errors cover the truth at their level over 100 seeds" *
          doctest::skip(test::kSanitized)) {
    // mdps/continuous1d.json at alpha 0.5 (the issue's model: 76 standard errors off at seed 3) and a
    // three-state chain; 100 seeds each, 500 state-runs against the independent reference.
    struct Case {
        std::string text;
        double alpha;
    };
    const Case cases[] = {{test::read_file(test::source_path("mdps/continuous1d.json")), 0.5}, {kChain1d, 0.3}};
    int runs = 0, within = 0, within_backup = 0, bound_runs = 0, within_bound = 0;
    for (const Case& c : cases) {
        const auto m = parse_continuous_model(c.text, "test.json");
        const auto ref = reference_values(m, c.alpha, 60);
        for (std::uint64_t seed = 0; seed < 100; ++seed) {
            ContinuousOptions mc;
            mc.integrator = Integrator::monte_carlo;
            mc.samples = 2000;
            mc.seed = seed;
            SolverOptions opt;
            opt.tolerance = 1e-9;
            const auto r = continuous_soft_q_iteration(m, c.alpha, mc, opt);
            REQUIRE(r.solution.converged);
            CHECK(r.mc_std_error_exact);
            for (std::size_t s = 0; s < ref.size(); ++s) {
                const double err = std::abs(r.solution.values[s] - ref[s]);
                ++runs;
                within += err <= 1.96 * r.mc_std_error[s];
                within_backup += err <= 1.96 * r.mc_backup_std_error[s];
                CHECK(r.mc_std_error[s] >= r.mc_backup_std_error[s]);
            }
            if (seed % 5 != 0) continue;
            // Every fifth seed also without the dense inverse: the bound adding standard errors along
            // paths (plain iteration, slower) is at least the exact propagation.
            ContinuousOptions upper = mc;
            upper.dense_limit = 0;
            const auto u = continuous_soft_q_iteration(m, c.alpha, upper, opt);
            CHECK_FALSE(u.mc_std_error_exact);
            for (std::size_t s = 0; s < ref.size(); ++s) {
                ++bound_runs;
                within_bound += std::abs(u.solution.values[s] - ref[s]) <= 1.96 * u.mc_std_error[s];
                CHECK(u.mc_std_error[s] >= r.mc_std_error[s] * (1.0 - 1e-9));
            }
        }
    }
    const double coverage = static_cast<double>(within) / runs, backup = static_cast<double>(within_backup) / runs,
                 bound = static_cast<double>(within_bound) / bound_runs;
    CAPTURE(coverage);
    CAPTURE(backup);
    CAPTURE(bound);
    CHECK(runs == 500);
    CHECK(coverage >= 0.90);
    CHECK(coverage <= 0.99);
    CHECK(backup < 0.6);    // the per-backup errors alone (what solve printed before) do not cover
    CHECK(bound >= 0.95);
}

TEST_CASE("stopping early: no second grid means no error bound; at the floating-point floor the estimate is still given") {
    const auto m = model(kNarrow2d);
    SolverOptions opt;
    opt.max_iterations = 1;
    const auto r = continuous_soft_q_iteration(m, 0.3, {}, opt);
    CHECK_FALSE(r.solution.converged);
    CHECK(r.solution.reason == "stopped at the iteration limit");
    CHECK_FALSE(r.integration_error);
    CHECK_FALSE(r.solution.error_bound);  // null in the result: nothing was compared
    CHECK(r.levels.size() == 1);

    // alpha 1e6 on multigoal: values ~3e6, resolution ~8e-6 > the tolerance 1e-6.
    const auto mg = load_continuous_model(test::source_path("mdps/multigoal.json"));
    SolverOptions fine;
    fine.tolerance = 1e-6;
    const auto f = continuous_soft_q_iteration(mg, 1e6, {}, fine);
    CHECK_FALSE(f.solution.converged);
    CHECK(f.solution.reason.find("tolerance 1e-06 is below the floating-point resolution") != std::string::npos);
    REQUIRE(f.integration_error);
    REQUIRE(f.solution.error_bound);
    CHECK(f.levels.size() == 2);
    // With a tolerance above the floor the same solve converges, and the value agrees within both bounds.
    fine.tolerance = 1e-4;
    const auto g = continuous_soft_q_iteration(mg, 1e6, {}, fine);
    CHECK(g.solution.converged);
    CHECK(std::abs(g.solution.values[0] - f.solution.values[0]) <= *g.solution.error_bound + *f.solution.error_bound);
}

TEST_CASE("stopped by the iteration limit: the iteration bound covers the distance to the grid's own fixed point") {
    const auto m = model(kSlow1d);  // gamma 0.99
    ContinuousOptions co;
    co.nodes = 32;
    const auto full = continuous_soft_q_iteration(m, 0.2, co);
    for (std::uint64_t limit : {1, 2, 3}) {
        CAPTURE(limit);
        SolverOptions opt;
        opt.max_iterations = limit;
        const auto r = continuous_soft_q_iteration(m, 0.2, co, opt);
        CHECK_FALSE(r.solution.converged);
        for (std::size_t s = 0; s < 2; ++s)
            CHECK(std::abs(r.solution.values[s] - full.solution.values[s]) <= r.iteration_bound + full.iteration_bound);
    }
}
