// Continuous-action files: loading, errors, the analytic gradient, and soft Q-iteration against a
// closed form.
#include <doctest/doctest.h>

#include <cmath>

#include "softmdp/continuous/continuous_model.hpp"
#include "softmdp/continuous/continuous_solver.hpp"
#include "softmdp/core/errors.hpp"
#include "test_helpers.hpp"
#include "softmdp/io/continuous_reader.hpp"

using namespace softmdp;

namespace {

const char* kSelfLoop = R"({"format": "softmdp/1", "discount": 0.9, "states": ["s"],
  "action_space": {"low": [-1.0], "high": [1.0]}, "bandwidth": 0.3, "action_cost": 0.1,
  "anchors": [{"s": "s", "at": [-0.5], "r": 0.0, "next": [["s", 1.0]]},
              {"s": "s", "at": [0.5], "r": 1.0, "next": [["s", 1.0]]}]})";

ContinuousModel from_text(const std::string& text) {
    const auto dir = test::temp_dir("continuous");
    test::write_file(dir / "m.json", text);
    return load_continuous_model(dir / "m.json");
}

std::string error_of(const std::string& text) {
    try {
        from_text(text);
    } catch (const InputError& e) {
        return e.what();
    }
    FAIL("no error");
    return {};
}

// r(a) of kSelfLoop written out independently of the library.
double reward(double a) {
    const double u0 = -(a + 0.5) * (a + 0.5) / (2 * 0.09), u1 = -(a - 0.5) * (a - 0.5) / (2 * 0.09);
    const double w1 = 1.0 / (1.0 + std::exp(u0 - u1));
    return w1 * 1.0 - 0.1 * a * a;
}

// alpha log integral_{-1}^{1} exp(r(a)/alpha) da by composite Simpson (200000 intervals).
double soft_reward(double alpha) {
    const int n = 200000;
    const double h = 2.0 / n;
    double m = -1e300;
    for (int i = 0; i <= n; ++i) m = std::max(m, reward(-1.0 + i * h) / alpha);
    double sum = 0.0;
    for (int i = 0; i <= n; ++i) {
        const double w = (i == 0 || i == n) ? 1.0 : (i % 2 ? 4.0 : 2.0);
        sum += w * std::exp(reward(-1.0 + i * h) / alpha - m);
    }
    return alpha * (m + std::log(sum * h / 3.0));
}

}  // namespace

TEST_CASE("the shipped continuous examples load and are detected") {
    CHECK(is_continuous_file(test::source_path("mdps/multigoal.json")));
    CHECK_FALSE(is_continuous_file(test::source_path("mdps/chain2.json")));
    const auto m = load_continuous_model(test::source_path("mdps/multigoal.json"));
    CHECK(m.dim() == 2);
    CHECK(m.num_states() == 2);
    CHECK(m.is_terminal(1));
    CHECK(m.anchors[0].size() == 9);
    CHECK(load_continuous_model(test::source_path("mdps/continuous1d.json")).dim() == 1);
}

TEST_CASE("the analytic gradient of Q matches finite differences") {
    const auto m = load_continuous_model(test::source_path("mdps/multigoal.json"));
    std::vector<double> V{0.3, 0.0}, G(m.anchors[0].size()), grad(2), none;
    m.anchor_values(0, V, G);
    for (const auto& a : std::vector<std::vector<double>>{{0.1, 0.2}, {-0.7, 0.4}, {0.6, -0.6}}) {
        m.q_value(0, G, a, grad);
        for (int k = 0; k < 2; ++k) {
            auto ap = a, am = a;
            ap[k] += 1e-6;
            am[k] -= 1e-6;
            const double fd = (m.q_value(0, G, ap) - m.q_value(0, G, am)) / 2e-6;
            CHECK(grad[k] == doctest::Approx(fd).epsilon(1e-6));
        }
    }
}

TEST_CASE("anchor_weights: the softmax of -||a - c_k||^2 / (2 h^2), written out here") {
    const auto m = load_continuous_model(test::source_path("mdps/multigoal.json"));
    const PackedAnchors p = m.pack_anchors(0);
    const std::size_t K = m.anchors[0].size();
    std::vector<double> w(K), G(K);
    m.anchor_values(0, std::vector<double>{0.3, 0.0}, G);
    for (const auto& a : std::vector<std::vector<double>>{{0.1, 0.2}, {-0.7, 0.4}, {0.99, -0.99}}) {
        m.anchor_weights(p, a, w);
        std::vector<double> e(K);
        double z = 0.0, q = 0.0;
        for (std::size_t k = 0; k < K; ++k) {
            const double dx = a[0] - m.anchors[0][k].at[0], dy = a[1] - m.anchors[0][k].at[1];
            z += (e[k] = std::exp(-(dx * dx + dy * dy) / (2.0 * m.bandwidth * m.bandwidth)));
        }
        for (std::size_t k = 0; k < K; ++k) {
            CHECK(w[k] == doctest::Approx(e[k] / z).epsilon(1e-13));
            q += w[k] * G[k];
        }
        // Q_V(s, a) = sum_k w_k G_k - action_cost ||a||^2.
        CHECK(m.q_value(p, G, a) == doctest::Approx(q - m.action_cost * (a[0] * a[0] + a[1] * a[1])).epsilon(1e-13));
    }
}

TEST_CASE("errors name the entry and field") {
    const std::string head = R"("format": "softmdp/1", "discount": 0.9, "states": ["s"], )";
    struct Case {
        std::string text, expected;
    };
    const Case cases[] = {
        {"{" + head + R"("action_space": {"low": [0], "high": [1]}, "bandwidth": 0, "anchors": []})", "field 'bandwidth': must be > 0"},
        {"{" + head + R"("action_space": {"low": [1], "high": [1]}, "bandwidth": 1, "anchors": []})", "low 1 must be < high 1"},
        {"{" + head + R"("action_space": {"low": [0, 0], "high": [1]}, "bandwidth": 1, "anchors": []})", "low has 2 dimensions but high has 1"},
        {"{" + head + R"("action_space": {"low": [0], "high": [1]}, "bandwidth": 1, "anchors": [{"s": "s", "at": [0, 1], "next": [["s", 1]]}]})",
         "anchors[0] (s=s): field 'at': has 2 dimensions, the action space has 1"},
        {"{" + head + R"("action_space": {"low": [0], "high": [1]}, "bandwidth": 1, "anchors": [{"s": "t", "at": [0], "next": [["s", 1]]}]})",
         "anchors[0]: field 's': unknown state name 't'"},
        {"{" + head + R"("action_space": {"low": [0], "high": [1]}, "bandwidth": 1, "anchors": [{"s": "s", "at": [0], "next": [["s", 0.5]]}]})",
         "field 'next': probabilities sum to 0.5"},
        {"{" + head + R"("action_space": {"low": [0], "high": [1]}, "bandwidth": 1, "anchors": [{"s": "s", "at": [0], "next": []}]})",
         "'next' must be a non-empty array"},
        {"{" + head + R"("bandwidth": 1, "anchors": []})", "missing key 'action_space'"},
        {"{" + head + R"("action_space": {"low": [0], "high": [1]}, "bandwidth": 1, "anchors": [], "actions": 2})",
         "a continuous-action file has action_space and anchors instead"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.text);
        const std::string msg = error_of(c.text);
        CHECK_MESSAGE(msg.find(c.expected) != std::string::npos, "got: " << msg);
    }
}

TEST_CASE("one state with self-loop anchors: V = alpha log integral exp(r(a)/alpha) da / (1 - gamma)") {
    const auto m = from_text(kSelfLoop);
    for (double alpha : {0.05, 0.5}) {
        const double exact = soft_reward(alpha) / (1.0 - 0.9);
        SolverOptions opt;
        opt.tolerance = 1e-9;
        ContinuousOptions quad;
        quad.nodes = 64;
        const auto q = continuous_soft_q_iteration(m, alpha, quad, opt);
        CAPTURE(alpha);
        CHECK(q.solution.converged);
        CHECK(q.solution.values[0] == doctest::Approx(exact).epsilon(1e-8));
        CHECK(*q.integration_error < 1e-6);
        ContinuousOptions mc;
        mc.integrator = Integrator::monte_carlo;
        mc.samples = 50000;
        mc.seed = 4;
        const auto r = continuous_soft_q_iteration(m, alpha, mc, opt);
        // The MC error of one backup is mc_std_error; at the fixed point it is amplified by 1/(1-gamma).
        CHECK(std::abs(r.solution.values[0] - exact) <= 4.0 * r.mc_std_error[0] / (1.0 - 0.9));
    }
}
