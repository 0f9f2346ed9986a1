// CLI: evaluate, compare, sweep — schemas, exit codes, bad input.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "softmdp/io/loader.hpp"
#include "test_helpers.hpp"

using namespace softmdp;
using nlohmann::json;

TEST_CASE("evaluate --policy uniform: the hand-derived chain2 values, both conventions") {
    const std::string chain = test::source_path("mdps/chain2.json");
    const double mid = (0.75 + 0.5 * std::log(2.0)) / 0.1;
    for (const char* conv : {"state", "action"}) {
        const auto r = test::run_cli("evaluate " + chain + " --policy uniform --alpha 0.5 --convention " + conv + " --json -");
        REQUIRE(r.code == 0);
        const json j = json::parse(r.out);
        CHECK(j["format"] == "softmdp-result/1");
        CHECK(j["convention"] == conv);
        CHECK(j["values"][0].get<double>() == doctest::Approx(mid - 0.25).epsilon(1e-12));
        CHECK(j["values"][1].get<double>() == doctest::Approx(mid + 0.25).epsilon(1e-12));
        CHECK(j["objective"].get<double>() == doctest::Approx(mid - 0.25).epsilon(1e-12));
    }
}

TEST_CASE("evaluate reads policy files by name and rejects policies of another MDP") {
    const auto dir = test::temp_dir("cli-evaluate");
    const std::string chain = test::source_path("mdps/chain2.json");
    test::write_file(dir / "pi.json", R"({"format": "softmdp-policy/1", "policy": {"A": {"move": 1}, "B": {"stay": 1}}})");
    const auto r = test::run_cli("evaluate " + chain + " --policy " + (dir / "pi.json").string() + " --json -");
    REQUIRE(r.code == 0);
    const json j = json::parse(r.out);
    CHECK(j["values"][0].get<double>() == doctest::Approx(18.0));  // the optimal policy, by hand
    test::write_file(dir / "other.json", R"({"format": "softmdp-policy/1", "policy": [[1, 0], [1, 0], [1, 0]]})");
    const auto bad = test::run_cli("evaluate " + chain + " --policy " + (dir / "other.json").string());
    CHECK(bad.code == 2);
    CHECK(bad.err.find("has 3 states, the model has 2") != std::string::npos);
    test::write_file(dir / "sum.json", R"({"format": "softmdp-policy/1", "policy": [[0.5, 0.4], [1, 0]]})");
    const auto sum = test::run_cli("evaluate " + chain + " --policy " + (dir / "sum.json").string());
    CHECK(sum.code == 2);
    CHECK(sum.err.find("state A") != std::string::npos);
    CHECK(test::run_cli("evaluate " + chain).code == 2);
    CHECK(test::run_cli("evaluate " + chain + " --policy uniform --convention both").code == 2);
    CHECK(test::run_cli("evaluate " + chain + " --policy softmax").code == 2);  // needs alpha > 0
}

TEST_CASE("evaluate --residual: zero soft residual at the soft optimum, positive Boltzmann residual") {
    const auto dir = test::temp_dir("cli-residual");
    const std::string chain = test::source_path("mdps/chain2.json");
    REQUIRE(test::run_cli("solve " + chain + " --alpha 1 --tolerance 1e-12 --json " + (dir / "r.json").string()).code == 0);
    const auto r = test::run_cli("evaluate " + chain + " --alpha 1 --residual " + (dir / "r.json").string() + " --json -");
    REQUIRE(r.code == 0);
    const json j = json::parse(r.out);
    CHECK(j["format"] == "softmdp-residuals/1");
    CHECK(j["residuals"]["soft"]["v_residual"].get<double>() < 1e-18);
    CHECK(j["residuals"]["soft"]["q_residual"].get<double>() < 1e-18);
    CHECK(j["residuals"]["boltzmann"]["v_residual"].get<double>() > 1e-3);
}

TEST_CASE("evaluate --residual-states / --residual-actions: the weights p and mu, by hand on chain2") {
    // Q = 0, alpha 1: V_Q = log 2 in both states, so Q_hat(s, a) = r(s, a) + c with c = 0.9 log 2, and
    // the squared residuals are (1 + c)^2, c^2 in A (stay, move) and (2 + c)^2, c^2 in B.
    const auto dir = test::temp_dir("cli-residual-weights");
    const std::string chain = test::source_path("mdps/chain2.json");
    const std::string q = (dir / "q.json").string(), mu = (dir / "mu.json").string(), p = (dir / "p.json").string();
    test::write_file(q, R"({"format": "softmdp-q/1", "q": [[0, 0], [0, 0]]})");
    test::write_file(mu, R"({"format": "softmdp-policy/1", "policy": {"A": {"stay": 0.8, "move": 0.2}, "B": {"stay": 0.3, "move": 0.7}}})");
    test::write_file(p, R"({"format": "softmdp-weights/1", "weights": {"B": 3}})");
    const std::string huge = (dir / "huge.json").string();  // formerly sum inf: weights 0, residuals exactly 0
    test::write_file(huge, R"({"format": "softmdp-weights/1", "weights": [1e308, 1e308]})");
    const double c = 0.9 * std::log(2.0);
    const double a_stay = (1 + c) * (1 + c), b_stay = (2 + c) * (2 + c), move = c * c;
    const double jv_a = std::pow(c + std::log(1 + std::exp(1.0)) - std::log(2.0), 2);
    const double jv_b = std::pow(c + std::log(1 + std::exp(2.0)) - std::log(2.0), 2);
    const struct {
        std::string options;
        double j_q, j_v;
    } cases[] = {
        {"", 0.5 * (a_stay + move), jv_a},  // p0 = (1, 0), uniform mu
        {" --residual-states initial --residual-actions uniform", 0.5 * (a_stay + move), jv_a},
        {" --residual-actions " + mu, 0.8 * a_stay + 0.2 * move, jv_a},
        {" --residual-states uniform --residual-actions " + mu,
         0.5 * (0.8 * a_stay + 0.2 * move) + 0.5 * (0.3 * b_stay + 0.7 * move), 0.5 * (jv_a + jv_b)},
        {" --residual-states " + p, 0.5 * (b_stay + move), jv_b},  // weights normalised: p = (0, 1)
        {" --residual-states " + huge, 0.5 * (0.5 * (a_stay + move)) + 0.5 * (0.5 * (b_stay + move)), 0.5 * (jv_a + jv_b)},
        {" --residual-actions softmax", 0.5 * (a_stay + move), jv_a},  // softmax(0) is uniform
        {" --policy " + mu + " --residual-actions policy", 0.8 * a_stay + 0.2 * move, jv_a},
    };
    for (const auto& k : cases) {
        CAPTURE(k.options);
        const auto r = test::run_cli("evaluate " + chain + " --alpha 1 --residual " + q + k.options + " --json -");
        REQUIRE(r.code == 0);
        const json j = json::parse(r.out);
        CHECK(j["residuals"]["soft"]["q_residual"].get<double>() == doctest::Approx(k.j_q).epsilon(1e-12));
        CHECK(j["residuals"]["soft"]["v_residual"].get<double>() == doctest::Approx(k.j_v).epsilon(1e-12));
    }
    const auto table = test::run_cli("evaluate " + chain + " --alpha 1 --residual " + q + " --residual-states uniform");
    CHECK(table.out.find("state weights uniform, action weights uniform") != std::string::npos);
    const auto no_policy = test::run_cli("evaluate " + chain + " --alpha 1 --residual " + q + " --residual-actions policy");
    CHECK(no_policy.code == 2);
    CHECK(no_policy.err.find("give --policy") != std::string::npos);
    test::write_file(p, R"({"format": "softmdp-weights/1", "weights": [0, -1]})");
    const auto negative = test::run_cli("evaluate " + chain + " --alpha 1 --residual " + q + " --residual-states " + p);
    CHECK(negative.code == 2);
    CHECK(negative.err.find("must be a finite number >= 0, got -1") != std::string::npos);
}

TEST_CASE("compare: JSON holds both results and the bounds hold") {
    const auto r = test::run_cli("compare " + test::source_path("mdps/frozenlake4x4.json") + " --alpha 0.05 --json -");
    REQUIRE(r.code == 0);
    const json j = json::parse(r.out);
    CHECK(j["format"] == "softmdp-compare/1");
    CHECK(j["soft"]["format"] == "softmdp-result/1");
    CHECK(j["hard"]["alpha"] == 0.0);
    CHECK(j["soft"]["alpha"] == 0.05);
    const double global = j["global_bound"].get<double>();
    CHECK(global == doctest::Approx(0.05 * std::log(4.0) / 0.01));
    for (std::size_t s = 0; s < 16; ++s) {
        CHECK(j["gap"][s].get<double>() >= -1e-7);
        CHECK(j["gap"][s].get<double>() <= j["gap_bound"][s].get<double>() + 1e-7);
    }
    CHECK(j["soft_policy_hard_return"].get<double>() <= j["j_hard"].get<double>() + 1e-7);
    const auto table = test::run_cli("compare " + test::source_path("mdps/frozenlake4x4.json") + " --alpha 0.05");
    CHECK(table.out.find("hard return of the soft policy") != std::string::npos);
    CHECK(test::run_cli("compare " + test::source_path("mdps/chain2.json")).code == 2);  // --alpha is required
    CHECK(test::run_cli("compare " + test::source_path("mdps/chain2.json") + " --alpha 0").code == 2);
}

TEST_CASE("sweep: table, JSON points, CSV, and bad ranges") {
    const auto dir = test::temp_dir("cli-sweep");
    const std::string river = test::source_path("mdps/riverswim.json");
    const auto r = test::run_cli("sweep " + river + " --alpha-min 0.001 --alpha-max 1 --points 4 --log --json " +
                                 (dir / "s.json").string() + " --csv " + (dir / "s.csv").string());
    REQUIRE(r.code == 0);
    CHECK(r.out.find("hard return") != std::string::npos);
    const json j = read_json_file(dir / "s.json");
    CHECK(j["format"] == "softmdp-sweep/1");
    REQUIRE(j["points"].size() == 4);
    CHECK(j["points"][0]["alpha"] == 0.001);  // exactly, not 0.0010000000000000002
    CHECK(j["points"][1]["alpha"] == 0.01);
    CHECK(j["points"][2]["alpha"] == 0.1);
    CHECK(j["points"][3]["alpha"] == 1.0);
    CHECK(j["points"][3]["entropy"].size() == 6);
    const std::string csv(MappedFile(dir / "s.csv").text());
    CHECK(csv.rfind("alpha,j_soft,hard_return", 0) == 0);
    CHECK(std::count(csv.begin(), csv.end(), '\n') == 5);
    CHECK(test::run_cli("sweep " + river + " --alpha-min 1 --alpha-max 0.5").code == 2);
    CHECK(test::run_cli("sweep " + river + " --alpha-min 0 --alpha-max 1 --log").code == 2);
    CHECK(test::run_cli("sweep " + river + " --alpha-min -1 --alpha-max 1").code == 2);
    CHECK(test::run_cli("sweep " + river + " --alpha-min 0 --alpha-max 1 --points 0").code == 2);
    // --points 1 is the single alpha --alpha-min, and needs --alpha-max equal to it.
    const auto one = test::run_cli("sweep " + river + " --alpha-min 0.2 --alpha-max 0.2 --points 1 --json -");
    REQUIRE(one.code == 0);
    CHECK(json::parse(one.out)["points"].size() == 1);
    CHECK(json::parse(one.out)["points"][0]["alpha"] == 0.2);
    const auto differ = test::run_cli("sweep " + river + " --alpha-min 0.2 --alpha-max 1 --points 1");
    CHECK(differ.code == 2);
    CHECK(differ.err.find("--points 1 is the single alpha --alpha-min") != std::string::npos);
}

TEST_CASE("numerical failure: exit 2, 'numerical error' naming the parameter, never a phantom file 'policy'") {
    const auto dir = test::temp_dir("cli-numerical");
    const std::string chain = test::source_path("mdps/chain2.json"), out = (dir / "out.json").string();
    test::write_file(dir / "huge.json", R"({"format": "softmdp/1", "discount": 0.99, "states": ["x"], "actions": ["a", "b"],
        "transitions": [{"s": "x", "a": "a", "r": 1e307, "next": [["x", 1]]}, {"s": "x", "a": "b", "r": -1e307, "next": [["x", 1]]}]})");
    const std::string huge = (dir / "huge.json").string();
    const struct {
        std::string args, expected;
    } cases[] = {
        {"solve " + chain + " --alpha 1e308", "soft-pi: policy evaluation at alpha 1e+308: "},
        {"solve " + chain + " --alpha 1e308 --method soft-vi", "--alpha 1e+308 is too large"},
        {"evaluate " + chain + " --policy uniform --alpha 1e308", "policy evaluation at alpha 1e+308"},
        {"evaluate " + chain + " --policy softmax --alpha 1e308", "--alpha 1e+308 is too large"},
        {"compare " + chain + " --alpha 1e308", "--alpha 1e+308 is too large"},
        {"sweep " + chain + " --alpha-min 0 --alpha-max 1e308 --points 2", "--alpha 1e+308 is too large"},
        {"compare " + huge + " --alpha 1", "the rewards are too large"},
        {"solve " + huge, "vi at alpha 0: the values became non-finite: the rewards are too large: max |r| / (1 - gamma) = 1e+309"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.args);
        const auto r = test::run_cli(c.args + " --json " + out);
        CHECK(r.code == 2);
        CHECK_MESSAGE(r.err.find("softmdp: numerical error: " ) == 0, "got: " << r.err);
        CHECK_MESSAGE(r.err.find(c.expected) != std::string::npos, "got: " << r.err);
        CHECK(r.err.find("policy:") == std::string::npos);
        CHECK_FALSE(std::filesystem::exists(out));  // a non-finite result is never written
    }
    // A subnormal --alpha-max: formerly exit 1 "stod" (alphas round-tripped through text).
    const auto tiny = test::run_cli("sweep " + chain + " --alpha-min 0 --alpha-max 1e-320 --points 3 --json -");
    CHECK(tiny.code == 0);
    const json j = json::parse(tiny.out);
    CHECK(j["points"][2]["alpha"].get<double>() == 1e-320);
    CHECK(j["points"][2]["j_soft"].get<double>() == doctest::Approx(18.0));  // V*(A) = 18 (docs/cli.md): alpha -> 0
}
